"""Runs one interview's video analyzers within a CPU budget, off the event loop.

Each analyzer samples the newest frame at its own rate (frames that arrive in between are skipped, never
queued), runs on the inference pool with at most one frame in flight, and reports analysis lag (frame received
→ observation ready). When the session's analyzers would use more than their CPU budget, or lag rises above the
target, rates go down (to a floor) instead of falling behind; they recover when there is room again.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import structlog

from analyzers.inference_pool import run_vision
from analyzers.metrics import ANALYSIS_LAG_SECONDS, FRAME_ANALYSIS_SECONDS
from analyzers.observation import FrameAnalyzer, Observation
from media.video import LatestFrameSlot, VideoSample

log = structlog.get_logger(__name__)

# Every session's analysis lags, for the process-wide figure on /api/v1/health.
ANALYSIS_LAGS_MS: deque[float] = deque(maxlen=5000)


def lag_summary(values) -> dict[str, float]:
    a = np.fromiter(values, dtype=float)
    if a.size == 0:
        return {"p50": 0.0, "p95": 0.0, "max": 0.0, "samples": 0}
    return {"p50": round(float(np.percentile(a, 50)), 1), "p95": round(float(np.percentile(a, 95)), 1),
            "max": round(float(a.max()), 1), "samples": int(a.size)}


@dataclass(frozen=True)
class AnalysisBudget:
    cpu_cores: float = 0.12
    """Share of one core this session's video analysis may use on average."""
    lag_target_ms: float = 400.0
    min_fps: float = 0.5


@dataclass
class AnalyzerRun:
    analyzer: FrameAnalyzer
    rate_fps: float
    analyzed: int = 0
    skipped: int = 0
    errors: int = 0
    last_index: int = 0
    cost_s: float = 0.0  # moving average of compute time per frame
    lags_ms: deque = field(default_factory=lambda: deque(maxlen=50))

    def stats(self) -> dict:
        return {"rate_fps": round(self.rate_fps, 2), "analyzed": self.analyzed, "skipped": self.skipped,
                "errors": self.errors, "cost_ms": round(self.cost_s * 1000, 2), "lag_ms": lag_summary(self.lags_ms)}


class _RgbCache:
    """One RGB conversion per frame, shared by the session's analyzers.

    PyAV keeps one converter per frame object, and using it from two threads at once crashes the process, so
    conversions are serialised here (about 0.2 ms at 640x480) and reused by every analyzer that samples the frame.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index = -1
        self._rgb: np.ndarray | None = None

    def get(self, sample: VideoSample) -> np.ndarray:
        with self._lock:
            if sample.index != self._index or self._rgb is None:
                self._rgb = sample.frame.to_ndarray(format="rgb24")
                self._index = sample.index
            return self._rgb


def _analyze(analyzer: FrameAnalyzer, cache: _RgbCache, sample: VideoSample, t_ms: int) -> tuple[Observation, float]:
    t0 = time.perf_counter()
    obs = analyzer.analyze(cache.get(sample), t_ms)
    return obs, time.perf_counter() - t0


class VideoAnalysisScheduler:
    def __init__(
        self,
        analyzers: list[FrameAnalyzer],
        slot: LatestFrameSlot,
        on_observation: Callable[[Observation, float], None],
        media_ms: Callable[[float], int],
        budget: AnalysisBudget | None = None,
    ):
        self.slot = slot
        self.budget = budget or AnalysisBudget()
        self.runs = [AnalyzerRun(a, a.default_fps) for a in analyzers]
        self._on_observation = on_observation
        self._media_ms = media_ms
        self._tasks: list[asyncio.Task] = []
        self._rgb = _RgbCache()

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._loop(run), name=f"analyze-{run.analyzer.name}") for run in self.runs]

    async def close(self, close_analyzers: bool = True) -> None:
        """Stop sampling; ``close_analyzers=False`` keeps the analyzers (and their state) for a later session."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if not close_analyzers:
            return
        for run in self.runs:
            with contextlib.suppress(Exception):
                await run_vision(run.analyzer.close)

    def stats(self) -> dict[str, dict]:
        return {run.analyzer.name: run.stats() for run in self.runs}

    async def _loop(self, run: AnalyzerRun) -> None:
        next_due = time.monotonic()
        while True:
            next_due += 1.0 / run.rate_fps
            await asyncio.sleep(max(0.0, next_due - time.monotonic()))
            next_due = max(next_due, time.monotonic() - 1.0 / run.rate_fps)  # never burst to catch up
            sample = self.slot.peek()
            if sample is None or sample.index == run.last_index:
                # the camera sends about as often as this analyzer samples: wait for its next frame (at most one
                # period) rather than skip a turn
                sample = await self.slot.newer_than(run.last_index, 1.0 / run.rate_fps)
                if sample is None:
                    continue
            run.skipped += max(0, sample.index - run.last_index - 1)
            run.last_index = sample.index
            try:
                obs, cost = await run_vision(_analyze, run.analyzer, self._rgb, sample,
                                                self._media_ms(sample.received_at))
            except Exception:
                run.errors += 1
                log.exception("analyzer_failed", analyzer=run.analyzer.name)
                continue
            lag_ms = (time.monotonic() - sample.received_at) * 1000
            run.analyzed += 1
            run.cost_s = cost if run.analyzed == 1 else 0.8 * run.cost_s + 0.2 * cost
            run.lags_ms.append(lag_ms)
            ANALYSIS_LAGS_MS.append(lag_ms)
            FRAME_ANALYSIS_SECONDS.labels(run.analyzer.name).observe(cost)
            ANALYSIS_LAG_SECONDS.labels(run.analyzer.name).observe(lag_ms / 1000)
            self._on_observation(obs, lag_ms)
            self._adapt(run, lag_ms)

    def _adapt(self, run: AnalyzerRun, lag_ms: float) -> None:
        """Keep within the CPU budget and the lag target; recover slowly towards the analyzer's own rate."""
        demand = sum(r.cost_s * r.rate_fps for r in self.runs)
        if demand > self.budget.cpu_cores:
            scale = self.budget.cpu_cores / demand
            for r in self.runs:
                r.rate_fps = max(self.budget.min_fps, r.rate_fps * scale)
        elif lag_ms > self.budget.lag_target_ms:
            run.rate_fps = max(self.budget.min_fps, run.rate_fps * 0.8)
        elif lag_ms < self.budget.lag_target_ms / 2 and demand < 0.8 * self.budget.cpu_cores:
            run.rate_fps = min(run.analyzer.default_fps, run.rate_fps * 1.1)
