"""The judge client against a scripted local chat-completions server (the double for replies a real model cannot be
made to give): schema violations refused and retried, transient failures retried, the time budget, the content
cache; and the server's language-model states (the real engine: tests/test_llm_engine.py)."""

from __future__ import annotations

import asyncio
import json
from typing import Literal

import pytest
from pydantic import BaseModel, Field, ValidationError

from analyzers.llm_client import (
    LlmClient,
    LlmEndpoint,
    LlmReplyError,
    LlmTimeoutError,
    LlmUnavailableError,
    schema_format,
)
from analyzers.model_registry import ModelManager
from server.platform.language_model import LanguageModel
from server.platform.settings import Settings
from tests.fake_openai import FakeOpenAI

pytestmark = pytest.mark.unit


class Verdict(BaseModel):
    level: Literal[1, 2, 3, 4, 5]
    quote: str = Field(max_length=80)


GOOD = json.dumps({"level": 4, "quote": "latency dropped"})
MESSAGES = [{"role": "system", "content": "Score the answer."}, {"role": "user", "content": "latency dropped"}]


def client_for(srv: FakeOpenAI, **kw) -> LlmClient:
    return LlmClient(LlmEndpoint(srv.base_url, "judge", "sk-x"), **kw)


async def test_valid_reply_is_parsed_and_the_request_carries_the_schema(fake_openai):
    fake_openai.reply_content = GOOD
    answer = await client_for(fake_openai).ask(MESSAGES, Verdict)
    assert answer.value == Verdict(level=4, quote="latency dropped") and answer.model == "judge"
    assert (answer.cached, answer.attempts) == (False, 1)
    req = fake_openai.requests[0]
    assert req["response_format"] == schema_format(Verdict) and req["messages"] == MESSAGES
    assert req["response_format"]["json_schema"]["schema"]["properties"]["level"]["enum"] == [1, 2, 3, 4, 5]
    assert req["temperature"] == 0.0 and req["cache_prompt"] is True
    assert fake_openai.headers[0]["Authorization"] == "Bearer sk-x"


async def test_schema_violating_reply_is_refused_and_retried_at_a_higher_temperature(fake_openai):
    fake_openai.scripted = [json.dumps({"level": 9, "quote": "x"}), "not json at all"]
    fake_openai.reply_content = GOOD
    answer = await client_for(fake_openai).ask(MESSAGES, Verdict)
    assert answer.value.level == 4 and answer.attempts == 3
    assert [r["temperature"] for r in fake_openai.requests] == [0.0, 0.7, 0.7]


async def test_reply_that_never_fits_the_schema_is_an_error_after_the_attempts(fake_openai):
    fake_openai.reply_content = json.dumps({"level": "five"})
    with pytest.raises(LlmReplyError, match="schema.*after 3 attempts"):
        await client_for(fake_openai).ask(MESSAGES, Verdict)
    assert len(fake_openai.requests) == 3


async def test_caller_check_refuses_a_valid_reply_and_asks_again(fake_openai):
    fake_openai.scripted = [json.dumps({"level": 3, "quote": "words never said"})]
    fake_openai.reply_content = GOOD

    def quote_is_in_answer(v: Verdict) -> None:
        if v.quote not in MESSAGES[1]["content"]:
            raise ValueError("quote is not verbatim")

    answer = await client_for(fake_openai).ask(MESSAGES, Verdict, check=quote_is_in_answer)
    assert answer.value.quote == "latency dropped" and answer.attempts == 2


async def test_server_errors_are_retried_client_errors_are_not(fake_openai):
    fake_openai.mode = "http500"
    with pytest.raises(LlmReplyError, match="HTTP 500"):
        await client_for(fake_openai, attempts=2).ask(MESSAGES, Verdict)
    assert len(fake_openai.requests) == 2
    srv_404 = LlmClient(LlmEndpoint(fake_openai.base_url + "/nothing", "judge"))
    with pytest.raises(LlmReplyError, match="HTTP 404"):
        await srv_404.ask(MESSAGES, Verdict)


async def test_slow_engine_runs_out_of_the_budget(fake_openai):
    fake_openai.mode = "slow"  # 3 s
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    with pytest.raises(LlmTimeoutError):
        await client_for(fake_openai, timeout_s=5).ask(MESSAGES, Verdict, timeout_s=0.3)
    assert loop.time() - t0 < 1.0


async def test_engine_down_is_an_error_within_the_budget():
    dead = LlmClient(LlmEndpoint("http://127.0.0.1:9/v1", "judge"), timeout_s=2)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    with pytest.raises(LlmReplyError, match="Connect"):
        await dead.ask(MESSAGES, Verdict)
    assert loop.time() - t0 < 2.0


async def test_no_endpoint_is_unavailable_at_once():
    client = LlmClient()
    assert not client.ready
    with pytest.raises(LlmUnavailableError, match="no language-model endpoint"):
        await client.ask(MESSAGES, Verdict)


async def test_replies_are_cached_by_content_in_a_bounded_lru(fake_openai):
    fake_openai.reply_content = GOOD
    client = client_for(fake_openai, cache_size=1)
    first = await client.ask(MESSAGES, Verdict)
    again = await client.ask(MESSAGES, Verdict)
    assert again.cached and again.value == first.value and len(fake_openai.requests) == 1
    again.value.quote = "changed by the caller"
    assert (await client.ask(MESSAGES, Verdict)).value.quote == "latency dropped"
    other = [MESSAGES[0], {"role": "user", "content": "something else"}]
    await client.ask(other, Verdict)  # evicts the first
    assert not (await client.ask(MESSAGES, Verdict)).cached and len(fake_openai.requests) == 3


async def test_an_early_ask_is_joined_and_outlives_a_deadline_that_passed(fake_openai):
    fake_openai.mode = "slow"  # 3 s
    fake_openai.reply_content = GOOD
    client = client_for(fake_openai)
    early = asyncio.create_task(client.ask(MESSAGES, Verdict, timeout_s=6))  # at a pause, on the words so far
    await asyncio.sleep(0.1)
    with pytest.raises(LlmTimeoutError):  # the answer ended; the decision waits only a small budget
        await client.ask(MESSAGES, Verdict, timeout_s=0.2)
    assert (await early).value.level == 4
    assert (await client.ask(MESSAGES, Verdict)).cached and len(fake_openai.requests) == 1


def test_key_is_not_in_the_repr():
    assert "sk-secret" not in repr(LlmClient(LlmEndpoint("http://x/v1", "m", "sk-secret")))


def _settings(tmp_path, **kw) -> Settings:
    return Settings(data_dir=tmp_path, secret_key="test-secret-" + "x" * 32, **kw)


async def test_language_model_off_external_and_failed_embedded(tmp_path):
    off = LanguageModel(_settings(tmp_path, llm_engine="off"), ModelManager(tmp_path))
    await off.start()
    assert off.status()["decides"] == "rules" and off.status()["state"] == "off" and not off.client.ready

    ext = LanguageModel(_settings(tmp_path, llm_engine="http://127.0.0.1:11434/v1", llm_model="qwen2.5:1.5b"),
                        ModelManager(tmp_path))
    assert ext.status() == {"state": "ready", "engine": "external", "model": "qwen2.5:1.5b", "decides": "model",
                            "error": None}
    assert ext.client.endpoint == LlmEndpoint("http://127.0.0.1:11434/v1", "qwen2.5:1.5b")

    broken = LanguageModel(_settings(tmp_path, llm_engine="embedded", llm_model="no-such-model"), ModelManager(tmp_path))
    await broken.start()
    assert broken.status()["state"] == "starting" and broken.status()["decides"] == "rules"
    assert not await broken.wait_ready()
    assert broken.status()["state"] == "failed" and "no-such-model" in broken.status()["error"]
    with pytest.raises(LlmUnavailableError, match="did not start"):
        await broken.client.ask(MESSAGES, Verdict)
    await broken.stop()


def test_llm_engine_setting_is_embedded_off_or_a_url():
    assert Settings().llm_engine == "embedded"
    with pytest.raises(ValidationError):
        Settings(llm_engine="ollama")


async def test_yes_odds_reads_the_first_token_and_asks_for_one_token(fake_openai):
    fake_openai.first_token_odds = [{"Yes": 0.6, " yes": 0.1, "No": 0.2, "The": 0.1}]
    answer = await client_for(fake_openai).yes_odds(MESSAGES)
    assert answer.value.p_yes == pytest.approx(0.7 / 0.9)  # "Yes" and " yes" are one answer; "The" is neither
    assert answer.value.seen == pytest.approx(0.9)
    sent = fake_openai.requests[-1]
    assert sent["max_tokens"] == 1 and sent["logprobs"] is True and "response_format" not in sent


async def test_yes_odds_in_chinese_and_a_reply_that_is_neither(fake_openai):
    fake_openai.first_token_odds = [{"是": 0.2, "否": 0.6}, {"嗯": 0.9, "好": 0.1}]
    client = client_for(fake_openai)
    assert (await client.yes_odds(MESSAGES)).value.p_yes == pytest.approx(0.25)
    with pytest.raises(LlmReplyError, match="neither yes nor no"):
        await client.yes_odds([*MESSAGES, {"role": "user", "content": "again"}])
    assert len(fake_openai.requests) == 2  # the same question would get the same first token: not asked again


async def test_yes_odds_without_logprobs_in_the_reply_is_an_error(fake_openai):
    fake_openai.reply_content = "Yes"  # an engine that ignores logprobs
    with pytest.raises(LlmReplyError):
        await client_for(fake_openai, attempts=2).yes_odds(MESSAGES)
