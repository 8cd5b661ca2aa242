"""The language model's judgement of one answer against its plan question's anchored rubric: the level 1-5, the
expected points covered, whether an outcome is stated and measured, whether the candidate's own actions are clear,
one or two verbatim quotes, what is missing, and the next move.

One call through the judge client (``analyzers/llm_client.py``), the reply constrained to ``JudgementReply``'s
schema. Every string and list in it is capped: on the CPU each generated token costs ~80 ms. The instructions and
the question's rubric come first and the answer last, so the engine reuses the cached prefix for every answer to the
same question. A reply whose quotes are not the candidate's words is refused and asked again. Any ``LlmError``
reaches the caller, which scores with the rules instead.

Not wired into the live interview yet: on the development set (partial runs on a loaded machine) the 1.5B model
gave nearly every answer a 5, so the rules (``dialogue/answer_judgement.py``) still score and decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from analyzers.llm_client import LlmClient
from analyzers.text.language import is_chinese_code
from dialogue.candidate_quotes import exact_span, is_verbatim
from dialogue.plan import PlanQuestionSpec

NextMove = Literal["none", "ask_example", "ask_result", "ask_personal_role", "clarify"]

MAX_QUOTE_CHARS = 60
MAX_MISSING_CHARS = 60
MAX_CHINESE_QUOTE_CHARS = 24

_INSTRUCTIONS = """You are an expert interviewer. Score ONE answer to the interview question below on the \
question's own 1-5 rating scale, the way a strict, fair expert would. Use the whole scale.
- 1: the answer does not address this question (another topic, a generic speech, nothing relevant).
- 2: only general statements or habits, no concrete past situation.
- 3: a concrete situation, but the candidate's own actions or the outcome stay unclear.
- 4: a concrete situation, the candidate's own actions and an outcome.
- 5: all of that with a measured outcome (a number, time, %, count, amount). No measurable outcome, no 5.
The question's anchors below refine these levels.
next_move: "clarify" only if the answer misses the question; "ask_example" if it has no concrete situation; \
"ask_personal_role" if the story is told only as "we"/"the team"; "ask_result" if the outcome is missing or has \
nothing measurable; else "none".
quotes: one short phrase copied exactly from the answer that supports the level.
specific / mine / outcome / measured: true if the answer has a concrete situation / the candidate's own actions \
("I ...") / a stated outcome / a measurable outcome.
points: the numbers of the expected points the answer covers. missing: what it lacks most, in a few words, in \
the interview language ("" if nothing).
Reply with the JSON object only."""


class JudgementReply(BaseModel):
    """What the model may answer (its JSON schema constrains the reply). Evidence comes before the level so the
    model commits to what it saw before it scores."""

    level: Literal[1, 2, 3, 4, 5]
    next_move: NextMove
    quotes: list[Annotated[str, Field(max_length=MAX_QUOTE_CHARS)]] = Field(min_length=1, max_length=2)
    specific: bool
    mine: bool
    outcome: bool
    measured: bool
    points: list[Annotated[int, Field(ge=1, le=12)]] = Field(max_length=8)
    missing: str = Field(max_length=MAX_MISSING_CHARS)


class ChineseJudgementReply(JudgementReply):
    """Chinese quotes are capped shorter: a long one is rarely copied exactly."""

    quotes: list[Annotated[str, Field(max_length=MAX_CHINESE_QUOTE_CHARS)]] = Field(min_length=1, max_length=2)


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
    context = (f"Interview language: {'Chinese' if is_chinese_code(language) else 'English'}\n"
               f"Competency: {question.competency}\n"
               f"Question: {question.text_in(language)}\n"
               "Expected points:\n" + ("\n".join(f"{i}. {p}" for i, p in enumerate(points, 1)) or "(none)") +
               "\nRating scale:\n" + (rubric or "(no anchors: 1 off-topic, 3 a general account, "
                                                "5 a specific personal story with a measured result)"))
    return [
        {"role": "system", "content": f"{_INSTRUCTIONS}\n\n{context}"},
        {"role": "user", "content": f"Answer:\n{answer.strip()}"},
    ]


def _quotes_in(answer: str):
    def check(reply: JudgementReply) -> None:
        for quote in reply.quotes:
            span = exact_span(quote, answer)
            if span is None or not is_verbatim(span, answer):
                raise ValueError(f"quote {quote[:40]!r} is not the candidate's words")
    return check


async def ask_model_judgement(client: LlmClient, question: PlanQuestionSpec, language: str, answer: str, *,
                              timeout_s: float | None = None) -> ModelJudgement:
    """The model's judgement of ``answer``; raises ``LlmError`` (unavailable, timeout, no usable reply) for the
    caller to score with the rules."""
    schema = ChineseJudgementReply if is_chinese_code(language) else JudgementReply
    reply = await client.ask(judgement_messages(question, language, answer), schema, timeout_s=timeout_s,
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
