"""The data model on SQLite and PostgreSQL: migrations, interviews, turns, transcript, consents, events."""

from __future__ import annotations

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
        user = await store.accounts.create_user(org.id, "HR@Acme.test", hash_password("pw"), role="hr")
        assert (await store.accounts.user_by_email("hr@acme.test")).id == user.id
        assert verify_password(user.password_hash, "pw") and not verify_password(user.password_hash, "nope")
        job = await store.jobs.create(org.id, "Engineer", "", "en", [{"text": "Q1"}, {"text": "Q2", "time_limit_s": 60}])
        iv = await store.interviews.create(org.id, job.id, "Lin Wei", "lin@example.com", "en")
        questions = await store.jobs.plan_questions(iv.plan_id)
        assert [q.text for q in questions] == ["Q1", "Q2"] and questions[1].time_limit_s == 60

        await store.interviews.record_consents(iv, [("ai_evaluation", "v1", True, "t"), ("recording", "v1", False, "t")],
                                    "127.0.0.1", "pytest")
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

    from alembic import command
    from sqlalchemy import text

    from server.storage.migrate import alembic_config

    store = Store(db_url)
    try:
        def to_first(conn):
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")

        async with store.db.engine.begin() as conn:
            await conn.run_sync(to_first)
            now = datetime(2026, 1, 1, tzinfo=timezone.utc)
            await conn.execute(text("INSERT INTO organizations (id, name, region, created_at) VALUES ('o', 'O', 'CN', :n)"), {"n": now})
            await conn.execute(text("INSERT INTO jobs (id, org_id, title, description, language, created_at) "
                                    "VALUES ('j', 'o', 'T', '', 'en', :n)"), {"n": now})
            await conn.execute(text("INSERT INTO question_plans (id, job_id, version, language, created_at) "
                                    "VALUES ('p', 'j', 1, 'en', :n)"), {"n": now})
            await conn.execute(text("INSERT INTO candidates (id, org_id, name, email, created_at) "
                                    "VALUES ('c', 'o', 'C', '', :n)"), {"n": now})
            await conn.execute(text(
                "INSERT INTO interviews (id, org_id, job_id, candidate_id, plan_id, language, status, link_nonce, "
                "question_index, asr_model, created_at) VALUES ('i', 'o', 'j', 'c', 'p', 'en', 'live', 'n', 0, '', :n)"),
                {"n": now})
            await conn.execute(text("INSERT INTO turns (id, interview_id, \"index\", question_index, kind, "
                                    "question_text, answer_text, asked_at, end_reason) "
                                    "VALUES ('t', 'i', 0, 0, 'question', 'Q?', 'A.', :n, 'silence')"), {"n": now})
        await store.migrate()
        turns = await store.records.turns("i")
        assert [(t.question_text, t.answer_text, t.trigger, t.reason) for t in turns] == [("Q?", "A.", "", "")]
        assert (await store.interviews.get("i")).review_requested_at is None
    finally:
        await store.close()
