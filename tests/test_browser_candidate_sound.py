"""The candidate page and the candidate's microphone, in real Chromium against the real server, in English and
Chinese, on a desktop (1280x800) and a phone (390x844): the device check says "ready" only once sound came from the
microphone (and says what to check when none does); "I have finished" and a question's time limit move the interview
on within seconds although Chromium's fake microphone never pauses (it beeps twice a second: a noisy room to the
server), and the page says what is happening; the hint next to a greyed-out "I have finished" does not offer it; and
an English interview opened in a Chinese browser is wholly English until the candidate switches.

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec env PYTHONPATH=$PWD .venv/bin/python -m pytest -m browser tests/test_browser_candidate_sound.py'

Screenshots go to /tmp/cand-shots/ for a person to look at.
"""

from __future__ import annotations

import re
import time

import pytest

from benchmarks.synthetic_media import make_speech_wav
from dialogue.plan_io import load_plan
from dialogue.turn_taking import TurnTakingConfig
from tests.harness import running_server
from tests.test_browser_candidate import DESKTOP, PHONE, browser, consent, no_english_left, open_page, shot
from tests.test_browser_interview import INTERVIEW_TIMEOUT_MS, STEP_TIMEOUT_MS, _page_of, _watch_errors, playwright_api
from web_client.catalogue import text as catalogue_text

pytestmark = pytest.mark.browser

HAN = re.compile(r"[\u4e00-\u9fff]")
TIME_LIMIT_S = 20
PLAN = f"""
version: 1
title: {{en: Engineer}}
questions:
  - id: q-1
    competency: delivering results
    text: {{en: 'Tell me about a piece of work you are proud of.'}}
    max_follow_ups: 0
  - id: q-2
    competency: learning
    text: {{en: 'What did you learn from it?'}}
    time_limit_s: {TIME_LIMIT_S}
    max_follow_ups: 0
  - id: q-3
    competency: teamwork
    text: {{en: 'Who helped you most?'}}
    max_follow_ups: 0
"""
COMBOS = [("en", DESKTOP), ("zh", DESKTOP), ("en", PHONE), ("zh", PHONE)]


def t(key: str, lang: str) -> str:
    return catalogue_text(key, lang)


def size_of(viewport: dict) -> str:
    return f"{viewport['width']}"


async def status_is(page, key: str, lang: str, timeout: float = STEP_TIMEOUT_MS) -> None:
    await page.wait_for_function("([id, text]) => document.getElementById(id).textContent === text",
                                 arg=["devices-status", t(key, lang)], timeout=timeout)


@pytest.mark.parametrize("lang,viewport", COMBOS)
async def test_a_silent_microphone_is_never_called_ready_and_the_greyed_button_is_not_offered(sqlite_url, tmp_path,
                                                                                             lang, viewport):
    errors: list[str] = []
    silence = make_speech_wav(tmp_path / "media" / "silence.wav", [30.0])
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        _, token = await h.create_interview("Mei Lin")
        async with browser(pw, tmp_path / "cand", viewport, audio=str(silence.path)) as ctx:
            page = await open_page(ctx, f"{h.base_url}/i/{token}?tts=off", errors, lang)
            await consent(page, face=True)
            await status_is(page, "cand_dev_mic_check_video", lang)  # asks for a few words, claims nothing
            assert not await page.locator("#mic-retry").is_visible()
            await status_is(page, "cand_dev_silent", lang, timeout=15_000)  # nothing came: what to check
            assert await page.locator("#mic-retry").is_visible()
            assert await page.locator("#join").is_enabled()  # joining stays possible (the meter might be wrong)
            await shot(page, f"sound-devices-silent-{lang}-{size_of(viewport)}")
            if lang == "zh":
                await no_english_left(page)

            await page.click("#join")
            await page.wait_for_function("() => document.getElementById('question').textContent !== ''",
                                         timeout=INTERVIEW_TIMEOUT_MS)
            await page.wait_for_timeout(3000)  # nothing heard: "I have finished" stays greyed out...
            assert await page.locator("#answer-done").is_disabled()
            hint = await page.text_content("#turn-status")  # ...and the hint does not offer it now
            assert hint == t("answer_done_hint", lang)
            assert {"en": "once you have started answering, you can also press the button",
                    "zh": "开始回答后，也可以点这个按钮"}[lang] in hint
            await shot(page, f"sound-live-silent-{lang}-{size_of(viewport)}")
    assert not errors, errors


@pytest.mark.parametrize("lang,viewport", COMBOS)
async def test_with_a_microphone_that_never_pauses_i_have_finished_and_the_time_limit_still_move_on(
        sqlite_url, tmp_path, lang, viewport):
    """Chromium's fake microphone beeps every 500 ms: to the server, a sound that never pauses. The device check
    hears it; "I have finished" ends the answer within ``finish_max_wait_ms`` (the blind test waited 40 s and more);
    a question whose time runs out says so and ends within ``time_limit_grace_ms`` (desktop English and phone
    Chinese only: it waits out a 20-s limit)."""
    errors: list[str] = []
    config = TurnTakingConfig()
    with_time_up = (lang, viewport) in (("en", DESKTOP), ("zh", PHONE))
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        await h.use_plan(load_plan(PLAN), "Engineer")
        _, token = await h.create_interview("Mei Lin")
        async with browser(pw, tmp_path / "cand", viewport) as ctx:
            page = await open_page(ctx, f"{h.base_url}/i/{token}?tts=off", errors, lang)
            await consent(page, face=True)
            await status_is(page, "cand_dev_ready_video", lang)  # the beeps were heard
            await shot(page, f"sound-devices-ready-{lang}-{size_of(viewport)}")
            if lang == "zh":
                await no_english_left(page)

            await page.click("#join")
            await page.wait_for_function("() => document.getElementById('question').textContent.includes('proud')",
                                         timeout=INTERVIEW_TIMEOUT_MS)
            await page.wait_for_function("() => !document.getElementById('answer-done').disabled",
                                         timeout=STEP_TIMEOUT_MS)  # the sound counts as speaking
            await page.click("#answer-done")
            pressed = time.monotonic()
            await page.wait_for_function("() => document.getElementById('turn-status').dataset.state === 'finishing'",
                                         timeout=STEP_TIMEOUT_MS)
            assert await page.text_content("#turn-status") == t("finishing_pause", lang)
            await shot(page, f"sound-finishing-{lang}-{size_of(viewport)}")
            await page.wait_for_function("() => document.getElementById('question').textContent.includes('learn')",
                                         timeout=INTERVIEW_TIMEOUT_MS)
            moved_on = time.monotonic() - pressed
            assert moved_on < config.finish_max_wait_ms / 1000 + 6, moved_on  # recognition and a busy machine
            # the sound goes on into this answer: "I have finished" is usable at once
            await page.wait_for_function("() => !document.getElementById('answer-done').disabled",
                                         timeout=STEP_TIMEOUT_MS)
            if with_time_up:
                asked = time.monotonic()
                await page.wait_for_function(
                    "() => document.getElementById('turn-status').dataset.state === 'time_up'",
                    timeout=(TIME_LIMIT_S + 5) * 1000)
                assert await page.text_content("#turn-status") == t("time_up_finishing", lang)
                assert await page.text_content("#countdown-value") == "0:00"
                await shot(page, f"sound-time-up-{lang}-{size_of(viewport)}")
                await page.wait_for_function(
                    "() => document.getElementById('question').textContent.includes('helped')",
                    timeout=INTERVIEW_TIMEOUT_MS)
                waited = time.monotonic() - asked
                assert waited < TIME_LIMIT_S + config.time_limit_grace_ms / 1000 + 6, waited
        iv_id = (await h.ctx.store.interviews.for_org(h.org_id))[0].id
        reasons = [turn.end_reason for turn in await h.ctx.store.records.turns(iv_id)]
        assert reasons[0] in ("candidate_done", "no_answer"), reasons  # no words in beeps: nothing to score
        if with_time_up:
            assert reasons[1] == "time_limit", reasons
    assert not errors, errors


async def test_an_english_interview_in_a_chinese_browser_is_wholly_english_until_the_candidate_switches(
        sqlite_url, tmp_path):
    """The page settles on the interview's language after its first look at the session: nothing rendered before
    (the human-review box) may keep the browser's language. The switch then turns all of it into Chinese."""
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        _, token = await h.create_interview("Mei Lin", language="en")
        async with browser(pw, tmp_path / "cand", DESKTOP, locale="zh-CN") as ctx:
            page = await _page_of(ctx)
            _watch_errors(page, errors)
            assert await page.evaluate("navigator.language") == "zh-CN"

            async def chinese_left() -> list[str]:
                """Lines of the page with Chinese in them, the language switch (which names Chinese) aside."""
                text = await page.evaluate("document.querySelector('main').innerText")
                return [line for line in text.splitlines() if HAN.search(line)]

            await page.goto(f"{h.base_url}/i/{token}?tts=off")
            await page.locator("#review-consent").get_by_role("button").wait_for(timeout=STEP_TIMEOUT_MS)
            assert await page.evaluate("I18N.lang") == "en"
            assert await chinese_left() == []
            await page.locator("#review-consent").get_by_role("button").click()
            await page.locator("#review-consent").get_by_role("status").filter(
                has_text="Your request for a human review was received").wait_for(timeout=STEP_TIMEOUT_MS)
            assert await chinese_left() == []
            await shot(page, "sound-review-en-in-zh-browser-1280")
            await page.reload()
            await page.locator("#review-consent").get_by_role("status").filter(
                has_text="Your request for a human review was received").wait_for(timeout=STEP_TIMEOUT_MS)
            assert await chinese_left() == []

            await page.click("#lang")  # the candidate's own choice: all of it in Chinese
            await page.locator("#review-consent").get_by_role("status").filter(has_text="我们已于").wait_for(
                timeout=STEP_TIMEOUT_MS)
            await no_english_left(page)
            await shot(page, "sound-review-switched-zh-1280")
    assert not errors, errors
