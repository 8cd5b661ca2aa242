"""The real embedded engine (llama.cpp's server with the Qwen2.5-Coder-1.5B GGUF, both installed by
scripts/setup.sh), started the way the server starts it. Few real-model calls: each takes seconds on 2 cores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import aiohttp
import psutil
import pytest
import pytest_asyncio
from pydantic import BaseModel, Field

from analyzers.llm_client import LlmEndpoint, LlmTimeoutError
from analyzers.model_registry import JUDGE_MODEL_ID, ModelManager
from dialogue.candidate_quotes import is_verbatim
from server.platform.language_model import LanguageModel
from server.platform.settings import Settings
from tests.harness import running_server, until

pytestmark = [pytest.mark.models, pytest.mark.asyncio(loop_scope="module")]

QUESTION = "Tell me about a time you made a slow system faster."
ANSWER = ("Our checkout API was timing out at peak. I profiled it, found an N+1 query, and added a cache in front "
          "of the price service. Latency dropped from 800 ms to 120 ms and timeouts stopped.")


class RubricScore(BaseModel):
    level: Literal[1, 2, 3, 4, 5]
    quote: str = Field(max_length=120, description="words copied exactly from the answer")
    missing: list[Annotated[str, Field(max_length=60)]] = Field(max_length=2)


def rubric_messages(answer: str) -> list[dict]:
    return [
        {"role": "system", "content": "You score job-interview answers on a 1-5 scale: 1 off-topic, 3 a general "
         "account, 5 a specific personal story with a measured result. As evidence, copy 3 to 8 consecutive words "
         "of the answer character for character (same spelling, spacing and numbers). Reply with JSON."},
        {"role": "user", "content": f"Question: {QUESTION}\nAnswer: {answer}"},
    ]


def quote_in(answer: str):
    def check(score: RubricScore) -> None:
        if not is_verbatim(score.quote, answer):
            raise ValueError("the quote is not in the answer")
    return check


@dataclass
class Started:
    language_model: LanguageModel
    status_at_start: dict


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def started(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("llm"), llm_engine="embedded", llm_timeout_s=60,
                        secret_key="test-secret-" + "x" * 32)
    lm = LanguageModel(settings, ModelManager(Settings().resolved_model_cache_dir))  # the cache set-up filled
    await lm.start()
    at_start = lm.status()
    assert await lm.wait_ready(), lm.status()
    try:
        yield Started(lm, at_start)
    finally:
        await lm.stop()


async def test_rules_decide_until_the_engine_is_ready(started):
    assert started.status_at_start == {"state": "starting", "engine": "embedded", "model": JUDGE_MODEL_ID,
                                       "decides": "rules", "error": None}
    assert started.language_model.status()["decides"] == "model"


async def test_engine_runs_niced_on_loopback_only(started):
    engine = started.language_model.engine
    proc = psutil.Process(engine.pid)
    assert proc.nice() >= 10 and engine.status()["threads"] == 2
    listening = [c.laddr for c in proc.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    assert listening and all(addr.ip == "127.0.0.1" for addr in listening)
    assert engine.endpoint == LlmEndpoint(f"http://127.0.0.1:{engine.port}/v1", JUDGE_MODEL_ID)


async def test_real_model_gives_schema_valid_json_with_a_verbatim_quote(started):
    client = started.language_model.client
    answer = await client.ask(rubric_messages(ANSWER), RubricScore, check=quote_in(ANSWER))
    assert isinstance(answer.value, RubricScore) and answer.model == JUDGE_MODEL_ID and not answer.cached
    assert is_verbatim(answer.value.quote, ANSWER) and answer.value.level >= 3
    again = await client.ask(rubric_messages(ANSWER), RubricScore, check=quote_in(ANSWER))
    assert again.cached and again.value == answer.value  # from the cache, not the engine


async def test_a_slow_reply_times_out_and_the_engine_keeps_serving(started):
    client = started.language_model.client
    other = ANSWER.replace("checkout", "search")
    with pytest.raises(LlmTimeoutError):
        await client.ask(rubric_messages(other), RubricScore, timeout_s=0.2)
    assert started.language_model.engine.status()["state"] == "ready"


async def test_the_server_says_the_rules_decide_until_its_engine_is_ready(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path, llm_engine="embedded",
                              model_cache_dir=Settings().resolved_model_cache_dir) as h:
        async with aiohttp.ClientSession(h.base_url) as http:
            async def language_model() -> dict:
                async with http.get("/api/v1/health") as r:
                    return (await r.json())["language_model"]

            first = await language_model()
            assert first["engine"] == "embedded" and first["model"] == JUDGE_MODEL_ID
            assert first["state"] == "ready" or first["decides"] == "rules"
            ready = await until(lambda: _ready(language_model), timeout=60, what="engine ready")
            assert ready["decides"] == "model"
            assert h.ctx.language_model.client.ready  # the live interviews' judge (LiveInterviewDeps.judge)
    assert h.ctx.language_model.engine.pid is None  # stopped with the server


async def _ready(read) -> dict | None:
    status = await read()
    assert status["state"] != "failed", status
    return status if status["state"] == "ready" else None


OFF_TOPIC = ("Last year I ran our team's move to a new office. I booked the movers, labelled every desk and had the "
             "network up by Monday morning, so nobody lost a working day.")


async def test_real_model_tells_an_answer_from_a_story_about_something_else(started):
    from dialogue.model_relevance import ask_model_relevance

    client = started.language_model.client
    on = await ask_model_relevance(client, QUESTION, "en", ANSWER, timeout_s=60)
    off = await ask_model_relevance(client, QUESTION, "en", OFF_TOPIC, timeout_s=60)
    assert 0 < on.p_question < 1 and all(0 < p < 1 for p in off.p_controls)
    # The office move fits some control question better than the answer does (the 1.5B model is not always sure
    # enough to call it off-topic: the contrast only decides at twice the odds), and the answer is not off-topic.
    assert off.control_odds_ratio > on.control_odds_ratio
    assert not on.off_topic


CONFLICT = "Tell me about a time you disagreed with your manager about how a piece of work should be done."
CONFLICT_ANSWER = ("My head chef wanted to prep all the sauces the night before to save time. I thought the cream "
                   "sauces would split and told him so, but he didn't agree at first. So I suggested we test it for one "
                   "week, half the batches overnight and half fresh, and I kept a sheet of how many we threw away. The "
                   "overnight ones were binned twice as often, and we went back to fresh prep for the cream sauces.")


async def test_real_model_does_not_call_an_answer_off_topic_for_a_control_of_the_same_kind(started):
    from dialogue.model_relevance import CONTROL_QUESTIONS, ask_model_relevance

    conflict_control = CONTROL_QUESTIONS["en"].index("Tell me about a disagreement or conflict with a colleague.")
    rel = await ask_model_relevance(started.language_model.client, CONFLICT, "en", CONFLICT_ANSWER, timeout_s=90)
    # The question asked is the more specific one of the same kind: the answer fits it at least about as well.
    assert rel.p_controls[conflict_control] < rel.p_question + 0.05
    assert not rel.off_topic
