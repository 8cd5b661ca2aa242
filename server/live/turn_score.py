"""A turn's score: analysed, judged, stored and shown to observers, and its refinement by the language model.

The live interview (``server/live/interview.py``) scores each answer with these functions, and a late model
judgement refines the score through them twice over: in the interview's own task (the fast path) and in the queued
``scoring.refine`` job (``server/live/score_refinement.py``, any node). Both call ``TurnScores.refine`` on a context
built by ``analyse_answers``, so a score refined on another node is the one this node would have stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analyzers.inference_pool import run_inference
from dialogue.answer_judgement import AnswerJudgement, judge_answer
from dialogue.followup import AnswerContext, FollowUpPolicyV2, build_context
from dialogue.model_relevance import ModelRelevance
from dialogue.plan import CompetencyNames, PlanQuestionSpec
from server.live import events as ev
from server.storage.interview_records import InterviewRecordRepository


@dataclass(frozen=True)
class ScoredTurn:
    """Which score a judgement is kept as: the turn's row, replaced by a later judgement of the same turn."""

    interview_id: str
    turn_index: int
    question_index: int
    """The plan question's index (its competency's score)."""
    final: bool
    """No follow-up to this question is coming (``answer.scored``'s ``final``)."""


def answer_words(answers: Sequence[str]) -> str:
    """The words the model is asked about: every answer to the question so far."""
    return " ".join(answers)


async def analyse_answers(analyzer: Any, spec: PlanQuestionSpec, lang: str, answers: Sequence[str], *,
                          asked: Sequence[str] = (), seconds_used: float = 0.0) -> AnswerContext:
    """The rules' analysis of the question's answers so far, on the inference pool (never on the event loop)."""
    return await run_inference(build_context, analyzer, spec, lang, list(answers), asked=list(asked),
                               seconds_used=seconds_used)


class TurnScores:
    """Keeps turns' scores: one row per turn (``records.add_score`` replaces it) and an ``answer.scored`` event."""

    def __init__(self, records: InterviewRecordRepository, publish: Callable[[ev.InterviewEvent], Awaitable[None]],
                 policy: FollowUpPolicyV2, competency_names: CompetencyNames | None = None) -> None:
        """``competency_names``: the plan's names of its competencies, per key and language (``answer.scored``
        carries them so observers read each competency in their language)."""
        self.records, self.publish, self.policy = records, publish, policy
        self.competency_names = competency_names or {}

    async def keep(self, turn: ScoredTurn, judgement: AnswerJudgement) -> None:
        """Store the turn's score (a later one of the same turn replaces it) and show it to observers."""
        score = judgement.score
        evidence = [{"feature": e.feature, "quote": e.quote, "effect": e.effect, "note": e.note, "stance": e.stance}
                    for e in score.evidence]
        await self.records.add_score(turn.interview_id, turn.turn_index, turn.question_index, score.competency,
                                     score.score, score.confidence, score.level_description, evidence,
                                     list(score.uncertain), score.scored_by)
        await self.publish(ev.AnswerScored(
            interview_id=turn.interview_id, turn_index=turn.turn_index, question_index=turn.question_index,
            competency=score.competency, competency_name=self.competency_names.get(score.competency, {}),
            score=score.score, confidence=score.confidence,
            level=score.level_description, evidence=evidence, uncertain=list(score.uncertain), final=turn.final,
            scored_by=score.scored_by, relevance=judgement.relevance))

    async def refine(self, turn: ScoredTurn, actx: AnswerContext, relevance: ModelRelevance, *,
                     nonverbal: Mapping[str, Any] | None, nonverbal_weight: float) -> AnswerJudgement:
        """The model's judgement came after the rules' score was kept: judge again with it and keep that score (the
        next move was already made, so the judgement's own decision is not used)."""
        later = await judge_answer(actx, self.policy, nonverbal=nonverbal, nonverbal_weight=nonverbal_weight,
                                   relevance=relevance)
        await self.keep(turn, later)
        return later
