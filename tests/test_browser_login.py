"""The login page in real Chromium: after logging in it goes back to the page that asked (``?next=``), on this
server only, whatever the ``next`` looks like; under the server's Content-Security-Policy.

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec .venv/bin/python -m pytest -p no:cacheprovider -m browser tests/test_browser_login.py'
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from tests.harness import HR_EMAIL, HR_PASSWORD, running_server
from tests.test_browser_interview import STEP_TIMEOUT_MS, _page_of, _watch_errors, chromium, playwright_api

pytestmark = pytest.mark.browser

FOREIGN = ["//evil.example/x", "/\\evil.example/x", "/\\/evil.example", "/\t/evil.example", "/%5cevil.example",
           "/%2F/evil.example", "/.//evil.example", "https://evil.example/", "javascript:alert(1)", "evil.example"]


async def _log_in(page, base_url: str, next_: str) -> str:
    await page.goto(f"{base_url}/login?next={quote(next_, safe='')}")
    await page.fill("#email", HR_EMAIL)
    await page.fill("#password", HR_PASSWORD)
    login_url = page.url
    await page.click("#login-submit")
    await page.wait_for_url(lambda url: url != login_url, timeout=STEP_TIMEOUT_MS, wait_until="commit")
    return page.url


async def test_after_login_the_page_stays_on_this_server(sqlite_url, tmp_path):
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        ours = urlsplit(h.base_url).netloc
        async with chromium(pw, tmp_path / "browser") as context:
            page = await _page_of(context)
            _watch_errors(page, errors)
            landed = {next_: await _log_in(page, h.base_url, next_) for next_ in FOREIGN}
            assert all(urlsplit(url).netloc == ours for url in landed.values()), landed
            # a page of this server is where the login goes back to, query and fragment included
            interview_id, _ = await h.create_interview()
            wanted = f"/observe/{interview_id}?from=list#transcript"
            assert await _log_in(page, h.base_url, wanted) == h.base_url + wanted
            await page.locator("#transcript-none").wait_for(timeout=STEP_TIMEOUT_MS)  # the page drew the interview
    assert not errors, errors


async def test_a_refused_login_says_why_in_chinese(sqlite_url, tmp_path):
    """Wrong password, a request the server calls foreign, and an answer no page knows: each in Chinese."""
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        async with chromium(pw, tmp_path / "browser") as context:
            page = await _page_of(context)
            _watch_errors(page, errors)
            await page.goto(f"{h.base_url}/login")
            await page.evaluate("localStorage.setItem('lang', 'zh')")
            await page.reload()
            assert await page.title() == "登录"
            said = []
            foreign = {"error": {"code": "foreign_origin", "message": "This request came from another site."}}
            for status, body in ((None, None), (403, foreign), (502, None)):
                await page.unroute("**/api/v1/auth/login")
                if status:
                    answer = {"status": status, **({"json": body} if body else {"body": "Bad Gateway"})}
                    await page.route("**/api/v1/auth/login", lambda route, _request, answer=answer: route.fulfill(**answer))
                await page.fill("#email", HR_EMAIL)
                await page.fill("#password", "wrong password")
                await page.evaluate("document.getElementById('login-error').textContent = ''")
                await page.click("#login-submit")
                await page.wait_for_function("() => document.getElementById('login-error').textContent !== ''")
                said.append(await page.text_content("#login-error"))
            assert said[0] == "邮箱或密码错误。"
            assert said[1].startswith("此请求来自其他网站")
            assert said[2] == "登录失败（错误 502），请重试。"
    assert not errors, errors
