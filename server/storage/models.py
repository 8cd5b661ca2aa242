"""The data model. Every record belongs to an organisation, directly or through its interview."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from server.compliance.crypto import EncryptedJSON, EncryptedText


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class Organization(Base):
    __tablename__ = "organizations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(16), default="CN")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# what a user may do and on which records: server/http/access.py
ROLES: tuple[str, ...] = ("admin", "recruiter", "hiring_manager", "observer")


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    # admin | recruiter | hiring_manager | observer (server/http/access.py; "hr" became "recruiter" in 0013)
    role: Mapped[str] = mapped_column(String(20), default="recruiter")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # (0014) their DingTalk userid, set by an admin: reports of their jobs reach them as DingTalk work notices
    dingtalk_userid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # (0021) deactivated by an admin: cannot log in, their logins ended; their records stay
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # (0021) the set-password link that may still be used (server/http/password_links.py); None: none may
    password_link_nonce: Mapped[str | None] = mapped_column(String(32), nullable=True)


class LoginSession(Base):
    """A user's login: the browser holds a random token, the row its SHA-256 (a copy of this table logs no one
    in). It ends when deleted (logout, password change, an admin's "sign out everywhere") or when it was idle or
    open too long (server/http/sessions.py)."""

    __tablename__ = "login_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    address: Mapped[str] = mapped_column(String(64), default="")  # where the login came from
    user: Mapped[User] = relationship(lazy="joined")


class LoginFailures(Base):
    """Wrong passwords recently given for one account or from one address (``key``: a SHA-256 of which, so the
    table keeps no typed-in e-mail), and the lock they led to (server/http/login_throttle.py)."""

    __tablename__ = "login_failures"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # scheduling (0005): may a candidate start at once, or only in a booked slot; the length of one slot
    allow_immediate: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    plans: Mapped[list[QuestionPlan]] = relationship(back_populates="job", order_by="QuestionPlan.version")


class QuestionPlan(Base):
    __tablename__ = "question_plans"
    __table_args__ = (UniqueConstraint("job_id", "version"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    language: Mapped[str] = mapped_column(String(8), default="en")
    # The full plan (dialogue.plan.InterviewPlanSpec as JSON): rubric, follow-up rules, both languages.
    spec: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    job: Mapped[Job] = relationship(back_populates="plans")
    questions: Mapped[list[Question]] = relationship(
        back_populates="plan", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(Base):
    __tablename__ = "questions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    plan_id: Mapped[str] = mapped_column(ForeignKey("question_plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    competency: Mapped[str] = mapped_column(String(100), default="")
    expected_points: Mapped[list] = mapped_column(JSON, default=list)
    time_limit_s: Mapped[int] = mapped_column(Integer, default=180)
    plan: Mapped[QuestionPlan] = relationship(back_populates="questions")


class Candidate(Base):
    __tablename__ = "candidates"
    # external ids (0006): one candidate per record of an HR system, so a re-import updates instead of duplicating
    __table_args__ = (UniqueConstraint("org_id", "external_source", "external_id", name="uq_candidates_external"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    external_source: Mapped[str | None] = mapped_column(String(32), nullable=True)  # e.g. "dingtalk"
    external_id: Mapped[str | None] = mapped_column(String(128), nullable=True)  # the HR system's candidate id
    # legal hold (0009): while set, neither retention nor an erasure request deletes anything of this candidate
    legal_hold_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    legal_hold_reason: Mapped[str] = mapped_column(EncryptedText("candidates.legal_hold_reason"), default="",
                                                   server_default="")
    legal_hold_by: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Interview(Base):
    __tablename__ = "interviews"
    # the interview list (0016): an organisation's or a job's interviews, newest first
    __table_args__ = (Index("ix_interviews_org_created", "org_id", "created_at"),
                      Index("ix_interviews_job_created", "job_id", "created_at"))
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("question_plans.id"))
    language: Mapped[str] = mapped_column(String(8), default="en")
    # created -> consented -> live -> finished | failed
    status: Mapped[str] = mapped_column(String(16), default="created", index=True)
    link_nonce: Mapped[str] = mapped_column(String(64), default=new_id)
    question_index: Mapped[int] = mapped_column(Integer, default=0)
    asr_model: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    review_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # retention (0009): when the transcript, answers, evidence quotes and timeline were deleted (scores stay)
    content_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # scheduling (0005): the booked slot (no FK, so SQLite adds the column without rebuilding the table),
    # unscheduled | booked | cancelled | no_show, the candidate's IANA zone, and a counter bumped on every change
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    slot_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    schedule_status: Mapped[str] = mapped_column(String(16), default="unscheduled", server_default="unscheduled")
    candidate_timezone: Mapped[str] = mapped_column(String(64), default="", server_default="")
    schedule_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # candidate links (0012): HR withdrew the link at this time (a new link clears it); a link is valid only
    # with the current link_nonce, so withdrawing or reissuing changes the nonce
    link_revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # the interview list's figures (0016), kept by storage/interview_records.py as scores, ratings and flags are
    # stored, so the list sorts and filters on them in SQL: the overall AI score and human rating
    # (reports/overall_score.py) and how many proctoring flags were raised (kept when retention deletes the
    # timeline, like the scores)
    ai_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    human_rating: Mapped[float | None] = mapped_column(Float, nullable=True)
    flag_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    candidate: Mapped[Candidate] = relationship()
    job: Mapped[Job] = relationship()


class Turn(Base):
    """One question put to the candidate and the answer given to it."""

    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("interview_id", "index"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str | None] = mapped_column(ForeignKey("questions.id"), nullable=True)
    question_index: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), default="question")
    question_text: Mapped[str] = mapped_column(EncryptedText("turns.question_text"))  # follow-ups quote
    answer_text: Mapped[str] = mapped_column(EncryptedText("turns.answer_text"), default="")
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answer_ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    end_reason: Mapped[str] = mapped_column(String(32), default="")
    trigger: Mapped[str] = mapped_column(String(32), default="")  # why a follow-up was asked (its rule)
    reason: Mapped[str] = mapped_column(EncryptedText("turns.reason"), default="")  # the follow-up's why, for HR


class TranscriptSegment(Base):
    __tablename__ = "transcript_segments"
    __table_args__ = (UniqueConstraint("interview_id", "seq"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    turn_index: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    connection_id: Mapped[str] = mapped_column(String(32), default="")
    text: Mapped[str] = mapped_column(EncryptedText("transcript_segments.text"))
    start_ms: Mapped[int] = mapped_column(Integer)
    end_ms: Mapped[int] = mapped_column(Integer)
    words: Mapped[list] = mapped_column(EncryptedJSON("transcript_segments.words"), default=list)
    engine: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Event(Base):
    """The interview's event timeline (every non-transient published event)."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(EncryptedJSON("events.payload"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Consent(Base):
    """One recorded decision on one consent kind; a later record of the same kind supersedes it."""

    __tablename__ = "consents"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # ai_evaluation | recording | face_voice_analysis
    version: Mapped[str] = mapped_column(String(16))
    granted: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(400), default="")


class AnswerScore(Base):
    """The AI's score of one answer for one competency, with the evidence behind it."""

    __tablename__ = "answer_scores"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    turn_index: Mapped[int] = mapped_column(Integer)
    question_index: Mapped[int] = mapped_column(Integer)
    competency: Mapped[str] = mapped_column(String(100))
    score: Mapped[float] = mapped_column()
    confidence: Mapped[float] = mapped_column()
    level: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list] = mapped_column(EncryptedJSON("answer_scores.evidence"), default=list)
    uncertain: Mapped[list] = mapped_column(JSON, default=list)
    scored_by: Mapped[str] = mapped_column(String(120), default="rules", server_default="rules")
    """Which path scored it: "rules", or "<model> + rules" when the language model's judgement was part of it."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HumanReview(Base):
    """A person's rating of one competency, kept next to the AI's."""

    __tablename__ = "human_reviews"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    competency: Mapped[str] = mapped_column(String(100))
    score: Mapped[float] = mapped_column()
    comment: Mapped[str] = mapped_column(EncryptedText("human_reviews.comment"), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class InterviewDecision(Base):
    """A person's decision on an interview after reading its report (advance, hold, do not advance), kept next to
    what the AI suggested at that moment. Rows are never changed: a later decision is a new row; the newest counts
    and the earlier ones are its history. Who decided stays readable after their account is deleted."""

    __tablename__ = "interview_decisions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(16))  # server/reports/recommendation.py DECISIONS
    suggested: Mapped[str | None] = mapped_column(String(16), nullable=True)  # the AI's suggestion then
    overall_score: Mapped[float | None] = mapped_column(nullable=True)  # the overall AI score then
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    decided_by_email: Mapped[str] = mapped_column(String(320))
    decided_by_name: Mapped[str] = mapped_column(String(200), default="")
    comment: Mapped[str] = mapped_column(EncryptedText("interview_decisions.comment"), default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Resume(Base):
    """A candidate's resume for a job: the parsed profile (with sources) and the extracted text."""

    __tablename__ = "resumes"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer)
    profile: Mapped[dict] = mapped_column(EncryptedJSON("resumes.profile"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # retention (0009): when an HR system last sent it again (the candidate is still active there)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class JobRequirementSet(Base):
    """The job's requirements as HR last saved them (extracted from the description until then)."""

    __tablename__ = "job_requirements"
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    requirements: Mapped[dict] = mapped_column(JSON)
    updated_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MatchOverride(Base):
    """HR's decision on one requirement for one candidate, kept with who and why."""

    __tablename__ = "match_overrides"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(EncryptedText("match_overrides.note"), default="")
    by: Mapped[str] = mapped_column(String(320), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Invitation(Base):
    """One invitation sent (or being sent) on one channel, with its delivery state for HR to see."""

    __tablename__ = "invitations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # email (DingTalk work notices and webhooks to come)
    recipient: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


# --- scheduling (0005) ------------------------------------------------------------------------------------
def as_utc(dt: datetime | None) -> datetime | None:
    """Stored times are UTC; SQLite hands them back without a zone, PostgreSQL with one."""
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def iso_utc(dt: datetime | None) -> str | None:
    """A stored time as the API shows it: ISO 8601 in UTC (None stays None)."""
    return as_utc(dt).isoformat() if dt else None


class JobSlot(Base):
    """One bookable interview slot of a job (HR's availability windows are cut into these)."""

    __tablename__ = "job_slots"
    __table_args__ = (UniqueConstraint("job_id", "starts_at", name="uq_job_slots_start"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    booked: Mapped[int] = mapped_column(Integer, default=0)  # active bookings; changed only by guarded UPDATEs
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Reminder(Base):
    """One scheduling message (confirmation, reminder, change) on one channel; sent at most once.

    ``booking_seq`` is the interview's ``schedule_seq`` the message belongs to, so the unique key holds across
    reschedules while a message for the same booking can never be queued (or sent) twice.
    """

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("interview_id", "kind", "channel", "booking_seq", name="uq_reminders_once"),
                      Index("ix_reminders_status_due", "status", "due_at"))
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # confirmation | reschedule | cancellation | reminder_24h | reminder_1h
    channel: Mapped[str] = mapped_column(String(16))  # the invitation's channel name (email, webhook, ...)
    recipient: Mapped[str] = mapped_column(String(320), default="")
    booking_seq: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    details: Mapped[dict] = mapped_column(JSON, default=dict)  # the booking as it was when queued (times, zone)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sending|sent|failed|cancelled|skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


# --- bulk candidate import (0007) ---------------------------------------------------------------------------
class CandidateImport(Base):
    """One bulk import run (a zip of resumes and/or a CSV) for one job; its files are CandidateImportItems.

    ``status``: pending -> running -> done | interrupted (its server stopped or crashed and no queue job will resume
    it: ``heartbeat_at`` went stale) | failed (an unexpected error; ``error_code``/``error_message`` say which). A
    run handed over to another node goes back to pending, then running again.
    """

    __tablename__ = "candidate_imports"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    source: Mapped[str] = mapped_column(String(16))  # zip | csv | csv+zip
    filename: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[str] = mapped_column(String(40), default="")
    error_message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CandidateImportItem(Base):
    """One file (zip entry) or CSV row of an import and what became of it: pending | created | duplicate | failed."""

    __tablename__ = "candidate_import_items"
    __table_args__ = (UniqueConstraint("import_id", "position", name="uq_candidate_import_items_position"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    import_id: Mapped[str] = mapped_column(ForeignKey("candidate_imports.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    candidate_id: Mapped[str | None] = mapped_column(ForeignKey("candidates.id", ondelete="SET NULL"), nullable=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    error_code: Mapped[str] = mapped_column(String(40), default="")
    error_message: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ImportUpload(Base):
    """One part of a file uploaded for a bulk import, kept while the import is unfinished so that any node may run or
    resume it (server/storage/import_uploads.py); deleted when the run ends. ``data`` is the part's bytes in base64
    (the encrypted column types take text)."""

    __tablename__ = "import_uploads"
    __table_args__ = (UniqueConstraint("import_id", "file_index", "part", name="uq_import_uploads_part"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    import_id: Mapped[str] = mapped_column(ForeignKey("candidate_imports.id", ondelete="CASCADE"))
    file_index: Mapped[int] = mapped_column(Integer)  # the file's place in the upload (a zip and/or a CSV)
    part: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer)  # this part's bytes
    data: Mapped[str] = mapped_column(EncryptedText("import_uploads.data"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JobCandidateContact(Base):
    """A normalised e-mail (lower case) or phone (E.164) of a job's candidate; unique per job, so the same person
    is never stored twice for one job, whichever server process stores them."""

    __tablename__ = "job_candidate_contacts"
    __table_args__ = (UniqueConstraint("job_id", "kind", "value", name="uq_job_candidate_contacts"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # email | phone
    value: Mapped[str] = mapped_column(String(320))


class PersonalDataRead(Base):
    """One read of candidates' personal data by a user (audit log, BRIEF section 4). The same user reading the same
    thing from the same address again within the coalescing window raises ``count`` and ``last_at`` and adds any
    candidate it newly disclosed, instead of adding a row (the HR page refreshes its list every few seconds).
    Candidates are named by id only, with no foreign keys, so the record of who saw a candidate outlives the
    candidate's data."""

    __tablename__ = "personal_data_reads"
    # the second: finding the row a repeated read counts on (0016)
    __table_args__ = (Index("ix_personal_data_reads_org_last", "org_id", "last_at"),
                      Index("ix_personal_data_reads_actor_subject", "actor_id", "subject_id", "last_at"))
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    actor_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    actor_email: Mapped[str] = mapped_column(String(320), default="")
    action: Mapped[str] = mapped_column(String(40))
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(32))
    candidates_total: Mapped[int] = mapped_column(Integer, default=0)
    ip: Mapped[str] = mapped_column(String(64), default="")
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    count: Mapped[int] = mapped_column(Integer, default=1)


class PersonalDataReadCandidate(Base):
    """A candidate whose data one audited read disclosed (so "who has seen this candidate" is one indexed query)."""

    __tablename__ = "personal_data_read_candidates"
    read_id: Mapped[str] = mapped_column(ForeignKey("personal_data_reads.id", ondelete="CASCADE"), primary_key=True)
    candidate_id: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class AccountChange(Base):
    """One change to who may do what in an organisation (server/storage/account_changes.py): a user created,
    their role changed, deactivated or reactivated, a set-password link issued or used, a password changed, a job
    assigned or an interview's observer invited or removed. Written in the transaction of the change it records.
    The people are named by id and e-mail as they were, with no foreign keys, so the record outlives the account."""

    __tablename__ = "account_changes"
    __table_args__ = (Index("ix_account_changes_org_at", "org_id", "at"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str | None] = mapped_column(String(32), nullable=True)  # None: the server's command line
    actor_email: Mapped[str] = mapped_column(String(320), default="")
    subject_id: Mapped[str] = mapped_column(String(32))
    subject_email: Mapped[str] = mapped_column(String(320), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)  # e.g. {"from": "recruiter", "to": "admin"}, {"job_id"}
    ip: Mapped[str] = mapped_column(String(64), default="")


class RetentionPolicy(Base):
    """How long an organisation keeps candidates' data (days; see server/compliance/retention.py for what each covers)."""

    __tablename__ = "retention_policies"
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    interview_content_days: Mapped[int] = mapped_column(Integer)
    candidate_days: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DataDeletion(Base):
    """A record that personal data was deleted (by retention or on request): ids and counts only, never the data."""

    __tablename__ = "data_deletions"
    __table_args__ = (Index("ix_data_deletions_org_at", "org_id", "at"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str] = mapped_column(String(20))  # retention | erasure_request
    scope: Mapped[str] = mapped_column(String(20))  # candidate | interview_content | import_results
    candidate_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    interview_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    actor_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    actor_email: Mapped[str] = mapped_column(String(320), default="")
    counts: Mapped[dict] = mapped_column(JSON, default=dict)


class SelfIdentification(Base):
    """A candidate's voluntary self-identification, for bias monitoring only (BRIEF section 4). Kept apart from
    the candidate and the interview record: nothing that scores, ranks or reports on a candidate reads this table;
    only the aggregate bias report does. Deleted with the interview (retention, erasure) or when withdrawn."""

    __tablename__ = "self_identifications"
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    sex: Mapped[str | None] = mapped_column(EncryptedText("self_identifications.sex"), nullable=True)  # None: not said
    race_ethnicity: Mapped[str | None] = mapped_column(EncryptedText("self_identifications.race_ethnicity"),
                                                       nullable=True)
    age_band: Mapped[str | None] = mapped_column(EncryptedText("self_identifications.age_band"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JobMember(Base):
    """A recruiter or hiring manager responsible for a job (0013): assigned by an admin, or the recruiter who
    created it. What they may do on it is their role's (server/http/access.py)."""

    __tablename__ = "job_members"
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    assigned_by: Mapped[str | None] = mapped_column(String(32), nullable=True)  # the admin (or the creator)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class InterviewObserver(Base):
    """An observer invited to one interview (0012): they may read it, watch it live and read its report."""

    __tablename__ = "interview_observers"
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    invited_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    invited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReportSync(Base):
    """One write-back of an interview's report to one target (0014): the outbox the writer drains
    (server/reports/writeback.py) and the sync log HR reads.

    ``target``: ``dingtalk_record`` (the candidate's DingTalk recruiting record), ``dingtalk_notice`` (a work
    notice to the job's recruiters) or ``webhook``. A report version is its content's digest: the unique key makes
    a re-run of the same report insert nothing, so nothing is written twice; a changed report is the next
    ``report_version`` and supersedes writes of the old one still waiting. ``payload`` is the event as sent
    (encrypted: it names the candidate), ``idempotency_key`` goes with it (DingTalk's ``out_id``, the webhook's
    ``Idempotency-Key``).

    ``status``: pending (``next_attempt_at`` says when) -> sending -> sent | failed (given up, or refused for good;
    HR can sync again) | superseded. A row left ``sending`` by a stopped process goes back to pending after a lease,
    so nothing is lost; the targets take a repeat of the same key as the same write.
    """

    __tablename__ = "report_syncs"
    __table_args__ = (UniqueConstraint("interview_id", "target", "report_digest", name="uq_report_syncs_once"),
                      Index("ix_report_syncs_status_next", "status", "next_attempt_at"),
                      Index("ix_report_syncs_org_created", "org_id", "created_at"))
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(24))
    recipient: Mapped[str] = mapped_column(String(500), default="")
    report_version: Mapped[int] = mapped_column(Integer, default=1)
    report_digest: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict] = mapped_column(EncryptedJSON("report_syncs.payload"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # requests made, over all rounds
    rounds: Mapped[int] = mapped_column(Integer, default=0)  # delivery rounds (each retried quickly inside)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    error_code: Mapped[str] = mapped_column(String(40), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    external_ref: Mapped[str] = mapped_column(String(200), default="")  # DingTalk's task id or data id
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class BackgroundJob(Base):
    """One unit of background work on the shared queue (server/platform/work_queue.py): claimed by one node at a
    time under a lease (``locked_by`` / ``locked_until``), retried with backoff, ``done`` or ``failed`` at the end.

    The payload is encrypted (it may carry a message for a candidate); ``idempotency_key`` is unique, so enqueueing
    the same logical job twice (two nodes, a retried request) stores it once. Table named apart from ``jobs`` (the
    job openings)."""

    __tablename__ = "background_jobs"
    __table_args__ = (Index("ix_background_jobs_state_run_after", "state", "run_after"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    org_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)  # None: the server's own work
    payload: Mapped[dict] = mapped_column(EncryptedJSON("background_jobs.payload"), default=dict)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # runs started (a graceful stop gives one back)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the node running it
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)  # its lease
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


# --- outcomes and analytics (0015) --------------------------------------------------------------------------
DECISIONS: tuple[str, ...] = ("advanced", "hired", "rejected")


class CandidateOutcome(Base):
    """What became of one candidate for one job: the decision after the interview (advanced to the next round,
    hired, rejected) and, once hired, one performance rating (1-5) given ``performance_months`` after hiring.
    One row per job and candidate (a later decision replaces the earlier); ``interview_id`` is the interview the
    decision followed, when known. Read by the analytics (server/reports/analytics.py), never by any score."""

    __tablename__ = "candidate_outcomes"
    __table_args__ = (UniqueConstraint("job_id", "candidate_id", name="uq_candidate_outcomes_job_candidate"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    interview_id: Mapped[str | None] = mapped_column(ForeignKey("interviews.id", ondelete="SET NULL"), nullable=True)
    decision: Mapped[str] = mapped_column(String(16))  # advanced | hired | rejected
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(32), nullable=True)  # user id (no FK: kept if they leave)
    performance_rating: Mapped[float | None] = mapped_column(Float, nullable=True)  # 1-5, hired only
    performance_months: Mapped[int | None] = mapped_column(Integer, nullable=True)  # months after hiring
    performance_date: Mapped[date | None] = mapped_column(Date, nullable=True)  # when it was rated
    source: Mapped[str] = mapped_column(String(8), default="api")  # api | csv
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CompetencyWeightDecision(Base):
    """A person accepted suggested competency weights for a job: the plan version it made, the weights before
    and after, and the evidence shown (correlations with performance, n). Nothing changes weights by itself."""

    __tablename__ = "competency_weight_decisions"
    __table_args__ = (Index("ix_competency_weight_decisions_job_at", "job_id", "accepted_at"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    plan_version: Mapped[int] = mapped_column(Integer)  # the job's plan version carrying the accepted weights
    previous_weights: Mapped[dict] = mapped_column(JSON, default=dict)
    weights: Mapped[dict] = mapped_column(JSON, default=dict)
    basis: Mapped[dict] = mapped_column(JSON, default=dict)  # the suggestion as shown: method, n, correlations
    accepted_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    accepted_by_email: Mapped[str] = mapped_column(String(320), default="")
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
