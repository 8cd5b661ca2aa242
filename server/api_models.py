"""Request and response models of the HTTP API (they validate requests and generate the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    name: str = Field(min_length=1, max_length=200)
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


class InterviewSummary(BaseModel):
    id: str
    status: str
    language: str
    job_title: str
    candidate_name: str
    created_at: str | None
    live_connected: bool = False


class InterviewList(BaseModel):
    interviews: list[InterviewSummary]


class InterviewDetail(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    status: str
    language: str


class ConsentOut(BaseModel):
    kind: str
    version: str
    text: str
    required: bool
    granted: bool | None = None


class CandidateSession(BaseModel):
    interview_id: str
    candidate_name: str
    job_title: str
    language: str
    status: str
    disclosure: str
    consents: list[ConsentOut]
    questions_total: int


class ConsentDecisions(Strict):
    ai_evaluation: bool
    recording: bool
    face_voice_analysis: bool


class ConsentRequest(Strict):
    token: str = Field(max_length=2000)
    decisions: ConsentDecisions
    language: Literal["en", "zh", "ko"] | None = None


class ConsentResponse(BaseModel):
    status: str
    consents: list[ConsentOut]


class OfferRequest(Strict):
    token: str = Field(max_length=2000)
    sdp: str
    type: Literal["offer"]
    takeover: bool = False


class AnswerResponse(BaseModel):
    sdp: str
    type: Literal["answer"] = "answer"
    connection_id: str


class LoopLag(BaseModel):
    p50: float
    p95: float
    max: float
    samples: int


class HealthResponse(BaseModel):
    status: Literal["ok"] = "ok"
    live_sessions: int
    connected_sessions: int
    loop_lag_ms: LoopLag
    analysis_lag_ms: LoopLag = Field(description="Video frame received -> observation ready, recent frames")


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


class ImportPlanRequest(Strict):
    title: str | None = Field(default=None, max_length=200, description="Job title; the plan's title if omitted")
    description: str = Field(default="", max_length=20000)
    language: Literal["en", "zh"] = "en"
    plan: str | None = Field(default=None, description="The plan as YAML or JSON text")
    library_plan: str | None = Field(default=None, max_length=64, description="Or: the id of a library plan")


class LibraryPlanOut(BaseModel):
    id: str
    title: dict[str, str]
    role: str


class LibraryList(BaseModel):
    plans: list[LibraryPlanOut]


class ErrorInfo(BaseModel):
    code: str
    message: str


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


class InvitationRequest(Strict):
    channel: Literal["email", "webhook"] = "email"
    email: EmailStr | None = Field(default=None, description="Defaults to the candidate's e-mail")


class InvitationOut(BaseModel):
    id: str
    channel: str
    recipient: str
    status: str
    attempts: int
    last_error: str
    created_at: str | None
    sent_at: str | None


class InvitationList(BaseModel):
    invitations: list[InvitationOut]
