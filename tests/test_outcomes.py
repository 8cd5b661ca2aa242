"""Hiring outcomes: recorded one at a time or from a CSV file (checked whole: one wrong row and nothing is stored),
listed as an audited read, kept through the schema's migrations; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone

import aiohttp
import pytest
from sqlalchemy import inspect, text

from server.http.auth import hash_password
from server.storage.migrate import move_schema
from server.storage.outcomes import OutcomeWrite
from server.storage.store import Store
from tests.harness import running_server
from tests.old_schema import insert_first_schema_interview

pytestmark = pytest.mark.unit


def csv_form(content: bytes, name: str = "outcomes.csv") -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", content, filename=name, content_type="text/csv")
    return form


async def test_outcomes_one_at_a_time_and_from_csv(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        store = h.ctx.store
        ids = {}
        for name in ("Ann", "Bo", "Cy", "Di", "Ed"):
            iv_id, _ = await h.create_interview(name)
            ids[name] = (iv_id, (await store.interviews.get(iv_id)).candidate_id)
        await store.interviews.update(ids["Di"][0], status="finished")
        # Di's e-mail, for the CSV to name her by
        async with store.db.transaction() as s:
            await s.execute(text("UPDATE candidates SET email = 'di@x.test' WHERE id = :c"), {"c": ids["Di"][1]})
        today = datetime.now(timezone.utc).date()
        async with h.hr_client() as hr:
            url = f"/api/v1/interviews/{ids['Ann'][0]}/outcome"
            for bad, code in (({"decision": "advanced", "performance": {"rating": 4, "months": 6}},
                               "performance_without_hire"),
                              ({"decision": "hired", "performance": {"rating": 4, "months": 6,
                                                                      "rated_on": str(today + timedelta(days=2))}},
                               "future_date"),
                              ({"decision": "hired", "performance": {"rating": 6, "months": 6}}, "invalid_request"),
                              ({"decision": "promoted"}, "invalid_request")):
                async with hr.put(url, json=bad) as r:
                    assert r.status == 422 and (await r.json())["error"]["code"] == code, bad
            async with hr.put(url, json={"decision": "hired"}) as r:
                assert r.status == 200, await r.text()
                first = await r.json()
            assert (first["decision"], first["performance"], first["interview_id"], first["source"]) == (
                "hired", None, ids["Ann"][0], "api")
            async with hr.put(url, json={"decision": "hired", "performance": {"rating": 4.5, "months": 6}}) as r:
                rated = await r.json()
            assert rated["performance"] == {"rating": 4.5, "months": 6, "rated_on": today.isoformat()}
            assert rated["decided_at"] == first["decided_at"]  # the same decision: only the rating was added
            async with hr.put(f"/api/v1/interviews/{ids['Bo'][0]}/outcome", json={"decision": "rejected"}) as r:
                assert r.status == 200
            async with hr.delete(f"/api/v1/interviews/{ids['Bo'][0]}/outcome") as r:
                assert r.status == 204
            assert await store.outcomes.get(h.job_id, ids["Bo"][1]) is None

            # a CSV with mistakes: every problem is listed, nothing is stored
            bad_csv = (
                "interview_id,candidate_id,email,decision,performance_rating,performance_months,performance_date\n"
                f"{ids['Bo'][0]},,,hired,3,12,2020-02-30\n"          # row 2: no such date
                "nope,,,advanced,,,\n"                              # row 3: unknown interview
                ",,di@x.test,rejected,4,6,\n"                       # row 4: a rating without a hire
                f",{ids['Cy'][1]},,maybe,,,\n"                      # row 5: no such decision
                f"{ids['Cy'][0]},{ids['Ann'][1]},,hired,,,\n"       # row 6: interview and candidate disagree
                ",,nobody@x.test,hired,,,\n"                        # row 7: unknown e-mail
                f",{ids['Ed'][1]},,hired,4,,\n"                     # row 8: a rating without its months
                f",{ids['Ann'][1]},,hired,5,3,\n"                   # (fine)
                f"{ids['Ann'][0]},,,hired,5,3,\n"                   # row 10: Ann again
            ).encode()
            async with hr.post(f"/api/v1/jobs/{h.job_id}/outcomes/import", data=csv_form(bad_csv)) as r:
                assert r.status == 422
                err = (await r.json())["error"]
            assert err["code"] == "invalid_rows" and "nothing was stored" in err["message"]
            got = {(d["row"], d["code"]) for d in err["details"]}
            assert got == {(2, "invalid_date"), (3, "unknown_interview"), (4, "performance_without_hire"),
                           (5, "invalid_decision"), (6, "mismatch"), (7, "unknown_candidate"), (8, "invalid_months"),
                           (10, "duplicate_row")}
            assert {o.candidate_id for o, _ in await store.outcomes.for_jobs([h.job_id])} == {ids["Ann"][1]}

            # the corrected file, in Chinese headers with semicolons as European Excel writes them: all rows stored
            good = ("面试编号;候选人编号;邮箱;结果;绩效评分;绩效月数;绩效日期\n"
                    f"{ids['Bo'][0]};;;录用;3;12;2026-02-27\n"
                    ";;DI@x.test;淘汰;;;\n"
                    f";{ids['Cy'][1]};;hired;;;\n"
                    f";{ids['Ann'][1]};;hired;2;12;\n").encode("gb18030")
            async with hr.post(f"/api/v1/jobs/{h.job_id}/outcomes/import", data=csv_form(good)) as r:
                assert r.status == 200, await r.text()
                assert await r.json() == {"rows": 4, "created": 3, "updated": 1}
            async with hr.get(f"/api/v1/jobs/{h.job_id}/outcomes") as r:
                listed = {o["candidate_name"]: o for o in (await r.json())["outcomes"]}
            assert {n: o["decision"] for n, o in listed.items()} == {"Ann": "hired", "Bo": "hired", "Cy": "hired",
                                                                      "Di": "rejected"}
            assert listed["Bo"]["performance"] == {"rating": 3.0, "months": 12, "rated_on": "2026-02-27"}
            assert listed["Ann"]["performance"]["rating"] == 2.0 and listed["Ann"]["source"] == "csv"
            # Cy was named by candidate id: the outcome follows their interview for the job; Di's finished one
            assert (listed["Cy"]["interview_id"], listed["Di"]["interview_id"]) == (ids["Cy"][0], ids["Di"][0])

            # whole-file problems: no header, no file, not multipart, too many rows
            async with hr.post(f"/api/v1/jobs/{h.job_id}/outcomes/import",
                               data=csv_form(b"name,score\nAnn,3\n")) as r:
                assert r.status == 422 and (await r.json())["error"]["code"] == "invalid_csv"
            async with hr.post(f"/api/v1/jobs/{h.job_id}/outcomes/import", json={}) as r:
                assert r.status == 415
        reads = await store.audit.reads(h.org_id)
        assert any(r.action == "outcomes.read" for r in reads)
        # erasing a candidate erases their outcome with them
        assert isinstance(await store.retention.erase_candidate(ids["Di"][1], "erasure_request",
                                                                datetime.now(timezone.utc)), dict)
        assert await store.outcomes.get(h.job_id, ids["Di"][1]) is None


async def test_outcome_writes_and_removals_at_once_each_get_their_answer(db_url, tmp_path):
    """Two people (or a double click and an undo) record and remove the same candidate's outcome at the same
    moment: each write answers with what it stored and each removal with 204, never a server error, and the
    outcome left is one of them."""
    async with running_server(db_url, tmp_path) as h:
        iv_id, _ = await h.create_interview("Ann")
        url = f"/api/v1/interviews/{iv_id}/outcome"
        async with h.hr_client() as hr:
            async def put(decision: str) -> tuple[str, int, dict | str]:
                async with hr.put(url, json={"decision": decision}) as r:
                    return decision, r.status, (await r.json()) if r.status == 200 else await r.text()

            async def remove() -> tuple[str, int, str]:
                async with hr.delete(url) as r:
                    return "delete", r.status, await r.text()

            decisions = ("advanced", "hired", "rejected")
            for _ in range(4):
                results = await asyncio.gather(*(call for i in range(12) for call in (
                    put(decisions[i % 3]), remove())))
                for kind, status, body in results:
                    if kind == "delete":
                        assert status == 204, body
                    else:
                        assert status == 200, body
                        assert body["decision"] == kind
            async with hr.put(url, json={"decision": "hired"}) as r:
                assert r.status == 200 and (await r.json())["decision"] == "hired"
        iv = await h.ctx.store.interviews.get(iv_id)
        assert (await h.ctx.store.outcomes.get(iv.job_id, iv.candidate_id)).decision == "hired"


async def test_too_many_rows_and_a_too_large_file_are_refused_whole(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path, outcome_csv_max_rows=2, outcome_csv_max_bytes=2048) as h:
        iv_id, _ = await h.create_interview("Ann")
        async with h.hr_client() as hr:
            rows = "interview_id,decision\n" + f"{iv_id},hired\n" * 3
            async with hr.post(f"/api/v1/jobs/{h.job_id}/outcomes/import", data=csv_form(rows.encode())) as r:
                assert r.status == 413 and (await r.json())["error"]["code"] == "too_many_rows"
            big = ("interview_id,decision\n" + "x" * 4000).encode()
            async with hr.post(f"/api/v1/jobs/{h.job_id}/outcomes/import", data=csv_form(big)) as r:
                assert r.status == 413 and (await r.json())["error"]["code"] == "upload_too_large"
        assert await h.ctx.store.outcomes.for_jobs([h.job_id]) == []


async def test_a_hiring_manager_records_outcomes_an_observer_cannot(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        store = h.ctx.store
        iv_id, _ = await h.create_interview("Ann")
        pw = hash_password("another password 1")
        manager = await store.accounts.create_user(h.org_id, "mgr@acme.test", pw, role="hiring_manager")
        await store.assignments.assign_job(h.org_id, h.job_id, manager.id, None)
        watcher = await store.accounts.create_user(h.org_id, "obs@acme.test", pw, role="observer")
        await store.assignments.invite_observer(h.org_id, iv_id, watcher.id, None)
        async with h.hr_client("mgr@acme.test", "another password 1") as mgr:
            async with mgr.put(f"/api/v1/interviews/{iv_id}/outcome", json={"decision": "advanced"}) as r:
                assert r.status == 200 and (await r.json())["decided_by"] == manager.id
        async with h.hr_client("obs@acme.test", "another password 1") as obs:
            async with obs.put(f"/api/v1/interviews/{iv_id}/outcome", json={"decision": "rejected"}) as r:
                assert r.status == 403
        assert (await store.outcomes.get(h.job_id, (await store.interviews.get(iv_id)).candidate_id)).decision == \
            "advanced"


async def test_outcome_tables_migrate_up_and_down(db_url):
    """0015 adds the outcome tables to a database of the previous schema, keeps its rows, and goes back cleanly."""
    store = Store(db_url)
    try:
        await move_schema(store.db.engine, "0013")
        async with store.db.engine.begin() as conn:
            await insert_first_schema_interview(conn, datetime(2026, 1, 1, tzinfo=timezone.utc), "finished")
        await store.migrate()
        await store.outcomes.save("o", "j", [OutcomeWrite("c", "i", "hired", 4.0, 6, date(2026, 7, 1))], None, "api",
                                  datetime(2026, 7, 2, tzinfo=timezone.utc))
        row = await store.outcomes.get("j", "c")
        assert (row.decision, row.performance_rating, row.performance_date) == ("hired", 4.0, date(2026, 7, 1))
        await move_schema(store.db.engine, "0013", down=True)
        async with store.db.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert "candidate_outcomes" not in tables and "competency_weight_decisions" not in tables
        async with store.db.engine.connect() as conn:  # the 0013 schema: read with SQL, not today's model
            status = (await conn.execute(text("SELECT status FROM interviews WHERE id = 'i'"))).scalar()
        assert status == "finished"
        await store.migrate()
        assert await store.outcomes.get("j", "c") is None
    finally:
        await store.close()
