"""The shared work queue's table (``background_jobs``): enqueue, claim under a lease, finish, retry, list.

Claiming is one UPDATE on either engine: the claimable rows (queued and due, or running with an expired lease: their
node died) are chosen once, in a CTE (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so nodes never wait on each other)
and updated under a re-check of the same condition, so a row goes to exactly one claimer also on SQLite (one writer
at a time; a second claimer's re-check finds the row already running under a live lease). A plain read before it
keeps idle polls from taking SQLite's write lock. Every change of
a claimed row names its node (``locked_by``): a node whose lease was taken over cannot finish another's run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update

from server.storage.database import Repository
from server.storage.models import BackgroundJob, new_id

STATES = ("queued", "running", "done", "failed")


@dataclass(frozen=True)
class KindCount:
    kind: str
    state: str
    count: int


def _claimable(now: datetime):
    return or_(and_(BackgroundJob.state == "queued", BackgroundJob.run_after <= now),
               and_(BackgroundJob.state == "running", BackgroundJob.locked_until < now))


def _visible_to(org_id: str | None):
    """An organisation's jobs and the server's own (no organisation); None: every job."""
    if org_id is None:
        return True
    return or_(BackgroundJob.org_id == org_id, BackgroundJob.org_id.is_(None))


class BackgroundJobRepository(Repository):
    async def enqueue(self, kind: str, payload: dict, *, now: datetime, idempotency_key: str | None = None,
                      run_after: datetime | None = None, org_id: str | None = None, max_attempts: int = 5,
                      locked_by: str | None = None, lease_s: float = 0.0) -> BackgroundJob:
        """Store a job (queued, or already running on ``locked_by`` under a lease of ``lease_s``); with an
        idempotency key already used, nothing is stored and the existing job is returned."""
        values: dict[str, Any] = {
            "id": new_id(), "kind": kind, "org_id": org_id, "payload": payload, "idempotency_key": idempotency_key,
            "state": "running" if locked_by else "queued", "attempts": 1 if locked_by else 0,
            "max_attempts": max_attempts, "run_after": run_after or now, "locked_by": locked_by,
            "locked_until": now + timedelta(seconds=lease_s) if locked_by else None, "last_error": "",
            "created_at": now, "updated_at": now}
        async with self.db.transaction() as s:
            await s.execute(self.db.insert_ignoring_duplicates(BackgroundJob).values(**values))
            where = (BackgroundJob.idempotency_key == idempotency_key if idempotency_key is not None
                     else BackgroundJob.id == values["id"])
            return (await s.execute(select(BackgroundJob).where(where))).scalar_one()

    async def claim(self, node: str, kinds: Iterable[str], limit: int, lease_s: float,
                    now: datetime) -> list[BackgroundJob]:
        """Take up to ``limit`` due jobs of ``kinds`` for ``node`` (running, attempts + 1, leased until now +
        ``lease_s``); a job goes to one node only. A job whose lease expired (its node stopped) is taken again."""
        kinds = list(kinds)
        if not kinds or limit <= 0:
            return []
        wanted = (BackgroundJob.kind.in_(kinds), _claimable(now))
        async with self.db.session() as s:  # a plain read first: an idle poll takes no write lock (SQLite)
            if (await s.execute(select(BackgroundJob.id).where(*wanted).limit(1))).first() is None:
                return []
        # a materialised CTE: PostgreSQL may run a plain ``IN (subquery)`` once per row it updates, and each run
        # skips the rows the others locked, so ``LIMIT`` alone would let one claim take more than ``limit`` jobs
        due = (select(BackgroundJob.id).where(*wanted).order_by(BackgroundJob.run_after).limit(limit)
               .with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED", dialect="postgresql"))
        async with self.db.transaction() as s:  # one statement: on SQLite it runs under the one write lock
            res = await s.execute(
                update(BackgroundJob).where(BackgroundJob.id.in_(select(due.c.id)), _claimable(now))
                .values(state="running", locked_by=node, locked_until=now + timedelta(seconds=lease_s),
                        attempts=BackgroundJob.attempts + 1, updated_at=now)
                .returning(BackgroundJob).execution_options(synchronize_session=False))
            return list(res.scalars())

    async def _change_held(self, job_id: str, node: str, **values: Any) -> bool:
        async with self.db.transaction() as s:
            res = await s.execute(update(BackgroundJob).where(BackgroundJob.id == job_id,
                                                              BackgroundJob.state == "running",
                                                              BackgroundJob.locked_by == node).values(**values))
            return res.rowcount == 1

    async def renew(self, job_ids: Iterable[str], node: str, lease_s: float, now: datetime) -> int:
        """Extend the leases ``node`` still holds; returns how many it holds."""
        ids = list(job_ids)
        if not ids:
            return 0
        async with self.db.transaction() as s:
            res = await s.execute(update(BackgroundJob).where(BackgroundJob.id.in_(ids),
                                                              BackgroundJob.state == "running",
                                                              BackgroundJob.locked_by == node)
                                  .values(locked_until=now + timedelta(seconds=lease_s), updated_at=now))
            return res.rowcount

    async def complete(self, job_id: str, node: str, now: datetime) -> bool:
        return await self._change_held(job_id, node, state="done", locked_by=None, locked_until=None,
                                       last_error="", updated_at=now, finished_at=now)

    async def retry(self, job_id: str, node: str, error: str, run_after: datetime, now: datetime) -> bool:
        return await self._change_held(job_id, node, state="queued", locked_by=None, locked_until=None,
                                       last_error=error, run_after=run_after, updated_at=now)

    async def fail(self, job_id: str, node: str, error: str, now: datetime) -> bool:
        return await self._change_held(job_id, node, state="failed", locked_by=None, locked_until=None,
                                       last_error=error, updated_at=now, finished_at=now)

    async def release(self, job_id: str, node: str, now: datetime) -> bool:
        """Give a job back unfinished (its node is stopping): queued again at once, its attempt not counted."""
        return await self._change_held(job_id, node, state="queued", locked_by=None, locked_until=None,
                                       attempts=BackgroundJob.attempts - 1, run_after=now, updated_at=now)

    async def get(self, job_id: str) -> BackgroundJob | None:
        async with self.db.session() as s:
            return await s.get(BackgroundJob, job_id)

    async def by_key(self, idempotency_key: str) -> BackgroundJob | None:
        async with self.db.session() as s:
            return (await s.execute(select(BackgroundJob).where(
                BackgroundJob.idempotency_key == idempotency_key))).scalar_one_or_none()

    async def counts(self, org_id: str | None = None) -> list[KindCount]:
        async with self.db.session() as s:
            rows = await s.execute(select(BackgroundJob.kind, BackgroundJob.state, func.count())
                                   .where(_visible_to(org_id))
                                   .group_by(BackgroundJob.kind, BackgroundJob.state)
                                   .order_by(BackgroundJob.kind, BackgroundJob.state))
            return [KindCount(k, st, int(n)) for k, st, n in rows]

    async def listing(self, org_id: str | None = None, state: str | None = None, kind: str | None = None,
                      limit: int = 100) -> list[BackgroundJob]:
        """The newest jobs (last changed first), optionally of one state and kind."""
        q = select(BackgroundJob).where(_visible_to(org_id))
        if state:
            q = q.where(BackgroundJob.state == state)
        if kind:
            q = q.where(BackgroundJob.kind == kind)
        async with self.db.session() as s:
            rows = await s.execute(q.order_by(BackgroundJob.updated_at.desc(), BackgroundJob.id).limit(limit))
            return list(rows.scalars())

    async def prune(self, done_before: datetime, failed_before: datetime) -> int:
        """Delete finished jobs: done ones older than ``done_before``, failed ones older than ``failed_before``."""
        async with self.db.transaction() as s:
            res = await s.execute(delete(BackgroundJob).where(or_(
                and_(BackgroundJob.state == "done", BackgroundJob.updated_at < done_before),
                and_(BackgroundJob.state == "failed", BackgroundJob.updated_at < failed_before))))
            return res.rowcount
