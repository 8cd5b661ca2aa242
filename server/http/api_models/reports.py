"""Models of the report routes (server/http/routes/reports.py): HR reviews and the candidate's review request."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from server.http.api_models.common import Strict


class ReviewRequest(Strict):
    competency: str = Field(min_length=1, max_length=100)
    score: float = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=5000)


class ReviewOut(BaseModel):
    id: str
    competency: str
    score: float
    comment: str


class ReportOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    ai_generated: bool
    competencies: list[dict]
    answers: list[dict]


class CandidateReviewRequest(Strict):
    token: str = Field(max_length=2000)


class CandidateReviewResponse(BaseModel):
    requested_at: str
