"""Models of the resume and match routes (server/http/routes/matching.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

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
