"""The storage layer: every read and write the server makes, on SQLite or PostgreSQL alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import selectinload

from server.storage.migrate import upgrade_to_head
from server.storage.models import (
    AnswerScore,
    Candidate,
    HumanReview,
    Invitation,
    JobRequirementSet,
    MatchOverride,
    Resume,
    Consent,
    Event,
    Interview,
    Job,
    Organization,
    Question,
    QuestionPlan,
    TranscriptSegment,
    Turn,
    User,
    utcnow,
)


@dataclass(frozen=True)
class PlannedQuestion:
    id: str
    position: int
    text: str
    competency: str
    expected_points: list[str]
    time_limit_s: int


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


class Store:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def migrate(self) -> None:
        await upgrade_to_head(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()

    # --- organisations and users -------------------------------------------------------------
    async def create_org(self, name: str, region: str = "CN") -> Organization:
        async with self.sessions.begin() as s:
            org = Organization(name=name, region=region)
            s.add(org)
        return org

    async def org(self, org_id: str) -> Organization | None:
        async with self.sessions() as s:
            return await s.get(Organization, org_id)

    async def create_user(self, org_id: str, email: str, password_hash: str, role: str = "hr", name: str = "") -> User:
        async with self.sessions.begin() as s:
            user = User(org_id=org_id, email=email.lower(), password_hash=password_hash, role=role, display_name=name)
            s.add(user)
        return user

    async def user_by_email(self, email: str) -> User | None:
        async with self.sessions() as s:
            return (await s.execute(select(User).where(User.email == email.lower()))).scalar_one_or_none()

    async def user(self, user_id: str) -> User | None:
        async with self.sessions() as s:
            return await s.get(User, user_id)

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        async with self.sessions.begin() as s:
            await s.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))

    # --- jobs and plans ----------------------------------------------------------------------
    async def create_job(
        self, org_id: str, title: str, description: str, language: str, questions: list[dict[str, Any]],
        spec: dict | None = None,
    ) -> Job:
        """A job with its first plan: flat questions in the job's language, plus the full plan spec if given."""
        async with self.sessions.begin() as s:
            job = Job(org_id=org_id, title=title, description=description, language=language)
            s.add(job)
            await s.flush()
            plan = QuestionPlan(job_id=job.id, version=1, language=language, spec=spec)
            s.add(plan)
            await s.flush()
            for pos, q in enumerate(questions):
                s.add(
                    Question(
                        plan_id=plan.id,
                        position=pos,
                        text=q["text"],
                        competency=q.get("competency", ""),
                        expected_points=list(q.get("expected_points", [])),
                        time_limit_s=int(q.get("time_limit_s", 180)),
                    )
                )
        return job

    async def add_plan_version(self, job_id: str, language: str, questions: list[dict[str, Any]],
                               spec: dict | None) -> int:
        """A new version of the job's plan; interviews already created keep the version they were made with."""
        async with self.sessions.begin() as s:
            latest = (await s.execute(select(func.coalesce(func.max(QuestionPlan.version), 0))
                                      .where(QuestionPlan.job_id == job_id))).scalar_one()
            plan = QuestionPlan(job_id=job_id, version=latest + 1, language=language, spec=spec)
            s.add(plan)
            await s.flush()
            for pos, q in enumerate(questions):
                s.add(Question(plan_id=plan.id, position=pos, text=q["text"], competency=q.get("competency", ""),
                               expected_points=list(q.get("expected_points", [])),
                               time_limit_s=int(q.get("time_limit_s", 180))))
        return latest + 1

    async def jobs(self, org_id: str) -> list[Job]:
        async with self.sessions() as s:
            rows = await s.execute(select(Job).where(Job.org_id == org_id).order_by(Job.created_at))
            return list(rows.scalars())

    async def job(self, job_id: str) -> Job | None:
        async with self.sessions() as s:
            return await s.get(Job, job_id)

    async def latest_plan_id(self, job_id: str) -> str | None:
        async with self.sessions() as s:
            row = await s.execute(
                select(QuestionPlan.id).where(QuestionPlan.job_id == job_id).order_by(QuestionPlan.version.desc())
            )
            return row.scalars().first()

    async def plan_questions(self, plan_id: str) -> list[PlannedQuestion]:
        async with self.sessions() as s:
            rows = await s.execute(select(Question).where(Question.plan_id == plan_id).order_by(Question.position))
            return [
                PlannedQuestion(q.id, q.position, q.text, q.competency, list(q.expected_points or []), q.time_limit_s)
                for q in rows.scalars()
            ]

    # --- candidates and interviews -----------------------------------------------------------
    async def create_interview(
        self, org_id: str, job_id: str, candidate_name: str, candidate_email: str, language: str,
        candidate_id: str | None = None,
    ) -> Interview:
        """An interview for a new candidate, or for an existing one (``candidate_id``, e.g. from a resume)."""
        plan_id = await self.latest_plan_id(job_id)
        if plan_id is None:
            raise LookupError("job has no question plan")
        async with self.sessions.begin() as s:
            cand = await s.get(Candidate, candidate_id) if candidate_id else None
            if cand is None:
                cand = Candidate(org_id=org_id, name=candidate_name, email=candidate_email)
                s.add(cand)
                await s.flush()
            interview = Interview(
                org_id=org_id, job_id=job_id, candidate_id=cand.id, plan_id=plan_id, language=language
            )
            s.add(interview)
        return interview

    async def interview(self, interview_id: str) -> Interview | None:
        async with self.sessions() as s:
            row = await s.execute(
                select(Interview)
                .where(Interview.id == interview_id)
                .options(selectinload(Interview.candidate), selectinload(Interview.job))
            )
            return row.scalar_one_or_none()

    async def interviews(self, org_id: str) -> list[Interview]:
        async with self.sessions() as s:
            rows = await s.execute(
                select(Interview)
                .where(Interview.org_id == org_id)
                .options(selectinload(Interview.candidate), selectinload(Interview.job))
                .order_by(Interview.created_at.desc())
            )
            return list(rows.scalars())

    async def update_interview(self, interview_id: str, **values: Any) -> None:
        async with self.sessions.begin() as s:
            await s.execute(update(Interview).where(Interview.id == interview_id).values(**values))

    # --- consents ----------------------------------------------------------------------------
    async def record_consents(
        self, interview: Interview, decisions: list[tuple[str, str, bool, str]], ip: str, user_agent: str
    ) -> None:
        """Append one record per (kind, version, granted, text); earlier records stay as history."""
        async with self.sessions.begin() as s:
            for kind, version, granted, text in decisions:
                s.add(
                    Consent(
                        interview_id=interview.id,
                        candidate_id=interview.candidate_id,
                        kind=kind,
                        version=version,
                        granted=granted,
                        text=text,
                        ip=ip[:64],
                        user_agent=user_agent[:400],
                    )
                )

    async def current_consents(self, interview_id: str) -> dict[str, Consent]:
        async with self.sessions() as s:
            rows = await s.execute(
                select(Consent).where(Consent.interview_id == interview_id).order_by(Consent.at, Consent.id)
            )
            latest: dict[str, Consent] = {}
            for c in rows.scalars():
                prev = latest.get(c.kind)
                if prev is None or c.at >= prev.at:
                    latest[c.kind] = c
            return latest

    # --- turns, transcript, events -----------------------------------------------------------
    async def turns(self, interview_id: str) -> list[Turn]:
        async with self.sessions() as s:
            rows = await s.execute(select(Turn).where(Turn.interview_id == interview_id).order_by(Turn.index))
            return list(rows.scalars())

    async def add_turn(
        self, interview_id: str, index: int, question_index: int, question_id: str | None, kind: str, text: str,
        trigger: str = "", reason: str = "",
    ) -> None:
        async with self.sessions.begin() as s:
            s.add(
                Turn(
                    interview_id=interview_id,
                    index=index,
                    question_index=question_index,
                    question_id=question_id,
                    kind=kind,
                    question_text=text,
                    trigger=trigger,
                    reason=reason,
                )
            )

    async def end_turn(self, interview_id: str, index: int, answer_text: str, reason: str) -> None:
        async with self.sessions.begin() as s:
            await s.execute(
                update(Turn)
                .where(Turn.interview_id == interview_id, Turn.index == index)
                .values(answer_text=answer_text, answer_ended_at=utcnow(), end_reason=reason)
            )

    async def add_segment(
        self,
        interview_id: str,
        turn_index: int,
        text: str,
        start_ms: int,
        end_ms: int,
        words: list[dict],
        engine: str,
        connection_id: str,
    ) -> int:
        """Store a final transcript segment; returns its sequence number within the interview."""
        async with self.sessions.begin() as s:
            seq = (
                await s.execute(
                    select(func.coalesce(func.max(TranscriptSegment.seq), -1)).where(
                        TranscriptSegment.interview_id == interview_id
                    )
                )
            ).scalar_one() + 1
            s.add(
                TranscriptSegment(
                    interview_id=interview_id,
                    turn_index=turn_index,
                    seq=seq,
                    text=text,
                    start_ms=start_ms,
                    end_ms=end_ms,
                    words=words,
                    engine=engine,
                    connection_id=connection_id,
                )
            )
        return seq

    async def segments(self, interview_id: str, turn_index: int | None = None) -> list[TranscriptSegment]:
        query = select(TranscriptSegment).where(TranscriptSegment.interview_id == interview_id)
        if turn_index is not None:
            query = query.where(TranscriptSegment.turn_index == turn_index)
        async with self.sessions() as s:
            rows = await s.execute(query.order_by(TranscriptSegment.seq))
            return list(rows.scalars())

    async def add_event(self, interview_id: str, type_: str, payload: dict) -> None:
        async with self.sessions.begin() as s:
            s.add(Event(interview_id=interview_id, type=type_, payload=payload))

    async def events(self, interview_id: str, limit: int = 500) -> list[Event]:
        async with self.sessions() as s:
            rows = await s.execute(
                select(Event).where(Event.interview_id == interview_id).order_by(Event.id.desc()).limit(limit)
            )
            return list(reversed(list(rows.scalars())))

    # --- scores and human reviews ----------------------------------------------------------------
    async def add_score(self, interview_id: str, turn_index: int, question_index: int, competency: str, score: float,
                        confidence: float, level: str, evidence: list[dict], uncertain: list[str]) -> None:
        async with self.sessions.begin() as s:
            s.add(AnswerScore(interview_id=interview_id, turn_index=turn_index, question_index=question_index,
                              competency=competency, score=score, confidence=confidence, level=level,
                              evidence=evidence, uncertain=uncertain))

    async def scores(self, interview_id: str) -> list[AnswerScore]:
        async with self.sessions() as s:
            rows = await s.execute(select(AnswerScore).where(AnswerScore.interview_id == interview_id)
                                   .order_by(AnswerScore.turn_index, AnswerScore.created_at))
            return list(rows.scalars())

    async def add_review(self, interview_id: str, reviewer_id: str, competency: str, score: float,
                         comment: str) -> HumanReview:
        async with self.sessions.begin() as s:
            review = HumanReview(interview_id=interview_id, reviewer_id=reviewer_id, competency=competency,
                                 score=score, comment=comment)
            s.add(review)
        return review

    async def reviews(self, interview_id: str) -> list[tuple[HumanReview, str]]:
        """Human reviews with the reviewer's email, oldest first."""
        async with self.sessions() as s:
            rows = await s.execute(select(HumanReview, User.email).join(User, User.id == HumanReview.reviewer_id)
                                   .where(HumanReview.interview_id == interview_id)
                                   .order_by(HumanReview.created_at))
            return [(r, email) for r, email in rows.all()]

    async def plan_spec(self, plan_id: str) -> dict | None:
        async with self.sessions() as s:
            plan = await s.get(QuestionPlan, plan_id)
            return plan.spec if plan else None

    # --- resumes, requirements, matching ---------------------------------------------------------
    async def add_resume(self, org_id: str, job_id: str, name: str, email: str, filename: str, content_type: str,
                         size: int, profile: dict) -> tuple[Candidate, Resume]:
        """The candidate and their parsed resume, stored together (both or neither)."""
        async with self.sessions.begin() as s:
            cand = Candidate(org_id=org_id, name=name, email=email)
            s.add(cand)
            await s.flush()
            resume = Resume(org_id=org_id, job_id=job_id, candidate_id=cand.id, filename=filename[:300],
                            content_type=content_type[:100], size=size, profile=profile)
            s.add(resume)
        return cand, resume

    async def resumes(self, job_id: str) -> list[tuple[Resume, Candidate]]:
        async with self.sessions() as s:
            rows = await s.execute(select(Resume, Candidate).join(Candidate, Candidate.id == Resume.candidate_id)
                                   .where(Resume.job_id == job_id).order_by(Resume.created_at))
            return [(r, c) for r, c in rows.all()]

    async def candidate(self, candidate_id: str) -> Candidate | None:
        async with self.sessions() as s:
            return await s.get(Candidate, candidate_id)

    async def requirements(self, job_id: str) -> dict | None:
        async with self.sessions() as s:
            row = await s.get(JobRequirementSet, job_id)
            return row.requirements if row else None

    async def save_requirements(self, job_id: str, requirements: dict, user_id: str) -> None:
        async with self.sessions.begin() as s:
            row = await s.get(JobRequirementSet, job_id)
            if row is None:
                s.add(JobRequirementSet(job_id=job_id, requirements=requirements, updated_by=user_id))
            else:
                row.requirements, row.updated_by, row.updated_at = requirements, user_id, utcnow()

    async def add_match_override(self, job_id: str, candidate_id: str, requirement_id: str, status: str, note: str,
                                 by: str) -> None:
        async with self.sessions.begin() as s:
            s.add(MatchOverride(job_id=job_id, candidate_id=candidate_id, requirement_id=requirement_id,
                                status=status, note=note, by=by))

    async def match_overrides(self, job_id: str) -> list[MatchOverride]:
        async with self.sessions() as s:
            rows = await s.execute(select(MatchOverride).where(MatchOverride.job_id == job_id)
                                   .order_by(MatchOverride.at, MatchOverride.id))
            return list(rows.scalars())

    # --- invitations -------------------------------------------------------------------------------
    async def add_invitation(self, interview_id: str, channel: str, recipient: str, language: str) -> Invitation:
        async with self.sessions.begin() as s:
            inv = Invitation(interview_id=interview_id, channel=channel, recipient=recipient, language=language)
            s.add(inv)
        return inv

    async def update_invitation(self, invitation_id: str, **values: Any) -> None:
        async with self.sessions.begin() as s:
            await s.execute(update(Invitation).where(Invitation.id == invitation_id).values(**values))

    async def invitations(self, interview_id: str) -> list[Invitation]:
        async with self.sessions() as s:
            rows = await s.execute(select(Invitation).where(Invitation.interview_id == interview_id)
                                   .order_by(Invitation.created_at))
            return list(rows.scalars())

    async def interview_detail(self, interview_id: str) -> dict[str, Any] | None:
        iv = await self.interview(interview_id)
        if iv is None:
            return None
        consents = await self.current_consents(interview_id)
        return {
            "id": iv.id,
            "status": iv.status,
            "language": iv.language,
            "question_index": iv.question_index,
            "job": {"id": iv.job.id, "title": iv.job.title},
            "candidate": {"id": iv.candidate.id, "name": iv.candidate.name, "email": iv.candidate.email},
            "created_at": _iso(iv.created_at),
            "started_at": _iso(iv.started_at),
            "ended_at": _iso(iv.ended_at),
            "asr_model": iv.asr_model,
            "review_requested_at": _iso(iv.review_requested_at),
            "consents": {
                k: {"granted": c.granted, "version": c.version, "at": _iso(c.at)} for k, c in consents.items()
            },
            "turns": [
                {
                    "index": t.index,
                    "kind": t.kind,
                    "question_index": t.question_index,
                    "question": t.question_text,
                    "answer": t.answer_text,
                    "asked_at": _iso(t.asked_at),
                    "answer_ended_at": _iso(t.answer_ended_at),
                    "end_reason": t.end_reason,
                    "trigger": t.trigger,
                    "reason": t.reason,
                }
                for t in await self.turns(interview_id)
            ],
            "transcript": [
                {
                    "seq": seg.seq,
                    "turn_index": seg.turn_index,
                    "text": seg.text,
                    "start_ms": seg.start_ms,
                    "end_ms": seg.end_ms,
                    "words": seg.words,
                }
                for seg in await self.segments(interview_id)
            ],
            "events": [{"type": e.type, "at": _iso(e.at), **e.payload} for e in await self.events(interview_id)],
        }
