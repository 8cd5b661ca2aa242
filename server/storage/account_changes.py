"""The account log: who changed who may do what in an organisation, when and from where.

Each change is recorded in the transaction that makes it (``record_change`` adds the row to that session), so a
change is never in the database without its record, nor a record without its change. The repositories that change
accounts and assignments (``accounts.py``, ``assignments.py``) take a ``by: ChangedBy`` for this; ``None`` records
nothing and is for demo data and test fixtures only: every HTTP route and command that changes an account passes
who did it. Organisation admins read the log at ``GET /api/v1/audit/account-changes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.storage.database import Repository
from server.storage.models import AccountChange, User

ACCOUNT_ACTIONS: dict[str, str] = {
    "user.created": "a user was created with a role (detail: role)",
    "user.role_changed": "a user's role changed (detail: from, to)",
    "user.deactivated": "a user was deactivated: their logins ended and they cannot log in",
    "user.reactivated": "a deactivated user may log in again",
    "user.password_link_issued": "a one-time set-password link was issued (an earlier one stops working)",
    "user.password_set": "a user set their password with their link",
    "user.password_changed": "a user changed their own password",
    "job.member_added": "a recruiter or hiring manager was made responsible for a job (detail: job_id)",
    "job.member_removed": "a recruiter or hiring manager is no longer responsible for a job (detail: job_id)",
    "interview.observer_added": "an observer was invited to an interview (detail: interview_id)",
    "interview.observer_removed": "an observer may no longer read an interview (detail: interview_id)",
    "user.signed_out_everywhere": "an admin ended every login of a user, some being open (detail: logins_ended)",
}


@dataclass(frozen=True)
class ChangedBy:
    """Who made a change and from which address; ``user_id`` None: the server's command line."""

    user_id: str | None
    email: str
    ip: str = ""

    @classmethod
    def user(cls, user: User, ip: str) -> ChangedBy:
        return cls(user.id, user.email, ip)

    @classmethod
    def command_line(cls) -> ChangedBy:
        return cls(None, "")


def record_change(s: AsyncSession, by: ChangedBy | None, action: str, subject: User,
                  detail: dict[str, Any] | None = None) -> None:
    """Add the record of ``action`` on ``subject`` to the session ``s`` that makes the change (nothing when ``by``
    is None: demo data, fixtures)."""
    if by is None:
        return
    if action not in ACCOUNT_ACTIONS:
        raise ValueError(f"unknown account action {action!r}")
    s.add(AccountChange(org_id=subject.org_id, action=action, actor_id=by.user_id, actor_email=by.email, ip=by.ip,
                        subject_id=subject.id, subject_email=subject.email, detail=dict(detail or {})))


async def record_change_of(s: AsyncSession, by: ChangedBy | None, action: str, user_id: str,
                           detail: dict[str, Any] | None = None) -> None:
    """``record_change`` for the user ``user_id``, read in ``s`` after the change (nothing when ``by`` is None, or the
    user is gone)."""
    if by is not None and (user := await s.get(User, user_id)) is not None:
        record_change(s, by, action, user, detail)


class AccountChangeRepository(Repository):
    """Reads of the account log (its rows are written by the repositories that make the changes)."""

    async def changes(self, org_id: str, subject_id: str | None = None,
                      before: tuple[datetime, str] | None = None, limit: int = 50) -> list[AccountChange]:
        """The organisation's account log, newest first; ``before`` is the (at, id) of the previous page's last
        row; ``subject_id`` narrows it to the changes made to one user."""
        q = select(AccountChange).where(AccountChange.org_id == org_id)
        if subject_id:
            q = q.where(AccountChange.subject_id == subject_id)
        if before is not None:
            at, rid = before
            q = q.where(or_(AccountChange.at < at, and_(AccountChange.at == at, AccountChange.id < rid)))
        async with self.db.session() as s:
            return list((await s.execute(q.order_by(AccountChange.at.desc(), AccountChange.id.desc())
                                         .limit(limit))).scalars())
