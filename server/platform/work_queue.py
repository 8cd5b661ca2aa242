"""The shared, durable work queue: background work as rows any node may run (storage: ``background_jobs``).

Put work on it with ``await queue.enqueue(kind, payload, idempotency_key=None, run_after=None)``; say what runs it
with ``@handler(kind)`` on a function ``(services, payload) -> None`` (``services``: the server context; a plain
function is run on a worker thread, a coroutine function on the event loop). Each node runs a
``server/platform/queue_worker.py`` ``QueueWorker``.

Guarantees: a job runs on one node at a time (claimed atomically under a lease); a node that dies mid-job leaves it
``running`` until its lease runs out, then another node runs it again. So delivery is at least once: handlers must
be idempotent (check what was already done, e.g. an invitation already ``sent``). A failing run is retried after
``retry_base_s * 2 ** (attempts - 1)`` seconds, at most ``retry_max_s`` (tenacity's ``wait_exponential``), and the
job is ``failed`` with its last error once it has had ``max_attempts`` runs or raised ``PermanentJobError``.

The payload is encrypted at rest; still, keep it to ids and what the handler cannot look up again. An
``idempotency_key`` is unique for the table's lifetime (finished jobs are pruned after ``job_keep_*_s``): enqueueing
the same key twice stores one job. Periodic work (``PeriodicJob``) is enqueued by every node with a key per
period, so each period's run happens once across the cluster.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

from tenacity import wait_exponential

from server.storage.background_jobs import BackgroundJobRepository
from server.storage.models import BackgroundJob, as_utc, utcnow


class PermanentJobError(Exception):
    """Raised by a handler whose job can never succeed (e.g. its record was deleted): failed without retries."""


@dataclass(frozen=True)
class Handler:
    kind: str
    fn: Callable[..., Any]

    @property
    def blocking(self) -> bool:
        """A plain function: it blocks, so it runs on a worker thread, never on the event loop."""
        return not inspect.iscoroutinefunction(self.fn)


HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(services, payload)`` as what runs jobs of ``kind`` (one handler per kind)."""
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        existing = HANDLERS.get(kind)
        if existing is not None and existing.fn is not fn:
            raise ValueError(f"a handler for {kind!r} is already registered ({existing.fn.__qualname__})")
        HANDLERS[kind] = Handler(kind, fn)
        return fn
    return register


@dataclass(frozen=True)
class RetryRule:
    """Exponential backoff between a failing job's runs (tenacity's rule, so it reads like every other retry)."""

    base_s: float
    max_s: float

    def delay_s(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed run: base, 2 x base, 4 x base, ... up to max."""
        wait = wait_exponential(multiplier=self.base_s, min=self.base_s, max=self.max_s)
        return float(wait(SimpleNamespace(attempt_number=max(1, attempts))))


@dataclass(frozen=True)
class PeriodicJob:
    """Work every ``every_s`` seconds, run once per period across all nodes (idempotency key per period)."""

    kind: str
    every_s: float

    def period(self, now: datetime) -> int:
        return int(now.timestamp() // self.every_s)

    def key(self, period: int) -> str:
        return f"{self.kind}@{period}"

    def starts(self, period: int) -> datetime:
        return datetime.fromtimestamp(period * self.every_s, tz=timezone.utc)


class WorkQueue:
    """Enqueueing; ``on_enqueue`` wakes this node's worker so work put here starts at once."""

    def __init__(self, jobs: BackgroundJobRepository, max_attempts: int, clock: Callable[[], datetime] = utcnow,
                 handlers: dict[str, Handler] | None = None) -> None:
        """``handlers``: what may be enqueued and run (default: every ``@handler``)."""
        self.jobs, self.max_attempts, self.clock = jobs, max_attempts, clock
        self.handlers = HANDLERS if handlers is None else handlers
        self.on_enqueue: Callable[[], None] = lambda: None

    async def enqueue(self, kind: str, payload: dict, idempotency_key: str | None = None,
                      run_after: datetime | None = None, *, org_id: str | None = None,
                      max_attempts: int | None = None) -> BackgroundJob:
        """Queue a job; with an ``idempotency_key`` already used, the existing job is returned and nothing added."""
        if kind not in self.handlers:
            raise ValueError(f"no handler is registered for {kind!r}")
        job = await self.jobs.enqueue(kind, payload, now=self.clock(), idempotency_key=idempotency_key,
                                      run_after=run_after, org_id=org_id,
                                      max_attempts=max_attempts or self.max_attempts)
        if as_utc(job.run_after) <= self.clock() + timedelta(seconds=1):
            self.on_enqueue()
        return job
