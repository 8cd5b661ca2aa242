"""HR makes a job from a pasted description in real Chromium, in English and in Chinese: the requirements show at
once in a must-have and a nice-to-have list, HR edits one line (read again by the server), moves one to the other
list, saves, and a reload shows the edit; uploaded resumes are ranked with the reason for every verdict. Both
languages are checked at a laptop's and a phone's width.

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec .venv/bin/python -m pytest -p no:cacheprovider -m browser tests/test_browser_requirements.py'

Screenshots go to ``test-artifacts/`` (``SCREENSHOTS`` names another folder).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.harness import running_server
from tests.test_browser_interview import ARTIFACTS, STEP_TIMEOUT_MS, _page_of, _watch_errors, chromium, login_as_hr, \
    open_area, playwright_api
from tests.test_matching_api import STRONG_ZH, WEAK_EN

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("SCREENSHOTS") or ARTIFACTS)

# self-written descriptions: company, duties and benefits around the requirements, which must not become any
JD_EN = """Backend Engineer
About the team
We build the payment systems of an online bookshop.
Must-have requirements
- 5+ years of backend development
- Python or Go
- Bachelor's degree in computer science
Bonus points
- Kafka
- Fluent English
Benefits
- Flexible hours
"""
JD_ZH = """后端开发工程师
岗位职责：
1. 负责订单系统的设计与开发
任职要求：
1. 3年以上后端开发经验
2. 熟悉 Python 或 Java
3. 本科及以上学历
加分项：
1. 有 Kafka 使用经验
"""


async def _texts(page, list_id: str) -> list[str]:
    return await page.locator(f"#{list_id} li input.req-text").evaluate_all("xs => xs.map(x => x.value)")


async def _create_job(page, title: str, description: str) -> None:
    await page.fill("#jd-title", title)
    await page.fill("#jd-text", description)
    if not await page.input_value("#jd-plan"):  # no plan is chosen for HR: the first in the library, here
        await page.select_option("#jd-plan", index=1)
    await page.click("#jd-submit")
    await page.locator("#jd-status", has_text=title).wait_for(timeout=STEP_TIMEOUT_MS)


async def _item(page, list_id: str, text: str):
    for li in await page.locator(f"#{list_id} li").all():
        if await li.locator("input.req-text").input_value() == text:
            return li
    raise AssertionError(f"no {text!r} in #{list_id}: {await _texts(page, list_id)}")


async def _fits(page, width: int) -> None:
    """At a phone's width the form and the lists stay inside the screen (nothing to scroll sideways)."""
    for box in ("#jd-form", "#req-box"):
        right = await page.locator(box).evaluate("b => b.getBoundingClientRect().right")
        assert right <= width, (box, right)
    inputs = await page.locator("#req-box input.req-text").evaluate_all(
        "xs => xs.map(x => x.getBoundingClientRect().width)")
    assert inputs and min(inputs) >= 120, inputs  # each line stays readable


async def _shots(page, lang: str) -> None:
    for w, h in ((1366, 900), (390, 844)):
        await page.set_viewport_size({"width": w, "height": h})
        if w == 390:
            await _fits(page, w)
        await page.locator("#jd-form").scroll_into_view_if_needed()
        await page.screenshot(path=str(SHOTS / f"hr-job-{lang}-{w}x{h}.png"), full_page=False)
        await page.locator("#req-box").screenshot(path=str(SHOTS / f"hr-requirements-{lang}-{w}x{h}.png"))
    await page.set_viewport_size({"width": 1366, "height": 900})


async def test_hr_makes_a_job_from_a_description_edits_its_requirements_and_ranks_resumes(sqlite_url, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    strong, weak = tmp_path / "zhang_wei.txt", tmp_path / "emily_carter.txt"
    strong.write_text(STRONG_ZH, encoding="utf-8")
    weak.write_text(WEAK_EN, encoding="utf-8")
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        async with chromium(pw, tmp_path / "hr") as hr_ctx:
            page = await _page_of(hr_ctx)
            _watch_errors(page, errors)
            await login_as_hr(page, h.base_url)
            await page.set_viewport_size({"width": 1366, "height": 900})
            await open_area(page, "jobs")

            # --- English: paste a description, the requirements show at once in two lists
            assert await page.get_by_role("heading", name="New job from a description").is_visible()
            await page.locator("#jd-plan option").nth(1).wait_for(state="attached", timeout=STEP_TIMEOUT_MS)
            # no plan chosen: said in the page, nothing created
            await page.fill("#jd-title", "Backend Engineer")
            await page.fill("#jd-text", JD_EN)
            await page.click("#jd-submit")
            assert await page.text_content("#jd-errors") == "Choose the interview plan its candidates will take."
            assert await page.evaluate("document.activeElement.id") == "jd-plan"
            await _create_job(page, "Backend Engineer", JD_EN)
            assert (await page.text_content("#jd-status")).startswith("Job created: Backend Engineer.")
            # the years line is one requirement (its field is what the years are of), not also a skill
            assert await _texts(page, "req-must") == ["5+ years", "Python / Go", "Bachelor's degree in computer science"]
            assert await _texts(page, "req-nice") == ["Kafka", "Fluent English"]
            must_text = await page.text_content("#req-must")
            assert "At least 5 years: backend development" in must_text and "any of Python / Go" in must_text
            assert "Language: English (fluent)" in await page.text_content("#req-nice")
            assert "Flexible hours" not in await page.text_content("#req-box")
            jobs = await h.ctx.store.jobs.for_org(h.org_id)
            job_id = next(j.id for j in jobs if j.title == "Backend Engineer")
            await page.wait_for_function(f"() => document.getElementById('job').value === '{job_id}'",
                                         timeout=STEP_TIMEOUT_MS)

            # --- edit one line (read again), move one to must-have by keyboard, add one, save
            kafka = await _item(page, "req-nice", "Kafka")
            await kafka.locator("input.req-text").fill("Kafka or RabbitMQ")
            await kafka.locator("input.req-text").press("Enter")
            await page.locator("#req-nice li", has_text="any of Kafka / RabbitMQ").wait_for(timeout=STEP_TIMEOUT_MS)
            english = await _item(page, "req-nice", "Fluent English")
            await english.get_by_role("combobox", name="List for: Fluent English").select_option("must")
            assert "Moved to must-have: Fluent English" in await page.text_content("#req-status")
            await page.click("#req-add-nice")
            await page.keyboard.type("Docker")
            await page.keyboard.press("Enter")
            await page.locator("#req-nice li", has_text="Skill: Docker").wait_for(timeout=STEP_TIMEOUT_MS)
            assert await page.text_content("#req-status") == "Added: Docker"
            await page.click("#req-save")
            await page.locator("#req-status", has_text="Saved.").wait_for(timeout=STEP_TIMEOUT_MS)

            await page.reload()
            await page.locator("#job").select_option(job_id)
            await page.locator("#req-nice li input.req-text").first.wait_for(timeout=STEP_TIMEOUT_MS)
            assert await _texts(page, "req-nice") == ["Kafka / RabbitMQ", "Docker"]
            assert (await _texts(page, "req-must"))[-1] == "Fluent English"

            # --- resumes uploaded: ranked, each verdict with its reason (the candidates area, the same job)
            await open_area(page, "candidates")
            assert await page.input_value("#job") == job_id
            await page.set_input_files("#resume-files", [str(strong), str(weak)])
            await page.click("#resume-upload")
            rows = page.locator("#match-rows tr")
            await rows.nth(1).wait_for(timeout=STEP_TIMEOUT_MS)
            assert (await rows.nth(0).text_content()).startswith("张伟")
            assert (await rows.nth(1).text_content()).startswith("Emily Carter")
            reasons = await rows.nth(0).locator(".reason").all_text_contents()
            assert len(reasons) == 6 and all(reasons), reasons  # one per requirement of the saved set
            years = await rows.nth(1).locator("li", has_text="5+ years").text_content()
            assert "missing" in years and "; 5 required" in years, years
            await page.locator("#match-rows").screenshot(path=str(SHOTS / "hr-ranking-en.png"))
            await open_area(page, "jobs")
            await _shots(page, "en")

            # --- Chinese: the same page in Chinese, a Chinese description, an edit kept over a reload
            await page.click("#lang")
            assert await page.get_by_role("heading", name="根据职位描述新建职位").is_visible()
            assert await page.text_content("#req-must-h") == "必备条件"
            assert "至少 5 年：backend development" in await page.text_content("#req-must")
            await _create_job(page, "后端开发工程师", JD_ZH)
            assert (await page.text_content("#jd-status")).startswith("已创建职位：后端开发工程师。读出 3 项必备条件")
            assert await _texts(page, "req-must") == ["3年以上", "Python / Java", "本科及以上学历"]
            assert await _texts(page, "req-nice") == ["Kafka"]
            assert "学历：本科及以上" in await page.text_content("#req-must")
            line = (await _item(page, "req-must", "Python / Java")).locator("input.req-text")
            await line.fill("精通 Go 或 Rust")
            await line.press("Tab")  # the change event reads it
            await page.locator("#req-must li", has_text="技能：Go / Rust 任一").wait_for(timeout=STEP_TIMEOUT_MS)
            assert await page.text_content("#req-status") == "有尚未保存的修改。" or \
                (await page.text_content("#req-status")).startswith("已添加")
            await page.get_by_role("button", name="保存要求").click()
            await page.locator("#req-status", has_text="已保存").wait_for(timeout=STEP_TIMEOUT_MS)
            zh_job = next(j.id for j in await h.ctx.store.jobs.for_org(h.org_id) if j.title == "后端开发工程师")
            assert next(j for j in await h.ctx.store.jobs.for_org(h.org_id) if j.id == zh_job).language == "zh"

            await page.reload()
            await page.locator("#job").select_option(zh_job)
            await page.locator("#req-must li input.req-text").first.wait_for(timeout=STEP_TIMEOUT_MS)
            assert await page.evaluate("document.documentElement.lang") == "zh-CN"
            assert await _texts(page, "req-must") == ["3年以上", "Go / Rust", "本科及以上学历"]
            assert await _texts(page, "req-nice") == ["Kafka"]
            await _shots(page, "zh")
            await page.locator("#job").select_option(job_id)
            await open_area(page, "candidates")
            await page.locator("#match-rows tr").nth(1).wait_for(timeout=STEP_TIMEOUT_MS)
            # the reasons in Chinese too (from the reason codes, not the server's English explanation)
            await page.locator("#match-rows .reason", has_text="要求").first.wait_for(timeout=STEP_TIMEOUT_MS)
            reasons = await page.locator("#match-rows .reason").all_text_contents()
            assert len(reasons) == 12 and all(re.search(r"[\u4e00-\u9fff]", r) for r in reasons), reasons
            years = await page.locator("#match-rows tr").nth(1).locator("li", has_text="5+ years").text_content()
            assert "不满足" in years and "要求 5 年" in years, years
            await page.locator("#match-rows").screenshot(path=str(SHOTS / "hr-ranking-zh.png"))

            # --- a description left empty is refused in the page, naming what is missing
            await open_area(page, "jobs")
            await page.fill("#jd-title", "测试")
            await page.select_option("#jd-plan", index=1)
            await page.click("#jd-submit")
            assert await page.text_content("#jd-errors") == "请粘贴职位描述。"
            assert await page.evaluate("document.activeElement.id") == "jd-text"
    assert not errors, errors
