"""Request and response models of the HTTP API (they validate requests and generate the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field


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
    candidate_id: str = ""
    legal_hold: bool = Field(default=False, description="The candidate's data is under legal hold (never deleted)")
    legal_hold_since: str | None = None
    legal_hold_reason: str = ""
    content_deleted: bool = Field(default=False, description="The transcript and timeline were deleted (retention)")


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
    answer_to_question_ms: LoopLag = Field(description="Candidate's last voiced frame -> next question sent, recent "
                                           "answers that ended on silence (not on a time limit)")


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
    channel: Literal["email", "webhook", "dingtalk"] = "email"
    email: EmailStr | None = Field(default=None, description="Defaults to the candidate's e-mail")
    dingtalk_userid: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[^,\s]+$",
                                        description="The candidate's DingTalk userid (channel dingtalk)")


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


# --- bulk candidate import ----------------------------------------------------------------------------------------
class ImportItemOut(BaseModel):
    position: int
    filename: str = Field(description="Path inside the zip, 'people.csv row 3' for a CSV row, or the candidate's "
                          "id in DingTalk")
    status: Literal["pending", "created", "duplicate", "failed", "updated", "unchanged"] = Field(
        description="updated / unchanged: a DingTalk candidate imported before (changed or not since)")
    candidate_id: str | None = Field(default=None, description="The new candidate, or the existing one for a duplicate")
    name: str = ""
    error: ErrorInfo | None = Field(default=None, description="Why the file failed (the parser's kind: scanned, "
                                    "broken_file, unsupported_type, empty, too_large, ...) or whom it duplicates")


class ImportOut(BaseModel):
    id: str
    job_id: str
    status: Literal["pending", "running", "done", "interrupted", "failed"]
    source: str = Field(description="zip, csv, csv+zip or dingtalk")
    filename: str = Field(description="The uploaded files, or 'DingTalk: <job name> (<ATS job id>)'")
    total: int = Field(description="Items so far (a DingTalk import's grow once its candidates are listed)")
    done: int
    created: int
    duplicate: int
    failed: int
    updated: int = Field(default=0, description="DingTalk imports: candidates imported before whose record changed")
    unchanged: int = Field(default=0, description="DingTalk imports: candidates imported before, unchanged")
    error: ErrorInfo | None = Field(default=None, description="Why the run failed or was interrupted; on a done "
                                    "DingTalk run, code 'truncated' when DingTalk listed more than one import takes")
    created_at: str | None
    started_at: str | None
    finished_at: str | None
    items: list[ImportItemOut] | None = Field(default=None, description="Per-file results (not in lists)")


class ImportList(BaseModel):
    imports: list[ImportOut]


# --- scheduling: slots, bookings, reminders --------------------------------------------------------------------
class SlotOut(BaseModel):
    id: str
    starts_at: str = Field(description="UTC, ISO 8601")
    ends_at: str
    capacity: int
    booked: int


class WindowRequest(Strict):
    starts_at: AwareDatetime = Field(description="ISO 8601 with a UTC offset, e.g. 2026-12-01T09:00:00+08:00")
    ends_at: AwareDatetime
    capacity: int = Field(default=1, ge=1, le=100, description="Candidates per slot")


class WindowResult(BaseModel):
    slots: list[SlotOut] = Field(description="The slots the window was cut into (the job's slot length each)")


class JobSchedulingRequest(Strict):
    allow_immediate: bool | None = Field(default=None, description="Candidates may start at once (true) or only "
                                         "in a booked slot (false)")
    slot_minutes: int | None = Field(default=None, ge=5, le=240, description="Length of one slot")


class BookingOut(BaseModel):
    interview_id: str
    candidate_name: str
    interview_status: str
    schedule_status: Literal["unscheduled", "booked", "cancelled", "no_show"]
    scheduled_at: str | None
    ends_at: str | None
    slot_id: str | None
    candidate_timezone: str


class JobScheduleOut(BaseModel):
    job_id: str
    allow_immediate: bool
    slot_minutes: int
    slots: list[SlotOut] = Field(description="Slots ending after a week ago, by start time")
    bookings: list[BookingOut] = Field(description="Every interview of the job with its schedule state")


class ReminderOut(BaseModel):
    id: str
    kind: Literal["confirmation", "reschedule", "cancellation", "reminder_24h", "reminder_1h"]
    channel: str
    recipient: str
    due_at: str
    status: Literal["pending", "sending", "sent", "failed", "cancelled", "skipped"]
    attempts: int
    last_error: str
    sent_at: str | None


class InterviewScheduleOut(BookingOut):
    reminders: list[ReminderOut]


class NoShowRequest(Strict):
    no_show: bool = Field(description="true marks the candidate as a no-show; false takes the mark back")


class FreeSlotOut(BaseModel):
    id: str
    starts_at: str = Field(description="UTC, ISO 8601")
    ends_at: str
    free: int = Field(description="Seats left")


class CandidateSchedule(BaseModel):
    interview_id: str
    candidate_name: str
    job_title: str
    language: str
    interview_status: str
    allow_immediate: bool
    slot_minutes: int
    schedule_status: str
    booking: FreeSlotOut | None = Field(description="The booked slot (free = its seats left)")
    candidate_timezone: str
    can_start: bool = Field(description="The interview may be started now")
    start_refusal: ErrorInfo | None = Field(description="Why not (too_early, booking_required, missed_slot)")
    opens_at: str | None = Field(description="When the booked interview can be joined")
    slots: list[FreeSlotOut] = Field(description="Future slots with a free seat, except the booked one")
    notified_channels: list[str] = Field(description="Channels confirmations and reminders go out on (the "
                                         "invitation's); empty: the candidate is told on this page only")
    server_time: str
    # link lifetime (the link may expire before a booked slot: confirmations and this page hand out one that lasts)
    link_expires_at: str | None = Field(default=None, description="When the link used for this request stops working")
    link_needed_after_slot_min: int = Field(default=0, description="Minutes after a slot's end a link for it must "
                                            "still work (the no-show grace)")
    renewed_token: str | None = Field(default=None, description="Set when the booking outlasts the link used: a new "
                                      "link token valid until the booked slot is over (the confirmation and "
                                      "reminders carry the same kind of link)")
    renewed_link_expires_at: str | None = Field(default=None, description="When the renewed link stops working")


class BookRequest(Strict):
    token: str = Field(max_length=2000)
    slot_id: str = Field(max_length=64)
    timezone: str = Field(min_length=1, max_length=64, description="IANA zone of the candidate's browser")


class CancelBookingRequest(Strict):
    token: str = Field(max_length=2000)


# --- DingTalk ATS import ------------------------------------------------------------------------------------------
class DingTalkImportRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    ats_job_id: str = Field(min_length=1, max_length=128, description="The job's id in DingTalk recruiting (ATS)")
    since_days: int = Field(default=365, ge=1, le=3650, description="Candidates whose application changed in the "
                            "last N days")


class Integrations(BaseModel):
    invitation_channels: list[Literal["email", "webhook", "dingtalk"]] = Field(
        description="Invitation channels set up on this server (POST /api/v1/interviews/{id}/invitations)")
    dingtalk_import: bool = Field(description="Candidates can be imported from DingTalk recruiting "
                                  "(POST /api/v1/jobs/{job_id}/imports/dingtalk)")


# --- audit log of personal-data reads --------------------------------------------------------------------------
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


# --- retention, legal hold, erasure ----------------------------------------------------------------------------
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


# --- voluntary self-identification and the bias report ---------------------------------------------------------
Sex = Literal["female", "male", "non_binary"]
RaceEthnicity = Literal["hispanic_latino", "white", "black", "asian", "native_hawaiian_pacific_islander",
                        "american_indian_alaska_native", "two_or_more", "other"]
AgeBand = Literal["under_25", "25_39", "40_54", "55_plus"]


class SelfIdentificationRequest(Strict):
    token: str = Field(max_length=2000)
    sex: Sex | None = Field(default=None, description="null: prefer not to say")
    race_ethnicity: RaceEthnicity | None = None
    age_band: AgeBand | None = None


class SelfIdentificationOut(BaseModel):
    given: bool = Field(description="False when the candidate has given none (or withdrew it)")
    sex: str | None = None
    race_ethnicity: str | None = None
    age_band: str | None = None


class BiasGroupOut(BaseModel):
    group: str = Field(description="A category, or two crossed ones as sex/race_ethnicity")
    n: int | None = Field(description="null when the group is smaller than min_group")
    above_median: int | None = Field(description="null when the group is too small to report a rate")
    scoring_rate: float | None
    impact_ratio: float | None
    flagged: bool = Field(description="impact ratio under flag_below (0.8)")
    too_few: bool


class BiasAttributeOut(BaseModel):
    attribute: str = Field(description="sex | race_ethnicity | age_band | sex_race_ethnicity")
    unknown: int = Field(description="Scored candidates who did not say")
    highest_group: str | None
    groups: list[BiasGroupOut]


class BiasReportOut(BaseModel):
    job_id: str
    scored_interviews: int = Field(description="Candidates with a finished, scored interview (latest one each)")
    self_identified: int
    median_score: float | None
    min_group: int
    flag_below: float
    attributes: list[BiasAttributeOut]
