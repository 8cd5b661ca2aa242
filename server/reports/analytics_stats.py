"""The statistics behind the HR analytics, as pure functions of plain numbers (no database, no I/O).

* ``histogram`` and ``period_summaries``: a score distribution and its mean, median and n per week or month.
* ``icc_2_1``: the intraclass correlation ICC(2,1) of Shrout & Fleiss (1979), two-way random effects, absolute
  agreement, one rater (McGraw & Wong's ICC(A,1)): ``(MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE) / n)``.
* ``quadratic_weighted_kappa``: Cohen's kappa on the categories 1..5 with quadratic disagreement weights
  ``(i - j)^2 / (K - 1)^2``; values between categories are rounded half up first.
* ``bootstrap_ci``: the percentile bootstrap over subjects (rows), with a fixed seed so the same data always gives
  the same interval.
* ``spearman`` with ``fisher_ci``: Spearman's rank correlation (ties get their average rank) and its 95 % interval
  by Fisher's z with the Bonett & Wright (2000) variance for Spearman, ``(1 + r^2 / 2) / (n - 3)``.
* ``suggest_weights``: competency weights moved from the current ones towards the competencies' positive
  correlations with later performance, the more the more people they rest on (the method is in its docstring).

Each returns ``None`` (or NaN inside the bootstrap) where the figure is undefined: too few subjects, no variance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

Z_95 = 1.959963984540054  # the standard normal's 97.5 % quantile
CATEGORIES = 5  # ratings 1..5


# --------------------------------------------------------------------------------------- distributions over time
@dataclass(frozen=True)
class Bin:
    low: float
    high: float  # the last bin includes its upper edge
    n: int


def histogram(values: Sequence[float], bins: int, low: float = 0.0, high: float = 100.0) -> list[Bin]:
    """Counts of ``values`` in ``bins`` equal bins over [low, high] (values outside are clipped to the edges)."""
    width = (high - low) / bins
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int((v - low) // width)))] += 1
    return [Bin(round(low + i * width, 6), round(low + (i + 1) * width, 6), c) for i, c in enumerate(counts)]


def period_start(day: date, period: str) -> date:
    """The first day of ``day``'s ISO week (Monday) or month."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown period {period!r}")


def period_label(start: date, period: str) -> str:
    """``2026-W03`` (ISO week) or ``2026-01``."""
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start.year}-{start.month:02d}"


def _next_period(start: date, period: str) -> date:
    if period == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class PeriodSummary:
    period: str
    start: date
    n: int
    mean: float | None
    median: float | None


def period_summaries(points: Sequence[tuple[datetime | date, float]], period: str) -> list[PeriodSummary]:
    """Mean, median and n of the values per week or month, from the first period with a value to the last (the
    periods between without any carry n = 0)."""
    groups: dict[date, list[float]] = {}
    for at, value in points:
        day = at.date() if isinstance(at, datetime) else at
        groups.setdefault(period_start(day, period), []).append(value)
    if not groups:
        return []
    out = []
    start, last = min(groups), max(groups)
    while start <= last:
        vals = groups.get(start, [])
        out.append(PeriodSummary(period_label(start, period), start, len(vals),
                                 float(np.mean(vals)) if vals else None, float(np.median(vals)) if vals else None))
        start = _next_period(start, period)
    return out


# --------------------------------------------------------------------------------------------- rater agreement
def icc_2_1(ratings: np.ndarray) -> float:
    """ICC(2,1) of an n subjects x k raters matrix (no missing cells); NaN when undefined (n < 2, or no
    variance at all). Works on a stack of matrices too (shape (..., n, k)), as the bootstrap needs."""
    x = np.asarray(ratings, dtype=float)
    n, k = x.shape[-2], x.shape[-1]
    if n < 2 or k < 2:
        return float("nan")
    grand = x.mean(axis=(-2, -1), keepdims=True)
    rows = x.mean(axis=-1, keepdims=True)
    cols = x.mean(axis=-2, keepdims=True)
    msr = k * ((rows - grand) ** 2).sum(axis=(-2, -1)) / (n - 1)
    msc = n * ((cols - grand) ** 2).sum(axis=(-2, -1)) / (k - 1)
    mse = ((x - rows - cols + grand) ** 2).sum(axis=(-2, -1)) / ((n - 1) * (k - 1))
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        icc = np.where(denominator > 1e-12, (msr - mse) / np.where(denominator > 1e-12, denominator, 1.0), np.nan)
    return icc if icc.ndim else float(icc)


def to_category(values: np.ndarray | Sequence[float]) -> np.ndarray:
    """Ratings on the 1..5 scale as whole categories: rounded half up (3.5 -> 4), kept within 1..5."""
    return np.clip(np.floor(np.asarray(values, dtype=float) + 0.5), 1, CATEGORIES).astype(int)


def quadratic_weighted_kappa(pairs: np.ndarray) -> float:
    """Quadratic-weighted kappa of an n x 2 matrix of ratings on 1..5 (rounded to categories); NaN when undefined
    (no subjects, or both raters always gave one and the same category). Works on a stack (shape (..., n, 2))."""
    x = to_category(pairs) - 1
    n = x.shape[-2]
    if n == 0:
        return float("nan")
    lead = x.shape[:-2]
    flat = x.reshape(-1, n, 2)
    cells = flat[..., 0] * CATEGORIES + flat[..., 1] + (np.arange(flat.shape[0]) * CATEGORIES ** 2)[:, None]
    observed = np.bincount(cells.ravel(), minlength=flat.shape[0] * CATEGORIES ** 2)
    observed = observed.reshape(flat.shape[0], CATEGORIES, CATEGORIES).astype(float)
    expected = observed.sum(axis=2)[:, :, None] * observed.sum(axis=1)[:, None, :] / n
    i, j = np.indices((CATEGORIES, CATEGORIES))
    weight = (i - j) ** 2 / (CATEGORIES - 1) ** 2
    disagreement = (weight * expected).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(disagreement > 1e-12,
                         1 - (weight * observed).sum(axis=(1, 2)) / np.where(disagreement > 1e-12, disagreement, 1),
                         np.nan)
    kappa = kappa.reshape(lead)
    return kappa if kappa.ndim else float(kappa)


@dataclass(frozen=True)
class Estimate:
    value: float | None
    ci_low: float | None
    ci_high: float | None


def bootstrap_ci(data: np.ndarray, statistic: Callable[[np.ndarray], float | np.ndarray], samples: int,
                 seed: int = 15, min_n: int = 5) -> Estimate:
    """``statistic`` of the n x k matrix ``data`` and its 95 % percentile-bootstrap interval: subjects (rows)
    resampled with replacement ``samples`` times (``statistic`` takes a stack of matrices); resamples where it is
    undefined are left out. Fewer than ``min_n`` subjects: the value alone, no interval."""
    x = np.asarray(data, dtype=float)
    n = x.shape[0]
    value = float(statistic(x)) if n else float("nan")
    if math.isnan(value):
        return Estimate(None, None, None)
    if n < min_n or samples <= 0:
        return Estimate(value, None, None)
    rng = np.random.default_rng(seed)
    stats = []
    for start in range(0, samples, 256):  # in chunks: a stack of 256 resamples stays small for large n
        idx = rng.integers(0, n, size=(min(256, samples - start), n))
        stats.append(np.atleast_1d(statistic(x[idx])))
    values = np.concatenate(stats)
    values = values[~np.isnan(values)]
    if values.size < samples / 2:  # mostly undefined: no honest interval
        return Estimate(value, None, None)
    low, high = np.percentile(values, [2.5, 97.5])
    return Estimate(value, float(low), float(high))


# ------------------------------------------------------------------------------------------------- correlation
def average_ranks(values: Sequence[float]) -> np.ndarray:
    """Ranks 1..n, tied values sharing the mean of their ranks."""
    x = np.asarray(values, dtype=float)
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x))
    sorted_x = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and sorted_x[j + 1] == sorted_x[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rank correlation (Pearson's r of the average ranks); None with fewer than 3 pairs or when either
    side does not vary."""
    if len(x) != len(y):
        raise ValueError("x and y must be paired")
    if len(x) < 3:
        return None
    rx, ry = average_ranks(x), average_ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denominator = math.sqrt(float((rx ** 2).sum() * (ry ** 2).sum()))
    if denominator == 0:
        return None
    return max(-1.0, min(1.0, float((rx * ry).sum()) / denominator))


def fisher_ci(r: float, n: int) -> tuple[float, float] | None:
    """The 95 % interval of a Spearman correlation ``r`` from ``n`` pairs by Fisher's z, with the Bonett & Wright
    variance ``(1 + r^2/2) / (n - 3)``; None for n < 4."""
    if n < 4:
        return None
    r = max(-0.999999, min(0.999999, r))
    z = math.atanh(r)
    se = math.sqrt((1 + r * r / 2) / (n - 3))
    return math.tanh(z - Z_95 * se), math.tanh(z + Z_95 * se)


# ------------------------------------------------------------------------------------------ suggested weights
@dataclass(frozen=True)
class WeightSuggestion:
    weights: dict[str, float]  # sums to 1
    current: dict[str, float]  # the current weights, normalised to sum to 1
    shrinkage: dict[str, float]  # per competency, how far it moved towards its evidence (0..1)


def normalised(weights: dict[str, float], competencies: Sequence[str]) -> dict[str, float]:
    """``weights`` over ``competencies`` summing to 1; equal weights when none are given (or none above 0)."""
    given = {c: max(0.0, float(weights.get(c, 0.0))) for c in competencies} if weights else {}
    total = sum(given.values())
    if total <= 0:
        return {c: 1 / len(competencies) for c in competencies} if competencies else {}
    return {c: w / total for c, w in given.items()}


def suggest_weights(current: dict[str, float], correlations: dict[str, tuple[float | None, int]],
                    min_n: int, shrinkage_n: int) -> WeightSuggestion | None:
    """Suggested competency weights from their AI scores' correlations with later performance.

    ``current``: the plan's weights (normalised here; equal when empty) over its competencies; ``correlations``:
    per competency (r, n). The method:

    1. The competencies with a correlation from at least ``min_n`` hires (set E) share the weight they have now,
       W_E, in proportion to their positive correlations: target_c = W_E * max(r_c, 0) / sum over E of max(r, 0).
    2. Each moves from its current weight towards its target by lambda_c = n_c / (n_c + shrinkage_n): few hires,
       little movement; many hires, close to the target. Competencies outside E keep their weight.
    3. The result sums to 1 (steps 1 and 2 keep each share's total); weights are rounded to 3 decimals.

    None when there is nothing to suggest: fewer than two competencies, none with enough hires, or no positive
    correlation among them.
    """
    competencies = list(current) if current else list(correlations)
    if len(competencies) < 2:
        return None
    base = normalised(current, competencies)
    evidence = {c: (r, n) for c, (r, n) in correlations.items()
                if c in base and r is not None and n >= min_n}
    positive = sum(max(r, 0.0) for r, _ in evidence.values())
    if not evidence or positive <= 0:
        return None
    mass = sum(base[c] for c in evidence)
    weights, shrink = {}, {}
    for c in competencies:
        if c in evidence:
            r, n = evidence[c]
            lam = n / (n + shrinkage_n)
            weights[c] = (1 - lam) * base[c] + lam * mass * max(r, 0.0) / positive
            shrink[c] = round(lam, 3)
        else:
            weights[c], shrink[c] = base[c], 0.0
    return WeightSuggestion(rounded_to_one(weights), {c: round(w, 3) for c, w in base.items()}, shrink)


def rounded_to_one(weights: dict[str, float], places: int = 3) -> dict[str, float]:
    """Weights rounded to ``places`` decimals that still sum to exactly 1 (the rounding error goes to the
    largest weight)."""
    total = sum(weights.values())
    out = {c: round(w / total, places) for c, w in weights.items()}
    if out:
        largest = max(out, key=out.get)
        out[largest] = round(out[largest] + 1 - sum(out.values()), places)
    return out
