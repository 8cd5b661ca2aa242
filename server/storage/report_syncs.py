"""The write-back outbox: one row per write of an interview's report to one target (model ``ReportSync``)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_, select, update

from server.storage.database import Repository, lock_for_write, retry_once_on_conflict
from server.storage.models import Candidate, Interview, Job, ReportSync


@dataclass(frozen=True)
class SyncRow:
    """A sync-log row with what HR needs to recognise it."""

    sync: ReportSync
    candidate_id: str
    candidate_name: str
    job_id: str
    job_title: str


class ReportSyncRepository(Repository):
    """Queue, claim and record the writes; list them for the sync log."""

    async def unsynced_finished(self, ended_after: datetime, ended_before: datetime, limit: int) -> list[str]:
        """Interviews that finished in [after, before] and have no write-back yet, oldest first."""
        query = (select(Interview.id)
                 .where(Interview.status == "finished", Interview.ended_at >= ended_after,
                        Interview.ended_at <= ended_before,
                        ~exists().where(ReportSync.interview_id == Interview.id))
                 .order_by(Interview.ended_at).limit(limit))
        async with self.db.session() as s:
            return list((await s.execute(query)).scalars())

    async def enqueue(self, org_id: str, interview_id: str, digest: str, payload: Callable[[int], dict],
                      targets: list[tuple[str, str]], now: datetime) -> tuple[int, list[ReportSync]]:
        """Queue the report (content ``digest``) for each (target, recipient) that does not have it yet.

        Returns (the report's version, the rows added). The version is the one this digest already has, else the
        interview's next; ``payload(version)`` is the event to store. Queued writes of older versions that have
        not gone out are superseded. Two processes queuing at once: the unique key lets one insert per target."""
        return await retry_once_on_conflict(lambda: self._enqueue(org_id, interview_id, digest, payload, targets,
                                                                   now))

    async def _enqueue(self, org_id, interview_id, digest, payload, targets, now) -> tuple[int, list[ReportSync]]:
        async with self.db.transaction() as s:
            # two queuers of different versions number them one after the other
            await lock_for_write(s, Interview.status, Interview.id == interview_id)
            rows = (await s.execute(select(ReportSync.target, ReportSync.report_digest, ReportSync.report_version)
                                    .where(ReportSync.interview_id == interview_id))).all()
            version = next((v for _, d, v in rows if d == digest), None)
            if version is None:
                version = max((v for _, _, v in rows), default=0) + 1
            have = {t for t, d, _ in rows if d == digest}
            event = payload(version)
            added = [ReportSync(org_id=org_id, interview_id=interview_id, target=target, recipient=recipient[:500],
                                report_version=version, report_digest=digest,
                                idempotency_key=event["idempotency_key"], payload=event, status="pending",
                                attempts=0, rounds=0, next_attempt_at=now, error_code="", last_error="",
                                external_ref="", created_at=now, updated_at=now)
                     for target, recipient in targets if target not in have]
            if added:
                await s.execute(update(ReportSync).where(
                    ReportSync.interview_id == interview_id, ReportSync.report_version < version,
                    ReportSync.status.in_(("pending", "failed"))).values(
                    status="superseded", updated_at=now, error_code="superseded",
                    last_error=f"the report changed (version {version}) before this version was written"))
                s.add_all(added)
        return version, added

    async def requeue_failed(self, interview_id: str, version: int, now: datetime) -> int:
        """Failed writes of this report version go back to the queue (HR's "sync again"); how many."""
        async with self.db.transaction() as s:
            res = await s.execute(update(ReportSync).where(
                ReportSync.interview_id == interview_id, ReportSync.report_version == version,
                ReportSync.status == "failed").values(status="pending", rounds=0, next_attempt_at=now, updated_at=now))
            return res.rowcount or 0

    async def claim_due(self, now: datetime, stale_before: datetime, limit: int) -> list[ReportSync]:
        """Atomically take up to ``limit`` due writes (-> sending): pending ones whose time has come, and those a
        stopped process left sending since before ``stale_before``. A row goes to one claimer only (SKIP LOCKED on
        PostgreSQL; the re-checked condition on either engine)."""
        due_now = or_(ReportSync.status == "pending",
                      (ReportSync.status == "sending") & (ReportSync.claimed_at < stale_before))
        due = (select(ReportSync.id).where(due_now, ReportSync.next_attempt_at <= now)
               .order_by(ReportSync.next_attempt_at).limit(limit).with_for_update(skip_locked=True))
        async with self.db.transaction() as s:
            res = await s.execute(
                update(ReportSync).where(ReportSync.id.in_(due), due_now)
                .values(status="sending", claimed_at=now, updated_at=now).returning(ReportSync)
                .execution_options(synchronize_session=False))
            return list(res.scalars())

    async def update(self, sync_id: str, **values: Any) -> None:
        await self.db.update_by_id(ReportSync, sync_id, **values)

    async def latest_version(self, interview_id: str) -> int | None:
        async with self.db.session() as s:
            return (await s.execute(select(func.max(ReportSync.report_version))
                                    .where(ReportSync.interview_id == interview_id))).scalar_one_or_none()

    async def log(self, org_id: str, *, job_ids: Collection[str] | None = None, interview_ids: Collection[str] = (),
                  interview_id: str | None = None, status: str | None = None,
                  before: tuple[datetime, str] | None = None, limit: int = 50) -> list[SyncRow]:
        """The organisation's writes, newest first; with ``job_ids``, only those of these jobs (or
        ``interview_ids``). ``before``: (created_at, id) of the last row of the previous page."""
        query = (select(ReportSync, Candidate.id, Candidate.name, Job.id, Job.title)
                 .join(Interview, Interview.id == ReportSync.interview_id)
                 .join(Candidate, Candidate.id == Interview.candidate_id).join(Job, Job.id == Interview.job_id)
                 .where(ReportSync.org_id == org_id))
        if job_ids is not None:
            query = query.where(or_(Interview.job_id.in_(list(job_ids)), Interview.id.in_(list(interview_ids))))
        if interview_id:
            query = query.where(ReportSync.interview_id == interview_id)
        if status:
            query = query.where(ReportSync.status == status)
        if before is not None:
            at, rid = before
            query = query.where(or_(ReportSync.created_at < at, (ReportSync.created_at == at) & (ReportSync.id < rid)))
        query = query.order_by(ReportSync.created_at.desc(), ReportSync.id.desc()).limit(limit)
        async with self.db.session() as s:
            return [SyncRow(*row) for row in (await s.execute(query)).all()]
