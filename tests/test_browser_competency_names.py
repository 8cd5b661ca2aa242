"""The observer page in real Chromium names each live score's competency in the reader's language: a Chinese reader
of an interview by a shipped plan (competencies keyed in English) sees the Chinese names; a score recorded before
plans carried names (an ``answer.scored`` without ``competency_name``) still shows, under its key.

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec env PYTHONPATH=$PWD .venv/bin/python -m pytest -m browser -q tests/test_browser_competency_names.py'
"""

from __future__ import annotations

import pytest

from dialogue.plan_library import library_plan
from server.storage.models import utcnow
from tests.harness import running_server
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


def _scored(turn: int, competency: str, score: float, names: dict | None) -> dict:
    """An ``answer.scored`` as the timeline keeps it; ``names`` None: as recorded before names existed."""
    event = {"type": "answer.scored", "turn_index": turn, "question_index": turn, "competency": competency,
             "score": score, "confidence": 0.8, "level": "有具体例子", "evidence": [], "uncertain": [], "final": True,
             "scored_by": "rules"}
    return event if names is None else {**event, "competency_name": names}


async def test_the_observer_panel_names_scores_in_the_readers_language(sqlite_url, tmp_path):
    errors: list[str] = []
    plan = library_plan("software-engineer")
    names = plan.competency_names()
    first, second = plan.questions[0].competency, plan.questions[1].competency
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        await h.use_plan(plan, "软件工程师", "zh")
        interview_id, _ = await h.create_interview("李雷", "zh")
        store = h.ctx.store
        iv = await store.interviews.get(interview_id)
        questions = await store.jobs.plan_questions(iv.plan_id)
        for turn, q in enumerate(questions[:2]):
            await store.records.add_turn(interview_id, turn, turn, q.id, "question", q.text)
            await store.records.end_turn(interview_id, turn, "我负责了这个项目。", "silence")
        await store.records.add_event(interview_id, "answer.scored", _scored(0, first, 4.0, names[first]))
        await store.records.add_event(interview_id, "answer.scored", _scored(1, second, 3.0, None))
        await store.interviews.update(interview_id, status="finished", started_at=utcnow(), ended_at=utcnow())

        async with chromium(pw, tmp_path / "zh", locale="zh-CN") as ctx:
            page = await _page_of(ctx)
            _watch_errors(page, errors)
            await login_as_hr(page, h.base_url, f"/observe/{interview_id}")
            await page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
            await page.wait_for_function("() => document.querySelectorAll('#transcript .score h4').length === 2",
                                         timeout=STEP_TIMEOUT_MS)
            heads = await page.locator("#transcript .score h4").all_inner_texts()
            # switching language rebuilds what the page wrote in the new language: scores, turn heads
            await page.click("#lang")
            await page.wait_for_function("() => document.documentElement.lang === 'en'")
            heads_en = await page.locator("#transcript .score h4").all_inner_texts()
            turn_heads_en = await page.locator("#transcript .turn-head").all_inner_texts()
    assert heads_en[0].startswith(f"{text('score_h', 'en')}: {names[first]['en']} 4.0"), heads_en
    assert len(heads_en) == 2 and all(h.startswith(f"{text('q', 'en')}: ") for h in turn_heads_en), turn_heads_en
    assert heads[0].startswith(f"{text('score_h', 'zh')}：{names[first]['zh']} 4.0"), heads
    assert heads[1].startswith(f"{text('score_h', 'zh')}：{second} 3.0"), heads  # no names recorded: the key
    assert names[first]["en"] not in heads[0]
    assert not errors, errors
