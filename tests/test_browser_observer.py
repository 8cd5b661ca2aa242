"""The observer page ("Watch") of an interview that is over, in real Chromium: it says the interview finished (title,
status, a sentence, the report's link) instead of "Live interview" with a "live" badge; no current question; why
the transcript is empty when it is; and the consents the candidate gave, or that none is on record (not "not given
yet", which only an interview still to come can say). An interview still to come keeps the live page. Screenshots go to /tmp/report-shots/ (REPORT_SHOTS overrides).

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec env PYTHONPATH=$PWD .venv/bin/python -m pytest -m browser -q tests/test_browser_observer.py'
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from server.compliance.consents import CONSENT_VERSION
from server.storage.models import utcnow
from tests.harness import running_server
from tests.report_seed import seed_report_interview
from tests.test_browser_interview import (
    STEP_TIMEOUT_MS,
    _page_of,
    _watch_errors,
    chromium,
    login_as_hr,
    playwright_api,
)
from web_client.catalogue import text

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("REPORT_SHOTS", "/tmp/report-shots"))
WIDTHS = {"1280": {"width": 1280, "height": 800}, "390": {"width": 390, "height": 844}}


async def _open(page, base_url: str, interview_id: str) -> None:
    await page.goto(f"{base_url}/observe/{interview_id}")
    await page.wait_for_function("() => document.getElementById('cand').textContent !== ''", timeout=STEP_TIMEOUT_MS)


async def _shoot(page, name: str) -> None:
    for tag, size in WIDTHS.items():
        await page.set_viewport_size(size)
        await page.wait_for_timeout(250)
        await page.screenshot(path=str(SHOTS / f"{name}-{tag}.png"), full_page=True)
        assert await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0, (name, tag)
    await page.set_viewport_size(WIDTHS["1280"])


async def _says_it_is_over(page, interview_id: str, lang: str) -> None:
    await page.wait_for_function("(want) => document.getElementById('title-kind').textContent === want",
                                 arg=text("obs_title_finished", lang), timeout=STEP_TIMEOUT_MS)
    assert await page.title() == text("obs_title_finished", lang)
    assert await page.inner_text("#status") == text("st_finished", lang)
    assert not await page.locator("#stream").is_visible() and not await page.locator("#conn").is_visible()
    assert await page.inner_text("#ended-text") == text("obs_ended_finished", lang)
    link = page.locator("#ended-report")
    assert await link.is_visible() and await link.get_attribute("href") == f"/reports/{interview_id}"


async def test_a_finished_interview_is_shown_as_finished_with_its_consents_and_report(sqlite_url, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        store = h.ctx.store
        answered = await seed_report_interview(h, "en")
        await store.interviews.record_consents(
            await store.interviews.get(answered.interview_id),
            [("ai_evaluation", CONSENT_VERSION, True, "t"), ("recording", CONSENT_VERSION, False, "t"),
             ("face_voice_analysis", CONSENT_VERSION, True, "t")], "127.0.0.1", "test")
        only = await store.interviews.create(h.org_id, h.job_id, "Lena Li", "", "en")  # as the demo's history
        await store.records.add_score(only.id, 0, 0, "communication", 2.0, 0.8, "", [], [])
        await store.interviews.update(only.id, status="finished", started_at=utcnow(), ended_at=utcnow())
        coming = await store.interviews.create(h.org_id, h.job_id, "Kai Wu", "", "en")

        async with chromium(pw, tmp_path / "observer") as ctx:
            page = await _page_of(ctx)
            _watch_errors(page, errors)
            await login_as_hr(page, h.base_url)

            await _open(page, h.base_url, answered.interview_id)
            await _says_it_is_over(page, answered.interview_id, "en")
            assert not await page.locator("#q-h").is_visible() and not await page.locator("#question").is_visible()
            assert not await page.locator("#transcript-none").is_visible()
            assert await page.inner_text("#consents") == "{}: {}: {}, {}: {}, {}: {}".format(
                text("consents_label", "en"), text("c_ai_evaluation", "en"), text("yes", "en"),
                text("c_recording", "en"), text("no", "en"), text("c_face_voice_analysis", "en"), text("yes", "en"))
            await _shoot(page, "observer-finished-en")

            await _open(page, h.base_url, only.id)
            await _says_it_is_over(page, only.id, "en")
            assert await page.inner_text("#transcript-none") == text("obs_no_transcript", "en")
            assert await page.inner_text("#consents") == (
                f'{text("consents_label", "en")}: {text("consents_no_record", "en")}')
            await _shoot(page, "observer-scores-only-en")
            await page.click("#lang")
            await _says_it_is_over(page, only.id, "zh")
            assert await page.inner_text("#flags") == text("no_flags", "zh")
            assert await page.inner_text("#consents") == (
                f'{text("consents_label", "zh")}：{text("consents_no_record", "zh")}')
            await _shoot(page, "observer-scores-only-zh")
            await page.click("#lang")

            await _open(page, h.base_url, coming.id)  # still to come: says so, and what will appear; nothing given yet
            assert await page.inner_text("#title-kind") == text("obs_title_waiting", "en")
            assert await page.inner_text("#transcript-none") == text("obs_not_started", "en")
            assert not await page.locator("#ended").is_visible() and await page.locator("#conn").is_visible()
            assert await page.inner_text("#consents") == (
                f'{text("consents_label", "en")}: {text("consents_none", "en")}')
    assert not errors, errors
