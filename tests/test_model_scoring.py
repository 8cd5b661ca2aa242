"""The model's judgement of one answer: the reply parsed against the question's rubric, quotes that are not the
candidate's words refused and asked again, errors left to the caller (against the scripted server); and the real
embedded engine scoring a strong answer above an off-topic one (two real calls)."""

from __future__ import annotations

import json

import pytest
import pytest_asyncio

from analyzers.llm_client import (
    LlmClient,
    LlmEndpoint,
    LlmReplyError,
    LlmTimeoutError,
    LlmUnavailableError,
)
from analyzers.llm_engine import start_embedded_engine
from analyzers.model_registry import JUDGE_MODEL_ID, ModelManager
from dialogue.candidate_quotes import exact_span, is_verbatim
from dialogue.model_scoring import ModelJudgement, ask_model_judgement, judgement_messages
from dialogue.plan import PlanQuestionSpec
from server.platform.settings import Settings

QUESTION = PlanQuestionSpec(
    id="speed", competency="Problem solving",
    text={"en": "Tell me about a time you made a slow system faster.", "zh": "请讲一次你让慢系统变快的经历。"},
    expected_points={"en": ["How the bottleneck was found", "What was changed", "The measured effect"]},
    rubric=[{"score": 1, "description": {"en": "Off-topic or no example"}},
            {"score": 3, "description": {"en": "A real case, but vague about the effect"}},
            {"score": 5, "description": {"en": "A specific case, own actions, a measured improvement"}}])
STRONG = ("Our checkout API was timing out at peak. I profiled it, found an N+1 query, and added a cache in front "
          "of the price service. Latency dropped from 800 ms to 120 ms and timeouts stopped.")
OFF_TOPIC = ("I really enjoy hiking at the weekend. Last month my family and I walked along the coast, and the "
             "weather was lovely the whole time, so we had a picnic near the lighthouse.")


def reply(**changes) -> str:
    base = {"quotes": ["latency dropped from 800 ms to 120 ms"], "specific": True, "mine": True, "outcome": True,
            "measured": True, "points": [1, 3, 9], "missing": "",
            "level": 5, "next_move": "none"}
    return json.dumps({**base, **changes})


def client_for(srv) -> LlmClient:
    return LlmClient(LlmEndpoint(srv.base_url, "judge"), timeout_s=5)


@pytest.mark.unit
def test_instructions_and_rubric_come_first_and_the_answer_last():
    first, last = judgement_messages(QUESTION, "en", STRONG)
    assert first["role"] == "system" and "5: A specific case, own actions" in first["content"]
    assert "3. The measured effect" in first["content"] and STRONG not in first["content"]
    assert last == {"role": "user", "content": f"Answer:\n{STRONG}"}
    other = judgement_messages(QUESTION, "en", OFF_TOPIC)
    assert other[0] == first  # the same prefix for every answer to the question


@pytest.mark.unit
def test_exact_span_gives_the_answer_own_case_and_spacing():
    assert exact_span("LATENCY  dropped", STRONG) == "Latency dropped"
    assert exact_span("I profiled it … timeouts stopped.", STRONG) == "I profiled it … timeouts stopped"
    assert exact_span("latency doubled", STRONG) is None
    assert exact_span("延迟从800毫秒降到120毫秒,超时消失", "我加了缓存，延迟从800毫秒降到120毫秒，超时消失了。") == \
        "延迟从800毫秒降到120毫秒，超时消失"


@pytest.mark.unit
async def test_chinese_quotes_are_capped_shorter(fake_openai):
    answer = "我加了缓存，延迟从800毫秒降到120毫秒，超时消失了。"
    fake_openai.reply_content = reply(quotes=["延迟从800毫秒降到120毫秒"])
    j = await ask_model_judgement(client_for(fake_openai), QUESTION, "zh", answer)
    assert j.quotes == ("延迟从800毫秒降到120毫秒",)
    schema = fake_openai.requests[0]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["quotes"]["items"]["maxLength"] == 24


@pytest.mark.unit
async def test_reply_is_parsed_into_a_typed_judgement(fake_openai):
    fake_openai.reply_content = reply(quotes=["LATENCY dropped from 800 ms to 120 ms", "I profiled it"])
    j = await ask_model_judgement(client_for(fake_openai), QUESTION, "en", STRONG)
    assert j == ModelJudgement(level=5, covered_points=("How the bottleneck was found", "The measured effect"),
                               example_specific=True, outcome_stated=True, outcome_measured=True,
                               own_actions_clear=True,
                               quotes=("Latency dropped from 800 ms to 120 ms", "I profiled it"), missing="",
                               next_move="none", model="judge", seconds=j.seconds, cached=False)
    schema = fake_openai.requests[0]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["quotes"]["maxItems"] == 2
    assert schema["properties"]["next_move"]["enum"] == ["none", "ask_example", "ask_result", "ask_personal_role",
                                                         "clarify"]


@pytest.mark.unit
async def test_a_five_without_a_measured_outcome_is_a_four(fake_openai):
    fake_openai.reply_content = reply(measured=False, next_move="ask_result")
    j = await ask_model_judgement(client_for(fake_openai), QUESTION, "en", STRONG)
    assert (j.level, j.next_move) == (4, "ask_result")


@pytest.mark.unit
async def test_a_quote_that_is_not_the_candidates_words_is_refused_and_asked_again(fake_openai):
    fake_openai.scripted = [reply(quotes=["latency fell by 85 percent"])]
    fake_openai.reply_content = reply()
    j = await ask_model_judgement(client_for(fake_openai), QUESTION, "en", STRONG)
    assert len(fake_openai.requests) == 2 and all(is_verbatim(q, STRONG) for q in j.quotes)


@pytest.mark.unit
async def test_errors_reach_the_caller_for_the_rules_to_score(fake_openai):
    fake_openai.reply_content = reply(quotes=["words the candidate never said"])
    with pytest.raises(LlmReplyError, match="not the candidate's words"):
        await ask_model_judgement(client_for(fake_openai), QUESTION, "en", STRONG)
    fake_openai.reply_content = reply(level=7)
    with pytest.raises(LlmReplyError, match="schema"):
        await ask_model_judgement(client_for(fake_openai), QUESTION, "en", STRONG)
    fake_openai.mode = "slow"
    with pytest.raises(LlmTimeoutError):
        await ask_model_judgement(client_for(fake_openai), QUESTION, "en", STRONG, timeout_s=0.3)
    with pytest.raises(LlmUnavailableError):
        await ask_model_judgement(LlmClient(), QUESTION, "en", STRONG)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def real_client():
    engine = await start_embedded_engine(ModelManager(Settings().resolved_model_cache_dir), JUDGE_MODEL_ID)
    try:
        yield LlmClient(engine.endpoint, timeout_s=90)
    finally:
        await engine.stop()


@pytest.mark.models
@pytest.mark.asyncio(loop_scope="module")
async def test_real_model_scores_a_strong_answer_above_an_off_topic_one(real_client):
    strong = await ask_model_judgement(real_client, QUESTION, "en", STRONG)
    off = await ask_model_judgement(real_client, QUESTION, "en", OFF_TOPIC)
    assert strong.model == JUDGE_MODEL_ID and strong.level > off.level and strong.level >= 4
    assert all(is_verbatim(q, STRONG) for q in strong.quotes)
