"""The actions on each row of the HR interview list: copy the candidate's link again (without a new interview, the
links given before still working), send the invitation again on its channel (real SMTP: a local aiosmtpd; DingTalk:
the local fake), and withdraw the link (then nothing signed for the interview opens it until HR issues a new one)."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import datetime, timezone

import aiohttp
import pytest
from aiosmtpd.controller import Controller

from server.http.auth import hash_password
from tests.fake_dingtalk import FakeDingTalk
from tests.harness import free_port, running_server
from tests.invitation_delivery import invitation_outcome
from tests.test_invitations import Inbox

pytestmark = pytest.mark.unit


async def _json(http: aiohttp.ClientSession, method: str, path: str, **kwargs) -> tuple[int, dict]:
    async with http.request(method, path, **kwargs) as r:
        return r.status, (await r.json() if r.content_type == "application/json" else {})


async def _candidate_session(base_url: str, token: str) -> tuple[int, str]:
    async with aiohttp.ClientSession(base_url) as anon:
        async with anon.get("/api/v1/candidate/session", params={"token": token}) as r:
            body = await r.json()
            return r.status, body.get("candidate_name") or body.get("error", {}).get("code", "")


def _mailed_link(raw: bytes) -> str:
    text = email.message_from_bytes(raw, policy=email.policy.default).get_body(("plain",)).get_content()
    return re.search(r"http://127\.0\.0\.1:\d+/i/\S+", text).group(0)


async def test_copy_link_gives_a_working_link_again_and_breaks_none(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        iv, first = await h.create_interview("Ada Lovelace")
        async with h.hr_client() as hr:
            status, copy = await _json(hr, "GET", f"/api/v1/interviews/{iv}/link")
            assert status == 200 and copy["interview_id"] == iv and copy["link"].endswith("/i/" + copy["token"])
            lasts = datetime.fromisoformat(copy["expires_at"]) - datetime.now(timezone.utc)
            assert abs(lasts.total_seconds() - h.settings.link_max_age_s) < 120  # from now, like a new link
            assert await _candidate_session(h.base_url, copy["token"]) == (200, "Ada Lovelace")
            assert await _candidate_session(h.base_url, first) == (200, "Ada Lovelace")  # the first link still works
            status, listed = await _json(hr, "GET", "/api/v1/interviews")
            assert listed["total"] == 1  # no new interview
            # each copy is in the access log, with the candidate it opens
            reads = [r for r in await h.ctx.store.audit.reads(h.org_id) if r.action == "link.copy"]
            assert len(reads) == 1 and reads[0].subject_id == iv and reads[0].candidates[0][1] == "Ada Lovelace"

            # withdrawn: no copy (HR issues a new link on purpose), and no link signed for it opens the interview
            async with hr.delete(f"/api/v1/interviews/{iv}/link") as r:
                assert r.status == 204
            status, err = await _json(hr, "GET", f"/api/v1/interviews/{iv}/link")
            assert status == 409 and err["error"]["code"] == "link_revoked"
            current = await h.ctx.store.interviews.get(iv)
            resigned = h.ctx.signer.link_token(iv, current.link_nonce)  # even with the current nonce
            assert await _candidate_session(h.base_url, resigned) == (403, "invalid_link")
            assert await _candidate_session(h.base_url, copy["token"]) == (403, "invalid_link")
            status, fresh = await _json(hr, "POST", f"/api/v1/interviews/{iv}/link")
            assert status == 200
            status, again = await _json(hr, "GET", f"/api/v1/interviews/{iv}/link")
            assert status == 200 and await _candidate_session(h.base_url, again["token"]) == (200, "Ada Lovelace")
            assert await _candidate_session(h.base_url, fresh["token"]) == (200, "Ada Lovelace")

            await h.ctx.store.interviews.update(iv, status="finished")
            status, err = await _json(hr, "GET", f"/api/v1/interviews/{iv}/link")
            assert status == 409 and err["error"]["code"] == "interview_finished"
            # an ended interview's link is not withdrawn: the candidate still asks for a human review with it
            status, err = await _json(hr, "DELETE", f"/api/v1/interviews/{iv}/link")
            assert status == 409 and err["error"]["code"] == "interview_finished"
            assert "human review" in err["error"]["message"]
            async with aiohttp.ClientSession(h.base_url) as cand, \
                    cand.post("/api/v1/candidate/review-request", json={"token": again["token"]}) as r:
                assert r.status == 200, await r.text()
            assert (await h.ctx.store.interviews.get(iv)).review_requested_at is not None

        # who may take a candidate's link: the job's recruiters and admins only
        for role in ("hiring_manager", "observer"):
            user = await h.ctx.store.accounts.create_user(h.org_id, f"{role}@acme.test", hash_password("pw-123456789"),
                                                          role=role)
            if role == "hiring_manager":
                await h.ctx.store.assignments.assign_job(h.org_id, h.job_id, user.id, None)
            else:
                await h.ctx.store.assignments.invite_observer(h.org_id, iv, user.id, None)
            async with h.hr_client(f"{role}@acme.test", "pw-123456789") as other:
                assert (await _json(other, "GET", f"/api/v1/interviews/{iv}/link"))[0] == 403


async def test_a_candidate_name_of_only_spaces_is_refused_with_the_field_named(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h, h.hr_client() as hr:
        for blank in ("   ", "", "\u3000\t"):
            status, err = await _json(hr, "POST", "/api/v1/interviews",
                                      json={"job_id": h.job_id, "candidate": {"name": blank, "email": ""}})
            assert status == 422 and err["error"]["code"] == "invalid_request", err
            assert err["error"]["details"] == [{"field": "candidate.name",
                                                "message": "must not be empty or only spaces"}]
        assert (await _json(hr, "GET", "/api/v1/interviews"))[1]["total"] == 0  # no nameless interview
        status, made = await _json(hr, "POST", "/api/v1/interviews",
                                   json={"job_id": h.job_id, "candidate": {"name": "  Ada Lovelace ", "email": ""}})
        assert status == 201
        assert (await h.ctx.store.interviews.get(made["interview_id"])).candidate.name == "Ada Lovelace"


async def test_resend_sends_the_same_invitation_again_with_a_working_link(sqlite_url, tmp_path):
    inbox = Inbox()
    port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        async with running_server(sqlite_url, tmp_path, smtp_host="127.0.0.1", smtp_port=port) as h:
            async with h.hr_client() as hr:
                status, created = await _json(hr, "POST", "/api/v1/interviews", json={
                    "job_id": h.job_id, "candidate": {"name": "Bo Chen", "email": "bo@example.com"}})
                iv = created["interview_id"]
                status, err = await _json(hr, "POST", f"/api/v1/interviews/{iv}/invitations/resend")
                assert status == 409 and err["error"]["code"] == "no_invitation"  # nothing to send again yet
                row = (await _json(hr, "GET", "/api/v1/interviews"))[1]["interviews"][0]
                assert "resend" not in row["actions"] and row["invitation"] is None

                first = (await _json(hr, "POST", f"/api/v1/interviews/{iv}/invitations",
                                     json={"email": "bo.chen@work.example"}))[1]
                await invitation_outcome(hr, iv, "sent")
                row = (await _json(hr, "GET", "/api/v1/interviews"))[1]["interviews"][0]
                assert "resend" in row["actions"] and row["invitation"]["status"] == "sent"

                status, again = await _json(hr, "POST", f"/api/v1/interviews/{iv}/invitations/resend")  # no body
                assert status == 202 and again["id"] != first["id"] and again["recipient"] == "bo.chen@work.example"
                await invitation_outcome(hr, iv, "sent")
                status, named = await _json(hr, "POST", f"/api/v1/interviews/{iv}/invitations/resend",
                                            json={"invitation_id": first["id"]})
                assert status == 202 and named["recipient"] == "bo.chen@work.example"
                await invitation_outcome(hr, iv, "sent")
                status, err = await _json(hr, "POST", f"/api/v1/interviews/{iv}/invitations/resend",
                                          json={"invitation_id": "0" * 32})
                assert status == 404
                status, err = await _json(hr, "POST", f"/api/v1/interviews/{iv}/invitations/resend",
                                          json={"invitation_id": first["id"], "extra": 1})
                assert status == 422

                assert len(inbox.messages) == 3 and {m[1][0] for m in inbox.messages} == {"bo.chen@work.example"}
                links = [_mailed_link(m[2]) for m in inbox.messages]
                for link in links:  # every mail's link works: sending again broke none
                    assert await _candidate_session(h.base_url, link.rsplit("/", 1)[1]) == (200, "Bo Chen")
                assert (await _json(hr, "GET", "/api/v1/interviews"))[1]["total"] == 1  # still one interview

                async with hr.delete(f"/api/v1/interviews/{iv}/link") as r:
                    assert r.status == 204
                for path, body in ((f"/api/v1/interviews/{iv}/invitations/resend", None),
                                   (f"/api/v1/interviews/{iv}/invitations", {"channel": "email"})):
                    status, err = await _json(hr, "POST", path, json=body)
                    assert status == 409 and err["error"]["code"] == "link_revoked", path  # a dead link is not sent
                assert len(inbox.messages) == 3
    finally:
        smtp.stop()


async def test_resend_by_dingtalk_sends_a_sent_notice_again_but_never_doubles_one_on_its_way(sqlite_url, tmp_path):
    async with FakeDingTalk() as fake:
        async with running_server(sqlite_url, tmp_path, **fake.settings(dingtalk_max_attempts=5)) as h:
            async with h.hr_client() as hr:
                iv, _ = await h.create_interview("王芳", language="zh")
                status, first = await _json(hr, "POST", f"/api/v1/interviews/{iv}/invitations",
                                            json={"channel": "dingtalk", "dingtalk_userid": "wangfang01"})
                assert status == 202
                await invitation_outcome(hr, iv, "sent")
                status, again = await _json(hr, "POST", f"/api/v1/interviews/{iv}/invitations/resend", json={})
                assert status == 202 and again["channel"] == "dingtalk" and again["recipient"] == "wangfang01"
                await invitation_outcome(hr, iv, "sent")
                assert len(fake.notices) == 2  # sent again, although the first one was sent

                fake.rate_limit_next(1000)  # DingTalk refuses for now: the next one stays on its way, retrying
                status, third = await _json(hr, "POST", f"/api/v1/interviews/{iv}/invitations/resend", json={})
                assert status == 202
                status, same = await _json(hr, "POST", f"/api/v1/interviews/{iv}/invitations/resend", json={})
                assert status == 200 and same["id"] == third["id"]  # not a second notice while it is on its way
                fake.rate_limit_next(0)
                await invitation_outcome(hr, iv, "sent", timeout=30)
            assert [n["userid_list"] for n in fake.notices] == ["wangfang01"] * 3
            for notice in fake.notices:
                token = notice["msg"]["action_card"]["single_url"].rsplit("/", 1)[1]
                assert await _candidate_session(h.base_url, token) == (200, "王芳")


async def test_resend_is_not_offered_on_a_channel_this_server_has_not_set_up(sqlite_url, tmp_path):
    """An invitation went out by e-mail (here: stored as if; e.g. before the mail settings were removed, or demo
    data); on a server without e-mail the row offers no resend, which would only fail."""
    async with running_server(sqlite_url, tmp_path) as h, h.hr_client() as hr:
        iv, _ = await h.create_interview("Bo Chen")
        await h.ctx.store.invitations.add(iv, "email", "bo@example.com", "en")
        row = (await _json(hr, "GET", "/api/v1/interviews"))[1]["interviews"][0]
        assert row["invitation"]["channel"] == "email"
        assert "resend" not in row["actions"] and "copy_link" in row["actions"], row["actions"]
        status, err = await _json(hr, "POST", f"/api/v1/interviews/{iv}/invitations/resend")
        assert status == 503 and err["error"]["code"] == "email_not_configured"  # as the route says, if asked
