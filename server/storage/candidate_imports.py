"""Bulk candidate imports: runs, their per-file results, and storing one imported resume once per job."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, literal, select, update
from sqlalchemy.exc import IntegrityError

from server.storage.contacts import contact_keys, contact_owner
from server.storage.database import Repository
from server.storage.models import (BackgroundJob, Candidate, CandidateImport, CandidateImportItem, JobCandidateContact,
                                   Resume, utcnow)

UNFINISHED = ("pending", "running")


class ItemAlreadyRecorded(Exception):
    """The import item is no longer pending: another run of its import (a node that lost its job's lease and went on)
    recorded it first. The transaction that would have stored its candidate again is rolled back."""


class CandidateImportRepository(Repository):
    """Import runs (one per upload or HR-system import) and what became of each file or row."""

    async def add_resume_if_new(self, org_id: str, job_id: str, name: str, email: str, filename: str,
                                content_type: str, size: int, profile: dict,
                                contacts: list[tuple[str, str]],
                                import_item_id: str | None = None) -> tuple[Candidate, bool, str]:
        """(candidate, True, "") with the new candidate, resume and contact keys stored together, or
        (the existing candidate, False, "email" | "phone") when the job already has someone with one of the
        ``contacts`` (kind "email" or "phone", value): e-mails compared in lower case, phones as given (E.164).
        The unique key decides races between server processes. ``import_item_id``: the import item is marked
        ``created`` in the same transaction, so a run stopped at any point never holds a candidate its items
        do not show; raises ItemAlreadyRecorded (nothing stored) when the item is no longer pending."""
        keys = contact_keys(contacts)
        async with self.db.session() as s:
            found = await contact_owner(s, job_id, keys)
        if found is not None:
            return found[0], False, found[1]
        try:
            async with self.db.transaction() as s:
                cand = Candidate(org_id=org_id, name=name[:200], email=email.strip()[:320])
                s.add(cand)
                await s.flush()
                s.add(Resume(org_id=org_id, job_id=job_id, candidate_id=cand.id, filename=filename[:300],
                             content_type=content_type[:100], size=size, profile=profile))
                for kind, value in keys:
                    s.add(JobCandidateContact(job_id=job_id, candidate_id=cand.id, kind=kind, value=value))
                if import_item_id is not None and not await mark_import_item(s, import_item_id, "created", cand.id,
                                                                             cand.name):
                    raise ItemAlreadyRecorded(import_item_id)
        except IntegrityError:
            async with self.db.session() as s:
                found = await contact_owner(s, job_id, keys)
            if found is None:
                raise
            return found[0], False, found[1]
        return cand, True, ""

    async def create(self, org_id: str, job_id: str, user_id: str | None, source: str, filename: str,
                     item_names: list[str]) -> tuple[CandidateImport, list[str]]:
        """A pending run with one pending item per file name, in order; (run, item ids)."""
        async with self.db.transaction() as s:
            run = CandidateImport(org_id=org_id, job_id=job_id, created_by=user_id, source=source,
                                  filename=filename[:500], total=len(item_names), status="pending",
                                  heartbeat_at=utcnow())
            s.add(run)
            await s.flush()
            items = [CandidateImportItem(import_id=run.id, position=i, filename=name[:500])
                     for i, name in enumerate(item_names)]
            s.add_all(items)
            await s.flush()
            ids = [item.id for item in items]
        return run, ids

    async def add_items(self, import_id: str, items: list[tuple[str, str]]) -> list[str]:
        """Append pending items (label, name) to a run whose items are found while it runs (an HR system's
        candidates); the run's total grows with them. Returns their ids, in order."""
        async with self.db.transaction() as s:
            run = await s.get(CandidateImport, import_id, with_for_update=True)
            rows = [CandidateImportItem(import_id=import_id, position=run.total + i, filename=label[:500],
                                        name=name[:200]) for i, (label, name) in enumerate(items)]
            s.add_all(rows)
            run.total += len(rows)
            await s.flush()
            return [row.id for row in rows]

    async def run(self, import_id: str) -> CandidateImport | None:
        async with self.db.session() as s:
            return await s.get(CandidateImport, import_id)

    async def runs(self, job_id: str, limit: int = 20) -> list[CandidateImport]:
        async with self.db.session() as s:
            rows = await s.execute(select(CandidateImport).where(CandidateImport.job_id == job_id)
                                   .order_by(CandidateImport.created_at.desc()).limit(limit))
            return list(rows.scalars())

    async def items(self, import_id: str) -> list[CandidateImportItem]:
        async with self.db.session() as s:
            rows = await s.execute(select(CandidateImportItem).where(CandidateImportItem.import_id == import_id)
                                   .order_by(CandidateImportItem.position))
            return list(rows.scalars())

    async def counts(self, import_ids: list[str]) -> dict[str, dict[str, int]]:
        """{import id: {item status: count}}"""
        out: dict[str, dict[str, int]] = {i: {} for i in import_ids}
        if not import_ids:
            return out
        async with self.db.session() as s:
            rows = await s.execute(select(CandidateImportItem.import_id, CandidateImportItem.status, func.count())
                                   .where(CandidateImportItem.import_id.in_(import_ids))
                                   .group_by(CandidateImportItem.import_id, CandidateImportItem.status))
            for import_id, status, n in rows.all():
                out[import_id][status] = n
        return out

    async def update(self, import_id: str, **values: Any) -> None:
        await self.db.update_by_id(CandidateImport, import_id, **values)

    async def start_run(self, import_id: str) -> bool:
        """The run goes (or stays) running on the node that runs its job: started_at kept from its first start.
        False when it has ended meanwhile (nothing to run)."""
        now = utcnow()
        async with self.db.transaction() as s:
            res = await s.execute(update(CandidateImport).where(CandidateImport.id == import_id,
                                                                CandidateImport.status.in_(UNFINISHED))
                                  .values(status="running", heartbeat_at=now,
                                          started_at=func.coalesce(CandidateImport.started_at, now)))
            return res.rowcount == 1

    async def end_run(self, import_id: str, status: str, error_code: str | None = None,
                      error_message: str | None = None) -> bool:
        """End an unfinished run (done, failed or interrupted; the error, when given, replaces any note on it). False
        when it had ended already: e.g. another node that also ran its job after a lost lease finished it first."""
        now = utcnow()
        values: dict[str, Any] = {"status": status, "finished_at": now, "heartbeat_at": now}
        if error_code is not None:
            values.update(error_code=error_code[:40], error_message=error_message or "")
        async with self.db.transaction() as s:
            res = await s.execute(update(CandidateImport).where(CandidateImport.id == import_id,
                                                                CandidateImport.status.in_(UNFINISHED))
                                  .values(**values))
            return res.rowcount == 1

    async def hand_back(self, import_id: str) -> None:
        """A running run whose node stopped and gave its job back to the queue: pending until a node resumes it."""
        async with self.db.transaction() as s:
            await s.execute(update(CandidateImport).where(CandidateImport.id == import_id,
                                                          CandidateImport.status == "running")
                            .values(status="pending", heartbeat_at=utcnow()))

    async def delete(self, import_id: str) -> None:
        """Remove a run with its items (and stored files): an upload that could not be accepted after all."""
        async with self.db.transaction() as s:
            await s.execute(delete(CandidateImport).where(CandidateImport.id == import_id))

    async def finish_item(self, item_id: str, status: str, candidate_id: str | None = None, name: str = "",
                          error_code: str = "", error_message: str = "") -> bool:
        """Record what became of a pending item; False (nothing written) when it was already recorded."""
        async with self.db.transaction() as s:
            return await mark_import_item(s, item_id, status, candidate_id, name, error_code, error_message)

    async def heartbeat(self, import_ids: list[str]) -> None:
        if not import_ids:
            return
        async with self.db.transaction() as s:
            await s.execute(update(CandidateImport).where(CandidateImport.id.in_(import_ids),
                                                          CandidateImport.status.in_(UNFINISHED))
                            .values(heartbeat_at=utcnow()))

    async def interrupt(self, code: str, message: str, *, ids: list[str] | None = None,
                        stale_before: datetime | None = None, exclude: set[str] | frozenset = frozenset(),
                        unless_queued_as: str | None = None) -> int:
        """Mark unfinished runs as interrupted: the given ones, or those whose heartbeat is older than
        ``stale_before`` (their server stopped or crashed), except ``exclude`` and, with ``unless_queued_as``, those
        with a queued or running background job keyed ``<unless_queued_as><run id>`` (the queue will resume them).
        Returns how many."""
        query = update(CandidateImport).where(CandidateImport.status.in_(UNFINISHED))
        if ids is not None:
            query = query.where(CandidateImport.id.in_(ids))
        if stale_before is not None:
            query = query.where(CandidateImport.heartbeat_at < stale_before)
        if exclude:
            query = query.where(CandidateImport.id.not_in(list(exclude)))
        if unless_queued_as is not None:
            query = query.where(~exists().where(
                BackgroundJob.idempotency_key == literal(unless_queued_as).concat(CandidateImport.id),
                BackgroundJob.state.in_(("queued", "running"))))
        async with self.db.transaction() as s:
            result = await s.execute(query.values(status="interrupted", error_code=code, error_message=message,
                                                  finished_at=utcnow()))
        return result.rowcount or 0


async def mark_import_item(s, item_id: str, status: str, candidate_id: str | None, name: str, error_code: str = "",
                           error_message: str = "") -> bool:
    """Record what became of one import item while it is still pending, inside the open session ``s`` (the
    candidate's own transaction); False when it was recorded before (one outcome per item, whichever node ran it)."""
    res = await s.execute(update(CandidateImportItem).where(CandidateImportItem.id == item_id,
                                                            CandidateImportItem.status == "pending").values(
        status=status, candidate_id=candidate_id, name=name[:200], error_code=error_code[:40],
        error_message=error_message, updated_at=utcnow()))
    return res.rowcount == 1
