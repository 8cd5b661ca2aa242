"""Event-loop lag: how late a short sleep wakes up. Blocking calls on the loop show up here at once."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque

import numpy as np

from server.platform.metrics import EVENT_LOOP_LAG_SECONDS


class LoopLagMonitor:
    def __init__(self, interval_s: float = 0.05, window: int = 1200):
        self.interval_s = interval_s
        self.samples: deque[float] = deque(maxlen=window)
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="loop-lag-monitor")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            t0 = time.perf_counter()
            await asyncio.sleep(self.interval_s)
            lag_s = max(0.0, time.perf_counter() - t0 - self.interval_s)
            self.samples.append(lag_s * 1000)
            EVENT_LOOP_LAG_SECONDS.observe(lag_s)

    def summary(self) -> dict[str, float]:
        if not self.samples:
            return {"p50": 0.0, "p95": 0.0, "max": 0.0, "samples": 0}
        a = np.fromiter(self.samples, dtype=float)
        return {
            "p50": round(float(np.percentile(a, 50)), 2),
            "p95": round(float(np.percentile(a, 95)), 2),
            "max": round(float(a.max()), 2),
            "samples": int(a.size),
        }
