"""The HR analytics page in real Chromium on the demo organisation's history, in English and Chinese, at a laptop's
(1280 px) and a phone's (390 px) width: every chart is drawn and its text alternative carries the API's numbers; a
CSV download holds the figures; a recruiter records an outcome, accepts the suggested weights (the page then lists
the decision), is told in words when the suggestion changed behind the page, and sees every wrong row of a CSV
import; a hiring manager sees all but the match scores and cannot accept weights. Nothing is wider than the phone's
screen. Screenshots go to /tmp/analytics-shots/ (ANALYTICS_SHOTS
overrides) for a person to look at.

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec env PYTHONPATH=$PWD .venv/bin/python -m pytest -m browser -q tests/test_browser_analytics.py'
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from server.platform.demo import seed_demo
from tests.harness import running_server
from tests.test_browser_interview import STEP_TIMEOUT_MS, _page_of, _watch_errors, chromium, login_as_hr, playwright_api
from tests.test_catalogue import catalogue_english_in
from web_client.catalogue import text

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("ANALYTICS_SHOTS", "/tmp/analytics-shots"))
WIDTHS = {"1280": {"width": 1280, "height": 800}, "390": {"width": 390, "height": 844}}
CHARTS = ("ms-hist", "ms-trend", "fn-chart", "cs-chart", "vd-chart", "wt-chart")
RECRUITER = "recruiter@example.com"  # the demo's recruiter of the engineering job (server/platform/demo.py)
MANAGER = "manager@example.com"  # and its hiring manager


def two(v: float) -> str:
    return f"{v:.2f}"


async def _api(page, path: str) -> dict:
    return await page.evaluate("async (p) => (await fetch(p)).json()", path)


async def _loaded(page, job_id: str) -> None:
    await page.wait_for_function("(j) => document.body.dataset.loaded === j", arg=job_id, timeout=STEP_TIMEOUT_MS)


def _name(report: dict, competency: str, lang: str) -> str:
    """What the page calls a competency: its plan's name in ``lang``, else its key."""
    return (report["competency_names"].get(competency) or {}).get(lang) or competency


async def _check_charts(page, job_id: str, lang: str) -> None:
    """Every chart has a canvas, and its accessible summary the numbers the API gives, each competency under its
    name in the page's language."""
    for chart in CHARTS:
        assert await page.locator(f"#{chart} canvas").count() == 1, chart
    label = {c: await page.get_attribute(f"#{c}", "aria-label") for c in CHARTS}
    base = f"/api/v1/jobs/{job_id}/analytics"
    ms = await _api(page, f"{base}/match-scores")
    assert ms["n"] > 0 and str(ms["n"]) in label["ms-hist"]
    colon = "：" if lang == "zh" else ": "
    assert all(f"{round(b['low'])}–{round(b['high'])}{colon}{b['n']}" in label["ms-hist"] for b in ms["bins"])
    assert all(p["period"] in label["ms-trend"] and f"{p['mean']:.1f}" in label["ms-trend"]
               for p in ms["trend"] if p["mean"] is not None)
    funnel = await _api(page, f"{base}/funnel")
    first = funnel["channels"][0]
    assert all(f"{text('an_stage_' + s['stage'], lang)} {s['n']}" in label["fn-chart"] for s in first["stages"])
    consistency = await _api(page, f"{base}/consistency")
    for c in consistency["competencies"]:
        assert two(c["ai_vs_human"]["icc"]["value"]) in label["cs-chart"]
        assert two(c["ai_vs_human"]["icc"]["ci_low"]) in label["cs-chart"]
    # the agreement said in plain words first, the statistic's name and value after it
    icc = next(c for c in consistency["competencies"] if c["competency"] == "(all)")["ai_vs_human"]["icc"]["value"]
    band = "very_close" if icc >= 0.9 else "close" if icc >= 0.75 else "moderate" if icc >= 0.5 else "weak"
    assert await page.inner_text("#cs-summary") == text("an_cs_summary", lang, what=text("an_cs_what_icc", lang),
                                                         band=text(f"an_band_{band}", lang))
    detail = await page.inner_text("#cs-detail")
    assert detail.startswith(text("an_stat_icc", lang)) and two(icc) in detail
    validity = await _api(page, f"{base}/validity")
    for c in validity["competencies"]:
        r = c["correlation"]
        assert _name(validity, c["competency"], lang) + colon + text("an_value_range", lang, value=two(r["r"]), low=two(r["ci_low"]),
                                              high=two(r["ci_high"]), n=r["n"]) in label["vd-chart"]
        assert f"{round(c['suggested_weight'] * 100)}%" in label["wt-chart"]
    assert two(validity["overall"]["r"]) in label["vd-chart"]


async def _shoot(page, name: str, too_wide: list[str]) -> None:
    """Full-page shots at both widths (charts redrawn for the width); a page wider than the screen goes to
    ``too_wide``."""
    for tag, size in WIDTHS.items():
        await page.set_viewport_size(size)
        await page.wait_for_timeout(600)  # the charts follow their box, and are drawn again for a phone
        for chart in CHARTS:  # each chart fits its card
            box = await page.locator(f"#{chart} canvas").bounding_box()
            assert box and box["width"] <= size["width"] and box["height"] > 100, (name, tag, chart, box)
        if tag == "390":  # the funnel on a phone: every step named in full (no legend pager), a number on every bar
            legend, labels = await page.evaluate("""() => { const o = echarts.getInstanceByDom(
                document.getElementById('fn-chart')).getOption(); return [o.legend[0].type, o.series.map((s) => s.label.show)]; }""")
            assert legend == "plain" and labels and all(labels), (name, legend, labels)
        await page.screenshot(path=str(SHOTS / f"{name}-{tag}.png"), full_page=True)
        overflow = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            too_wide.append(f"{name} at {tag} px is {overflow} px wider than the screen")
    await page.set_viewport_size(WIDTHS["1280"])


async def _undecided_interview(page, job_id: str, finished: bool = True) -> dict:
    """An interview of the job (finished, unless told) whose candidate has no outcome yet."""
    decided = {o["candidate_id"] for o in (await _api(page, f"/api/v1/jobs/{job_id}/outcomes"))["outcomes"]}
    interviews = (await _api(page, "/api/v1/interviews"))["interviews"]
    return next(iv for iv in interviews if iv["job_id"] == job_id and (iv["status"] == "finished" or not finished)
                and iv["candidate_id"] not in decided)


async def test_analytics_page_in_both_languages_at_both_widths(sqlite_url, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    too_wide: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data", seed=False, analytics_bootstrap_samples=200) as h, \
            playwright_api.async_playwright() as pw:
        store = h.ctx.store
        info = await seed_demo(store.accounts, store.jobs, store.interviews, store.assignments, h.settings,
                               db=store.db)
        job_id = info.job_id

        # --- English: the charts, a download, an outcome, accepting the weights ---------------------------------
        async with chromium(pw, tmp_path / "en", locale="en-US") as ctx:
            page = await _page_of(ctx)
            _watch_errors(page, errors)
            await login_as_hr(page, h.base_url, "/analytics", RECRUITER, info.password)
            await _loaded(page, job_id)
            assert await page.input_value("#job") == job_id
            await _check_charts(page, job_id, "en")
            await _shoot(page, "analytics-en", too_wide)

            async with page.expect_download() as download:
                await page.click("#fn-csv")
            csv_text = Path(await (await download.value).path()).read_text(encoding="utf-8-sig")
            funnel = await _api(page, f"/api/v1/jobs/{job_id}/analytics/funnel")
            upload = next(s for s in funnel["channels"][0]["stages"] if s["stage"] == "hired")
            assert csv_text.splitlines()[0] == "channel,stage,n,of_previous,of_first"
            assert f"{funnel['channels'][0]['channel']},hired,{upload['n']}," in csv_text

            # a hire with a performance rating, recorded on the page
            iv = await _undecided_interview(page, job_id)
            hired_before = (await _api(page, f"/api/v1/jobs/{job_id}/analytics/validity"))["outcomes"]["hired"]
            await page.select_option("#oc-interview", iv["id"])
            await page.select_option("#oc-decision", "hired")
            await page.fill("#oc-rating", "4")
            await page.fill("#oc-months", "6")
            await page.click("#oc-submit")
            saved = text("an_oc_saved", "en", name=iv["candidate_name"], decision=text("an_dec_hired", "en"))
            await page.wait_for_function("(t) => document.getElementById('oc-status').textContent === t", arg=saved,
                                         timeout=STEP_TIMEOUT_MS)
            first_row = await page.inner_text("#oc-table tbody tr:first-child")
            assert iv["candidate_name"] in first_row and text("an_perf_after", "en", rating="4.0", months=6) in first_row
            outcome = await store.outcomes.get(job_id, iv["candidate_id"])
            assert (outcome.decision, outcome.performance_rating, outcome.performance_months) == ("hired", 4, 6)
            await page.wait_for_function(  # the validity section counts the new hire
                "(n) => document.getElementById('vd-summary').textContent.includes(n + ' hired')", arg=hired_before + 1,
                timeout=STEP_TIMEOUT_MS)

            # accepting the suggested weights: a confirmation that says what changes, then the decision is listed
            validity = await _api(page, f"/api/v1/jobs/{job_id}/analytics/validity")
            assert validity["suggestion"] is not None and not validity["decisions"]
            await page.click("#wt-accept")
            dialog = page.locator("#wt-dialog")
            await dialog.wait_for(state="visible")
            said = await dialog.inner_text()
            assert "Backend Software Engineer" in said and text("an_wt_confirm_keep", "en") in said
            for c in validity["competencies"]:
                assert text("an_wt_item", "en", competency=_name(validity, c["competency"], "en"), now=f"{round(c['current_weight'] * 100)}%",
                            next=f"{round(c['suggested_weight'] * 100)}%") in said
            await page.screenshot(path=str(SHOTS / "analytics-en-confirm.png"))
            await page.click("#wt-confirm")
            await page.wait_for_function("(t) => document.getElementById('wt-status').textContent === t",
                                         arg=text("an_wt_accepted", "en"), timeout=STEP_TIMEOUT_MS)
            await page.locator("#wt-decisions").wait_for(state="visible")
            listed = await page.inner_text("#wt-decision-list")
            assert RECRUITER in listed and "→" in listed
            accepted = (await _api(page, f"/api/v1/jobs/{job_id}/analytics/validity"))["decisions"]
            assert [d["weights"] for d in accepted] == [validity["suggestion"]["weights"]]
            assert str(accepted[0]["plan_version"]) in listed
            await _shoot(page, "analytics-en-accepted", too_wide)

        # --- Chinese: the same page in Chinese; the suggestion changes behind the page; a CSV with wrong rows ------
        async with chromium(pw, tmp_path / "zh", locale="zh-CN") as ctx, h.hr_client(RECRUITER, info.password) as api:
            page = await _page_of(ctx)
            _watch_errors(page, errors)
            await login_as_hr(page, h.base_url, "/analytics", RECRUITER, info.password)
            await _loaded(page, job_id)
            await page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
            await _check_charts(page, job_id, "zh")
            main = await page.inner_text("main")
            assert not catalogue_english_in(main), catalogue_english_in(main)
            assert text("an_ms_h", "zh") in main and text("an_vd_h", "zh") in main
            # the English job's competencies, keyed in English, are named in Chinese in the tables
            names = (await _api(page, f"/api/v1/jobs/{job_id}/analytics/validity"))["competency_names"]
            assert names and all(n["zh"] in main for n in names.values())
            assert not [w for key, n in names.items() for w in (key, n["en"]) if w in main], main
            await _shoot(page, "analytics-zh", too_wide)

            assert (await _api(page, f"/api/v1/jobs/{job_id}/analytics/validity"))["suggestion"] is not None
            assert await page.locator("#wt-accept").is_visible()
            # two hires' ratings corrected elsewhere: the suggestion the page shows is no longer the current one
            rated = [o for o in (await _api(page, f"/api/v1/jobs/{job_id}/outcomes"))["outcomes"]
                     if o["performance"] and o["performance"]["rating"] != 3 and o["interview_id"]]
            for o in rated[:2]:
                async with api.put(f"/api/v1/interviews/{o['interview_id']}/outcome", json={
                        "decision": "hired", "performance": {"rating": 6 - o["performance"]["rating"], "months": 3}}) as r:
                    assert r.status == 200, await r.text()
            await page.click("#wt-accept")
            await page.click("#wt-confirm")
            await page.wait_for_function(
                "(t) => document.getElementById('wt-status').textContent === t",
                arg=text("an_wt_409_suggestion_changed", "zh"), timeout=STEP_TIMEOUT_MS)
            assert len((await _api(page, f"/api/v1/jobs/{job_id}/analytics/validity"))["decisions"]) == 1

            # a CSV file with two wrong rows: nothing stored, each row named in Chinese
            iv = await _undecided_interview(page, job_id, finished=False)
            csv = f"interview_id,decision,performance_rating,performance_months\n{iv['id']},录用,4,6\nnope,hired,,\n" \
                  f"{iv['id']},maybe,,\n"
            await page.set_input_files("#oc-file", files=[{"name": "outcomes.csv", "mimeType": "text/csv",
                                                            "buffer": csv.encode("utf-8")}])
            await page.click("#oc-import-btn")
            await page.locator("#oc-import-errors li").first.wait_for(timeout=STEP_TIMEOUT_MS)
            problems = await page.locator("#oc-import-errors li").all_inner_texts()
            assert text("an_row_problem", "zh", row=3, field="interview_id",
                        problem=text("an_rowerr_unknown_interview", "zh")) in problems
            assert any(p.startswith("第 4 行") and text("an_rowerr_invalid_decision", "zh") in p for p in problems)
            assert await page.inner_text("#oc-import-status") == text("an_oc_import_rows", "zh", n=2)
            assert await store.outcomes.get(job_id, iv["candidate_id"]) is None
            await page.screenshot(path=str(SHOTS / "analytics-zh-import-errors.png"), full_page=True)

        # --- a hiring manager: everything but the resume match scores, and no accepting of weights -------------
        async with chromium(pw, tmp_path / "hm", locale="en-US") as ctx:
            page = await _page_of(ctx)
            _watch_errors(page, errors)
            await login_as_hr(page, h.base_url, "/analytics", MANAGER, info.password)
            await _loaded(page, job_id)
            assert await page.inner_text("#ms-msg") == text("an_no_access", "en")
            assert await page.locator("#ms .downloads").is_hidden() and await page.locator("#ms-hist").is_hidden()
            for chart in ("fn-chart", "cs-chart", "vd-chart", "wt-chart"):
                assert await page.locator(f"#{chart} canvas").count() == 1, chart
            assert await page.locator("#wt-chart").is_visible() and await page.locator("#wt-accept").is_hidden()
    assert not too_wide, too_wide
    assert not errors, errors
