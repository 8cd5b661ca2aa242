"""Models of the retention routes (server/http/routes/retention.py): retention, legal hold, erasure."""

from __future__ import annotations

from pydantic import BaseModel, Field

from server.http.api_models.common import Strict


class RetentionRequest(Strict):
    interview_content_days: int = Field(ge=1, le=3650, description="Days after an interview ends before its "
                                        "transcript, answers, evidence quotes and timeline are deleted")
    candidate_days: int = Field(ge=1, le=3650, description="Days after a candidate's last activity before "
                                "everything about them is deleted")


class RetentionOut(BaseModel):
    interview_content_days: int
    candidate_days: int
    is_default: bool = Field(description="True while the organisation has set no periods (the server's defaults)")


class RetentionRunOut(BaseModel):
    interviews_content_deleted: int
    candidates_deleted: int
    import_results_deleted: int


class LegalHoldRequest(Strict):
    hold: bool
    reason: str = Field(default="", max_length=2000, description="Required when placing a hold (e.g. the case)")


class LegalHoldOut(BaseModel):
    candidate_id: str
    legal_hold: bool
    reason: str
    since: str | None


class CandidateOut(BaseModel):
    id: str
    name: str
    created_at: str | None
    legal_hold: bool
    legal_hold_since: str | None
    legal_hold_reason: str


class CandidateList(BaseModel):
    candidates: list[CandidateOut]


class ErasureOut(BaseModel):
    candidate_id: str
    deleted: dict[str, int] = Field(description="What was deleted: interviews, resumes, transcript_segments, "
                                    "timeline_events, import_results")


class DeletionOut(BaseModel):
    id: str
    at: str
    reason: str = Field(description="retention | erasure_request")
    scope: str = Field(description="candidate | interview_content | import_results")
    candidate_id: str | None
    interview_id: str | None
    actor_email: str
    counts: dict[str, int]


class DeletionList(BaseModel):
    deletions: list[DeletionOut]
