"""Follow-up decisions from a language model through the one judge client (``analyzers/llm_client.py``: any
OpenAI-compatible endpoint, the embedded llama.cpp server by default), the reply constrained to ``FollowUpReply``'s
schema and checked against the answer, with the rule-based policy (``dialogue.followup.RuleBasedPolicy``) as the
fallback on any error, timeout, invalid reply or while the engine is not ready."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from typing import Literal

from pydantic import BaseModel

from analyzers.llm_client import LlmClient, LlmError, LlmTimeoutError
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


class FollowUpReply(BaseModel):
    """What the model may answer (its JSON schema constrains the reply)."""

    kind: Literal["followup", "clarify", "next"]
    trigger: str | None = None
    text: str = ""
    quote: str = ""
    reason: str = ""


class OpenAICompatiblePolicy:
    """Follow-up decisions from the judge client's model, validated, with the rule-based policy as fallback on
    any error, timeout or invalid reply, and while the client has no ready endpoint. Use ``await adecide(ctx)``
    from async code; ``decide(ctx)`` runs the request in a private event loop and must not be called from a
    running loop."""

    def __init__(
        self,
        client: LlmClient,
        fallback: RuleBasedPolicy | None = None,
        *,
        temperature: float = 0.2,
        max_text_chars: int = 400,
    ) -> None:
        self.client = client
        self.fallback = fallback or RuleBasedPolicy()
        self.temperature = temperature
        self.max_text_chars = max_text_chars

    def __repr__(self) -> str:
        return f"OpenAICompatiblePolicy({self.client!r})"

    def decide(self, ctx: AnswerContext) -> FollowUpDecision:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.adecide(ctx))
        raise RuntimeError("OpenAICompatiblePolicy.decide() called inside a running event loop; use 'await adecide()'")

    async def adecide(self, ctx: AnswerContext) -> FollowUpDecision:
        rules = self.fallback.decide(ctx)
        stop = self.fallback.hard_stop(ctx)
        if stop or not self.client.ready:  # the hard limits are not the model's to decide
            return rules
        try:
            answer = await self.client.ask(self._messages(ctx, rules), FollowUpReply,
                                           check=lambda reply: self._check(ctx, reply), temperature=self.temperature)
        except LlmTimeoutError:
            log.warning("follow-up LLM timed out after %.1f s; using rules", self.client.timeout_s)
            return replace(rules, source="rules (llm fallback: timeout)")
        except LlmError as e:
            log.warning("follow-up LLM failed (%s: %s); using rules", type(e).__name__, e)
            return replace(rules, source=f"rules (llm fallback: {type(e).__name__})")
        return self._decision(answer.value, rules)

    # -- request -------------------------------------------------------------------------------------------
    def allowed_triggers(self, ctx: AnswerContext) -> list[str]:
        return [t for t in self.fallback.enabled(ctx.question) if t not in ctx.asked]

    def _messages(self, ctx: AnswerContext, rules: FollowUpDecision) -> list[dict[str, str]]:
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
        return [
            {"role": "system", "content": _SYSTEM_PROMPT.format(
                language_name="Chinese (简体中文)" if lang == "zh" else "English")},
            {"role": "user", "content": json.dumps(user, ensure_ascii=False)},
        ]

    # -- validation ----------------------------------------------------------------------------------------
    def _check(self, ctx: AnswerContext, reply: FollowUpReply) -> None:
        """Refuse (ValueError: the client asks again) a schema-valid reply the interview cannot use."""
        if reply.kind == "next":
            return
        text, quote = reply.text.strip(), reply.quote.strip()
        if reply.kind == "followup" and reply.trigger not in self.allowed_triggers(ctx):
            raise ValueError(f"trigger {reply.trigger!r} is not enabled or was already asked")
        if reply.kind == "clarify" and "clarify" in ctx.asked:
            raise ValueError("clarify was already asked")
        if not text or len(text) > self.max_text_chars:
            raise ValueError("text is empty or too long")
        if ctx.lang == "zh" and not has_han(text):
            raise ValueError("text is not in Chinese")
        if ctx.lang == "en" and mostly_han(text):
            raise ValueError("text is not in English")
        if quote and not is_verbatim(quote, ctx.answer):
            raise ValueError("quote is not the candidate's words")

    @staticmethod
    def _decision(reply: FollowUpReply, rules: FollowUpDecision) -> FollowUpDecision:
        reason = reply.reason.strip()
        if reply.kind == "next":
            return FollowUpDecision("next", None, "", f"Model: {reason or 'move on'}", "",
                                    detected=rules.detected, source="llm", reason_code="nothing_to_probe")
        trigger = "clarify" if reply.kind == "clarify" else reply.trigger
        return FollowUpDecision(reply.kind, trigger, reply.text.strip(),
                                f"Model: {reason}" if reason else f"Model chose {trigger}", reply.quote.strip(),
                                detected=rules.detected, source="llm", reason_code=trigger)
