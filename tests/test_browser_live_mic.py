"""The candidate's microphone during the interview, in real Chromium against the real server, in English and Chinese,
on a desktop (1280x800) and a phone (390x844): a labelled level meter next to the answer controls; a microphone that
delivers nothing at all while an answer is awaited is said to be silent (and what to check) until sound arrives; a
microphone whose track ends is said to be disconnected, the question's time stops with the server's, and
"Reconnect the microphone" gets it again on the same connection: the server receives audio again and the interview
goes on.

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec env PYTHONPATH=$PWD .venv/bin/python -m pytest -m browser tests/test_browser_live_mic.py'

Screenshots go to /tmp/cand-shots/ for a person to look at.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from benchmarks.synthetic_media import make_speech_wav
from tests.harness import running_server
from tests.test_browser_candidate import (
    DESKTOP,
    PHONE,
    browser,
    consent,
    no_english_left,
    open_page,
    shot,
)
from tests.test_browser_candidate_sound import COMBOS, size_of, t
from tests.test_browser_interview import (
    INTERVIEW_TIMEOUT_MS,
    STEP_TIMEOUT_MS,
    playwright_api,
)

pytestmark = pytest.mark.browser

SILENT_S = 25  # the fake microphone's file: this long of digital silence from when the page opens it, then words
VALUE = "() => Number(document.querySelector('[role=meter]').getAttribute('aria-valuenow'))"


async def question_shown(page) -> str:
    await page.wait_for_function("() => document.getElementById('question').textContent !== ''",
                                 timeout=INTERVIEW_TIMEOUT_MS)
    return await page.text_content("#question")


@pytest.mark.parametrize("lang,viewport", COMBOS)
async def test_a_silent_microphone_is_said_while_an_answer_is_awaited_and_sound_ends_the_warning(sqlite_url, tmp_path,
                                                                                               lang, viewport):
    errors: list[str] = []
    audio = make_speech_wav(tmp_path / "media" / "silent-then-words.wav",
                            [float(SILENT_S), "I worked on the payment service with my team last year.", 30.0])
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        _, token = await h.create_interview("Mei Lin", language=lang)
        async with browser(pw, tmp_path / "cand", viewport, audio=str(audio.path)) as ctx:
            page = await open_page(ctx, f"{h.base_url}/i/{token}?tts=off", errors, lang)
            await consent(page, face=False)
            await page.wait_for_function("() => !document.getElementById('join').disabled", timeout=STEP_TIMEOUT_MS)
            await page.click("#join")
            question = await question_shown(page)
            asked = time.monotonic()

            meter = page.get_by_role("meter", name=t("mic_level", lang))
            assert await meter.is_visible()
            assert await page.evaluate(VALUE) == 0
            warning = page.locator("#mic-silent")
            assert not await warning.is_visible()  # not before the silence has lasted
            await warning.wait_for(state="visible", timeout=SILENT_S * 1000)
            waited = time.monotonic() - asked
            assert waited >= await page.evaluate("LiveMic.SILENT_WARN_MS") / 1000 - 0.5, waited
            assert await warning.text_content() == t("cand_mic_silent_live", lang)
            assert await page.get_by_role("alert").filter(has_text=t("cand_mic_silent_live", lang)).count() == 1
            assert await page.text_content("#question") == question  # the same question, still awaiting its answer
            await shot(page, f"live-mic-silent-{lang}-{size_of(viewport)}")
            if lang == "zh":
                await no_english_left(page)

            # the words in the file arrive: the warning goes at once and the meter shows them
            await warning.wait_for(state="hidden", timeout=(SILENT_S + 10) * 1000)
            await page.wait_for_function(f"() => ({VALUE})() > 0", timeout=3000)
            await shot(page, f"live-mic-sound-{lang}-{size_of(viewport)}")
    assert not errors, errors


STOP_TRACK = "document.getElementById('selfview').srcObject.getAudioTracks()[0].stop()"
# getUserMedia refuses once more as a microphone taken by another program would, then gives it
REFUSE_ONCE = """(() => {
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (c) => {
    navigator.mediaDevices.getUserMedia = real;
    return Promise.reject(new DOMException('Could not start audio source', 'NotReadableError'));
  };
})()"""


@pytest.mark.parametrize("lang,viewport", [("en", DESKTOP), ("zh", PHONE)])
async def test_a_disconnected_microphone_is_said_and_reconnects_on_the_same_connection(sqlite_url, tmp_path, lang,
                                                                                      viewport):
    """Chromium's fake microphone beeps twice a second. Its track is stopped as an unplugged microphone's ends: the
    page says so, the server receives no audio and the time left stands still (the server's clock for the answer is
    the audio it gets); Reconnect gets the microphone again without a new offer, the server receives audio again and
    "I have finished" moves the interview on."""
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        iv_id, token = await h.create_interview("Mei Lin", language=lang)
        async with browser(pw, tmp_path / "cand", viewport) as ctx:
            page = await open_page(ctx, f"{h.base_url}/i/{token}?tts=off", errors, lang)
            offers: list[str] = []
            page.on("request", lambda r: offers.append(r.url) if r.url.endswith("/api/v1/candidate/offer") else None)
            await consent(page, face=True)
            await page.wait_for_function("() => !document.getElementById('join').disabled", timeout=STEP_TIMEOUT_MS)
            await page.click("#join")
            question = await question_shown(page)
            await page.wait_for_function("() => !document.getElementById('answer-done').disabled",
                                         timeout=STEP_TIMEOUT_MS)  # the beeps reach the server as speech
            await page.wait_for_function(f"() => ({VALUE})() > 0", timeout=3000)
            await shot(page, f"live-mic-meter-{lang}-{size_of(viewport)}")
            # with prefers-reduced-motion: no gliding, the level in quarter steps
            await page.emulate_media(reduced_motion="reduce")
            await asyncio.sleep(0.3)  # a frame drawn since
            widths = set()
            for _ in range(10):
                widths.add(await page.evaluate("parseFloat(document.getElementById('live-meter-fill').style.width)"))
                await asyncio.sleep(0.1)
            assert widths <= {0, 25, 50, 75, 100} and widths - {0}, widths
            assert await page.evaluate("getComputedStyle(document.getElementById('live-meter-fill'))"
                                       ".transitionDuration") == "0s"
            await page.emulate_media(reduced_motion="no-preference")
            peer = h.ctx.live[iv_id].connection.peer

            await page.evaluate(STOP_TRACK)
            lost = page.locator("#mic-lost")
            await lost.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            assert await page.text_content("#mic-lost-text") == t("cand_mic_lost", lang)
            assert await page.text_content("#mic-reconnect") == t("cand_mic_reconnect", lang)
            assert not await page.locator("#mic-silent").is_visible()
            assert await page.evaluate(VALUE) == 0  # the meter shows nothing, not the last level
            await asyncio.sleep(1)
            frames, left = peer.audio_frames, await page.text_content("#countdown-value")
            await asyncio.sleep(2.5)
            assert peer.audio_frames == frames  # nothing reaches the server...
            assert await page.text_content("#countdown-value") == left  # ...so the question's time stands still
            await shot(page, f"live-mic-lost-{lang}-{size_of(viewport)}")
            if lang == "zh":
                await no_english_left(page)

            # the microphone is still taken: what to do, and the button says Try again as the words do
            await page.evaluate(REFUSE_ONCE)
            await page.click("#mic-reconnect")
            await page.wait_for_function("() => document.getElementById('mic-lost-detail').textContent !== ''",
                                         timeout=STEP_TIMEOUT_MS)
            assert await page.text_content("#mic-lost-detail") == t("cand_dev_inuse", lang)
            assert await page.text_content("#mic-reconnect") == t("cand_dev_retry", lang)
            assert await lost.is_visible()

            offered = len(offers)
            await page.click("#mic-reconnect")
            await lost.wait_for(state="hidden", timeout=STEP_TIMEOUT_MS)
            assert await page.evaluate("document.getElementById('selfview').srcObject.getAudioTracks()"
                                       ".map((t) => t.readyState)") == ["live"]
            await asyncio.sleep(2)
            assert peer.audio_frames > frames + 50  # a second of audio at least, on the same connection
            assert h.ctx.live[iv_id].connection.peer is peer and len(offers) == offered  # no new offer
            assert await page.text_content("#countdown-value") != left  # the time runs again
            await page.wait_for_function(f"() => ({VALUE})() > 0", timeout=3000)

            await page.click("#answer-done")  # the server ends the answer only on audio it receives
            await page.wait_for_function("q => document.getElementById('question').textContent !== q", arg=question,
                                         timeout=INTERVIEW_TIMEOUT_MS)
    assert not errors, errors


# The system mutes the microphone (a device switch, an operating system's privacy switch). Chromium's fake device never
# does, so the track's muted state and its event are given as the system gives them; the page's own code does the rest.
SYSTEM_MUTE = """(muted) => {
  const track = document.getElementById('selfview').srcObject.getAudioTracks()[0];
  Object.defineProperty(track, 'muted', { configurable: true, get: () => muted });
  track.dispatchEvent(new Event(muted ? 'mute' : 'unmute'));
}"""


async def test_a_microphone_the_system_mutes_is_said_after_a_moment_and_unmuting_clears_it(sqlite_url, tmp_path):
    """A mute of a moment (a device switch) says nothing; a mute that lasts says the microphone is lost, with the
    button to get it again; when the system unmutes it, the message goes."""
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        _, token = await h.create_interview("Mei Lin", language="en")
        async with browser(pw, tmp_path / "cand", DESKTOP) as ctx:
            page = await open_page(ctx, f"{h.base_url}/i/{token}?tts=off", errors, "en")
            await consent(page, face=True)
            await page.wait_for_function("() => !document.getElementById('join').disabled", timeout=STEP_TIMEOUT_MS)
            await page.click("#join")
            await question_shown(page)
            lost = page.locator("#mic-lost")

            await page.evaluate(SYSTEM_MUTE, True)  # a blip: back within the second the page waits
            await asyncio.sleep(0.4)
            await page.evaluate(SYSTEM_MUTE, False)
            await asyncio.sleep(1.2)
            assert not await lost.is_visible()

            await page.evaluate(SYSTEM_MUTE, True)  # muted for good
            await lost.wait_for(state="visible", timeout=5000)
            assert await page.text_content("#mic-lost-text") == t("cand_mic_lost", "en")
            assert await page.locator("#mic-reconnect").is_enabled()
            await shot(page, "live-mic-muted-en-1280")

            await page.evaluate(SYSTEM_MUTE, False)  # the system gives it back
            await lost.wait_for(state="hidden", timeout=5000)
    assert not errors, errors
