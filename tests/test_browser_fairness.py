"""Fairness monitoring in real Chromium: a candidate whose interview is over answers the voluntary questions, sees
them kept and withdraws them; HR sees the job's scoring rates and impact ratios with the low group flagged.

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec .venv/bin/python -m pytest -p no:cacheprovider -m browser tests/test_browser_fairness.py'
"""

from __future__ import annotations

import re

import pytest

from tests.harness import running_server
from tests.test_browser_interview import ARTIFACTS, STEP_TIMEOUT_MS, _page_of, _watch_errors, chromium, hr_page, open_area, playwright_api

pytestmark = pytest.mark.browser


async def test_candidate_answers_and_withdraws_the_voluntary_questions(sqlite_url, tmp_path):
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        iv_id, token = await h.create_interview("Ana Ruiz")
        await h.ctx.store.interviews.update(iv_id, status="finished")
        async with chromium(pw, tmp_path / "cand") as ctx:
            page = await _page_of(ctx)
            _watch_errors(page, errors)
            await page.goto(f"{h.base_url}/i/{token}")
            await page.get_by_text("This interview has already ended.").wait_for(timeout=STEP_TIMEOUT_MS)
            form = page.get_by_role("group", name="Optional: help us check that our interviews are fair")
            await form.wait_for(timeout=STEP_TIMEOUT_MS)
            assert await form.get_by_role("combobox", name="Sex").input_value() == ""  # "prefer not to say"
            await form.get_by_role("combobox", name="Sex").select_option(label="Female")
            await form.get_by_role("combobox", name="Age").select_option(label="25–39")
            await form.get_by_role("button", name="Save my answers").click()
            await form.get_by_text("Thank you. Your answers are saved.").wait_for(timeout=STEP_TIMEOUT_MS)
            saved = await h.ctx.store.self_identification.get(iv_id)
            assert (saved.sex, saved.age_band, saved.race_ethnicity) == ("female", "25_39", None)
            await page.set_viewport_size({"width": 390, "height": 844})
            await form.screenshot(path=str(ARTIFACTS / "self-identification-phone.png"))

            await page.reload()  # the answers are shown again, and can be withdrawn
            form = page.get_by_role("group", name="Optional: help us check that our interviews are fair")
            await form.wait_for(timeout=STEP_TIMEOUT_MS)
            assert await form.get_by_role("combobox", name="Sex").input_value() == "female"
            await form.get_by_role("button", name="Withdraw my answers").click()
            await form.get_by_text("Your answers are deleted.").wait_for(timeout=STEP_TIMEOUT_MS)
            assert await h.ctx.store.self_identification.get(iv_id) is None
            assert await form.get_by_role("combobox", name="Sex").input_value() == ""
    assert not errors, errors


async def test_hr_sees_the_low_group_flagged(sqlite_url, tmp_path):
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        store = h.ctx.store
        # five women, one scored above the median; five men, four above it; two who did not say
        people = [("female", s) for s in (4.5, 2, 2, 2, 2)] + [("male", s) for s in (4.5, 4.5, 4.5, 4.5, 2)] + \
                 [(None, 3), (None, 3)]
        for i, (sex, score) in enumerate(people):
            iv = await store.interviews.create(h.org_id, h.job_id, f"P{i}", "", "en")
            await store.records.add_score(iv.id, 0, 0, "ownership", score, 0.8, "", [], [])
            await store.interviews.update(iv.id, status="finished")
            if sex:
                await store.self_identification.set(iv, sex, None, "25_39", h.ctx.clock())
        async with hr_page(pw, tmp_path / "hr", h.base_url, errors) as page:
            await open_area(page, "analytics")  # the job picker at the top of the area
            box = page.get_by_role("region", name="Fairness check of the AI scores for this job")
            await box.get_by_text("12 scored interviews, 10 with voluntary answers; median score 3.00.").wait_for(
                timeout=STEP_TIMEOUT_MS)
            sex = box.get_by_role("table", name="Sex")
            female = await sex.get_by_role("row", name=re.compile("^Female ")).text_content()
            male = await sex.get_by_role("row", name=re.compile("^Male ")).text_content()
            assert "20%" in female and "0.25" in female and "under 0.8: look into it" in female
            assert "80%" in male and "1.00" in male and "highest" in male
            assert "Did not say: 2" in await box.text_content()
            ages = await box.get_by_role("table", name="Age").text_content()
            assert "25–39" in ages and "10" in ages
            await page.click("#lang")
            await page.get_by_role("region", name="当前职位的 AI 评分公平性检查").wait_for(timeout=STEP_TIMEOUT_MS)
            assert "低于 0.8：请核查" in await page.locator("#bias-tables").text_content()
    assert not errors, errors
