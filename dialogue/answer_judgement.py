"""What happens when an answer ends: the follow-up decision and the rubric score, from one analysed context.

The live interview (server/live/interview.py) and the scoring benchmark (benchmarks/scoring.py) both call
``judge_answer`` so the benchmark measures exactly the decision and score the live server makes. The content
analysis itself (``dialogue.followup.build_context``) runs before, on the inference pool; the non-verbal summary,
when there is one, needs its features, so it is passed in.

The language model's judgement, when it is ready in time, comes in as ``relevance`` (``dialogue.model_relevance``):
an answer it finds to be about something else is judged as off-topic by the same rules (its score capped at the
off-topic anchor, the interviewer asks to clarify), and the score records the model as its scorer. Without it,
the rules judge alone and the score says "rules".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Mapping

from dataclasses import replace

from dialogue.followup import AnswerContext, FollowUpDecision, FollowUpPolicyV2
from dialogue.model_relevance import ModelRelevance, control_questions
from dialogue.score_words import MODEL_WITH_RULES, say
from dialogue.scoring import CompetencyScore, score_answer

__all__ = ["AnswerJudgement", "DECISION_WAIT_S", "judge_answer", "with_model_relevance"]

DECISION_WAIT_S = 1.5
"""How long after an answer's end the next move waits for the language model's judgement before the rules decide
alone. The model was asked at the candidate's pauses, so at the end only the last words are new to it."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerJudgement:
    decision: FollowUpDecision | None  # None: the policy failed (the interview moves on)
    score: CompetencyScore
    relevance: str | None = None  # the relevance label the score used (the model's "off_topic" included)

    @property
    def follows(self) -> bool:
        return self.decision is not None and self.decision.kind in ("followup", "clarify")


async def judge_answer(
    ctx: AnswerContext,
    policy: FollowUpPolicyV2,
    *,
    nonverbal: Mapping[str, Any] | None = None,
    nonverbal_weight: float = 0.0,
    relevance: ModelRelevance | None = None,
) -> AnswerJudgement:
    """The policy's next move (a failing policy means no follow-up) and the score of all answers so far."""
    if relevance is not None:
        ctx = with_model_relevance(ctx, relevance)
    decision: FollowUpDecision | None = None
    if ctx.answer.strip():
        try:
            decision = await policy.adecide(ctx)
        except Exception:
            log.exception("followup_policy_failed")
    score = score_answer(ctx.question, ctx.language, ctx.features, ctx.quotes, nonverbal, nonverbal_weight)
    if relevance is not None:
        doubts = list(score.uncertain)
        if relevance.off_topic:
            doubts.append(say("doubt:model_off_topic", ctx.lang,
                              control=control_questions(ctx.lang)[relevance.best_control]))
        score = replace(score, scored_by=f"{relevance.model}{MODEL_WITH_RULES}", uncertain=doubts)
    return AnswerJudgement(decision, score, (ctx.features.get("relevance") or {}).get("label"))


def with_model_relevance(ctx: AnswerContext, relevance: ModelRelevance) -> AnswerContext:
    """``ctx`` with the model's contrast added to its relevance features; an answer the model finds to be about
    something else is labelled off-topic (the rules' own off-topic finding stands either way)."""
    rel = dict(ctx.features.get("relevance") or {})
    rel["model"] = {"model": relevance.model, "p_question": round(relevance.p_question, 3),
                    "p_controls": [round(p, 3) for p in relevance.p_controls],
                    "best_control": relevance.best_control,
                    "control_odds_ratio": round(relevance.control_odds_ratio, 2), "off_topic": relevance.off_topic}
    if relevance.off_topic:
        rel["label"] = "off_topic"
        rel["about_something_else"] = True
    return replace(ctx, features={**ctx.features, "relevance": rel})
