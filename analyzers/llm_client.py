"""The one client for language-model judgements: any OpenAI-compatible chat-completions endpoint (the embedded
llama.cpp server, Ollama, vLLM, a cloud API), asked for JSON constrained by a pydantic model's schema.

``await client.ask(messages, Model)`` returns a validated ``Model`` instance (in an ``LlmAnswer`` that says which
model answered, whether it came from the cache, and how long it took); ``await client.yes_odds(messages)`` returns
the model's probability of "yes" to a yes/no question, read from the log-probabilities of its first reply token
(one generated token: fast, and graded rather than a bare yes or no). Both raise an ``LlmError``:

* ``LlmUnavailableError``: no endpoint yet (the embedded engine is still starting) or it is off;
* ``LlmTimeoutError``: the call's time budget ran out (one budget for all attempts);
* ``LlmReplyError``: every attempt failed (HTTP errors, replies that are not JSON or violate the schema, or that
  the caller's ``check`` refused).

Asking early is free: a call with the same content as one in flight joins it instead of asking twice, and a call
whose asker stopped waiting still finishes (within its own budget) into the cache. So the live path can ask at a
pause in the answer, on the words so far, and ask again at the answer's end: if the words did not change, the
second ask gets the first one's reply (or waits for it).

A reply that violates the schema, or a transient failure (connection refused or reset, HTTP 429/5xx), is retried
(tenacity) within the budget. Good replies are cached by content: the SHA-256 of endpoint model, messages, schema
and sampling settings, in a bounded LRU, so the same question about the same words is answered once. All I/O is
aiohttp on the running loop; nothing here blocks it (the model runs in its own process).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from analyzers.metrics import LLM_CALL_SECONDS, LLM_CALLS

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)

DEFAULT_ATTEMPTS = 3
DEFAULT_CACHE_SIZE = 512
DEFAULT_TIMEOUT_S = 4.0
"""A call's time budget, all attempts together, unless the caller gives one (the server's ``llm_timeout_s``)."""


class LlmError(RuntimeError):
    """No usable judgement from the language model; callers fall back to the rules."""


class LlmUnavailableError(LlmError):
    pass


class LlmTimeoutError(LlmError):
    pass


class LlmReplyError(LlmError):
    """The endpoint answered, but not with a usable reply."""


class _Retryable(Exception):
    """One attempt failed in a way another attempt may not (schema violation, transient HTTP failure)."""


@dataclass(frozen=True)
class LlmEndpoint:
    """Where the model is served: an OpenAI-compatible base URL (ending before ``/chat/completions``)."""

    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class LlmAnswer(Generic[T]):
    value: T
    model: str
    cached: bool
    seconds: float
    attempts: int


class YesOdds(BaseModel):
    """The model's first-token probabilities for a yes/no question, normalised over the yes and no tokens."""

    p_yes: float
    seen: float
    """How much of the first token's probability fell on yes or no tokens at all (low: the model wanted to say
    something else, so ``p_yes`` means little)."""


YES_TOKENS = frozenset({"yes", "是", "是的", "对"})
NO_TOKENS = frozenset({"no", "否", "不", "不是"})


def yes_odds_of(reply: object) -> YesOdds:
    """``YesOdds`` from a chat completion asked with ``logprobs`` (OpenAI's format, which llama.cpp, vLLM and
    Ollama follow): the top alternatives of the first token, case and spacing ignored."""
    try:
        first = reply["choices"][0]["logprobs"]["content"][0]  # type: ignore[index]
        alternatives = [(str(t["token"]).strip().lower(), math.exp(float(t["logprob"])))
                        for t in first["top_logprobs"]]
    except (KeyError, IndexError, TypeError, ValueError) as e:
        raise _Retryable("reply has no first-token log-probabilities") from e
    yes = sum(p for token, p in alternatives if token in YES_TOKENS)
    no = sum(p for token, p in alternatives if token in NO_TOKENS)
    if yes + no <= 0:  # the same question would get the same first token: not retried
        raise LlmReplyError("the model's first token is neither yes nor no")
    return YesOdds(p_yes=yes / (yes + no), seen=min(1.0, yes + no))


def schema_format(schema: type[BaseModel]) -> dict:
    """The ``response_format`` that constrains a reply to ``schema`` (llama.cpp turns it into a grammar)."""
    return {"type": "json_schema",
            "json_schema": {"name": schema.__name__, "strict": True, "schema": schema.model_json_schema()}}


def reply_content(reply: object) -> str:
    """The assistant's text in a chat completion (a code fence around JSON is tolerated)."""
    try:
        choice = reply["choices"][0]  # type: ignore[index]
        content = choice["message"]["content"]
    except (KeyError, IndexError, TypeError) as e:
        raise _Retryable("reply is not a chat completion") from e
    if choice.get("finish_reason") == "length":
        raise _Retryable("reply was cut off at max_tokens (bound the schema's strings and lists)")
    if not isinstance(content, str):
        raise _Retryable("message content is not text")
    content = content.strip()
    fence = re.match(r"^```(?:json)?\s*(.*?)\s*```$", content, re.S)
    return fence.group(1) if fence else content


class LlmClient:
    """Async OpenAI-compatible chat client with schema-constrained output, retries, a time budget and a cache.

    ``endpoint`` may be set later (``client.endpoint = ...``) when an engine becomes ready; until then calls
    raise ``LlmUnavailableError`` at once, so callers use their rules without waiting."""

    def __init__(
        self,
        endpoint: LlmEndpoint | None = None,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        attempts: int = DEFAULT_ATTEMPTS,
        cache_size: int = DEFAULT_CACHE_SIZE,
        temperature: float = 0.0,
        retry_temperature: float = 0.7,
        max_tokens: int = 512,
    ) -> None:
        """``retry_temperature``: sampling temperature of a second or later attempt (at a low temperature the
        model would repeat the reply that was just refused)."""
        self.endpoint = endpoint
        self.timeout_s = float(timeout_s)
        self.attempts = max(1, attempts)
        self.cache_size = cache_size
        self.temperature = temperature
        self.retry_temperature = retry_temperature
        self.max_tokens = max_tokens
        self.unavailable_reason = "no language-model endpoint configured"
        self._cache: OrderedDict[str, BaseModel] = OrderedDict()
        self._inflight: dict[str, asyncio.Future] = {}

    def __repr__(self) -> str:  # the endpoint's repr leaves the key out
        return f"LlmClient({self.endpoint!r}, timeout_s={self.timeout_s})"

    @property
    def ready(self) -> bool:
        return self.endpoint is not None

    @property
    def model(self) -> str | None:
        return self.endpoint.model if self.endpoint else None

    async def ask(
        self,
        messages: list[dict],
        schema: type[T],
        *,
        timeout_s: float | None = None,
        check: Callable[[T], None] | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> LlmAnswer[T]:
        """The model's reply to ``messages`` as a validated ``schema`` instance.

        ``check`` may refuse a schema-valid reply by raising ``ValueError`` (e.g. a quote that is not in the
        answer); that counts as a violation and is retried. Put what stays the same across calls (rubric,
        instructions) first in ``messages``: the engine reuses the cached prefix."""
        endpoint = self.endpoint
        if endpoint is None:
            LLM_CALLS.labels("ask", "unavailable").inc()
            raise LlmUnavailableError(self.unavailable_reason)
        body = {
            "model": endpoint.model,
            "messages": messages,
            "temperature": self.temperature if temperature is None else temperature,
            "max_tokens": max_tokens or self.max_tokens,
            "response_format": schema_format(schema),
            "cache_prompt": True,  # llama.cpp: reuse the KV cache of a shared prefix; others ignore it
        }

        def parse(reply: object) -> T:
            try:
                value = schema.model_validate_json(reply_content(reply))
            except ValidationError as e:
                raise _Retryable(f"reply violates the schema: {e.errors()[0]['msg']}") from e
            if check is not None:
                try:
                    check(value)
                except ValueError as e:
                    raise _Retryable(f"reply refused: {e}") from e
            return value

        return await self._asked(endpoint, body, parse, timeout_s)

    async def yes_odds(self, messages: list[dict], *, timeout_s: float | None = None,
                       top_alternatives: int = 10) -> LlmAnswer[YesOdds]:
        """The model's probability of answering "yes" to the yes/no question in ``messages`` (one generated token;
        put what stays the same first, as for ``ask``). Needs an endpoint that returns log-probabilities."""
        endpoint = self.endpoint
        if endpoint is None:
            LLM_CALLS.labels("yes_odds", "unavailable").inc()
            raise LlmUnavailableError(self.unavailable_reason)
        body = {"model": endpoint.model, "messages": messages, "temperature": 0.0, "max_tokens": 1,
                "logprobs": True, "top_logprobs": top_alternatives, "cache_prompt": True}
        return await self._asked(endpoint, body, yes_odds_of, timeout_s, call="yes_odds")

    async def _asked(self, endpoint: LlmEndpoint, body: dict, parse: Callable[[object], T],
                     timeout_s: float | None, call: str = "ask") -> LlmAnswer[T]:
        """The cached reply to ``body``, or the reply of the call already in flight for it, or a new call; counted
        by outcome (``call``: the metrics' name of the kind of call)."""
        key = self._key(endpoint, body)
        t0 = time.perf_counter()
        if (hit := self._cache.get(key)) is not None:
            self._cache.move_to_end(key)
            value = hit.model_copy(deep=True)  # callers may change what they get
            LLM_CALLS.labels(call, "cached").inc()
            return LlmAnswer(value, endpoint.model, True, time.perf_counter() - t0, 0)  # type: ignore[arg-type]
        try:
            answer = await self._joined(endpoint, body, parse, timeout_s, key, t0)
        except LlmTimeoutError:
            LLM_CALLS.labels(call, "timeout").inc()
            raise
        except LlmError:
            LLM_CALLS.labels(call, "failed").inc()
            raise
        LLM_CALLS.labels(call, "answered").inc()
        LLM_CALL_SECONDS.labels(call).observe(answer.seconds)
        return answer

    async def _joined(self, endpoint: LlmEndpoint, body: dict, parse: Callable[[object], T],
                      timeout_s: float | None, key: str, t0: float) -> LlmAnswer[T]:
        """The reply of the call in flight for ``key`` (started here if there is none), within the budget."""
        budget = self.timeout_s if timeout_s is None else timeout_s
        call = self._inflight.get(key)
        if call is None:  # the first asker starts the call; a second asker with the same content joins it
            call = asyncio.ensure_future(self._call(endpoint, body, parse, budget))
            self._inflight[key] = call
            call.add_done_callback(lambda done: self._finished(key, done))
        try:
            async with asyncio.timeout(budget):
                value, attempts = await asyncio.shield(call)  # an asker giving up does not cancel the call
        except TimeoutError:
            raise LlmTimeoutError(f"no reply from {endpoint.model} within {budget:.1f} s") from None
        return LlmAnswer(value.model_copy(deep=True), endpoint.model, False, time.perf_counter() - t0, attempts)

    async def _call(self, endpoint: LlmEndpoint, body: dict, parse: Callable[[object], T],
                    budget: float) -> tuple[T, int]:
        """One call with its retries, within ``budget``: (the parsed reply, attempts). ``parse`` raises
        ``_Retryable`` for a reply another attempt may improve on."""
        attempts = 0

        async def attempt() -> T:
            nonlocal attempts
            attempts += 1
            sent = body if attempts == 1 else {**body, "temperature": max(body["temperature"], self.retry_temperature)}
            return parse(await self._post(endpoint, sent, budget))

        async with asyncio.timeout(budget):
            try:
                return await self._retrying(attempt), attempts
            except _Retryable as e:
                raise LlmReplyError(f"{endpoint.model}: {e} (after {attempts} attempts)") from e

    def _finished(self, key: str, call: asyncio.Future) -> None:
        self._inflight.pop(key, None)
        if call.cancelled():
            return
        if call.exception() is None:  # also marks a failure of a call nobody waits for any more as seen
            self._remember(key, call.result()[0])

    async def _retrying(self, attempt: Callable[[], object]):
        retrying = AsyncRetrying(retry=retry_if_exception_type(_Retryable), stop=stop_after_attempt(self.attempts),
                                 wait=wait_exponential(multiplier=0.05, max=0.5), reraise=True)
        async for trial in retrying:
            with trial:
                result = await attempt()  # type: ignore[misc]
        return result

    async def _post(self, endpoint: LlmEndpoint, body: dict, budget: float) -> object:
        import aiohttp

        headers = {"Content-Type": "application/json"}
        if endpoint.api_key:
            headers["Authorization"] = f"Bearer {endpoint.api_key}"
        url = f"{endpoint.base_url.rstrip('/')}/chat/completions"
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=budget)) as http:
                async with http.post(url, json=body, headers=headers) as resp:
                    if resp.status == 429 or resp.status >= 500:
                        raise _Retryable(f"HTTP {resp.status}: {(await resp.text())[:200]}")
                    if resp.status != 200:
                        raise LlmReplyError(f"HTTP {resp.status}: {(await resp.text())[:200]}")
                    try:
                        return await resp.json(content_type=None)
                    except json.JSONDecodeError as e:
                        raise _Retryable("reply body is not JSON") from e
        except aiohttp.ClientConnectionError as e:
            raise _Retryable(f"{type(e).__name__}: {e}") from e

    @staticmethod
    def _key(endpoint: LlmEndpoint, body: dict) -> str:
        text = json.dumps([endpoint.base_url, body], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def _remember(self, key: str, value: BaseModel) -> None:
        if self.cache_size <= 0:
            return
        self._cache[key] = value
        self._cache.move_to_end(key)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
