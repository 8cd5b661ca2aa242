"""The HR analytics of a job: match scores over time, the funnel per source channel, how AI and people agree,
and how AI scores relate to performance after hiring (with suggested competency weights a person may accept).

The records are read with server/storage/analytics.py; the figures are computed on this module's own bounded
thread (``analytics_stats`` is the arithmetic), so a large organisation's numbers never hold up the event loop.
Each analytic also gives its figures as tables for the CSV and XLSX downloads (``*_tables``).

Definitions:

* **Source channel** of a job's candidate: ``<system>_import`` when they came from an HR system (DingTalk:
  ``dingtalk_import``); ``bulk_import`` when a zip/CSV import created them; ``upload`` for any other resume;
  without a resume, the channel of the first invitation for the job's interview that did not fail (``email_invitation``,
  ``dingtalk_invitation``, ``webhook_invitation``), or ``link`` when HR handed the link over themselves.
* **Funnel stages**, each counted on its own: candidates (a resume for the job or an interview in it), invited (an
  interview was created), interviewed (it started), scored (it has AI scores), advanced (outcome advanced or
  hired), hired.
* **Agreement** per competency; one subject is one interview's competency. AI vs people: the AI's competency score
  (its final answers' scores weighted by confidence, as in the report) against the mean of each person's latest
  rating; people vs people: the first two people to rate it, each by their latest rating. ICC(2,1) on the values,
  quadratic-weighted kappa on them rounded to 1-5; 95 % percentile-bootstrap intervals over subjects.
* **Validity**: per competency, Spearman's correlation of a hire's AI competency score (the interview the decision
  followed, else their latest finished, scored interview for the job) with their performance rating, with its
  Fisher-z interval; the suggested weights are ``analytics_stats.suggest_weights`` over the current plan's
  competencies. Nothing is applied until a person accepts them (``accept_weights`` in the routes).

Competencies are keyed as stored; the routes add the job's plan's ``competency_names`` for pages to show names in
their reader's language, and the tables end with a ``competency_name`` column in the language asked for.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from analyzers.thread_pool import BoundedThreadPool
from dialogue.plan import competency_name_in
from server.platform.settings import Settings
from server.recruiting.ranking import ranked_candidates
from server.reports import analytics_stats as st
from server.reports.interview_report import competency_scores, weighted_mean
from server.reports.tables import Table
from server.storage.analytics import (AnalyticsRepository, CandidateFacts, Performance, Rating, ScoredInterview,
                                      candidate_facts, scored_interviews)
from server.storage.matching import MatchingRepository
from server.storage.models import Job
from web_client import catalogue

_pool = BoundedThreadPool("analytics", 1)


async def off_loop(fn, *args):
    """Blocking work of the analytics (figures, reading an outcome CSV, writing a spreadsheet) on their thread."""
    return await _pool.run(fn, *args)

STAGES = ("candidates", "invited", "interviewed", "scored", "advanced", "hired")
CHANNELS = ("upload", "bulk_import", "dingtalk_import", "email_invitation", "dingtalk_invitation",
            "webhook_invitation", "link")
ALL = "(all)"
OVERALL = "(overall)"  # the validity table's row of the overall AI score


@dataclass(frozen=True)
class AnalyticsConfig:
    bootstrap_samples: int
    min_n: int
    weight_min_n: int
    weight_shrinkage_n: int

    @classmethod
    def of(cls, settings: Settings) -> AnalyticsConfig:
        return cls(settings.analytics_bootstrap_samples, settings.analytics_min_n, settings.analytics_weight_min_n,
                   settings.analytics_weight_shrinkage_n)


def _r(value: float | None, places: int = 3) -> float | None:
    return None if value is None else round(float(value), places)


# --------------------------------------------------------------------------------------------------- match scores
async def match_scores(matching: MatchingRepository, analytics: AnalyticsRepository, job: Job, bins: int,
                       period: str) -> dict:
    """The distribution of the job's resume match scores (0-100) and their mean, median and n per period of the
    resumes' arrival."""
    results = await ranked_candidates(matching, job)
    arrived = await analytics.resume_dates(job.id)
    points = [(arrived[r.candidate_id], r.score) for r in results if r.candidate_id in arrived]
    return await _pool.run(_match_scores, job.id, points, bins, period)


def _match_scores(job_id: str, points: list[tuple[datetime, float]], bins: int, period: str) -> dict:
    values = [v for _, v in points]
    return {
        "job_id": job_id, "n": len(values),
        "mean": _r(np.mean(values), 2) if values else None, "median": _r(np.median(values), 2) if values else None,
        "bins": [{"low": b.low, "high": b.high, "n": b.n} for b in st.histogram(values, bins)],
        "period": period,
        "trend": [{"period": p.period, "start": p.start.isoformat(), "n": p.n, "mean": _r(p.mean, 2),
                   "median": _r(p.median, 2)} for p in st.period_summaries(points, period)],
    }


def match_score_tables(report: dict) -> list[Table]:
    return [Table("histogram", ["low", "high", "n"], [[b["low"], b["high"], b["n"]] for b in report["bins"]]),
            Table("trend", ["period", "start", "n", "mean", "median"],
                  [[p["period"], p["start"], p["n"], p["mean"], p["median"]] for p in report["trend"]])]


# --------------------------------------------------------------------------------------------------------- funnel
def source_channel(f: CandidateFacts) -> str:
    """How the candidate came to the job (see the module's docstring)."""
    if f.external_source:
        return f"{f.external_source}_import"
    if f.bulk_imported:
        return "bulk_import"
    if f.has_resume:
        return "upload"
    if f.invitation_channel:
        return f"{f.invitation_channel}_invitation"
    return "link"


def reached(f: CandidateFacts) -> dict[str, bool]:
    return {"candidates": True, "invited": f.invited, "interviewed": f.interviewed, "scored": f.scored,
            "advanced": f.decision in ("advanced", "hired"), "hired": f.decision == "hired"}


def funnel(facts: list[CandidateFacts], jobs: int) -> dict:
    """Counts per channel and stage, with each stage's share of the previous one and of the first."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGES, 0))
    for f in facts:
        for stage, yes in reached(f).items():
            if yes:
                counts[source_channel(f)][stage] += 1
                counts[ALL][stage] += 1
    order = [c for c in CHANNELS if c in counts] + sorted(set(counts) - set(CHANNELS) - {ALL})
    return {"jobs": jobs, "stages": list(STAGES), "channels": [_channel(c, counts[c]) for c in order],
            "total": _channel("all", counts[ALL])}


def _channel(name: str, n: dict[str, int]) -> dict:
    stages, previous = [], None
    for stage in STAGES:
        stages.append({"stage": stage, "n": n[stage],
                       "of_previous": _r(n[stage] / previous) if previous else None,
                       "of_first": _r(n[stage] / n["candidates"]) if n["candidates"] else None})
        previous = n[stage]
    return {"channel": name, "stages": stages}


async def funnel_report(analytics: AnalyticsRepository, job_ids: list[str]) -> dict:
    records = await analytics.candidate_records(job_ids)
    return await _pool.run(lambda: funnel(candidate_facts(records), len(job_ids)))


def funnel_tables(report: dict) -> list[Table]:
    rows = [[ch["channel"], s["stage"], s["n"], s["of_previous"], s["of_first"]]
            for ch in [*report["channels"], report["total"]] for s in ch["stages"]]
    return [Table("funnel", ["channel", "stage", "n", "of_previous", "of_first"], rows)]


# --------------------------------------------------------------------------------------------------- consistency
async def consistency_report(analytics: AnalyticsRepository, job_id: str, cfg: AnalyticsConfig) -> dict:
    rows = await analytics.score_rows(job_id)
    ratings = await analytics.ratings(job_id)
    return {"job_id": job_id, "bootstrap_samples": cfg.bootstrap_samples,
            "competencies": await _pool.run(lambda: consistency(scored_interviews(rows), ratings, cfg))}


def consistency(interviews: list[ScoredInterview], ratings: list[Rating], cfg: AnalyticsConfig) -> list[dict]:
    """Per competency (and all together) the agreement of AI with people and of people with each other."""
    ai = {(iv.interview_id, c): s for iv in interviews for c, s in competency_scores(iv.scores).items()}
    people: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)  # reviewers in the order they first rated
    for r in ratings:
        people[(r.interview_id, r.competency)][r.reviewer_id] = r.score  # a later rating replaces their earlier
    ai_pairs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    human_pairs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for (iv, comp), by_person in people.items():
        values = list(by_person.values())
        if (iv, comp) in ai:
            ai_pairs[comp].append((ai[(iv, comp)], sum(values) / len(values)))
        if len(values) >= 2:
            human_pairs[comp].append((values[0], values[1]))
    out = [{"competency": c, "ai_vs_human": _agreement(ai_pairs[c], cfg),
            "human_vs_human": _agreement(human_pairs[c], cfg)} for c in sorted(set(ai_pairs) | set(human_pairs))]
    if out:
        out.append({"competency": ALL,
                    "ai_vs_human": _agreement([p for v in ai_pairs.values() for p in v], cfg),
                    "human_vs_human": _agreement([p for v in human_pairs.values() for p in v], cfg)})
    return out


def _estimate(e: st.Estimate) -> dict:
    return {"value": _r(e.value), "ci_low": _r(e.ci_low), "ci_high": _r(e.ci_high)}


def _agreement(pairs: list[tuple[float, float]], cfg: AnalyticsConfig) -> dict:
    n = len(pairs)
    if n < cfg.min_n:  # too few to say anything (and a figure would describe a person or two)
        none = {"value": None, "ci_low": None, "ci_high": None}
        return {"n": n, "icc": none, "kappa": dict(none), "mean_a": None, "mean_b": None}
    x = np.asarray(pairs, dtype=float)
    return {"n": n,
            "icc": _estimate(st.bootstrap_ci(x, st.icc_2_1, cfg.bootstrap_samples, min_n=cfg.min_n)),
            "kappa": _estimate(st.bootstrap_ci(x, st.quadratic_weighted_kappa, cfg.bootstrap_samples,
                                               min_n=cfg.min_n)),
            "mean_a": _r(x[:, 0].mean()), "mean_b": _r(x[:, 1].mean())}


def name_in(report: dict, lang: str):
    """A competency key of ``report`` (or ``(all)``, ``(overall)``) as a reader of ``lang`` names it."""
    names = report.get("competency_names") or {}
    special = {ALL: catalogue.text("an_all_competencies", lang), OVERALL: catalogue.text("an_overall_ai", lang)}
    return lambda competency: special.get(competency) or competency_name_in(names, competency, lang)


def consistency_tables(report: dict, lang: str = "en") -> list[Table]:
    name = name_in(report, lang)
    rows = []
    for c in report["competencies"]:
        for side in ("ai_vs_human", "human_vs_human"):
            a = c[side]
            rows.append([c["competency"], side, a["n"], a["icc"]["value"], a["icc"]["ci_low"], a["icc"]["ci_high"],
                         a["kappa"]["value"], a["kappa"]["ci_low"], a["kappa"]["ci_high"], a["mean_a"], a["mean_b"],
                         name(c["competency"])])
    return [Table("consistency", ["competency", "comparison", "n", "icc", "icc_ci_low", "icc_ci_high", "kappa",
                                  "kappa_ci_low", "kappa_ci_high", "mean_a", "mean_b", "competency_name"], rows)]


# ------------------------------------------------------------------------------------------------------ validity
@dataclass(frozen=True)
class ValidityInput:
    interviews: list[ScoredInterview]
    performance: list[Performance]
    interview_weights: dict[str, dict[str, float]]  # interview id -> its plan's competency weights
    plan_competencies: list[str]  # of the job's current plan
    plan_weights: dict[str, float]  # the current plan's weights ({}: equal)


def _correlation(pairs: list[tuple[float, float]], min_n: int) -> dict:
    n = len(pairs)
    r = st.spearman([a for a, _ in pairs], [b for _, b in pairs]) if n >= min_n else None
    ci = st.fisher_ci(r, n) if r is not None else None
    return {"n": n, "r": _r(r), "ci_low": _r(ci[0]) if ci else None, "ci_high": _r(ci[1]) if ci else None}


def validity(data: ValidityInput, cfg: AnalyticsConfig) -> dict:
    """Correlations of AI scores with performance, and the suggested weights (see the module's docstring)."""
    by_id = {iv.interview_id: iv for iv in data.interviews}
    latest = {iv.candidate_id: iv for iv in data.interviews}  # oldest first: the last one wins
    hires: list[tuple[str, dict[str, float], float]] = []  # (interview id, competency scores, rating)
    for p in data.performance:
        iv = by_id.get(p.interview_id or "") or latest.get(p.candidate_id)
        if iv is not None:
            hires.append((iv.interview_id, competency_scores(iv.scores), p.rating))
    pairs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for _, scores, rating in hires:
        for comp, score in scores.items():
            pairs[comp].append((score, rating))
    correlations = {c: _correlation(v, cfg.min_n) for c, v in pairs.items()}
    current = st.normalised(data.plan_weights, data.plan_competencies)
    suggestion = st.suggest_weights(current, {c: (v["r"], v["n"]) for c, v in correlations.items()},
                                    cfg.weight_min_n, cfg.weight_shrinkage_n)
    overall = [(weighted_mean(s, data.interview_weights.get(iv)), rating) for iv, s, rating in hires]
    return {
        "method": "spearman",
        "rated_hires": len(hires), "unscored_hires": len(data.performance) - len(hires),
        "competencies": [{"competency": c, "correlation": correlations.get(c, _correlation([], cfg.min_n)),
                          "current_weight": _r(current.get(c)),
                          "suggested_weight": suggestion.weights.get(c) if suggestion else None}
                         for c in [*data.plan_competencies, *sorted(set(pairs) - set(data.plan_competencies))]],
        "overall": _correlation([(o, r) for o, r in overall if o is not None], cfg.min_n),
        "overall_suggested": _correlation([(weighted_mean(s, suggestion.weights), rating) for _, s, rating in hires
                                           if s], cfg.min_n) if suggestion else None,
        "suggestion": {"weights": suggestion.weights, "current": suggestion.current, "shrinkage": suggestion.shrinkage,
                       "min_n": cfg.weight_min_n, "shrinkage_n": cfg.weight_shrinkage_n} if suggestion else None,
        "no_suggestion": None if suggestion else _why_none(data.plan_competencies, correlations, cfg),
    }


def _why_none(competencies: list[str], correlations: dict[str, dict], cfg: AnalyticsConfig) -> str:
    if len(competencies) < 2:
        return "single_competency"
    if not any(correlations.get(c, {}).get("n", 0) >= cfg.weight_min_n and correlations[c]["r"] is not None
               for c in competencies):
        return "too_few_hires"
    return "no_positive_correlation"


async def validity_data(analytics: AnalyticsRepository, interview_weights, job_id: str, plan_competencies: list[str],
                        plan_weights: dict[str, float]) -> ValidityInput:
    """What ``validity`` computes on; ``interview_weights``: ``JobRepository.interview_weights``."""
    interviews = await _pool.run(scored_interviews, await analytics.score_rows(job_id))
    return ValidityInput(interviews, await analytics.performance(job_id),
                         await interview_weights([iv.interview_id for iv in interviews]), plan_competencies,
                         plan_weights)


async def validity_report(data: ValidityInput, cfg: AnalyticsConfig) -> dict:
    return await _pool.run(validity, data, cfg)


def validity_tables(report: dict, lang: str = "en") -> list[Table]:
    name = name_in(report, lang)
    rows = [[c["competency"], c["correlation"]["n"], c["correlation"]["r"], c["correlation"]["ci_low"],
             c["correlation"]["ci_high"], c["current_weight"], c["suggested_weight"], name(c["competency"])]
            for c in report["competencies"]]
    o = report["overall"]
    rows.append([OVERALL, o["n"], o["r"], o["ci_low"], o["ci_high"], None, None, name(OVERALL)])
    return [Table("validity", ["competency", "n", "spearman_r", "ci_low", "ci_high", "current_weight",
                               "suggested_weight", "competency_name"], rows)]
