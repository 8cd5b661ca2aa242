"""Follow-up decisions from a language model: any OpenAI-compatible chat-completions endpoint (llama.cpp's server,
Ollama, vLLM, a cloud API) asked for a JSON decision, validated against the answer, with the rule-based policy
(``dialogue.followup.RuleBasedPolicy``) as the fallback on any error, timeout or invalid reply."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import replace
from typing import Any

from analyzers.text.script import has_han, mostly_han
from dialogue.candidate_quotes import is_verbatim
from dialogue.followup import AnswerContext, FollowUpDecision, RuleBasedPolicy

log = logging.getLogger(__name__)

_SYSTEM_PROMPT = """You are the follow-up planner of a structured job interview. After each answer you choose ONE of:
- "followup": one short probe for one of the allowed triggers, quoting the candidate's own words;
- "clarify": the answer does not address the question; ask once to clarify (repeat the question);
- "next": the answer is sufficient, move on.
Rules: be neutral and polite; never judge, praise or criticise the candidate; never mention emotions,
personality, appearance, age, gender, health, family or any protected attribute; ask about one thing only.
Write "text" in the interview language ({language_name}). "quote" must be copied verbatim from the answer
(at most 12 words or 20 Chinese characters). Reply with a JSON object only:
{{"kind": "followup"|"clarify"|"next", "trigger": <one of the allowed triggers, or "clarify", or null>,
"text": <what to say, empty for next>, "quote": <verbatim words from the answer, or "">,
"reason": <one sentence for the HR reviewer>}}"""


class LLMReplyError(ValueError):
    pass


class OpenAICompatiblePolicy:
    """Follow-up decisions from an OpenAI-compatible chat completions endpoint, validated, with the rule-based
    policy as fallback on any error, timeout or invalid reply. Off by default (the server wires it from
    settings). Use ``await adecide(ctx)`` from async code; ``decide(ctx)`` runs the request in a private event
    loop and must not be called from a running loop."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        model: str,
        timeout_s: float = 6.0,
        fallback: RuleBasedPolicy | None = None,
        *,
        temperature: float = 0.2,
        json_mode: bool = True,
        max_text_chars: int = 400,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.timeout_s = float(timeout_s)
        self.fallback = fallback or RuleBasedPolicy()
        self.temperature = temperature
        self.json_mode = json_mode
        self.max_text_chars = max_text_chars

    def __repr__(self) -> str:  # never print the key
        return f"OpenAICompatiblePolicy(base_url={self.base_url!r}, model={self.model!r}, timeout_s={self.timeout_s})"

    def decide(self, ctx: AnswerContext) -> FollowUpDecision:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.adecide(ctx))
        raise RuntimeError("OpenAICompatiblePolicy.decide() called inside a running event loop; use 'await adecide()'")

    async def adecide(self, ctx: AnswerContext) -> FollowUpDecision:
        rules = self.fallback.decide(ctx)
        stop = self.fallback.hard_stop(ctx)
        if stop:  # the hard limits are not the model's to decide
            return rules
        try:
            body = self._request_body(ctx, rules)
            reply = await asyncio.wait_for(self._post(body), timeout=self.timeout_s)
            decision = self._validate(ctx, reply, rules)
        except asyncio.TimeoutError:
            log.warning("follow-up LLM timed out after %.1f s; using rules", self.timeout_s)
            return replace(rules, source="rules (llm fallback: timeout)")
        except Exception as e:  # noqa: BLE001 - any failure falls back
            log.warning("follow-up LLM failed (%s: %s); using rules", type(e).__name__, e)
            return replace(rules, source=f"rules (llm fallback: {type(e).__name__})")
        return decision

    # -- request -------------------------------------------------------------------------------------------
    def allowed_triggers(self, ctx: AnswerContext) -> list[str]:
        return [t for t in self.fallback.enabled(ctx.question) if t not in ctx.asked]

    def _request_body(self, ctx: AnswerContext, rules: FollowUpDecision) -> dict[str, Any]:
        lang = ctx.lang
        f = ctx.features
        summary = {
            "relevance": (f.get("relevance") or {}).get("label"),
            "coverage": [{"point": c.get("point"), "label": c.get("label")} for c in f.get("coverage") or []],
            "star_parts": {p: bool(((f.get("star") or {}).get(p) or {}).get("found"))
                           for p in ("situation", "task", "action", "result")},
            "quantified_result": bool(f.get("quantified_result")),
            "specificity": (f.get("specificity") or {}).get("label"),
            "words": (f.get("length") or {}).get("words"),
        }
        user = {
            "interview_language": lang,
            "competency": ctx.question.competency,
            "question": ctx.question.text_in(lang),
            "expected_points": ctx.question.points_in(lang),
            "answer": ctx.answer,
            "features": summary,
            "allowed_triggers": self.allowed_triggers(ctx),
            "triggers_detected_by_rules": list(rules.detected) or ([rules.trigger] if rules.trigger else []),
            "already_asked": list(ctx.asked),
            "follow_ups_left": ctx.question.max_follow_ups - len(ctx.asked),
            "min_answer_words": ctx.question.min_answer_words,
        }
        body: dict[str, Any] = {
            "model": self.model,
            "temperature": self.temperature,
            "messages": [
                {"role": "system", "content": _SYSTEM_PROMPT.format(
                    language_name="Chinese (简体中文)" if lang == "zh" else "English")},
                {"role": "user", "content": json.dumps(user, ensure_ascii=False)},
            ],
        }
        if self.json_mode:
            body["response_format"] = {"type": "json_object"}
        return body

    async def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        import aiohttp

        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            async with http.post(f"{self.base_url}/chat/completions", json=body, headers=headers) as resp:
                if resp.status != 200:
                    text = (await resp.text())[:200]
                    raise LLMReplyError(f"HTTP {resp.status}: {text}")
                return await resp.json(content_type=None)

    # -- validation ----------------------------------------------------------------------------------------
    def _validate(self, ctx: AnswerContext, reply: Any, rules: FollowUpDecision) -> FollowUpDecision:
        try:
            content = reply["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as e:
            raise LLMReplyError("reply is not a chat completion") from e
        if not isinstance(content, str):
            raise LLMReplyError("message content is not text")
        content = content.strip()
        fence = re.match(r"^```(?:json)?\s*(.*?)\s*```$", content, re.S)
        if fence:
            content = fence.group(1)
        try:
            data = json.loads(content)
        except json.JSONDecodeError as e:
            raise LLMReplyError("content is not JSON") from e
        if not isinstance(data, dict):
            raise LLMReplyError("content is not a JSON object")
        kind = data.get("kind")
        trigger = data.get("trigger") or None
        text = str(data.get("text") or "").strip()
        quote = str(data.get("quote") or "").strip()
        reason = str(data.get("reason") or "").strip()
        if kind not in ("followup", "clarify", "next"):
            raise LLMReplyError(f"invalid kind {kind!r}")
        if kind == "next":
            return FollowUpDecision("next", None, "", f"Model: {reason or 'move on'}", "",
                                    detected=rules.detected, source="llm")
        if kind == "followup" and trigger not in self.allowed_triggers(ctx):
            raise LLMReplyError(f"trigger {trigger!r} is not enabled or was already asked")
        if kind == "clarify":
            if "clarify" in ctx.asked:
                raise LLMReplyError("clarify was already asked")
            trigger = "clarify"
        if not text or len(text) > self.max_text_chars:
            raise LLMReplyError("text is empty or too long")
        if ctx.lang == "zh" and not has_han(text):
            raise LLMReplyError("text is not in Chinese")
        if ctx.lang == "en" and mostly_han(text):
            raise LLMReplyError("text is not in English")
        if quote and not is_verbatim(quote, ctx.answer):
            raise LLMReplyError("quote is not the candidate's words")
        return FollowUpDecision(kind, trigger, text, f"Model: {reason}" if reason else f"Model chose {trigger}",
                                quote, detected=rules.detected, source="llm")
