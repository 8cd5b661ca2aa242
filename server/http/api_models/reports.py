"""Models of the report routes (server/http/routes/reports.py): HR reviews, a person's decision on the AI's
suggestion and the candidate's review request."""

from __future__ import annotations

from typing import Literal

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


class DecisionRequest(Strict):
    decision: Literal["advance", "hold", "do_not_advance"] = Field(
        description="The person's decision after reading the report (server/reports/recommendation.py)")
    comment: str = Field(default="", max_length=2000, description="Why, in the person's words (optional)")


class DecisionOut(BaseModel):
    id: str
    decision: str
    suggested: str | None = Field(description="What the AI suggested when the decision was recorded (null: nothing "
                                              "was scored)")
    overall_score: float | None = Field(description="The overall AI score (1-5) when the decision was recorded")
    agrees: bool = Field(description="Whether the person confirmed the AI's suggestion (false: changed it)")
    comment: str
    decided_by: str = Field(description="The e-mail address of the person who decided")
    decided_by_name: str
    decided_at: str


class ReportOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    ai_generated: bool
    competencies: list[dict]
    answers: list[dict]


class CandidateReviewRequest(Strict):
    token: str = Field(max_length=2000)


class CandidateReviewResponse(BaseModel):
    requested_at: str
