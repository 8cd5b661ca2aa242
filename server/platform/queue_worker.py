"""One node's runner of the shared work queue (server/platform/work_queue.py).

It claims due jobs of the kinds it has handlers for, at most ``concurrency`` at a time (and, for a kind given a
``limit``, at most that many of it: e.g. bulk imports, ``import_max_active``), renews their leases while they run,
and records each outcome (done; queued again after a backoff; failed). It also enqueues the periodic jobs (one per
period across the cluster) and prunes old finished jobs. A graceful stop lets running jobs finish for
``stop_grace_s``, then cancels them and gives them back to the queue (another node, or this one after a restart,
runs them); a job cancelled any other way (e.g. handed over while the node drains) is given back the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

import structlog

from analyzers.thread_pool import BoundedThreadPool
from server.platform.metrics import BACKGROUND_JOB_RUNS, BACKGROUND_JOB_SECONDS
from server.platform.work_queue import PeriodicJob, PermanentJobError, RetryRule, WorkQueue
from server.storage.models import BackgroundJob, new_id

log = structlog.get_logger(__name__)

PRUNE_EVERY = timedelta(hours=1)


def node_name() -> str:
    """This process among all nodes: host, process id and a random part (tests run several in one process)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{new_id()[:8]}"


@dataclass(frozen=True)
class WorkerConfig:
    concurrency: int
    poll_s: float
    lease_s: float
    retry: RetryRule
    keep_done_s: float
    keep_failed_s: float
    stop_grace_s: float = 10.0

    @classmethod
    def from_settings(cls, s: Any) -> WorkerConfig:
        return cls(s.job_concurrency, s.job_poll_s, s.job_lease_s, RetryRule(s.job_retry_base_s, s.job_retry_max_s),
                   s.job_keep_done_s, s.job_keep_failed_s)


class QueueWorker:
    def __init__(self, queue: WorkQueue, services: Any, config: WorkerConfig, *,
                 periodic: tuple[PeriodicJob, ...] = (), node: str | None = None) -> None:
        """``services`` is handed to every handler (the server context)."""
        self.queue, self.services, self.config, self.periodic = queue, services, config, periodic
        self.node = node or node_name()
        self.handlers = queue.handlers
        self.running: dict[str, asyncio.Task] = {}  # job id -> its run
        self._kind_of: dict[str, str] = {}  # job id -> its kind, while it runs
        self._limits: dict[str, Callable[[], int]] = {}  # kind -> how many of it may run here at once
        self._threads = BoundedThreadPool("jobs", config.concurrency)
        self._wake = asyncio.Event()
        self._stopping = False
        self._loop_task: asyncio.Task | None = None
        self._lease_task: asyncio.Task | None = None
        self._periods: dict[str, int] = {}
        self._pruned_at: datetime | None = None
        queue.on_enqueue = self.wake

    @property
    def jobs(self):
        return self.queue.jobs

    def now(self) -> datetime:
        return self.queue.clock()

    def wake(self) -> None:
        self._wake.set()

    # --- running ------------------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._loop_task is None:
            self._stopping = False
            self._loop_task = asyncio.create_task(self._loop(), name=f"queue-worker-{self.node}")
            self._lease_task = asyncio.create_task(self._renew_leases(), name="queue-leases")

    async def stop(self) -> None:
        """Stop claiming; wait for running jobs up to ``stop_grace_s``, then cancel and release the rest."""
        self._stopping = True
        self.wake()
        if self._loop_task is not None:
            await asyncio.gather(self._loop_task, return_exceptions=True)
            self._loop_task = None
        tasks = list(self.running.values())
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=self.config.stop_grace_s)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=5)
        if self._lease_task is not None:
            self._lease_task.cancel()
            await asyncio.gather(self._lease_task, return_exceptions=True)
            self._lease_task = None
        self._threads.shutdown(wait=False)

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self.enqueue_periodic()
                await self._prune()
                await self.claim_and_start()
            except Exception:  # noqa: BLE001 - the database may be away for a moment; try again next poll
                log.warning("queue_poll_failed", node=self.node, exc_info=True)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.config.poll_s)

    def limit(self, kind: str, most: Callable[[], int]) -> None:
        """Run at most ``most()`` jobs of ``kind`` at once on this node (asked before each claim; 0 pauses the kind),
        within ``concurrency`` for all kinds."""
        self._limits[kind] = most

    def running_of(self, kind: str) -> int:
        return sum(1 for k in self._kind_of.values() if k == kind)

    async def claim_and_start(self) -> int:
        """Claim as many due jobs as there are free slots and start them; returns how many were claimed."""
        free = self.config.concurrency - len(self.running)
        if free <= 0 or self._stopping:
            return 0
        claimed: list[BackgroundJob] = []
        for kind, most in self._limits.items():  # the limited kinds, each up to its own room
            room = min(free - len(claimed), most() - self.running_of(kind))
            if kind in self.handlers and room > 0:
                claimed += await self.jobs.claim(self.node, [kind], room, self.config.lease_s, self.now())
        others = [kind for kind in self.handlers if kind not in self._limits]
        if free > len(claimed) and others:
            claimed += await self.jobs.claim(self.node, others, free - len(claimed), self.config.lease_s, self.now())
        for job in claimed:
            self._kind_of[job.id] = job.kind
            self._track(job.id, asyncio.create_task(self._execute(job), name=f"job-{job.kind}-{job.id}"))
        return len(claimed)

    async def drain(self) -> None:
        """Run due jobs until none is left (for tests; the loop does this on its own)."""
        while True:
            claimed = await self.claim_and_start()
            if self.running:
                await asyncio.wait(list(self.running.values()), return_when=asyncio.FIRST_COMPLETED)
            elif not claimed:
                return

    def _track(self, job_id: str, task: asyncio.Task) -> None:
        self.running[job_id] = task

        def done(_t: asyncio.Task) -> None:
            self.running.pop(job_id, None)
            self._kind_of.pop(job_id, None)
            self.wake()  # a slot is free

        task.add_done_callback(done)

    async def _execute(self, job: BackgroundJob) -> None:
        handler = self.handlers[job.kind]
        log.info("job_started", job_id=job.id, kind=job.kind, attempt=job.attempts, node=self.node)
        t0 = time.perf_counter()
        try:
            if handler.blocking:
                await self._threads.run(handler.fn, self.services, dict(job.payload))
            else:
                await handler.fn(self.services, dict(job.payload))
        except asyncio.CancelledError:
            _count_run(job.kind, "interrupted", t0)
            with contextlib.suppress(Exception):
                await self.jobs.release(job.id, self.node, self.now())
            log.warning("job_released", job_id=job.id, kind=job.kind, node=self.node)
            raise
        except Exception as exc:  # noqa: BLE001 - recorded on the job, retried or failed
            _count_run(job.kind, "failed", t0)
            try:
                await self._failed(job, exc)
            except Exception:  # noqa: BLE001 - unrecorded: the lease runs out and the job runs again
                log.warning("job_outcome_not_recorded", job_id=job.id, kind=job.kind, exc_info=True)
            return
        _count_run(job.kind, "ok", t0)
        try:
            held = await self.jobs.complete(job.id, self.node, self.now())
        except Exception:  # noqa: BLE001 - unrecorded: the lease runs out and the (idempotent) job runs again
            log.warning("job_outcome_not_recorded", job_id=job.id, kind=job.kind, exc_info=True)
            return
        if held:
            log.info("job_done", job_id=job.id, kind=job.kind)
        else:
            log.warning("job_lease_lost", job_id=job.id, kind=job.kind, node=self.node)

    async def _failed(self, job: BackgroundJob, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        now = self.now()
        if isinstance(exc, PermanentJobError) or job.attempts >= job.max_attempts:
            log.error("job_failed", job_id=job.id, kind=job.kind, attempts=job.attempts, error=error,
                      exc_info=not isinstance(exc, PermanentJobError))
            await self.jobs.fail(job.id, self.node, error, now)
            return
        delay = self.config.retry.delay_s(job.attempts)
        log.warning("job_retry", job_id=job.id, kind=job.kind, attempts=job.attempts, delay_s=delay, error=error)
        await self.jobs.retry(job.id, self.node, error, now + timedelta(seconds=delay), now)

    # --- leases, periods, pruning ---------------------------------------------------------------------------------
    async def _renew_leases(self) -> None:
        interval = max(0.2, self.config.lease_s / 3)
        while True:
            await asyncio.sleep(interval)
            ids = list(self.running)
            try:
                held = await self.jobs.renew(ids, self.node, self.config.lease_s, self.now())
            except Exception:  # noqa: BLE001 - the next renewal tries again; the lease covers a few misses
                log.warning("job_lease_renewal_failed", node=self.node, exc_info=True)
                continue
            if held < len(ids):
                log.warning("job_leases_lost", node=self.node, running=len(ids), held=held)

    async def enqueue_periodic(self) -> None:
        """Enqueue each periodic job's current period once per node (the key makes it once per cluster)."""
        now = self.now()
        for spec in self.periodic:
            period = spec.period(now)
            if self._periods.get(spec.kind) == period:
                continue
            await self.jobs.enqueue(spec.kind, {}, now=now, idempotency_key=spec.key(period),
                                    run_after=spec.starts(period), max_attempts=1)
            self._periods[spec.kind] = period

    async def _prune(self) -> None:
        now = self.now()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        n = await self.jobs.prune(now - timedelta(seconds=self.config.keep_done_s),
                                  now - timedelta(seconds=self.config.keep_failed_s))
        if n:
            log.info("jobs_pruned", count=n)


def _count_run(kind: str, outcome: str, started: float) -> None:
    """One run of a queued job in the metrics, by its kind (a bounded set: the registered handlers)."""
    BACKGROUND_JOB_RUNS.labels(kind, outcome).inc()
    BACKGROUND_JOB_SECONDS.labels(kind).observe(time.perf_counter() - started)
