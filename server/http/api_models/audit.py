"""Models of the audit routes (server/http/routes/audit.py): the log of personal-data reads and the account log."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AuditCandidateOut(BaseModel):
    id: str
    name: str = Field(description="Empty once the candidate's data has been deleted")


class AuditReadOut(BaseModel):
    id: str
    action: str = Field(description="What was read: interviews.list, interview.read, interview.observe, report.read, "
                        "report.download, invitations.read, schedule.read, job_schedule.read, matches.read, "
                        "import.read, match.override, resume.duplicate, invitation.send, audit.read, candidates.list")
    what: str = Field(description="The action in words")
    actor_id: str | None
    actor_email: str
    subject_kind: str = Field(description="org | interview | job | import")
    subject_id: str
    ip: str
    first_at: str
    last_at: str
    count: int = Field(description="Reads coalesced into this row (same user, action, subject and address within "
                       "the coalescing window)")
    candidates_total: int
    candidates: list[AuditCandidateOut] = Field(description="Up to 20 of the candidates disclosed (the one filtered "
                                                "by first)")


class AuditReadList(BaseModel):
    reads: list[AuditReadOut]
    next_before: str | None = Field(description="Pass as ?before= for the next (older) page; null on the last page")


class AccountChangeOut(BaseModel):
    id: str
    at: str
    action: str = Field(description="user.created, user.role_changed, user.deactivated, user.reactivated, "
                        "user.password_link_issued, user.password_set, user.password_changed, "
                        "user.signed_out_everywhere, job.member_added, job.member_removed, interview.observer_added, "
                        "interview.observer_removed")
    what: str = Field(description="The action in words")
    actor_id: str | None = Field(description="Who made the change; null: the server's command line")
    actor_email: str
    subject_id: str = Field(description="The user the change was made to")
    subject_email: str
    detail: dict = Field(description="role (created), from and to (role changed), job_id and job_title (job "
                         "assignments), interview_id (observers), logins_ended (signed out everywhere)")
    ip: str


class AccountChangeList(BaseModel):
    changes: list[AccountChangeOut]
    next_before: str | None = Field(description="Pass as ?before= for the next (older) page; null on the last page")
