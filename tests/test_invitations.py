"""E-mail invitations over real SMTP (a local aiosmtpd server): the message, its link, and failures HR can see."""

from __future__ import annotations

import email
import email.policy
import re

import aiohttp
import pytest
from aiosmtpd.controller import Controller

from tests.harness import free_port, running_server
from tests.invitation_delivery import invitation_outcome, signed_webhook_receiver

pytestmark = pytest.mark.unit


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


async def test_email_invitation_arrives_with_a_working_link(sqlite_url, tmp_path):
    inbox = Inbox()
    port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        async with running_server(sqlite_url, tmp_path, smtp_host="127.0.0.1", smtp_port=port,
                                  mail_from="Acme Hiring <hiring@acme.test>") as h:
            async with h.hr_client() as http:
                r = await http.post("/api/v1/interviews", json={
                    "job_id": h.job_id, "candidate": {"name": "王芳", "email": "wangfang@example.com"},
                    "language": "zh"})
                interview_id = (await r.json())["interview_id"]
                r = await http.post(f"/api/v1/interviews/{interview_id}/invitations", json={"channel": "email"})
                assert r.status == 202 and (await r.json())["status"] == "pending"
                sent = await invitation_outcome(http, interview_id, "sent")
                assert sent["recipient"] == "wangfang@example.com" and sent["attempts"] == 1
            assert len(inbox.messages) == 1
            mail_from, rcpts, raw = inbox.messages[0]
            assert rcpts == ["wangfang@example.com"]
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            assert "面试邀请" in msg["Subject"] and "Engineer" in msg["Subject"]
            text = msg.get_body(("plain",)).get_content()
            html = msg.get_body(("html",)).get_content()
            assert "王芳" in text and "AI 面试官" in text and 'lang="zh"' in html
            link = re.search(r"http://127\.0\.0\.1:\d+/i/\S+", text).group(0)
            assert link in html
            # The link in the mail is the candidate's own, working link.
            token = link.rsplit("/", 1)[1]
            async with aiohttp.ClientSession(h.base_url) as anon:
                session = await (await anon.get("/api/v1/candidate/session", params={"token": token})).json()
            assert session["interview_id"] == interview_id and session["candidate_name"] == "王芳"
    finally:
        smtp.stop()


async def test_unreachable_mail_server_is_retried_and_shown_as_failed(sqlite_url, tmp_path):
    dead_port = free_port()  # nothing listens here
    async with running_server(sqlite_url, tmp_path, smtp_host="127.0.0.1", smtp_port=dead_port) as h:
        async with h.hr_client() as http:
            interview_id, _ = await h.create_interview("Sam")
            r = await http.post(f"/api/v1/interviews/{interview_id}/invitations", json={"email": "sam@example.com"})
            assert r.status == 202
            failed = await invitation_outcome(http, interview_id, "failed", timeout=30)
            assert failed["attempts"] == 3 and failed["last_error"]
            r = await http.post(f"/api/v1/interviews/{interview_id}/invitations", json={})
            assert r.status == 422 and (await r.json())["error"]["code"] == "no_recipient"


async def test_email_not_configured_is_a_clear_error(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        async with h.hr_client() as http:
            interview_id, _ = await h.create_interview("Sam")
            r = await http.post(f"/api/v1/interviews/{interview_id}/invitations", json={"email": "sam@example.com"})
            assert r.status == 503 and (await r.json())["error"]["code"] == "email_not_configured"


async def test_signed_webhook_is_verified_by_the_receiver_and_retried_after_a_server_error(sqlite_url, tmp_path):
    secret = "shared-secret-for-the-sms-gateway"
    # the gateway is briefly down at first: the sender retries
    async with signed_webhook_receiver(secret, fail_first=1) as hook:
        async with running_server(sqlite_url, tmp_path, invite_webhook_url=hook.url,
                                  invite_webhook_secret=secret) as h:
            async with h.hr_client() as http:
                interview_id, _ = await h.create_interview("Ola")
                r = await http.post(f"/api/v1/interviews/{interview_id}/invitations", json={"channel": "webhook"})
                assert r.status == 202
                sent = await invitation_outcome(http, interview_id, "sent")
        assert sent["attempts"] == 2 and hook.calls == 2
        assert len(hook.received) == 1 and hook.received[0]["key"] == sent["id"]
        payload = hook.received[0]["payload"]
        assert payload["event"] == "interview.invitation" and payload["candidate"]["name"] == "Ola"
        assert payload["link"].startswith("http://127.0.0.1:") and "/i/" in payload["link"]


async def test_a_forged_signature_is_detectable():
    from server.recruiting.invitations import sign_webhook

    body = b'{"event":"interview.invitation"}'
    good = sign_webhook("s3cret", "1700000000", body)
    assert good.startswith("sha256=") and good == sign_webhook("s3cret", "1700000000", body)
    assert good != sign_webhook("other", "1700000000", body)
    assert good != sign_webhook("s3cret", "1700000001", body)  # the timestamp is signed too (no replays)
