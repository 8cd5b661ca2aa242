"""What happens when an answer ends: the follow-up decision and the rubric score, from one analysed context.

The live interview (server/live/interview.py) and the scoring benchmark (benchmarks/scoring.py) both call
``judge_answer`` so the benchmark measures exactly the decision and score the live server makes. The content
analysis itself (``dialogue.followup.build_context``) runs before, on the inference pool; the non-verbal summary,
when there is one, needs its features, so it is passed in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Mapping

from dialogue.followup import AnswerContext, FollowUpDecision, FollowUpPolicyV2
from dialogue.scoring import CompetencyScore, score_answer

__all__ = ["AnswerJudgement", "judge_answer"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerJudgement:
    decision: FollowUpDecision | None  # None: the policy failed (the interview moves on)
    score: CompetencyScore

    @property
    def follows(self) -> bool:
        return self.decision is not None and self.decision.kind in ("followup", "clarify")


async def judge_answer(
    ctx: AnswerContext,
    policy: FollowUpPolicyV2,
    *,
    nonverbal: Mapping[str, Any] | None = None,
    nonverbal_weight: float = 0.0,
) -> AnswerJudgement:
    """The policy's next move (a failing policy means no follow-up) and the score of all answers so far."""
    decision: FollowUpDecision | None = None
    if ctx.answer.strip():
        try:
            decision = await policy.adecide(ctx)
        except Exception:
            log.exception("followup_policy_failed")
    score = score_answer(ctx.question, ctx.language, ctx.features, ctx.quotes, nonverbal, nonverbal_weight)
    return AnswerJudgement(decision, score)
