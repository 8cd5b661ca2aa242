"""The candidate's experience around the interview in real Chromium, in English and Chinese, on a desktop (1280x800)
and a phone (390x844): what to expect before joining, the practice question (taken and skipped), the time left per
question, the human review request, and help with a retry when the browser refuses the microphone or camera.

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec env PYTHONPATH=$PWD .venv/bin/python -m pytest -m browser tests/test_browser_candidate.py'

Screenshots go to /tmp/cand-shots/ for a person to look at.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import AsyncIterator

import pytest

from benchmarks.synthetic_media import make_face_video, make_speech_wav
from dialogue.session import PRACTICE
from tests.harness import TEST_QUESTIONS, running_server, until
from tests.test_browser_interview import (BASE_FLAGS, CHROMIUM, INTERVIEW_TIMEOUT_MS, STEP_TIMEOUT_MS, _page_of,
                                          _watch_errors, playwright_api)
from tests.test_catalogue import catalogue_english_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/cand-shots")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PRACTICE_ANSWER = "On a free weekend I go hiking with my sister near the lake."
ANSWER_1 = "My team of five engineers rebuilt the payment service last year."
ANSWER_2 = "We cut the failure rate in half within three months."


@contextlib.asynccontextmanager
async def browser(pw, profile: Path, viewport: dict, *, allow_devices: bool = True, video: Path | None = None,
                  audio: str | None = None, locale: str | None = None) -> AsyncIterator:
    """A fresh Chromium with fake devices; ``allow_devices=False``: the site is not allowed the microphone or camera
    (what a candidate who pressed Block gets); ``locale``: the browser's language (e.g. "zh-CN")."""
    flags = [f for f in BASE_FLAGS if allow_devices or f != "--use-fake-ui-for-media-stream"]
    if video is not None:
        flags.append(f"--use-file-for-fake-video-capture={video}")
    if audio is not None:
        flags.append(f"--use-file-for-fake-audio-capture={audio}")
    profile.mkdir(parents=True, exist_ok=True)
    context = await pw.chromium.launch_persistent_context(
        user_data_dir=str(profile), executable_path=CHROMIUM, headless=True, args=flags, viewport=viewport,
        **({"locale": locale} if locale else {}))
    try:
        yield context
    finally:
        await context.close()


async def open_page(context, url: str, errors: list[str], lang: str):
    """The candidate page at the consent step, in ``lang`` (the language switch, as a candidate would)."""
    page = await _page_of(context)
    _watch_errors(page, errors)
    await page.goto(url)
    await page.locator("#step-consent").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
    await page.wait_for_function("() => document.getElementById('summary').textContent !== ''",
                                 timeout=STEP_TIMEOUT_MS)
    if (await page.evaluate("I18N.lang")) != lang:
        before = await page.text_content("#summary")
        await page.click("#lang")
        await page.wait_for_function("before => document.getElementById('summary').textContent !== before", arg=before)
    return page


async def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def no_english_left(page, settle_s: float = 5.0) -> None:
    """No catalogue English on the page once it has settled: a language switch re-renders parts that wait for the
    server (e.g. the session's summary), so the page is read again for up to ``settle_s`` before the check fails."""
    async def english() -> list:
        return catalogue_english_in(await page.evaluate("document.body.innerText"))

    async def none_left() -> bool:
        return not await english()

    with contextlib.suppress(AssertionError):  # timed out: the assertion below says what was left
        await until(none_left, settle_s, what="no English left")
    found = await english()
    assert not found, found


async def consent(page, face: bool) -> None:
    await page.check("#consent-ai_evaluation")
    if face:
        await page.check("#consent-face_voice_analysis")
    await page.click("#consent-continue")
    await page.locator("#step-devices").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)


@pytest.mark.parametrize("lang,viewport,face", [("en", DESKTOP, False), ("zh", PHONE, True),
                                                 ("zh", DESKTOP, False), ("en", PHONE, True)])
async def test_before_joining_the_candidate_sees_how_long_and_what_is_analysed(sqlite_url, tmp_path, lang, viewport,
                                                                              face):
    errors: list[str] = []
    size = "desktop" if viewport is DESKTOP else "phone"
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        _, token = await h.create_interview("Mei Lin")
        async with browser(pw, tmp_path / "cand", viewport) as ctx:
            page = await open_page(ctx, f"{h.base_url}/i/{token}?tts=off", errors, lang)
            summary = await page.text_content("#summary")
            # TEST_QUESTIONS: two questions of 180 s each
            assert summary == {"en": "2 questions, about 6 min in all. You can try a practice question first.",
                               "zh": "2 道题，总计约 6 分钟。您可以先做一道练习题。"}[lang]
            review = page.locator("#review-consent")
            assert await review.get_by_role("button").text_content() == {"en": "Ask for a human review",
                                                                          "zh": "申请人工复核"}[lang]
            await shot(page, f"consent-{lang}-{size}")
            if lang == "zh":
                await no_english_left(page)

            await consent(page, face)
            await page.wait_for_function("() => !document.getElementById('join').disabled", timeout=STEP_TIMEOUT_MS)
            expect = await page.locator("#expect-list li").all_text_contents()
            assert expect[0] == {"en": "2 questions, about 6 min in all: up to 3 min per question, follow-up "
                                       "questions included.",
                                 "zh": "2 道题，总计约 6 分钟：每题（含追问）最多 3 分钟。"}[lang]
            assert ("AI evaluates" if lang == "en" else "AI 会评估") in expect[1]
            face_line = {("en", True): "as you agreed", ("en", False): "not analysed, as you did not agree",
                         ("zh", True): "您已同意", ("zh", False): "您未同意"}[(lang, face)]
            assert face_line in expect[2] and ("emotions" in expect[2] or "情绪" in expect[2] or not face)
            assert await page.locator("#join-practice").is_visible()
            assert await page.locator("#preview").is_visible() == face  # no camera asked without the consent
            await shot(page, f"join-{lang}-{size}{'-video' if face else ''}")
            if lang == "zh":
                await no_english_left(page)
    assert not errors, errors


@pytest.mark.parametrize("lang,viewport", [("en", DESKTOP), ("zh", PHONE)])
async def test_denied_devices_are_explained_and_try_again_asks_without_a_reload(sqlite_url, tmp_path, lang, viewport):
    errors: list[str] = []
    size = "desktop" if viewport is DESKTOP else "phone"
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        _, token = await h.create_interview("Mei Lin")
        async with browser(pw, tmp_path / "cand", viewport, allow_devices=False) as ctx:
            page = await open_page(ctx, f"{h.base_url}/i/{token}?tts=off", errors, lang)
            await consent(page, face=True)
            help_box = page.locator("#device-help")
            await help_box.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            assert await page.text_content("#devices-error") == {
                "en": "The microphone or camera is blocked for this page", "zh": "此页面使用麦克风或摄像头的权限被阻止"}[lang]
            steps = await page.text_content("#device-help-browser")
            assert steps.startswith({"en": "In Chrome:", "zh": "Chrome："}[lang])  # the steps for this browser
            assert await page.locator("#device-help-system").is_visible()
            assert await page.locator("#device-audio-only").is_visible()  # a camera was asked for
            assert await page.locator("#join").is_disabled()
            await shot(page, f"devices-denied-{lang}-{size}")
            if lang == "zh":
                await no_english_left(page)

            # the candidate allows the site in the browser's settings, then presses Try again: no reload
            marker = await page.evaluate("window.__sameDocument = Math.random()")
            await ctx.grant_permissions(["microphone", "camera"], origin=h.base_url)
            await page.click("#device-retry")
            await page.wait_for_function("() => !document.getElementById('join').disabled", timeout=STEP_TIMEOUT_MS)
            assert await page.evaluate("window.__sameDocument") == marker
            assert not await help_box.is_visible() and await page.text_content("#devices-error") == ""
            # ready once the microphone was heard (Chromium's fake one beeps twice a second)
            await page.locator("#devices-status").filter(has_text={"en": "Your microphone and camera are ready.",
                                                                   "zh": "麦克风和摄像头已就绪。"}[lang]).wait_for(
                timeout=STEP_TIMEOUT_MS)
            await shot(page, f"devices-allowed-{lang}-{size}")
    assert not errors, errors


# getUserMedia refusing with ``name`` (``times`` times, then the real devices): what each case tells the candidate
FAIL_SCRIPT = """
(() => {
  const spec = JSON.parse(sessionStorage.getItem('failWith') || 'null');
  if (!spec) return;
  if (spec.insecure) { Object.defineProperty(window, 'isSecureContext', { get: () => false }); return; }
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  let left = spec.times;
  window.__asked = [];
  navigator.mediaDevices.getUserMedia = (constraints) => {
    window.__asked.push(JSON.stringify(constraints));
    if (left-- > 0) return Promise.reject(new DOMException('the browser says no (' + spec.name + ')', spec.name));
    return real(constraints);
  };
})();
"""


async def test_each_kind_of_device_failure_gets_its_own_help(sqlite_url, tmp_path):
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        _, token = await h.create_interview("Mei Lin")
        async with browser(pw, tmp_path / "cand", DESKTOP) as ctx:
            await ctx.add_init_script(FAIL_SCRIPT)
            page = await _page_of(ctx)
            _watch_errors(page, errors)
            url = f"{h.base_url}/i/{token}?tts=off"

            async def fail(spec: dict) -> None:
                await page.goto(url)
                await page.evaluate(f"sessionStorage.setItem('failWith', {json.dumps(json.dumps(spec))})")
                await page.goto(url)
                await page.locator("#step-consent").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
                if (await page.evaluate("I18N.lang")) != "en":
                    await page.click("#lang")
                await consent(page, face=True)

            for name, title, hint in [
                ("NotFoundError", "No microphone or camera was found", "Connect a microphone"),
                ("NotReadableError", "The microphone or camera is in use or not working", "Another program"),
                ("OverconstrainedError", "The camera cannot give the picture this page needs", "Try another camera"),
            ]:
                await fail({"name": name, "times": 2})
                await page.locator("#device-help").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
                assert await page.text_content("#devices-error") == title
                assert (await page.text_content("#device-help-text")).startswith(hint)
                assert name in await page.text_content("#device-help-detail")  # the browser's own words, below
                assert not await page.locator("#device-help-browser").is_visible()  # no settings to change
                await shot(page, f"devices-{name}-en-desktop")
                if name != "OverconstrainedError":  # (the page itself asked a second time, for any picture)
                    await page.click("#device-retry")  # the second refusal
                    await page.locator("#device-help").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
                await page.click("#device-retry")
                await page.wait_for_function("() => !document.getElementById('join').disabled",
                                             timeout=STEP_TIMEOUT_MS)
                assert len(await page.evaluate("window.__asked")) == 3
                assert not await page.locator("#device-help").is_visible()

            # a camera that offers no picture the page asks for: any picture will do, the candidate sees nothing
            await fail({"name": "OverconstrainedError", "times": 1})
            await page.wait_for_function("() => !document.getElementById('join').disabled", timeout=STEP_TIMEOUT_MS)
            assert json.loads((await page.evaluate("window.__asked"))[1])["video"] is True

            # the camera in use: the candidate goes on with the microphone only
            await fail({"name": "NotReadableError", "times": 1})
            await page.locator("#device-help").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            await page.click("#device-audio-only")
            await page.wait_for_function("() => !document.getElementById('join').disabled", timeout=STEP_TIMEOUT_MS)
            assert json.loads((await page.evaluate("window.__asked"))[1])["video"] is False
            assert await page.locator("#audio-only-note").is_visible() and not await page.locator("#preview").is_visible()
            assert "not analysed" in (await page.locator("#expect-list li").all_text_contents())[2]

            # an insecure page: no retry can mend it, the candidate is told to open the https link
            await fail({"insecure": True})
            await page.locator("#device-help").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            assert await page.text_content("#devices-error") == "This page was not opened over a secure connection"
            assert "https://" in await page.text_content("#device-help-text")
            assert not await page.locator("#device-retry").is_visible()
            await shot(page, "devices-insecure-en-desktop")
    assert not errors, errors


@pytest.mark.parametrize("lang,viewport", [("en", DESKTOP), ("zh", PHONE)])
async def test_the_candidate_asks_for_a_human_review_once(sqlite_url, tmp_path, lang, viewport):
    errors: list[str] = []
    size = "desktop" if viewport is DESKTOP else "phone"
    sent = {"en": "Your request for a human review was received on", "zh": "我们已于"}[lang]
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        early_id, early = await h.create_interview("Mei Lin")
        late_id, late = await h.create_interview("Ana Ruiz")
        await h.ctx.store.interviews.update(late_id, status="finished")
        async with browser(pw, tmp_path / "cand", viewport) as ctx:
            # on the consent screen, where the consent text states the right
            page = await open_page(ctx, f"{h.base_url}/i/{early}?tts=off", errors, lang)
            box = page.locator("#review-consent")
            await box.get_by_role("button").click()
            await box.get_by_role("status").filter(has_text=sent).wait_for(timeout=STEP_TIMEOUT_MS)
            assert not await box.get_by_role("button").is_visible()
            first = (await h.ctx.store.interviews.get(early_id)).review_requested_at
            assert first is not None
            await shot(page, f"review-consent-{lang}-{size}")
            await page.reload()  # asked once: the page says so, with no button to ask again
            await page.locator("#review-consent").get_by_role("status").filter(has_text=sent).wait_for(
                timeout=STEP_TIMEOUT_MS)
            assert not await page.locator("#review-consent").get_by_role("button").is_visible()

            # on the finished page
            page = await open_page_finished(ctx, f"{h.base_url}/i/{late}?tts=off", errors, lang)
            done = page.locator("#review-done")
            await done.get_by_role("button").click()
            await done.get_by_role("status").filter(has_text=sent).wait_for(timeout=STEP_TIMEOUT_MS)
            await shot(page, f"review-finished-{lang}-{size}")
            if lang == "zh":
                await no_english_left(page)
        assert (await h.ctx.store.interviews.get(early_id)).review_requested_at == first
        assert (await h.ctx.store.interviews.get(late_id)).review_requested_at is not None
        events = (await h.ctx.store.interviews.detail(early_id))["events"]
        assert [e.get("reason") for e in events if e["type"] == "interview.state"] == ["human_review_requested"]
    assert not errors, errors


async def open_page_finished(context, url: str, errors: list[str], lang: str):
    page = await _page_of(context)
    await page.goto(url)
    await page.locator("#step-done").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
    if (await page.evaluate("I18N.lang")) != lang:
        await page.click("#lang")
    await page.locator("#review-done").get_by_role("button").wait_for(timeout=STEP_TIMEOUT_MS)
    return page


# Every change of the countdown's digits and of whether it shows, with the time it happened
WATCH_COUNTDOWN = """
window.__ticks = [];
document.addEventListener('DOMContentLoaded', () => {
  const box = document.getElementById('countdown'), value = document.getElementById('countdown-value');
  new MutationObserver(() => window.__ticks.push(['value', value.textContent]))
    .observe(value, {childList: true, characterData: true, subtree: true});
  new MutationObserver(() => window.__ticks.push(['shown', !box.classList.contains('hidden')]))
    .observe(box, {attributes: true, attributeFilter: ['class']});
});"""


def _seconds(clock: str) -> int:
    m, s = clock.split(":")
    return int(m) * 60 + int(s)


async def test_practice_skipped_then_the_time_left_counts_down(sqlite_url, tmp_path):
    """On a phone, in Chinese: the practice question is labelled and skippable; each question shows its time left,
    a second at a time, without flashing."""
    errors: list[str] = []
    # a quiet microphone (Chromium's own fake one beeps, which counts as speaking: a skip would wait for a pause)
    quiet = make_speech_wav(tmp_path / "media" / "quiet.wav", [40.0])
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        _, token = await h.create_interview("Mei Lin")
        async with browser(pw, tmp_path / "cand", PHONE, audio=str(quiet.path)) as ctx:
            await ctx.add_init_script(WATCH_COUNTDOWN)
            page = await open_page(ctx, f"{h.base_url}/i/{token}?tts=off", errors, "zh")
            await consent(page, face=False)
            await page.wait_for_function("() => !document.getElementById('join-practice').disabled",
                                         timeout=STEP_TIMEOUT_MS)
            await page.click("#join-practice")
            await page.locator("#practice-box").wait_for(state="visible", timeout=INTERVIEW_TIMEOUT_MS)
            assert await page.text_content("#progress") == "练习题"
            assert await page.text_content("#question") == PRACTICE["en"]  # the interview's language
            assert "not scored" in await page.text_content("#preamble")
            assert "不评分" in await page.text_content("#practice-box")
            await page.locator("#countdown").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            assert _seconds(await page.text_content("#countdown-value")) in (59, 60)
            assert await page.text_content("#countdown-note") == "本题还剩 1 分钟"  # said once, politely
            await shot(page, "practice-zh-phone")
            await no_english_left_but_the_questions(page)

            await page.click("#practice-skip")
            # at once, nothing to finish: the interview begins (skipped, or the practice's end already in)
            assert await page.text_content("#turn-status") in ("已跳过练习，面试马上开始。", "练习结束，现在正式开始面试。")
            assert await page.locator("#answer-done").is_disabled()
            await page.wait_for_function(
                "() => document.getElementById('progress').textContent === '第 1 题，共 2 题'", timeout=STEP_TIMEOUT_MS)
            assert not await page.locator("#practice-box").is_visible()
            assert await page.text_content("#question") == TEST_QUESTIONS[0]["text"]
            assert "practice" in await page.text_content("#preamble")
            await page.evaluate("window.__ticks = []")
            await page.wait_for_function("() => window.__ticks.filter(t => t[0] === 'value').length >= 3",
                                         timeout=STEP_TIMEOUT_MS)
            ticks = await page.evaluate("window.__ticks")
            values = [_seconds(v) for kind, v in ticks if kind == "value"]
            assert all(b == a - 1 for a, b in zip(values, values[1:])), values  # a second at a time, never back
            assert 170 <= values[0] <= 180
            assert [t for t in ticks if t[0] == "shown"] == []  # it never hid or flashed while the answer was open
            assert await page.get_by_role("timer").is_visible()
            await shot(page, "question-countdown-zh-phone")
    assert not errors, errors


async def no_english_left_but_the_questions(page) -> None:
    text = await page.evaluate("document.body.innerText")
    found = [f for f in catalogue_english_in(text) if not f.startswith("cand_practice")]
    assert not found, found


async def test_practice_taken_is_heard_and_then_kept_nowhere(sqlite_url, tmp_path):
    """On a desktop, in English: the candidate answers the practice question (captions show they are heard), then
    the interview; the report, transcript, scores and timeline hold nothing of the practice."""
    errors: list[str] = []
    speech = make_speech_wav(tmp_path / "media" / "answers.wav",
                             [4.0, PRACTICE_ANSWER, 6.0, ANSWER_1, 6.0, ANSWER_2, 8.0], voice="en-us")
    video = make_face_video(tmp_path / "media" / "face.y4m", seconds=3.0)
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        interview_id, token = await h.create_interview("Mei Lin")
        async with browser(pw, tmp_path / "cand", DESKTOP, video=video, audio=f"{speech.path}%noloop") as ctx:
            page = await open_page(ctx, f"{h.base_url}/i/{token}?audio=raw&tts=off", errors, "en")
            await consent(page, face=True)
            await page.wait_for_function("() => !document.getElementById('join-practice').disabled",
                                         timeout=STEP_TIMEOUT_MS)
            await page.click("#join-practice")
            await page.locator("#practice-box").wait_for(state="visible", timeout=INTERVIEW_TIMEOUT_MS)
            assert await page.text_content("#progress") == "Practice question"
            await page.locator("#countdown").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            await page.wait_for_function("() => /hiking/i.test(document.getElementById('captions').textContent)",
                                         timeout=INTERVIEW_TIMEOUT_MS)
            await shot(page, "practice-heard-en-desktop")
            await page.wait_for_function(
                "() => document.getElementById('progress').textContent === 'Question 1 of 2'",
                timeout=INTERVIEW_TIMEOUT_MS)
            assert not await page.locator("#practice-box").is_visible()
            assert await page.locator("#countdown").is_visible()
            await shot(page, "question-countdown-en-desktop")
            await page.locator("#step-done").wait_for(state="visible", timeout=INTERVIEW_TIMEOUT_MS * 2)
            await page.locator("#review-done").get_by_role("button").wait_for(timeout=STEP_TIMEOUT_MS)
            await shot(page, "finished-en-desktop")

        detail = await h.ctx.store.interviews.detail(interview_id)
        assert [t["question"] for t in detail["turns"]][:2] == [q["text"] for q in TEST_QUESTIONS]
        assert {"team", "engineers"} <= set(re.findall(r"\w+", detail["turns"][0]["answer"].lower()))
        async with h.hr_client() as http:
            async with http.get(f"/api/v1/interviews/{interview_id}/report") as r:
                report = await r.json()
            async with http.get(f"/api/v1/jobs/{h.job_id}/bias") as r:
                bias = await r.json()
        scores = await h.ctx.store.records.scores(interview_id)
        assert scores and all(s.turn_index >= 0 for s in scores)
        for name, data in [("interview record and timeline", detail), ("report", report), ("bias report", bias),
                           ("scores", [[s.evidence, s.uncertain] for s in scores])]:
            text = json.dumps(data).lower()
            assert "hiking" not in text and "weekend" not in text, name
    assert not errors, errors
