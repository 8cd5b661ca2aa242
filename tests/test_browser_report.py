"""The evaluation report page in real Chromium, in English and Chinese, at a laptop's (1280 px) and a phone's
(390 px) width: the overall result first with the AI's suggestion, nothing chosen for the reader until a person
decides (the button asks for a choice), a hiring manager confirms or changes it and the page then says who decided;
the page in its reader's language (the browser's, or the one chosen on the HR page), whatever the interview's;
questions numbered as the candidate saw them; the same figure in the table and under the question; why there are no
answers when there are none; no internal code anywhere; nothing wider than the phone's screen. Screenshots go to
/tmp/report-shots/ (REPORT_SHOTS overrides) for a person to look at.

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec env PYTHONPATH=$PWD .venv/bin/python -m pytest -m browser -q tests/test_browser_report.py'
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from dialogue.score_words import reword
from server.http.auth import hash_password
from server.storage.models import utcnow
from tests.harness import running_server
from tests.report_seed import TEXT, seed_report_interview, shown_name
from tests.test_browser_interview import STEP_TIMEOUT_MS, _page_of, _watch_errors, chromium, login_as_hr, playwright_api
from tests.test_catalogue import catalogue_english_in
from web_client.catalogue import text

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("REPORT_SHOTS", "/tmp/report-shots"))
WIDTHS = {"1280": {"width": 1280, "height": 800}, "390": {"width": 390, "height": 844}}
CODES = re.compile(r"\b(cap|relevance|star|coverage|anchor|doubt|specificity|scored_by|why):|\bcosine\b|\b[a-z]+_[a-z_]+\b")
MANAGER, PW = "mina@acme.test", "manager-pw-123"


async def _shoot(page, name: str, too_wide: list[str]) -> None:
    """Full-page shots at both widths; a page wider than the screen goes to ``too_wide``."""
    for tag, size in WIDTHS.items():
        await page.set_viewport_size(size)
        await page.wait_for_timeout(250)  # let the layout settle
        await page.screenshot(path=str(SHOTS / f"{name}-{tag}.png"), full_page=True)
        overflow = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            too_wide.append(f"{name} at {tag} px is {overflow} px wider than the screen")
    await page.set_viewport_size(WIDTHS["1280"])


async def _check_page(page, lang: str, interview_lang: str) -> None:
    """The page, drawn in ``lang``: the overall result before the questions, each question numbered as the
    candidate saw it, one figure per competency everywhere under its name in ``lang``, and no code; a Chinese
    interview read in Chinese holds no English (what was said and scored stays in the interview's language, and its
    plan's English competency keys are shown by their Chinese names)."""
    await page.wait_for_function(f"() => document.documentElement.lang === '{'zh-CN' if lang == 'zh' else 'en'}'")
    await page.locator("#answers .answer-block .q-number").first.wait_for(timeout=STEP_TIMEOUT_MS)
    first = text("rp_question_of", lang, n=1, total=2)  # drawn again in this language
    await page.wait_for_function("(want) => document.querySelector('#answers .q-number').textContent === want", arg=first,
                                 timeout=STEP_TIMEOUT_MS)
    t = TEXT[interview_lang]
    main = await page.inner_text("main")
    visible = re.sub(r"\S+@\S+", "", main)  # reviewers' addresses are data
    assert not CODES.search(visible), CODES.search(visible)
    if lang == interview_lang == "zh":
        assert not catalogue_english_in(main), catalogue_english_in(main)
        assert not [k for k in t["names"] if k in main], main
    assert main.index(text("rp_overall", lang)) < main.index(text("rp_questions", lang))
    heads = await page.locator("#answers .answer-block h3 .q-number").all_inner_texts()
    assert heads == [text("rp_question_of", lang, n=1, total=2), text("rp_question_of", lang, n=2, total=2)]
    assert await page.locator("#answers .follow-up h4 .q-number").all_inner_texts() == [
        text("rp_follow_up", lang, label="1a")]
    # the competency's figure in the table is the one under its question
    rows = {(await r.locator("td").first.inner_text()).strip(): await r.inner_text()
            for r in await page.locator("#comp-rows tr").all()}
    options = await page.locator("#rv-comp option").all()
    rated = {await o.get_attribute("value"): (await o.inner_text()).strip() for o in options}
    for number, (_, competency, _) in enumerate(t["questions"], start=1):
        name = shown_name(interview_lang, competency, lang)
        block = page.locator(f'#answers .answer-block[data-question="{number}"] .q-score strong')
        assert (await block.inner_text()).startswith(name), (name, await block.inner_text())
        figure = re.search(r"\d\.\d", await block.inner_text()).group()
        assert figure in rows[name], (name, figure, rows[name])
        assert rated[competency] == name  # a rating is kept under the key, chosen by the name


async def test_report_page_in_both_languages_at_both_widths_with_a_decision(sqlite_url, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    too_wide: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        en = await seed_report_interview(h, "en")
        zh = await seed_report_interview(h, "zh")
        store = h.ctx.store
        manager = await store.accounts.create_user(h.org_id, MANAGER, hash_password(PW), role="hiring_manager",
                                                   name="Mina Manager")
        for iv_id in (en.interview_id, zh.interview_id):
            iv = await store.interviews.get(iv_id)
            await store.assignments.assign_job(h.org_id, iv.job_id, manager.id, None)

        for seeded in (en, zh):
            lang, other = seeded.lang, "zh" if seeded.lang == "en" else "en"
            async with chromium(pw, tmp_path / f"hm-{lang}", locale="zh-CN" if lang == "zh" else "en-US") as ctx:
                page = await _page_of(ctx)
                _watch_errors(page, errors)
                await login_as_hr(page, h.base_url, f"/reports/{seeded.interview_id}", MANAGER, PW)
                await _check_page(page, lang, lang)  # a reader of the interview's language first
                status = await page.inner_text("#ov-status")
                assert status == text("rp_suggested_by_ai", lang)
                assert await page.inner_text("#ov-verdict") == text("rp_dec_hold", lang)
                # nothing is chosen for the reader: the AI's suggestion is no default, and the button asks
                await page.locator("#decision-form").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
                assert await page.locator('input[name="decision"]:checked').count() == 0
                assert await page.inner_text("#dc-submit") == text("rp_decision_choose", lang)
                await _shoot(page, f"report-{lang}-suggested", too_wide)
                await page.click("#dc-submit")
                assert await page.inner_text("#dc-status") == text("rp_decision_choose_first", lang)
                assert await store.records.decisions(seeded.interview_id) == []

                # the manager changes the suggestion (hold) to advance, with a comment
                await page.locator('input[name="decision"][value="advance"]').check()
                assert await page.inner_text("#dc-submit") == text("rp_decision_save", lang)
                assert await page.inner_text("#dc-status") == ""
                await page.fill("#dc-comment", "强项明显" if lang == "zh" else "Strong example, worth a second talk")
                await page.click("#dc-submit")
                await page.wait_for_function(
                    "() => document.getElementById('ov-verdict').dataset.decision === 'advance'", timeout=STEP_TIMEOUT_MS)
                assert await page.inner_text("#ov-status") == text(
                    "rp_changed_by", lang, who="Mina Manager", suggested=text("rp_dec_hold", lang))
                await _shoot(page, f"report-{lang}-decided", too_wide)
                await page.reload()  # the person's decision is the one shown chosen
                await page.wait_for_function(
                    "() => document.getElementById('ov-verdict').dataset.decision === 'advance'", timeout=STEP_TIMEOUT_MS)
                assert await page.locator('input[name="decision"]:checked').get_attribute("value") == "advance"

                await page.click("#lang")  # the other language, same figures
                await _check_page(page, other, lang)
                await _shoot(page, f"report-{lang}-in-{other}", too_wide)
        decided = await store.records.decisions(en.interview_id)
        assert [(d.decision, d.suggested, d.decided_by_email) for d in decided] == [("advance", "hold", MANAGER)]
    assert not too_wide, too_wide
    assert not errors, errors


async def _reasons_in(page, lang: str, seeded) -> None:
    """The first question's reasons on the page are the server's sentences in ``lang``, its answer as said."""
    final = seeded.scores["q1_final"]
    level_reason = reword(next(e.note for e in final.evidence if e.stance == "level"), seeded.lang, lang)
    block = page.locator('#answers .answer-block[data-question="1"]')
    await block.get_by_text(level_reason).wait_for(timeout=STEP_TIMEOUT_MS)
    assert TEXT[seeded.lang]["a1"][0] in await block.inner_text()  # the candidate's words, not translated


async def test_the_report_follows_its_readers_language_not_the_interviews(sqlite_url, tmp_path):
    """An English interview read with the browser in Chinese, and with Chinese chosen on the HR page: the page and
    the server's sentences in Chinese, the candidate's words in English; the PDF link asks for Chinese too."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    too_wide: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        en = await seed_report_interview(h, "en")
        async with chromium(pw, tmp_path / "zh-browser", locale="zh-CN") as ctx:
            page = await _page_of(ctx)
            _watch_errors(page, errors)
            await login_as_hr(page, h.base_url, f"/reports/{en.interview_id}")
            await _check_page(page, "zh", "en")
            await _reasons_in(page, "zh", en)
            assert await page.inner_text("#a-h") == text("rp_questions", "zh")
            assert (await page.get_attribute("#pdf", "href")).endswith("report.pdf?lang=zh")
            await _shoot(page, "report-en-interview-zh-reader", too_wide)
        async with chromium(pw, tmp_path / "en-browser", locale="en-US") as ctx:
            page = await _page_of(ctx)
            _watch_errors(page, errors)
            await login_as_hr(page, h.base_url)
            await page.click("#lang")  # the reader chooses Chinese on the HR page...
            await page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
            await page.goto(f"{h.base_url}/reports/{en.interview_id}")  # ...and reads the report in it
            await _check_page(page, "zh", "en")
            await _reasons_in(page, "zh", en)
            await page.click("#lang")  # and back
            await _check_page(page, "en", "en")
            await _reasons_in(page, "en", en)
    assert not too_wide, too_wide
    assert not errors, errors


async def test_a_report_without_answers_says_why(sqlite_url, tmp_path):
    """Scores without a transcript (the demo's history): the questions' section says so in the reader's language,
    rather than standing empty."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    too_wide: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        store = h.ctx.store
        iv = await store.interviews.create(h.org_id, h.job_id, "Lena Li", "", "en")
        for qi, (competency, score) in enumerate((("communication", 2.0), ("problem solving", 1.3))):
            await store.records.add_score(iv.id, qi, qi, competency, score, 0.8, "", [], [])
        await store.interviews.update(iv.id, status="finished", started_at=utcnow(), ended_at=utcnow())
        for lang, locale in (("en", "en-US"), ("zh", "zh-CN")):
            async with chromium(pw, tmp_path / f"scores-only-{lang}", locale=locale) as ctx:
                page = await _page_of(ctx)
                _watch_errors(page, errors)
                await login_as_hr(page, h.base_url, f"/reports/{iv.id}")
                note = page.locator("#answers-missing")
                await note.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
                assert await note.inner_text() == text("rp_answers_scores_only", lang)
                assert await page.locator("#answers .answer-block").count() == 0
                await _shoot(page, f"report-scores-only-{lang}", too_wide)
    assert not too_wide, too_wide
    assert not errors, errors
