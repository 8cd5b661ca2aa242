"""Audit log of personal-data reads: every read of candidates' data is recorded, admins can read the log, and a
read that cannot be recorded is refused (BRIEF section 4)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from sqlalchemy import delete, text

from server.http.auth import hash_password
from server.storage.models import PersonalDataRead, utcnow
from server.storage.store import Store
from tests.harness import HR_EMAIL, running_server

pytestmark = pytest.mark.unit

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@acme.test", "admin-pw-123"


async def _admin(h) -> None:
    await h.ctx.store.accounts.create_user(h.org_id, ADMIN_EMAIL, hash_password(ADMIN_PASSWORD), role="admin")


async def _log(h, include_log_reads: bool = False, **query) -> dict:
    """The access log as the admin reads it (without the admin's own earlier reads of it, unless asked)."""
    async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
        async with admin.get("/api/v1/audit/reads", params={k: str(v) for k, v in query.items()}) as r:
            assert r.status == 200, await r.text()
            page = await r.json()
    if not include_log_reads:
        page["reads"] = [x for x in page["reads"] if x["action"] != "audit.read"]
    return page


async def _candidate_id(h, interview_id: str) -> str:
    return (await h.ctx.store.interviews.get(interview_id)).candidate_id


async def test_reads_of_candidate_data_are_logged_and_admins_can_read_the_log(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        await _admin(h)
        ada_iv, _ = await h.create_interview("Ada")
        bo_iv, _ = await h.create_interview("Bo")
        ada, bo = await _candidate_id(h, ada_iv), await _candidate_id(h, bo_iv)
        assert (await _log(h))["reads"] == []  # creating interviews is not a read

        async with h.hr_client() as hr:
            for path in (f"/api/v1/interviews/{ada_iv}", f"/api/v1/interviews/{ada_iv}/report",
                         f"/api/v1/interviews/{ada_iv}/report.pdf", "/api/v1/interviews",
                         f"/api/v1/interviews/{ada_iv}/invitations", f"/api/v1/interviews/{ada_iv}/schedule",
                         f"/api/v1/jobs/{h.job_id}/schedule"):
                async with hr.get(path) as r:
                    assert r.status == 200, (path, await r.text())
            for _ in range(3):  # the HR page re-reads: one row, counted
                async with hr.get(f"/api/v1/interviews/{ada_iv}") as r:
                    assert r.status == 200
            ws = await hr.ws_connect(f"/ws/v1/interviews/{bo_iv}/observe")
            assert (await ws.receive_json())["type"] == "snapshot"
            await ws.close()
            # HR users are not admins: the log is not theirs to read
            async with hr.get("/api/v1/audit/reads") as r:
                assert r.status == 403 and (await r.json())["error"]["code"] == "forbidden"
            # a read that fails shows nothing and records nothing
            async with hr.get("/api/v1/interviews/" + "0" * 32) as r:
                assert r.status == 404

        reads = (await _log(h))["reads"]
        by_action = {r["action"]: r for r in reads}
        assert sorted(by_action) == sorted([
            "interview.read", "report.read", "report.download", "interviews.list", "invitations.read",
            "schedule.read", "job_schedule.read", "interview.observe"])
        assert len(reads) == 8
        detail = by_action["interview.read"]
        assert detail["count"] == 4 and detail["actor_email"] == HR_EMAIL
        assert detail["subject_kind"] == "interview" and detail["subject_id"] == ada_iv
        assert detail["candidates"] == [{"id": ada, "name": "Ada"}] and detail["ip"] == "127.0.0.1"
        assert detail["first_at"] <= detail["last_at"]
        listing = by_action["interviews.list"]
        assert listing["candidates_total"] == 2 and {c["name"] for c in listing["candidates"]} == {"Ada", "Bo"}
        assert by_action["interview.observe"]["candidates"] == [{"id": bo, "name": "Bo"}]
        assert by_action["report.download"]["what"].endswith("PDF")

        # who has seen Bo's data: the list, the job's bookings and the live panel, nothing read about Ada alone
        bo_reads = (await _log(h, candidate_id=bo))["reads"]
        assert sorted(r["action"] for r in bo_reads) == ["interview.observe", "interviews.list", "job_schedule.read"]
        assert all(r["candidates"][0]["id"] == bo for r in bo_reads)  # the candidate asked about comes first

        # reading the log, which names candidates, is itself a logged read
        own = [r for r in (await _log(h, include_log_reads=True))["reads"] if r["action"] == "audit.read"]
        assert own and own[0]["actor_email"] == ADMIN_EMAIL and own[0]["count"] >= 2

        # another organisation's admin sees none of it
        other = await h.ctx.store.accounts.create_org("Other Co")
        await h.ctx.store.accounts.create_user(other.id, "admin@other.test", hash_password("pw-other-123"), role="admin")
        async with h.hr_client("admin@other.test", "pw-other-123") as them:
            async with them.get("/api/v1/audit/reads") as r:
                assert (await r.json())["reads"] == []


async def test_a_list_read_again_adds_newly_shown_candidates_to_its_row(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        await _admin(h)
        await h.create_interview("Ada")
        async with h.hr_client() as hr:
            async with hr.get("/api/v1/interviews"):
                pass
            cy_iv, _ = await h.create_interview("Cy")
            async with hr.get("/api/v1/interviews"):
                pass
        [row] = (await _log(h))["reads"]
        assert row["action"] == "interviews.list" and row["count"] == 2 and row["candidates_total"] == 2
        cy_reads = (await _log(h, candidate_id=await _candidate_id(h, cy_iv)))["reads"]
        assert [r["id"] for r in cy_reads] == [row["id"]]


async def test_simultaneous_reads_are_all_counted(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        await _admin(h)
        iv, _ = await h.create_interview("Ada")
        async with h.hr_client() as hr:
            async def read():
                async with hr.get(f"/api/v1/interviews/{iv}") as r:
                    return r.status
            assert await asyncio.gather(*(read() for _ in range(8))) == [200] * 8
        rows = [r for r in (await _log(h))["reads"] if r["action"] == "interview.read"]
        assert sum(r["count"] for r in rows) == 8  # one row or a few, but no read lost


async def test_every_read_its_own_row_pages_without_gaps(db_url, tmp_path):
    async with running_server(db_url, tmp_path, audit_coalesce_s=0) as h:
        await _admin(h)
        iv, _ = await h.create_interview("Ada")
        async with h.hr_client() as hr:
            for _ in range(5):
                async with hr.get(f"/api/v1/interviews/{iv}") as r:
                    assert r.status == 200
        seen, before = [], None
        for _ in range(4):
            page = await _log(h, limit=2, **({"before": before} if before else {}))
            seen += page["reads"]
            before = page["next_before"]
            if before is None:
                break
        assert len(seen) == 5 and len({r["id"] for r in seen}) == 5 and all(r["count"] == 1 for r in seen)
        assert [r["last_at"] for r in seen] == sorted((r["last_at"] for r in seen), reverse=True)
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            for bad in ({"limit": "0"}, {"limit": "x"}, {"before": "yesterday"}):
                async with admin.get("/api/v1/audit/reads", params=bad) as r:
                    assert r.status == 400 and (await r.json())["error"]["code"] == "bad_query", bad


async def test_a_read_that_cannot_be_audited_is_refused(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        iv, _ = await h.create_interview("Ada Lovelace")
        async with h.ctx.store.db.engine.begin() as conn:  # the audit table is gone (a broken migration, a full disk…)
            await conn.execute(text("DROP TABLE personal_data_read_candidates"))
        async with h.hr_client() as hr:
            for path in (f"/api/v1/interviews/{iv}", "/api/v1/interviews", f"/api/v1/interviews/{iv}/report",
                         f"/api/v1/interviews/{iv}/report.pdf", f"/api/v1/interviews/{iv}/invitations",
                         f"/api/v1/interviews/{iv}/schedule", f"/api/v1/jobs/{h.job_id}/schedule"):
                async with hr.get(path) as r:
                    body = await r.text()
                    assert r.status == 503, (path, body)
                    assert "audit_unavailable" in body and "Ada Lovelace" not in body and "Traceback" not in body
            with pytest.raises(aiohttp.WSServerHandshakeError) as exc:
                await hr.ws_connect(f"/ws/v1/interviews/{iv}/observe")
            assert exc.value.status == 503
        await _admin(h)
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin, admin.get("/api/v1/candidates") as r:
            body = await r.text()
            assert r.status == 503 and "audit_unavailable" in body and "Ada Lovelace" not in body


async def test_import_results_and_resume_ranking_are_logged_with_the_candidates_they_show(db_url, tmp_path):
    from tests.test_imports import finished, start

    csv = "name,email,resume\nMia Wong,mia@example.com,Python and Kubernetes for five years\n" \
          "Leo Diaz,leo@example.com,Sales manager\n"
    async with running_server(db_url, tmp_path) as h:
        await _admin(h)
        job = await h.ctx.store.jobs.create(h.org_id, "Backend engineer", "Requirements:\n- 3+ years of Python\n"
                                            "- Kubernetes", "en", [{"text": "Tell me about a system you built."}],
                                            member_id=h.hr_user_id)
        h.job_id = job.id
        async with h.hr_client() as hr:
            run = await finished(hr, (await start(hr, h.job_id, ("people.csv", csv.encode(), "text/csv")))["id"])
            created = {i["name"]: i["candidate_id"] for i in run["items"]}
            assert set(created) == {"Mia Wong", "Leo Diaz"}
            async with hr.get(f"/api/v1/jobs/{h.job_id}/matches") as r:
                assert r.status == 200 and len((await r.json())["matches"]) == 2
            async with hr.get(f"/api/v1/jobs/{h.job_id}/requirements") as r:
                requirement = (await r.json())["requirements"][0]["id"]
            async with hr.post(f"/api/v1/jobs/{h.job_id}/matches/{created['Leo Diaz']}/overrides",
                               json={"requirement_id": requirement, "status": "met", "note": "checked"}) as r:
                assert r.status == 200, await r.text()
        by_action = {r["action"]: r for r in (await _log(h))["reads"]}
        # the progress polls while the import ran count on one row, which holds everyone the results named
        imported = by_action["import.read"]
        assert imported["subject_id"] == run["id"] and imported["count"] >= 1
        assert {c["id"] for c in imported["candidates"]} == set(created.values())
        ranked = by_action["matches.read"]
        assert ranked["subject_kind"] == "job" and ranked["subject_id"] == h.job_id
        assert {c["name"] for c in ranked["candidates"]} == {"Mia Wong", "Leo Diaz"}
        assert by_action["match.override"]["candidates"] == [{"id": created["Leo Diaz"], "name": "Leo Diaz"}]


async def test_reads_written_together_are_each_recorded_or_refused(db_url):
    """Group commit (storage/audit_log.py): reads that arrive together are written in one transaction, and each
    caller returns only once its own read is committed. A read that cannot be written is refused alone; a log
    that cannot be written refuses every waiting read; a repeat never counts on a row that is gone."""
    store = Store(db_url)
    await store.migrate()
    try:
        org = await store.accounts.create_org("Acme")
        user = await store.accounts.create_user(org.id, "hr@acme.test", "x")
        now = utcnow()

        def read(n: int, org_id: str = org.id, subject: str = "list"):
            return store.audit.record_read(org_id, user.id, user.email, "interviews.list", "org", subject,
                                           [f"cand-{n}"], "10.0.0.1", now, 900)

        results = await asyncio.gather(*(read(n) for n in range(20)), read(99, org_id="no-such-org"),
                                       return_exceptions=True)
        assert isinstance(results[-1], Exception)  # its organisation does not exist: refused, and only it
        assert not any(isinstance(r, Exception) for r in results[:-1]) and len(set(results[:-1])) == 1
        [row] = await store.audit.reads(org.id)
        assert (row.count, row.candidates_total) == (20, 20)

        async with store.db.transaction() as s:  # the row goes behind this process's back
            await s.execute(delete(PersonalDataRead))
        again = await read(1)
        [row] = await store.audit.reads(org.id)
        assert (row.id, row.count, row.candidates_total) == (again, 1, 1)  # a new row: the read is not lost

        async with store.db.engine.begin() as conn:
            await conn.execute(text("DROP TABLE personal_data_read_candidates"))
        results = await asyncio.gather(*(read(n, subject=f"job-{n}") for n in range(5)), return_exceptions=True)
        assert all(isinstance(r, Exception) for r in results)
    finally:
        await store.close()


async def test_whether_a_user_has_opened_a_report_is_known_from_the_log(sqlite_url, tmp_path):
    """The HR page's first-run checklist ticks "Read the report" from the server, whatever browser opened it."""
    async with running_server(sqlite_url, tmp_path) as h:
        await _admin(h)
        iv, _ = await h.create_interview("Ada")

        async def report_read(client) -> bool:
            async with client.get("/api/v1/auth/me/report-read") as r:
                assert r.status == 200, await r.text()
                return (await r.json())["report_read"]

        async with h.hr_client() as hr, h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            async with hr.get(f"/api/v1/interviews/{iv}") as r:  # the transcript is not the report
                assert r.status == 200
            assert not await report_read(hr)
            async with hr.get(f"/api/v1/interviews/{iv}/report") as r:
                assert r.status == 200
            assert await report_read(hr)
            assert not await report_read(admin)  # someone else's read is not theirs
            async with admin.get(f"/api/v1/interviews/{iv}/report.pdf") as r:
                assert r.status == 200
            assert await report_read(admin)
        async with aiohttp.ClientSession(h.base_url) as anon, anon.get("/api/v1/auth/me/report-read") as r:
            assert r.status == 401
