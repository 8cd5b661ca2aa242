"""The HR page's admin sections in real Chromium: the access log (who read which candidate's data, narrowed to one
candidate, in Chinese too; an HR user who is not an admin does not get it) and data retention (periods, legal hold,
erasure with a confirmation step, the log of deletions).

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec .venv/bin/python -m pytest -p no:cacheprovider -m browser tests/test_browser_admin.py'
"""

from __future__ import annotations

import pytest

from server.http.auth import hash_password
from tests.harness import HR_EMAIL, running_server, until
from tests.test_browser_interview import ARTIFACTS, STEP_TIMEOUT_MS, hr_page, open_area, playwright_api

pytestmark = pytest.mark.browser

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@acme.test", "admin-pw-123"


async def _rows(page) -> list[list[str]]:
    return await page.evaluate("""() => [...document.querySelectorAll('#access-rows tr')]
        .map(tr => [...tr.children].map(td => td.textContent.trim()))""")


async def test_admin_reads_the_access_log_and_narrows_it_to_one_candidate(sqlite_url, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        await h.ctx.store.accounts.create_user(h.org_id, ADMIN_EMAIL, hash_password(ADMIN_PASSWORD), role="admin")
        ada_iv, _ = await h.create_interview("Ada Park")
        await h.create_interview("张伟")
        async with h.hr_client() as hr:  # an HR user opens Ada's report twice and downloads its PDF
            for path in ("report", "report", "report.pdf"):
                async with hr.get(f"/api/v1/interviews/{ada_iv}/{path}") as r:
                    assert r.status == 200

        async with hr_page(pw, tmp_path / "hr", h.base_url, errors) as page:  # a plain HR user: no access log
            await page.wait_for_selector("#rows tr", timeout=STEP_TIMEOUT_MS)
            assert await page.locator("#access-box").is_hidden()

        async with hr_page(pw, tmp_path / "admin", h.base_url, errors, ADMIN_EMAIL, ADMIN_PASSWORD) as page:
            await open_area(page, "settings/access")
            box = page.get_by_role("region", name="Access log: who read candidates' personal data")
            await box.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            await page.wait_for_selector("#access-rows tr td:nth-child(3)", timeout=STEP_TIMEOUT_MS)
            rows = await _rows(page)
            report = [r for r in rows if r[2] == "Report"]
            assert len(report) == 1 and report[0][1] == HR_EMAIL and report[0][0].endswith("×2"), rows
            assert report[0][3] == "Ada Park" and report[0][4] == "127.0.0.1"
            assert any(r[2] == "Report PDF" and r[1] == HR_EMAIL for r in rows), rows
            # the HR user's page load was itself a read of the interview list (both names)
            assert any(r[1] == HR_EMAIL and r[3] in ("Ada Park, 张伟", "张伟, Ada Park") for r in rows
                       if r[2] == "Interview list"), rows

            # who has seen 张伟's data: only the interview lists, not Ada's report
            await box.get_by_role("button", name="Show only reads of 张伟").first.click()
            await page.get_by_text("Reads that showed 张伟's data").wait_for(timeout=STEP_TIMEOUT_MS)
            narrowed = await until(lambda: _narrowed(page), what="the log narrowed to 张伟")
            assert {r[2] for r in narrowed} <= {"Interview list", "Job's bookings", "Candidate list", "Access log"}
            assert narrowed[0][3].startswith("张伟")
            await page.set_viewport_size({"width": 390, "height": 844})
            await box.screenshot(path=str(ARTIFACTS / "access-log-phone.png"))
            await box.get_by_role("button", name="Show every candidate").click()
            await until(lambda: _has_report(page), what="the whole log again")

            await page.click("#lang")  # 中文
            await page.get_by_role("region", name="访问记录：谁查看了候选人的个人信息").wait_for(timeout=STEP_TIMEOUT_MS)
            assert any(r[2] == "评估报告" for r in await _rows(page))
    assert not errors, errors


async def _narrowed(page):
    rows = await _rows(page)
    return rows if rows and all("Report" not in r[2] for r in rows) else None


async def _has_report(page):
    return any(r[2] == "Report" for r in await _rows(page))


async def test_admin_sets_retention_holds_one_candidate_and_erases_another(sqlite_url, tmp_path):
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        await h.ctx.store.accounts.create_user(h.org_id, ADMIN_EMAIL, hash_password(ADMIN_PASSWORD), role="admin")
        kept_iv, _ = await h.create_interview("Kim Held")
        gone_iv, _ = await h.create_interview("李娜")
        async with hr_page(pw, tmp_path / "admin", h.base_url, errors, ADMIN_EMAIL, ADMIN_PASSWORD) as page:
            await open_area(page, "settings/retention")
            box = page.get_by_role("region", name="Data retention and deletion")
            await box.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            await box.get_by_text("These are the server's defaults until you save.").wait_for(timeout=STEP_TIMEOUT_MS)
            assert await page.input_value("#ret-content") == "90" and await page.input_value("#ret-candidate") == "365"
            await page.fill("#ret-content", "30")
            await page.fill("#ret-candidate", "180")
            await box.get_by_role("button", name="Save periods").click()
            # shorter periods delete data: asked first, and nothing is saved until confirmed
            await box.get_by_text("Shorter periods delete older data for good").wait_for(timeout=STEP_TIMEOUT_MS)
            assert await h.ctx.store.retention.policy(h.org_id) is None
            await box.get_by_role("button", name="Save and delete older data").click()
            await box.get_by_text("Saved.").wait_for(timeout=STEP_TIMEOUT_MS)
            assert (await h.ctx.store.retention.policy(h.org_id)).interview_content_days == 30

            kim = box.locator("#ret-people tr", has_text="Kim Held")
            await kim.get_by_role("button", name="Place legal hold").click()  # no reason: refused, in words
            await kim.get_by_role("alert").filter(has_text="Say why the data must be kept.").wait_for(timeout=STEP_TIMEOUT_MS)
            await kim.get_by_role("textbox", name="Reason for the hold: Kim Held").fill("Case 2026-17")
            await kim.get_by_role("button", name="Place legal hold").click()
            await kim.get_by_text("Case 2026-17").wait_for(timeout=STEP_TIMEOUT_MS)
            await open_area(page, "interviews")  # the interviews table says so too
            await page.locator("#rows tr", has_text="Kim Held").get_by_text("legal hold").wait_for(timeout=STEP_TIMEOUT_MS)
            await open_area(page, "settings/retention")

            li = box.locator("#ret-people tr", has_text="李娜")
            await li.get_by_role("button", name="Erase all data").click()
            await li.get_by_text("Delete everything about 李娜 for good?").wait_for(timeout=STEP_TIMEOUT_MS)
            await li.get_by_role("button", name="Cancel").click()  # nothing happens on cancel
            assert await h.ctx.store.interviews.get(gone_iv) is not None
            await li.get_by_role("button", name="Erase all data").click()
            await li.get_by_role("button", name="Erase", exact=True).click()
            await box.locator("#ret-log tr", has_text="erasure request").wait_for(timeout=STEP_TIMEOUT_MS)
            assert await h.ctx.store.interviews.get(gone_iv) is None and await h.ctx.store.interviews.get(kept_iv) is not None
            assert await box.locator("#ret-people tr", has_text="李娜").count() == 0
            log_row = await box.locator("#ret-log tr").first.text_content()
            assert "candidate and all their data" in log_row and ADMIN_EMAIL in log_row and "李娜" not in log_row

            await page.set_viewport_size({"width": 390, "height": 844})
            await box.screenshot(path=str(ARTIFACTS / "retention-phone.png"))
            await page.click("#lang")
            await page.get_by_role("region", name="数据保留与删除").wait_for(timeout=STEP_TIMEOUT_MS)
            assert "应要求删除" in await page.locator("#ret-log tr").first.text_content()
    assert not errors, errors
