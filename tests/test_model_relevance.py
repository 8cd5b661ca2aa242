"""The language model's relevance contrast (dialogue/model_relevance.py) and what it changes in a judgement
(dialogue/answer_judgement.py), against the scripted chat-completions double; the real engine:
tests/test_llm_engine.py."""

from __future__ import annotations

import pytest

from analyzers.llm_client import LlmClient, LlmEndpoint, LlmUnavailableError
from dialogue.answer_judgement import judge_answer
from dialogue.followup import RuleBasedPolicy
from dialogue.model_relevance import (CONTROL_QUESTIONS, OFF_TOPIC_ODDS, ModelRelevance, ask_model_relevance,
                                      relevance_messages)
from dialogue.plan import PlanQuestionSpec, RubricLevel
from tests.fake_openai import FakeOpenAI
from tests.test_followup import analyzer, ctx_for  # noqa: F401 - the module-scoped fixture

pytestmark = pytest.mark.unit

QUESTION = "Tell me about a time a delivery to a customer went wrong. What did you do?"
# A story from the same field about another kind of event: the case the embeddings cannot tell apart.
ANSWER = ("Last spring I led a project to cut our trucking costs. I pulled six months of route data, merged four "
          "half-empty routes into two loops and renegotiated the carrier rates per kilo. Costs fell by 9 percent "
          "over the year and deliveries stayed on time.")


@pytest.fixture
async def fake_openai():
    srv = FakeOpenAI()
    await srv.start()
    yield srv
    await srv.stop()


def test_the_answer_comes_before_the_question_so_a_growing_answer_reuses_the_cached_prefix():
    early = relevance_messages(ANSWER[:80], QUESTION, "en")[1]["content"]
    late = relevance_messages(ANSWER, QUESTION, "en")[1]["content"]
    assert late.startswith(early.split(QUESTION)[0].rsplit("\n\nQuestion", 1)[0])
    assert late.rstrip().endswith("Answer Yes or No.")
    assert "只回答“是”或“否”" in relevance_messages("我当时先道歉。", "请讲一次……", "zh-CN")[1]["content"]


def test_off_topic_needs_the_best_fitting_control_question_to_fit_clearly_better():
    off = ModelRelevance(0.80, (0.5, 0.95, 0.6), "m", 0.1)  # odds 4 vs 19 for the second control: ~4.75 times
    assert off.off_topic and off.best_control == 1 and off.control_odds_ratio == pytest.approx(4.75)
    assert not ModelRelevance(0.88, (0.91, 0.7), "m", 0.1).off_topic  # a near tie is not a verdict
    assert not ModelRelevance(0.95, (0.80, 0.9, 0.3), "m", 0.1).off_topic  # no control fits better
    tie = ModelRelevance(0.5, (0.5, 0.2), "m", 0.1)
    assert tie.control_odds_ratio == pytest.approx(1.0) and not tie.off_topic and OFF_TOPIC_ODDS > 1


def test_the_controls_are_the_same_kinds_of_question_in_both_languages():
    assert len(CONTROL_QUESTIONS["en"]) == len(CONTROL_QUESTIONS["zh"]) >= 5
    assert len(set(CONTROL_QUESTIONS["en"])) == len(CONTROL_QUESTIONS["en"])


async def test_asks_the_real_question_then_each_control_question_about_the_same_answer(fake_openai):
    controls = CONTROL_QUESTIONS["en"]
    fake_openai.first_token_odds = [{"Yes": 0.8, "No": 0.2}] + [{"Yes": 0.6, "No": 0.4}] * (len(controls) - 1) + [
        {"Yes": 0.95, "No": 0.05}]
    client = LlmClient(LlmEndpoint(fake_openai.base_url, "judge"))
    rel = await ask_model_relevance(client, QUESTION, "en", ANSWER)
    assert rel.off_topic and rel.model == "judge" and rel.best_control == len(controls) - 1
    asked = [r["messages"][1]["content"] for r in fake_openai.requests]
    assert QUESTION in asked[0] and all(QUESTION not in a for a in asked[1:])
    assert [c for a, c in zip(asked[1:], controls) if c in a] == list(controls)  # each control once, in order
    assert all(a.startswith(asked[0].split("\n\nQuestion")[0]) for a in asked)  # one cached answer prefix


async def test_at_the_answers_end_the_controls_heard_at_the_last_pause_leave_one_ask(fake_openai):
    fake_openai.first_token_odds = [{"Yes": 0.9, "No": 0.1}]
    client = LlmClient(LlmEndpoint(fake_openai.base_url, "judge"))
    heard = (0.5, 0.96, 0.3)
    rel = await ask_model_relevance(client, QUESTION, "zh-CN", "我当时先道歉，然后重新安排了送货。", known_controls=heard)
    assert len(fake_openai.requests) == 1 and rel.p_controls == heard
    assert rel.off_topic  # odds 24 against 9: the pause's controls decide with the end's real question


def _spec() -> PlanQuestionSpec:
    return PlanQuestionSpec(id="q", competency="Problem solving", text={"en": QUESTION},
                            expected_points={"en": ["what went wrong with the delivery", "how the customer was told"]},
                            rubric=[RubricLevel(score=1, description={"en": "Off-topic"}),
                                    RubricLevel(score=5, description={"en": "Specific, own actions, measured"})])


async def test_an_answer_the_model_finds_off_topic_is_clarified_and_capped(analyzer):  # noqa: F811
    ctx = ctx_for(analyzer, ANSWER, question=_spec())
    alone = await judge_answer(ctx, RuleBasedPolicy())
    with_model = await judge_answer(ctx, RuleBasedPolicy(), relevance=ModelRelevance(0.75, (0.4, 0.95), "judge-1", 0.2))
    assert alone.score.scored_by == "rules"
    assert with_model.score.scored_by == "judge-1 + rules"
    assert alone.relevance != "off_topic" and with_model.relevance == "off_topic"  # what observers are told
    assert with_model.decision is not None and with_model.decision.kind == "clarify"
    assert with_model.decision.reason_code == "clarify"
    assert with_model.score.score <= 1.5 < alone.score.score
    assert any("another kind of question" in u and CONTROL_QUESTIONS["en"][1] in u for u in with_model.score.uncertain)
    notes = [e.note for e in with_model.score.evidence]
    assert "Does not seem to address the question." in notes  # one verdict: not also "only partly addresses"
    assert "Only partly addresses the question." not in notes


async def test_an_answer_the_model_finds_on_topic_keeps_the_rules_judgement(analyzer):  # noqa: F811
    ctx = ctx_for(analyzer, ANSWER, question=_spec())
    alone = await judge_answer(ctx, RuleBasedPolicy())
    agreed = await judge_answer(ctx, RuleBasedPolicy(), relevance=ModelRelevance(0.93, (0.9, 0.6), "judge-1", 0.2))
    assert agreed.score.score == alone.score.score and agreed.score.scored_by == "judge-1 + rules"


async def test_no_model_is_an_error_at_once_for_the_caller_to_keep_the_rules():
    with pytest.raises(LlmUnavailableError):
        await ask_model_relevance(LlmClient(), QUESTION, "en", ANSWER)
