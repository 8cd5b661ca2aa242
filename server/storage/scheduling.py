"""Scheduling: bookable slots, bookings and the messages they queue.

Every booking change is one transaction guarded by the interview's schedule_seq (bumped on each change) and
a conditional UPDATE of the slot's seat count, so concurrent requests (or nodes) can never overbook a slot or
apply two changes on top of the same state. The messages a change causes are queued in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from server.storage.database import Repository, lock_for_write
from server.storage.models import Interview, Job, JobSlot, Reminder


class SchedulingRepository(Repository):
    """Slots, bookings and reminders."""

    async def slots(self, job_id: str, ends_after: datetime | None = None) -> list[JobSlot]:
        query = select(JobSlot).where(JobSlot.job_id == job_id)
        if ends_after is not None:
            query = query.where(JobSlot.ends_at > ends_after)
        async with self.db.session() as s:
            return list((await s.execute(query.order_by(JobSlot.starts_at))).scalars())

    async def slot(self, slot_id: str) -> JobSlot | None:
        async with self.db.session() as s:
            return await s.get(JobSlot, slot_id)

    async def add_slots(self, job_id: str, spans: list[tuple[datetime, datetime]], capacity: int,
                        created_by: str | None) -> list[JobSlot] | None:
        """Stores the slots, or nothing (None) when one overlaps a slot the job already has."""
        async with self.db.transaction() as s:
            # two windows added at once cannot both pass the overlap check
            await lock_for_write(s, Job.slot_minutes, Job.id == job_id)
            clash = await s.execute(select(JobSlot.id).where(JobSlot.job_id == job_id,
                                                             JobSlot.starts_at < spans[-1][1],
                                                             JobSlot.ends_at > spans[0][0]).limit(1))
            if clash.first() is not None:
                return None
            slots = [JobSlot(job_id=job_id, starts_at=a, ends_at=b, capacity=capacity, created_by=created_by)
                     for a, b in spans]
            s.add_all(slots)
        return slots

    async def delete_slot(self, slot_id: str) -> bool:
        """Deletes a slot nobody has booked; False when it has bookings."""
        async with self.db.transaction() as s:
            res = await s.execute(delete(JobSlot).where(JobSlot.id == slot_id, JobSlot.booked == 0))
            return res.rowcount == 1

    async def change_booking(self, interview_id: str, expected_seq: int, expected_status: str,
                             old_slot_id: str | None, new_slot_id: str | None, now: datetime,
                             messages: list[dict[str, Any]], **values: Any) -> str:
        """Move the interview from the state read (``expected_seq``/``expected_status``) to ``values``, taking a seat
        in ``new_slot_id`` (only while it is free and has not started) and giving back the one in ``old_slot_id``.

        Returns ``ok``, ``changed`` (someone changed the booking meanwhile) or ``slot_full``; on anything but ``ok``
        nothing is stored."""
        class _Abort(Exception):
            pass

        result = "ok"
        try:
            async with self.db.transaction() as s:
                moved = await s.execute(
                    update(Interview).where(Interview.id == interview_id, Interview.schedule_seq == expected_seq,
                                            Interview.schedule_status == expected_status)
                    .values(schedule_seq=expected_seq + 1, **values))
                if moved.rowcount != 1:
                    result = "changed"
                    raise _Abort
                # Seats change in slot-id order so two crossing reschedules cannot deadlock on PostgreSQL.
                seats = sorted([(x, 1) for x in [new_slot_id] if x] + [(x, -1) for x in [old_slot_id] if x])
                for slot_id, delta in seats:
                    if delta > 0:
                        took = await s.execute(update(JobSlot).where(JobSlot.id == slot_id,
                                                                     JobSlot.booked < JobSlot.capacity,
                                                                     JobSlot.starts_at > now)
                                               .values(booked=JobSlot.booked + 1))
                        if took.rowcount != 1:
                            result = "slot_full"
                            raise _Abort
                    else:
                        await s.execute(update(JobSlot).where(JobSlot.id == slot_id, JobSlot.booked > 0)
                                        .values(booked=JobSlot.booked - 1))
                await s.execute(update(Reminder).where(Reminder.interview_id == interview_id,
                                                       Reminder.status == "pending",
                                                       Reminder.booking_seq <= expected_seq)
                                .values(status="cancelled", last_error="the booking changed"))
                s.add_all([Reminder(interview_id=interview_id, booking_seq=expected_seq + 1, **m) for m in messages])
        except _Abort:
            return result
        return result

    async def mark_no_shows(self, ended_before: datetime) -> list[str]:
        """Booked interviews whose slot ended before ``ended_before`` and that nobody joined become no-shows."""
        async with self.db.transaction() as s:
            ended = select(JobSlot.id).where(JobSlot.ends_at <= ended_before)
            res = await s.execute(
                update(Interview).where(Interview.schedule_status == "booked", Interview.started_at.is_(None),
                                        Interview.status.in_(("created", "consented")), Interview.slot_id.in_(ended))
                .values(schedule_status="no_show").returning(Interview.id)
                .execution_options(synchronize_session=False))
            ids = list(res.scalars())
            if ids:
                await s.execute(update(Reminder).where(Reminder.interview_id.in_(ids), Reminder.status == "pending")
                                .values(status="cancelled", last_error="no-show"))
            return ids

    async def claim_due_reminders(self, now: datetime, limit: int) -> list[Reminder]:
        """Atomically take up to ``limit`` due messages (pending -> sending); a row goes to one claimer only.

        On PostgreSQL the candidate rows are locked with SKIP LOCKED, so two nodes share the work without waiting;
        the outer ``status = 'pending'`` re-check makes the claim exclusive on either engine."""
        due = (select(Reminder.id).where(Reminder.status == "pending", Reminder.due_at <= now)
               .order_by(Reminder.due_at).limit(limit).with_for_update(skip_locked=True))
        async with self.db.transaction() as s:
            res = await s.execute(
                update(Reminder).where(Reminder.id.in_(due), Reminder.status == "pending")
                .values(status="sending", claimed_at=now).returning(Reminder)
                .execution_options(synchronize_session=False))
            return list(res.scalars())

    async def update_reminder(self, reminder_id: str, **values: Any) -> None:
        await self.db.update_by_id(Reminder, reminder_id, **values)

    async def fail_stale_reminders(self, claimed_before: datetime) -> int:
        """Messages left 'sending' by a process that stopped are marked failed, never resent (no duplicates)."""
        async with self.db.transaction() as s:
            res = await s.execute(update(Reminder).where(Reminder.status == "sending",
                                                         Reminder.claimed_at < claimed_before)
                                  .values(status="failed", last_error="the server stopped while sending; not "
                                          "retried, so it cannot arrive twice"))
            return res.rowcount

    async def reminders(self, interview_id: str) -> list[Reminder]:
        async with self.db.session() as s:
            rows = await s.execute(select(Reminder).where(Reminder.interview_id == interview_id)
                                   .order_by(Reminder.due_at, Reminder.created_at))
            return list(rows.scalars())
