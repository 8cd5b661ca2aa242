"""The video analysis scheduler: newest frame wins, rates follow the CPU budget, the event loop stays free."""

from __future__ import annotations

import asyncio
import threading
import time

import av
import numpy as np
import pytest

from analyzers.observation import FrameAnalyzer, Observation
from analyzers.video_scheduler import AnalysisBudget, VideoAnalysisScheduler
from media.video import LatestFrameSlot
from server.platform.loop_monitor import LoopLagMonitor

pytestmark = pytest.mark.unit


class MeanBrightness(FrameAnalyzer):
    """A real but deliberately expensive measurement: mean brightness, recomputed ``repeats`` times."""

    name = "brightness"

    def __init__(self, fps: float, repeats: int):
        self.default_fps = fps
        self.repeats = repeats
        self.seen: list[int] = []
        self.threads: set[str] = set()

    def analyze(self, rgb: np.ndarray, t_ms: int) -> Observation:
        self.threads.add(threading.current_thread().name.rsplit("_", 1)[0])
        value = 0.0
        for _ in range(self.repeats):
            value = float(np.sqrt(rgb.astype(np.float64) ** 2).mean())
        self.seen.append(t_ms)
        return Observation(self.name, t_ms, {"brightness": value})


async def _feed(slot: LatestFrameSlot, seconds: float, fps: float = 30) -> None:
    frame = av.VideoFrame.from_ndarray(np.full((480, 640, 3), 100, np.uint8), format="rgb24").reformat(
        format="yuv420p")
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        slot.put(frame)
        await asyncio.sleep(1 / fps)


async def test_slow_analysis_skips_frames_lowers_its_rate_and_keeps_the_loop_free():
    slot = LatestFrameSlot()
    slow = MeanBrightness(fps=15, repeats=20)  # tens of ms per frame: 15 fps would need most of a core
    observations: list[tuple[Observation, float]] = []
    budget = AnalysisBudget(cpu_cores=0.15, lag_target_ms=300, min_fps=0.5)
    start = time.monotonic()
    sched = VideoAnalysisScheduler([slow], slot, lambda o, lag: observations.append((o, lag)),
                                   lambda t: int((t - start) * 1000), budget)
    monitor = LoopLagMonitor(interval_s=0.02)
    monitor.start()
    sched.start()
    await _feed(slot, 4.0)
    await sched.close()
    await monitor.stop()

    run = sched.runs[0]
    assert observations and all(o.values["brightness"] == pytest.approx(100, abs=1) for o, _ in observations)
    assert run.rate_fps < 15 * 0.5, "the rate came down to fit the budget"
    assert run.rate_fps * run.cost_s <= budget.cpu_cores * 1.3
    assert run.skipped > run.analyzed, "frames that arrived during analysis were skipped, not queued"
    # Every frame up to the last one looked at was either analysed or skipped (one may be cut off by close()).
    assert run.last_index - 1 <= run.analyzed + run.skipped <= run.last_index <= slot.received
    assert max(lag for _, lag in observations[-5:]) < 1000, "lag does not grow without bound"
    assert monitor.summary()["p95"] < 50, monitor.summary()  # inference ran off the event loop


async def test_cheap_analysis_runs_at_its_own_rate():
    slot = LatestFrameSlot()
    cheap = MeanBrightness(fps=5, repeats=1)
    start = time.monotonic()
    sched = VideoAnalysisScheduler([cheap], slot, lambda o, lag: None, lambda t: int((t - start) * 1000))
    sched.start()
    await _feed(slot, 2.0)
    await sched.close()
    # About 10 frames in 2 s at 5 fps (fewer if the machine is busy, never more than the rate allows).
    assert 4 <= sched.runs[0].analyzed <= 11 and sched.runs[0].rate_fps <= 5
    assert cheap.seen == sorted(cheap.seen)
    assert cheap.threads == {"vision"}  # the frames' own pool: never queued before a speech decode


async def test_camera_at_the_analyzers_rate_gives_it_every_frame():
    """A camera sending 5 fps to a 5 fps analyzer: the analyzer waits for each next frame instead of skipping a turn
    when its instant comes just before the frame (the page asks the browser for the analyzers' rate)."""
    slot = LatestFrameSlot()
    cheap = MeanBrightness(fps=5, repeats=1)
    start = time.monotonic()
    sched = VideoAnalysisScheduler([cheap], slot, lambda o, lag: None, lambda t: int((t - start) * 1000))
    sched.start()
    await _feed(slot, 3.0, fps=5)
    await asyncio.sleep(0.1)
    await sched.close()
    run = sched.runs[0]
    assert slot.received >= 10
    # on an idle machine every frame; a busy one may delay a call past the next frame (then that one is skipped)
    assert run.analyzed >= 0.7 * slot.received, (run.analyzed, run.skipped, slot.received)


async def test_a_sampler_waits_for_the_next_frame_and_gives_up_after_its_period():
    slot = LatestFrameSlot()
    frame = av.VideoFrame.from_ndarray(np.zeros((4, 4, 3), np.uint8), format="rgb24")
    assert await slot.newer_than(0, 0.01) is None  # nothing came
    slot.put(frame)
    assert (await slot.newer_than(0, 0.01)).index == 1  # already there: at once
    waiting = asyncio.ensure_future(slot.newer_than(1, 5.0))
    await asyncio.sleep(0)
    assert not waiting.done()
    slot.put(frame)
    assert (await waiting).index == 2
    assert await slot.newer_than(2, 0.01) is None and not slot._waiters
