"""An interview's summary figures from its stored scores: the overall AI score (what the report, the bias check
and the interview list show, by the plan's competency weights) and the overall human rating. Pure functions of the rows, so the report, the
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


def final_by_competency(all_scores: list[_Score]) -> dict[str, list[tuple[float, float]]]:
    """Each competency's final scores as (score, confidence)."""
    final = final_score_ids(all_scores)
    by_competency: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for sc in all_scores:
        if sc.id in final:
            by_competency[sc.competency].append((sc.score, sc.confidence))
    return by_competency


def competency_scores(all_scores: list[_Score]) -> dict[str, float]:
    """Each competency's AI score in one interview, from its final scores (``all_scores`` in the order given)."""
    return {name: competency_score(vals) for name, vals in final_by_competency(all_scores).items()}


def weighted_mean(by_competency: dict[str, float], weights: dict[str, float] | None) -> float | None:
    """The competencies' scores averaged with ``weights`` (a competency the weights leave out counts 0); equal
    weights without any (or when the scored competencies all weigh 0)."""
    if not by_competency:
        return None
    w = {c: float(weights.get(c, 0.0)) for c in by_competency} if weights else {}
    total = sum(w.values())
    if total <= 0:
        return sum(by_competency.values()) / len(by_competency)
    return sum(by_competency[c] * w[c] for c in by_competency) / total


def overall_ai_score(all_scores: list[_Score], weights: dict[str, float] | None = None) -> float | None:
    """An interview's overall AI score: the mean of its competencies' scores, weighted by the plan's competency
    weights when it has any (the report, the list and the bias check show this one figure)."""
    return weighted_mean(competency_scores(all_scores), weights)


def overall_human_rating(ratings: Iterable[tuple[str, float]]) -> float | None:
    """People's overall rating of an interview from (competency, score) ratings: the mean over competencies of each
    competency's mean rating (so one competency rated by three people weighs as much as one rated once)."""
    by_competency: dict[str, list[float]] = defaultdict(list)
    for competency, score in ratings:
        by_competency[competency].append(score)
    means = [sum(v) / len(v) for v in by_competency.values()]
    return sum(means) / len(means) if means else None
