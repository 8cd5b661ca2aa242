"""Candidates' voluntary self-identification, kept apart for bias monitoring only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from server.storage.database import Repository
from server.storage.models import Interview, SelfIdentification


class SelfIdentificationRepository(Repository):
    """Nothing that scores, ranks or reports on one candidate reads this; only the aggregate bias report."""

    async def set(self, iv: Interview, sex: str | None, race_ethnicity: str | None,
                  age_band: str | None, now: datetime) -> None:
        async with self.db.transaction() as s:
            row = await s.get(SelfIdentification, iv.id)
            if row is None:
                row = SelfIdentification(interview_id=iv.id, org_id=iv.org_id, job_id=iv.job_id)
                s.add(row)
            row.sex, row.race_ethnicity, row.age_band, row.created_at = sex, race_ethnicity, age_band, now

    async def get(self, interview_id: str) -> SelfIdentification | None:
        async with self.db.session() as s:
            return await s.get(SelfIdentification, interview_id)

    async def withdraw(self, interview_id: str) -> bool:
        async with self.db.transaction() as s:
            return bool((await s.execute(delete(SelfIdentification).where(
                SelfIdentification.interview_id == interview_id))).rowcount)

    async def for_job(self, job_id: str) -> dict[str, SelfIdentification]:
        """Each candidate's latest self-identification for the job, by candidate id."""
        async with self.db.session() as s:
            rows = (await s.execute(select(SelfIdentification, Interview.candidate_id)
                                    .join(Interview, Interview.id == SelfIdentification.interview_id)
                                    .where(SelfIdentification.job_id == job_id)
                                    .order_by(SelfIdentification.created_at))).all()
            return {cand: row for row, cand in rows}  # later answers replace earlier ones
