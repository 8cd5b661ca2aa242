"""Retention with automatic hard deletion, legal hold and erasure on request (BRIEF section 4)."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import pypdf
import pytest
from sqlalchemy import func, select, update

from server.http.auth import hash_password
from server.storage.models import (Candidate, CandidateImportItem, Event, Interview, JobSlot, Resume,
                                   TranscriptSegment, utcnow)
from tests.harness import running_server, until

pytestmark = pytest.mark.unit

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@acme.test", "admin-pw-123"


async def _start_up_sweep_over(h) -> None:
    """Each server runs the current period's sweep as it starts (a queued job); a test that then runs one by hand
    waits for it first, else the two race for the same rows."""
    spec = next(p for p in h.ctx.worker.periodic if p.kind == "retention.sweep")

    async def over() -> bool:
        job = await h.ctx.store.background.by_key(spec.key(spec.period(h.ctx.clock())))
        return job is not None and job.state in ("done", "failed")
    await until(over, what="the start-up retention sweep")


async def _admin(h) -> None:
    await h.ctx.store.accounts.create_user(h.org_id, ADMIN_EMAIL, hash_password(ADMIN_PASSWORD), role="admin")


async def _finished_interview(h, name: str, ended_days_ago: float) -> tuple[str, str]:
    """An interview with a transcript, an answer, a scored answer with a quote and a timeline, ended some days ago;
    returns (interview id, candidate id)."""
    store = h.ctx.store
    iv = await store.interviews.create(h.org_id, h.job_id, name, f"{name.lower()}@example.com", "en")
    q = (await store.jobs.plan_questions(iv.plan_id))[0]
    await store.records.add_turn(iv.id, 0, 0, q.id, "question", q.text)
    await store.records.add_segment(iv.id, 0, f"I am {name} and I cut costs by half", 100, 2000, [], "whisper", "c1")
    await store.records.end_turn(iv.id, 0, f"I am {name} and I cut costs by half", "silence")
    await store.records.add_turn(iv.id, 1, 0, q.id, "followup", 'You said "I cut costs by half". How did you measure it?',
                                 "missing_numbers", 'The answer says "cut costs by half" without a baseline.')
    await store.records.add_event(iv.id, "flag.raised", {"type": "flag.raised", "kind": "looking_away", "since_ms": 500,
                                                         "analyzer": "face"})
    await store.records.add_score(iv.id, 0, 0, "ownership", 4.0, 0.8, "strong",
                                  [{"quote": "I cut costs by half", "feature": "result"}], [])
    ended = utcnow() - timedelta(days=ended_days_ago)
    await store.interviews.update(iv.id, status="finished", started_at=ended - timedelta(minutes=20), ended_at=ended)
    async with store.db.sessions.begin() as s:  # it was created before it ended
        await s.execute(update(Interview).where(Interview.id == iv.id)
                        .values(created_at=ended - timedelta(minutes=30)))
        await s.execute(update(Candidate).where(Candidate.id == iv.candidate_id)
                        .values(created_at=ended - timedelta(minutes=30)))
    return iv.id, iv.candidate_id


async def _count(h, model, *where) -> int:
    async with h.ctx.store.db.sessions() as s:
        return int((await s.execute(select(func.count()).select_from(model).where(*where))).scalar_one())


async def test_periods_are_the_defaults_until_an_admin_sets_them(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        await _admin(h)
        async with h.hr_client() as hr:
            async with hr.get("/api/v1/retention") as r:
                assert await r.json() == {"interview_content_days": 90, "candidate_days": 365, "is_default": True}
            async with hr.put("/api/v1/retention", json={"interview_content_days": 30, "candidate_days": 200}) as r:
                assert r.status == 403
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            for bad in ({"interview_content_days": 0, "candidate_days": 200},
                        {"interview_content_days": 30, "candidate_days": 5000}, {"candidate_days": 200},
                        {"interview_content_days": 30, "candidate_days": 200, "media_days": 1}):
                async with admin.put("/api/v1/retention", json=bad) as r:
                    assert r.status == 422, bad
            async with admin.put("/api/v1/retention", json={"interview_content_days": 30, "candidate_days": 200}) as r:
                assert await r.json() == {"interview_content_days": 30, "candidate_days": 200, "is_default": False}
        async with h.hr_client() as hr:
            async with hr.get("/api/v1/retention") as r:
                assert (await r.json())["interview_content_days"] == 30


async def test_interview_content_is_deleted_after_its_period_scores_stay_and_the_report_says_so(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        await _admin(h)
        await _start_up_sweep_over(h)
        old_iv, _ = await _finished_interview(h, "Ada", ended_days_ago=100)
        new_iv, _ = await _finished_interview(h, "Bo", ended_days_ago=10)
        held_iv, held = await _finished_interview(h, "Cy", ended_days_ago=100)
        unstarted = await h.ctx.store.interviews.create(h.org_id, h.job_id, "Di", "", "en")  # invited, never came
        async with h.ctx.store.db.sessions.begin() as s:
            await s.execute(update(Interview).where(Interview.id == unstarted.id)
                            .values(created_at=utcnow() - timedelta(days=200)))
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            async with admin.put(f"/api/v1/candidates/{held}/legal-hold", json={"hold": True}) as r:
                assert r.status == 422 and (await r.json())["error"]["code"] == "reason_required"
            async with admin.put(f"/api/v1/candidates/{held}/legal-hold",
                                 json={"hold": True, "reason": "Case 2026-17"}) as r:
                held_out = await r.json()
            assert held_out["legal_hold"] is True and held_out["reason"] == "Case 2026-17"
            async with admin.post("/api/v1/retention/run") as r:
                assert await r.json() == {"interviews_content_deleted": 1, "candidates_deleted": 0,
                                          "import_results_deleted": 0}
            async with admin.post("/api/v1/retention/run") as r:  # nothing is deleted twice
                assert (await r.json())["interviews_content_deleted"] == 0

            async with admin.get(f"/api/v1/interviews/{old_iv}") as r:
                old = await r.json()
            assert old["transcript"] == [] and old["events"] == [] and old["content_deleted_at"]
            assert [t["answer"] for t in old["turns"]] == ["", ""] and old["candidate"]["name"] == "Ada"
            assert "cut costs" not in str(old["turns"])  # the follow-up quoted the candidate
            async with admin.get(f"/api/v1/interviews/{old_iv}/report") as r:
                report = await r.json()
            assert [c["ai_score"] for c in report["competencies"] if c["competency"] == "ownership"] == [4.0]
            assert report["answers"][0]["scores"][0]["evidence"] == [] and report["flags"] == []
            assert "retention policy" in report["content_deleted"] and "cut costs" not in str(report)
            async with admin.get(f"/api/v1/interviews/{old_iv}/report.pdf") as r:
                pdf = await r.read()
            text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
            assert "retention policy" in " ".join(text.split()) and "cut costs" not in text
            # nothing to delete in an interview that never started (it may still take place: no mark either)
            assert (await h.ctx.store.interviews.get(unstarted.id)).content_deleted_at is None
            for kept in (new_iv, held_iv):  # too recent, or on legal hold
                async with admin.get(f"/api/v1/interviews/{kept}") as r:
                    d = await r.json()
                assert len(d["transcript"]) == 1 and d["turns"][0]["answer"] and d["content_deleted_at"] is None
                assert "cut costs" in d["turns"][1]["question"]

            async with admin.get("/api/v1/retention/deletions") as r:
                [log] = (await r.json())["deletions"]
            assert (log["reason"], log["scope"], log["interview_id"]) == ("retention", "interview_content", old_iv)
            assert log["counts"] == {"transcript_segments": 1, "timeline_events": 1, "answers": 1, "follow_ups": 1,
                                     "evidence_quotes": 1}
            assert "Ada" not in str(log) and "cut costs" not in str(log)


async def test_candidates_are_deleted_after_their_period_unless_on_legal_hold(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        await _admin(h)
        await _start_up_sweep_over(h)
        _, gone = await _finished_interview(h, "Old", ended_days_ago=400)
        old_iv, held = await _finished_interview(h, "Held", ended_days_ago=400)
        _, recent = await _finished_interview(h, "Recent", ended_days_ago=100)  # content goes, the person stays
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            async with admin.put(f"/api/v1/candidates/{held}/legal-hold", json={"hold": True, "reason": "audit"}):
                pass
            async with admin.get(f"/api/v1/interviews/{old_iv}"):  # an audited read of Held's data
                pass
            async with admin.post("/api/v1/retention/run") as r:  # Old's and Recent's content, then Old
                assert await r.json() == {"interviews_content_deleted": 2, "candidates_deleted": 1,
                                          "import_results_deleted": 0}
            assert await h.ctx.store.matching.candidate(gone) is None
            assert await _count(h, Interview, Interview.candidate_id == gone) == 0
            assert await h.ctx.store.matching.candidate(recent) is not None and await h.ctx.store.matching.candidate(held) is not None

            # lifting the hold lets the next sweep delete, and the access log keeps the read, without the name
            async with admin.put(f"/api/v1/candidates/{held}/legal-hold", json={"hold": False}) as r:
                assert (await r.json())["legal_hold"] is False
            async with admin.post("/api/v1/retention/run") as r:
                assert (await r.json())["candidates_deleted"] == 1
            assert await _count(h, TranscriptSegment, TranscriptSegment.interview_id == old_iv) == 0
            async with admin.get("/api/v1/audit/reads", params={"candidate_id": held}) as r:
                [read] = (await r.json())["reads"]
            assert read["action"] == "interview.read" and read["candidates"] == [{"id": held, "name": ""}]
            async with admin.get("/api/v1/retention/deletions") as r:
                scopes = [(d["scope"], d["candidate_id"]) for d in (await r.json())["deletions"]]
            assert ("candidate", gone) in scopes and ("candidate", held) in scopes


async def test_an_admin_erases_a_candidate_on_request(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        await _admin(h)
        iv, cand = await _finished_interview(h, "Dee", ended_days_ago=1)
        store = h.ctx.store
        uploaded, resume = await store.matching.add_resume(h.org_id, h.job_id, "Dee", "dee@example.com", "dee.txt",
                                                           "text/plain", 10, {"text": "Dee's resume"})
        _, [item] = await store.imports.create(h.org_id, h.job_id, None, "zip", "batch.zip", ["Dee Resume.txt"])
        async with store.db.sessions.begin() as s:  # the resume and the import result are Dee's
            await s.execute(update(Resume).where(Resume.id == resume.id).values(candidate_id=cand))
            await s.execute(update(CandidateImportItem).where(CandidateImportItem.id == item)
                            .values(status="created", candidate_id=cand, name="Dee"))
        start = utcnow() + timedelta(days=2)
        [slot] = await store.scheduling.add_slots(h.job_id, [(start, start + timedelta(minutes=30))], 1, None)
        async with store.db.sessions.begin() as s:  # Dee holds the slot's only seat for another interview
            await s.execute(update(JobSlot).where(JobSlot.id == slot.id).values(booked=1))
        booked = await store.interviews.create(h.org_id, h.job_id, "Dee", "dee@example.com", "en")
        async with store.db.sessions.begin() as s:
            await s.execute(update(Interview).where(Interview.id == booked.id).values(
                candidate_id=cand, slot_id=slot.id, schedule_status="booked", scheduled_at=start))

        async with h.hr_client() as hr:
            async with hr.delete(f"/api/v1/candidates/{cand}") as r:
                assert r.status == 403
        other = await store.accounts.create_org("Other Co")
        await store.accounts.create_user(other.id, "admin@other.test", hash_password("pw-other-123"), role="admin")
        async with h.hr_client("admin@other.test", "pw-other-123") as them:
            async with them.delete(f"/api/v1/candidates/{cand}") as r:
                assert r.status == 404
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            async with admin.get("/api/v1/candidates") as r:  # also those only uploaded, never interviewed
                listed = {c["id"] for c in (await r.json())["candidates"]}
            assert {cand, uploaded.id} <= listed
            async with admin.put(f"/api/v1/candidates/{cand}/legal-hold", json={"hold": True, "reason": "dispute"}):
                pass
            async with admin.delete(f"/api/v1/candidates/{cand}") as r:
                assert r.status == 409 and (await r.json())["error"]["code"] == "legal_hold"
            async with admin.put(f"/api/v1/candidates/{cand}/legal-hold", json={"hold": False}):
                pass
            await store.interviews.update(booked.id, status="live")
            async with admin.delete(f"/api/v1/candidates/{cand}") as r:
                assert r.status == 409 and (await r.json())["error"]["code"] == "interview_in_progress"
            await store.interviews.update(booked.id, status="created")
            assert await store.matching.candidate(cand) is not None  # nothing deleted by the refusals

            async with admin.delete(f"/api/v1/candidates/{cand}") as r:
                assert r.status == 200, await r.text()
                out = await r.json()
            assert out["deleted"] == {"interviews": 2, "resumes": 1, "transcript_segments": 1,
                                      "timeline_events": 1, "import_results": 1}
            async with admin.get(f"/api/v1/interviews/{iv}") as r:
                assert r.status == 404
            async with admin.delete(f"/api/v1/candidates/{cand}") as r:
                assert r.status == 404
            async with admin.get("/api/v1/retention/deletions") as r:
                [log] = (await r.json())["deletions"]
            assert (log["reason"], log["actor_email"], log["candidate_id"]) == ("erasure_request", ADMIN_EMAIL, cand)
        assert await _count(h, Resume, Resume.candidate_id == cand) == 0
        assert await _count(h, Event, Event.interview_id == iv) == 0
        async with store.db.sessions() as s:
            row = await s.get(CandidateImportItem, item)
            assert (row.name, row.filename, row.candidate_id) == ("", "(deleted)", None)
        assert (await store.scheduling.slot(slot.id)).booked == 0  # the seat is free for someone else


async def test_the_server_sweeps_by_itself(db_url, tmp_path):
    async with running_server(db_url, tmp_path, retention_sweep_s=0.2) as h:
        iv, _ = await _finished_interview(h, "Eve", ended_days_ago=89)
        await h.ctx.store.interviews.update(iv, status="finished")
        await asyncio.sleep(0.6)  # sweeps on today's clock delete nothing
        assert (await h.ctx.store.interviews.get(iv)).content_deleted_at is None
        h.ctx.clock = lambda: utcnow() + timedelta(days=2)  # two days on: past the 90 days

        async def deleted():
            return (await h.ctx.store.interviews.get(iv)).content_deleted_at is not None

        await until(deleted, timeout=10, what="the periodic sweep deleting the interview's content")
        assert await _count(h, TranscriptSegment, TranscriptSegment.interview_id == iv) == 0


async def test_a_sweep_ends_when_what_is_due_cannot_be_deleted_now(db_url, tmp_path, monkeypatch):
    from server.compliance import retention

    monkeypatch.setattr(retention, "BATCH", 1)  # a full batch each time: only the no-progress rule can end it
    async with running_server(db_url, tmp_path) as h:
        open_iv, _ = await _finished_interview(h, "Fay", ended_days_ago=100)
        h.ctx.live[open_iv] = None  # still open on this node (a rejoin may come): left for a later sweep
        try:
            done = await asyncio.wait_for(h.ctx.retention.sweep_org(h.org_id), timeout=10)
        finally:
            h.ctx.live.pop(open_iv)
        assert done["interviews_content_deleted"] == 0
        assert (await h.ctx.store.interviews.get(open_iv)).content_deleted_at is None
        assert (await h.ctx.retention.sweep_org(h.org_id))["interviews_content_deleted"] == 1
