"""A live interview in real Chromium, in English and in Chinese, with the embedded language model (llama.cpp serving
the Qwen2.5-Coder-1.5B GGUF, started by the server itself) checking relevance; the evaluation report then explains
each score in plain words in the page's language and says which path scored it.

The candidate's spoken answers (espeak-ng) play through Chromium's fake microphone over WebRTC to the real server,
which transcribes them with Whisper. Slow on 2 cores (the model and Whisper share them), so the waits are minutes.
Runs only where the engine can start (``scripts/setup.sh`` builds llama-server and installs the model).

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec .venv/bin/python -m pytest -p no:cacheprovider -m browser tests/test_browser_model_interview.py'

Screenshots go to ``test-artifacts/`` (``SCREENSHOTS`` names another folder).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from analyzers.llm_engine import EngineError, llama_server_binary
from analyzers.model_registry import JUDGE_MODEL_ID, ModelManager
from benchmarks.synthetic_media import make_speech_wav
from dialogue.followup import BUILTIN_TEMPLATES
from dialogue.plan_io import load_plan
from dialogue.model_relevance import control_questions
from dialogue.score_words import say
from server.platform.settings import Settings
from server.reports.interview_report import follow_up_why
from tests.harness import running_server, until
from tests.test_browser_interview import ARTIFACTS, STEP_TIMEOUT_MS, _page_of, _watch_errors, candidate_page, \
    chromium, login_as_hr, playwright_api


def _engine_missing() -> str | None:
    """Why the embedded engine cannot start here (None: it can)."""
    try:
        llama_server_binary()
    except (EngineError, OSError, subprocess.CalledProcessError) as e:
        return str(e)
    models = ModelManager(Settings().resolved_model_cache_dir)
    if not any(m["id"] == JUDGE_MODEL_ID and m["available"] for m in models.status()):
        return f"{JUDGE_MODEL_ID} is not installed (scripts/setup.sh)"
    return None


_MISSING = _engine_missing()
pytestmark = [pytest.mark.browser, pytest.mark.models,
              pytest.mark.skipif(_MISSING is not None, reason=f"the embedded language model cannot start: {_MISSING}")]

SHOTS = Path(os.environ.get("SCREENSHOTS") or ARTIFACTS)
ENGINE_READY_S = 300
INTERVIEW_TIMEOUT_MS = 300_000
SCORED_BY_MODEL_S = 240
VIEWPORTS = {"wide": (1366, 900), "phone": (390, 844)}
INTERNAL_CODES = re.compile(r"\b(cap|relevance|star|coverage|anchor|doubt|specificity|scored_by):")

# Self-written: one question per interview, each with follow-ups allowed once.
PLAN_EN = """
version: 1
title: {en: Backend engineer}
questions:
  - id: q-speed
    competency: problem solving
    text: {en: Tell me about a time you made a slow process faster.}
    expected_points: {en: [what was slow, what you changed, how much faster it became]}
    max_follow_ups: 1
"""
PLAN_ZH = """
version: 1
languages: [zh]
title: {zh: 后端工程师}
questions:
  - id: q-feedback
    competency: 沟通
    text: {zh: 请讲一次你不得不给同事提出批评意见的经历。}
    expected_points: {zh: [当时的问题, 你怎么说的, 结果如何]}
    max_follow_ups: 1
"""


@dataclass(frozen=True)
class Case:
    lang: str
    locale: str
    voice: str
    plan: str
    title: str
    candidate: str
    script: list  # espeak-ng parts and seconds of silence: the answer, a pause, then the answer to any follow-up
    off_topic: bool
    speed: int = 150  # espeak-ng words per minute


EN = Case("en", "en-US", "en-us", PLAN_EN, "Backend engineer", "Grace Hopper", [
    4.0, "Last year our nightly sales report took six hours to build. I profiled it and found one slow query. "
         "I rewrote that query and added an index. Then I split the report into parts that run at the same time. "
         "As a result, the report now finishes in forty minutes instead of six hours.",
    12.0, "I did the profiling myself, and I checked the timings every night for two weeks.", 15.0], off_topic=False)
# The answer tells a cost-saving project where the question asks for critical feedback to a colleague. espeak-ng's
# Mandarin reads pinyin with tone digits (its "cmn" voice reads Chinese characters as English letters and digits):
#   去年我做了一个省钱的项目。我关掉了没有用的服务器。每个月省了三成的钱。
#   有一个同事从来不写测试。我私下跟他谈了一次。后来他每次都写测试了。
# Its Mandarin is robotic and Whisper hears it roughly, so the Chinese answers' words are not checked.
ZH = Case("zh", "zh-CN", "cmn-latn-pinyin+f3", PLAN_ZH, "后端工程师", "王芳", [
    4.0, "qu4 nian2 wo3 zuo4 le5 yi2 ge4 sheng3 qian2 de5 xiang4 mu4. wo3 guan1 diao4 le5 mei2 you3 yong4 de5 "
         "fu2 wu4 qi4. mei3 ge4 yue4 sheng3 le5 san1 cheng2 de5 qian2.",
    12.0, "you3 yi2 ge4 tong2 shi4 cong2 lai2 bu4 xie3 ce4 shi4. wo3 si1 xia4 gen1 ta1 tan2 le5 yi2 ci4. "
          "hou4 lai2 ta1 mei3 ci4 dou1 xie3 ce4 shi4 le5.",
    15.0], off_topic=True, speed=120)


async def _engine_ready(base_url: str) -> dict:
    async with aiohttp.ClientSession(base_url) as http:
        async def status() -> dict | None:
            async with http.get("/api/v1/health") as r:
                lm = (await r.json())["language_model"]
            assert lm["state"] != "failed", lm
            return lm if lm["state"] == "ready" else None
        return await until(status, timeout=ENGINE_READY_S, what="language model ready")


async def _interview(pw, h, case: Case, tmp_path: Path, errors: list[str]) -> str:
    """The candidate answers the one question (and a follow-up if one is asked); the interview id."""
    await h.use_plan(load_plan(case.plan), case.title, case.lang)
    interview_id, token = await h.create_interview(case.candidate, case.lang)
    speech = make_speech_wav(tmp_path / f"answers-{case.lang}.wav", case.script, voice=case.voice, speed=case.speed)
    async with candidate_page(pw, tmp_path / f"candidate-{case.lang}", f"{h.base_url}/i/{token}?audio=raw&tts=off",
                              errors, audio=f"{speech.path}%noloop", locale=case.locale) as cand:
        await cand.check("#consent-ai_evaluation")
        await cand.click("#consent-continue")
        await cand.wait_for_function("() => !document.getElementById('join').disabled", timeout=STEP_TIMEOUT_MS)
        await cand.click("#join")
        await cand.locator("#step-done").wait_for(state="visible", timeout=INTERVIEW_TIMEOUT_MS)
    return interview_id


async def _scored_by_model(h, interview_id: str) -> list:
    """Every stored score, once all were made with the model's relevance check (a late one refines a rules score)."""
    async def ready():
        scores = await h.ctx.store.records.scores(interview_id)
        return scores if scores and all(s.scored_by != "rules" for s in scores) else None
    return await until(ready, timeout=SCORED_BY_MODEL_S, what="scores made with the language model")


async def _shoot(page, name: str, too_wide: list[str]) -> None:
    """Full-page shots at a laptop's and a phone's width; a page wider than the screen goes to ``too_wide``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in VIEWPORTS.items():
        await page.set_viewport_size({"width": width, "height": height})
        await page.wait_for_timeout(300)  # let the layout settle before the shot
        await page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
        overflow = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            too_wide.append(f"{name} at {width} px is {overflow} px wider than the screen")


async def _check_report(page, case: Case) -> None:
    """``page`` is on the interview's report, in the interview's language."""
    await page.locator("#answers .answer-block").first.wait_for(timeout=STEP_TIMEOUT_MS)
    assert await page.evaluate("() => document.documentElement.lang") == ("zh-CN" if case.lang == "zh" else "en")
    main = await page.inner_text("main")
    assert not INTERNAL_CODES.search(main), INTERNAL_CODES.search(main)
    by_model = say("scored_by:model", case.lang, model=JUDGE_MODEL_ID)
    assert by_model.startswith("由规则评分，语言模型（" if case.lang == "zh" else "Scored by the rules, with the language model (")
    blocks = page.locator("#answers .answer-block")
    texts = [await b.inner_text() for b in await blocks.all()]
    for text in texts:
        assert re.search(r"\d\.\d (of 5|分（满分 5）)", text), text  # each question shows its score...
        assert by_model in text, text  # ...which path scored it...
    notes = await page.locator("#answers ul.evidence li").all_inner_texts()
    assert notes and all(re.search(r"[A-Za-z\u4e00-\u9fff]{2}", n) for n in notes), notes  # ...and why, in words
    if case.lang == "zh":
        assert sum(bool(re.search(r"[\u4e00-\u9fff]", n)) for n in notes) == len(notes), notes
    unsure = await page.inner_text("#unsure")
    off_topic_doubts = [*(say("doubt:model_off_topic", case.lang, control=c) for c in control_questions(case.lang)),
                        say("doubt:off_topic", case.lang)]
    clarify_head = BUILTIN_TEMPLATES["clarify"][case.lang].split("{question}")[0]
    follow_ups = await page.locator("#answers .follow-up").all_inner_texts()
    clarified = any(clarify_head in t for t in follow_ups)
    doubted = any(d in unsure for d in off_topic_doubts)
    if case.off_topic:
        assert clarified or doubted, (texts, follow_ups, unsure)
        if clarified and case.lang != "en":  # and says why in the page's language
            assert follow_up_why("clarify", "", case.lang) in follow_ups[0], follow_ups[0]
    else:
        assert not clarified and not doubted, (texts, unsure)
        # On the question: the report says so (whether the result reads as measured depends on how synthetic
        # speech is transcribed, so that is left to the scoring tests).
        assert say("relevance:on_topic", case.lang) in texts[0], texts


async def test_live_interview_with_the_language_model_report_explains_each_score(sqlite_url, tmp_path):
    errors: list[str] = []
    too_wide: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data", llm_engine="embedded", llm_timeout_s=60,
                              model_cache_dir=Settings().resolved_model_cache_dir) as h, \
            playwright_api.async_playwright() as pw:
        await _engine_ready(h.base_url)
        for case in (EN, ZH):
            interview_id = await _interview(pw, h, case, tmp_path, errors)
            scores = await _scored_by_model(h, interview_id)
            assert {s.scored_by for s in scores} == {f"{JUDGE_MODEL_ID} + rules"}, [s.scored_by for s in scores]
            async with chromium(pw, tmp_path / f"hr-{case.lang}", locale=case.locale) as ctx:
                page = await _page_of(ctx)
                _watch_errors(page, errors)
                await login_as_hr(page, h.base_url, f"/reports/{interview_id}")
                await _check_report(page, case)
                await _shoot(page, f"model-report-{case.lang}", too_wide)
                await page.goto(f"{h.base_url}/observe/{interview_id}")
                await page.wait_for_function(
                    "() => document.querySelectorAll('#transcript .score').length > 0", timeout=STEP_TIMEOUT_MS)
                # why each follow-up was chosen or the interview moved on, in the page's language
                moves = [t for t in await page.locator("#timeline li").all_inner_texts()
                         if any(say_ in t for say_ in ("选择追问", "下一题", "澄清", "Follow-up chosen", "Next question",
                                                       "Clarification"))]
                assert moves, await page.locator("#timeline li").all_inner_texts()
                if case.lang == "zh":
                    assert all(re.search(r"[\u4e00-\u9fff]{4}", t.split(": ", 1)[-1]) for t in moves), moves
                assert not any("No enabled follow-up trigger" in t or "Model:" in t for t in moves), moves
                await _shoot(page, f"model-observer-{case.lang}", too_wide)
    assert not errors, errors
    assert not too_wide, too_wide
