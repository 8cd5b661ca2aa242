"""Interviews (with their candidate) and the candidate's consents."""

from __future__ import annotations

from datetime import datetime
from collections.abc import Collection
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from server.storage.database import Database, Repository
from server.storage.interview_records import InterviewRecordRepository
from server.storage.jobs import JobRepository
from server.storage.models import Candidate, Consent, Interview, new_id


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


class InterviewRepository(Repository):
    """Interviews: created for a candidate on a job's latest plan, updated as they run."""

    def __init__(self, db: Database, jobs: JobRepository, records: InterviewRecordRepository):
        super().__init__(db)
        self.jobs, self.records = jobs, records  # the plan an interview starts on; what its detail shows

    async def create(
        self, org_id: str, job_id: str, candidate_name: str, candidate_email: str, language: str,
        candidate_id: str | None = None,
    ) -> Interview:
        """An interview for a new candidate, or for an existing one (``candidate_id``, e.g. from a resume)."""
        plan_id = await self.jobs.latest_plan_id(job_id)
        if plan_id is None:
            raise LookupError("job has no question plan")
        async with self.db.transaction() as s:
            cand = await s.get(Candidate, candidate_id) if candidate_id else None
            if cand is None:
                cand = Candidate(org_id=org_id, name=candidate_name, email=candidate_email)
                s.add(cand)
                await s.flush()
            interview = Interview(
                org_id=org_id, job_id=job_id, candidate_id=cand.id, plan_id=plan_id, language=language
            )
            s.add(interview)
        return interview

    async def get(self, interview_id: str) -> Interview | None:
        """The interview with its candidate and job (one query: every guarded request asks for it)."""
        async with self.db.session() as s:
            row = await s.execute(
                select(Interview)
                .where(Interview.id == interview_id)
                .options(joinedload(Interview.candidate), joinedload(Interview.job))
            )
            return row.scalar_one_or_none()

    async def for_org(self, org_id: str, jobs: Collection[str] | None = None,
                      interviews: Collection[str] = ()) -> list[Interview]:
        """The organisation's interviews, newest first; with ``jobs``, only those of these jobs and ``interviews``."""
        query = select(Interview).where(Interview.org_id == org_id)
        if jobs is not None:
            query = query.where(or_(Interview.job_id.in_(list(jobs)), Interview.id.in_(list(interviews))))
        async with self.db.session() as s:
            rows = await s.execute(query.options(selectinload(Interview.candidate), selectinload(Interview.job))
                                   .order_by(Interview.created_at.desc()))
            return list(rows.scalars())

    async def new_link(self, interview_id: str, revoked_at: datetime | None) -> str:
        """A new link nonce: every link given out before stops working. ``revoked_at`` says HR withdrew the link
        (no new one given); None for a reissued link. Returns the nonce."""
        nonce = new_id()
        await self.db.update_by_id(Interview, interview_id, link_nonce=nonce, link_revoked_at=revoked_at)
        return nonce

    async def update(self, interview_id: str, **values: Any) -> None:
        await self.db.update_by_id(Interview, interview_id, **values)

    async def request_review(self, interview_id: str, now: datetime) -> tuple[datetime, bool]:
        """The candidate asks for a human review: (when it was first asked, whether this request was the first).
        Asking again changes nothing, also when two requests race."""
        async with self.db.transaction() as s:
            first = (await s.execute(update(Interview).where(Interview.id == interview_id,
                                                             Interview.review_requested_at.is_(None))
                                     .values(review_requested_at=now))).rowcount == 1
            when = (await s.execute(select(Interview.review_requested_at)
                                    .where(Interview.id == interview_id))).scalar_one()
        return when, first

    async def for_job(self, job_id: str) -> list[Interview]:
        async with self.db.session() as s:
            rows = await s.execute(select(Interview).where(Interview.job_id == job_id)
                                   .options(selectinload(Interview.candidate))
                                   .order_by(Interview.scheduled_at, Interview.created_at))
            return list(rows.scalars())

    async def record_consents(
        self, interview: Interview, decisions: list[tuple[str, str, bool, str]], ip: str, user_agent: str
    ) -> None:
        """Append one record per (kind, version, granted, text); earlier records stay as history."""
        async with self.db.transaction() as s:
            for kind, version, granted, text in decisions:
                s.add(
                    Consent(
                        interview_id=interview.id,
                        candidate_id=interview.candidate_id,
                        kind=kind,
                        version=version,
                        granted=granted,
                        text=text,
                        ip=ip[:64],
                        user_agent=user_agent[:400],
                    )
                )

    async def current_consents(self, interview_id: str) -> dict[str, Consent]:
        async with self.db.session() as s:
            rows = await s.execute(
                select(Consent).where(Consent.interview_id == interview_id).order_by(Consent.at, Consent.id)
            )
            latest: dict[str, Consent] = {}
            for c in rows.scalars():
                prev = latest.get(c.kind)
                if prev is None or c.at >= prev.at:
                    latest[c.kind] = c
            return latest

    async def detail(self, interview_id: str) -> dict[str, Any] | None:
        """What HR's view of one interview shows: the interview, its consents, turns, transcript and timeline."""
        iv = await self.get(interview_id)
        if iv is None:
            return None
        return {
            **await self._head(iv),
            "turns": await self._turns(interview_id),
            "transcript": [
                {
                    "seq": seg.seq,
                    "turn_index": seg.turn_index,
                    "text": seg.text,
                    "start_ms": seg.start_ms,
                    "end_ms": seg.end_ms,
                    "words": seg.words,
                }
                for seg in await self.records.segments(interview_id)
            ],
            "events": [{"type": e.type, "at": _iso(e.at), **e.payload} for e in await self.records.events(interview_id)],
        }

    async def report_detail(self, interview_id: str, event_types: Collection[str],
                            interview: Interview | None = None) -> dict[str, Any] | None:
        """What a report reads of one interview: ``detail``'s shape, with the plan's id, the transcript's lines
        without their word timings, and only the events of ``event_types`` (the report's, however long the
        timeline: the words and the other events are most of an interview's stored bytes). ``interview``: the
        row with its candidate and job, if the caller has just read it."""
        iv = interview if interview is not None and interview.id == interview_id else await self.get(interview_id)
        if iv is None:
            return None
        return {
            **await self._head(iv),
            "plan_id": iv.plan_id,
            "turns": await self._turns(interview_id),
            "transcript": [{"turn_index": turn, "text": text, "start_ms": start}
                           for turn, text, start in await self.records.transcript_lines(interview_id)],
            "events": [{"type": e.type, "at": _iso(e.at), **e.payload}
                       for e in await self.records.events(interview_id, types=event_types)],
        }

    async def _head(self, iv: Interview) -> dict[str, Any]:
        consents = await self.current_consents(iv.id)
        return {
            "id": iv.id,
            "status": iv.status,
            "language": iv.language,
            "question_index": iv.question_index,
            "job": {"id": iv.job.id, "title": iv.job.title},
            "candidate": {"id": iv.candidate.id, "name": iv.candidate.name, "email": iv.candidate.email},
            "created_at": _iso(iv.created_at),
            "started_at": _iso(iv.started_at),
            "ended_at": _iso(iv.ended_at),
            "asr_model": iv.asr_model,
            "review_requested_at": _iso(iv.review_requested_at),
            "content_deleted_at": _iso(iv.content_deleted_at),
            "consents": {
                k: {"granted": c.granted, "version": c.version, "at": _iso(c.at)} for k, c in consents.items()
            },
        }

    async def _turns(self, interview_id: str) -> list[dict[str, Any]]:
        return [
            {
                "index": t.index,
                "kind": t.kind,
                "question_index": t.question_index,
                "question": t.question_text,
                "answer": t.answer_text,
                "asked_at": _iso(t.asked_at),
                "answer_ended_at": _iso(t.answer_ended_at),
                "end_reason": t.end_reason,
                "trigger": t.trigger,
                "reason": t.reason,
            }
            for t in await self.records.turns(interview_id)
        ]
