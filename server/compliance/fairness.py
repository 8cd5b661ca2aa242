"""Bias monitoring of AI scores by the NYC Local Law 144 method (BRIEF section 4).

For one job: every candidate's overall AI score (``server.reports.overall_score.overall_ai_score`` of their latest finished,
scored interview for the job, with its plan's competency weights: a candidate interviewed twice counts once); the
median over all of them; per category of each attribute the *scoring rate* (share of its candidates scored above
that median) and the *impact ratio* (its scoring rate / the highest category's scoring rate); ratios under 0.8 are
flagged. The categories come only from candidates' voluntary self-identification, stored apart and never an input
to any score. Categories with
fewer than ``min_group`` people get no figures, not even their count (too few to judge, and any figure would single
people out), and are left out of the comparison; candidates who did not say are counted as unknown, as the law
requires. Sex and race/ethnicity are also reported crossed (``sex_race_ethnicity``),
as the law's rules ask. The 0.8 flag is the EEOC four-fifths rule of thumb, added here for a person to look into;
the law itself asks only for the ratios.

The report is computed live, so a group's figures move when one more interview finishes; small groups show no
count at all, and a person reading the report before and after one interview could still learn that candidate's
side of the median for a group of five or more. Read it over closed periods when that matters.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import get_args

from server.http.api_models import fairness as m
from server.reports.overall_score import overall_ai_score
from server.storage.interview_records import InterviewRecordRepository
from server.storage.jobs import JobRepository
from server.storage.self_identification import SelfIdentificationRepository

# the categories a candidate may choose (the request model's choices), in the order reports list them
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "sex": get_args(m.Sex), "race_ethnicity": get_args(m.RaceEthnicity), "age_band": get_args(m.AgeBand),
}
# crossed categories ("female/asian"): reported, never asked for separately
CROSSED = {"sex_race_ethnicity": ("sex", "race_ethnicity")}
ALL_CATEGORIES = {**ATTRIBUTES, **{name: tuple(f"{x}/{y}" for x in ATTRIBUTES[a] for y in ATTRIBUTES[b])
                                    for name, (a, b) in CROSSED.items()}}
FLAG_BELOW = 0.8


@dataclass
class GroupRate:
    group: str
    n: int | None  # None when too few to show
    above_median: int | None = None
    scoring_rate: float | None = None
    impact_ratio: float | None = None
    flagged: bool = False
    too_few: bool = False


@dataclass
class AttributeReport:
    attribute: str
    groups: list[GroupRate] = field(default_factory=list)
    unknown: int = 0
    highest_group: str | None = None


def impact_ratios(scores: dict[str, float], categories: dict[str, str | None], attribute: str,
                  min_group: int) -> AttributeReport:
    """``scores``: candidate id -> overall score (every scored candidate); ``categories``: candidate id -> the
    category they gave for ``attribute`` (None or absent: unknown)."""
    median = statistics.median(scores.values()) if scores else 0.0
    members: dict[str, list[str]] = {}
    report = AttributeReport(attribute)
    for cand in scores:
        cat = categories.get(cand)
        if cat is None:
            report.unknown += 1
        else:
            members.setdefault(cat, []).append(cand)
    for cat in [c for c in ALL_CATEGORIES[attribute] if c in members]:
        ids = members[cat]
        g = GroupRate(cat, len(ids))
        if len(ids) < min_group:
            g.too_few, g.n = True, None  # not even the count: it would single people out
        else:
            g.above_median = sum(scores[i] > median for i in ids)
            g.scoring_rate = round(g.above_median / len(ids), 3)
        report.groups.append(g)
    rated = [g for g in report.groups if g.scoring_rate is not None]
    if rated:
        rate = {g.group: g.above_median / g.n for g in rated}  # unrounded, for the ratios
        best = max(rated, key=lambda g: rate[g.group])
        report.highest_group = best.group
        for g in rated:
            if rate[best.group]:
                ratio = rate[g.group] / rate[best.group]
                g.impact_ratio, g.flagged = round(ratio, 3), ratio < FLAG_BELOW
    return report


async def job_bias_report(records: InterviewRecordRepository, self_identification: SelfIdentificationRepository,
                          jobs: JobRepository, job_id: str, min_group: int) -> dict:
    latest = await records.job_scores(job_id)  # candidate id -> (interview id, scores) of their latest interview
    weights = await jobs.interview_weights([iv for iv, _ in latest.values()])  # as each interview's plan weighs them
    scores = {cand: s for cand, (iv, rows) in latest.items()
              if (s := overall_ai_score(rows, weights.get(iv))) is not None}
    answers = await self_identification.for_job(job_id)  # candidate id -> their latest answers for the job
    attributes = []
    for attribute in ALL_CATEGORIES:
        if attribute in CROSSED:
            a, b = CROSSED[attribute]
            categories = {cand: f"{getattr(row, a)}/{getattr(row, b)}" for cand, row in answers.items()
                          if getattr(row, a) and getattr(row, b)}
        else:
            categories = {cand: getattr(row, attribute) for cand, row in answers.items()}
        attributes.append(impact_ratios(scores, categories, attribute, min_group))
    return {
        "job_id": job_id,
        "scored_interviews": len(scores),
        "self_identified": sum(1 for cand in answers if cand in scores),
        "median_score": round(statistics.median(scores.values()), 2) if scores else None,
        "min_group": min_group,
        "flag_below": FLAG_BELOW,
        "attributes": [{"attribute": a.attribute, "unknown": a.unknown, "highest_group": a.highest_group,
                        "groups": [vars(g) for g in a.groups]} for a in attributes],
    }
