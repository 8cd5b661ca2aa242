"""HR to candidate in real Chromium: HR logs in, imports a zip of resumes through the bulk-import section (progress bar,
per-file results), reads the ranked list with its resume evidence, invites the best candidate by e-mail; the message
arrives at a real SMTP server (aiosmtpd), and its link opens the candidate's consent screen in a second browser, in
the interview's language.

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec .venv/bin/python -m pytest -p no:cacheprovider -m browser tests/test_browser_hr_flow.py'

Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import email
import email.policy
import io
import re
import zipfile

import pytest
from aiosmtpd.controller import Controller

from tests.bad_documents import BROKEN_PDF
from tests.harness import free_port, running_server, until
from tests.test_catalogue import catalogue_english_in
from tests.test_browser_interview import ARTIFACTS, login_as_hr, STEP_TIMEOUT_MS, _page_of, _watch_errors, candidate_page, chromium, open_area, playwright_api
from tests.test_invitations import Inbox
from tests.test_matching_api import STRONG_ZH, WEAK_EN

pytestmark = pytest.mark.browser

JD_ZH = """后端工程师
任职要求：
1. 5年以上后端开发经验
2. 精通 Python 和 Kubernetes
3. 本科及以上学历，计算机相关专业
"""


def resumes_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("2024 春招/张伟.txt", STRONG_ZH.encode("gb18030"))
        z.writestr("2024 春招/emily_carter.txt", WEAK_EN.encode())
        z.writestr("2024 春招/损坏的简历.pdf", BROKEN_PDF)
    return buf.getvalue()


async def test_hr_imports_ranks_invites_by_email_and_the_candidate_opens_the_link(sqlite_url, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    archive = tmp_path / "简历.zip"
    archive.write_bytes(resumes_zip())
    inbox = Inbox()
    smtp_port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    try:
        async with running_server(sqlite_url, tmp_path / "data", smtp_host="127.0.0.1", smtp_port=smtp_port,
                                  smtp_starttls=False, mail_from="Acme Hiring <hiring@acme.test>") as h, \
                playwright_api.async_playwright() as pw:
            job = await h.ctx.store.jobs.create(h.org_id, "后端工程师", JD_ZH, "zh",
                                                [{"text": "请介绍一个你负责的系统。"}], member_id=h.hr_user_id)
            async with chromium(pw, tmp_path / "hr") as hr_ctx:
                page = await _page_of(hr_ctx)
                _watch_errors(page, errors)
                await login_as_hr(page, h.base_url)
                await open_area(page, "candidates")  # the job picker is at the top of the area
                await page.select_option("#job", job.id)

                # --- bulk import: choose the zip, watch the labelled progress bar reach the end
                box = page.locator("#import-box")
                assert await box.get_by_role("heading").text_content() == \
                    "Import candidates in bulk for this job"
                await page.set_input_files("#import-files", str(archive))
                await page.click("#import-start")
                progress = page.get_by_role("progressbar", name="Import progress")
                await progress.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
                await page.wait_for_function(
                    "() => document.getElementById('import-status').textContent.startsWith('Done')",
                    timeout=STEP_TIMEOUT_MS)
                assert await page.text_content("#import-status") == \
                    "Done: 2 new candidates, 0 duplicates, 1 failed (of 3)."
                assert await progress.evaluate("p => [p.value, p.max]") == [3, 3]
                rows = page.locator("#import-rows tr")
                assert await rows.count() == 3
                by_file = {(await rows.nth(i).locator("td").first.text_content()): await rows.nth(i).text_content()
                           for i in range(3)}
                assert "new candidate" in by_file["2024 春招/张伟.txt"] and "张伟" in by_file["2024 春招/张伟.txt"]
                assert "Emily Carter" in by_file["2024 春招/emily_carter.txt"]
                assert "Damaged or unreadable file" in by_file["2024 春招/损坏的简历.pdf"]

                # --- the ranked list refreshed by itself, each requirement explained with resume evidence
                matches = page.locator("#match-rows tr")
                await matches.nth(1).wait_for(timeout=STEP_TIMEOUT_MS)
                first, second = await matches.nth(0).text_content(), await matches.nth(1).text_content()
                assert first.startswith("张伟") and second.startswith("Emily Carter"), (first, second)
                evidence = matches.nth(0).locator("q")
                assert await evidence.count() >= 3
                quotes = [await evidence.nth(i).text_content() for i in range(await evidence.count())]
                text_of = {c.name: r.profile["text"] for r, c in await h.ctx.store.matching.resumes(job.id)}
                assert all(q and q in text_of["张伟"] for q in quotes), quotes  # verbatim from the resume
                assert any("Python" in q for q in quotes) and await evidence.first.is_visible()
                await page.screenshot(path=str(ARTIFACTS / "hr-import-ranked.png"), full_page=True)

                # The section reads in Chinese too, and fits a phone's width.
                await page.click("#lang")
                assert await box.get_by_role("heading").text_content() == "为当前职位批量导入候选人"
                assert (await page.text_content("#import-status")).startswith("完成：新增候选人 2 位")
                assert "文件损坏或无法读取" in await page.text_content("#import-rows")
                await page.set_viewport_size({"width": 390, "height": 844})
                width = await box.evaluate("b => b.getBoundingClientRect().right")
                assert width <= 390, width
                await box.screenshot(path=str(ARTIFACTS / "hr-import-zh-phone.png"))
                await page.set_viewport_size({"width": 1100, "height": 800})
                await page.click("#lang")

                # --- invite the best match and e-mail them the link
                await matches.nth(0).get_by_role("button", name="Invite").click()
                await matches.nth(0).locator("a").wait_for(timeout=STEP_TIMEOUT_MS)
                # the whole page in Chinese: no string of the catalogue left in English, the new link kept
                await page.click("#lang")
                await page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
                await page.wait_for_function(  # the list is drawn again in Chinese, the new link in it
                    "() => document.querySelector('#match-rows tr td:last-child').textContent.startsWith('面试链接：')",
                    timeout=STEP_TIMEOUT_MS)
                await matches.nth(0).locator("a").wait_for(timeout=STEP_TIMEOUT_MS)
                assert not catalogue_english_in(await page.inner_text("body"))
                await page.click("#lang")
                await open_area(page, "interviews")
                send = page.locator("#rows tr", has_text="张伟").get_by_role("button", name="E-mail the link")
                await send.click(timeout=STEP_TIMEOUT_MS)
                await page.locator("#rows tr", has_text="sending to zhangwei@example.com").wait_for(
                    timeout=STEP_TIMEOUT_MS)

                await until(lambda: inbox.messages, 30, "the invitation at the SMTP server")
                _, rcpts, raw = inbox.messages[0]
                assert rcpts == ["zhangwei@example.com"]
                msg = email.message_from_bytes(raw, policy=email.policy.default)
                assert "后端工程师" in msg["Subject"] and "面试邀请" in msg["Subject"]
                text = msg.get_body(("plain",)).get_content()
                link = re.search(r"http://127\.0\.0\.1:\d+/i/\S+", text).group(0)

            # --- the candidate opens the mailed link in another browser (an English one): the consent screen,
            #     in the interview's language
            async with candidate_page(pw, tmp_path / "candidate", link + "?tts=off", errors, locale="en-US") as cand:
                assert await cand.evaluate("document.documentElement.lang") == "zh-CN"
                assert await cand.text_content("#candidate-name") == "张伟"
                assert await cand.text_content("#consent-continue") == "继续"
                assert "AI" in await cand.text_content("#disclosure")
                await cand.screenshot(path=str(ARTIFACTS / "candidate-from-mail-consent-zh.png"), full_page=True)
    finally:
        smtp.stop()
    assert not errors, errors
