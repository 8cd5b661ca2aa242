"""DingTalk connector against a local DingTalk (tests/fake_dingtalk.py): tokens, work-notice invitations through the
real server, and the ATS import into parsed candidate profiles, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from benchmarks.resume_fixtures import generate_fixtures
from server.connectors.dingtalk import (
    DingTalkAuthError,
    DingTalkClient,
    DingTalkConfig,
    DingTalkError,
    DingTalkRateLimited,
    TokenCache,
)
from server.settings import Settings
from tests.fake_dingtalk import FakeDingTalk
from tests.harness import running_server

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


async def _wait_status(http, interview_id, status, timeout=20.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        invs = (await (await http.get(f"/api/v1/interviews/{interview_id}/invitations")).json())["invitations"]
        if invs and invs[-1]["status"] == status:
            return invs[-1]
        if invs and invs[-1]["status"] != "pending":
            raise AssertionError(f"invitation ended {invs[-1]['status']}, not {status}: {invs[-1]}")
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"invitation did not reach {status}: {invs}")
        await asyncio.sleep(0.05)


async def _interview(http, job_id, name="王芳", language="zh") -> str:
    r = await http.post("/api/v1/interviews", json={"job_id": job_id, "candidate": {"name": name},
                                                    "language": language})
    assert r.status == 201, await r.text()
    return (await r.json())["interview_id"]


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
    from server.invitations import InvitationContent, Notice, channel_for

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
            r = await http.post(f"/api/v1/interviews/{interview_id}/invitations",
                                json={"channel": "dingtalk", "dingtalk_userid": "manager4711"})
            assert r.status == 202, await r.text()
            first = await r.json()
            assert first["status"] == "pending" and first["channel"] == "dingtalk"
            sent = await _wait_status(http, interview_id, "sent")
            assert sent["recipient"] == "manager4711" and sent["attempts"] == 1 and sent["last_error"] == ""

            # Asking again does not send a second notice (DingTalk would even drop it silently).
            r = await http.post(f"/api/v1/interviews/{interview_id}/invitations",
                                json={"channel": "dingtalk", "dingtalk_userid": "manager4711"})
            assert r.status == 200 and (await r.json())["id"] == first["id"]
            invs = (await (await http.get(f"/api/v1/interviews/{interview_id}/invitations")).json())["invitations"]
            assert len(invs) == 1

            # The token expires on DingTalk's side: the next invitation refreshes it once and goes out.
            fake.expire_tokens()
            other = await _interview(http, h.job_id, name="Sam Lee", language="en")
            r = await http.post(f"/api/v1/interviews/{other}/invitations",
                                json={"channel": "dingtalk", "dingtalk_userid": "sam01"})
            assert r.status == 202
            assert (await _wait_status(http, other, "sent"))["attempts"] == 1
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
            r = await http.post(f"/api/v1/interviews/{interview_id}/invitations",
                                json={"channel": "dingtalk", "dingtalk_userid": "u100"})
            assert r.status == 202
            sent = await _wait_status(http, interview_id, "sent")
    assert sent["attempts"] == 3 and len(fake.notices) == 1


async def test_persistent_rate_limit_fails_visibly_and_can_be_sent_again(sqlite_url, tmp_path, fake):
    async with running_server(sqlite_url, tmp_path, **fake.settings(dingtalk_max_attempts=3)) as h:
        async with h.hr_client() as http:
            interview_id = await _interview(http, h.job_id)
            fake.rate_limit_next(1000)
            r = await http.post(f"/api/v1/interviews/{interview_id}/invitations",
                                json={"channel": "dingtalk", "dingtalk_userid": "u100"})
            assert r.status == 202
            failed = await _wait_status(http, interview_id, "failed")
            assert failed["attempts"] == 3
            assert "90018" in failed["last_error"] and "DingTalkRateLimited" in failed["last_error"]
            assert fake.notices == []
            # A failed invitation does not block a new one once DingTalk accepts calls again.
            fake.rate_limit_next(0)
            r = await http.post(f"/api/v1/interviews/{interview_id}/invitations",
                                json={"channel": "dingtalk", "dingtalk_userid": "u100"})
            assert r.status == 202 and (await r.json())["id"] != failed["id"]
            await _wait_status(http, interview_id, "sent")
    assert len(fake.notices) == 1


async def test_wrong_secret_fails_the_invitation_and_the_import_clearly(sqlite_url, tmp_path, fake):
    fake.add_job("ats-1", "Backend")
    async with running_server(sqlite_url, tmp_path, **fake.settings(dingtalk_app_secret="typo")) as h:
        async with h.hr_client() as http:
            interview_id = await _interview(http, h.job_id)
            r = await http.post(f"/api/v1/interviews/{interview_id}/invitations",
                                json={"channel": "dingtalk", "dingtalk_userid": "u1"})
            assert r.status == 202
            failed = await _wait_status(http, interview_id, "failed")
            assert failed["attempts"] == 1  # not retried: only a configuration change helps
            assert "DingTalkAuthError" in failed["last_error"] and "40096" in failed["last_error"]
            r = await http.post(f"/api/v1/jobs/{h.job_id}/imports/dingtalk", json={"ats_job_id": "ats-1"})
            err = (await r.json())["error"]
            assert r.status == 502 and err["code"] == "dingtalk_auth_failed"
            assert "INTERVIEW_DINGTALK_APP_KEY" in err["message"] and "invalidClientIdOrSecret" in err["message"]


async def test_not_configured_and_bad_requests_are_clear(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        async with h.hr_client() as http:
            interview_id = await _interview(http, h.job_id)
            r = await http.post(f"/api/v1/interviews/{interview_id}/invitations",
                                json={"channel": "dingtalk", "dingtalk_userid": "u1"})
            assert r.status == 503 and (await r.json())["error"]["code"] == "dingtalk_not_configured"
            r = await http.post(f"/api/v1/jobs/{h.job_id}/imports/dingtalk", json={"ats_job_id": "x"})
            assert r.status == 503 and (await r.json())["error"]["code"] == "dingtalk_not_configured"
            doc = await (await http.get("/api/v1/openapi.json")).json()
    assert "post" in doc["paths"]["/api/v1/jobs/{job_id}/imports/dingtalk"]
    assert "dingtalk_userid" in doc["components"]["schemas"]["InvitationRequest"]["properties"]
    async with FakeDingTalk() as fake:
        async with running_server(sqlite_url, tmp_path, seed=False, **fake.settings()) as h2:
            async with aiohttp.ClientSession(h2.base_url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
                assert (await http.post("/api/v1/auth/login", json={
                    "email": "hr@acme.test", "password": "correct horse battery staple"})).status == 200
                r = await http.post(f"/api/v1/interviews/{interview_id}/invitations", json={"channel": "dingtalk"})
                assert r.status == 422 and (await r.json())["error"]["code"] == "no_recipient"
                r = await http.post(f"/api/v1/interviews/{interview_id}/invitations",
                                    json={"channel": "dingtalk", "dingtalk_userid": "a,b"})
                assert r.status == 422  # one userid, never a list
                r = await http.post(f"/api/v1/jobs/{h.job_id}/imports/dingtalk", json={"ats_job_id": "nope"})
                err = (await r.json())["error"]
                assert r.status == 502 and err["code"] == "dingtalk_error" and "职位不存在" in err["message"]
                r = await http.post(f"/api/v1/jobs/{h.job_id}/imports/dingtalk", json={})
                assert r.status == 422
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


def _structured(email: str) -> dict:
    """A resume as DingTalk structures it (resumeData), without a file."""
    return {"baseInfo": {"name": "Li Na", "email": email, "phoneNum": "13900001111", "workingYears": 6},
            "workExperiences": [{"companyName": "Tencent", "jobTitle": "Backend Engineer", "startDate": "2019-03-01",
                                 "endDate": "2025-06-30", "description": "Built payment services in Go and Python."}],
            "educationExperiences": [{"schoolName": "Fudan University", "major": "Computer Science",
                                      "startDate": "2012-09-01", "endDate": "2016-06-30"}]}


async def _import(http, job_id, ats_job_id="ats-job-7") -> dict:
    r = await http.post(f"/api/v1/jobs/{job_id}/imports/dingtalk", json={"ats_job_id": ats_job_id})
    assert r.status == 200, await r.text()
    return await r.json()


async def test_ats_import_creates_parsed_candidates_once(db_url, tmp_path, fake):
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
            first = await _import(http, h.job_id)
            by_id = {r["external_id"]: r for r in first["results"]}
            assert first["ats_job_name"] == "后端工程师" and first["truncated"] is False
            assert set(by_id) == {"c-pdf", "c-docx", "c-txt", "c-data", "c-bad", "c-none"}  # not the other job's
            assert first["counts"] == {"created": 4, "updated": 0, "unchanged": 0, "failed": 2}
            assert by_id["c-bad"]["error"]["code"] == "unsupported_type"
            assert by_id["c-none"]["error"]["code"] == "no_resume"

            profiles = {c.external_id: (c, r.profile) for r, c in await store.resumes(h.job_id)}
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
            assert by_id["c-txt"]["candidate_id"] == profiles["c-txt"][0].id

            # Importing again creates nothing new.
            second = await _import(http, h.job_id)
            assert second["counts"] == {"created": 0, "updated": 0, "unchanged": 4, "failed": 2}
            assert {r["candidate_id"] for r in second["results"] if r["candidate_id"]} == \
                {c.id for c, _ in profiles.values()}
            assert len(await store.resumes(h.job_id)) == 4

            # The ATS record changes: that candidate is updated in place.
            fake.candidates["c-data"].resume_data = _structured("li.na@newmail.example.com")
            third = await _import(http, h.job_id)
            assert third["counts"] == {"created": 0, "updated": 1, "unchanged": 3, "failed": 2}
            assert {r["external_id"]: r["status"] for r in third["results"]}["c-data"] == "updated"
            rows = {c.external_id: c for _, c in await store.resumes(h.job_id)}
            assert len(rows) == 4 and rows["c-data"].email == "li.na@newmail.example.com"
            assert rows["c-data"].id == data_cand.id

            # Two imports of the same ATS job into another job at the same time: still one row per candidate,
            # and the same candidates as before (one candidate per DingTalk id in the organisation).
            r = await http.post("/api/v1/jobs", json={"title": "Backend 2", "description": "", "language": "en",
                                                      "questions": [{"text": "Why?"}]})
            job2 = (await r.json())["id"]
            a, b = await asyncio.gather(_import(http, job2), _import(http, job2))
            assert a["counts"]["created"] + b["counts"]["created"] == 4
            again = await store.resumes(job2)
            assert len(again) == 4 and {c.id for _, c in again} == {c.id for c in rows.values()}

    search = fake.calls("/v1.0/ats/flows/search")
    assert search and all(r.query["opUserId"] == fake.operator_userid for r in search)
    assert all(r.headers.get("x-acs-dingtalk-access-token") for r in fake.calls("/v1.0/ats/"))
