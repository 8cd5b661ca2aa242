"""The data model on SQLite and PostgreSQL: migrations, interviews, turns, transcript, consents, events."""

from __future__ import annotations

import asyncio

import pytest

from server.http.auth import hash_password, verify_password
from server.storage.store import Store

pytestmark = pytest.mark.services


async def test_full_interview_record_round_trips(db_url):
    store = Store(db_url)
    await store.migrate()
    await store.migrate()  # idempotent: a restart migrates nothing twice
    try:
        org = await store.accounts.create_org("Acme")
        user = await store.accounts.create_user(org.id, "HR@Acme.test", hash_password("pw"), role="recruiter")
        assert (await store.accounts.user_by_email("hr@acme.test")).id == user.id
        assert verify_password(user.password_hash, "pw") and not verify_password(user.password_hash, "nope")
        job = await store.jobs.create(org.id, "Engineer", "", "en",
                                      [{"text": "Q1"}, {"text": "Q2", "time_limit_s": 60}])
        iv = await store.interviews.create(org.id, job.id, "Lin Wei", "lin@example.com", "en")
        questions = await store.jobs.plan_questions(iv.plan_id)
        assert [q.text for q in questions] == ["Q1", "Q2"] and questions[1].time_limit_s == 60

        await store.interviews.record_consents(
            iv, [("ai_evaluation", "v1", True, "t"), ("recording", "v1", False, "t")], "127.0.0.1", "pytest")
        await store.interviews.record_consents(iv, [("recording", "v1", True, "t")], "127.0.0.1", "pytest")
        consents = await store.interviews.current_consents(iv.id)
        assert consents["ai_evaluation"].granted is True
        assert consents["recording"].granted is True  # the later decision wins; the earlier stays as history

        await store.records.add_turn(iv.id, 0, 0, questions[0].id, "question", "Q1")
        s0 = await store.records.add_segment(iv.id, 0, "hello there", 100, 900, [{"text": "hello", "start_ms": 100,
                                                                           "end_ms": 400}], "whisper", "c1")
        s1 = await store.records.add_segment(iv.id, 0, "second part", 1000, 1800, [], "whisper", "c1")
        assert (s0, s1) == (0, 1)
        await store.records.end_turn(iv.id, 0, "hello there second part", "silence")
        await store.records.add_event(iv.id, "question.asked", {"text": "Q1", "turn_index": 0})
        await store.interviews.update(iv.id, status="live", question_index=1)

        detail = await store.interviews.detail(iv.id)
        assert detail["status"] == "live" and detail["question_index"] == 1
        assert detail["candidate"]["name"] == "Lin Wei"
        assert [t["answer"] for t in detail["turns"]] == ["hello there second part"]
        assert [s["text"] for s in detail["transcript"]] == ["hello there", "second part"]
        assert detail["transcript"][0]["words"][0]["text"] == "hello"
        assert detail["events"][0]["type"] == "question.asked"
        assert detail["consents"]["ai_evaluation"]["granted"] is True
        assert [i.id for i in await store.interviews.for_org(org.id)] == [iv.id]
        other = await store.accounts.create_org("Other")
        assert await store.interviews.for_org(other.id) == []
    finally:
        await store.close()


async def test_upgrade_keeps_existing_rows(db_url):
    """A database created by the first schema, with an interview in it, upgrades to the newest without loss."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    from server.storage.migrate import move_schema
    from tests.old_schema import insert_first_schema_interview

    store = Store(db_url)
    try:
        await move_schema(store.db.engine, "0001")
        async with store.db.engine.begin() as conn:
            now = datetime(2026, 1, 1, tzinfo=timezone.utc)
            await insert_first_schema_interview(conn, now, "live")
            await conn.execute(text("INSERT INTO turns (id, interview_id, \"index\", question_index, kind, "
                                    "question_text, answer_text, asked_at, end_reason) "
                                    "VALUES ('t', 'i', 0, 0, 'question', 'Q?', 'A.', :n, 'silence')"), {"n": now})
        await store.migrate()
        turns = await store.records.turns("i")
        assert [(t.question_text, t.answer_text, t.trigger, t.reason) for t in turns] == [("Q?", "A.", "", "")]
        assert (await store.interviews.get("i")).review_requested_at is None
    finally:
        await store.close()


async def test_every_repository_on_one_database(db_url):
    """Each area's repository writes and reads its tables on both engines, all through one shared database."""
    from datetime import timedelta

    from server.storage.account_changes import ChangedBy
    from server.storage.database import Repository
    from server.storage.interview_list import ListQuery
    from server.storage.models import PersonalDataReadCandidate, utcnow

    store = Store(db_url)
    await store.migrate()
    try:
        repos = [v for v in vars(store).values() if isinstance(v, Repository)]
        assert len(repos) == 23 and all(r.db is store.db for r in repos)
        now = utcnow()
        org = await store.accounts.create_org("Acme")
        user = await store.accounts.create_user(org.id, "hr@acme.test", "x")
        assert await store.accounts.org_ids() == [org.id] and (await store.accounts.user(user.id)).email == user.email

        # logins and wrong passwords
        await store.login_sessions.add("h1", user.id, now - timedelta(hours=3), "10.0.0.1")
        await store.login_sessions.add("h2", user.id, now, "10.0.0.2")
        assert (await store.login_sessions.get("h2")).user.email == user.email
        await store.login_sessions.touch("h2", now + timedelta(minutes=5))
        [signed] = await store.login_sessions.signed_in(org.id, now - timedelta(hours=2), now - timedelta(hours=12))
        assert (signed.sessions, signed.last_seen_at) == (1, now + timedelta(minutes=5))  # h1 was idle too long
        assert await store.login_sessions.delete_expired(now - timedelta(hours=2), now - timedelta(hours=12)) == 1
        assert await store.login_sessions.delete_for_user(user.id) == 1
        assert [await store.login_failures.add_failure("k", now, now - timedelta(hours=1)) for _ in range(2)] == [1, 2]
        await store.login_failures.lock("k", now + timedelta(minutes=15))
        assert (await store.login_failures.get(["k", "other"]))["k"].failures == 2
        later = now + timedelta(hours=2)  # the lock is over and the last wrong password too old: counting restarts
        assert await store.login_failures.add_failure("k", later, later - timedelta(hours=1)) == 1
        assert (await store.login_failures.get(["k"]))["k"].locked_until is None
        await store.login_failures.forget(later + timedelta(seconds=1), later + timedelta(seconds=1))
        assert await store.login_failures.get(["k"]) == {}

        job = await store.jobs.create(org.id, "Engineer", "", "en", [{"text": "Q1", "competency": "ownership"}])
        assert await store.jobs.add_plan_version(job.id, "en", [{"text": "Q1 again"}], {"v": 2}) == 2
        assert await store.jobs.plan_spec(await store.jobs.latest_plan_id(job.id)) == {"v": 2}
        await store.jobs.set_scheduling(job.id, allow_immediate=False, slot_minutes=45)
        assert (await store.jobs.get(job.id)).slot_minutes == 45 and len(await store.jobs.for_org(org.id)) == 1

        # matching
        cand, resume = await store.matching.add_resume(org.id, job.id, "Lin", "lin@x.test", "cv.pdf", "", 10,
                                                       {"text": "Python"})
        assert [c.id for _, c in await store.matching.resumes(job.id)] == [cand.id]
        await store.matching.save_requirements(job.id, {"must": ["Python"]}, user.id)
        assert await store.matching.requirements(job.id) == {"must": ["Python"]}
        await store.matching.add_override(job.id, cand.id, "r1", "met", "seen in person", user.email)
        assert [o.note for o in await store.matching.overrides(job.id)] == ["seen in person"]

        # interviews, invitations, records, self-identification
        iv = await store.interviews.create(org.id, job.id, "", "", "en", candidate_id=cand.id)
        assert [i.id for i in await store.interviews.for_job(job.id)] == [iv.id]
        inv = await store.invitations.add(iv.id, "email", "lin@x.test", "en")
        await store.invitations.update(inv.id, status="sent")
        assert (await store.invitations.get(inv.id)).status == "sent"
        assert [i.id for i in await store.invitations.for_interview(iv.id)] == [inv.id]
        await store.records.add_score(iv.id, 0, 0, "ownership", 4.0, 0.9, "", [{"quote": "I led it"}], [])
        await store.records.add_review(iv.id, user.id, "ownership", 3.5, "fair")
        assert [(r.comment, email) for r, email in await store.records.reviews(iv.id)] == [("fair", user.email)]
        await store.interviews.update(iv.id, status="finished", ended_at=now)
        assert list(await store.records.job_scores(job.id)) == [cand.id]
        [listed], total = await store.interview_list.page(org.id, None, (), ListQuery(search="LIN@X", limit=5))
        assert (total, listed.candidate_name, listed.ai_score, listed.human_rating) == (1, "Lin", 4.0, 3.5)
        assert listed.invitation is not None and listed.invitation.status == "sent"
        await store.self_identification.set(iv, "female", None, "25_39", now)
        assert (await store.self_identification.get(iv.id)).sex == "female"
        assert list(await store.self_identification.for_job(job.id)) == [cand.id]
        assert await store.self_identification.withdraw(iv.id) is True

        # scheduling
        start = now + timedelta(days=1)
        slots = await store.scheduling.add_slots(job.id, [(start, start + timedelta(minutes=45))], 1, user.id)
        assert await store.scheduling.add_slots(job.id, [(start, start + timedelta(minutes=45))], 1, None) is None
        iv2 = await store.interviews.create(org.id, job.id, "Ann", "ann@x.test", "en")
        message = {"kind": "confirmation", "channel": "email", "recipient": "ann@x.test", "due_at": now, "details": {}}
        assert await store.scheduling.change_booking(iv2.id, 0, "unscheduled", None, slots[0].id, now, [message],
                                                     schedule_status="booked", slot_id=slots[0].id) == "ok"
        assert (await store.scheduling.slot(slots[0].id)).booked == 1
        assert await store.scheduling.delete_slot(slots[0].id) is False  # booked
        claimed = await store.scheduling.claim_due_reminders(now, 10)
        assert [r.kind for r in claimed] == ["confirmation"]
        assert await store.scheduling.claim_due_reminders(now, 10) == []  # claimed once
        await store.scheduling.update_reminder(claimed[0].id, status="sent")
        assert [r.status for r in await store.scheduling.reminders(iv2.id)] == ["sent"]

        # imports and an HR system's candidates (the same person is recognised across both)
        run, items = await store.imports.create(org.id, job.id, user.id, "zip", "cvs.zip", ["a.pdf"])
        more = await store.imports.add_items(run.id, [("dingtalk 1", "Bo")])
        first, created, _ = await store.imports.add_resume_if_new(org.id, job.id, "Bo", "bo@x.test", "a.pdf", "", 1,
                                                                  {}, [("email", "BO@x.test")], items[0])
        again, created_again, matched = await store.imports.add_resume_if_new(
            org.id, job.id, "Bo", "", "b.pdf", "", 1, {}, [("email", "bo@x.test")])
        assert created and not created_again and again.id == first.id and matched == "email"
        ext, outcome, matched = await store.external.upsert_resume(org.id, job.id, "dingtalk", "d1", "Bo", "bo@x.test",
                                                                   "d1.pdf", "", 1, {}, [("email", "bo@x.test")],
                                                                   more[0])
        assert (outcome, matched, ext.id) == ("duplicate", "email", first.id)
        assert await store.imports.finish_item(more[0], "duplicate", first.id, "Bo")
        assert not await store.imports.finish_item(more[0], "failed")  # recorded once, by whoever came first
        assert await store.imports.counts([run.id]) == {run.id: {"created": 1, "duplicate": 1}}
        # the upload's files, kept (encrypted) while the run is unfinished
        for part, data in enumerate((b"PK\x03\x04 first", b" second")):
            await store.import_uploads.add_part(run.id, 0, part, "cvs.zip", "application/zip", data)
        (kept,) = await store.import_uploads.files(run.id)
        assert (kept.filename, kept.size, kept.parts) == ("cvs.zip", 17, 2)
        assert await store.import_uploads.part(run.id, 0, 1) == b" second"
        assert await store.import_uploads.drop_finished() == 0  # the run is still pending
        await store.imports.heartbeat([run.id])
        assert await store.imports.interrupt("server_stopped", "stopped", ids=[run.id]) == 1
        assert (await store.imports.run(run.id)).status == "interrupted"
        assert await store.import_uploads.drop_finished() == 2 and await store.import_uploads.files(run.id) == []
        assert [r.id for r in await store.imports.runs(job.id)] == [run.id]
        assert len(await store.imports.items(run.id)) == 2

        # audit log: a repeat read coalesces; inserting an already linked candidate is ignored
        ids = [await store.audit.record_read(org.id, user.id, user.email, "interviews.list", "org", org.id, [cand.id],
                                             "127.0.0.1", now, 900) for _ in range(2)]
        assert ids[0] == ids[1]
        async with store.db.transaction() as s:
            await s.execute(store.db.insert_ignoring_duplicates(PersonalDataReadCandidate).values(
                [{"read_id": ids[0], "candidate_id": cand.id}]))
        (read,) = await store.audit.reads(org.id, candidate_id=cand.id)
        assert (read.count, read.candidates) == (2, [(cand.id, "Lin")])

        # account log: an assignment made by someone is recorded with it, one made again records nothing
        by = ChangedBy(user.id, user.email, "127.0.0.1")
        for _ in range(2):
            await store.assignments.assign_job(org.id, job.id, user.id, by)
        await store.login_sessions.add("h3", user.id, now, "10.0.0.3")
        assert [await store.login_sessions.delete_for_user(user.id, by) for _ in range(2)] == [1, 0]
        assert [(c.action, c.detail) for c in await store.account_changes.changes(org.id, subject_id=user.id)] == [
            ("user.signed_out_everywhere", {"logins_ended": 1}), ("job.member_added", {"job_id": job.id})]

        # retention: policy, legal hold, erasure
        await store.retention.set_policy(org.id, 30, 200, user.id, now)
        assert (await store.retention.policy(org.id)).candidate_days == 200
        held = await store.retention.set_legal_hold(cand.id, True, "lawsuit", user.id, now)
        assert held.legal_hold_reason == "lawsuit"
        assert await store.retention.erase_candidate(cand.id, "erasure_request", now) == "legal_hold"
        await store.retention.set_legal_hold(cand.id, False, "", user.id, now)
        assert await store.retention.candidate_interview_ids(cand.id) == [iv.id]
        counts = await store.retention.erase_candidate(cand.id, "erasure_request", now)
        assert counts["interviews"] == 1 and counts["resumes"] == 1
        assert [d.scope for d in await store.retention.deletions(org.id)] == ["candidate"]
        assert cand.id not in {c.id for c in await store.retention.org_candidates(org.id)}

        # background jobs: one per idempotency key, claimed once, listed per organisation and the server's own
        queued = await store.background.enqueue("invitation.send", {"invitation_id": "i1"}, now=now,
                                                idempotency_key="invitation:i1", org_id=org.id)
        again = await store.background.enqueue("invitation.send", {"invitation_id": "i1"}, now=now,
                                               idempotency_key="invitation:i1", org_id=org.id)
        assert again.id == queued.id and again.payload == {"invitation_id": "i1"}
        [claimed] = await store.background.claim("n1", ["invitation.send"], 5, 60, now)
        assert (claimed.id, claimed.attempts) == (queued.id, 1)
        assert await store.background.claim("n2", ["invitation.send"], 5, 60, now) == []
        assert await store.background.complete(queued.id, "n1", now)
        assert [(c.kind, c.state, c.count) for c in await store.background.counts(org.id)] == [
            ("invitation.send", "done", 1)]
        assert await store.background.counts("another org") == [] and len(await store.background.listing()) == 1
        assert await store.background.prune(now + timedelta(seconds=1), now) == 1

        # key rotation: everything is already under the current key (or no keyring): nothing to rewrite
        assert set((await store.key_rotation.reencrypt()).values()) <= {0}
    finally:
        await store.close()


async def test_segments_and_events_written_at_once_share_transactions(db_url):
    """Group commit (server/storage/group_commit.py): the segments and events of interviews speaking at the same
    moment are written together, each numbered and ordered as it was added, and each caller returns once its own
    is stored; one that cannot be stored (its interview is gone) fails alone."""
    store = Store(db_url)
    await store.migrate()
    try:
        org = await store.accounts.create_org("Acme")
        job = await store.jobs.create(org.id, "Engineer", "", "en", [{"text": "Q1"}])
        ivs = [await store.interviews.create(org.id, job.id, f"Candidate {n}", f"c{n}@example.com", "en")
               for n in range(4)]
        await store.records.add_segment(ivs[0].id, 0, "said before", 0, 500, [], "whisper", "c0")

        def segment(n: int):
            iv = ivs[n % 4]
            return store.records.add_segment(iv.id, 0, f"words {n}", n * 1000, n * 1000 + 900,
                                             [{"text": f"w{n}", "start_ms": n * 1000, "end_ms": n * 1000 + 400}],
                                             "whisper", f"c{n % 4}")

        def event(n: int, interview_id: str | None = None, type_: str = "speech.started"):
            return store.records.add_event(interview_id or ivs[n % 4].id, type_, {"n": n})

        store.records._segments.max_batch = 3  # batches split an interview's segments
        numbers = await asyncio.gather(*(segment(n) for n in range(40)))
        # each interview's segments numbered in the order they were added, after what it had
        assert numbers == [n // 4 + (1 if n % 4 == 0 else 0) for n in range(40)]
        assert store.records._segments.batches == 1 + 14  # the one before, then 40 in threes
        await asyncio.gather(*(event(n) for n in range(20)))
        written = store.records._events
        assert written.items == 20 and written.batches <= 2  # together, not one transaction each
        results = await asyncio.gather(*(event(n) for n in range(20, 39)),
                                       event(99, interview_id="no-such-interview"),
                                       *(event(n, type_="flag.raised") for n in range(4)), return_exceptions=True)
        assert all(r is None for r in results[:19]) and isinstance(results[19], Exception)
        assert all(r is None for r in results[20:])
        assert written.items == 43

        # the live interview keeps its events without waiting for them; reading the timeline back waits for them
        kept = [store.records.keep_event(ivs[0].id, "question.asked", {"n": 100 + k}) for k in range(3)]
        assert not any(k.done() for k in kept)
        assert [e.payload["n"] for e in (await store.records.events(ivs[0].id))[-3:]] == [100, 101, 102]
        assert all(k.done() and k.exception() is None for k in kept)
        for k in range(3):
            await store.records.keep_event(ivs[0].id, "question.asked", {"n": 200 + k})  # (awaitable too)

        for n, iv in enumerate(ivs):
            segments = await store.records.segments(iv.id)
            assert [s.seq for s in segments] == list(range(len(segments)))
            texts = [s.text for s in segments]
            assert texts == (["said before"] if n == 0 else []) + [f"words {k}" for k in range(n, 40, 4)]
            assert segments[-1].words[0]["text"] == f"w{36 + n}"
            timeline = await store.records.events(iv.id)
            assert [(e.type, e.payload["n"]) for e in timeline] == \
                [("speech.started", k) for k in range(n, 39, 4)] + [("flag.raised", n)] \
                + ([("question.asked", k) for k in (100, 101, 102, 200, 201, 202)] if n == 0 else [])
            assert (await store.interviews.get(iv.id)).flag_count == 1
    finally:
        await store.close()


async def test_sqlite_rolls_back_open_transactions_only(sqlite_url, monkeypatch):
    """SQLite through aiosqlite: each call is a round trip to the connection's thread, slow under load. A rollback
    of nothing (a read closing, a committed connection going back to the pool) is skipped; a write that fails is
    still rolled back, and the next writer does not wait for its lock."""
    import aiosqlite.core
    from sqlalchemy import text

    store = Store(sqlite_url)
    await store.migrate()
    calls: list[str] = []
    trip = aiosqlite.core.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await trip(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.core.Connection, "_execute", counted)
    try:
        org = await store.accounts.create_org("Acme")
        calls.clear()
        async with store.db.session() as s:
            assert (await s.execute(text("SELECT 1"))).scalar_one() == 1
        assert "rollback" not in calls and len(calls) == 4  # cursor, execute, fetch, close
        calls.clear()
        await store.accounts.create_org("Beta")
        assert calls.count("commit") == 1 and "rollback" not in calls
        calls.clear()
        with pytest.raises(RuntimeError):
            async with store.db.transaction() as s:
                await s.execute(text("UPDATE organizations SET name = 'Changed' WHERE id = :id"), {"id": org.id})
                raise RuntimeError("the write fails half-way")
        assert "rollback" in calls
        assert (await store.accounts.org(org.id)).name == "Acme"
        await asyncio.wait_for(store.accounts.create_org("Gamma"), 5)  # the write lock was let go
    finally:
        await store.close()
