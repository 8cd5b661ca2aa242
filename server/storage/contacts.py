"""A job's candidates by e-mail or phone: the keys that keep one person from being stored twice for one job."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.storage.models import Candidate, Interview, JobCandidateContact


def contact_keys(contacts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(kind, value) pairs as stored: e-mails in lower case, phones as given (E.164); empty and repeated dropped."""
    keys: list[tuple[str, str]] = []
    for kind, value in contacts:
        value = (value or "").strip()
        value = (value.lower() if kind == "email" else value)[:320]
        if value and (kind, value) not in keys:
            keys.append((kind, value))
    return keys


async def contact_owner(s: AsyncSession, job_id: str, keys: list[tuple[str, str]]) -> tuple[Candidate, str] | None:
    """The job's candidate that already has one of these (kind, normalised value) keys, and the kind matched.
    Candidates of the job's interviews created by hand (no resume) are matched on their e-mail too."""
    for kind, value in keys:
        cand = (await s.execute(
            select(Candidate).join(JobCandidateContact, JobCandidateContact.candidate_id == Candidate.id)
            .where(JobCandidateContact.job_id == job_id, JobCandidateContact.kind == kind,
                   JobCandidateContact.value == value).limit(1))).scalars().first()
        if cand is not None:
            return cand, kind
    email = next((v for k, v in keys if k == "email"), None)
    if email:
        cand = (await s.execute(
            select(Candidate).join(Interview, Interview.candidate_id == Candidate.id)
            .where(Interview.job_id == job_id, func.lower(Candidate.email) == email).limit(1))).scalars().first()
        if cand is not None:
            return cand, "email"
    return None
