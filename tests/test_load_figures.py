"""The load test's per-window figures from the observers' ``media.stats`` events (benchmarks/load.py)."""

from __future__ import annotations

from benchmarks.load import analyzed_between
from benchmarks.synthetic_candidate import ReceivedEvent


def _stats(at: float, face: int, pose: int) -> ReceivedEvent:
    return ReceivedEvent(at, {"type": "media.stats", "analysis": {"face": {"analyzed": face},
                                                                  "pose": {"analyzed": pose}}})


def test_frames_analysed_in_the_window_are_counted_from_cumulative_stats():
    stats = [_stats(1.0, 3, 1), _stats(2.0, 8, 3), _stats(12.0, 58, 23), _stats(13.0, 63, 25)]
    # the window 2.5-12.5: the last stats before each end, subtracted (ramp and drain left out)
    assert analyzed_between(stats, 2.5, 12.5) == {"face": 50, "pose": 20}
    # a session whose first stats came inside the window counts from zero
    assert analyzed_between(stats, 0.5, 2.0) == {"face": 8, "pose": 3}
    assert analyzed_between([], 0.0, 10.0) == {}


def test_interval_lag_p95_comes_from_the_difference_of_two_scrapes():
    from benchmarks.load_soak import INTERVAL_HISTOGRAMS, parse_histograms, quantile, subtract

    def scrape(face: tuple[int, int, int], pose: tuple[int, int, int]) -> str:
        lines = ["# TYPE interview_analysis_lag_seconds histogram"]
        for analyzer, (under_100ms, under_500ms, total) in (("face", face), ("pose", pose)):
            for le, n in (("0.1", under_100ms), ("0.5", under_500ms), ("+Inf", total)):
                lines.append(f'interview_analysis_lag_seconds_bucket{{analyzer="{analyzer}",le="{le}"}} {n}')
        return "\n".join(lines) + "\n"

    before = parse_histograms(scrape((90, 100, 100), (10, 10, 10)), INTERVAL_HISTOGRAMS)
    after = parse_histograms(scrape((100, 110, 200), (10, 20, 20)), INTERVAL_HISTOGRAMS)
    interval = subtract(after["analysis_lag_ms"], before["analysis_lag_ms"])
    # in the interval: 10 frames under 100 ms, 10 more under 500 ms, 90 slower (both analyzers together)
    assert interval == {0.1: 10, 0.5: 20, float("inf"): 110}
    assert round(quantile(0.05, interval) * 1000, 6) == 55.0  # rank 5.5 of 10 in the first bucket: linear within it
    assert quantile(0.95, interval) == 0.5  # in +Inf: the largest finite bound, as Prometheus answers
    assert quantile(0.95, before["answer_to_question_ms"]) is None  # no observations, no figure


def test_drift_compares_the_first_and_last_stretch_and_fits_a_slope_per_ten_minutes():
    from benchmarks.load_soak import drift_summary

    # a node whose RSS grows 10 MB a minute, another flat, one sample a minute for 20 minutes
    samples = [{"elapsed_s": 60.0 * k, "nodes": {"n1": {"rss_mb": 900 + 10 * k, "loop_lag_ms_p95": 12.0},
                                                  "n2": {"rss_mb": 950.0, "loop_lag_ms_p95": None}}}
               for k in range(1, 21)]
    drift = drift_summary(samples, window_s=300)
    assert drift["rss_mb"]["n1"]["first_mean"] == 930.0  # minutes 1-5
    assert drift["rss_mb"]["n1"]["last_mean"] == 1080.0  # minutes 16-20: as many samples as the first stretch
    assert drift["rss_mb"]["n1"]["slope_per_10_min"] == 100.0
    assert drift["rss_mb"]["n2"]["slope_per_10_min"] == 0.0
    assert drift["loop_lag_p95_ms"]["n2"] is None  # no values, no trend


def test_the_soak_and_cluster_options_and_what_they_refuse():
    import pytest

    from benchmarks.load import drift_window, node_capacity, parse_args

    soak = parse_args(["--soak", "--processes", "3", "--sessions", "8"])
    assert (soak.seconds, soak.churn, soak.questions) == (1800.0, True, 3)
    assert node_capacity(soak) == 3 and drift_window(soak) == 300.0
    short = parse_args(["--churn", "--seconds", "240", "--sample-s", "30"])
    assert drift_window(short) == 60.0 and short.processes == 1
    assert drift_window(parse_args(["--churn", "--seconds", "60", "--sample-s", "20"])) == 20.0  # one sample at least
    assert parse_args([]).questions == 50 and not parse_args([]).churn
    for refused in (["--processes", "2", "--url", "http://127.0.0.1:8080", "--email", "e", "--password", "p"],
                    ["--soak", "--sweep"], ["--processes", "0"]):
        with pytest.raises(SystemExit):
            parse_args(refused)
