"""HR and DingTalk in real Chromium, against a local DingTalk (tests/fake_dingtalk.py): HR imports the candidates of a
DingTalk recruiting job from the HR page (progress bar to the end, a result per candidate), finds them in the ranked
list, invites the best one by DingTalk work notice (channel selector with the userid field); the notice that reached
DingTalk carries the personal link, which opens the interview in a second browser.

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec .venv/bin/python -m pytest -p no:cacheprovider -m browser tests/test_browser_dingtalk.py'

Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations


import pytest
from aiosmtpd.controller import Controller

from tests.bad_documents import BROKEN_PDF
from tests.fake_dingtalk import FakeDingTalk
from tests.harness import free_port, running_server, until
from tests.test_browser_hr_flow import JD_ZH
from tests.test_browser_interview import ARTIFACTS, login_as_hr, STEP_TIMEOUT_MS, _page_of, _watch_errors, candidate_page, chromium, open_area, playwright_api
from tests.test_invitations import Inbox
from tests.test_matching_api import STRONG_ZH, WEAK_EN

pytestmark = pytest.mark.browser


async def test_hr_imports_from_dingtalk_and_invites_by_work_notice(sqlite_url, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    inbox = Inbox()
    smtp_port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)  # e-mail is set up too: HR picks the channel
    smtp.start()
    try:
        async with FakeDingTalk() as fake, \
                running_server(sqlite_url, tmp_path / "data", smtp_host="127.0.0.1", smtp_port=smtp_port,
                               smtp_starttls=False, **fake.settings()) as h, \
                playwright_api.async_playwright() as pw:
            fake.add_job("ats-2024-be", "后端工程师（杭州）")
            fake.add_candidate("ats-2024-be", "dt-zhang", "张伟", file=(STRONG_ZH.encode(), "张伟.txt", "txt"))
            fake.add_candidate("ats-2024-be", "dt-emily", "Emily Carter", file=(WEAK_EN.encode(), "emily.txt", "txt"))
            fake.add_candidate("ats-2024-be", "dt-scan", "Scan Only", file=(BROKEN_PDF, "scan.pdf", "pdf"))
            fake.add_job("ats-2024-sales", "销售")
            fake.add_candidate("ats-2024-sales", "dt-other", "Other Job", file=(WEAK_EN.encode(), "o.txt", "txt"))
            fake.resume_delay_s = 2.5  # slow enough for the page (it polls every second) to show the run working
            job = await h.ctx.store.jobs.create(h.org_id, "后端工程师", JD_ZH, "zh", [{"text": "请介绍一个你负责的系统。"}],
                                                member_id=h.hr_user_id)

            async with chromium(pw, tmp_path / "hr") as hr_ctx:
                page = await _page_of(hr_ctx)
                _watch_errors(page, errors)
                await login_as_hr(page, h.base_url)
                await open_area(page, "candidates")  # the job picker is at the top of the area
                await page.select_option("#job", job.id)

                # --- the DingTalk form is there because the server has the connector; a job id is required
                form = page.get_by_role("group", name="Import from DingTalk")
                await form.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
                start = form.get_by_role("button", name="Import from DingTalk")
                await start.click()
                assert await page.text_content("#import-error") == "Enter the job's id in DingTalk recruiting first."
                await form.get_by_label("DingTalk recruiting job id").fill(" ats-2024-be ")
                await start.click()

                # --- the same progress bar and result table as the zip import, per DingTalk candidate
                progress = page.get_by_role("progressbar", name="Import progress")
                await progress.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
                await page.wait_for_function(
                    "() => /^\\d of 3 candidates/.test(document.getElementById('import-status').textContent)",
                    timeout=STEP_TIMEOUT_MS)  # in progress, with its total
                await page.wait_for_function(
                    "() => document.getElementById('import-status').textContent.startsWith('Done')",
                    timeout=STEP_TIMEOUT_MS)
                fake.resume_delay_s = 0
                assert await page.text_content("#import-status") == ("Done: 2 new, 0 updated, 0 unchanged, "
                                                                     "0 duplicates, 1 failed (of 3 candidates in DingTalk).")
                assert await progress.evaluate("p => [p.value, p.max]") == [3, 3]
                assert await page.text_content("#import-file-col") == "DingTalk candidate"
                rows = page.locator("#import-rows tr")
                assert await rows.count() == 3
                by_id = {(await rows.nth(i).locator("td").first.text_content()): await rows.nth(i).text_content()
                         for i in range(3)}
                assert set(by_id) == {"dt-zhang", "dt-emily", "dt-scan"}  # not the other ATS job's candidate
                assert "new candidate" in by_id["dt-zhang"] and "张伟" in by_id["dt-zhang"]
                assert "Emily Carter" in by_id["dt-emily"]
                assert "failed" in by_id["dt-scan"] and "Damaged or unreadable file" in by_id["dt-scan"]

                # --- the imported candidates are in the ranked list, best first, with resume evidence
                matches = page.locator("#match-rows tr")
                await matches.nth(1).wait_for(timeout=STEP_TIMEOUT_MS)
                first, second = await matches.nth(0).text_content(), await matches.nth(1).text_content()
                assert first.startswith("张伟") and second.startswith("Emily Carter"), (first, second)
                quotes = await matches.nth(0).locator("q").all_text_contents()
                assert any("Python" in q for q in quotes), quotes
                await page.screenshot(path=str(ARTIFACTS / "hr-dingtalk-import.png"), full_page=True)

                # Importing again: nothing new, each candidate recognised.
                await page.evaluate("document.querySelector('#match-rows tr').dataset.before = 'yes'")
                await start.click()
                await page.wait_for_function(
                    "() => /^Done: 0 new, 0 updated, 2 unchanged/.test(document.getElementById('import-status').textContent)",
                    timeout=STEP_TIMEOUT_MS)
                await page.wait_for_function(  # the finished import refreshed the ranked list
                    "() => { const r = document.querySelector('#match-rows tr'); return r && !r.dataset.before; }",
                    timeout=STEP_TIMEOUT_MS)
                assert await page.locator("#match-rows tr").count() == 2

                # --- invite the best match: the channel selector offers what the server has set up
                await matches.nth(0).get_by_role("button", name="Invite").click()
                await matches.nth(0).locator("a").wait_for(timeout=STEP_TIMEOUT_MS)
                await open_area(page, "interviews")
                row = page.locator("#rows tr", has_text="张伟")
                channel = row.get_by_label("Send via")
                await channel.wait_for(timeout=STEP_TIMEOUT_MS)
                assert await channel.evaluate("s => [...s.options].map(o => o.textContent)") == \
                    ["E-mail", "DingTalk work notice"]  # no webhook: not set up
                assert not await row.get_by_label("DingTalk userid").is_visible()  # only for DingTalk
                await channel.select_option(label="DingTalk work notice")
                userid = row.get_by_label("DingTalk userid")
                assert await userid.is_visible()
                send = row.get_by_role("button", name="Send as work notice")
                await send.click()
                assert await row.get_by_role("alert").text_content() == \
                    "Enter the candidate's DingTalk userid (one, without spaces or commas)."
                assert fake.notices == []
                await userid.fill("zhangwei01")
                await send.click()
                await row.get_by_text("DingTalk work notice: sent to zhangwei01").wait_for(timeout=STEP_TIMEOUT_MS)

                # The list refreshes every 5 s: the control and its state stay.
                await page.wait_for_timeout(5500)
                assert await row.get_by_text("DingTalk work notice: sent to zhangwei01").is_visible()

                # In Chinese, and at a phone's width.
                await page.click("#lang")
                assert await row.get_by_text("钉钉工作通知：已发送至 zhangwei01").is_visible()
                assert await row.get_by_role("button", name="发送工作通知").is_visible()
                await page.set_viewport_size({"width": 390, "height": 844})
                for box in (page.locator("#list-box"), row, row.locator(".invite-box")):
                    right = await box.evaluate("b => Math.max(b.getBoundingClientRect().right, b.scrollWidth)")
                    assert right <= 390, right
                await row.screenshot(path=str(ARTIFACTS / "hr-dingtalk-invite-zh-phone.png"))
                await open_area(page, "candidates")
                assert await page.get_by_role("group", name="从钉钉导入").is_visible()
                assert (await page.text_content("#import-status")).startswith("完成：新增 0，更新 0，无变化 2")
                right = await page.locator("#import-box").evaluate(
                    "b => Math.max(b.getBoundingClientRect().right, b.scrollWidth)")
                assert right <= 390, right
                await page.locator("#import-box").screenshot(path=str(ARTIFACTS / "hr-dingtalk-import-zh-phone.png"))

            # --- the notice DingTalk received: an action card for that userid whose button opens the interview
            notice = (await until(lambda: fake.notices, 30, "a work notice at DingTalk"))[0]
            assert len(fake.notices) == 1 and inbox.messages == []  # DingTalk only, once
            assert notice["userid_list"] == "zhangwei01" and notice["agent_id"] == fake.agent_id
            card = notice["msg"]["action_card"]
            assert notice["msg"]["msgtype"] == "action_card" and "后端工程师" in card["title"]
            link = card["single_url"]
            assert link.startswith(h.base_url + "/i/")

            async with candidate_page(pw, tmp_path / "candidate", link + "?tts=off", errors, locale="en-US") as cand:
                assert await cand.text_content("#candidate-name") == "张伟"
                assert await cand.evaluate("document.documentElement.lang") == "zh-CN"
                await cand.screenshot(path=str(ARTIFACTS / "candidate-from-dingtalk-consent.png"), full_page=True)
    finally:
        smtp.stop()
    assert not errors, errors
