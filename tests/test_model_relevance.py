"""The language model's relevance contrast (dialogue/model_relevance.py) and what it changes in a judgement
(dialogue/answer_judgement.py), against the scripted chat-completions double; the real engine:
tests/test_llm_engine.py."""

from __future__ import annotations

import pytest

from analyzers.llm_client import LlmClient, LlmEndpoint, LlmUnavailableError
from dialogue.answer_judgement import judge_answer
from dialogue.followup import RuleBasedPolicy
from dialogue.model_relevance import OFF_TOPIC_ODDS, ModelRelevance, ask_model_relevance, relevance_messages
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


def test_off_topic_needs_the_generic_question_to_fit_clearly_better():
    assert ModelRelevance(0.80, 0.95, "m", 0.1).off_topic  # odds 4 vs 19: ~4.75 times
    assert not ModelRelevance(0.88, 0.91, "m", 0.1).off_topic  # a near tie is not a verdict
    assert not ModelRelevance(0.95, 0.80, "m", 0.1).off_topic
    tie = ModelRelevance(0.5, 0.5, "m", 0.1)
    assert tie.generic_odds_ratio == pytest.approx(1.0) and not tie.off_topic and OFF_TOPIC_ODDS > 1


async def test_two_asks_the_real_question_then_the_generic_one(fake_openai):
    fake_openai.first_token_odds = [{"Yes": 0.8, "No": 0.2}, {"Yes": 0.95, "No": 0.05}]
    client = LlmClient(LlmEndpoint(fake_openai.base_url, "judge"))
    rel = await ask_model_relevance(client, QUESTION, "en", ANSWER)
    assert rel.off_topic and rel.model == "judge"
    asked = [r["messages"][1]["content"] for r in fake_openai.requests]
    assert QUESTION in asked[0] and QUESTION not in asked[1] and "time at work" in asked[1]


def _spec() -> PlanQuestionSpec:
    return PlanQuestionSpec(id="q", competency="Problem solving", text={"en": QUESTION},
                            expected_points={"en": ["what went wrong with the delivery", "how the customer was told"]},
                            rubric=[RubricLevel(score=1, description={"en": "Off-topic"}),
                                    RubricLevel(score=5, description={"en": "Specific, own actions, measured"})])


async def test_an_answer_the_model_finds_off_topic_is_clarified_and_capped(analyzer):  # noqa: F811
    ctx = ctx_for(analyzer, ANSWER, question=_spec())
    alone = await judge_answer(ctx, RuleBasedPolicy())
    with_model = await judge_answer(ctx, RuleBasedPolicy(), relevance=ModelRelevance(0.75, 0.95, "judge-1", 0.2))
    assert alone.score.scored_by == "rules"
    assert with_model.score.scored_by == "judge-1 + rules"
    assert alone.relevance != "off_topic" and with_model.relevance == "off_topic"  # what observers are told
    assert with_model.decision is not None and with_model.decision.kind == "clarify"
    assert with_model.decision.reason_code == "clarify"
    assert with_model.score.score <= 1.5 < alone.score.score
    assert any("general question about work" in u for u in with_model.score.uncertain)
    notes = [e.note for e in with_model.score.evidence]
    assert "Does not seem to address the question." in notes  # one verdict: not also "only partly addresses"
    assert "Only partly addresses the question." not in notes


async def test_an_answer_the_model_finds_on_topic_keeps_the_rules_judgement(analyzer):  # noqa: F811
    ctx = ctx_for(analyzer, ANSWER, question=_spec())
    alone = await judge_answer(ctx, RuleBasedPolicy())
    agreed = await judge_answer(ctx, RuleBasedPolicy(), relevance=ModelRelevance(0.93, 0.9, "judge-1", 0.2))
    assert agreed.score.score == alone.score.score and agreed.score.scored_by == "judge-1 + rules"


async def test_no_model_is_an_error_at_once_for_the_caller_to_keep_the_rules():
    with pytest.raises(LlmUnavailableError):
        await ask_model_relevance(LlmClient(), QUESTION, "en", ANSWER)
