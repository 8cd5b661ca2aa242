"""Scored interviews' reports written back to the HR system (server/reports/writeback.py) against the local DingTalk
(tests/fake_dingtalk.py) and a signed webhook receiver: the candidate's DingTalk recruiting record or a work notice to
the job's recruiters, rate limits retried in quick tries and in later rounds, nothing written twice on a re-run or
after a stop, a changed report as the next version, and the sync log HR reads, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from sqlalchemy import text

from server.http.auth import hash_password
from server.storage.migrate import move_schema
from server.storage.store import Store
from tests.fake_dingtalk import FakeDingTalk
from tests.harness import HR_PASSWORD, free_port, running_server, until
from tests.invitation_delivery import signed_webhook_receiver

pytestmark = pytest.mark.unit

SECRET = "report-webhook-secret-" + "k" * 16
BASE = "http://interview.example.com"  # links as HR would get them (http: the test logins need no TLS)


@pytest.fixture
async def fake():
    async with FakeDingTalk() as f:
        yield f


def _config(fake: FakeDingTalk | None, hook=None, **extra) -> dict:
    """Server settings: the local DingTalk, the webhook, a writer that runs only when the test says (tick)."""
    cfg = {"writeback_poll_s": 3600, "writeback_settle_s": 0, "writeback_retry_initial_s": 60,
           "writeback_retry_max_s": 600, "public_base_url": BASE}
    if fake is not None:
        cfg.update(fake.settings())
    if hook is not None:
        cfg.update(report_webhook_url=hook.url, report_webhook_secret=SECRET)
    return {**cfg, **extra}


async def _scored(h, name: str = "王芳", language: str = "zh", dingtalk_id: str | None = None,
                  job_id: str | None = None) -> str:
    """A finished interview with two scored competencies (leadership 4.0, results 3.0), stored as the live interview
    stores them; ``dingtalk_id``: its candidate came from a DingTalk import."""
    store = h.ctx.store
    job_id = job_id or h.job_id
    candidate_id = None
    if dingtalk_id:
        cand, outcome, _ = await store.external.upsert_resume(h.org_id, job_id, "dingtalk", dingtalk_id, name, "",
                                                              f"{dingtalk_id}.txt", "text/plain", 10, {"name": name})
        assert outcome == "created"
        candidate_id = cand.id
    iv = await store.interviews.create(h.org_id, job_id, name, "", language, candidate_id=candidate_id)
    await store.records.add_score(iv.id, 0, 0, "leadership", 4.0, 0.8, "level 4", [], [])
    await store.records.add_score(iv.id, 1, 1, "results", 3.0, 0.6, "level 3", [], ["the result is not measured"])
    now = datetime.now(timezone.utc)
    await store.interviews.update(iv.id, status="finished", started_at=now - timedelta(minutes=20), ended_at=now)
    return iv.id


async def _log(http, **query) -> list[dict]:
    r = await http.get("/api/v1/writeback", params={k: str(v) for k, v in query.items()})
    assert r.status == 200, await r.text()
    return (await r.json())["writebacks"]


def _by_target(rows: list[dict]) -> dict[str, dict]:
    return {r["target"]: r for r in rows}


async def _admin(h):
    """An admin of the harness's organisation, logged in."""
    await h.ctx.store.accounts.create_user(h.org_id, "admin@acme.test", hash_password(HR_PASSWORD), role="admin")
    return h.hr_client("admin@acme.test")


def _later(h, minutes: float):
    """Move the server's clock ``minutes`` ahead of the real one."""
    h.ctx.clock = lambda: datetime.now(timezone.utc) + timedelta(minutes=minutes)


# --- the two DingTalk paths ---------------------------------------------------------------------------------------
async def test_a_dingtalk_candidates_report_goes_to_their_recruiting_record_once(db_url, tmp_path, fake):
    async with signed_webhook_receiver(SECRET) as hook, \
            running_server(db_url, tmp_path, **_config(fake, hook)) as h:
        iv = await _scored(h, dingtalk_id="dt-cand-1")
        await h.ctx.writeback.tick()

        # DingTalk holds one record for the candidate: the summary, the scores, the overall score and the links
        assert len(fake.ats_pushes) == 1 and list(fake.ats_records) == [f"{iv}-v1"]
        record = fake.ats_records[f"{iv}-v1"]
        assert record["header"] == {"plugin_code": fake.ats_plugin_code, "schema_id": fake.ats_schema_id}
        content = record["content"]
        assert content["candidateId"] == "dt-cand-1" and content["reportVersion"] == 1
        assert content["overallScore"] == 3.5 and content["outOf"] == 5
        assert {c["name"]: c["score"] for c in content["competencies"]} == {"leadership": 4.0, "results": 3.0}
        assert "综合得分 3.5/5" in content["summary"] and "最强：leadership（4.0）" in content["summary"]
        assert content["reportUrl"] == f"{BASE}/reports/{iv}"
        assert content["pdfUrl"] == f"{BASE}/api/v1/interviews/{iv}/report.pdf"
        assert content["aiGenerated"] is True and "AI" in content["aiLabel"]
        assert fake.notices == []  # the record, not a work notice

        # the same event reached the webhook, signed (the receiver checked the signature itself)
        assert len(hook.received) == 1 and hook.received[0]["key"] == f"{iv}-v1"
        event = hook.received[0]["payload"]
        assert event["event"] == "interview.report" and event["interview_id"] == iv
        assert event["summary"] == content["summary"] and event["overall"]["score"] == 3.5
        assert event["candidate"]["name"] == "王芳" and event["report_version"] == 1

        async with h.hr_client() as http:
            rows = _by_target(await _log(http))
            assert set(rows) == {"dingtalk_record", "webhook"}
            for row in rows.values():
                assert (row["status"], row["attempts"], row["rounds"], row["last_error"]) == ("sent", 1, 1, "")
                assert row["interview_id"] == iv and row["candidate_name"] == "王芳" and row["sent_at"]
            assert rows["dingtalk_record"]["recipient"] == "dt-cand-1"
            assert rows["dingtalk_record"]["external_ref"] == record["data_id"]

            # the links work for HR
            for url in (event["report_url"], event["pdf_url"]):
                r = await http.get(urlsplit(url).path)
                assert r.status == 200, url
            assert (await http.get(urlsplit(event["pdf_url"]).path)).content_type == "application/pdf"

            # a re-run writes nothing twice: the writer again, and HR's "sync again"
            await h.ctx.writeback.tick()
            r = await http.post(f"/api/v1/interviews/{iv}/writeback")
            assert r.status == 202, await r.text()
            run = await r.json()
            assert (run["report_version"], run["queued"], run["requeued"]) == (1, 0, 0)
            await h.ctx.writeback.tick()
            assert len(fake.ats_pushes) == 1 and len(hook.received) == 1
            assert len(await _log(http)) == 2


async def test_an_uploaded_candidates_report_goes_to_the_jobs_recruiters_as_a_work_notice(sqlite_url, tmp_path, fake):
    async with running_server(sqlite_url, tmp_path, **_config(fake, dingtalk_operator_userid=None)) as h:
        store = h.ctx.store
        pw = hash_password(HR_PASSWORD)
        other = await store.accounts.create_user(h.org_id, "second@acme.test", pw, role="recruiter")
        manager = await store.accounts.create_user(h.org_id, "manager@acme.test", pw, role="hiring_manager")
        for user in (other, manager):
            await store.assignments.assign_job(h.org_id, h.job_id, user.id, None)

        # no recruiter has a DingTalk userid yet: nothing to send to, said in plain words
        first = await _scored(h, name="Li Lei", language="en")
        await h.ctx.writeback.tick()
        assert fake.notices == []
        async with h.hr_client() as http:
            (row,) = await _log(http, interview_id=first)
            assert (row["target"], row["status"], row["error_code"]) == ("dingtalk_notice", "failed", "no_recipient")
            assert "DingTalk userid" in row["last_error"] and "sync again" in row["last_error"]

        async with await _admin(h) as admin:
            for user_id, userid in ((h.hr_user_id, "ding-rec-1"), (manager.id, "ding-mgr-9")):
                r = await admin.put(f"/api/v1/users/{user_id}/dingtalk", json={"dingtalk_userid": userid})
                assert r.status == 200, await r.text()
            assert (await r.json())["dingtalk_userid"] == "ding-mgr-9"
            bad = await admin.put(f"/api/v1/users/{h.hr_user_id}/dingtalk", json={"dingtalk_userid": "a,b"})
            assert bad.status == 422
            team = {u["email"]: u["dingtalk_userid"] for u in (await (await admin.get("/api/v1/team")).json())["users"]}
            assert (team["hr@acme.test"], team["second@acme.test"]) == ("ding-rec-1", None)
        async with h.hr_client() as http:
            assert (await http.put(f"/api/v1/users/{h.hr_user_id}/dingtalk",
                                   json={"dingtalk_userid": "me"})).status == 403  # admins only

            # sync again: the failed notice goes out, to the recruiter with a userid (not the hiring manager)
            r = await http.post(f"/api/v1/interviews/{first}/writeback")
            assert r.status == 202 and (await r.json())["requeued"] == 1
            await until(lambda: len(fake.notices) == 1, what="the work notice")
            notice = fake.notices[0]
            assert notice["userid_list"] == "ding-rec-1" and notice["agent_id"] == fake.agent_id
            card = notice["msg"]["action_card"]
            assert card["title"] == "AI interview report: Li Lei, Engineer"
            assert card["single_url"] == f"{BASE}/reports/{first}" and card["single_title"] == "Open the report"
            assert "overall 3.5 of 5" in card["markdown"] and f"{BASE}/api/v1/interviews/{first}/report.pdf" in \
                card["markdown"]
            assert "AI-generated" in card["markdown"]
            row = (await until(lambda: _sent(http, first), what="the notice marked sent"))[0]
            assert row["recipient"] == "ding-rec-1" and row["external_ref"] == str(notice["task_id"])

            # the next interview's report goes out by itself, in the interview's language
            second = await _scored(h, name="张伟", language="zh")
            await h.ctx.writeback.tick()
            assert len(fake.notices) == 2 and fake.notices[1]["msg"]["action_card"]["single_title"] == "查看报告"
            assert fake.ats_pushes == []  # an uploaded candidate has no DingTalk record
            assert [r["status"] for r in await _log(http, interview_id=second)] == ["sent"]


async def _sent(http, interview_id: str, version: int = 1) -> list[dict] | None:
    """The interview's writes of this report version once all of them are sent."""
    rows = [r for r in await _log(http, interview_id=interview_id) if r["report_version"] == version]
    return rows if rows and all(r["status"] == "sent" for r in rows) else None


# --- rate limits, refusals, stops -----------------------------------------------------------------------------------
async def test_rate_limits_are_retried_quickly_then_in_later_rounds_and_written_once(db_url, tmp_path, fake):
    async with running_server(db_url, tmp_path, **_config(fake)) as h, h.hr_client() as http:
        # two rate-limit answers: the third quick try of the same round gets through
        fake.rate_limit_next(2, "/topapi/ats/")
        quick = await _scored(h, dingtalk_id="dt-1")
        await h.ctx.writeback.tick()
        (row,) = await _log(http, interview_id=quick)
        assert (row["status"], row["attempts"], row["rounds"]) == ("sent", 3, 1)
        assert len(fake.calls("/topapi/ats/plugin/data/push")) == 3 and len(fake.ats_pushes) == 1

        # DingTalk keeps refusing: the round ends, the write waits for its next round with the reason
        fake.throttle("/topapi/")
        slow = await _scored(h, dingtalk_id="dt-2")
        await h.ctx.writeback.tick()
        (row,) = await _log(http, interview_id=slow)
        assert (row["status"], row["rounds"], row["attempts"], row["error_code"]) == ("pending", 1, 4, "rate_limited")
        assert "calls it too often" in row["last_error"] and "90018" in row["last_error"]
        assert "Round 1 of 8" in row["last_error"] and row["next_attempt_at"] > row["updated_at"]
        calls = len(fake.calls("/topapi/"))
        await h.ctx.writeback.tick()  # not due yet: nothing is tried
        assert len(fake.calls("/topapi/")) == calls

        # its next round, still refused (now as errcode 88 with the rate limit as sub_code)
        fake.throttle("/topapi/", wrapped=True)
        _later(h, 3)  # past the first wait (60 s, plus up to 60 s of jitter)
        await h.ctx.writeback.tick()
        (row,) = await _log(http, interview_id=slow)
        assert (row["status"], row["rounds"], row["attempts"], row["error_code"]) == ("pending", 2, 8, "rate_limited")

        # DingTalk lets calls through again: the round after writes it, once
        fake.unthrottle()
        _later(h, 10)  # past the second wait (120 s, plus jitter) after the round at +3 min
        await h.ctx.writeback.tick()
        (row,) = await _log(http, interview_id=slow)
        assert (row["status"], row["rounds"], row["attempts"], row["last_error"]) == ("sent", 3, 9, "")
        assert [p["out_id"] for p in fake.ats_pushes] == [f"{quick}-v1", f"{slow}-v1"]


async def test_writes_still_refused_after_the_last_round_or_refused_for_good_fail_visibly(sqlite_url, tmp_path, fake):
    async with running_server(sqlite_url, tmp_path, **_config(fake, writeback_max_rounds=2)) as h, \
            h.hr_client() as http:
        fake.throttle("/topapi/")
        iv = await _scored(h, dingtalk_id="dt-1")
        await h.ctx.writeback.tick()
        _later(h, 3)
        await h.ctx.writeback.tick()
        (row,) = await _log(http, interview_id=iv)
        assert (row["status"], row["rounds"], row["error_code"]) == ("failed", 2, "rate_limited")
        assert "Gave up after 2 rounds; sync again later." in row["last_error"]
        _later(h, 30)
        await h.ctx.writeback.tick()  # a failed write is not tried again by itself
        assert (await _log(http, interview_id=iv))[0]["rounds"] == 2

        # DingTalk refuses the record type (a plugin_code it did not agree): failed at once, the reason shown
        fake.unthrottle()
        fake.ats_plugin_code = "another-plugin"
        other = await _scored(h, dingtalk_id="dt-2")
        before = len(fake.calls("/topapi/ats/"))
        await h.ctx.writeback.tick()
        (row,) = await _log(http, interview_id=other)
        assert (row["status"], row["rounds"], row["attempts"], row["error_code"]) == ("failed", 1, 1, "refused")
        assert "400020" in row["last_error"] and "无访问权限" in row["last_error"]
        assert len(fake.calls("/topapi/ats/")) == before + 1 and fake.ats_pushes == []


async def test_nothing_is_lost_when_the_server_stops_and_nothing_is_written_twice(db_url, tmp_path, fake):
    data = tmp_path / "node"
    fake.throttle("/topapi/")
    async with running_server(db_url, data, **_config(fake)) as h:
        org_id, job_id = h.org_id, h.job_id
        waiting = await _scored(h, dingtalk_id="dt-1")
        stuck = await _scored(h, dingtalk_id="dt-2")
        await h.ctx.writeback.tick()  # both rate-limited: pending
        # a process that took the second write and then died: it stays 'sending'
        later = datetime.now(timezone.utc) + timedelta(minutes=5)
        claimed = await h.ctx.store.report_syncs.claim_due(later, later - timedelta(minutes=10), 10)
        assert {r.interview_id for r in claimed} == {waiting, stuck}
        await h.ctx.store.report_syncs.update(next(r.id for r in claimed if r.interview_id == waiting),
                                              status="pending")
    fake.unthrottle()
    # another server process on the same database, minutes later
    async with running_server(db_url, data, seed=False, **_config(fake)) as h2:
        _later(h2, 5)
        await h2.ctx.writeback.tick()
        assert [p["out_id"] for p in fake.ats_pushes] == [f"{waiting}-v1"]  # the one left sending waits its lease
        _later(h2, 20)  # the lease (10 minutes) of the write left sending is over
        await h2.ctx.writeback.tick()
        assert sorted(p["out_id"] for p in fake.ats_pushes) == sorted([f"{waiting}-v1", f"{stuck}-v1"])
        rows = await h2.ctx.store.report_syncs.log(org_id)
        assert {(r.sync.interview_id, r.sync.status) for r in rows} == {(waiting, "sent"), (stuck, "sent")}
        assert all(r.job_id == job_id for r in rows)


async def test_a_changed_report_is_the_next_version_and_replaces_the_unsent_one(sqlite_url, tmp_path, fake):
    async with signed_webhook_receiver(SECRET) as hook, \
            running_server(sqlite_url, tmp_path, **_config(fake, hook)) as h, h.hr_client() as http:
        fake.throttle("/topapi/")
        iv = await _scored(h, dingtalk_id="dt-1")
        await h.ctx.writeback.tick()  # the webhook has version 1; DingTalk refused it for now
        assert [d["key"] for d in hook.received] == [f"{iv}-v1"]
        # the language model's late judgement refines a score: the report changed
        await h.ctx.store.records.add_score(iv, 1, 1, "results", 2.0, 0.7, "level 2", [], [], "model + rules")
        fake.unthrottle()
        r = await http.post(f"/api/v1/interviews/{iv}/writeback")
        run = await r.json()
        assert r.status == 202 and (run["report_version"], run["queued"]) == (2, 2)
        await until(lambda: _sent(http, iv, version=2), what="version 2 written")
        rows = {(x["report_version"], x["target"]): x for x in await _log(http, interview_id=iv)}
        assert rows[(1, "dingtalk_record")]["status"] == "superseded"
        assert rows[(1, "dingtalk_record")]["error_code"] == "superseded"
        assert rows[(1, "webhook")]["status"] == "sent"
        assert rows[(2, "dingtalk_record")]["status"] == rows[(2, "webhook")]["status"] == "sent"
        assert [p["out_id"] for p in fake.ats_pushes] == [f"{iv}-v2"]  # the stale version never went out
        assert fake.ats_pushes[0]["content"]["overallScore"] == 3.0
        assert hook.received[1]["key"] == f"{iv}-v2" and hook.received[1]["payload"]["report_version"] == 2


# --- the webhook --------------------------------------------------------------------------------------------------
async def test_the_report_webhook_is_signed_verifiably_and_retried_after_a_server_error(sqlite_url, tmp_path):
    got: list[tuple[dict, bytes]] = []
    calls = 0

    async def receive(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return web.Response(status=503)  # briefly down
        got.append((dict(request.headers), await request.read()))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hooks/hr", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        url = f"http://127.0.0.1:{port}/hooks/hr?token=t0ps3cret"
        async with running_server(sqlite_url, tmp_path, **_config(None, report_webhook_url=url,
                                                                 report_webhook_secret=SECRET)) as h:
            iv = await _scored(h, name="Ann Lee", language="en")
            await h.ctx.writeback.tick()
            async with h.hr_client() as http:
                (row,) = await _log(http)
            assert (row["target"], row["status"], row["attempts"]) == ("webhook", "sent", 2)
            assert row["recipient"] == f"http://127.0.0.1:{port}/hooks/hr"  # its query (a token) is not shown
    finally:
        await runner.cleanup()
    (headers, body), = got
    ts = headers["X-Interview-Timestamp"]
    expected = "sha256=" + hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Interview-Signature"], expected)
    forged = body.replace(b'"Ann Lee"', b'"Someone Else"')
    assert forged != body and not hmac.compare_digest(
        headers["X-Interview-Signature"],
        "sha256=" + hmac.new(SECRET.encode(), ts.encode() + b"." + forged, hashlib.sha256).hexdigest())
    event = json.loads(body)
    assert headers["Idempotency-Key"] == event["idempotency_key"] == f"{iv}-v1"
    assert event["summary"].startswith("AI interview for Engineer: overall 3.5 of 5 across 2 competencies.")
    assert "transcript" not in event and "answers" not in event  # no words of the candidate leave


# --- the sync log -------------------------------------------------------------------------------------------------
async def test_the_sync_log_shows_each_user_only_their_jobs(db_url, tmp_path):
    async with signed_webhook_receiver(SECRET) as hook, \
            running_server(db_url, tmp_path, **_config(None, hook)) as h:
        store = h.ctx.store
        other_job = await store.jobs.create(h.org_id, "Designer", "", "en", [{"text": "Show your work."}])
        own = [await _scored(h, name=f"Own {i}", language="en") for i in range(3)]
        theirs = await _scored(h, name="Not yours", language="en", job_id=other_job.id)
        unfinished = await store.interviews.create(h.org_id, h.job_id, "Still to come", "", "en")
        await h.ctx.writeback.tick()
        assert len(hook.received) == 4

        async with h.hr_client() as http:  # the recruiter of the first job
            rows = await _log(http)
            assert sorted(r["interview_id"] for r in rows) == sorted(own)
            assert all(r["job_title"] == "Engineer" and r["status"] == "sent" for r in rows)
            page1 = await (await http.get("/api/v1/writeback", params={"limit": "2"})).json()
            page2 = await (await http.get("/api/v1/writeback", params={"limit": "2",
                                                                       "before": page1["next_before"]})).json()
            assert len(page1["writebacks"]) == 2 and len(page2["writebacks"]) == 1 and page2["next_before"] is None
            assert {r["id"] for r in page1["writebacks"] + page2["writebacks"]} == {r["id"] for r in rows}
            assert await _log(http, interview_id=theirs) == []
            assert await _log(http, status="failed") == []
            r = await http.get("/api/v1/writeback", params={"status": "lost"})
            assert r.status == 400 and (await r.json())["error"]["code"] == "bad_query"
            r = await http.get("/api/v1/writeback", params={"before": "yesterday"})
            assert r.status == 400 and (await r.json())["error"]["code"] == "bad_query"
            assert (await http.post(f"/api/v1/interviews/{theirs}/writeback")).status == 404
            r = await http.post(f"/api/v1/interviews/{unfinished.id}/writeback")
            assert r.status == 409 and (await r.json())["error"]["code"] == "interview_not_finished"

        async with await _admin(h) as admin:
            assert len(await _log(admin)) == 4
            reads = await (await admin.get("/api/v1/audit/reads")).json()
            assert "writeback.read" in {x["action"] for x in reads["reads"]}  # the log names candidates: audited

        pw = hash_password(HR_PASSWORD)
        for role in ("hiring_manager", "observer"):
            user = await store.accounts.create_user(h.org_id, f"{role}@acme.test", pw, role=role)
            await store.assignments.assign_job(h.org_id, h.job_id, user.id, None)
            async with h.hr_client(f"{role}@acme.test") as http:
                r = await http.get("/api/v1/writeback")
                assert r.status == 403 and (await r.json())["error"]["code"] == "forbidden"


async def test_without_anything_set_up_nothing_is_queued_and_what_was_queued_fails_clearly(sqlite_url, tmp_path):
    closed = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens here
    data = tmp_path / "node"
    async with running_server(sqlite_url, data, **_config(None, report_webhook_url=closed,
                                                          report_webhook_secret=SECRET)) as h, h.hr_client() as http:
        queued = await _scored(h)
        await h.ctx.writeback.tick()
        (row,) = await _log(http)
        assert (row["status"], row["error_code"]) == ("pending", "webhook_unavailable")
        assert "could not be reached" in row["last_error"] and "next try" in row["last_error"]
    # the webhook is no longer set up when the server starts again
    async with running_server(sqlite_url, data, seed=False, **_config(None)) as h2:
        _later(h2, 5)
        await h2.ctx.writeback.tick()
        async with h2.hr_client() as http:
            (row,) = await _log(http)
            assert (row["interview_id"], row["status"], row["error_code"]) == (queued, "failed", "not_configured")
            assert row["last_error"] == "Not sent: the report webhook is no longer set up."
            r = await http.post(f"/api/v1/interviews/{queued}/writeback")
            assert r.status == 503 and (await r.json())["error"]["code"] == "writeback_not_configured"
            assert len(await _log(http)) == 1


async def test_interviews_that_ended_before_the_look_back_are_not_sent_on_their_own(sqlite_url, tmp_path, fake):
    async with running_server(sqlite_url, tmp_path, **_config(fake, writeback_lookback_h=1)) as h:
        old = await _scored(h, dingtalk_id="dt-old")
        await h.ctx.store.interviews.update(old, ended_at=datetime.now(timezone.utc) - timedelta(hours=3))
        await h.ctx.writeback.tick()
        assert fake.ats_pushes == []
        async with h.hr_client() as http:  # HR can still sync it
            assert (await http.post(f"/api/v1/interviews/{old}/writeback")).status == 202
            await until(lambda: len(fake.ats_pushes) == 1, what="the record push")


async def test_upgrade_to_0014_keeps_users_and_adds_an_empty_outbox(db_url):
    store = Store(db_url)
    try:
        await move_schema(store.db.engine, "0013")
        async with store.db.engine.begin() as conn:
            now = datetime(2026, 1, 1, tzinfo=timezone.utc)
            await conn.execute(text("INSERT INTO organizations (id, name, region, created_at) "
                                    "VALUES ('o', 'Acme', 'CN', :n)"), {"n": now})
            await conn.execute(text("INSERT INTO users (id, org_id, email, display_name, password_hash, role, "
                                    "created_at) VALUES ('u', 'o', 'u@o.test', '', 'x', 'recruiter', :n)"), {"n": now})
        await store.migrate()
        user = await store.accounts.user("u")
        assert user.role == "recruiter" and user.dingtalk_userid is None
        await store.accounts.set_dingtalk_userid("u", "ding-1")
        assert (await store.accounts.user("u")).dingtalk_userid == "ding-1"
        assert await store.report_syncs.log("o") == []
        await move_schema(store.db.engine, "0013", down=True)
        await store.migrate()
        assert (await store.accounts.user("u")).email == "u@o.test"
    finally:
        await store.close()


async def test_queuing_the_same_report_from_two_processes_at_once_adds_it_once(db_url, tmp_path, fake):
    async with running_server(db_url, tmp_path, **_config(fake)) as h:
        iv = await _scored(h, dingtalk_id="dt-1")
        results = await asyncio.gather(*(h.ctx.writeback.queue_interview(iv) for _ in range(4)))
        assert sum(len(q.added) for q in results) == 1 and {q.report_version for q in results} == {1}
        await h.ctx.writeback.tick()
        assert len(fake.ats_pushes) == 1
