"""Follow-up decisions: after an answer, probe (one targeted question in the candidate's own words), ask to
clarify, or move on to the next planned question.

``RuleBasedPolicy.decide(ctx)`` reads the answer-content features of ``analyzers.content.ContentAnalyzer`` (run on
all of this question's answers so far, follow-up answers included) and returns a ``FollowUpDecision`` with the
words to say, the candidate's words it quotes, and a plain reason that HR sees next to the transcript.

Design decisions
----------------
* **Triggers** come from the plan: a question's ``follow_ups`` rules enable them. A question with no rules gets
  none (unless the policy is built with ``default_triggers``), so a plan author keeps full control.
* **Priority** (first detected wins), default ``DEFAULT_PRIORITY``: ``resume_contradiction`` (a factual mismatch
  is worth checking first, and it may be a speech-recognition error), ``vague_claim`` (a self-praise claim is the
  most specific hook), ``no_example``, ``personal_role`` (who did what comes before what came of it: an outcome
  means little until the candidate's part is known), ``missing_result``, ``missing_numbers``, ``too_short`` (a last resort: a
  short answer usually lacks something more specific). Asking "what was the result?" before there is an example
  makes no sense, hence ``no_example`` before ``missing_result``. Override with ``RuleBasedPolicy(priority=...)``.
* ``missing_result`` fires when no STAR result is found; when the plan enables ``missing_result`` but *not*
  ``missing_numbers``, it also fires for a result without numbers (the plan then still probes for a measurable
  outcome).
* **Never the same trigger twice** for one question; at most ``max_follow_ups`` probes (clarifications count);
  none when fewer than ``min_time_left_s`` (25 s) of ``time_limit_s`` remain.
* **Clarify**: an answer whose relevance label is ``off_topic`` but that is long enough (``>= min_answer_words`` words) gets one "clarify" prompt (trigger ``"clarify"``) that
  repeats the question, unless it states a fact that differs from the resume (checked first); it needs no plan rule
  (it is conversational repair, not a probe) but counts against ``max_follow_ups`` and the time budget.
* **Templates**: the plan's template in the interview language; if the rule has no text in that language, the
  built-in template of that trigger in that language (``BUILTIN_TEMPLATES``, English and Chinese). Placeholders:
  ``{quote}`` (the candidate's most relevant short span, verbatim, trimmed to ~12 words / ~20 Chinese
  characters with "…" marking a cut), ``{point}`` (the first missing expected point, else the first partly met
  one, else a generic phrase) and ``{question}`` (the planned question). Unknown ``{names}`` become empty; other
  braces are left alone (no ``str.format`` surprises).
* **Words** are counted with ``length["words"]`` in both languages (jieba words for Chinese), so
  ``min_answer_words`` means the same effort in English and Chinese (15 words is ~25 Chinese characters).
* **Resume contradiction** checks years of experience, team size and (seniority of) titles stated in the answer
  against resume facts. The spoken probe is neutral and never states the resume values (a mismatch may be an ASR
  error); the resume values are in ``reason`` for HR only.
* ``dialogue.llm_followup.OpenAICompatiblePolicy`` (off by default) asks an OpenAI-compatible
  ``/chat/completions`` endpoint for the decision. The hard limits (time budget, max follow-ups) are enforced before the call; the reply is validated
  (JSON, kind, an enabled and not-yet-asked trigger, a verbatim quote, text in the interview language) and any
  error, timeout or invalid reply falls back to the rule-based decision. Resume facts are never sent; only the
  names of the triggers the rules detected are.

Nothing here judges the candidate: a decision only chooses what to ask next. What an answer claims is found in
dialogue/answer_claims.py; quoting the candidate is dialogue/candidate_quotes.py.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Protocol, Sequence, runtime_checkable

from dialogue.answer_claims import find_contradiction, find_unsupported_claim
from dialogue.candidate_quotes import short_quote
from dialogue.plan import PlanQuestionSpec
from dialogue.session import Prompt
from analyzers.text.language import normalise_language

__all__ = [
    "AnswerContext",
    "BUILTIN_TEMPLATES",
    "DEFAULT_PRIORITY",
    "FollowUpDecision",
    "FollowUpPolicyV2",
    "RuleBasedPolicy",
    "build_context",
]

log = logging.getLogger(__name__)

DecisionKind = Literal["followup", "clarify", "next"]
TRIGGERS = ("missing_result", "no_example", "personal_role", "vague_claim", "missing_numbers", "resume_contradiction",
            "too_short")
DEFAULT_PRIORITY: tuple[str, ...] = (
    "resume_contradiction",
    "vague_claim",
    "no_example",
    "personal_role",
    "missing_result",
    "missing_numbers",
    "too_short",
)
MIN_TIME_LEFT_S = 25.0

BUILTIN_TEMPLATES: dict[str, dict[str, str]] = {
    "missing_result": {
        "en": 'You described what you did: "{quote}". What was the outcome in the end?',
        "zh": "您提到“{quote}”。最后的结果怎么样？",
    },
    "no_example": {
        "en": 'You said "{quote}". Could you tell me about one specific time when that happened: what was the '
        "situation, and what did you do?",
        "zh": "您说“{quote}”。能具体讲一次实际发生的经历吗？当时是什么情况，您具体做了什么？",
    },
    "personal_role": {
        "en": 'You said "{quote}". What did you do yourself in that, as opposed to the rest of the team?',
        "zh": "您提到“{quote}”。这件事里您本人具体做了哪些？和团队其他人的分工是怎样的？",
    },
    "vague_claim": {
        "en": 'You said "{quote}". Can you give me a concrete example that shows this?',
        "zh": "您提到“{quote}”。能举一个具体的例子来说明吗？",
    },
    "missing_numbers": {
        "en": 'You mentioned "{quote}". What was the result, in numbers? For example time, cost or a percentage.',
        "zh": "您提到“{quote}”。这个结果能用数字说明吗？比如时间、成本或百分比的变化。",
    },
    "resume_contradiction": {
        "en": 'Just to make sure I understood correctly: you said "{quote}". Could you walk me through how that '
        "breaks down across your roles?",
        "zh": "我想确认一下是否理解正确：您说“{quote}”。能具体说说这在您的各段经历中是怎么分布的吗？",
    },
    "too_short": {
        "en": "Could you tell me a bit more? In particular: {point}.",
        "zh": "能再详细说说吗？特别是：{point}。",
    },
    "clarify": {
        "en": "I am not sure I connected your answer to the question, so let me repeat it: {question} Could you "
        "answer it with an example from your own experience?",
        "zh": "我不太确定您的回答和问题的联系，我再重复一下问题：{question}能结合您自己的一段经历来回答吗？",
    },
}
_GENERIC_POINT = {"en": "a specific example, what you did and what came of it", "zh": "一个具体的例子、您做了什么以及结果如何"}
_REASONS = {
    "missing_result": "No outcome was stated for the example",
    "missing_result_numbers": "A result was stated but not measured (the plan asks for the outcome)",
    "no_example": "The answer stays general; no concrete instance was described",
    "personal_role": "The example is told as \"we\" throughout ({plural} times \"we\", {singular} times \"I\"); the "
    "candidate's own part is not clear",
    "vague_claim": "A claim about the candidate's own qualities without a supporting example",
    "missing_numbers": "A result was stated without any quantity",
    "resume_contradiction": "The answer states {what} that differs from the resume ({stated} vs {resume})",
    "too_short": "The answer is short ({words} words; the question asks for at least {minimum})",
    "clarify": "The answer does not seem to address the question; asking once to clarify",
}


# ------------------------------------------------------------------------------------------------ data classes


@dataclass(frozen=True)
class AnswerContext:
    """Everything a policy needs to decide after an answer to one planned question.

    ``answer`` holds all of this question's answers so far (the first answer and those to earlier follow-ups),
    and ``features``/``quotes`` are the ``ContentAnalyzer`` observation values/quotes of that combined text.
    ``asked`` lists the triggers already used for this question (``"clarify"`` included).
    """

    question: PlanQuestionSpec
    language: str
    answer: str
    features: Mapping[str, Any]
    quotes: Mapping[str, str] = field(default_factory=dict)
    asked: tuple[str, ...] = ()
    seconds_used: float = 0.0
    resume: Mapping[str, Any] | None = None

    @property
    def lang(self) -> str:
        return normalise_language(self.language)

    @property
    def seconds_left(self) -> float:
        return float(self.question.time_limit_s) - float(self.seconds_used)


NEXT_REASONS = ("max_follow_ups", "time_budget", "no_answer", "nothing_to_probe")
"""Why the interview moves on without a follow-up: the question's follow-ups are used up, its time is nearly up, no
answer was given, or nothing in the answer calls for one."""


@dataclass(frozen=True)
class StopReason:
    """Why no follow-up may be asked at all: ``code`` (one of ``NEXT_REASONS``) and HR's sentence with numbers."""

    code: str
    text: str


@dataclass(frozen=True)
class FollowUpDecision:
    """What to do after an answer. ``text`` is what the interviewer says (empty for ``next``); ``reason`` is for
    HR; ``quote`` is the candidate's own words used in the prompt (or behind the decision)."""

    kind: DecisionKind
    trigger: str | None
    text: str
    reason: str
    quote: str = ""
    detected: tuple[str, ...] = ()  # every enabled trigger the rules detected, for the record
    source: str = "rules"  # "rules" | "llm" | "rules (llm fallback: ...)"
    reason_code: str | None = None
    """``reason`` as a code a page can say in its own language: the trigger of a follow-up or clarification, or
    for ``next`` one of ``NEXT_REASONS``."""

    def to_prompt(self, question_index: int, question_id: str | None = None,
                  time_left_s: float | None = None) -> Prompt | None:
        """The session ``Prompt`` for this decision (None for ``next``)."""
        if self.kind == "next" or not self.text:
            return None
        return Prompt("followup", self.text, question_index, question_id,
                      None if time_left_s is None else max(0, int(time_left_s)))


@runtime_checkable
class FollowUpPolicyV2(Protocol):
    def decide(self, ctx: AnswerContext) -> FollowUpDecision:
        """Synchronous decision."""

    async def adecide(self, ctx: AnswerContext) -> FollowUpDecision:
        """The same decision, awaitable (network-backed policies do their I/O here)."""


def build_context(
    analyzer: Any,
    question: PlanQuestionSpec,
    language: str,
    answers: Sequence[str],
    *,
    asked: Sequence[str] = (),
    seconds_used: float = 0.0,
    resume: Mapping[str, Any] | None = None,
) -> AnswerContext:
    """Run ``analyzer.analyze_answer`` on all answers to this question so far and wrap the result."""
    lang = normalise_language(language)
    sep = "" if lang == "zh" else " "
    text = sep.join(a.strip() for a in answers if a and a.strip())
    obs = analyzer.analyze_answer(question.text_in(lang), question.points_in(lang), text, lang,
                                  competency=question.competency)
    return AnswerContext(question, lang, text, dict(obs.values), dict(obs.quotes), tuple(asked), seconds_used, resume)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(template: str, values: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), template).strip()


# --------------------------------------------------------------------------------------------- rule policy


class RuleBasedPolicy:
    """Deterministic follow-up decisions from the content features (see the module docstring)."""

    def __init__(
        self,
        *,
        priority: Sequence[str] = DEFAULT_PRIORITY,
        min_time_left_s: float = MIN_TIME_LEFT_S,
        default_triggers: Sequence[str] = (),
        clarify_off_topic: bool = True,
    ) -> None:
        unknown = [t for t in [*priority, *default_triggers] if t not in TRIGGERS]
        if unknown:
            raise ValueError(f"unknown follow-up triggers: {', '.join(unknown)}")
        self.priority = tuple(dict.fromkeys([*priority, *[t for t in TRIGGERS if t not in priority]]))
        self.min_time_left_s = float(min_time_left_s)
        self.default_triggers = tuple(default_triggers)
        self.clarify_off_topic = clarify_off_topic

    # -- public -------------------------------------------------------------------------------------------
    def decide(self, ctx: AnswerContext) -> FollowUpDecision:
        lang = ctx.lang
        stop = self.hard_stop(ctx)
        detected = self.detect(ctx)
        if stop:
            return FollowUpDecision("next", None, "", stop.text, detected=tuple(d["trigger"] for d in detected),
                                    reason_code=stop.code)
        if not detected:
            return FollowUpDecision("next", None, "", self._done_reason(ctx), reason_code="nothing_to_probe")
        d = detected[0]
        trigger = d["trigger"]
        template = self.template_for(ctx.question, trigger, lang)
        text = _fill(template, {"quote": d["quote"], "point": self._point(ctx), "question": ctx.question.text_in(lang)})
        kind: DecisionKind = "clarify" if trigger == "clarify" else "followup"
        return FollowUpDecision(kind, trigger, text, d["reason"], d["quote"],
                                detected=tuple(x["trigger"] for x in detected), reason_code=trigger)

    async def adecide(self, ctx: AnswerContext) -> FollowUpDecision:
        return self.decide(ctx)

    # -- parts (also used by the LLM policy) ----------------------------------------------------------------
    def enabled(self, q: PlanQuestionSpec) -> list[str]:
        listed = [r.trigger for r in q.follow_ups] or list(self.default_triggers)
        return [t for t in self.priority if t in listed]

    def hard_stop(self, ctx: AnswerContext) -> StopReason | None:
        """Why no follow-up may be asked at all (or None)."""
        q = ctx.question
        n_asked = len(ctx.asked)
        if n_asked >= q.max_follow_ups:
            return StopReason("max_follow_ups",
                              f"Maximum follow-ups for this question reached ({n_asked} of {q.max_follow_ups})")
        if ctx.seconds_left < self.min_time_left_s:
            return StopReason("time_budget", f"Time budget nearly used ({max(0, round(ctx.seconds_left))} s of "
                              f"{q.time_limit_s} s left; follow-ups need at least {round(self.min_time_left_s)} s)")
        if not ctx.answer.strip():
            return StopReason("no_answer", "No answer was given")
        return None

    def template_for(self, q: PlanQuestionSpec, trigger: str, lang: str) -> str:
        rule = next((r for r in q.follow_ups if r.trigger == trigger), None)
        if rule is not None and rule.template.get(lang):  # type: ignore[call-overload]
            return rule.template[lang]  # type: ignore[index]
        return BUILTIN_TEMPLATES[trigger][lang]

    def detect(self, ctx: AnswerContext) -> list[dict[str, Any]]:
        """Enabled, not yet asked triggers found in the answer, in priority order, each with quote and reason.
        An off-topic but long answer yields only ``clarify``."""
        f = ctx.features
        lang = ctx.lang
        length = f.get("length") or {}
        words = int(length.get("words") or 0)
        minimum = ctx.question.min_answer_words
        rel = f.get("relevance") or {}
        # Off-topic is judged against the question and its rubric (analyzers/content.py): a concrete story with a
        # low cosine is "partly", not off-topic; a story no closer to the question than to any work story misses it
        # (a short non-answer is asked for an example or a result instead). Only an answer that misses the question
        # is clarified, once.
        enabled = self.enabled(ctx.question)
        story = (f.get("specificity") or {}).get("label") in ("concrete", "mixed")
        missed = rel.get("label") == "off_topic" or (story and bool(rel.get("about_something_else")))
        if self.clarify_off_topic and missed and words >= minimum and "clarify" not in ctx.asked:
            # A fact that differs from the resume is still checked first (it may explain the mismatch).
            if "resume_contradiction" in enabled and "resume_contradiction" not in ctx.asked:
                found = self._detect_resume_contradiction(ctx, enabled)
                if found:
                    return [{**found, "trigger": "resume_contradiction"}]
            quote = short_quote(ctx.quotes.get("relevance") or _first(f), lang)
            return [{"trigger": "clarify", "quote": quote, "reason": _REASONS["clarify"]}]
        out: list[dict[str, Any]] = []
        for trigger in enabled:
            if trigger in ctx.asked:
                continue
            found = getattr(self, f"_detect_{trigger}")(ctx, enabled)
            if found:
                found["trigger"] = trigger
                out.append(found)
        return out

    # -- detectors -----------------------------------------------------------------------------------------
    def _detect_resume_contradiction(self, ctx: AnswerContext, enabled: list[str]) -> dict[str, Any] | None:
        c = find_contradiction(list(ctx.features.get("sentences") or []), ctx.resume)
        if not c:
            return None
        what = {"years_experience": "years of experience", "team_size": "a team size", "title": "a title"}[c["fact"]]
        stated, resume = c["stated"], c["resume"]
        if isinstance(resume, float) and resume.is_integer():
            resume = int(resume)
        return {"quote": short_quote(c["sentence"], ctx.lang, focus=c["span"]),
                "reason": _REASONS["resume_contradiction"].format(what=what, stated=stated, resume=resume)
                + "; possibly a speech-recognition error, so the candidate is asked neutrally",
                "fact": c}

    def _detect_vague_claim(self, ctx: AnswerContext, enabled: list[str]) -> dict[str, Any] | None:
        c = find_unsupported_claim(ctx.features)
        if not c:
            return None
        return {"quote": short_quote(c["sentence"], ctx.lang, focus=c["span"]),
                "reason": _REASONS["vague_claim"] + f' ("{c["span"]}")'}

    def _detect_no_example(self, ctx: AnswerContext, enabled: list[str]) -> dict[str, Any] | None:
        spec = ctx.features.get("specificity") or {}
        label = spec.get("label")
        if label not in ("general", "unclear"):
            return None
        sent = ctx.quotes.get("specificity:generalities") or ctx.quotes.get("relevance") or _first(ctx.features)
        sent = sent.split(" … ")[0]
        markers = spec.get("general_markers") or []
        focus = next((m for m in markers if m in sent), None)
        return {"quote": short_quote(sent, ctx.lang, focus=focus),
                "reason": _REASONS["no_example"].format(label=label)
                + (f'; general wording: {", ".join(markers[:3])}' if markers else "")}

    def _detect_personal_role(self, ctx: AnswerContext, enabled: list[str]) -> dict[str, Any] | None:
        own = ctx.features.get("ownership") or {}
        if not own.get("team_only"):
            return None
        sent = ctx.quotes.get("ownership:team") or _first(ctx.features)
        return {"quote": short_quote(sent, ctx.lang),
                "reason": _REASONS["personal_role"].format(plural=own.get("plural"), singular=own.get("singular"))}

    def _detect_missing_result(self, ctx: AnswerContext, enabled: list[str]) -> dict[str, Any] | None:
        f = ctx.features
        star = f.get("star") or {}
        result = star.get("result") or {}
        if not result.get("found") and not f.get("quantified_result"):  # a measured outcome is an outcome
            action = star.get("action") or {}
            sent = action.get("sentence") or ctx.quotes.get("relevance") or _last(f)
            return {"quote": short_quote(sent, ctx.lang), "reason": _REASONS["missing_result"]}
        if "missing_numbers" not in enabled and not f.get("quantified_result"):
            return {"quote": short_quote(result.get("sentence") or "", ctx.lang),
                    "reason": _REASONS["missing_result_numbers"]}
        return None

    def _detect_missing_numbers(self, ctx: AnswerContext, enabled: list[str]) -> dict[str, Any] | None:
        f = ctx.features
        result = (f.get("star") or {}).get("result") or {}
        if f.get("quantified_result"):
            return None
        if not result.get("found"):
            # No result at all: "what was the result, in numbers?" asks for it, unless missing_result is enabled
            # (it then asks for the outcome first).
            if "missing_result" in enabled:
                return None
            sent = ((f.get("star") or {}).get("action") or {}).get("sentence") or _last(f)
            return {"quote": short_quote(sent, ctx.lang), "reason": _REASONS["missing_result"]}
        cues = result.get("cues") or []
        sent = result.get("sentence") or ""
        focus = next((c for c in cues if c in sent), None)
        return {"quote": short_quote(sent, ctx.lang, focus=focus), "reason": _REASONS["missing_numbers"]}

    def _detect_too_short(self, ctx: AnswerContext, enabled: list[str]) -> dict[str, Any] | None:
        words = int((ctx.features.get("length") or {}).get("words") or 0)
        minimum = ctx.question.min_answer_words
        if words >= minimum:
            return None
        return {"quote": short_quote(ctx.answer, ctx.lang),
                "reason": _REASONS["too_short"].format(words=words, minimum=minimum)}

    # -- helpers -------------------------------------------------------------------------------------------
    def _point(self, ctx: AnswerContext) -> str:
        cov = ctx.features.get("coverage") or []
        for label in ("missing", "partly"):
            for c in cov:
                if c.get("label") == label and c.get("point"):
                    return str(c["point"])
        if not cov:
            points = ctx.question.points_in(ctx.lang)
            if points:
                return points[0]
        return _GENERIC_POINT[ctx.lang]

    @staticmethod
    def _done_reason(ctx: AnswerContext) -> str:
        f = ctx.features
        bits = []
        if f.get("star_complete"):
            bits.append("STAR complete")
        elif f.get("star_parts_found") is not None:
            bits.append(f"{f.get('star_parts_found')} of 4 STAR parts")
        if f.get("quantified_result"):
            bits.append("quantified result")
        spec = (f.get("specificity") or {}).get("label")
        if spec:
            bits.append(f"specificity {spec}")
        if f.get("coverage_score") is not None:
            bits.append(f"coverage {f.get('coverage_score')}")
        asked = f"; already asked: {', '.join(ctx.asked)}" if ctx.asked else ""
        return "No enabled follow-up trigger applies (" + ", ".join(bits) + ")" + asked


def _first(features: Mapping[str, Any]) -> str:
    s = features.get("sentences") or []
    return s[0] if s else ""


def _last(features: Mapping[str, Any]) -> str:
    s = features.get("sentences") or []
    return s[-1] if s else ""
