"""Accounts in real Chromium, in English and Chinese: an admin adds a user on the HR page's team section and gets a
one-time set-password link (with a copy button); the new user opens the link, sets a password (a mismatch is
refused), logs in with it, and the link then no longer works; the admin changes the user's role and deactivates
them. Screenshots of the team section and the set-password page at 1280 and 390 px go to /tmp/users-shots/.

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec .venv/bin/python -m pytest -p no:cacheprovider -m browser tests/test_browser_users.py'
"""

from __future__ import annotations

from pathlib import Path

import pytest

from server.http.auth import hash_password
from tests.harness import running_server
from tests.test_browser_interview import STEP_TIMEOUT_MS, _page_of, _watch_errors, chromium, login_as_hr, open_area, \
    playwright_api

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/users-shots")
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@acme.test", "admin-pw-123"
WIDE, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
WORDS = {
    "en": {"add": "Add a user", "name": "Name", "email": "Email", "role": "Role", "create": "Create user",
           "observer": "observer", "recruiter": "recruiter", "active": "active", "deactivated": "deactivated",
           "added": "Lin Wei was added.", "title": "Set your password", "new": "New password (at least 10 characters)",
           "repeat": "Repeat the password", "submit": "Set password", "mismatch": "The two passwords differ.",
           "done": "Your password is set.", "used": "This link was used already", "role_of": "Role of Lin Wei",
           "deactivate": "Deactivate Lin Wei", "role_changed": "Lin Wei is now recruiter.", "copy": "Copy link"},
    "zh": {"add": "添加用户", "name": "姓名", "email": "邮箱", "role": "角色", "create": "创建用户",
           "observer": "观察员", "recruiter": "招聘专员", "active": "已启用", "deactivated": "已停用",
           "added": "已添加 Lin Wei。", "title": "设置密码", "new": "新密码（至少 10 个字符）",
           "repeat": "再次输入密码", "submit": "设置密码", "mismatch": "两次输入的密码不一致。",
           "done": "密码已设置。", "used": "此链接已被使用", "role_of": "Lin Wei 的角色",
           "deactivate": "停用 Lin Wei", "role_changed": "Lin Wei 现在的角色是招聘专员。", "copy": "复制链接"},
}


async def _shoot(page, locator, name: str) -> None:
    """``locator`` at 1280 and 390 px wide; the page must not scroll sideways on the phone."""
    for size, tag in ((WIDE, "1280"), (PHONE, "390")):
        await page.set_viewport_size(size)
        await locator.screenshot(path=str(SHOTS / f"{name}-{tag}.png"))
        if tag == "390":
            assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
    await page.set_viewport_size(WIDE)


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_admin_adds_a_user_who_sets_a_password_by_the_link_and_logs_in(sqlite_url, tmp_path, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    w = WORDS[lang]
    locale = "zh-CN" if lang == "zh" else "en-US"
    errors: list[str] = []
    email = f"lin.{lang}@acme.test"
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        await h.ctx.store.accounts.create_user(h.org_id, ADMIN_EMAIL, hash_password(ADMIN_PASSWORD), role="admin",
                                               name="Ada Admin")
        async with chromium(pw, tmp_path / "admin", locale=locale) as admin_browser:
            page = await _page_of(admin_browser)
            _watch_errors(page, errors)
            await login_as_hr(page, h.base_url, email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
            await page.set_viewport_size(WIDE)
            await open_area(page, "settings/team")  # the accounts are part of the team settings
            part = page.locator("#users-part")
            await part.locator("#users-rows tr", has_text="Ada Admin").wait_for(timeout=STEP_TIMEOUT_MS)
            await part.get_by_text(w["add"], exact=True).click()
            await part.get_by_label(w["name"], exact=True).fill("Lin Wei")
            await part.get_by_label(w["email"], exact=True).fill(email)
            await part.get_by_label(w["role"], exact=True).select_option("observer")
            await part.get_by_role("button", name=w["create"]).click()
            await part.get_by_text(w["added"]).wait_for(timeout=STEP_TIMEOUT_MS)
            link = await part.locator("#users-link-url").input_value()
            assert link.startswith(h.base_url + "/set-password?token=")
            await part.get_by_role("button", name=w["copy"]).wait_for()
            row = part.locator("#users-rows tr", has_text=email)
            assert await row.get_by_label(w["role_of"]).input_value() == "observer"
            assert w["active"] in await row.text_content()
            await _shoot(page, page.locator("#team-box"), f"team-{lang}")

            async with chromium(pw, tmp_path / "new-user", locale=locale) as user_browser:
                new = await _page_of(user_browser)
                _watch_errors(new, errors)
                await new.goto(link)
                await new.get_by_text(email).wait_for(timeout=STEP_TIMEOUT_MS)
                assert await new.title() == w["title"]
                await new.get_by_label(w["new"]).fill("a fine password 1")
                await new.get_by_label(w["repeat"]).fill("a fine password 2")
                await new.get_by_role("button", name=w["submit"]).click()
                await new.get_by_text(w["mismatch"]).wait_for(timeout=STEP_TIMEOUT_MS)
                await new.get_by_label(w["repeat"]).fill("a fine password 1")
                await _shoot(new, new.locator("body"), f"set-password-{lang}")
                await new.get_by_role("button", name=w["submit"]).click()
                await new.get_by_text(w["done"]).wait_for(timeout=STEP_TIMEOUT_MS)
                await new.locator("#setpw-login").click()
                await new.wait_for_url("**/login", timeout=STEP_TIMEOUT_MS)
                await new.fill("#email", email)
                await new.fill("#password", "a fine password 1")
                await new.click("#login-submit")
                await new.wait_for_url("**/hr", timeout=STEP_TIMEOUT_MS)
                await new.goto(link)  # once only
                await new.get_by_text(w["used"]).wait_for(timeout=STEP_TIMEOUT_MS)

            await row.get_by_label(w["role_of"]).select_option("recruiter")
            await part.get_by_text(w["role_changed"]).wait_for(timeout=STEP_TIMEOUT_MS)
            await row.get_by_role("button", name=w["deactivate"]).click()
            await row.get_by_text(w["deactivated"], exact=True).wait_for(timeout=STEP_TIMEOUT_MS)
            await page.reload()
            await part.locator("#users-rows tr", has_text=email).get_by_text(w["deactivated"], exact=True) \
                .wait_for(timeout=STEP_TIMEOUT_MS)
            assert (await h.ctx.store.accounts.user_by_email(email)).role == "recruiter"
    assert not errors, errors
