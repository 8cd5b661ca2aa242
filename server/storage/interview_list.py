"""The HR interview list: one page of the interviews a user may see, sorted, filtered and searched in SQL, with the
number of all that match.

One query answers it: the page's interview ids (sorted on narrow rows; newest first walks an index and stops at the
page's end), then their columns with their candidates and jobs (no ORM objects), the number of all matches and each
listed interview's latest invitation (looked up for the page's rows only). The figures the list sorts on are stored on the interview (``ai_score``, ``human_rating``,
``flag_count``: storage/interview_records.py keeps them), so sorting and filtering never read scores or events.

Search: candidates' names and e-mail addresses are stored in plain text (server/compliance/crypto.py encrypts only
their free text), so a case-insensitive substring match runs in the database over the scoped rows; SQLite folds
case for ASCII letters only (Chinese names have no case). Should names ever be encrypted, this is the one place to
change: search would then need a keyed blind index (exact tokens only).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import and_, case, func, or_, select

from server.storage.database import Repository
from server.storage.models import Candidate, Interview, Invitation, Job, as_utc

STATUSES = ("created", "consented", "live", "finished", "failed")  # the lifecycle order the status sort follows
SortKey = Literal["candidate", "job", "created_at", "scheduled_at", "finished_at", "status", "ai_score",
                  "human_rating", "flags"]
DateField = Literal["created_at", "scheduled_at", "finished_at"]
SEARCH_MAX = 100

_DATES = {"created_at": Interview.created_at, "scheduled_at": Interview.scheduled_at,
          "finished_at": Interview.ended_at}
_SORTS = {"candidate": func.lower(Candidate.name), "job": func.lower(Job.title), **_DATES,
          "status": case({s: n for n, s in enumerate(STATUSES)}, value=Interview.status, else_=len(STATUSES)),
          "ai_score": Interview.ai_score, "human_rating": Interview.human_rating, "flags": Interview.flag_count}


@dataclass(frozen=True)
class ListQuery:
    """What to list: filters (all must hold), the order, and the page. ``limit`` None: every match."""

    sort: SortKey = "created_at"
    descending: bool = True
    statuses: tuple[str, ...] = ()
    job_ids: tuple[str, ...] = ()
    date_field: DateField = "created_at"
    date_from: datetime | None = None  # inclusive
    date_before: datetime | None = None  # exclusive
    has_flags: bool | None = None
    score_min: float | None = None  # the overall AI score; an unscored interview matches no score bound
    score_max: float | None = None
    search: str = ""  # part of the candidate's name or e-mail, any case
    offset: int = 0
    limit: int | None = None


@dataclass(frozen=True)
class LatestInvitation:
    channel: str
    status: str
    created_at: datetime | None


@dataclass(frozen=True)
class ListedInterview:
    """One row of the list (times in UTC)."""

    id: str
    status: str
    language: str
    job_id: str
    job_title: str
    candidate_id: str
    candidate_name: str
    candidate_email: str
    created_at: datetime | None
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    ai_score: float | None
    human_rating: float | None
    flag_count: int
    link_revoked: bool
    content_deleted: bool
    legal_hold_at: datetime | None
    legal_hold_reason: str
    invitation: LatestInvitation | None = field(default=None)


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its own wildcards taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class InterviewListRepository(Repository):
    async def page(self, org_id: str, jobs: Collection[str] | None, interviews: Collection[str],
                   q: ListQuery) -> tuple[list[ListedInterview], int]:
        """The page of ``q`` among the organisation's interviews (with ``jobs``: only those of these jobs and
        ``interviews``), and how many match in all."""
        where = [Interview.org_id == org_id]
        if jobs is not None:
            where.append(or_(Interview.job_id.in_(list(jobs)), Interview.id.in_(list(interviews))))
        if q.statuses:
            where.append(Interview.status.in_(q.statuses))
        if q.job_ids:
            where.append(Interview.job_id.in_(q.job_ids))
        date = _DATES[q.date_field]
        if q.date_from is not None:
            where.append(date >= q.date_from)
        if q.date_before is not None:
            where.append(date < q.date_before)
        if q.has_flags is not None:
            where.append(Interview.flag_count > 0 if q.has_flags else Interview.flag_count == 0)
        if q.score_min is not None:
            where.append(Interview.ai_score >= q.score_min)
        if q.score_max is not None:
            where.append(Interview.ai_score <= q.score_max)
        if q.search:
            pattern = _like(q.search)
            where.append(or_(func.lower(Candidate.name).like(pattern, escape="\\"),
                             func.lower(Candidate.email).like(pattern, escape="\\")))
        key = _SORTS[q.sort]
        # the page's ids first (sorting narrow rows; the default order walks an index and stops at the page's end),
        # then their columns, the number of all matches and each one's latest invitation: one query
        ids = select(Interview.id, Interview.created_at, key.label("sort_key")).where(and_(*where))
        if q.search or q.sort == "candidate":
            ids = ids.join(Candidate, Candidate.id == Interview.candidate_id)
        if q.sort == "job":
            ids = ids.join(Job, Job.id == Interview.job_id)
        ids = ids.order_by(*_order(key, Interview.created_at, Interview.id, q.descending)).offset(q.offset)
        if q.limit is not None:
            ids = ids.limit(q.limit)
        page = ids.subquery("page")
        counted = select(func.count()).select_from(Interview).where(and_(*where))
        if q.search:
            counted = counted.join(Candidate, Candidate.id == Interview.candidate_id)
        latest = (select(Invitation.channel).where(Invitation.interview_id == Interview.id)
                  .order_by(Invitation.created_at.desc(), Invitation.id.desc()).limit(1))
        query = (select(Interview.id, Interview.status, Interview.language, Interview.job_id, Job.title,
                        Interview.candidate_id, Candidate.name, Candidate.email, Interview.created_at,
                        Interview.scheduled_at, Interview.started_at, Interview.ended_at, Interview.ai_score,
                        Interview.human_rating, Interview.flag_count, Interview.link_revoked_at,
                        Interview.content_deleted_at, Candidate.legal_hold_at, Candidate.legal_hold_reason,
                        counted.scalar_subquery().label("total"),
                        *(latest.with_only_columns(col).scalar_subquery().label(f"invitation_{col.key}")
                          for col in (Invitation.channel, Invitation.status, Invitation.created_at)))
                 .select_from(page).join(Interview, Interview.id == page.c.id)
                 .join(Candidate, Candidate.id == Interview.candidate_id).join(Job, Job.id == Interview.job_id)
                 .order_by(*_order(page.c.sort_key, page.c.created_at, page.c.id, q.descending)))
        async with self.db.session() as s:
            rows = (await s.execute(query)).all()
            # past the last page: still say how many there are
            total = int(rows[0].total) if rows else int((await s.execute(counted)).scalar_one())
        return [ListedInterview(
            id=r.id, status=r.status, language=r.language, job_id=r.job_id, job_title=r.title,
            candidate_id=r.candidate_id, candidate_name=r.name, candidate_email=r.email,
            created_at=as_utc(r.created_at), scheduled_at=as_utc(r.scheduled_at), started_at=as_utc(r.started_at),
            finished_at=as_utc(r.ended_at), ai_score=r.ai_score, human_rating=r.human_rating,
            flag_count=r.flag_count or 0, link_revoked=r.link_revoked_at is not None,
            content_deleted=r.content_deleted_at is not None, legal_hold_at=as_utc(r.legal_hold_at),
            legal_hold_reason=r.legal_hold_reason or "",
            invitation=LatestInvitation(r.invitation_channel, r.invitation_status, as_utc(r.invitation_created_at))
            if r.invitation_channel is not None else None) for r in rows], total


def _order(key, created, row_id, descending: bool) -> list:
    """By ``key`` (rows without a value last either way), then by creation and id the same way."""
    if descending:
        return [key.desc().nulls_last(), created.desc(), row_id.desc()]
    return [key.asc().nulls_last(), created.asc(), row_id.asc()]
