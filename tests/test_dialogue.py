"""Turn-taking and the session state machine, driven by explicit times (no sleeps)."""

from __future__ import annotations

import pytest

from dialogue.session import InterviewSession, InvalidTransition, PlanQuestion, check_transition
from dialogue.turn_taking import AnswerEndDetector, TurnTakingConfig

pytestmark = pytest.mark.unit
CFG = TurnTakingConfig(answer_end_silence_ms=1800, no_answer_timeout_ms=60000)


def test_answer_waits_out_a_thinking_pause_and_ends_after_long_silence():
    d = AnswerEndDetector(CFG, turn_started_ms=0)
    d.speech_started(1000)
    d.speech_ended(3000)
    d.final_received("I led the migration")
    d.utterance_done()
    assert d.check(3000 + 1500) is None  # a 1.5 s pause is not the end
    d.speech_started(4500)
    assert d.check(10_000) is None  # speaking
    d.speech_ended(6000)
    assert d.check(7000) is None
    assert d.check(7800) is None  # the final of the second utterance is not in yet
    d.final_received("and it finished early")
    d.utterance_done()
    assert d.due_at() == 7800 and d.check(7800) == "silence"
    assert d.answer_text == "I led the migration and it finished early"


def test_no_answer_and_time_limit():
    d = AnswerEndDetector(CFG, turn_started_ms=0)
    assert d.check(59_000) is None and d.check(60_000) == "no_answer"
    d = AnswerEndDetector(CFG, turn_started_ms=0, time_limit_ms=30_000)
    d.speech_started(1000)
    assert d.check(31_000) is None  # never cut the candidate off mid-utterance
    d.speech_ended(32_000)
    d.utterance_done()
    assert d.check(32_100) == "time_limit"


def test_silence_without_words_does_not_end_the_answer():
    d = AnswerEndDetector(CFG, turn_started_ms=0)
    d.speech_started(1000)
    d.speech_ended(1300)  # a cough: nothing recognised
    d.utterance_done()
    assert d.check(5000) is None


def test_session_walks_the_plan_and_closes():
    s = InterviewSession([PlanQuestion("a", "Q1"), PlanQuestion("b", "Q2")], language="zh")
    first = s.resume(None)
    assert (first.kind, first.text, first.question_index) == ("question", "Q1", 0)
    nxt = s.next_question()
    assert (nxt.text, nxt.question_index) == ("Q2", 1)
    closing = s.next_question()
    assert closing.kind == "closing" and "面试" in closing.text and s.finished
    with pytest.raises(ValueError):
        InterviewSession([])


def test_status_transitions():
    check_transition("created", "consented")
    check_transition("consented", "live")
    check_transition("live", "finished")
    for bad in [("created", "live"), ("finished", "live"), ("failed", "consented")]:
        with pytest.raises(InvalidTransition):
            check_transition(*bad)
