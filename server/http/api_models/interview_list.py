"""Models of the HR interview list (server/http/routes/interview_list.py) and of the actions on each row
(candidate links: routes/links.py; invitations: routes/invitations.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.storage.interview_list import SEARCH_MAX

Status = Literal["created", "consented", "live", "finished", "failed"]
Action = Literal["copy_link", "resend", "reissue", "revoke"]
MAX_PAGE = 200


class InterviewListQuery(BaseModel):
    """``GET /api/v1/interviews`` query (every parameter optional; others are ignored, as before paging existed)."""

    model_config = ConfigDict(extra="ignore")
    sort: Literal["candidate", "job", "created_at", "scheduled_at", "finished_at", "status", "ai_score",
                  "human_rating", "flags"] = Field("created_at", description="The column to sort by; rows without "
                                                   "a value (no score, not scheduled) come last either way")
    order: Literal["asc", "desc"] = "desc"
    status: list[Status] = Field(default_factory=list, max_length=5, description="Only these statuses (repeat the "
                                 "parameter or separate with commas)")
    job_id: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=100,
                                                               description="Only these jobs' interviews")
    date_field: Literal["created_at", "scheduled_at", "finished_at"] = Field(
        "created_at", description="The date date_from and date_to bound")
    date_from: str | None = Field(None, max_length=40, description="From this day (YYYY-MM-DD, UTC) or moment "
                                  "(ISO 8601 with an offset), inclusive")
    date_to: str | None = Field(None, max_length=40, description="Up to this day, inclusive (YYYY-MM-DD, UTC), or "
                                "before this moment (ISO 8601 with an offset)")
    has_flags: bool | None = Field(None, description="true: only interviews with proctoring flags; false: without")
    score_min: float | None = Field(None, ge=0, le=5, description="Overall AI score at least (unscored: excluded)")
    score_max: float | None = Field(None, ge=0, le=5, description="Overall AI score at most (unscored: excluded)")
    q: str | None = Field(None, max_length=SEARCH_MAX, description="Part of the candidate's name or e-mail, any case")
    offset: int = Field(0, ge=0, le=1_000_000)
    limit: int | None = Field(None, ge=1, le=MAX_PAGE, description=f"Rows per page (at most {MAX_PAGE}); "
                              "without it every row (the answer before paging existed)")


class InvitationState(BaseModel):
    channel: str
    status: str = Field(description="pending, sent or failed")
    created_at: str | None


class InterviewSummary(BaseModel):
    id: str
    status: str
    language: str
    job_title: str
    candidate_name: str
    created_at: str | None
    live_connected: bool = False
    candidate_id: str = ""
    legal_hold: bool = Field(default=False, description="The candidate's data is under legal hold (never deleted)")
    legal_hold_since: str | None = None
    legal_hold_reason: str = ""
    content_deleted: bool = Field(default=False, description="The transcript and timeline were deleted (retention)")
    job_id: str = ""
    link_revoked: bool = Field(default=False, description="HR withdrew the candidate's link (a new one may be issued)")
    candidate_email: str = ""
    scheduled_at: str | None = Field(None, description="The booked slot's start")
    started_at: str | None = None
    finished_at: str | None = Field(None, description="When the interview ended")
    ai_score: float | None = Field(None, description="Overall AI score (1-5): the mean of the competencies' scores, "
                                   "as in the report and the bias check")
    human_rating: float | None = Field(None, description="People's overall rating (1-5): the mean of each rated "
                                       "competency's mean rating")
    flags: int = Field(0, description="Proctoring flags raised (evidence for a person, never a rejection)")
    invitation: InvitationState | None = Field(None, description="The latest invitation sent, if any")
    actions: list[Action] = Field(default_factory=list, description="What the caller may do on this row now: "
                                  "copy_link (GET .../link), resend (POST .../invitations/resend), reissue "
                                  "(POST .../link), revoke (DELETE .../link)")


class InterviewList(BaseModel):
    interviews: list[InterviewSummary]
    total: int = Field(description="Rows matching the filters, on every page")
    offset: int = 0
    limit: int | None = None


class CandidateLinkOut(BaseModel):
    interview_id: str
    link: str
    token: str
    expires_at: str = Field(description="When this copy of the link stops working")
