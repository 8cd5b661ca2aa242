"""Logins that end and logins that are limited: logout, password change and an admin's "sign out everywhere" end a
login on the server (a replayed cookie gets 401), idle and absolute timeouts, the back-off and lock per account and
per address, and requests from other sites or with non-JSON bodies refused (login CSRF)."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timedelta, timezone

import aiohttp
import pytest
from yarl import URL

from server.http import auth
from server.http.auth import PasswordsBusy, PasswordWorker, hash_password
from server.http.routes.common import SESSION_COOKIE
from tests.harness import HR_EMAIL, HR_PASSWORD, running_server, until

pytestmark = pytest.mark.unit

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@acme.test", "admin password 1"


class Clock:
    """The server's "now" for logins, moved by the test instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def _token(http: aiohttp.ClientSession, base_url: str) -> str:
    return http.cookie_jar.filter_cookies(URL(base_url))[SESSION_COOKIE].value


async def _status_with(base_url: str, token: str, path: str = "/api/v1/auth/me") -> int:
    """The status of ``path`` for a client that only replays this session cookie."""
    async with aiohttp.ClientSession(base_url, headers={"Cookie": f"{SESSION_COOKIE}={token}"}) as http:
        async with http.get(path) as r:
            return r.status


async def _login(base_url: str, email: str, password: str, **headers) -> tuple[int, dict, dict]:
    async with aiohttp.ClientSession(base_url) as http:
        async with http.post("/api/v1/auth/login", json={"email": email, "password": password},
                             headers=headers) as r:
            return r.status, await r.json(), dict(r.headers)


async def test_a_replayed_cookie_gets_401_after_logout(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h, h.hr_client() as http:
        token = _token(http, h.base_url)
        assert await _status_with(h.base_url, token) == 200
        async with http.post("/api/v1/auth/logout") as r:
            assert r.status == 204
        assert await _status_with(h.base_url, token) == 401  # was 200 for 12 h while logins were signed cookies
        assert await _status_with(h.base_url, token, "/api/v1/interviews") == 401


async def test_idle_and_absolute_timeouts_end_a_login(sqlite_url, tmp_path):
    clock = Clock()
    async with running_server(sqlite_url, tmp_path, session_idle_s=3600, session_max_age_s=4 * 3600) as h:
        h.ctx.login_clock = clock
        async with h.hr_client() as idle:
            clock.advance(minutes=59)
            assert await _status_with(h.base_url, _token(idle, h.base_url)) == 200  # used: the hour starts again
            clock.advance(minutes=59)
            assert await _status_with(h.base_url, _token(idle, h.base_url)) == 200
            clock.advance(minutes=61)
            assert await _status_with(h.base_url, _token(idle, h.base_url)) == 401
        async with h.hr_client() as busy:  # used every half hour, yet over after four hours
            for _ in range(7):
                clock.advance(minutes=30)
                assert await _status_with(h.base_url, _token(busy, h.base_url)) == 200
            clock.advance(minutes=31)
            assert await _status_with(h.base_url, _token(busy, h.base_url)) == 401


async def test_a_password_change_ends_every_other_login(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h, h.hr_client() as laptop, h.hr_client() as phone:
        old_laptop_token = _token(laptop, h.base_url)
        cases = [({"current_password": "not it", "new_password": "a new password 2"}, 403, "wrong_password"),
                 ({"current_password": HR_PASSWORD, "new_password": "short"}, 422, "invalid_request"),
                 ({"current_password": HR_PASSWORD, "new_password": HR_PASSWORD}, 422, "same_password")]
        for body, status, code in cases:
            async with laptop.post("/api/v1/auth/password", json=body) as r:
                assert (r.status, (await r.json())["error"]["code"]) == (status, code)
        assert await _status_with(h.base_url, _token(phone, h.base_url)) == 200  # nothing changed yet

        async with laptop.post("/api/v1/auth/password", json={"current_password": HR_PASSWORD,
                                                              "new_password": "a new password 2"}) as r:
            assert r.status == 200 and await r.json() == {"ended": 2}
        async with laptop.get("/api/v1/auth/me") as r:
            assert r.status == 200  # this browser was given a new login
        assert await _status_with(h.base_url, old_laptop_token) == 401
        async with phone.get("/api/v1/auth/me") as r:
            assert r.status == 401
        assert (await _login(h.base_url, HR_EMAIL, HR_PASSWORD))[0] == 401
        assert (await _login(h.base_url, HR_EMAIL, "a new password 2"))[0] == 200


async def test_an_admin_signs_a_user_out_everywhere_also_an_open_live_view(db_url, tmp_path):
    async with running_server(db_url, tmp_path, session_stream_check_s=0.2) as h:
        await h.ctx.store.accounts.create_user(h.org_id, ADMIN_EMAIL, hash_password(ADMIN_PASSWORD), role="admin")
        other = await h.ctx.store.accounts.create_org("Other Co")
        await h.ctx.store.accounts.create_user(other.id, "admin@other.test", hash_password(ADMIN_PASSWORD),
                                               role="admin")
        interview_id, _ = await h.create_interview("Ada")
        async with h.hr_client() as laptop, h.hr_client() as phone, \
                h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin, \
                h.hr_client("admin@other.test", ADMIN_PASSWORD) as foreign_admin:
            hr = await h.ctx.store.accounts.user_by_email(HR_EMAIL)
            async with laptop.get("/api/v1/sessions") as r:  # HR users do not see or end others' logins
                assert r.status == 403
            async with laptop.delete(f"/api/v1/users/{hr.id}/sessions") as r:
                assert r.status == 403
            async with foreign_admin.delete(f"/api/v1/users/{hr.id}/sessions") as r:
                assert r.status == 404  # another organisation's user: as if there were none
            async with admin.get("/api/v1/sessions") as r:
                listed = {u["email"]: u for u in (await r.json())["users"]}
            # the two browsers' logins and the one that created the interview
            assert set(listed) == {HR_EMAIL, ADMIN_EMAIL} and listed[HR_EMAIL]["sessions"] == 3
            assert listed[HR_EMAIL]["last_seen_at"] is not None

            ws = await phone.ws_connect(f"/ws/v1/interviews/{interview_id}/observe")
            assert (await ws.receive_json())["type"] == "snapshot"
            async with admin.delete(f"/api/v1/users/{hr.id}/sessions") as r:
                assert r.status == 200 and await r.json() == {"ended": 3}
            for http in (laptop, phone):
                async with http.get("/api/v1/interviews") as r:
                    assert r.status == 401
            closed = await asyncio.wait_for(_closed(ws), 10)
            assert closed == 4401  # the live view ended with the login
            async with admin.get("/api/v1/sessions") as r:
                assert {u["email"]: u["sessions"] for u in (await r.json())["users"]}[HR_EMAIL] == 0


async def _closed(ws) -> int:
    while True:
        msg = await ws.receive()
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
            return ws.close_code


async def test_wrong_passwords_back_off_then_lock_the_account(db_url, tmp_path):
    clock = Clock()
    limits = dict(login_backoff_after=2, login_lock_after=4, login_backoff_s=30, login_lock_s=900,
                  login_address_backoff_after=100, login_address_lock_after=100)
    async with running_server(db_url, tmp_path, **limits) as h:
        h.ctx.login_clock = clock
        for _ in range(2):
            assert (await _login(h.base_url, HR_EMAIL, "wrong"))[0] == 401
        status, body, headers = await _login(h.base_url, HR_EMAIL, HR_PASSWORD)  # even the right one waits
        assert (status, body["error"]["code"], headers["Retry-After"]) == (429, "login_wait", "30")
        clock.advance(seconds=31)
        assert (await _login(h.base_url, HR_EMAIL, "wrong"))[0] == 401  # the 3rd: the next waits 60 s
        clock.advance(seconds=45)
        assert (await _login(h.base_url, HR_EMAIL, "wrong"))[1]["error"]["code"] == "login_wait"
        clock.advance(seconds=16)
        assert (await _login(h.base_url, HR_EMAIL, "wrong"))[0] == 401  # the 4th locks
        status, body, headers = await _login(h.base_url, HR_EMAIL, HR_PASSWORD)
        assert (status, body["error"]["code"], headers["Retry-After"]) == (429, "login_locked", "900")
        assert "locked for 15 min" in body["error"]["message"]
        # an address's other account is not affected; an unknown e-mail is throttled the same way
        await h.ctx.store.accounts.create_user(h.org_id, "second@acme.test", hash_password("second pw 123"))
        assert (await _login(h.base_url, "second@acme.test", "second pw 123"))[0] == 200
        for _ in range(2):
            assert (await _login(h.base_url, "nobody@acme.test", "wrong"))[0] == 401
        assert (await _login(h.base_url, "nobody@acme.test", "wrong"))[1]["error"]["code"] == "login_wait"

        clock.advance(seconds=901)
        assert (await _login(h.base_url, HR_EMAIL, HR_PASSWORD))[0] == 200  # the lock is over; counting restarts
        for _ in range(2):
            assert (await _login(h.base_url, HR_EMAIL, "wrong"))[0] == 401


async def test_wrong_passwords_from_one_address_lock_it_and_proxies_are_seen_through(sqlite_url, tmp_path):
    clock = Clock()
    limits = dict(login_backoff_after=100, login_lock_after=100, login_address_backoff_after=3,
                  login_address_lock_after=3, login_lock_s=600, trusted_proxies=["127.0.0.0/8"])
    async with running_server(sqlite_url, tmp_path, **limits) as h:
        h.ctx.login_clock = clock
        for n in range(3):  # a different account each time, all from one address
            assert (await _login(h.base_url, f"guess{n}@acme.test", "wrong",
                                 **{"X-Forwarded-For": "198.51.100.7"}))[0] == 401
        status, body, _ = await _login(h.base_url, HR_EMAIL, HR_PASSWORD, **{"X-Forwarded-For": "198.51.100.7"})
        assert (status, body["error"]["code"]) == (429, "login_locked")
        # a claim further left in the header is the caller's own and does not move them to another address
        forged = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}
        assert (await _login(h.base_url, HR_EMAIL, HR_PASSWORD, **forged))[0] == 429
        assert (await _login(h.base_url, HR_EMAIL, HR_PASSWORD, **{"X-Forwarded-For": "203.0.113.9"}))[0] == 200


async def test_requests_from_other_sites_and_non_json_bodies_are_refused(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        body = f'{{"email": "{HR_EMAIL}", "password": "{HR_PASSWORD}"}}'
        async with aiohttp.ClientSession(h.base_url) as http:
            # what a foreign page's form can send without asking first: text/plain (the login CSRF) or a form
            for content_type in ("text/plain", "application/x-www-form-urlencoded"):
                async with http.post("/api/v1/auth/login", data=body, headers={"Content-Type": content_type}) as r:
                    assert r.status == 415 and (await r.json())["error"]["code"] == "unsupported_media_type"
                    assert SESSION_COOKIE not in r.cookies
            assert (await _login(h.base_url, HR_EMAIL, HR_PASSWORD, Origin="https://evil.example"))[0] == 403
            assert (await _login(h.base_url, HR_EMAIL, HR_PASSWORD, Origin="null"))[0] == 403
            assert (await _login(h.base_url, HR_EMAIL, HR_PASSWORD, **{"Sec-Fetch-Site": "cross-site"}))[0] == 403
            assert (await _login(h.base_url, HR_EMAIL, HR_PASSWORD, Origin=h.base_url))[0] == 200  # its own page
        interview_id, _ = await h.create_interview("Ada")
        async with h.hr_client() as hr:  # with the HR user's cookie, a foreign page changes nothing either
            async with hr.post("/api/v1/interviews", json={"job_id": h.job_id, "candidate": {"name": "Eve"}},
                               headers={"Origin": "https://evil.example"}) as r:
                assert r.status == 403 and (await r.json())["error"]["code"] == "foreign_origin"
            async with hr.post("/api/v1/auth/logout", headers={"Origin": "https://evil.example"}) as r:
                assert r.status == 403
            with pytest.raises(aiohttp.WSServerHandshakeError) as exc:
                await hr.ws_connect(f"/ws/v1/interviews/{interview_id}/observe", origin="https://evil.example")
            assert exc.value.status == 403
            async with hr.get("/api/v1/interviews") as r:
                assert [i["candidate_name"] for i in (await r.json())["interviews"]] == ["Ada"]


async def test_passwords_are_checked_off_the_event_loop_and_the_wait_is_bounded(monkeypatch):
    threads: list[str] = []

    def recording_verify(password_hash: str, password: str) -> bool:
        threads.append(threading.current_thread().name)
        return password == "right"

    monkeypatch.setattr(auth, "verify_password", recording_verify)
    worker = PasswordWorker(threads=1, max_waiting=1)
    try:
        assert await worker.verify("h", "right") and not await worker.verify("h", "wrong")
        assert threads and all(name.startswith("password-hash") for name in threads)
        assert threading.current_thread().name not in threads

        release = asyncio.Event()
        entered = asyncio.Event()

        async def hold_a_turn() -> None:
            async with worker.turn():
                entered.set()
                await release.wait()

        holder = asyncio.create_task(hold_a_turn())
        await entered.wait()
        waiter = asyncio.create_task(_take_turn(worker))  # waits: the one allowed to
        await until(lambda: worker._waiting == 1, what="the second caller waiting")
        with pytest.raises(PasswordsBusy):
            async with worker.turn():
                pass
        release.set()
        await asyncio.gather(holder, waiter)
        async with worker.turn():  # free again
            pass
    finally:
        worker.close()


async def _take_turn(worker: PasswordWorker) -> None:
    async with worker.turn():
        pass

