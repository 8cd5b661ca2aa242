"""A background loop that runs ``tick()`` every ``interval_s()`` seconds until the server stops (one per process).

New background work goes on the shared queue instead (server/platform/work_queue.py: jobs any node runs, periodic
jobs once per period across the nodes); this loop remains for work not yet moved there (the report write-back)."""

from __future__ import annotations

import asyncio
import time

import structlog

from server.platform.metrics import BACKGROUND_JOB_RUNS, BACKGROUND_JOB_SECONDS

log = structlog.get_logger(__name__)


class PeriodicWorker:
    name = "periodic"

    def __init__(self) -> None:
        self._task: asyncio.Task | None = None
        self._stopping = asyncio.Event()

    def interval_s(self) -> float:
        raise NotImplementedError

    async def tick(self) -> dict:
        raise NotImplementedError

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=10)
        except asyncio.TimeoutError:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def _run(self) -> None:
        while not self._stopping.is_set():
            t0 = time.perf_counter()
            try:
                await self.tick()
                BACKGROUND_JOB_RUNS.labels(self.name, "ok").inc()
            except Exception:  # noqa: BLE001 - a bad run must not stop the next one
                BACKGROUND_JOB_RUNS.labels(self.name, "failed").inc()
                log.exception("periodic_tick_failed", worker=self.name)
            BACKGROUND_JOB_SECONDS.labels(self.name).observe(time.perf_counter() - t0)
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self.interval_s())
            except asyncio.TimeoutError:
                pass
