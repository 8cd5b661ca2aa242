"""DingTalk connector against a local DingTalk (tests/fake_dingtalk.py): tokens, work-notice invitations through the
real server, and the ATS import as a background import run (progress, per-candidate results, re-imports, people also
uploaded as files, DingTalk refusing) into parsed candidate profiles, on SQLite and PostgreSQL.

Over 500 lines because its tests of the one connector share the local DingTalk and the server helpers at the top.
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from benchmarks.resume_fixtures import generate_fixtures
from server.recruiting.connectors.dingtalk import (
    DingTalkAuthError,
    DingTalkClient,
    DingTalkConfig,
    DingTalkError,
    DingTalkRateLimited,
    TokenCache,
)
from server.platform.settings import Settings
from tests.fake_dingtalk import FakeDingTalk
from tests.harness import running_server
from tests.invitation_delivery import invitation_outcome

pytestmark = pytest.mark.unit

CARD = {"msgtype": "markdown", "markdown": {"title": "t", "text": "hello"}}


@pytest.fixture
async def fake():
    async with FakeDingTalk() as f:
        yield f


def _client(fake: FakeDingTalk, http: aiohttp.ClientSession, tokens: TokenCache | None = None,
            **overrides) -> DingTalkClient:
    config = DingTalkConfig.from_settings(Settings(**fake.settings(**overrides)))
    return DingTalkClient(config, http, tokens or TokenCache())


async def _send_notice(http, interview_id: str, userid: str, status: int = 202) -> dict:
    """Asks for a DingTalk work-notice invitation; the answer's JSON once its HTTP status is ``status``."""
    r = await http.post(f"/api/v1/interviews/{interview_id}/invitations",
                        json={"channel": "dingtalk", "dingtalk_userid": userid})
    assert r.status == status, await r.text()
    return await r.json()


async def _interview(http, job_id, name="王芳", language="zh") -> str:
    r = await http.post("/api/v1/interviews", json={"job_id": job_id, "candidate": {"name": name},
                                                    "language": language})
    assert r.status == 201, await r.text()
    return (await r.json())["interview_id"]


async def _start_import(http, job_id, ats_job_id="ats-job-7", **extra) -> str:
    """Start a DingTalk import: 202 with the run (source dingtalk) at once; its id."""
    r = await http.post(f"/api/v1/jobs/{job_id}/imports/dingtalk", json={"ats_job_id": ats_job_id, **extra})
    assert r.status == 202, await r.text()
    run = await r.json()
    assert run["source"] == "dingtalk" and run["status"] in ("pending", "running") and run["job_id"] == job_id
    return run["id"]


async def _wait_run(http, import_id, timeout=60.0) -> dict:
    """The run once it has ended (done, failed or interrupted), as GET /api/v1/imports/{id} shows it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        run = await (await http.get(f"/api/v1/imports/{import_id}")).json()
        if run["status"] not in ("pending", "running"):
            return run
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the import did not end: {run}")
        await asyncio.sleep(0.05)


def _items(run: dict) -> dict[str, dict]:
    """The run's items by DingTalk candidate id."""
    return {i["filename"]: i for i in run["items"]}


def _counts(run: dict) -> dict[str, int]:
    return {k: run[k] for k in ("created", "updated", "unchanged", "duplicate", "failed")}


# --- tokens ---------------------------------------------------------------------------------------------------------
async def test_token_is_cached_shared_and_refreshed_after_expiry():
    async with FakeDingTalk(token_ttl_s=1) as fake, aiohttp.ClientSession() as http:
        fake.add_job("j1", "Backend")
        dt = _client(fake, http)
        await dt.send_work_notice("u1", CARD)
        await dt.send_work_notice("u2", CARD)
        await dt.job_info("j1")
        await dt.job_info("j1")
        assert (fake.legacy_token_requests, fake.token_requests) == (1, 1)  # one token each, reused
        await asyncio.sleep(1.0)  # the tokens expire (the client refreshes a tenth of the lifetime early)
        await dt.send_work_notice("u3", CARD)
        await dt.job_info("j1")
        assert (fake.legacy_token_requests, fake.token_requests) == (2, 2)
        # the notices carried the token the fake issued, as ?access_token=; the ATS calls as the header
        assert all(r.query.get("access_token") for r in fake.calls("/topapi/"))
        assert all(r.headers.get("x-acs-dingtalk-access-token") for r in fake.calls("/v1.0/ats/"))

        # Twenty callers at once with an empty cache: one token request, not twenty.
        fresh = _client(fake, http)
        await asyncio.gather(*(fresh.job_info("j1") for _ in range(20)))
        assert fake.token_requests == 3


async def test_token_expired_mid_run_is_refreshed_once_and_the_calls_succeed(fake):
    fake.add_job("j1", "Backend")
    async with aiohttp.ClientSession() as http:
        dt = _client(fake, http)
        await dt.send_work_notice("u1", CARD)
        await dt.job_info("j1")
        fake.expire_tokens()  # DingTalk no longer accepts the tokens the client still holds
        await asyncio.gather(*(dt.send_work_notice(f"u{i}", CARD) for i in range(5)),
                             *(dt.job_info("j1") for _ in range(5)))
    assert len(fake.notices) == 6
    assert (fake.legacy_token_requests, fake.token_requests) == (2, 2)  # one shared refresh per token


async def test_wrong_secret_is_a_clear_error_without_retries(fake):
    async with aiohttp.ClientSession() as http:
        dt = _client(fake, http, dingtalk_app_secret="not-the-secret")
        with pytest.raises(DingTalkAuthError) as legacy:
            await dt.send_work_notice("u1", CARD)
        with pytest.raises(DingTalkAuthError) as new:
            await dt.job_info("j1")
    assert legacy.value.code == "40096" and "appSecret" in legacy.value.message
    assert new.value.code == "invalidClientIdOrSecret"
    assert (fake.legacy_token_requests, fake.token_requests) == (1, 1)
    assert fake.notices == []


async def test_rate_limit_is_retried_with_backoff_then_given_up(fake):
    fake.add_job("j1", "Backend")
    async with aiohttp.ClientSession() as http:
        dt = _client(fake, http, dingtalk_max_attempts=4)
        fake.rate_limit_next(3)
        assert (await dt.job_info("j1")).name == "Backend"  # 3 refusals, the 4th try passes
        assert len(fake.calls("/v1.0/ats/jobs/")) == 4
        fake.rate_limit_next(10)
        with pytest.raises(DingTalkRateLimited) as exc:
            await dt.send_work_notice("u1", CARD)
    assert exc.value.code == "90018" and len(fake.calls("/topapi/")) == 4
    assert fake.notices == []


async def test_interviews_are_read_page_by_page(fake):
    fake.add_candidate("j1", "c1", "张三")
    for i in range(120):
        fake.add_interview("c1", 1_700_000_000_000 + i * 60_000)
    async with aiohttp.ClientSession() as http:
        rows = await _client(fake, http).interviews("c1", 1_600_000_000_000, 1_800_000_000_000)
    assert len(rows) == 120 and len({r["interviewId"] for r in rows}) == 120
    assert len(fake.calls("/v1.0/ats/interviews/query")) == 3  # pages of 50


async def test_unreachable_dingtalk_is_retried_then_reported_without_secrets(fake):
    from tests.harness import free_port

    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens here
    async with aiohttp.ClientSession() as http:
        dt = _client(fake, http, dingtalk_oapi_base=dead, dingtalk_max_attempts=3)
        with pytest.raises(DingTalkError) as exc:
            await dt.send_work_notice("u1", CARD)
    assert exc.value.code == "network" and fake.app_secret not in str(exc.value)


async def test_scheduling_messages_go_out_as_work_notices(fake):
    """The scheduler finds channels by name: "dingtalk" sends its messages as work notices to the userid."""
    from server.recruiting.invitations import InvitationContent, Notice, channel_for

    channel = channel_for("dingtalk", Settings(**fake.settings()))
    assert channel is not None and channel.enabled
    assert not channel_for("dingtalk", Settings()).enabled
    link = "https://interview.example.com/i/tok"
    notice = Notice(key="r1", content=InvitationContent("面试提醒", "您的面试将在 1 小时后开始。", "<p></p>"),
                    payload={"language": "zh", "link": link})
    await channel.send("u42", notice)
    await channel.send("u42", Notice(key="r2", content=InvitationContent("Cancelled", "No link here.", ""),
                                     payload={"language": "en"}))
    card, plain = fake.notices[0]["msg"], fake.notices[1]["msg"]
    assert fake.notices[0]["userid_list"] == "u42" and card["msgtype"] == "action_card"
    assert card["action_card"]["single_url"] == link and "1 小时" in card["action_card"]["markdown"]
    assert plain["msgtype"] == "markdown" and "No link here." in plain["markdown"]["text"]


# --- invitations over the real server -----------------------------------------------------------------------------
async def test_work_notice_carries_the_personal_link_and_is_sent_once(db_url, tmp_path, fake):
    async with running_server(db_url, tmp_path, **fake.settings()) as h:
        async with h.hr_client() as http:
            interview_id = await _interview(http, h.job_id)
            first = await _send_notice(http, interview_id, "manager4711")
            assert first["status"] == "pending" and first["channel"] == "dingtalk"
            sent = await invitation_outcome(http, interview_id, "sent")
            assert sent["recipient"] == "manager4711" and sent["attempts"] == 1 and sent["last_error"] == ""

            # Asking again does not send a second notice (DingTalk would even drop it silently).
            assert (await _send_notice(http, interview_id, "manager4711", status=200))["id"] == first["id"]
            invs = (await (await http.get(f"/api/v1/interviews/{interview_id}/invitations")).json())["invitations"]
            assert len(invs) == 1

            # The token expires on DingTalk's side: the next invitation refreshes it once and goes out.
            fake.expire_tokens()
            other = await _interview(http, h.job_id, name="Sam Lee", language="en")
            await _send_notice(http, other, "sam01")
            assert (await invitation_outcome(http, other, "sent"))["attempts"] == 1
        assert fake.legacy_token_requests == 2 and len(fake.notices) == 2

        notice = fake.notices[0]
        assert notice["userid_list"] == "manager4711" and notice["agent_id"] == fake.agent_id
        card = notice["msg"]["action_card"]
        assert notice["msg"]["msgtype"] == "action_card" and card["single_title"] == "进入面试"
        assert "王芳" in card["markdown"] and "AI 面试官" in card["markdown"] and "Engineer" in card["title"]
        link = card["single_url"]
        assert link.startswith(h.base_url + "/i/") and link in card["markdown"]
        # The link opens the candidate's own interview.
        async with aiohttp.ClientSession() as anon:
            async with anon.get(link) as page:
                assert page.status == 200 and page.content_type == "text/html"
            token = link.rsplit("/", 1)[1]
            session = await (await anon.get(f"{h.base_url}/api/v1/candidate/session", params={"token": token})).json()
        assert session["interview_id"] == interview_id and session["candidate_name"] == "王芳"
        assert fake.notices[1]["msg"]["action_card"]["single_title"] == "Open the interview"


async def test_rate_limited_notice_is_retried_until_sent(sqlite_url, tmp_path, fake):
    async with running_server(sqlite_url, tmp_path, **fake.settings(dingtalk_max_attempts=4)) as h:
        async with h.hr_client() as http:
            interview_id = await _interview(http, h.job_id)
            fake.rate_limit_next(2)
            await _send_notice(http, interview_id, "u100")
            sent = await invitation_outcome(http, interview_id, "sent")
    assert sent["attempts"] == 3 and len(fake.notices) == 1


async def test_persistent_rate_limit_fails_visibly_and_can_be_sent_again(sqlite_url, tmp_path, fake):
    async with running_server(sqlite_url, tmp_path, **fake.settings(dingtalk_max_attempts=3)) as h:
        async with h.hr_client() as http:
            interview_id = await _interview(http, h.job_id)
            fake.rate_limit_next(1000)
            await _send_notice(http, interview_id, "u100")
            failed = await invitation_outcome(http, interview_id, "failed")
            assert failed["attempts"] == 3
            assert "90018" in failed["last_error"] and "DingTalkRateLimited" in failed["last_error"]
            assert fake.notices == []
            # A failed invitation does not block a new one once DingTalk accepts calls again.
            fake.rate_limit_next(0)
            assert (await _send_notice(http, interview_id, "u100"))["id"] != failed["id"]
            await invitation_outcome(http, interview_id, "sent")
    assert len(fake.notices) == 1


async def test_wrong_secret_fails_the_invitation_and_the_import_clearly(sqlite_url, tmp_path, fake):
    fake.add_job("ats-1", "Backend")
    async with running_server(sqlite_url, tmp_path, **fake.settings(dingtalk_app_secret="typo")) as h:
        async with h.hr_client() as http:
            interview_id = await _interview(http, h.job_id)
            await _send_notice(http, interview_id, "u1")
            failed = await invitation_outcome(http, interview_id, "failed")
            assert failed["attempts"] == 1  # not retried: only a configuration change helps
            assert "DingTalkAuthError" in failed["last_error"] and "40096" in failed["last_error"]
            # The import is accepted (202) and its run ends failed, with the reason HR can act on.
            run = await _wait_run(http, await _start_import(http, h.job_id, "ats-1"))
            assert run["status"] == "failed" and run["total"] == 0 and run["error"]["code"] == "dingtalk_auth_failed"
            assert "INTERVIEW_DINGTALK_APP_KEY" in run["error"]["message"]
            assert "invalidClientIdOrSecret" in run["error"]["message"]
            assert fake.token_requests == 1  # not retried


async def test_not_configured_and_bad_requests_are_clear(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        async with h.hr_client() as http:
            interview_id = await _interview(http, h.job_id)
            refused = await _send_notice(http, interview_id, "u1", status=503)
            assert refused["error"]["code"] == "dingtalk_not_configured"
            r = await http.post(f"/api/v1/jobs/{h.job_id}/imports/dingtalk", json={"ats_job_id": "x"})
            assert r.status == 503 and (await r.json())["error"]["code"] == "dingtalk_not_configured"
            assert (await (await http.get(f"/api/v1/jobs/{h.job_id}/imports")).json())["imports"] == []  # no run
            assert await (await http.get("/api/v1/integrations")).json() == {"invitation_channels": [],
                                                                            "dingtalk_import": False}
            doc = await (await http.get("/api/v1/openapi.json")).json()
        async with aiohttp.ClientSession(h.base_url) as anon:
            assert (await anon.get("/api/v1/integrations")).status == 401
    op = doc["paths"]["/api/v1/jobs/{job_id}/imports/dingtalk"]["post"]
    assert "202" in op["responses"] and "ImportOut" in str(op["responses"]["202"])
    assert "get" in doc["paths"]["/api/v1/integrations"]
    assert "dingtalk_userid" in doc["components"]["schemas"]["InvitationRequest"]["properties"]
    async with FakeDingTalk() as fake:
        async with running_server(sqlite_url, tmp_path, seed=False, **fake.settings()) as h2:
            async with aiohttp.ClientSession(h2.base_url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
                assert (await http.post("/api/v1/auth/login", json={
                    "email": "hr@acme.test", "password": "correct horse battery staple"})).status == 200
                r = await http.post(f"/api/v1/interviews/{interview_id}/invitations", json={"channel": "dingtalk"})
                assert r.status == 422 and (await r.json())["error"]["code"] == "no_recipient"
                await _send_notice(http, interview_id, "a,b", status=422)  # one userid, never a list
                run = await _wait_run(http, await _start_import(http, h.job_id, "nope"))
                assert run["status"] == "failed" and run["error"]["code"] == "dingtalk_error"
                assert "职位不存在" in run["error"]["message"]
                r = await http.post(f"/api/v1/jobs/{h.job_id}/imports/dingtalk", json={})
                assert r.status == 422
                r = await http.post(f"/api/v1/jobs/{h.job_id}/imports/dingtalk", json={"ats_job_id": "  "})
                assert r.status == 422
                r = await http.post("/api/v1/jobs/no-such-job/imports/dingtalk", json={"ats_job_id": "x"})
                assert r.status == 404
                assert await (await http.get("/api/v1/integrations")).json() == {
                    "invitation_channels": ["dingtalk"], "dingtalk_import": True}
        assert fake.notices == []


# --- ATS import -----------------------------------------------------------------------------------------------------
ZH_TEXT_RESUME = """张伟
手机：13812345678  邮箱：zhangwei@example.com  城市：杭州
工作经历
2017.07 - 至今  阿里巴巴  高级后端工程师
负责订单系统，带领8人团队，Python熟练，使用K8s部署服务。
教育背景
2013.09 - 2017.06  浙江大学  计算机科学与技术  本科
技能
Python, Kubernetes, Kafka
"""


def _structured(email: str, phone: str = "13900001111") -> dict:
    """A resume as DingTalk structures it (resumeData), without a file."""
    return {"baseInfo": {"name": "Li Na", "email": email, "phoneNum": phone, "workingYears": 6},
            "workExperiences": [{"companyName": "Tencent", "jobTitle": "Backend Engineer", "startDate": "2019-03-01",
                                 "endDate": "2025-06-30", "description": "Built payment services in Go and Python."}],
            "educationExperiences": [{"schoolName": "Fudan University", "major": "Computer Science",
                                      "startDate": "2012-09-01", "endDate": "2016-06-30"}]}



async def test_ats_import_runs_in_the_background_and_creates_parsed_candidates_once(db_url, tmp_path, fake):
    fixtures = generate_fixtures(tmp_path / "resumes", n_per_language=2, seed=11)
    pdf, pdf_labels = next((p, lb) for p, lb in fixtures if lb["format"] == "pdf" and lb["language"] == "en")
    docx, docx_labels = next((p, lb) for p, lb in fixtures if lb["format"] == "docx" and lb["language"] == "zh")
    fake.add_job("ats-job-7", "后端工程师")
    fake.add_job("ats-job-8", "销售")
    fake.add_candidate("ats-job-7", "c-pdf", "Ann PDF", file=(pdf.read_bytes(), "ann.pdf", "pdf"))
    fake.add_candidate("ats-job-7", "c-docx", "王 DOCX", file=(docx.read_bytes(), "wang.docx", "docx"))
    fake.add_candidate("ats-job-7", "c-txt", "张伟", file=(ZH_TEXT_RESUME.encode(), "zhang.txt", "txt"))
    fake.add_candidate("ats-job-7", "c-data", "Li Na", resume_data=_structured("li.na@example.com"))
    fake.add_candidate("ats-job-7", "c-bad", "Broken", file=(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "cv.pdf", "pdf"))
    fake.add_candidate("ats-job-7", "c-none", "No Resume")
    fake.add_candidate("ats-job-8", "c-other", "Other Job", file=(b"Sales person\nsales@example.com\n", "s.txt", "txt"))

    async with running_server(db_url, tmp_path, **fake.settings()) as h:
        store = h.ctx.store
        async with h.hr_client() as http:
            first = await _wait_run(http, await _start_import(http, h.job_id))
            items = _items(first)
            assert first["status"] == "done" and first["error"] is None
            assert first["filename"] == "DingTalk: 后端工程师 (ats-job-7)"
            assert set(items) == {"c-pdf", "c-docx", "c-txt", "c-data", "c-bad", "c-none"}  # not the other job's
            assert first["total"] == first["done"] == 6
            assert _counts(first) == {"created": 4, "updated": 0, "unchanged": 0, "duplicate": 0, "failed": 2}
            assert items["c-bad"]["error"]["code"] == "unsupported_type"
            assert items["c-none"]["error"]["code"] == "no_resume" and items["c-none"]["name"] == "No Resume"
            assert [i["position"] for i in first["items"]] == list(range(6))

            profiles = {c.external_id: (c, r.profile) for r, c in await store.matching.resumes(h.job_id)}
            assert set(profiles) == {"c-pdf", "c-docx", "c-txt", "c-data"}
            cand, profile = profiles["c-pdf"]
            assert cand.name == "Ann PDF" and cand.external_source == "dingtalk"  # the ATS's name wins
            assert profile["email"]["value"].lower() == pdf_labels["email"].lower()
            assert profiles["c-docx"][1]["email"]["value"].lower() == docx_labels["email"].lower()
            txt = profiles["c-txt"][1]
            assert txt["email"]["value"] == "zhangwei@example.com"
            assert {"Python", "Kubernetes"} <= {s["value"] for s in txt["skills"]}
            data_cand, data_profile = profiles["c-data"]
            assert data_cand.email == "li.na@example.com" and data_profile["work_experience"]
            assert items["c-txt"]["candidate_id"] == profiles["c-txt"][0].id
            # the imported candidates are in the job's ranked list like uploaded ones
            matches = (await (await http.get(f"/api/v1/jobs/{h.job_id}/matches")).json())["matches"]
            assert {m["candidate_id"] for m in matches} == {c.id for c, _ in profiles.values()}

            # Importing again creates nothing new.
            second = await _wait_run(http, await _start_import(http, h.job_id))
            assert _counts(second) == {"created": 0, "updated": 0, "unchanged": 4, "duplicate": 0, "failed": 2}
            assert {i["candidate_id"] for i in second["items"] if i["candidate_id"]} == \
                {c.id for c, _ in profiles.values()}
            assert len(await store.matching.resumes(h.job_id)) == 4

            # The ATS record changes: that candidate is updated in place.
            fake.candidates["c-data"].resume_data = _structured("li.na@newmail.example.com")
            third = await _wait_run(http, await _start_import(http, h.job_id))
            assert _counts(third) == {"created": 0, "updated": 1, "unchanged": 3, "duplicate": 0, "failed": 2}
            assert _items(third)["c-data"]["status"] == "updated"
            rows = {c.external_id: c for _, c in await store.matching.resumes(h.job_id)}
            assert len(rows) == 4 and rows["c-data"].email == "li.na@newmail.example.com"
            assert rows["c-data"].id == data_cand.id

            # the job's runs, newest first, with their source
            runs = (await (await http.get(f"/api/v1/jobs/{h.job_id}/imports")).json())["imports"]
            assert [r["id"] for r in runs][:3] == [third["id"], second["id"], first["id"]]
            assert {r["source"] for r in runs} == {"dingtalk"}

            # Two imports of the same ATS job into another job at the same time: still one row per candidate,
            # and the same candidates as before (one candidate per DingTalk id in the organisation).
            r = await http.post("/api/v1/jobs", json={"title": "Backend 2", "description": "", "language": "en",
                                                      "questions": [{"text": "Why?"}]})
            job2 = (await r.json())["id"]
            ids = await asyncio.gather(_start_import(http, job2), _start_import(http, job2))
            a, b = [await _wait_run(http, i) for i in ids]
            assert a["created"] + b["created"] == 4 and a["unchanged"] + b["unchanged"] == 4
            again = await store.matching.resumes(job2)
            assert len(again) == 4 and {c.id for _, c in again} == {c.id for c in rows.values()}

    search = fake.calls("/v1.0/ats/flows/search")
    assert search and all(r.query["opUserId"] == fake.operator_userid for r in search)
    assert all(r.headers.get("x-acs-dingtalk-access-token") for r in fake.calls("/v1.0/ats/"))


async def test_a_person_uploaded_as_a_file_and_listed_in_dingtalk_is_stored_once(db_url, tmp_path, fake):
    """Contact keys join the two paths: whichever came first, the other reports a duplicate of that candidate."""
    fake.add_job("ats-job-7", "后端工程师")
    fake.add_candidate("ats-job-7", "c-zhang", "张伟", file=(ZH_TEXT_RESUME.encode(), "zhang.txt", "txt"))
    fake.add_candidate("ats-job-7", "c-li", "Li Na", resume_data=_structured("Li.Na@Example.com"))
    fake.add_candidate("ats-job-7", "c-li-again", "Li Na (2nd application)", resume_data=_structured("li.na@example.com"))
    async with running_server(db_url, tmp_path, **fake.settings()) as h:
        async with h.hr_client() as http:
            # 张伟 was uploaded by hand before (same phone number, another e-mail address)
            form = aiohttp.FormData()
            form.add_field("file", ZH_TEXT_RESUME.replace("zhangwei@example.com", "zw@home.example").encode(),
                           filename="张伟.txt", content_type="text/plain")
            uploaded = (await (await http.post(f"/api/v1/jobs/{h.job_id}/resumes", data=form)).json())["results"][0]
            assert uploaded["ok"], uploaded

            run = await _wait_run(http, await _start_import(http, h.job_id))
            items = _items(run)
            assert run["status"] == "done"
            assert _counts(run) == {"created": 1, "updated": 0, "unchanged": 0, "duplicate": 2, "failed": 0}
            zhang = items["c-zhang"]
            assert zhang["status"] == "duplicate" and zhang["candidate_id"] == uploaded["candidate_id"]
            assert zhang["error"]["code"] == "duplicate" and "same phone number" in zhang["error"]["message"]
            # one person with two DingTalk applications: the second is a duplicate of the first
            assert items["c-li"]["status"] == "created"
            li_again = items["c-li-again"]
            assert li_again["status"] == "duplicate" and li_again["candidate_id"] == items["c-li"]["candidate_id"]
            resumes = await h.ctx.store.matching.resumes(h.job_id)
            assert len(resumes) == 2

            # Importing again says the same (no link was made, nothing is stored twice).
            again = await _wait_run(http, await _start_import(http, h.job_id))
            assert {k: i["status"] for k, i in _items(again).items()} == {
                "c-zhang": "duplicate", "c-li": "unchanged", "c-li-again": "duplicate"}
            assert len(await h.ctx.store.matching.resumes(h.job_id)) == 2

            # The other way round: uploading the DingTalk candidate's resume is a duplicate of them.
            form = aiohttp.FormData()
            form.add_field("file", b"Li Na\nli.na@example.com\nBackend engineer, Go and Python.\n",
                           filename="li.txt", content_type="text/plain")
            res = (await (await http.post(f"/api/v1/jobs/{h.job_id}/resumes", data=form)).json())["results"][0]
            assert not res["ok"] and res["error"]["code"] == "duplicate"
            assert res["candidate_id"] == items["c-li"]["candidate_id"]
            assert len(await h.ctx.store.matching.resumes(h.job_id)) == 2


def _add_people(fake, numbers) -> None:
    """Candidates c-<n> "Person <n>" of ats-job-7, each with a structured resume and their own e-mail and phone."""
    for i in numbers:
        fake.add_candidate("ats-job-7", f"c-{i}", f"Person {i}",
                           resume_data=_structured(f"p{i}@example.com", f"1390000100{i}"))


async def test_rate_limit_that_outlasts_the_retries_fails_the_run_visibly(sqlite_url, tmp_path, fake):
    fake.add_job("ats-job-7", "后端工程师")
    _add_people(fake, range(3))
    async with running_server(sqlite_url, tmp_path, **fake.settings(dingtalk_max_attempts=3)) as h:
        async with h.hr_client() as http:
            # a short burst is absorbed by the retries
            fake.rate_limit_next(2, "/v1.0/ats/resumes/")
            run = await _wait_run(http, await _start_import(http, h.job_id))
            assert run["status"] == "done" and run["created"] == 3

            # DingTalk keeps refusing the resume reads: the candidates are listed, then the run ends failed
            fake.candidates["c-1"].resume_data = _structured("changed@example.com", "13900001001")
            fake.rate_limit_next(1000, "/v1.0/ats/resumes/")
            run = await _wait_run(http, await _start_import(http, h.job_id))
            assert run["status"] == "failed" and run["total"] == 3 and run["done"] == 0
            assert {i["status"] for i in run["items"]} == {"pending"}
            err = run["error"]
            assert err["code"] == "dingtalk_rate_limited" and "3 tries" in err["message"]
            assert "QpsLimit" in err["message"] and "import again later" in err["message"]
            listed = len(fake.calls("/v1.0/ats/resumes/"))
            assert 3 <= listed <= 3 * 3 + 2 + 3  # each read tried at most 3 times; the others were stopped

            # DingTalk accepts calls again: the next import picks up the change
            fake.rate_limit_next(0)
            run = await _wait_run(http, await _start_import(http, h.job_id))
            assert _counts(run) == {"created": 0, "updated": 1, "unchanged": 2, "duplicate": 0, "failed": 0}


async def test_truncated_listing_and_progress_and_a_server_stop(sqlite_url, tmp_path, fake):
    fake.add_job("ats-job-7", "后端工程师")
    _add_people(fake, range(3))
    async with running_server(sqlite_url, tmp_path, **fake.settings(import_max_files=2)) as h:
        async with h.hr_client() as http:
            run = await _wait_run(http, await _start_import(http, h.job_id))
            assert run["status"] == "done" and run["total"] == 2 and run["created"] == 2
            assert run["error"]["code"] == "truncated" and "fewer days" in run["error"]["message"]

    # A slow DingTalk: the run's progress is visible while it works; a server that stops gives the run back to the
    # queue, and the next server goes on with the candidates still pending: each one imported once.
    fake.resume_delay_s = 0.4  # 4 read at a time: 10 candidates take 3 rounds
    _add_people(fake, range(3, 10))
    db = f"sqlite+aiosqlite:///{tmp_path / 'slow.db'}"
    async with running_server(db, tmp_path / "2", **fake.settings()) as h:
        async with h.hr_client() as http:
            import_id = await _start_import(http, h.job_id)
            seen = []
            for _ in range(200):
                run = await (await http.get(f"/api/v1/imports/{import_id}")).json()
                seen.append((run["status"], run["total"], run["done"]))
                if run["done"] >= 1:
                    break
                await asyncio.sleep(0.05)
            assert ("running", 10, 0) in seen and run["total"] == 10 and 1 <= run["done"] < 10, seen
    reads_before = len(fake.calls("/v1.0/ats/resumes/"))
    searches_before = len(fake.calls("/v1.0/ats/flows/search"))
    fake.resume_delay_s = 0.0
    async with running_server(db, tmp_path / "2", seed=False, **fake.settings()) as h2:
        async with h2.hr_client() as http:
            run = await _wait_run(http, import_id)
            resumes = await h2.ctx.store.matching.resumes(run["job_id"])
    assert (run["status"], run["error"]) == ("done", None)
    assert _counts(run) == {"created": 10, "updated": 0, "unchanged": 0, "duplicate": 0, "failed": 0}
    assert len(resumes) == 10 and len({c.external_id for _, c in resumes}) == 10  # each candidate once
    assert {i["status"] for i in run["items"]} == {"created"} and run["total"] == 10
    assert len(fake.calls("/v1.0/ats/flows/search")) == searches_before  # not listed again
    assert len(fake.calls("/v1.0/ats/resumes/")) - reads_before <= 10 - seen[-1][2]  # only those still pending


async def test_integrations_offer_exactly_what_is_set_up(sqlite_url, tmp_path, fake):
    """The HR page offers the channels and the import the server has; the import without an operator is refused."""
    settings = fake.settings(dingtalk_operator_userid=None)
    async with running_server(sqlite_url, tmp_path, smtp_host="127.0.0.1", invite_webhook_url="http://127.0.0.1:9/h",
                              invite_webhook_secret="s" * 32, **settings) as h:
        async with h.hr_client() as http:
            assert await (await http.get("/api/v1/integrations")).json() == {
                "invitation_channels": ["email", "dingtalk", "webhook"], "dingtalk_import": False}
            r = await http.post(f"/api/v1/jobs/{h.job_id}/imports/dingtalk", json={"ats_job_id": "ats-1"})
            assert r.status == 503 and (await r.json())["error"]["code"] == "dingtalk_operator_not_configured"
    assert fake.requests == []
