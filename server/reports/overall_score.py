"""An interview's summary figures from its stored scores: the overall AI score (what the report, the bias check
and the interview list show) and the overall human rating. Pure functions of the rows, so the report, the
fairness check and the list's stored copy (``interviews.ai_score``, kept by storage/interview_records.py) agree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol


class _Score(Protocol):
    id: str
    question_index: int
    competency: str
    score: float
    confidence: float


def final_score_ids(all_scores: list) -> set[str]:
    """A question is scored again after each follow-up; its last score (all its answers together) is the one that
    counts. ``all_scores`` in the order they were given."""
    return {sc.id for sc in {(sc.question_index, sc.competency): sc for sc in all_scores}.values()}


def competency_score(vals: list[tuple[float, float]]) -> float | None:
    """One competency's AI score: its final scores (score, confidence) weighted by confidence."""
    if not vals:
        return None
    weight = sum(c for _, c in vals) or 1.0
    return sum(s * c for s, c in vals) / weight


def overall_ai_score(all_scores: list[_Score]) -> float | None:
    """An interview's overall AI score: the mean of its competencies' scores (the bias report compares these)."""
    final = final_score_ids(all_scores)
    by_competency: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for sc in all_scores:
        if sc.id in final:
            by_competency[sc.competency].append((sc.score, sc.confidence))
    values = [competency_score(v) for v in by_competency.values()]
    return sum(values) / len(values) if values else None


def overall_human_rating(ratings: Iterable[tuple[str, float]]) -> float | None:
    """People's overall rating of an interview from (competency, score) ratings: the mean over competencies of each
    competency's mean rating (so one competency rated by three people weighs as much as one rated once)."""
    by_competency: dict[str, list[float]] = defaultdict(list)
    for competency, score in ratings:
        by_competency[competency].append(score)
    means = [sum(v) / len(v) for v in by_competency.values()]
    return sum(means) / len(means) if means else None
