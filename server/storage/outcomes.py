"""What became of candidates (decisions, performance ratings) and the competency weights people accepted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.storage.database import Repository
from server.storage.jobs import add_plan_version_in
from server.storage.models import (Candidate, CandidateOutcome, CompetencyWeightDecision, Interview, Resume, new_id,
                                   User)


@dataclass(frozen=True)
class OutcomeWrite:
    """One outcome to store for a job: the candidate, the interview it followed (if known), the decision and the
    performance rating (hired only: rating 1-5, months after hiring, the day it was given)."""

    candidate_id: str
    interview_id: str | None
    decision: str
    performance_rating: float | None = None
    performance_months: int | None = None
    performance_date: date | None = None


@dataclass(frozen=True)
class OutcomesSaved:
    """What ``OutcomeRepository.save`` stored: how many outcomes were new and how many replaced, and the rows as
    written (in the order of the writes; the answer to the request that wrote them, also if another request has
    changed or removed them since)."""

    created: int
    updated: int
    rows: list[CandidateOutcome]


@dataclass(frozen=True)
class JobCandidate:
    """A candidate of a job (a resume for it or an interview in it), as an outcome import finds them."""

    candidate_id: str
    email: str
    interview_ids: tuple[str, ...]  # the job's interviews of the candidate, newest first


class OutcomeRepository(Repository):
    """Outcomes per job and candidate (one row each), and accepted competency weights with the plan they made."""

    async def save(self, org_id: str, job_id: str, writes: list[OutcomeWrite], user_id: str | None, source: str,
                   now: datetime) -> OutcomesSaved:
        """Store every write in one transaction (all or none): a candidate's existing outcome for the job is
        replaced; its decision time stays when the decision is the same (only the rating changed). Each write is
        one upsert, so writes and removals of the same outcome at the same moment each take effect whole, one
        after the other."""
        async with self.db.transaction() as s:
            results = [await self._upsert(s, org_id, job_id, w, user_id, source, now) for w in writes]
        created = sum(1 for _, inserted in results if inserted)
        return OutcomesSaved(created, len(writes) - created, [row for row, _ in results])

    async def _upsert(self, s: AsyncSession, org_id: str, job_id: str, w: OutcomeWrite, user_id: str | None,
                      source: str, now: datetime) -> tuple[CandidateOutcome, bool]:
        """The row as written, and whether it is new (it kept the id this insert gave it)."""
        row_id = new_id()
        values = dict(interview_id=w.interview_id, decision=w.decision, source=source, updated_at=now,
                      performance_rating=w.performance_rating, performance_months=w.performance_months,
                      performance_date=w.performance_date)
        insert = self.db.insert_with_conflicts(CandidateOutcome)
        table = CandidateOutcome.__table__
        same = table.c.decision == insert.excluded.decision
        statement = insert.values(id=row_id, org_id=org_id, job_id=job_id, candidate_id=w.candidate_id,
                                  decided_at=now, decided_by=user_id, **values).on_conflict_do_update(
            index_elements=[table.c.job_id, table.c.candidate_id],
            set_=dict(values, decided_at=case((same, table.c.decided_at), else_=insert.excluded.decided_at),
                      decided_by=case((same, table.c.decided_by), else_=insert.excluded.decided_by)),
        ).returning(CandidateOutcome)
        row = (await s.execute(statement.execution_options(populate_existing=True))).scalars().one()
        return row, row.id == row_id

    async def get(self, job_id: str, candidate_id: str) -> CandidateOutcome | None:
        async with self.db.session() as s:
            return (await s.execute(select(CandidateOutcome).where(
                CandidateOutcome.job_id == job_id, CandidateOutcome.candidate_id == candidate_id))).scalars().first()

    async def delete(self, job_id: str, candidate_id: str) -> bool:
        async with self.db.transaction() as s:
            return bool((await s.execute(delete(CandidateOutcome).where(
                CandidateOutcome.job_id == job_id, CandidateOutcome.candidate_id == candidate_id))).rowcount)

    async def for_jobs(self, job_ids: list[str]) -> list[tuple[CandidateOutcome, str]]:
        """The jobs' outcomes with each candidate's name, newest decision first."""
        async with self.db.session() as s:
            rows = await s.execute(select(CandidateOutcome, Candidate.name)
                                   .join(Candidate, Candidate.id == CandidateOutcome.candidate_id)
                                   .where(CandidateOutcome.job_id.in_(job_ids))
                                   .order_by(CandidateOutcome.decided_at.desc(), CandidateOutcome.id))
            return [(o, name) for o, name in rows.all()]

    async def job_candidates(self, job_id: str) -> list[JobCandidate]:
        """The job's candidates: with a resume for it or an interview in it."""
        async with self.db.session() as s:
            interviews = (await s.execute(select(Interview.candidate_id, Interview.id)
                                          .where(Interview.job_id == job_id)
                                          .order_by(Interview.created_at.desc(), Interview.id))).all()
            resumed = select(Resume.candidate_id).where(Resume.job_id == job_id)
            interviewed = select(Interview.candidate_id).where(Interview.job_id == job_id)
            people = (await s.execute(select(Candidate.id, Candidate.email).where(
                Candidate.id.in_(resumed.union(interviewed))))).all()
        by_candidate: dict[str, list[str]] = {}
        for cand, iv in interviews:
            by_candidate.setdefault(cand, []).append(iv)
        return [JobCandidate(cid, email or "", tuple(by_candidate.get(cid, ()))) for cid, email in people]

    # --- accepted competency weights ------------------------------------------------------------------------
    async def accept_weights(self, org_id: str, job_id: str, language: str, questions: list[dict], spec: dict,
                             previous: dict[str, float], weights: dict[str, float], basis: dict, user: User,
                             now: datetime) -> CompetencyWeightDecision:
        """The job's next plan version (``spec`` carrying the accepted weights) and the record of who accepted
        them, in one transaction."""
        async with self.db.transaction() as s:
            version = await add_plan_version_in(s, job_id, language, questions, spec)
            decision = CompetencyWeightDecision(org_id=org_id, job_id=job_id, plan_version=version,
                                                previous_weights=previous, weights=weights, basis=basis,
                                                accepted_by=user.id, accepted_by_email=user.email, accepted_at=now)
            s.add(decision)
        return decision

    async def weight_decisions(self, job_id: str, limit: int = 20) -> list[CompetencyWeightDecision]:
        async with self.db.session() as s:
            rows = await s.execute(select(CompetencyWeightDecision).where(CompetencyWeightDecision.job_id == job_id)
                                   .order_by(CompetencyWeightDecision.accepted_at.desc()).limit(limit))
            return list(rows.scalars())
