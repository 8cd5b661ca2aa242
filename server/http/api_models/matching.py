"""Models of the resume and match routes (server/http/routes/matching.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from analyzers.documents.job_requirements import Requirement
from server.http.api_models.common import ErrorInfo, Strict


class ResumeFileResult(BaseModel):
    filename: str
    ok: bool
    candidate_id: str | None = None
    name: str | None = None
    error: ErrorInfo | None = None


class ResumeUploadResult(BaseModel):
    results: list[ResumeFileResult]


class MatchOverrideRequest(Strict):
    requirement_id: str = Field(max_length=64)
    status: Literal["met", "partly", "missing"]
    note: str = Field(default="", max_length=2000)


class ReadRequirementRequest(Strict):
    text: str = Field(min_length=1, max_length=500, pattern=r"\S", description="One requirement line as HR writes "
                      "it, e.g. \"Java or Go\", \"3年以上产品经理经验\"")
    must_have: bool = True


class ReadRequirementResult(BaseModel):
    requirements: list[Requirement] = Field(description="What the line states, each with a fresh id; not stored "
                                            "until the job's requirements are saved")
