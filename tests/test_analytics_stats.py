"""The analytics' arithmetic against values worked out by hand, published values and SciPy where it has them."""

from __future__ import annotations

import math
from datetime import date, datetime, timezone

import numpy as np
import pytest

from server.reports import analytics_stats as st

pytestmark = pytest.mark.unit

# Shrout & Fleiss (1979), Table 2: six targets rated by four judges; their ICC(2,1) is .29 (ICC(1,1) .17,
# ICC(3,1) .71)
SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]])


def test_icc_2_1_matches_shrout_and_fleiss_and_a_hand_computed_pair():
    assert st.icc_2_1(SHROUT_FLEISS) == pytest.approx(0.2898, abs=5e-4)
    # two raters, three subjects: (1,2), (2,3), (3,5). Grand mean 8/3; row means 1.5, 2.5, 4; column means 2, 10/3.
    # MSR = 2 * ((1.5-8/3)^2 + (2.5-8/3)^2 + (4-8/3)^2) / 2 = 57/18; MSC = 3 * 2 * (2/3)^2 / 1 = 8/3;
    # MSE = residual SS / 2 = (1/3) / 2 = 1/6 (residuals +-1/6, +-1/6, -+1/3).
    # ICC = (MSR - MSE) / (MSR + MSE + 2 (MSC - MSE) / 3) = (3 1/6 - 1/6) / (3 1/6 + 1/6 + 5/3) = 3 / 5 = 0.6
    assert st.icc_2_1(np.array([[1, 2], [2, 3], [3, 5]])) == pytest.approx(0.6)
    # the same on a stack, as the bootstrap calls it
    assert st.icc_2_1(np.stack([SHROUT_FLEISS, SHROUT_FLEISS])) == pytest.approx([0.2898] * 2, abs=5e-4)
    assert math.isnan(st.icc_2_1(np.array([[3, 3], [3, 3], [3, 3]])))  # no variance at all: undefined
    assert math.isnan(st.icc_2_1(np.array([[3, 4]])))


def test_quadratic_weighted_kappa_by_hand():
    # categories (a, b): (1,1) (2,2) (3,4) (4,4) (5,3). Disagreement weights (i-j)^2/16: observed 1/16 + 4/16 =
    # 5/16. Expected: row totals 1 each, column totals 1,1,1,2,0 over n = 5, so sum_ij w_ij E_ij =
    # (1/5) sum_j c_j sum_i (i-j)^2 / 16 = (30 + 15 + 10 + 2 * 15) / 80 = 85/80; kappa = 1 - (5/16) / (85/80) = 12/17
    pairs = np.array([[1, 1], [2, 2], [3, 4], [4, 4], [5, 3]])
    assert st.quadratic_weighted_kappa(pairs) == pytest.approx(12 / 17)
    assert st.quadratic_weighted_kappa(np.array([[1, 1], [3, 3], [5, 5]])) == pytest.approx(1.0)
    # values between categories are rounded half up: 3.5 -> 4, 2.4 -> 2
    assert st.quadratic_weighted_kappa(np.array([[1, 1], [2.4, 2], [3, 4], [3.5, 4], [5, 3]])) == pytest.approx(
        st.quadratic_weighted_kappa(np.array([[1, 1], [2, 2], [3, 4], [4, 4], [5, 3]])))
    assert math.isnan(st.quadratic_weighted_kappa(np.array([[3, 3], [3, 3]])))  # one category only: undefined
    # a perfectly reversed scale is the worst agreement
    assert st.quadratic_weighted_kappa(np.array([[1, 5], [5, 1]])) < -0.9


def test_bootstrap_interval_is_reproducible_and_holds_the_estimate():
    rng = np.random.default_rng(3)
    truth = rng.normal(3, 1, 60)
    pairs = np.column_stack([truth + rng.normal(0, 0.5, 60), truth + rng.normal(0, 0.5, 60)])
    a = st.bootstrap_ci(pairs, st.icc_2_1, 500)
    b = st.bootstrap_ci(pairs, st.icc_2_1, 500)
    assert a == b  # a fixed seed: the same data always gives the same interval
    assert a.ci_low < a.value < a.ci_high and 0.5 < a.value < 1.0
    assert st.bootstrap_ci(pairs[:4], st.icc_2_1, 500) == st.Estimate(pytest.approx(st.icc_2_1(pairs[:4])), None,
                                                                        None)  # too few for an interval
    assert st.bootstrap_ci(np.array([[3, 3]] * 6), st.icc_2_1, 100) == st.Estimate(None, None, None)


def test_spearman_against_scipy_and_fisher_interval_by_hand():
    x = [1, 2, 2, 3, 5, 4, 6, 7, 3]
    y = [2, 1, 3, 3, 4, 6, 5, 8, 2]
    scipy_stats = pytest.importorskip("scipy.stats")
    assert st.spearman(x, y) == pytest.approx(scipy_stats.spearmanr(x, y).statistic)
    assert list(st.average_ranks([10, 20, 20, 5])) == [2, 3.5, 3.5, 1]
    assert st.spearman([1, 2, 3], [3, 3, 3]) is None and st.spearman([1, 2], [1, 2]) is None
    # r = 0.5, n = 28: z = atanh(.5) = 0.5493; se = sqrt((1 + .125) / 25) = 0.2121; z -+ 1.96 se = 0.1336, 0.9651 (tanh: 0.133, 0.747)
    low, high = st.fisher_ci(0.5, 28)
    assert (low, high) == (pytest.approx(math.tanh(0.54931 - 1.95996 * 0.21213), abs=1e-4),
                           pytest.approx(math.tanh(0.54931 + 1.95996 * 0.21213), abs=1e-4))
    assert (round(low, 3), round(high, 3)) == (0.133, 0.747)
    assert st.fisher_ci(0.5, 3) is None
    assert st.fisher_ci(1.0, 10)[1] == pytest.approx(1.0)  # a perfect correlation still has an interval


def test_suggested_weights_follow_the_method():
    # equal weights now (1/3 each); c has too few hires and keeps its third. a and b share their 2/3 by their
    # positive correlations (0.5 and 0.1: targets 5/9 and 1/9), moved by n/(n+30) = 20/50 = 0.4:
    # a = 0.6/3 + 0.4 * 5/9 = 0.4222, b = 0.6/3 + 0.4 * 1/9 = 0.2444; rounded 0.422 + 0.244 + 0.333 = 0.999, the
    # missing thousandth goes to the largest
    s = st.suggest_weights({"a": 1, "b": 1, "c": 1}, {"a": (0.5, 20), "b": (0.1, 20), "c": (0.9, 5)}, 10, 30)
    assert s.weights == {"a": 0.423, "b": 0.244, "c": 0.333} and sum(s.weights.values()) == pytest.approx(1.0)
    assert s.current == {"a": 0.333, "b": 0.333, "c": 0.333} and s.shrinkage == {"a": 0.4, "b": 0.4, "c": 0.0}
    # a negative correlation is taken as no evidence for the competency: its share goes towards 0, not below
    neg = st.suggest_weights({"a": 3, "b": 1}, {"a": (-0.4, 1000), "b": (0.3, 1000)}, 10, 0)
    assert neg.weights == {"a": 0.0, "b": 1.0}
    # nothing to suggest: one competency, too few hires, no positive correlation
    assert st.suggest_weights({"a": 1}, {"a": (0.5, 100)}, 10, 30) is None
    assert st.suggest_weights({"a": 1, "b": 1}, {"a": (0.5, 9), "b": (0.5, 9)}, 10, 30) is None
    assert st.suggest_weights({"a": 1, "b": 1}, {"a": (-0.1, 50), "b": (0.0, 50)}, 10, 30) is None
    assert st.rounded_to_one({"a": 1, "b": 1, "c": 1}) == {"a": 0.334, "b": 0.333, "c": 0.333}


def test_histogram_and_periods():
    bins = st.histogram([0, 9.99, 10, 55, 100, 120, -3], 10)
    assert [b.n for b in bins] == [3, 1, 0, 0, 0, 1, 0, 0, 0, 2]  # 100 (and above) in the last bin, below 0 in the first
    assert (bins[0].low, bins[0].high, bins[-1].high) == (0, 10, 100)
    at = lambda *d: datetime(*d, 12, tzinfo=timezone.utc)  # noqa: E731
    months = st.period_summaries([(at(2026, 1, 31), 10), (at(2026, 1, 2), 20), (at(2026, 1, 3), 90),
                                  (at(2026, 4, 1), 50)], "month")
    assert [(p.period, p.n, p.mean, p.median) for p in months] == [
        ("2026-01", 3, 40.0, 20.0), ("2026-02", 0, None, None), ("2026-03", 0, None, None), ("2026-04", 1, 50, 50)]
    weeks = st.period_summaries([(date(2026, 1, 1), 1), (date(2026, 1, 4), 3), (date(2026, 1, 5), 5)], "week")
    # 1 Jan 2026 is a Thursday of ISO week 1 (it starts Monday 29 Dec 2025); Monday 5 Jan starts week 2
    assert [(p.period, p.start, p.n, p.mean) for p in weeks] == [("2026-W01", date(2025, 12, 29), 2, 2.0),
                                                                ("2026-W02", date(2026, 1, 5), 1, 5.0)]
    assert st.period_summaries([], "week") == []
