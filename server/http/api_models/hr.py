"""Models of the HR routes (server/http/routes/hr.py): sign-in, jobs and their plans, interviews."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from analyzers.documents.job_requirements import JobRequirements
from dialogue.plan_io import MAX_PLAN_BYTES
from server.http.api_models.common import NonBlank, Strict


class LoginRequest(Strict):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1000)


class UserOut(BaseModel):
    id: str
    email: str
    role: str
    org_id: str
    display_name: str


class LoginResponse(BaseModel):
    user: UserOut


class ReportReadOut(BaseModel):
    report_read: bool = Field(description="The user has opened an evaluation report (or its PDF), as the access log "
                              "records")


class JobOut(BaseModel):
    id: str
    title: str
    description: str
    language: str


class JobList(BaseModel):
    jobs: list[JobOut]


class QuestionIn(Strict):
    text: str = Field(min_length=1, max_length=2000)
    competency: str = Field(default="", max_length=100)
    expected_points: list[str] = Field(default_factory=list, max_length=20)
    time_limit_s: int = Field(default=180, ge=10, le=1800)


class CreateJobRequest(Strict):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20000)
    language: Literal["en", "zh", "ko"] = "en"
    questions: list[QuestionIn] = Field(min_length=1, max_length=50)


class CandidateIn(Strict):
    name: NonBlank = Field(max_length=200, description="The candidate's name (not only spaces; stored trimmed)")
    email: EmailStr | Literal[""] = ""


class CreateInterviewRequest(Strict):
    job_id: str = Field(max_length=64)
    candidate: CandidateIn | None = None
    candidate_id: str | None = Field(default=None, max_length=64, description="An existing candidate (from a resume)")
    language: Literal["en", "zh", "ko"] | None = None


class CreateInterviewResponse(BaseModel):
    interview_id: str
    link: str
    token: str


class InterviewDetail(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    status: str
    language: str


class ImportPlanRequest(Strict):
    title: str | None = Field(default=None, max_length=200, description="Job title; the plan's title if omitted")
    description: str = Field(default="", max_length=20000)
    language: Literal["en", "zh"] = "en"
    plan: str | None = Field(default=None, max_length=MAX_PLAN_BYTES, description="The plan as YAML or JSON text "
                             f"(at most {MAX_PLAN_BYTES // 1024} KB)")
    library_plan: str | None = Field(default=None, max_length=64, description="Or: the id of a library plan")


class JobFromDescriptionRequest(Strict):
    title: str = Field(min_length=1, max_length=200, pattern=r"\S", description="Job title")
    description: str = Field(min_length=1, max_length=20000, pattern=r"\S",
                             description="The job description as pasted; its requirements are read from it")
    language: Literal["en", "zh"] | None = Field(
        default=None, description="Interview language; the description's own language if omitted")
    library_plan: str = Field(min_length=1, max_length=64, description="The id of the library plan the interview "
                              "follows (GET /api/v1/plan-library); editable later with PUT /api/v1/jobs/{id}/plan")


class JobWithRequirements(BaseModel):
    job: JobOut
    requirements: JobRequirements = Field(description="Read from the description (must-have and nice-to-have); "
                                          "edit with PUT /api/v1/jobs/{id}/requirements")
    read_by: Literal["rules", "model"] = Field("rules", description="Who found the must-have and nice-to-have "
                                              "sections: the rules, or (when the rules knew no heading) the "
                                              "language model's reading of the headings, then saved as the job's "
                                              "requirements")


class LibraryPlanOut(BaseModel):
    id: str
    title: dict[str, str]
    role: str


class LibraryList(BaseModel):
    plans: list[LibraryPlanOut]
