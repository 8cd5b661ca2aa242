"""End to end in real Chromium: a candidate page and an observer page (two separate browsers) against the real
server, with fake camera/microphone devices playing a real face and spoken answers over WebRTC.

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec .venv/bin/python -m pytest -m browser tests/test_browser_interview.py'

Screenshots go to ``test-artifacts/`` (git-ignored) for a human to look at.

Over 500 lines because each test is one end-to-end story in real browsers that shares the browser and page helpers
at the top; they run together under the ``browser`` marker.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import time
from pathlib import Path
from typing import AsyncIterator

import pytest

from benchmarks.synthetic_media import make_face_video, make_speech_wav
from tests.harness import HR_EMAIL, HR_PASSWORD, TEST_QUESTIONS, running_server

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.async_api")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

ANSWER_1 = "My team of five engineers rebuilt the payment service last year."
ANSWER_2 = "We cut the failure rate in half within three months."
Q1, Q2 = TEST_QUESTIONS[0]["text"], TEST_QUESTIONS[1]["text"]

INTERVIEW_TIMEOUT_MS = 60_000
STEP_TIMEOUT_MS = 20_000

BASE_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--allow-loopback-in-peer-connection",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]

if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed (Debian package chromium)", allow_module_level=True)


def _words(text: str) -> set[str]:
    return {w.strip(".,!?;:").lower() for w in text.split()}


@contextlib.asynccontextmanager
async def chromium(pw, user_data_dir: Path, video: Path | None = None, audio: str | None = None,
                   locale: str = "en-US") -> AsyncIterator:
    """One browser (a persistent context on a fresh profile) with the test flags and optional fake media files."""
    args = list(BASE_FLAGS)
    if video is not None:
        args.append(f"--use-file-for-fake-video-capture={video}")
    if audio is not None:
        args.append(f"--use-file-for-fake-audio-capture={audio}")
    user_data_dir.mkdir(parents=True, exist_ok=True)
    context = await pw.chromium.launch_persistent_context(
        user_data_dir=str(user_data_dir), executable_path=CHROMIUM, headless=True, args=args, locale=locale,
        viewport={"width": 1100, "height": 800})
    try:
        yield context
    finally:
        await context.close()


def _watch_errors(page, sink: list[str]) -> None:
    """Collect uncaught script errors and what the page's Content-Security-Policy refused (a broken page must fail
    the test, not only look odd)."""
    page.on("pageerror", lambda exc: sink.append(f"{page.url}: {exc}"))
    page.on("console", lambda msg: sink.append(f"{page.url}: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text else None)


async def login_as_hr(page, base_url: str, landing: str = "/hr", email: str = HR_EMAIL,
                      password: str = HR_PASSWORD) -> None:
    """HR signs in through the real login page and lands on ``landing`` (the login's ``next``)."""
    await page.goto(f"{base_url}/login" + ("" if landing == "/hr" else f"?next={landing}"))
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("#login-submit")
    await page.wait_for_url(re.compile(re.escape(landing) + "$"), timeout=STEP_TIMEOUT_MS)


async def open_area(page, area: str) -> None:
    """On the HR page: an area of the workspace (jobs, candidates, interviews, analytics, settings) through its
    navigation link, as a person would; ``area`` may name a settings part ("settings/team")."""
    main, _, sub = area.partition("/")
    await page.locator(f'#ws-nav a[data-area="{main}"]').click()
    if sub:
        await page.locator(f'#view-settings .subnav a[data-sub="{sub}"]').click()
    await page.locator(f"#view-{main}").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)


async def _page_of(context):
    return context.pages[0] if context.pages else await context.new_page()


@contextlib.asynccontextmanager
async def hr_page(pw, user_data_dir: Path, base_url: str, errors: list[str], email: str = HR_EMAIL,
                  password: str = HR_PASSWORD) -> AsyncIterator:
    """A fresh Chromium with an HR user (or admin) signed in on the HR page; script errors go to ``errors``."""
    async with chromium(pw, user_data_dir) as context:
        page = await _page_of(context)
        _watch_errors(page, errors)
        await login_as_hr(page, base_url, email=email, password=password)
        yield page


@contextlib.asynccontextmanager
async def candidate_page(pw, user_data_dir: Path, link: str, errors: list[str], **browser) -> AsyncIterator:
    """A fresh Chromium (``browser``: :func:`chromium`'s locale and fake media) on the candidate's ``link``, at the
    consent step; script errors go to ``errors``."""
    async with chromium(pw, user_data_dir, **browser) as context:
        page = await _page_of(context)
        _watch_errors(page, errors)
        await page.goto(link)
        await page.locator("#step-consent").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
        yield page


async def _transcript_by_question(observer) -> list[dict]:
    """The observer's transcript as [{"question": head text, "finals": [final lines]}], in page order."""
    return await observer.evaluate("""() => {
        const out = [];
        for (const el of document.querySelectorAll('#transcript > .turn > p')) {
            if (el.classList.contains('turn-head')) out.push({question: el.textContent, finals: []});
            else if (el.classList.contains('final')) {
                if (!out.length) out.push({question: null, finals: []});
                out[out.length - 1].finals.push(el.textContent);
            }
        }
        return out;
    }""")


@pytest.fixture
def media(tmp_path):
    d = tmp_path / "media"
    video = make_face_video(d / "face.y4m", seconds=3.0)
    # 6 s: past the first answer's end (3 s, no cue in its words) and the second in which speaking again continues it
    speech = make_speech_wav(d / "answers.wav", [4.0, ANSWER_1, 6.0, ANSWER_2, 8.0], voice="en-us")
    return {"video": video, "audio": speech.path, "timeline": speech}


async def test_candidate_and_observer_in_real_chromium(sqlite_url, tmp_path, media):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    t0 = time.monotonic()
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        interview_id, token = await h.create_interview("Mei Lin")

        async with chromium(pw, tmp_path / "observer-profile") as obs_ctx, \
                chromium(pw, tmp_path / "candidate-profile", video=media["video"],
                         audio=f"{media['audio']}%noloop") as cand_ctx:
            # --- the observer logs in through the real login page, then picks the interview on /hr
            observer = await _page_of(obs_ctx)
            _watch_errors(observer, errors)
            await login_as_hr(observer, h.base_url)
            watch = observer.locator("#rows tr", has_text="Mei Lin").get_by_role("link", name="Watch")
            await watch.click(timeout=STEP_TIMEOUT_MS)
            await observer.wait_for_url(re.compile(rf"/observe/{interview_id}$"), timeout=STEP_TIMEOUT_MS)
            await observer.wait_for_function(
                "() => document.getElementById('stream').classList.contains('ok')", timeout=STEP_TIMEOUT_MS)
            await observer.wait_for_function(
                "() => document.getElementById('cand').textContent.includes('Mei Lin')", timeout=STEP_TIMEOUT_MS)

            # --- the candidate: consents, devices, join
            cand = await _page_of(cand_ctx)
            _watch_errors(cand, errors)
            # Remember every state the connection badge shows, however briefly.
            await cand.add_init_script("""
                window.__connStates = [];
                document.addEventListener('DOMContentLoaded', () => {
                    const b = document.getElementById('conn-state');
                    new MutationObserver(() => window.__connStates.push(b.textContent))
                        .observe(b, {childList: true, characterData: true, subtree: true});
                });""")
            await cand.goto(f"{h.base_url}/i/{token}?audio=raw&tts=off")
            await cand.locator("#step-consent").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            assert "Engineer" in await cand.text_content("#job-title")
            assert "AI" in await cand.text_content("#disclosure")  # the AI says what it is before anything else
            for kind in ("ai_evaluation", "recording", "face_voice_analysis"):
                await cand.check(f"#consent-{kind}")
            await cand.click("#consent-continue")
            await cand.locator("#step-devices").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            join = cand.locator("#join")
            await cand.wait_for_function("() => !document.getElementById('join').disabled", timeout=STEP_TIMEOUT_MS)
            assert await cand.text_content("#devices-error") == ""
            await join.click()
            t_join = time.monotonic()
            await cand.locator("#step-live").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)

            await cand.wait_for_function(
                "() => document.getElementById('conn-state').textContent === 'Connected'", timeout=STEP_TIMEOUT_MS)
            t_connected = time.monotonic()
            await cand.wait_for_function(
                "q => document.getElementById('question').textContent === q", arg=Q1, timeout=STEP_TIMEOUT_MS)
            assert "Question 1 of 2" in await cand.text_content("#progress")
            assert "AI" in await cand.text_content("#preamble")

            # Live captions of the first answer, then the second question.
            await cand.wait_for_function(
                "() => /engineers/i.test(document.getElementById('captions').textContent)",
                timeout=INTERVIEW_TIMEOUT_MS)
            await cand.wait_for_function(
                "q => document.getElementById('question').textContent === q", arg=Q2, timeout=INTERVIEW_TIMEOUT_MS)
            assert "Question 2 of 2" in await cand.text_content("#progress")
            await observer.wait_for_function(
                "q => document.getElementById('question').textContent === q", arg=Q2, timeout=STEP_TIMEOUT_MS)
            assert await observer.text_content("#progress") == "(2 of 2)"
            assert await observer.text_content("#status") == "in progress"
            await cand.wait_for_function(
                "() => /months/i.test(document.getElementById('captions').textContent)",
                timeout=INTERVIEW_TIMEOUT_MS)
            await cand.screenshot(path=str(ARTIFACTS / "candidate-live.png"), full_page=True)

            await cand.locator("#step-done").wait_for(state="visible", timeout=INTERVIEW_TIMEOUT_MS)
            t_done = time.monotonic()
            assert await cand.locator("#step-live").is_hidden()
            assert "last question" in (await cand.text_content("#closing-text")).lower()
            await cand.screenshot(path=str(ARTIFACTS / "candidate-done.png"), full_page=True)
            conn_states = await cand.evaluate("() => window.__connStates")
            assert "Connected" in conn_states, conn_states

            # --- the observer saw it all, live
            await observer.wait_for_function(
                "() => document.getElementById('status').textContent === 'finished'", timeout=STEP_TIMEOUT_MS)
            # The closing words are not a third question of two.
            progress = await observer.text_content("#progress")
            numbers = [int(n) for n in re.findall(r"\d+", progress)]
            assert not numbers or numbers[0] <= numbers[1], progress
            sections = await _transcript_by_question(observer)
            await observer.screenshot(path=str(ARTIFACTS / "observer-end.png"), full_page=True)
            assert [s["question"] for s in sections] == [f"Q: {Q1}", f"Q: {Q2}"], sections
            turn0, turn1 = (" ".join(s["finals"]) for s in sections)
            assert {"team", "engineers", "payment"} <= _words(turn0), sections
            assert {"half", "months"} <= _words(turn1), sections
            assert "months" not in _words(turn0) and "engineers" not in _words(turn1), sections
            timeline = await observer.text_content("#timeline")
            assert "Question asked" in timeline and "Answer ended: the candidate stopped talking" in timeline, timeline
            media_line = await observer.text_content("#media")
            assert "640×480" in media_line, media_line
            # the page sends only the frames the analysis uses (5 fps: the face analyzer's rate)
            fps = float(re.search(r"at ([\d.]+) fps", media_line).group(1))
            assert 0 < fps <= 6, media_line

            # Observable behaviour: current face and voice values, and an evidence-backed summary per answer.
            values = await observer.text_content("#obs-values")
            assert "Face" in values and "looking at screen" in values and "Voice" in values, values
            assert re.search(r"speaking rate\s*\d+ words/min", values), values
            assert await observer.locator("#obs-timeline rect").count() > 0
            summaries = observer.locator("#transcript .summary:not(.score)")
            await summaries.nth(1).wait_for(timeout=STEP_TIMEOUT_MS)
            first_summary = await summaries.nth(0).text_content()
            assert "Answer summary" in first_summary and "Observable behaviour (no weight)" in first_summary
            assert "no emotions" in (await observer.text_content("#o-h + p")).lower()

        # --- everything is stored
        detail = await h.ctx.store.interviews.detail(interview_id)
        assert detail["status"] == "finished" and detail["started_at"] and detail["ended_at"]
        assert [t["question"] for t in detail["turns"]] == [Q1, Q2]
        assert [t["end_reason"] for t in detail["turns"]] == ["silence", "silence"]
        assert {"team", "engineers", "payment"} <= _words(detail["turns"][0]["answer"]), detail["turns"]
        assert {"half", "months"} <= _words(detail["turns"][1]["answer"]), detail["turns"]
        segments = await h.ctx.store.records.segments(interview_id)
        assert segments and {s.turn_index for s in segments} == {0, 1}
        assert all(s.words for s in segments), "final segments carry word timings"
        consents = await h.ctx.store.interviews.current_consents(interview_id)
        assert {k: v.granted for k, v in consents.items()} == {
            "ai_evaluation": True, "recording": True, "face_voice_analysis": True}

    assert not errors, errors
    print(f"\njoin->connected {t_connected - t_join:.1f}s, join->finished {t_done - t_join:.1f}s, "
          f"total {time.monotonic() - t0:.1f}s")


async def test_chinese_consent_screen(sqlite_url, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        interview_id, token = await h.create_interview("李梅")
        async with candidate_page(pw, tmp_path / "profile", f"{h.base_url}/i/{token}?tts=off", errors) as page:
            assert await page.text_content("#consent-continue") == "Continue"

            await page.click("#lang")
            await page.wait_for_function(
                "() => /[\\u4e00-\\u9fff]/.test(document.getElementById('disclosure').textContent)",
                timeout=STEP_TIMEOUT_MS)
            assert await page.evaluate("document.documentElement.lang") == "zh-CN"
            assert await page.text_content("#consent-continue") == "继续"
            assert await page.text_content("#consent-h") == "欢迎"
            assert await page.text_content("#lang") == "English"
            assert "AI" in await page.text_content("#disclosure")
            labels = {kind: await page.text_content(f"label[for=consent-{kind}]")
                      for kind in ("ai_evaluation", "recording", "face_voice_analysis")}
            assert labels["ai_evaluation"].startswith("AI 评估（必选）"), labels
            assert labels["recording"].startswith("录制"), labels
            assert labels["face_voice_analysis"].startswith("面部与声音分析"), labels
            for text in labels.values():  # the consent texts themselves are Chinese too
                assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 10, labels

            # Refuse AI evaluation, agree to the rest: a clear message, and the candidate stays here.
            await page.check("#consent-recording")
            await page.check("#consent-face_voice_analysis")
            await page.click("#consent-continue")
            error = page.locator("#consent-error")
            await page.wait_for_function(
                "() => document.getElementById('consent-error').textContent !== ''", timeout=STEP_TIMEOUT_MS)
            assert await error.text_content() == "AI 面试需要您同意 AI 评估。"
            assert await error.is_visible()
            assert await page.locator("#step-consent").is_visible()
            assert await page.locator("#step-devices").is_hidden()
            assert await page.locator("#fatal").is_hidden()
            await page.screenshot(path=str(ARTIFACTS / "consent-zh-refused.png"), full_page=True)

        consents = await h.ctx.store.interviews.current_consents(interview_id)
        assert consents["ai_evaluation"].granted is False
        assert consents["recording"].granted is True and consents["face_voice_analysis"].granted is True
        assert (await h.ctx.store.interviews.detail(interview_id))["status"] == "created"
    assert not errors, errors


async def test_forged_link_page(sqlite_url, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        _, token = await h.create_interview()
        forged = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
        async with chromium(pw, tmp_path / "profile") as ctx:
            page = await _page_of(ctx)
            _watch_errors(page, errors)
            for bad in ("not-a-real-link", forged):
                response = await page.goto(f"{h.base_url}/i/{bad}")
                assert response is not None and response.status == 200  # the page itself loads and explains
                await page.locator("#fatal").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
                message = (await page.text_content("#fatal-text")).strip()
                assert message and len(message) < 200, message
                assert re.search(r"link|invalid|expired", message, re.I), message
                for junk in ("Traceback", "Error:", "undefined", "null", "{", "Exception", 'File "', ".py:"):
                    assert junk not in message, message
                assert not re.search(r"\bat \S+ \(|\n", message), message  # no JS/Python stack frames
                assert await page.get_attribute("#fatal", "role") == "alert"
                for step in ("#step-consent", "#step-devices", "#step-live", "#step-done"):
                    assert await page.locator(step).is_hidden(), step
            await page.screenshot(path=str(ARTIFACTS / "forged-link.png"), full_page=True)
    assert not errors, errors


FOLLOW_UP_PLAN = """
version: 1
title: {en: Support engineer}
questions:
  - id: q-example
    competency: problem solving
    text: {en: Tell me about a difficult customer problem you solved.}
    expected_points: {en: [the problem, what you did, the result]}
    max_follow_ups: 1
    rubric:
      - {score: 1, description: {en: No example.}}
      - {score: 5, description: {en: A concrete example with a measured result.}}
    follow_ups:
      - {trigger: no_example, template: {en: 'You said "{quote}". Can you give me a concrete example?'}}
  - id: q-learning
    competency: learning
    text: {en: 'What did you learn from your last project?'}
"""
THIN = "I usually help customers quickly."
EXAMPLE = ("Last year a bank could not log in after our update. I found the broken certificate and fixed it. "
           "As a result, logins worked again within two hours.")
LEARNING = "I learned to test releases with real customer data before shipping them."


async def test_follow_up_live_score_report_page_and_pdf(sqlite_url, tmp_path):
    import io

    import pypdf

    from dialogue.plan_io import load_plan

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    speech = make_speech_wav(tmp_path / "media" / "fu.wav", [4.0, THIN, 6.0, EXAMPLE, 6.0, LEARNING, 8.0],
                             voice="en-us")
    plan = load_plan(FOLLOW_UP_PLAN)
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        await h.use_plan(plan, "Support engineer")
        interview_id, token = await h.create_interview("Ravi")
        async with chromium(pw, tmp_path / "obs") as obs_ctx, \
                chromium(pw, tmp_path / "cand", audio=f"{speech.path}%noloop") as cand_ctx:
            observer = await _page_of(obs_ctx)
            _watch_errors(observer, errors)
            await login_as_hr(observer, h.base_url, f"/observe/{interview_id}")

            cand = await _page_of(cand_ctx)
            _watch_errors(cand, errors)
            await cand.goto(f"{h.base_url}/i/{token}?audio=raw&tts=off")
            await cand.check("#consent-ai_evaluation")  # no face/voice analysis: an audio-only interview
            await cand.click("#consent-continue")
            await cand.wait_for_function("() => !document.getElementById('join').disabled", timeout=STEP_TIMEOUT_MS)
            await cand.click("#join")

            # The thin answer gets the follow-up, in the candidate's words, on both pages.
            await cand.wait_for_function(
                "() => document.getElementById('question').textContent.startsWith('Follow-up')",
                timeout=INTERVIEW_TIMEOUT_MS)
            followup = await cand.text_content("#question")
            assert "concrete example" in followup and "customers" in followup.lower(), followup
            await observer.wait_for_function("() => /Follow-up chosen/.test(document.getElementById('timeline').textContent)",
                                             timeout=STEP_TIMEOUT_MS)
            # A live, provisional score with its evidence appears on the observer panel.
            await observer.locator("#transcript .score").first.wait_for(timeout=STEP_TIMEOUT_MS)
            assert "provisional" in await observer.locator("#transcript .score").first.text_content()

            await cand.locator("#step-done").wait_for(state="visible", timeout=INTERVIEW_TIMEOUT_MS * 2)
            await observer.wait_for_function(
                "() => document.getElementById('status').textContent === 'finished'", timeout=STEP_TIMEOUT_MS)
            scores = observer.locator("#transcript .score")
            assert await scores.count() == 2  # one per question, the provisional one replaced
            final_score = await scores.first.text_content()
            assert "problem solving" in final_score and "provisional" not in final_score
            await observer.screenshot(path=str(ARTIFACTS / "observer-followup.png"), full_page=True)

            # The report page renders, and a person adds a rating next to the AI's.
            await observer.click("#report-link")
            await observer.wait_for_url(re.compile(rf"/reports/{interview_id}$"), timeout=STEP_TIMEOUT_MS)
            await observer.locator("#comp-rows tr").first.wait_for(timeout=STEP_TIMEOUT_MS)
            assert "AI-generated" in await observer.text_content("#ai-label")
            answers = await observer.text_content("#answers")
            # numbered as the candidate saw them: the follow-up belongs to the first of two questions
            assert "Question 1 of 2" in answers and "Follow-up 1a" in answers and "Question 2 of 2" in answers
            assert "Why it was asked" in answers and "concrete instance" in answers
            assert re.search(r"\[\d\d:\d\d\]", answers), answers  # evidence quotes carry timestamps
            assert "human review" in (await observer.text_content("#review-right")).lower()
            await observer.locator("#rating-card").wait_for(timeout=STEP_TIMEOUT_MS)  # shown to those who rate
            await observer.select_option("#rv-comp", "problem solving")
            await observer.fill("#rv-score", "4")
            await observer.fill("#rv-comment", "Good recovery story")
            await observer.click("#rv-submit")
            await observer.wait_for_function(
                "() => /Good recovery story/.test(document.getElementById('comp-rows').textContent)",
                timeout=STEP_TIMEOUT_MS)
            await observer.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)

            # The PDF opens and says the same.
            pdf = await (await observer.request.get(f"{h.base_url}/api/v1/interviews/{interview_id}/report.pdf")).body()
            text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
            assert "AI-generated" in text and "problem solving" in text and "Good recovery story" not in text
            assert "4 (hr@acme.test)" in text  # the human rating beside the AI's
    assert not errors, errors


async def test_hr_uploads_resumes_sees_ranked_matches_and_invites(sqlite_url, tmp_path):
    from tests.test_matching_api import JD, STRONG_ZH, WEAK_EN

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    files = []
    for name, text in [("zhang.txt", STRONG_ZH), ("emily.txt", WEAK_EN)]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    broken = tmp_path / "scan.pdf"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    files.append(str(broken))
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        job = await h.ctx.store.jobs.create(h.org_id, "Backend Engineer", JD, "en",
                                            [{"text": "Tell me about a system you built."}], member_id=h.hr_user_id)
        async with chromium(pw, tmp_path / "hr") as ctx:
            page = await _page_of(ctx)
            _watch_errors(page, errors)

            # The first job's requirements and matches arrive late, after HR has picked the other job: they must
            # not replace what the page shows (and would save) for the job HR is working on.
            first_job_asked = asyncio.Event()

            async def late(route):
                first_job_asked.set()
                await asyncio.sleep(1.5)
                await route.continue_()
            await page.route(re.compile(rf"/api/v1/jobs/{h.job_id}/(requirements|matches)"), late)
            await login_as_hr(page, h.base_url)
            await asyncio.wait_for(first_job_asked.wait(), STEP_TIMEOUT_MS / 1000)
            await open_area(page, "candidates")  # the workspace's area with the job picker and the uploads
            await page.select_option("#job", job.id)
            await page.set_input_files("#resume-files", files)
            await page.click("#resume-upload")
            await page.locator("#upload-results li", has_text="scan.pdf").wait_for(timeout=STEP_TIMEOUT_MS)
            results = await page.text_content("#upload-results")
            assert "✓ zhang.txt: 张伟" in results and "✗ scan.pdf" in results, results
            rows = page.locator("#match-rows tr")
            await rows.nth(1).wait_for(timeout=STEP_TIMEOUT_MS)
            first, second = await rows.nth(0).text_content(), await rows.nth(1).text_content()
            assert first.startswith("张伟") and second.startswith("Emily Carter"), (first, second)
            assert "met" in first and "Python" in first  # the explanation quotes the resume
            await page.screenshot(path=str(ARTIFACTS / "hr-matches.png"), full_page=True)

            # HR edits the requirements: Kubernetes becomes nice-to-have; the ranking is recomputed with it.
            await open_area(page, "jobs")
            await page.get_by_role("combobox", name="List for: Kubernetes").select_option("nice")
            await page.locator("#req-nice li", has_text="Skill: Kubernetes").wait_for(timeout=STEP_TIMEOUT_MS)
            await page.click("#req-save")
            await page.wait_for_function("() => /Saved/.test(document.getElementById('req-status').textContent)",
                                         timeout=STEP_TIMEOUT_MS)
            saved = await h.ctx.store.matching.requirements(job.id)
            assert [r["must_have"] for r in saved["requirements"] if r["text"] == "Kubernetes"] == [False]
            await page.wait_for_function(
                "() => document.getElementById('match-rows').textContent.includes('3 of 3 must-haves met')",
                timeout=STEP_TIMEOUT_MS)
            await open_area(page, "candidates")
            await rows.nth(0).get_by_role("button", name="Invite").click()
            link = rows.nth(0).locator("a")
            await link.wait_for(timeout=STEP_TIMEOUT_MS)
            href = await link.get_attribute("href")
            # the focus the Invite button had is on the link's copy button, not lost to the page
            assert await page.evaluate("document.activeElement.textContent") == "Copy link"
            await rows.nth(0).screenshot(path=str(ARTIFACTS / "hr-invited-row.png"))

            # HR sets a verdict with the labelled control beside it; the row says who set it and what was read
            decision = rows.nth(1).get_by_role("combobox", name=re.compile(r"^HR decision on .+ for Emily Carter$")).first
            assert await decision.input_value() == ""  # the automatic reading until HR decides
            await decision.select_option("met")
            await rows.nth(1).get_by_text(re.compile(r"set by hr@")).first.wait_for(timeout=STEP_TIMEOUT_MS)

            # Inviting the same candidate again: the row names the interview they have, and asks before a second
            await page.reload()
            await open_area(page, "candidates")
            await page.select_option("#job", job.id)
            await rows.nth(0).get_by_text("Already has an interview for this job:").wait_for(timeout=STEP_TIMEOUT_MS)
            assert "status: invited" in await rows.nth(0).locator(".rank-existing").text_content()
            await rows.nth(0).get_by_role("button", name="Invite").click()
            ask = rows.nth(0).get_by_role("alert").filter(has_text="already has an interview for this job")
            assert "张伟" in await ask.text_content() and "status: invited" in await ask.text_content()
            await page.screenshot(path=str(ARTIFACTS / "hr-invite-again.png"), full_page=True)
            await rows.nth(0).get_by_role("button", name="Cancel").click()
            assert len([iv for iv in await h.ctx.store.interviews.for_job(job.id)]) == 1  # nothing created
            await rows.nth(0).get_by_role("button", name="Invite").click()
            await rows.nth(0).get_by_role("button", name="Create a second interview").click()
            await rows.nth(0).locator("a").wait_for(timeout=STEP_TIMEOUT_MS)
            assert len(await h.ctx.store.interviews.for_job(job.id)) == 2
            await page.goto(href)
            await page.locator("#step-consent").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            assert await page.text_content("#candidate-name") == "张伟"
    assert not errors, errors


# Headless Chromium has no speech-synthesis voices here (speak() fails with "synthesis-failed"), so this stands in
# for the platform's TTS engine only: an utterance "plays" for TTS_PLAY_MS unless cancelled, with the real
# SpeechSynthesisUtterance events the page listens to. Everything else (page, WebRTC, server) is real.
TTS_PLAY_MS = 25_000
TTS_ENGINE = """
(() => {
  const log = window.__tts = {spoken: [], cancelled: [], ended: []};
  let current = null, timer = null;
  const fire = (u, type) => { const e = new Event(type); if (u['on' + type]) u['on' + type](e); };
  const engine = {
    get speaking() { return current !== null; }, get pending() { return false; }, get paused() { return false; },
    getVoices() { return []; },
    speak(u) {
      if (current) this.cancel();
      current = u; log.spoken.push({text: u.text, at: performance.now()});
      setTimeout(() => fire(u, 'start'), 30);
      timer = setTimeout(() => { log.ended.push(u.text); current = null; fire(u, 'end'); }, %d);
    },
    cancel() {
      if (!current) return;
      clearTimeout(timer); log.cancelled.push({text: current.text, at: performance.now()});
      const u = current; current = null; fire(u, 'end');
    },
    pause() {}, resume() {}, addEventListener() {}, removeEventListener() {},
  };
  Object.defineProperty(window, 'speechSynthesis', {value: engine, configurable: true});
})();
""" % TTS_PLAY_MS


async def test_candidate_talking_over_the_spoken_question_stops_it(sqlite_url, tmp_path):
    errors: list[str] = []
    speech = make_speech_wav(tmp_path / "media" / "barge.wav", [8.0, "Okay.", 1.2, ANSWER_1, 10.0], voice="en-us")
    video = make_face_video(tmp_path / "media" / "face.y4m", seconds=3.0)
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        _, token = await h.create_interview("Ana Silva")
        async with chromium(pw, tmp_path / "candidate-profile", video=video,
                            audio=f"{speech.path}%noloop") as cand_ctx:
            cand = await _page_of(cand_ctx)
            _watch_errors(cand, errors)
            await cand.add_init_script(TTS_ENGINE)
            await cand.goto(f"{h.base_url}/i/{token}?audio=raw")
            await cand.locator("#step-consent").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            for kind in ("ai_evaluation", "recording", "face_voice_analysis"):
                await cand.check(f"#consent-{kind}")
            await cand.click("#consent-continue")
            await cand.wait_for_function("() => !document.getElementById('join').disabled", timeout=STEP_TIMEOUT_MS)
            await cand.click("#join")
            await cand.wait_for_function(
                "q => document.getElementById('question').textContent === q", arg=Q1, timeout=STEP_TIMEOUT_MS)
            # The page starts speaking the question (with the AI disclosure before it)...
            await cand.wait_for_function("() => window.__tts.spoken.length >= 1", timeout=STEP_TIMEOUT_MS)
            spoken = await cand.evaluate("() => window.__tts.spoken")
            assert Q1 in spoken[0]["text"] and "AI" in spoken[0]["text"]
            # ...and stops it when the candidate answers over it, long before it would have ended.
            await cand.wait_for_function("() => window.__tts.cancelled.length >= 1", timeout=INTERVIEW_TIMEOUT_MS)
            tts = await cand.evaluate("() => window.__tts")
            assert Q1 in tts["cancelled"][0]["text"] and tts["ended"] == [], tts
            assert tts["cancelled"][0]["at"] - tts["spoken"][0]["at"] < TTS_PLAY_MS - 5000, tts
            # The answer goes on and is heard in full; then the next question comes.
            await cand.wait_for_function(
                "q => document.getElementById('question').textContent === q", arg=Q2, timeout=INTERVIEW_TIMEOUT_MS)
        iv_id = (await h.ctx.store.interviews.for_org(h.org_id))[0].id
        turns = await h.ctx.store.records.turns(iv_id)
        assert {"team", "engineers", "payment"} <= _words(turns[0].answer_text), turns[0].answer_text
        # The server stopped it for the answer, not for the "Okay." before it.
        events = [(e.type, e.payload) for e in await h.ctx.store.records.events(iv_id)]
        starts = [p["media_ms"] for t, p in events if t == "speech.started" and p["turn_index"] == 0]
        stops = [p["media_ms"] for t, p in events if t == "question.interrupted" and p["turn_index"] == 0]
        assert len(starts) >= 2 and len(stops) == 1 and stops[0] > starts[1], (starts, stops)
    assert not errors, errors


async def test_candidate_presses_i_have_finished_instead_of_waiting_out_the_silence(sqlite_url, tmp_path):
    """An answer with no cue that it is over (no result, no "that's it") would wait the base silence (set to 10 s
    here); the candidate presses "I have finished" and the answer ends then, with everything they said."""
    errors: list[str] = []
    answer = "I joined the payments team and started by reading the old billing code."
    speech = make_speech_wav(tmp_path / "media" / "done.wav", [4.0, answer, 40.0], voice="en-us")
    async with running_server(sqlite_url, tmp_path / "data", answer_end_silence_ms=10_000) as h, \
            playwright_api.async_playwright() as pw:
        _, token = await h.create_interview("Ana Silva")
        async with candidate_page(pw, tmp_path / "candidate-profile", f"{h.base_url}/i/{token}?audio=raw&tts=off",
                                  errors, audio=f"{speech.path}%noloop") as cand:
            await cand.check("#consent-ai_evaluation")
            await cand.click("#consent-continue")
            await cand.wait_for_function("() => !document.getElementById('join').disabled", timeout=STEP_TIMEOUT_MS)
            await cand.click("#join")
            await cand.wait_for_function(
                "q => document.getElementById('question').textContent === q", arg=Q1, timeout=STEP_TIMEOUT_MS)
            done = cand.get_by_role("button", name="I have finished my answer")
            # The candidate sees their words in the captions, then presses the button (usable once they speak).
            await cand.wait_for_function("() => /billing code/i.test(document.getElementById('captions').textContent)",
                                         timeout=INTERVIEW_TIMEOUT_MS)
            await done.click()
            await cand.wait_for_function(
                "q => document.getElementById('question').textContent === q", arg=Q2, timeout=STEP_TIMEOUT_MS)
            assert await done.is_disabled()  # until the candidate starts the next answer
        iv_id = (await h.ctx.store.interviews.for_org(h.org_id))[0].id
        turns = await h.ctx.store.records.turns(iv_id)
        assert turns[0].end_reason == "candidate_done", turns[0].end_reason
        assert {"joined", "billing", "code"} <= _words(turns[0].answer_text), turns[0].answer_text
    assert not errors, errors
