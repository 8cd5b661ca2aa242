"""Who is responsible for what: the recruiters and hiring managers of each job, the observers of each interview."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, literal, select, union, union_all

from server.storage.account_changes import ChangedBy, record_change_of
from server.storage.database import Repository
from server.storage.models import Interview, InterviewObserver, JobMember, Resume, User, utcnow


@dataclass(frozen=True)
class Assignments:
    """One user's jobs (as recruiter or hiring manager) and the interviews they were invited to observe."""

    job_ids: frozenset[str]
    interview_ids: frozenset[str]


class AssignmentRepository(Repository):
    """Job members and interview observers; each added once, removed by the admin (or with the job, interview or
    user they name)."""

    async def assign_job(self, org_id: str, job_id: str, user_id: str, by: ChangedBy | None) -> None:
        """The user is responsible for the job (again: nothing changes). ``by``: who decided, recorded in the account
        log when it is new (server/storage/account_changes.py; None: demo data and fixtures). So are the others."""
        async with self.db.transaction() as s:
            added = await s.execute(self.db.insert_ignoring_duplicates(JobMember).values(
                job_id=job_id, user_id=user_id, org_id=org_id, assigned_by=by.user_id if by else None,
                assigned_at=utcnow()))
            await _record(s, added.rowcount, by, "job.member_added", user_id, {"job_id": job_id})

    async def unassign_job(self, job_id: str, user_id: str, by: ChangedBy | None) -> None:
        async with self.db.transaction() as s:
            removed = await s.execute(delete(JobMember).where(JobMember.job_id == job_id,
                                                              JobMember.user_id == user_id))
            await _record(s, removed.rowcount, by, "job.member_removed", user_id, {"job_id": job_id})

    async def invite_observer(self, org_id: str, interview_id: str, user_id: str, by: ChangedBy | None) -> None:
        async with self.db.transaction() as s:
            added = await s.execute(self.db.insert_ignoring_duplicates(InterviewObserver).values(
                interview_id=interview_id, user_id=user_id, org_id=org_id, invited_by=by.user_id if by else None,
                invited_at=utcnow()))
            await _record(s, added.rowcount, by, "interview.observer_added", user_id, {"interview_id": interview_id})

    async def remove_observer(self, interview_id: str, user_id: str, by: ChangedBy | None) -> None:
        async with self.db.transaction() as s:
            removed = await s.execute(delete(InterviewObserver).where(
                InterviewObserver.interview_id == interview_id, InterviewObserver.user_id == user_id))
            await _record(s, removed.rowcount, by, "interview.observer_removed", user_id,
                          {"interview_id": interview_id})

    async def of_user(self, user_id: str) -> Assignments:
        """(One query: every request of a recruiter, hiring manager or observer asks.)"""
        query = union_all(select(JobMember.job_id, literal("job")).where(JobMember.user_id == user_id),
                          select(InterviewObserver.interview_id, literal("interview"))
                          .where(InterviewObserver.user_id == user_id))
        async with self.db.session() as s:
            rows = (await s.execute(query)).all()
        return Assignments(frozenset(i for i, kind in rows if kind == "job"),
                           frozenset(i for i, kind in rows if kind == "interview"))

    async def of_org(self, org_id: str) -> dict[str, Assignments]:
        """Every user of the organisation with an assignment, by user id."""
        async with self.db.session() as s:
            jobs = (await s.execute(select(JobMember.user_id, JobMember.job_id)
                                    .where(JobMember.org_id == org_id))).all()
            ivs = (await s.execute(select(InterviewObserver.user_id, InterviewObserver.interview_id)
                                   .where(InterviewObserver.org_id == org_id))).all()
        by_user: dict[str, tuple[set[str], set[str]]] = {}
        for user_id, job_id in jobs:
            by_user.setdefault(user_id, (set(), set()))[0].add(job_id)
        for user_id, iv_id in ivs:
            by_user.setdefault(user_id, (set(), set()))[1].add(iv_id)
        return {u: Assignments(frozenset(j), frozenset(i)) for u, (j, i) in by_user.items()}

    async def candidate_links(self, candidate_id: str) -> Assignments:
        """The jobs a candidate has a resume or an interview for, and their interviews."""
        async with self.db.session() as s:
            jobs = (await s.execute(union(select(Resume.job_id).where(Resume.candidate_id == candidate_id),
                                          select(Interview.job_id).where(Interview.candidate_id == candidate_id))
                                    )).scalars()
            ivs = (await s.execute(select(Interview.id).where(Interview.candidate_id == candidate_id))).scalars()
            return Assignments(frozenset(jobs), frozenset(ivs))

    async def job_recruiters(self, job_id: str) -> list[User]:
        """The recruiters responsible for a job, by e-mail."""
        async with self.db.session() as s:
            rows = await s.execute(select(User).join(JobMember, JobMember.user_id == User.id)
                                   .where(JobMember.job_id == job_id, User.role == "recruiter").order_by(User.email))
            return list(rows.scalars())



async def _record(s, rows: int | None, by: ChangedBy | None, action: str, user_id: str, detail: dict) -> None:
    """The account-log record of an assignment statement that changed something (``rows``: its rowcount)."""
    if (rows or 0) > 0:
        await record_change_of(s, by, action, user_id, detail)
