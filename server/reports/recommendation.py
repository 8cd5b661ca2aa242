"""The AI's suggested recommendation for one interview, for a person to confirm or change.

No decision is taken by the machine (PIPL Art. 24, GDPR Art. 22): this only suggests, and the report shows it as
"suggested by AI" until a person records a decision (``POST /api/v1/interviews/{id}/decision``).

The rule (plans carry no pass marks, so it is the same for every job; on the anchored 1-5 scale of
dialogue/scoring.py, where 4 is "a clear example with actions and a result" and 2 "general statements only"):

* the overall score is the mean of the competency scores (``interview_report.overall_ai_score``, shown with one
  decimal, as in the interview list), and the rule reads it as shown;
* **advance** when the overall score is at least ``ADVANCE_FROM`` (3.5: the answers reach level 4 on average),
  no competency is below ``WEAK_BELOW`` (2.0) and every planned competency was scored;
* **do not advance** when the overall score is below ``DO_NOT_ADVANCE_BELOW`` (2.5: the answers stay at level 2,
  no concrete examples, on average);
* **hold** otherwise (a person looks closer), and when nothing was scored there is no suggestion.

The AI's uncertainty is shown beside it: its certainty (the mean confidence of the scores that count: high from
0.7, medium from 0.5, low below), whether the overall score is within ``NEAR_LINE`` (0.3) of a line of the rule,
the competencies below ``WEAK_BELOW`` and those not scored at all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Decision = Literal["advance", "hold", "do_not_advance"]
DECISIONS: tuple[str, ...] = ("advance", "hold", "do_not_advance")
ADVANCE_FROM = 3.5
DO_NOT_ADVANCE_BELOW = 2.5
WEAK_BELOW = 2.0
NEAR_LINE = 0.3
HIGH_CERTAINTY_FROM = 0.7
MEDIUM_CERTAINTY_FROM = 0.5


def certainty(confidence: float | None) -> str | None:
    """The AI's confidence (0-1) in words: high, medium or low (None without a score)."""
    if confidence is None:
        return None
    return "high" if confidence >= HIGH_CERTAINTY_FROM else "medium" if confidence >= MEDIUM_CERTAINTY_FROM else "low"


@dataclass(frozen=True)
class Suggestion:
    suggestion: str | None  # one of DECISIONS; None when nothing was scored
    overall: float | None  # the mean of the competency scores, one decimal
    confidence: float | None  # the mean confidence of the scores that count
    certainty: str | None  # high, medium, low
    near: str | None  # the line the overall score is close to: "advance" (3.5) or "do_not_advance" (2.5)
    weak: list[str] = field(default_factory=list)  # competencies scored below WEAK_BELOW
    unscored: list[str] = field(default_factory=list)  # planned competencies without a score
    advance_from: float = ADVANCE_FROM
    do_not_advance_below: float = DO_NOT_ADVANCE_BELOW
    weak_below: float = WEAK_BELOW

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def suggest(overall_score: float | None, scores: dict[str, float | None], confidences: list[float]) -> Suggestion:
    """``overall_score``: the interview's overall AI score (``interview_report.overall_ai_score``, the figure the
    interview list and the bias check use); ``scores``: each competency's score as the report shows it (None:
    planned, not scored); ``confidences``: those of the scores that count."""
    scored = {name: value for name, value in scores.items() if value is not None}
    unscored = sorted(name for name, value in scores.items() if value is None)
    if not scored or overall_score is None:
        return Suggestion(None, None, None, None, None, [], unscored)
    overall = round(overall_score, 1)
    confidence = round(sum(confidences) / len(confidences), 2) if confidences else None
    weak = sorted(name for name, value in scored.items() if value < WEAK_BELOW)
    if overall < DO_NOT_ADVANCE_BELOW:
        suggestion = "do_not_advance"
    elif overall >= ADVANCE_FROM and not weak and not unscored:
        suggestion = "advance"
    else:
        suggestion = "hold"
    near = ("advance" if abs(overall - ADVANCE_FROM) <= NEAR_LINE + 1e-9
            else "do_not_advance" if abs(overall - DO_NOT_ADVANCE_BELOW) <= NEAR_LINE + 1e-9 else None)
    return Suggestion(suggestion, overall, confidence, certainty(confidence), near, weak, unscored)
