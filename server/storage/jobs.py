"""Jobs and their versioned question plans."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.storage.account_changes import ChangedBy, record_change_of
from server.storage.database import Repository
from server.storage.models import Interview, Job, JobMember, Question, QuestionPlan


@dataclass(frozen=True)
class PlannedQuestion:
    id: str
    position: int
    text: str
    competency: str
    expected_points: list[str]
    time_limit_s: int


class JobRepository(Repository):
    """Jobs, each with its plan versions and their questions."""

    async def create(
        self, org_id: str, title: str, description: str, language: str, questions: list[dict[str, Any]],
        spec: dict | None = None, member_id: str | None = None, by: ChangedBy | None = None,
    ) -> Job:
        """A job with its first plan: flat questions in the job's language, plus the full plan spec if given;
        ``member_id`` (the recruiter creating it) is responsible for it from the start, recorded in the account log
        as ``by``'s change (server/storage/account_changes.py)."""
        async with self.db.transaction() as s:
            job = Job(org_id=org_id, title=title, description=description, language=language)
            s.add(job)
            await s.flush()
            if member_id is not None:
                s.add(JobMember(job_id=job.id, user_id=member_id, org_id=org_id, assigned_by=member_id))
                await record_change_of(s, by, "job.member_added", member_id, {"job_id": job.id})
            plan = QuestionPlan(job_id=job.id, version=1, language=language, spec=spec)
            s.add(plan)
            await s.flush()
            for pos, q in enumerate(questions):
                s.add(
                    Question(
                        plan_id=plan.id,
                        position=pos,
                        text=q["text"],
                        competency=q.get("competency", ""),
                        expected_points=list(q.get("expected_points", [])),
                        time_limit_s=int(q.get("time_limit_s", 180)),
                    )
                )
        return job

    async def add_plan_version(self, job_id: str, language: str, questions: list[dict[str, Any]],
                               spec: dict | None) -> int:
        """A new version of the job's plan; interviews already created keep the version they were made with."""
        async with self.db.transaction() as s:
            return await add_plan_version_in(s, job_id, language, questions, spec)

    async def for_org(self, org_id: str, only: Collection[str] | None = None) -> list[Job]:
        """The organisation's jobs, or ``only`` those of them."""
        query = select(Job).where(Job.org_id == org_id)
        if only is not None:
            query = query.where(Job.id.in_(list(only)))
        async with self.db.session() as s:
            return list((await s.execute(query.order_by(Job.created_at))).scalars())

    async def get(self, job_id: str) -> Job | None:
        async with self.db.session() as s:
            return await s.get(Job, job_id)

    async def latest_plan_id(self, job_id: str) -> str | None:
        async with self.db.session() as s:
            row = await s.execute(
                select(QuestionPlan.id).where(QuestionPlan.job_id == job_id).order_by(QuestionPlan.version.desc())
            )
            return row.scalars().first()

    async def plan_questions(self, plan_id: str) -> list[PlannedQuestion]:
        async with self.db.session() as s:
            rows = await s.execute(select(Question).where(Question.plan_id == plan_id).order_by(Question.position))
            return [
                PlannedQuestion(q.id, q.position, q.text, q.competency, list(q.expected_points or []), q.time_limit_s)
                for q in rows.scalars()
            ]

    async def plan_spec(self, plan_id: str) -> dict | None:
        async with self.db.session() as s:
            plan = await s.get(QuestionPlan, plan_id)
            return plan.spec if plan else None

    async def interview_weights(self, interview_ids: Collection[str]) -> dict[str, dict[str, float]]:
        """The competency weights of each interview's plan ({} when all count equally)."""
        ids, out = list(interview_ids), {}
        async with self.db.session() as s:
            for start in range(0, len(ids), 1000):  # a bounded number of parameters per query
                rows = await s.execute(select(Interview.id, QuestionPlan.spec)
                                       .join(QuestionPlan, QuestionPlan.id == Interview.plan_id)
                                       .where(Interview.id.in_(ids[start:start + 1000])))
                out.update({iv: dict((spec or {}).get("competency_weights") or {}) for iv, spec in rows.all()})
        return out

    async def set_scheduling(self, job_id: str, **values: Any) -> None:
        await self.db.update_by_id(Job, job_id, **values)


async def add_plan_version_in(s: AsyncSession, job_id: str, language: str, questions: list[dict[str, Any]],
                              spec: dict | None) -> int:
    """``JobRepository.add_plan_version`` inside the open session ``s`` (with other writes in one transaction)."""
    latest = (await s.execute(select(func.coalesce(func.max(QuestionPlan.version), 0))
                              .where(QuestionPlan.job_id == job_id))).scalar_one()
    plan = QuestionPlan(job_id=job_id, version=latest + 1, language=language, spec=spec)
    s.add(plan)
    await s.flush()
    for pos, q in enumerate(questions):
        s.add(Question(plan_id=plan.id, position=pos, text=q["text"], competency=q.get("competency", ""),
                       expected_points=list(q.get("expected_points", [])),
                       time_limit_s=int(q.get("time_limit_s", 180))))
    return latest + 1
