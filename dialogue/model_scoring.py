"""The language model's judgement of one answer against its plan question's anchored rubric: the level 1-5, the
expected points covered, whether an outcome is stated and measured, whether the candidate's own actions are clear,
one or two verbatim quotes, what is missing, and the next move.

One call through the judge client (``analyzers/llm_client.py``), the reply constrained to ``JudgementReply``'s
schema. Every string and list in it is capped: on the CPU each generated token costs ~80 ms. The instructions and
the question's rubric come first and the answer last, so the engine reuses the cached prefix for every answer to the
same question. A reply whose quotes are not the candidate's words is refused and asked again. Any ``LlmError``
reaches the caller, which scores with the rules instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from analyzers.llm_client import LlmClient
from dialogue.candidate_quotes import is_verbatim
from dialogue.plan import PlanQuestionSpec

NextMove = Literal["none", "ask_example", "ask_result", "ask_personal_role", "clarify"]

MAX_QUOTE_CHARS = 60
MAX_MISSING_CHARS = 60

_INSTRUCTIONS = """You are an expert interviewer scoring ONE answer to a structured interview question against the \
question's anchored rating scale. Judge only what the candidate said; length, confidence and polish earn nothing.

Check the answer first, then score:
- quotes: one short phrase (3-8 words, or 5-15 Chinese characters) copied character for character from the answer \
that best supports your level; a second only if needed.
- specific: true only if the answer tells one concrete, real situation (when, what happened), not habits or opinions.
- mine: true only if the candidate says what they themselves did ("I ..."); false if it is all "we"/"the team".
- outcome: true only if the answer says how the situation ended or what changed.
- measured: true only if that outcome has a number or a measurable quantity (time, %, count, amount).
- points: the numbers of the expected points the answer clearly covers ([] if none).
- missing: the most important thing the answer lacks, in a few words, in the interview language ("" if nothing).
- level: the anchor (1-5) that best describes the answer. Be strict: an answer that misses the question is 1; \
general statements without a concrete case are 2 at most; a 4 needs a specific case, the candidate's own actions \
and an outcome; a 5 needs all that plus a measured outcome and most expected points.
- next_move, the single most useful follow-up:
  "clarify" only when the answer does not address the question at all;
  "ask_example" when it stays general (specific is false);
  "ask_personal_role" when a concrete story is told only as "we" (mine is false);
  "ask_result" when the outcome is missing or has nothing measurable;
  "none" when nothing important is missing.
Reply with the JSON object only."""


class JudgementReply(BaseModel):
    """What the model may answer (its JSON schema constrains the reply). Evidence comes before the level so the
    model commits to what it saw before it scores."""

    quotes: list[Annotated[str, Field(max_length=MAX_QUOTE_CHARS)]] = Field(min_length=1, max_length=2)
    specific: bool
    mine: bool
    outcome: bool
    measured: bool
    points: list[Annotated[int, Field(ge=1, le=12)]] = Field(max_length=8)
    missing: str = Field(max_length=MAX_MISSING_CHARS)
    level: Literal[1, 2, 3, 4, 5]
    next_move: NextMove


@dataclass(frozen=True)
class ModelJudgement:
    """The model's judgement of one answer, ready for the live scoring to turn into a score with evidence."""

    level: int
    covered_points: tuple[str, ...]
    """The expected points (in the interview language) the model says the answer covers."""
    example_specific: bool
    outcome_stated: bool
    outcome_measured: bool
    own_actions_clear: bool
    quotes: tuple[str, ...]
    """Spans of the answer exactly as the candidate said them."""
    missing: str
    next_move: NextMove
    model: str
    """Which model produced the judgement (recorded with the score)."""
    seconds: float
    cached: bool


def judgement_messages(question: PlanQuestionSpec, language: str, answer: str) -> list[dict[str, str]]:
    """Instructions and the question's rubric first (the same for every answer to it: a cached prefix), the
    answer last."""
    points = question.points_in(language)
    rubric = "\n".join(f"{level.score}: {level.description.get(language) or next(iter(level.description.values()))}"
                       for level in question.rubric)
    context = (f"Interview language: {'Chinese' if language.startswith('zh') else 'English'}\n"
               f"Competency: {question.competency}\n"
               f"Question: {question.text_in(language)}\n"
               "Expected points:\n" + ("\n".join(f"{i}. {p}" for i, p in enumerate(points, 1)) or "(none)") +
               "\nRating scale:\n" + (rubric or "(no anchors: 1 off-topic, 3 a general account, "
                                                "5 a specific personal story with a measured result)"))
    return [
        {"role": "system", "content": f"{_INSTRUCTIONS}\n\n{context}"},
        {"role": "user", "content": f"Answer:\n{answer.strip()}"},
    ]


def exact_span(quote: str, answer: str) -> str | None:
    """The answer's own text for a quote that ``is_verbatim`` accepts (its case and spacing), or None."""
    parts = [p.strip(" \t\n.,;:!?。，；：！？、\"'“”‘’「」") for p in re.split(r"…|\.\.\.", quote)]
    spans = []
    for part in filter(None, parts):
        pattern = r"\s*".join(re.escape(w) for w in part.split())
        found = re.search(pattern, answer, re.IGNORECASE)
        if found is None:
            return None
        spans.append(found.group(0))
    return " … ".join(spans) or None


def _quotes_in(answer: str):
    def check(reply: JudgementReply) -> None:
        for quote in reply.quotes:
            if not quote.strip() or not is_verbatim(quote, answer) or exact_span(quote, answer) is None:
                raise ValueError(f"quote {quote[:40]!r} is not the candidate's words")
    return check


async def judge_answer(client: LlmClient, question: PlanQuestionSpec, language: str, answer: str, *,
                       timeout_s: float | None = None) -> ModelJudgement:
    """The model's judgement of ``answer``; raises ``LlmError`` (unavailable, timeout, no usable reply) for the
    caller to score with the rules."""
    reply = await client.ask(judgement_messages(question, language, answer), JudgementReply, timeout_s=timeout_s,
                             check=_quotes_in(answer))
    value = reply.value
    points = question.points_in(language)
    covered = tuple(points[i - 1] for i in sorted(set(value.points)) if i <= len(points))
    quotes = tuple(dict.fromkeys(span for q in value.quotes if (span := exact_span(q, answer))))
    level = value.level
    if level == 5 and not value.measured:  # the convention: a 5 needs a quantified outcome
        level = 4
    return ModelJudgement(level=level, covered_points=covered, example_specific=value.specific,
                          outcome_stated=value.outcome, outcome_measured=value.measured,
                          own_actions_clear=value.mine, quotes=quotes, missing=value.missing.strip(),
                          next_move=value.next_move, model=reply.model, seconds=reply.seconds, cached=reply.cached)
