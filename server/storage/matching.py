"""Resumes, a job's requirements and HR's decisions on how candidates match them."""

from __future__ import annotations

from sqlalchemy import select

from server.storage.database import Repository
from server.storage.models import Candidate, JobRequirementSet, MatchOverride, Resume, utcnow


class MatchingRepository(Repository):
    """What resume matching reads and HR decides."""

    async def add_resume(self, org_id: str, job_id: str, name: str, email: str, filename: str, content_type: str,
                         size: int, profile: dict) -> tuple[Candidate, Resume]:
        """The candidate and their parsed resume, stored together (both or neither)."""
        async with self.db.transaction() as s:
            cand = Candidate(org_id=org_id, name=name, email=email)
            s.add(cand)
            await s.flush()
            resume = Resume(org_id=org_id, job_id=job_id, candidate_id=cand.id, filename=filename[:300],
                            content_type=content_type[:100], size=size, profile=profile)
            s.add(resume)
        return cand, resume

    async def resumes(self, job_id: str) -> list[tuple[Resume, Candidate]]:
        async with self.db.session() as s:
            rows = await s.execute(select(Resume, Candidate).join(Candidate, Candidate.id == Resume.candidate_id)
                                   .where(Resume.job_id == job_id).order_by(Resume.created_at))
            return [(r, c) for r, c in rows.all()]

    async def candidate(self, candidate_id: str) -> Candidate | None:
        async with self.db.session() as s:
            return await s.get(Candidate, candidate_id)

    async def requirements(self, job_id: str) -> dict | None:
        async with self.db.session() as s:
            row = await s.get(JobRequirementSet, job_id)
            return row.requirements if row else None

    async def save_requirements(self, job_id: str, requirements: dict, user_id: str) -> None:
        async with self.db.transaction() as s:
            row = await s.get(JobRequirementSet, job_id)
            if row is None:
                s.add(JobRequirementSet(job_id=job_id, requirements=requirements, updated_by=user_id))
            else:
                row.requirements, row.updated_by, row.updated_at = requirements, user_id, utcnow()

    async def add_override(self, job_id: str, candidate_id: str, requirement_id: str, status: str, note: str,
                           by: str) -> None:
        async with self.db.transaction() as s:
            s.add(MatchOverride(job_id=job_id, candidate_id=candidate_id, requirement_id=requirement_id,
                                status=status, note=note, by=by))

    async def overrides(self, job_id: str) -> list[MatchOverride]:
        async with self.db.session() as s:
            rows = await s.execute(select(MatchOverride).where(MatchOverride.job_id == job_id)
                                   .order_by(MatchOverride.at, MatchOverride.id))
            return list(rows.scalars())
