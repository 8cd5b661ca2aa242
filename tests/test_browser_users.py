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
from server.storage.account_changes import ChangedBy
from tests.harness import running_server, until
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
           "deactivate": "Deactivate Lin Wei", "role_changed": "Lin Wei is now recruiter.", "copy": "Copy link",
           "log": "Account log: who changed which user", "log_all": "Show every user",
           "changes": ["Deactivated (their logins ended)", "Role: observer → recruiter",
                       "Set their password with their link", "Set-password link issued", "Created as observer"],
           "only": "Show only changes made to {email}", "narrowed": "Changes made to {email}",
           "command_line": "server command line", "took_job": "Made responsible for the job “Ops {interview} $& $1”"},
    "zh": {"add": "添加用户", "name": "姓名", "email": "邮箱", "role": "角色", "create": "创建用户",
           "observer": "观察员", "recruiter": "招聘专员", "active": "已启用", "deactivated": "已停用",
           "added": "已添加 Lin Wei。", "title": "设置密码", "new": "新密码（至少 10 个字符）",
           "repeat": "再次输入密码", "submit": "设置密码", "mismatch": "两次输入的密码不一致。",
           "done": "密码已设置。", "used": "此链接已被使用", "role_of": "Lin Wei 的角色",
           "deactivate": "停用 Lin Wei", "role_changed": "Lin Wei 现在的角色是招聘专员。", "copy": "复制链接",
           "log": "账户记录：谁变更了哪个用户", "log_all": "显示全部用户",
           "changes": ["停用（其登录已全部结束）", "角色：观察员 → 招聘专员", "通过链接设置了密码", "发出设置密码链接",
                       "创建账户，角色：观察员"],
           "only": "只显示对 {email} 的变更", "narrowed": "对 {email} 所做的变更",
           "command_line": "服务器命令行", "took_job": "负责职位“Ops {interview} $& $1”"},
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

            # the account log says who did each of it, newest first; the user's address narrows it to them
            # a change made elsewhere meanwhile shows when the log is opened; a title with "$&" and "{…}" as typed
            await h.ctx.store.jobs.create(h.org_id, "Ops {interview} $& $1", "", "en", [{"text": "Q"}],
                                          member_id=h.hr_user_id, by=ChangedBy.command_line())
            await open_area(page, "settings/access")
            box = page.get_by_role("region", name=w["log"])
            await box.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            rows = await until(lambda: _log_rows(page, 6), what="the account log")
            assert [(r[1], r[2], r[3]) for r in rows[1:]] == [
                (ADMIN_EMAIL, w["changes"][0], email), (ADMIN_EMAIL, w["changes"][1], email),
                (email, w["changes"][2], email), (ADMIN_EMAIL, w["changes"][3], email),
                (ADMIN_EMAIL, w["changes"][4], email)], rows
            assert rows[0][1:3] == [w["command_line"], w["took_job"]] and rows[0][3] != email
            assert all(r[4] == "127.0.0.1" for r in rows[1:])
            await box.get_by_role("button", name=w["only"].format(email=email)).first.click()
            await box.get_by_text(w["narrowed"].format(email=email)).wait_for(timeout=STEP_TIMEOUT_MS)
            narrowed = await until(lambda: _log_rows(page, 5, exactly=True), what="the log narrowed to one user")
            assert {r[3] for r in narrowed} == {email}
            await _shoot(page, box, f"account-log-{lang}")
            await box.get_by_role("button", name=w["log_all"]).click()
            await until(lambda: _log_rows(page, 6), what="every user's changes again")
    assert not errors, errors


async def _log_rows(page, at_least: int, exactly: bool = False) -> list[list[str]] | None:
    rows = await page.evaluate("""() => [...document.querySelectorAll('#acctlog-rows tr')]
        .map(tr => [...tr.children].map(td => td.textContent.trim()))""")
    return rows if (len(rows) == at_least if exactly else len(rows) >= at_least) else None
