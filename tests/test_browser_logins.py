"""Logins in real Chromium: the login page says why a login is refused (wrong password, wait, locked) in English and
Chinese; on the HR page a user changes their password (their other logins end) and an admin signs a user out
everywhere.

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec .venv/bin/python -m pytest -p no:cacheprovider -m browser tests/test_browser_logins.py'
"""

from __future__ import annotations

import aiohttp
import pytest

from server.http.auth import hash_password
from tests.harness import HR_EMAIL, HR_PASSWORD, running_server
from tests.test_browser_interview import (ARTIFACTS, STEP_TIMEOUT_MS, _page_of, _watch_errors, chromium, hr_page, open_area,
                                          playwright_api)
from tests.test_logins import Clock

pytestmark = pytest.mark.browser

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@acme.test", "admin password 1"


async def _try(page, password: str) -> str:
    await page.fill("#email", HR_EMAIL)
    await page.fill("#password", password)
    await page.click("#login-submit")
    await page.wait_for_function("() => document.getElementById('login-error').textContent.trim() !== ''",
                                 timeout=STEP_TIMEOUT_MS)  # the answer is shown
    return (await page.locator("#login-error").text_content()).strip()


async def test_the_login_page_says_why_a_login_is_refused_in_english_and_chinese(sqlite_url, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    clock = Clock()
    limits = dict(login_backoff_after=1, login_lock_after=2, login_backoff_s=30, login_lock_s=600)
    async with running_server(sqlite_url, tmp_path / "data", **limits) as h, \
            playwright_api.async_playwright() as pw, chromium(pw, tmp_path / "browser") as context:
        h.ctx.login_clock = clock
        page = await _page_of(context)
        _watch_errors(page, errors)
        await page.goto(f"{h.base_url}/login")
        assert await _try(page, "wrong") == "Wrong email or password."
        await page.fill("#password", HR_PASSWORD)  # even the right one has to wait now
        await page.click("#login-submit")
        await page.get_by_text("Too many wrong passwords. You can try again in 30 seconds.").wait_for(
            timeout=STEP_TIMEOUT_MS)
        assert await page.locator("#login-submit").is_disabled()  # until the wait is over
        await page.click("#lang")
        await page.get_by_text("密码错误次数过多，请在 30 秒后重试。").wait_for(timeout=STEP_TIMEOUT_MS)

        clock.advance(seconds=31)
        await page.reload()
        assert await _try(page, "wrong again") == "邮箱或密码错误。"  # the second wrong one locks
        clock.advance(seconds=31)
        await page.reload()
        locked = await _try(page, HR_PASSWORD)
        assert locked == "密码错误次数过多，登录已锁定 10 分钟。请稍后再试，或联系本组织的管理员。"
        await page.click("#lang")
        assert (await page.locator("#login-error").text_content()).startswith(
            "Too many wrong passwords: logging in is locked for 10 minutes.")
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.screenshot(path=str(ARTIFACTS / "login-locked-phone.png"))

        clock.advance(seconds=601)
        await page.reload()
        await page.fill("#email", HR_EMAIL)
        await page.fill("#password", HR_PASSWORD)
        await page.click("#login-submit")
        await page.wait_for_url(f"{h.base_url}/hr", timeout=STEP_TIMEOUT_MS)
    assert not errors, errors


async def test_a_password_change_and_an_admins_sign_out_end_logins_elsewhere(sqlite_url, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        await h.ctx.store.accounts.create_user(h.org_id, ADMIN_EMAIL, hash_password(ADMIN_PASSWORD), role="admin")
        async with h.hr_client() as elsewhere, hr_page(pw, tmp_path / "hr", h.base_url, errors) as page:
            await open_area(page, "settings/sessions")
            assert await page.locator("#logins-box").is_hidden()  # only admins see who is logged in
            form = page.get_by_role("region", name="Your password")
            await form.get_by_label("Current password").fill(HR_PASSWORD)
            await form.get_by_label("New password (at least 10 characters)").fill("a new password 2")
            await form.get_by_label("New password again").fill("a new password 2")
            await form.get_by_role("button", name="Change password").click()
            await page.get_by_text("Password changed. Logins ended elsewhere: 1.").wait_for(timeout=STEP_TIMEOUT_MS)
            async with elsewhere.get("/api/v1/auth/me") as r:
                assert r.status == 401
            await page.reload()  # this browser stays logged in, in the same area
            await page.get_by_text(HR_EMAIL).first.wait_for(timeout=STEP_TIMEOUT_MS)
            assert page.url.endswith("/hr#settings/sessions")

        async with aiohttp.ClientSession(h.base_url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as phone:
            async with phone.post("/api/v1/auth/login", json={"email": HR_EMAIL,
                                                              "password": "a new password 2"}) as r:
                assert r.status == 200
            async with hr_page(pw, tmp_path / "admin", h.base_url, errors, ADMIN_EMAIL, ADMIN_PASSWORD) as page:
                await open_area(page, "settings/sessions")
                box = page.get_by_role("region", name="Who is logged in")
                await box.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
                sign_out = box.get_by_role("button", name=f"Sign {HR_EMAIL} out everywhere")
                await sign_out.wait_for(timeout=STEP_TIMEOUT_MS)
                assert await sign_out.is_enabled()
                await page.set_viewport_size({"width": 390, "height": 844})
                await box.screenshot(path=str(ARTIFACTS / "logins-admin-phone.png"))
                await sign_out.click()
                await page.get_by_text(f"{HR_EMAIL} was signed out everywhere (").wait_for(timeout=STEP_TIMEOUT_MS)
                async with phone.get("/api/v1/auth/me") as r:
                    assert r.status == 401
                await page.click("#lang")
                zh_box = page.get_by_role("region", name="登录情况")
                await zh_box.wait_for(timeout=STEP_TIMEOUT_MS)
                assert await zh_box.get_by_role("button", name=f"让 {HR_EMAIL} 在所有设备上退出").is_disabled()
    assert not errors, errors
