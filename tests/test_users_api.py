"""Accounts managed by admins: creating a user gives a one-time set-password link that works once and expires; the
user then logs in; roles change except the organisation's last admin; a deactivated user's logins end at once and
they cannot log in again until reactivated (their records stay); only admins of the organisation may do any of it.
With SMTP configured the link is also e-mailed (a local aiosmtpd server). On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import email
import email.policy
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
from aiosmtpd.controller import Controller

from server.http.auth import hash_password
from server.storage.accounts import LastAdmin
from server.storage.models import User
from server.storage.store import Store
from tests.harness import HR_EMAIL, free_port, running_server, until
from tests.test_invitations import Inbox

pytestmark = pytest.mark.unit

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@acme.test", "admin password 1"
NEW_PASSWORD = "a new password 1"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def _token(link: str) -> str:
    return parse_qs(urlparse(link).query)["token"][0]


async def _login(base_url: str, email: str, password: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession(base_url) as http:
        async with http.post("/api/v1/auth/login", json={"email": email, "password": password}) as r:
            return r.status, await r.json()


async def _admin(h) -> str:
    return (await h.ctx.store.accounts.create_user(h.org_id, ADMIN_EMAIL, hash_password(ADMIN_PASSWORD),
                                                   role="admin", name="Ada Admin")).id


async def test_a_new_user_sets_a_password_by_the_link_once_and_logs_in(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        await _admin(h)
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            async with admin.post("/api/v1/users", json={"email": "Lin@Acme.test", "display_name": "Lin Wei",
                                                         "role": "hiring_manager"}) as r:
                assert r.status == 201, await r.text()
                made = await r.json()
            assert made["user"]["email"] == "lin@acme.test" and made["user"]["role"] == "hiring_manager"
            assert made["user"]["active"] and made["user"]["last_login_at"] is None
            assert made["emailed"] is False  # no SMTP here: the admin passes the link on
            link = made["set_password_link"]
            assert link.startswith(h.base_url + "/set-password?token=")
            async with admin.get("/api/v1/team") as r:
                listed = {u["email"]: u for u in (await r.json())["users"]}
            assert listed["lin@acme.test"]["role"] == "hiring_manager"

        # no password yet: nothing logs in
        assert (await _login(h.base_url, "lin@acme.test", "!unset"))[0] == 401
        async with aiohttp.ClientSession(h.base_url) as anon:
            async with anon.post("/api/v1/auth/password-link", json={"token": _token(link)}) as r:
                assert r.status == 200 and (await r.json()) == {"email": "lin@acme.test", "display_name": "Lin Wei"}
            async with anon.post("/api/v1/auth/set-password", json={"token": _token(link), "password": "short"}) as r:
                assert r.status == 422  # the project's password rule: at least 10 characters
            async with anon.post("/api/v1/auth/set-password", json={"token": _token(link),
                                                                    "password": NEW_PASSWORD}) as r:
                assert r.status == 200, await r.text()
            async with anon.post("/api/v1/auth/set-password", json={"token": _token(link),
                                                                    "password": "another password 2"}) as r:
                assert r.status == 410 and (await r.json())["error"]["code"] == "link_used"
            async with anon.post("/api/v1/auth/password-link", json={"token": _token(link) + "x"}) as r:
                assert r.status == 400 and (await r.json())["error"]["code"] == "invalid_link"
        status, body = await _login(h.base_url, "lin@acme.test", NEW_PASSWORD)
        assert status == 200 and body["user"]["role"] == "hiring_manager"
        assert (await _login(h.base_url, "lin@acme.test", "another password 2"))[0] == 401
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin, admin.get("/api/v1/team") as r:
            lin = next(u for u in (await r.json())["users"] if u["email"] == "lin@acme.test")
        assert lin["last_login_at"] is not None


async def test_links_expire_and_a_new_link_replaces_the_old(sqlite_url, tmp_path):
    clock = Clock()
    async with running_server(sqlite_url, tmp_path, password_link_max_age_s=3600) as h:
        h.ctx.login_clock = clock
        await _admin(h)
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            async with admin.post("/api/v1/users", json={"email": "obs@acme.test", "display_name": "Obs",
                                                         "role": "observer"}) as r:
                made = await r.json()
            first = _token(made["set_password_link"])
            clock.now += timedelta(minutes=61)
            async with aiohttp.ClientSession(h.base_url) as anon:
                async with anon.post("/api/v1/auth/set-password", json={"token": first, "password": NEW_PASSWORD}) as r:
                    assert r.status == 410 and (await r.json())["error"]["code"] == "link_expired"
            async with admin.post(f"/api/v1/users/{made['user']['id']}/password-link", json={}) as r:
                assert r.status == 200
                second = _token((await r.json())["set_password_link"])
            clock.now += timedelta(minutes=30)
        async with aiohttp.ClientSession(h.base_url) as anon:
            async with anon.post("/api/v1/auth/password-link", json={"token": second}) as r:
                assert r.status == 200
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:  # a third link: the second stops working
            async with admin.post(f"/api/v1/users/{made['user']['id']}/password-link", json={}) as r:
                third = _token((await r.json())["set_password_link"])
        async with aiohttp.ClientSession(h.base_url) as anon:
            async with anon.post("/api/v1/auth/set-password", json={"token": second, "password": NEW_PASSWORD}) as r:
                assert r.status == 410 and (await r.json())["error"]["code"] == "link_used"
            async with anon.post("/api/v1/auth/set-password", json={"token": third, "password": NEW_PASSWORD}) as r:
                assert r.status == 200
        assert (await _login(h.base_url, "obs@acme.test", NEW_PASSWORD))[0] == 200


async def test_validation_duplicates_and_who_may_manage_accounts(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        await _admin(h)
        other = await h.ctx.store.accounts.create_org("Other company")
        stranger = await h.ctx.store.accounts.create_user(other.id, "x@other.test", hash_password(ADMIN_PASSWORD),
                                                          role="recruiter")
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            for bad in ({"email": "no-at-sign", "display_name": "A", "role": "recruiter"},
                        {"email": "a@acme.test", "display_name": "A", "role": "superuser"},
                        {"email": "a@acme.test", "display_name": "", "role": "recruiter"},
                        {"email": "a@acme.test", "display_name": "   ", "role": "recruiter"},
                        {"email": "a@acme.test", "role": "recruiter"}):
                async with admin.post("/api/v1/users", json=bad) as r:
                    assert r.status == 422, bad
                    assert (await r.json())["error"]["code"] == "invalid_request"
            async with admin.post("/api/v1/users", json={"email": HR_EMAIL.upper(), "display_name": "Again",
                                                         "role": "observer"}) as r:
                assert r.status == 409 and (await r.json())["error"]["code"] == "email_taken"
            async with admin.post("/api/v1/users", json={"email": "x@other.test", "display_name": "Again",
                                                         "role": "observer"}) as r:
                assert r.status == 409  # e-mails are login names: one account each, across organisations
            async with admin.put(f"/api/v1/users/{stranger.id}/role", json={"role": "admin"}) as r:
                assert r.status == 404  # another organisation's user is not there for this admin
            async with admin.put(f"/api/v1/users/{stranger.id}/active", json={"active": False}) as r:
                assert r.status == 404
        assert (await h.ctx.store.accounts.user(stranger.id)).role == "recruiter"
        async with h.hr_client() as recruiter:  # a recruiter manages no accounts
            async with recruiter.post("/api/v1/users", json={"email": "b@acme.test", "display_name": "B",
                                                             "role": "admin"}) as r:
                assert r.status == 403
            async with recruiter.put(f"/api/v1/users/{h.hr_user_id}/role", json={"role": "admin"}) as r:
                assert r.status == 403
        assert (await h.ctx.store.accounts.user(h.hr_user_id)).role == "recruiter"
        assert await h.ctx.store.accounts.user_by_email("b@acme.test") is None


async def test_roles_change_but_the_last_admin_stays(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        admin_id = await _admin(h)
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            async with admin.put(f"/api/v1/users/{admin_id}/role", json={"role": "recruiter"}) as r:
                assert r.status == 409 and (await r.json())["error"]["code"] == "last_admin"
            async with admin.put(f"/api/v1/users/{h.hr_user_id}/role", json={"role": "admin"}) as r:
                assert r.status == 200 and (await r.json())["role"] == "admin"
            async with admin.put(f"/api/v1/users/{admin_id}/role", json={"role": "observer"}) as r:
                assert r.status == 200  # another admin remains
            async with admin.get("/api/v1/team") as r:
                assert r.status == 403  # the change applies at once: no longer an admin
        async with h.hr_client() as new_admin:  # the former recruiter, now the last admin
            async with new_admin.put(f"/api/v1/users/{h.hr_user_id}/active", json={"active": False}) as r:
                assert r.status == 409  # not one's own account
            async with new_admin.put(f"/api/v1/users/{h.hr_user_id}/role", json={"role": "recruiter"}) as r:
                assert r.status == 409 and (await r.json())["error"]["code"] == "last_admin"
            async with new_admin.put(f"/api/v1/users/{admin_id}/role", json={"role": "root"}) as r:
                assert r.status == 422


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(db_url):
    """The last-admin rule holds under a race: of two admins changed at the same moment (a demotion and a
    deactivation, or two demotions), one change goes through and the other is refused, never both."""
    store = Store(db_url)
    await store.migrate()
    try:
        org = await store.accounts.create_org("Race")
        a = await store.accounts.create_user(org.id, "a@race.test", "x", role="admin")
        b = await store.accounts.create_user(org.id, "b@race.test", "x", role="admin")
        for round_ in range(6):
            first, second = (a, b) if round_ % 2 else (b, a)
            results = await asyncio.gather(store.accounts.change(first, role="recruiter"),
                                           store.accounts.change(second, active=False), return_exceptions=True)
            refused = [r for r in results if isinstance(r, LastAdmin)]
            assert len(refused) == 1 and all(isinstance(r, (LastAdmin, User)) for r in results), results
            assert await store.accounts.active_admins(org.id) == 1
            a = await store.accounts.change(await store.accounts.user(a.id), role="admin", active=True)
            b = await store.accounts.change(await store.accounts.user(b.id), role="admin", active=True)
    finally:
        await store.close()


async def test_deactivation_ends_logins_at_once_and_refuses_login_until_reactivated(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        await _admin(h)
        iv, _ = await h.create_interview("Ada Park")  # the recruiter's work, which stays
        async with h.hr_client() as recruiter, h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            async with recruiter.get("/api/v1/interviews") as r:
                assert r.status == 200
            async with admin.put(f"/api/v1/users/{h.hr_user_id}/active", json={"active": False}) as r:
                assert r.status == 200 and (await r.json())["active"] is False
            async with recruiter.get("/api/v1/interviews") as r:
                assert r.status == 401  # the open login ended with the deactivation
            status, body = await _login(h.base_url, HR_EMAIL, "correct horse battery staple")
            assert status == 403 and body["error"]["code"] == "account_deactivated"
            assert (await _login(h.base_url, HR_EMAIL, "wrong password 123"))[0] == 401
            async with admin.get(f"/api/v1/interviews/{iv}") as r:
                assert r.status == 200  # their records remain
            async with admin.post(f"/api/v1/users/{h.hr_user_id}/password-link", json={}) as r:
                assert r.status == 409  # no link for a deactivated account
            async with admin.put(f"/api/v1/users/{h.hr_user_id}/active", json={"active": True}) as r:
                assert r.status == 200 and (await r.json())["active"] is True
        assert (await _login(h.base_url, HR_EMAIL, "correct horse battery staple"))[0] == 200


async def test_a_deactivated_users_link_stops_working(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        await _admin(h)
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            async with admin.post("/api/v1/users", json={"email": "r@acme.test", "display_name": "R",
                                                         "role": "recruiter"}) as r:
                made = await r.json()
            async with admin.put(f"/api/v1/users/{made['user']['id']}/active", json={"active": False}) as r:
                assert r.status == 200
            async with admin.put(f"/api/v1/users/{made['user']['id']}/active", json={"active": True}) as r:
                assert r.status == 200
        async with aiohttp.ClientSession(h.base_url) as anon:
            async with anon.post("/api/v1/auth/set-password", json={"token": _token(made["set_password_link"]),
                                                                    "password": NEW_PASSWORD}) as r:
                assert r.status == 410


async def test_with_smtp_the_link_is_emailed_in_the_admins_language(sqlite_url, tmp_path):
    inbox, port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        async with running_server(sqlite_url, tmp_path, smtp_host="127.0.0.1", smtp_port=port,
                                  mail_from="Acme <it@acme.test>") as h:
            await _admin(h)
            async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
                async with admin.post("/api/v1/users", json={"email": "wang@acme.test", "display_name": "王芳",
                                                             "role": "recruiter", "language": "zh"}) as r:
                    made = await r.json()
            assert made["emailed"] is True
            await until(lambda: bool(inbox.messages), what="the set-password mail")
            _, rcpts, raw = inbox.messages[0]
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            assert rcpts == ["wang@acme.test"] and "设置密码" in msg["Subject"] and "Acme" in msg["Subject"]
            text = msg.get_body(("plain",)).get_content()
            assert "王芳" in text and made["set_password_link"] in text
            assert made["set_password_link"] in msg.get_body(("html",)).get_content()
    finally:
        smtp.stop()

