"""What became of candidates (decisions, performance ratings) and the competency weights people accepted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.storage.database import Repository
from server.storage.jobs import add_plan_version_in
from server.storage.models import (Candidate, CandidateOutcome, CompetencyWeightDecision, Interview, Resume,
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
class JobCandidate:
    """A candidate of a job (a resume for it or an interview in it), as an outcome import finds them."""

    candidate_id: str
    email: str
    interview_ids: tuple[str, ...]  # the job's interviews of the candidate, newest first


class OutcomeRepository(Repository):
    """Outcomes per job and candidate (one row each), and accepted competency weights with the plan they made."""

    async def save(self, org_id: str, job_id: str, writes: list[OutcomeWrite], user_id: str | None, source: str,
                   now: datetime) -> tuple[int, int]:
        """Store every write in one transaction (all or none): a candidate's existing outcome for the job is
        replaced. Returns (created, updated)."""
        for retry in (False, True):  # two first writes for the same candidate at once: the unique key decides
            try:
                async with self.db.transaction() as s:
                    return await self._save(s, org_id, job_id, writes, user_id, source, now)
            except IntegrityError:
                if retry:
                    raise
        raise AssertionError("unreachable")

    @staticmethod
    async def _save(s: AsyncSession, org_id: str, job_id: str, writes: list[OutcomeWrite], user_id: str | None,
                    source: str, now: datetime) -> tuple[int, int]:
        ids = [w.candidate_id for w in writes]
        existing = {row.candidate_id: row for row in (await s.execute(select(CandidateOutcome).where(
            CandidateOutcome.job_id == job_id, CandidateOutcome.candidate_id.in_(ids)))).scalars()}
        created = 0
        for w in writes:
            row = existing.get(w.candidate_id)
            if row is None:
                row = CandidateOutcome(org_id=org_id, job_id=job_id, candidate_id=w.candidate_id)
                s.add(row)
                existing[w.candidate_id] = row
                created += 1
            if row.decision != w.decision or row.decided_at is None:
                row.decided_at, row.decided_by = now, user_id
            row.interview_id, row.decision, row.source, row.updated_at = w.interview_id, w.decision, source, now
            row.performance_rating, row.performance_months = w.performance_rating, w.performance_months
            row.performance_date = w.performance_date
        return created, len(writes) - created

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
