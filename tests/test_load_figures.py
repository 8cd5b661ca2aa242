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
