"""The storage layer: every read and write the server makes, on SQLite or PostgreSQL alike."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, and_, case, cast, delete, event, func, or_, select, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import selectinload

from server.compliance.crypto import KEYRING, EncryptedJSON, EncryptedText
from server.storage.migrate import upgrade_to_head
from server.storage.models import JobSlot, Reminder  # scheduling (0005)
from server.storage.models import (
    AnswerScore,
    Base,
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
    as_utc,
    utcnow,
)
from server.storage.models import CandidateImport, CandidateImportItem, JobCandidateContact  # bulk import (0007)
from server.storage.models import PersonalDataRead, PersonalDataReadCandidate  # audit log of reads (0008)
from server.storage.models import DataDeletion, RetentionPolicy  # retention, legal hold, erasure (0009)
from server.storage.models import SelfIdentification  # voluntary self-identification for bias monitoring (0010)


@dataclass(frozen=True)
class PlannedQuestion:
    id: str
    position: int
    text: str
    competency: str
    expected_points: list[str]
    time_limit_s: int


@dataclass(frozen=True)
class AuditedRead:
    """One row of the personal-data audit log, with the candidates it disclosed (id, name or "" once deleted)."""

    id: str
    actor_id: str | None
    actor_email: str
    action: str
    subject_kind: str
    subject_id: str
    ip: str
    first_at: datetime
    last_at: datetime
    count: int
    candidates_total: int
    candidates: list[tuple[str, str]] = field(default_factory=list)


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
            "content_deleted_at": _iso(iv.content_deleted_at),
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

    # --- bulk candidate import (0007): runs, per-file results, one candidate per e-mail/phone and job ---------
    @staticmethod
    def _contact_keys(contacts: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """(kind, value) pairs as stored: e-mails in lower case, phones as given (E.164); empty and repeated dropped."""
        keys: list[tuple[str, str]] = []
        for kind, value in contacts:
            value = (value or "").strip()
            value = (value.lower() if kind == "email" else value)[:320]
            if value and (kind, value) not in keys:
                keys.append((kind, value))
        return keys

    async def _contact_owner(self, job_id: str, keys: list[tuple[str, str]],
                             session: Any = None) -> tuple[Candidate, str] | None:
        """The job's candidate that already has one of these (kind, normalised value) keys, and the kind matched.
        Candidates of the job's interviews created by hand (no resume) are matched on their e-mail too.
        ``session``: look inside that (open) session instead of a new one."""
        if session is None:
            async with self.sessions() as s:
                return await self._contact_owner(job_id, keys, s)
        s = session
        for kind, value in keys:
            cand = (await s.execute(
                select(Candidate).join(JobCandidateContact, JobCandidateContact.candidate_id == Candidate.id)
                .where(JobCandidateContact.job_id == job_id, JobCandidateContact.kind == kind,
                       JobCandidateContact.value == value).limit(1))).scalars().first()
            if cand is not None:
                return cand, kind
        email = next((v for k, v in keys if k == "email"), None)
        if email:
            cand = (await s.execute(
                select(Candidate).join(Interview, Interview.candidate_id == Candidate.id)
                .where(Interview.job_id == job_id, func.lower(Candidate.email) == email).limit(1))).scalars().first()
            if cand is not None:
                return cand, "email"
        return None

    async def add_resume_if_new(self, org_id: str, job_id: str, name: str, email: str, filename: str,
                                content_type: str, size: int, profile: dict,
                                contacts: list[tuple[str, str]],
                                import_item_id: str | None = None) -> tuple[Candidate, bool, str]:
        """(candidate, True, "") with the new candidate, resume and contact keys stored together, or
        (the existing candidate, False, "email" | "phone") when the job already has someone with one of the
        ``contacts`` (kind "email" or "phone", value): e-mails compared in lower case, phones as given (E.164).
        The unique key decides races between server processes. ``import_item_id``: the import item is marked
        ``created`` in the same transaction, so a run stopped at any point never holds a candidate its items
        do not show."""
        keys = self._contact_keys(contacts)
        found = await self._contact_owner(job_id, keys)
        if found is not None:
            return found[0], False, found[1]
        try:
            async with self.sessions.begin() as s:
                cand = Candidate(org_id=org_id, name=name[:200], email=email.strip()[:320])
                s.add(cand)
                await s.flush()
                s.add(Resume(org_id=org_id, job_id=job_id, candidate_id=cand.id, filename=filename[:300],
                             content_type=content_type[:100], size=size, profile=profile))
                for kind, value in keys:
                    s.add(JobCandidateContact(job_id=job_id, candidate_id=cand.id, kind=kind, value=value))
                if import_item_id is not None:
                    await self._mark_import_item(s, import_item_id, "created", cand.id, cand.name)
        except IntegrityError:
            found = await self._contact_owner(job_id, keys)
            if found is None:
                raise
            return found[0], False, found[1]
        return cand, True, ""

    async def create_import(self, org_id: str, job_id: str, user_id: str | None, source: str, filename: str,
                            item_names: list[str]) -> tuple[CandidateImport, list[str]]:
        """A pending run with one pending item per file name, in order; (run, item ids)."""
        async with self.sessions.begin() as s:
            run = CandidateImport(org_id=org_id, job_id=job_id, created_by=user_id, source=source,
                                  filename=filename[:500], total=len(item_names), status="pending",
                                  heartbeat_at=utcnow())
            s.add(run)
            await s.flush()
            items = [CandidateImportItem(import_id=run.id, position=i, filename=name[:500])
                     for i, name in enumerate(item_names)]
            s.add_all(items)
            await s.flush()
            ids = [item.id for item in items]
        return run, ids

    async def add_import_items(self, import_id: str, items: list[tuple[str, str]]) -> list[str]:
        """Append pending items (label, name) to a run whose items are found while it runs (an HR system's
        candidates); the run's total grows with them. Returns their ids, in order."""
        async with self.sessions.begin() as s:
            run = await s.get(CandidateImport, import_id, with_for_update=True)
            rows = [CandidateImportItem(import_id=import_id, position=run.total + i, filename=label[:500],
                                        name=name[:200]) for i, (label, name) in enumerate(items)]
            s.add_all(rows)
            run.total += len(rows)
            await s.flush()
            return [row.id for row in rows]

    async def import_run(self, import_id: str) -> CandidateImport | None:
        async with self.sessions() as s:
            return await s.get(CandidateImport, import_id)

    async def import_runs(self, job_id: str, limit: int = 20) -> list[CandidateImport]:
        async with self.sessions() as s:
            rows = await s.execute(select(CandidateImport).where(CandidateImport.job_id == job_id)
                                   .order_by(CandidateImport.created_at.desc()).limit(limit))
            return list(rows.scalars())

    async def import_items(self, import_id: str) -> list[CandidateImportItem]:
        async with self.sessions() as s:
            rows = await s.execute(select(CandidateImportItem).where(CandidateImportItem.import_id == import_id)
                                   .order_by(CandidateImportItem.position))
            return list(rows.scalars())

    async def import_counts(self, import_ids: list[str]) -> dict[str, dict[str, int]]:
        """{import id: {item status: count}}"""
        out: dict[str, dict[str, int]] = {i: {} for i in import_ids}
        if not import_ids:
            return out
        async with self.sessions() as s:
            rows = await s.execute(select(CandidateImportItem.import_id, CandidateImportItem.status, func.count())
                                   .where(CandidateImportItem.import_id.in_(import_ids))
                                   .group_by(CandidateImportItem.import_id, CandidateImportItem.status))
            for import_id, status, n in rows.all():
                out[import_id][status] = n
        return out

    async def update_import(self, import_id: str, **values: Any) -> None:
        async with self.sessions.begin() as s:
            await s.execute(update(CandidateImport).where(CandidateImport.id == import_id).values(**values))

    async def finish_import_item(self, item_id: str, status: str, candidate_id: str | None = None, name: str = "",
                                 error_code: str = "", error_message: str = "") -> None:
        async with self.sessions.begin() as s:
            await self._mark_import_item(s, item_id, status, candidate_id, name, error_code, error_message)

    @staticmethod
    async def _mark_import_item(s, item_id: str, status: str, candidate_id: str | None, name: str,
                                error_code: str = "", error_message: str = "") -> None:
        await s.execute(update(CandidateImportItem).where(CandidateImportItem.id == item_id).values(
            status=status, candidate_id=candidate_id, name=name[:200], error_code=error_code[:40],
            error_message=error_message, updated_at=utcnow()))

    async def heartbeat_imports(self, import_ids: list[str]) -> None:
        if not import_ids:
            return
        async with self.sessions.begin() as s:
            await s.execute(update(CandidateImport).where(CandidateImport.id.in_(import_ids),
                                                          CandidateImport.status.in_(("pending", "running")))
                            .values(heartbeat_at=utcnow()))

    async def interrupt_imports(self, code: str, message: str, *, ids: list[str] | None = None,
                                stale_before: datetime | None = None, exclude: set[str] | frozenset = frozenset()) -> int:
        """Mark unfinished runs as interrupted: the given ones, or those whose heartbeat is older than
        ``stale_before`` (their server stopped or crashed), except ``exclude``. Returns how many."""
        query = update(CandidateImport).where(CandidateImport.status.in_(("pending", "running")))
        if ids is not None:
            query = query.where(CandidateImport.id.in_(ids))
        if stale_before is not None:
            query = query.where(CandidateImport.heartbeat_at < stale_before)
        if exclude:
            query = query.where(CandidateImport.id.not_in(list(exclude)))
        async with self.sessions.begin() as s:
            result = await s.execute(query.values(status="interrupted", error_code=code, error_message=message,
                                                  finished_at=utcnow()))
        return result.rowcount or 0

    # --- scheduling (0005): slots, bookings, reminders ---------------------------------------------------------
    # Every booking change is one transaction guarded by the interview's schedule_seq (bumped on each change) and
    # a conditional UPDATE of the slot's seat count, so concurrent requests (or nodes) can never overbook a slot or
    # apply two changes on top of the same state. The messages a change causes are queued in the same transaction.
    async def set_job_scheduling(self, job_id: str, **values: Any) -> None:
        async with self.sessions.begin() as s:
            await s.execute(update(Job).where(Job.id == job_id).values(**values))

    async def job_slots(self, job_id: str, ends_after: datetime | None = None) -> list[JobSlot]:
        query = select(JobSlot).where(JobSlot.job_id == job_id)
        if ends_after is not None:
            query = query.where(JobSlot.ends_at > ends_after)
        async with self.sessions() as s:
            return list((await s.execute(query.order_by(JobSlot.starts_at))).scalars())

    async def job_slot(self, slot_id: str) -> JobSlot | None:
        async with self.sessions() as s:
            return await s.get(JobSlot, slot_id)

    async def add_job_slots(self, job_id: str, spans: list[tuple[datetime, datetime]], capacity: int,
                            created_by: str | None) -> list[JobSlot] | None:
        """Stores the slots, or nothing (None) when one overlaps a slot the job already has."""
        async with self.sessions.begin() as s:
            # A no-op write locks the job first (its row on PostgreSQL, the database on SQLite), so two windows
            # added at once cannot both pass the overlap check.
            await s.execute(update(Job).where(Job.id == job_id).values(slot_minutes=Job.slot_minutes))
            clash = await s.execute(select(JobSlot.id).where(JobSlot.job_id == job_id,
                                                             JobSlot.starts_at < spans[-1][1],
                                                             JobSlot.ends_at > spans[0][0]).limit(1))
            if clash.first() is not None:
                return None
            slots = [JobSlot(job_id=job_id, starts_at=a, ends_at=b, capacity=capacity, created_by=created_by)
                     for a, b in spans]
            s.add_all(slots)
        return slots

    async def delete_job_slot(self, slot_id: str) -> bool:
        """Deletes a slot nobody has booked; False when it has bookings."""
        async with self.sessions.begin() as s:
            res = await s.execute(delete(JobSlot).where(JobSlot.id == slot_id, JobSlot.booked == 0))
            return res.rowcount == 1

    async def job_interviews(self, job_id: str) -> list[Interview]:
        async with self.sessions() as s:
            rows = await s.execute(select(Interview).where(Interview.job_id == job_id)
                                   .options(selectinload(Interview.candidate))
                                   .order_by(Interview.scheduled_at, Interview.created_at))
            return list(rows.scalars())

    async def change_booking(self, interview_id: str, expected_seq: int, expected_status: str,
                             old_slot_id: str | None, new_slot_id: str | None, now: datetime,
                             messages: list[dict[str, Any]], **values: Any) -> str:
        """Move the interview from the state read (``expected_seq``/``expected_status``) to ``values``, taking a seat
        in ``new_slot_id`` (only while it is free and has not started) and giving back the one in ``old_slot_id``.

        Returns ``ok``, ``changed`` (someone changed the booking meanwhile) or ``slot_full``; on anything but ``ok``
        nothing is stored."""
        class _Abort(Exception):
            pass

        result = "ok"
        try:
            async with self.sessions.begin() as s:
                moved = await s.execute(
                    update(Interview).where(Interview.id == interview_id, Interview.schedule_seq == expected_seq,
                                            Interview.schedule_status == expected_status)
                    .values(schedule_seq=expected_seq + 1, **values))
                if moved.rowcount != 1:
                    result = "changed"
                    raise _Abort
                # Seats change in slot-id order so two crossing reschedules cannot deadlock on PostgreSQL.
                seats = sorted([(x, 1) for x in [new_slot_id] if x] + [(x, -1) for x in [old_slot_id] if x])
                for slot_id, delta in seats:
                    if delta > 0:
                        took = await s.execute(update(JobSlot).where(JobSlot.id == slot_id,
                                                                     JobSlot.booked < JobSlot.capacity,
                                                                     JobSlot.starts_at > now)
                                               .values(booked=JobSlot.booked + 1))
                        if took.rowcount != 1:
                            result = "slot_full"
                            raise _Abort
                    else:
                        await s.execute(update(JobSlot).where(JobSlot.id == slot_id, JobSlot.booked > 0)
                                        .values(booked=JobSlot.booked - 1))
                await s.execute(update(Reminder).where(Reminder.interview_id == interview_id,
                                                       Reminder.status == "pending",
                                                       Reminder.booking_seq <= expected_seq)
                                .values(status="cancelled", last_error="the booking changed"))
                s.add_all([Reminder(interview_id=interview_id, booking_seq=expected_seq + 1, **m) for m in messages])
        except _Abort:
            return result
        return result

    async def mark_no_shows(self, ended_before: datetime) -> list[str]:
        """Booked interviews whose slot ended before ``ended_before`` and that nobody joined become no-shows."""
        async with self.sessions.begin() as s:
            ended = select(JobSlot.id).where(JobSlot.ends_at <= ended_before)
            res = await s.execute(
                update(Interview).where(Interview.schedule_status == "booked", Interview.started_at.is_(None),
                                        Interview.status.in_(("created", "consented")), Interview.slot_id.in_(ended))
                .values(schedule_status="no_show").returning(Interview.id)
                .execution_options(synchronize_session=False))
            ids = list(res.scalars())
            if ids:
                await s.execute(update(Reminder).where(Reminder.interview_id.in_(ids), Reminder.status == "pending")
                                .values(status="cancelled", last_error="no-show"))
            return ids

    async def claim_due_reminders(self, now: datetime, limit: int) -> list[Reminder]:
        """Atomically take up to ``limit`` due messages (pending -> sending); a row goes to one claimer only.

        On PostgreSQL the candidate rows are locked with SKIP LOCKED, so two nodes share the work without waiting;
        the outer ``status = 'pending'`` re-check makes the claim exclusive on either engine."""
        due = (select(Reminder.id).where(Reminder.status == "pending", Reminder.due_at <= now)
               .order_by(Reminder.due_at).limit(limit).with_for_update(skip_locked=True))
        async with self.sessions.begin() as s:
            res = await s.execute(
                update(Reminder).where(Reminder.id.in_(due), Reminder.status == "pending")
                .values(status="sending", claimed_at=now).returning(Reminder)
                .execution_options(synchronize_session=False))
            return list(res.scalars())

    async def update_reminder(self, reminder_id: str, **values: Any) -> None:
        async with self.sessions.begin() as s:
            await s.execute(update(Reminder).where(Reminder.id == reminder_id).values(**values))

    async def fail_stale_reminders(self, claimed_before: datetime) -> int:
        """Messages left 'sending' by a process that stopped are marked failed, never resent (no duplicates)."""
        async with self.sessions.begin() as s:
            res = await s.execute(update(Reminder).where(Reminder.status == "sending",
                                                         Reminder.claimed_at < claimed_before)
                                  .values(status="failed", last_error="the server stopped while sending; not "
                                          "retried, so it cannot arrive twice"))
            return res.rowcount

    async def reminders(self, interview_id: str) -> list[Reminder]:
        async with self.sessions() as s:
            rows = await s.execute(select(Reminder).where(Reminder.interview_id == interview_id)
                                   .order_by(Reminder.due_at, Reminder.created_at))
            return list(rows.scalars())

    # --- DingTalk connector (0006): candidates keyed by an HR system's id; one invitation by id ----------------
    async def invitation(self, invitation_id: str) -> Invitation | None:
        async with self.sessions() as s:
            return await s.get(Invitation, invitation_id)

    async def upsert_external_resume(self, org_id: str, job_id: str, source: str, external_id: str, name: str,
                                     email: str, filename: str, content_type: str, size: int, profile: dict,
                                     contacts: list[tuple[str, str]] = (),
                                     import_item_id: str | None = None) -> tuple[Candidate, str, str]:
        """Store an HR system's candidate and their resume for a job, once per (org, source, external id).

        Returns (candidate, outcome, matched): ``created`` (new to this job), ``updated`` (the job had them; name,
        e-mail or resume changed), ``unchanged``, or ``duplicate`` when the job has no resume of this record yet but
        already has another candidate with one of the ``contacts`` (kind "email" | "phone", value) - e.g. the same
        person uploaded as a file: then nothing is stored, the candidate returned is that other one and ``matched``
        says which key matched. The record's contact keys are kept for the job (those no one else holds), so a
        later upload of the same person is a duplicate too. Two imports racing on the same candidate: the unique
        keys let one insert, the other then updates. ``import_item_id``: the item gets the outcome in the same
        transaction (as in ``add_resume_if_new``)."""
        keys = self._contact_keys(list(contacts))
        for retry in (False, True):
            try:
                return await self._upsert_external_resume(org_id, job_id, source, external_id, name[:200],
                                                          email[:320], filename[:300], content_type[:100], size,
                                                          profile, keys, import_item_id)
            except IntegrityError:
                if retry:
                    raise
        raise AssertionError("unreachable")

    async def _upsert_external_resume(self, org_id, job_id, source, external_id, name, email, filename, content_type,
                                      size, profile, keys, import_item_id) -> tuple[Candidate, str, str]:
        async with self.sessions.begin() as s:
            cand = (await s.execute(select(Candidate).where(
                Candidate.org_id == org_id, Candidate.external_source == source,
                Candidate.external_id == external_id))).scalars().first()
            resume = None
            if cand is not None:
                # A no-op write locks the candidate (its row on PostgreSQL, the database on SQLite): a concurrent
                # import of the same candidate waits here and then sees this one's resume, so the job never gets it
                # twice.
                await s.execute(update(Candidate).where(Candidate.id == cand.id).values(name=Candidate.name)
                                .execution_options(synchronize_session=False))
                await s.refresh(cand)
                resume = (await s.execute(select(Resume).where(Resume.job_id == job_id, Resume.candidate_id == cand.id)
                                          .order_by(Resume.created_at.desc()).limit(1))).scalars().first()
            if resume is None:
                found = await self._contact_owner(job_id, keys, s)
                if found is not None and (cand is None or found[0].id != cand.id):
                    return found[0], "duplicate", found[1]  # the same person is already a candidate for this job
                if cand is None:
                    cand = Candidate(org_id=org_id, name=name, email=email, external_source=source,
                                     external_id=external_id)
                    s.add(cand)
                    await s.flush()
                s.add(Resume(org_id=org_id, job_id=job_id, candidate_id=cand.id, filename=filename,
                             content_type=content_type, size=size, profile=profile))
                outcome = "created"
            elif (resume.profile, resume.filename, cand.name, cand.email) == (profile, filename, name, email):
                outcome = "unchanged"
            else:
                outcome = "updated"
                resume.profile, resume.filename, resume.content_type, resume.size = profile, filename, content_type, size
            if resume is not None:  # received again from the HR system: the candidate is active (retention)
                resume.updated_at = utcnow()
            cand.name, cand.email = name, email
            if keys:  # the record's contact keys for this job, those no other candidate of the job holds
                held = {(k, v) for k, v in (await s.execute(
                    select(JobCandidateContact.kind, JobCandidateContact.value).where(
                        JobCandidateContact.job_id == job_id, JobCandidateContact.value.in_([v for _, v in keys]))
                )).all()}
                for kind, value in keys:
                    if (kind, value) not in held:
                        s.add(JobCandidateContact(job_id=job_id, candidate_id=cand.id, kind=kind, value=value))
            if import_item_id is not None:
                await self._mark_import_item(s, import_item_id, outcome, cand.id, name)
        return cand, outcome, ""

    def _insert_ignoring_duplicates(self, model):
        """INSERT … ON CONFLICT DO NOTHING on either database."""
        if self.url.startswith("sqlite"):
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        return insert(model).on_conflict_do_nothing()

    # --- audit log of personal-data reads (0008) --------------------------------------------------------------
    async def record_read(self, org_id: str, actor_id: str | None, actor_email: str, action: str, subject_kind: str,
                          subject_id: str, candidate_ids: list[str], ip: str, now: datetime,
                          coalesce_s: int) -> str:
        """Record a read; a repeat (same user, action, subject and address) within ``coalesce_s`` counts on the
        earlier row and adds the candidates it newly disclosed. Returns the row's id."""
        ids = set(candidate_ids)
        ip = ip[:64]
        async with self.sessions.begin() as s:
            row = None
            if coalesce_s > 0:
                row = (await s.execute(
                    select(PersonalDataRead).where(
                        PersonalDataRead.org_id == org_id, PersonalDataRead.actor_id == actor_id,
                        PersonalDataRead.action == action, PersonalDataRead.subject_kind == subject_kind,
                        PersonalDataRead.subject_id == subject_id, PersonalDataRead.ip == ip,
                        PersonalDataRead.last_at >= now - timedelta(seconds=coalesce_s))
                    .order_by(PersonalDataRead.last_at.desc()).limit(1))).scalars().first()
            if row is None:
                row = PersonalDataRead(org_id=org_id, actor_id=actor_id, actor_email=actor_email, action=action,
                                       subject_kind=subject_kind, subject_id=subject_id, candidates_total=0,
                                       ip=ip, first_at=now, last_at=now, count=1)
                s.add(row)
                await s.flush()
            else:  # counted in SQL: reads of the same thing at the same moment must not overwrite each other
                await s.execute(update(PersonalDataRead).where(PersonalDataRead.id == row.id).values(
                    count=PersonalDataRead.count + 1,
                    last_at=case((PersonalDataRead.last_at < now, now), else_=PersonalDataRead.last_at)))
            if ids:
                await s.execute(self._insert_ignoring_duplicates(PersonalDataReadCandidate).values(
                    [{"read_id": row.id, "candidate_id": c} for c in sorted(ids)]))
                await s.execute(update(PersonalDataRead).where(PersonalDataRead.id == row.id).values(
                    candidates_total=select(func.count()).select_from(PersonalDataReadCandidate)
                    .where(PersonalDataReadCandidate.read_id == row.id).scalar_subquery()))
        return row.id

    async def personal_data_reads(self, org_id: str, candidate_id: str | None = None, actor_id: str | None = None,
                                  before: tuple[datetime, str] | None = None, limit: int = 50,
                                  candidates_per_read: int = 20) -> list[AuditedRead]:
        """The organisation's audit log, newest first (by the last time each read happened, then id); ``before``
        is the (last_at, id) of the previous page's last row."""
        q = select(PersonalDataRead).where(PersonalDataRead.org_id == org_id)
        if candidate_id:
            q = q.where(PersonalDataRead.id.in_(select(PersonalDataReadCandidate.read_id)
                                                .where(PersonalDataReadCandidate.candidate_id == candidate_id)))
        if actor_id:
            q = q.where(PersonalDataRead.actor_id == actor_id)
        if before is not None:
            at, rid = before
            q = q.where(or_(PersonalDataRead.last_at < at, and_(PersonalDataRead.last_at == at,
                                                                 PersonalDataRead.id < rid)))
        async with self.sessions() as s:
            rows = (await s.execute(q.order_by(PersonalDataRead.last_at.desc(), PersonalDataRead.id.desc())
                                    .limit(limit))).scalars().all()
            named: dict[str, list[tuple[str, str]]] = {r.id: [] for r in rows}
            if rows:
                links = (await s.execute(
                    select(PersonalDataReadCandidate.read_id, PersonalDataReadCandidate.candidate_id, Candidate.name)
                    .outerjoin(Candidate, Candidate.id == PersonalDataReadCandidate.candidate_id)
                    .where(PersonalDataReadCandidate.read_id.in_(list(named)))
                    .order_by(PersonalDataReadCandidate.candidate_id))).all()
                for read_id, cid, name in links:
                    named[read_id].append((cid, name or ""))
        out = []
        for r in rows:
            cands = named[r.id]
            if candidate_id:  # the candidate asked about comes first, whatever else the read showed
                cands.sort(key=lambda c: c[0] != candidate_id)
            out.append(AuditedRead(r.id, r.actor_id, r.actor_email, r.action, r.subject_kind, r.subject_id, r.ip,
                                   r.first_at, r.last_at, r.count, r.candidates_total, cands[:candidates_per_read]))
        return out

    # --- retention, legal hold, erasure (0009) ------------------------------------------------------------------
    async def org_ids(self) -> list[str]:
        async with self.sessions() as s:
            return list((await s.execute(select(Organization.id))).scalars())

    async def retention_policy(self, org_id: str) -> RetentionPolicy | None:
        async with self.sessions() as s:
            return await s.get(RetentionPolicy, org_id)

    async def set_retention_policy(self, org_id: str, interview_content_days: int, candidate_days: int,
                                   user_id: str | None, now: datetime) -> RetentionPolicy:
        async with self.sessions.begin() as s:
            row = await s.get(RetentionPolicy, org_id)
            if row is None:
                row = RetentionPolicy(org_id=org_id)
                s.add(row)
            row.interview_content_days, row.candidate_days = interview_content_days, candidate_days
            row.updated_by, row.updated_at = user_id, now
        return row

    async def set_legal_hold(self, candidate_id: str, hold: bool, reason: str, user_id: str | None,
                             now: datetime) -> Candidate | None:
        async with self.sessions.begin() as s:
            changed = await s.execute(update(Candidate).where(Candidate.id == candidate_id).values(
                legal_hold_at=now if hold else None, legal_hold_reason=reason if hold else "",
                legal_hold_by=user_id if hold else None))
            if not changed.rowcount:  # gone (erased meanwhile)
                return None
        return await self.candidate(candidate_id)

    async def org_candidates(self, org_id: str, limit: int = 500) -> list[Candidate]:
        async with self.sessions() as s:
            return list((await s.execute(select(Candidate).where(Candidate.org_id == org_id)
                                         .order_by(Candidate.created_at.desc()).limit(limit))).scalars())

    async def candidate_interview_ids(self, candidate_id: str) -> list[str]:
        async with self.sessions() as s:
            return list((await s.execute(select(Interview.id).where(Interview.candidate_id == candidate_id))).scalars())

    async def erase_candidate(self, candidate_id: str, reason: str, now: datetime, actor_id: str | None = None,
                              actor_email: str = "") -> dict[str, int] | str:
        """Hard-delete everything stored about a candidate in one transaction: the candidate, their interviews
        (turns, transcript, timeline, consents, scores, reviews, invitations, reminders), resumes, contact keys and
        match overrides (database cascades), the name on bulk-import results; their booked seats are given back.
        Returns the counts deleted, or ``not_found`` / ``legal_hold`` / ``interview_in_progress`` (nothing
        deleted)."""
        async with self.sessions.begin() as s:
            cand = (await s.execute(select(Candidate).where(Candidate.id == candidate_id)
                                    .with_for_update())).scalar_one_or_none()
            if cand is None:
                return "not_found"
            if cand.legal_hold_at is not None:
                return "legal_hold"
            ivs = (await s.execute(select(Interview).where(Interview.candidate_id == candidate_id))).scalars().all()
            if any(iv.status == "live" for iv in ivs):
                return "interview_in_progress"
            iv_ids = [iv.id for iv in ivs]
            counts = {"interviews": len(ivs),
                      "resumes": await self._count(s, Resume, Resume.candidate_id == candidate_id),
                      "transcript_segments": await self._count(s, TranscriptSegment,
                                                               TranscriptSegment.interview_id.in_(iv_ids)),
                      "timeline_events": await self._count(s, Event, Event.interview_id.in_(iv_ids))}
            for iv in ivs:
                if iv.schedule_status == "booked" and iv.slot_id:
                    await s.execute(update(JobSlot).where(JobSlot.id == iv.slot_id, JobSlot.booked > 0)
                                    .values(booked=JobSlot.booked - 1))
            blanked = await s.execute(update(CandidateImportItem).where(
                CandidateImportItem.candidate_id == candidate_id).values(name="", filename="(deleted)",
                                                                         error_message="", candidate_id=None))
            counts["import_results"] = blanked.rowcount or 0
            await s.execute(delete(Candidate).where(Candidate.id == candidate_id))  # the rest cascades
            s.add(DataDeletion(org_id=cand.org_id, at=now, reason=reason, scope="candidate",
                               candidate_id=candidate_id, actor_id=actor_id, actor_email=actor_email, counts=counts))
        return counts

    @staticmethod
    async def _count(s, model, *where) -> int:
        return int((await s.execute(select(func.count()).select_from(model).where(*where))).scalar_one())

    async def delete_interview_content(self, interview_id: str, reason: str, now: datetime) -> dict[str, int] | None:
        """Delete what a finished interview recorded of the candidate's words and behaviour (transcript, answers,
        evidence quotes, timeline of events and observations), keeping scores and the plan; None if nothing was
        done (not found, live, on legal hold, or already deleted)."""
        async with self.sessions.begin() as s:
            iv = (await s.execute(select(Interview).where(Interview.id == interview_id)
                                  .with_for_update())).scalar_one_or_none()
            if iv is None or iv.status not in ("finished", "failed") or iv.content_deleted_at is not None:
                return None
            cand = await s.get(Candidate, iv.candidate_id)
            if cand is not None and cand.legal_hold_at is not None:
                return None
            counts = {
                "transcript_segments": (await s.execute(delete(TranscriptSegment).where(
                    TranscriptSegment.interview_id == interview_id))).rowcount or 0,
                "timeline_events": (await s.execute(delete(Event).where(Event.interview_id == interview_id)))
                .rowcount or 0,
                "answers": (await s.execute(update(Turn).where(Turn.interview_id == interview_id, Turn.answer_text != "")
                                            .values(answer_text=""))).rowcount or 0,
                # follow-ups quote the candidate ("You said ..."), and so may their reasons
                "follow_ups": (await s.execute(update(Turn).where(Turn.interview_id == interview_id,
                                                                  Turn.kind.in_(("followup", "clarify")))
                                               .values(question_text="", reason=""))).rowcount or 0,
                "evidence_quotes": (await s.execute(update(AnswerScore).where(AnswerScore.interview_id == interview_id)
                                                    .values(evidence=[], uncertain=[]))).rowcount or 0,
            }
            iv.content_deleted_at = now
            s.add(DataDeletion(org_id=iv.org_id, at=now, reason=reason, scope="interview_content",
                               candidate_id=iv.candidate_id, interview_id=iv.id, counts=counts))
        return counts

    async def interviews_past_content_retention(self, org_id: str, cutoff: datetime, limit: int) -> list[str]:
        """Finished or failed interviews that ended (failed ones without an end: were created) before ``cutoff``,
        whose content is still stored and whose candidate is not on legal hold."""
        q = (select(Interview.id).join(Candidate, Candidate.id == Interview.candidate_id)
             .where(Interview.org_id == org_id, Interview.content_deleted_at.is_(None),
                    Interview.status.in_(("finished", "failed")),
                    func.coalesce(Interview.ended_at, Interview.created_at) < cutoff,
                    Candidate.legal_hold_at.is_(None))
             .order_by(Interview.created_at).limit(limit))
        async with self.sessions() as s:
            return list((await s.execute(q)).scalars())

    async def candidates_past_retention(self, org_id: str, cutoff: datetime, limit: int) -> list[str]:
        """Candidates with no activity (created, resume, interview created/booked/ended) since ``cutoff``, no live
        interview and no legal hold."""
        recent_iv = select(Interview.id).where(
            Interview.candidate_id == Candidate.id,
            or_(Interview.created_at >= cutoff, Interview.ended_at >= cutoff, Interview.scheduled_at >= cutoff,
                Interview.status == "live"))
        recent_resume = select(Resume.id).where(Resume.candidate_id == Candidate.id,
                                                or_(Resume.created_at >= cutoff, Resume.updated_at >= cutoff))
        q = (select(Candidate.id).where(Candidate.org_id == org_id, Candidate.created_at < cutoff,
                                        Candidate.legal_hold_at.is_(None), ~recent_iv.exists(),
                                        ~recent_resume.exists())
             .order_by(Candidate.created_at).limit(limit))
        async with self.sessions() as s:
            return list((await s.execute(q)).scalars())

    async def delete_import_runs_before(self, org_id: str, cutoff: datetime, now: datetime) -> int:
        """Bulk-import runs (their per-file results name people, also those never stored) created before
        ``cutoff``; returns how many results were deleted."""
        async with self.sessions.begin() as s:
            held = (select(CandidateImportItem.id).join(Candidate, Candidate.id == CandidateImportItem.candidate_id)
                    .where(CandidateImportItem.import_id == CandidateImport.id, Candidate.legal_hold_at.is_not(None)))
            ids = list((await s.execute(select(CandidateImport.id).where(
                CandidateImport.org_id == org_id, CandidateImport.created_at < cutoff,
                CandidateImport.status.notin_(("pending", "running")), ~held.exists()))).scalars())
            if not ids:
                return 0
            items = await self._count(s, CandidateImportItem, CandidateImportItem.import_id.in_(ids))
            await s.execute(delete(CandidateImport).where(CandidateImport.id.in_(ids)))
            s.add(DataDeletion(org_id=org_id, at=now, reason="retention", scope="import_results",
                               counts={"imports": len(ids), "import_results": items}))
        return items

    async def data_deletions(self, org_id: str, limit: int = 100) -> list[DataDeletion]:
        async with self.sessions() as s:
            return list((await s.execute(select(DataDeletion).where(DataDeletion.org_id == org_id)
                                         .order_by(DataDeletion.at.desc(), DataDeletion.id.desc())
                                         .limit(limit))).scalars())

    # --- voluntary self-identification, bias monitoring (0010) ---------------------------------------------------
    async def set_self_identification(self, iv: Interview, sex: str | None, race_ethnicity: str | None,
                                      age_band: str | None, now: datetime) -> None:
        async with self.sessions.begin() as s:
            row = await s.get(SelfIdentification, iv.id)
            if row is None:
                row = SelfIdentification(interview_id=iv.id, org_id=iv.org_id, job_id=iv.job_id)
                s.add(row)
            row.sex, row.race_ethnicity, row.age_band, row.created_at = sex, race_ethnicity, age_band, now

    async def self_identification(self, interview_id: str) -> SelfIdentification | None:
        async with self.sessions() as s:
            return await s.get(SelfIdentification, interview_id)

    async def withdraw_self_identification(self, interview_id: str) -> bool:
        async with self.sessions.begin() as s:
            return bool((await s.execute(delete(SelfIdentification).where(
                SelfIdentification.interview_id == interview_id))).rowcount)

    async def job_self_identifications(self, job_id: str) -> dict[str, SelfIdentification]:
        """Each candidate's latest self-identification for the job, by candidate id."""
        async with self.sessions() as s:
            rows = (await s.execute(select(SelfIdentification, Interview.candidate_id)
                                    .join(Interview, Interview.id == SelfIdentification.interview_id)
                                    .where(SelfIdentification.job_id == job_id)
                                    .order_by(SelfIdentification.created_at))).all()
            return {cand: row for row, cand in rows}  # later answers replace earlier ones

    async def job_scores(self, job_id: str) -> dict[str, tuple[str, list[AnswerScore]]]:
        """Each candidate's latest finished, scored interview for the job: candidate id -> (interview id, scores
        in the order given)."""
        async with self.sessions() as s:
            rows = (await s.execute(select(AnswerScore, Interview.candidate_id)
                                    .join(Interview, Interview.id == AnswerScore.interview_id)
                                    .where(Interview.job_id == job_id, Interview.status == "finished")
                                    .order_by(Interview.created_at, AnswerScore.turn_index,
                                              AnswerScore.created_at))).all()
            by_interview: dict[str, tuple[str, list[AnswerScore]]] = {}
            for score, cand in rows:
                by_interview.setdefault(score.interview_id, (cand, []))[1].append(score)
            latest: dict[str, tuple[str, list[AnswerScore]]] = {}
            for iv_id, (cand, scores) in by_interview.items():  # interviews in creation order: the last one wins
                latest[cand] = (iv_id, scores)
            return latest

    # --- encryption at rest: key rotation (server/compliance/crypto.py) -----------------------------------------------------
    async def reencrypt(self, batch: int = 200) -> dict[str, int]:
        """Write every encrypted value again under the current data key (values under older keys, and values
        stored before encryption was on). A value changed or deleted meanwhile is left to its writer (compare and
        swap on the stored text). Returns how many values each column had rewritten."""
        done: dict[str, int] = {}
        for table in Base.metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            for col in table.columns:
                if not isinstance(col.type, (EncryptedText, EncryptedJSON)):
                    continue
                stored = cast(type_coerce(col, Text), Text)  # the text the database holds (JSON included)
                async with self.sessions() as s:
                    raw = (await s.execute(select(*pk, stored))).all()
                stale = [(r[:len(pk)], r[-1]) for r in raw if _needs_current_key(r[-1])]
                rewritten = 0
                for i in range(0, len(stale), batch):
                    async with self.sessions.begin() as s:
                        for key, before in stale[i:i + batch]:
                            where = and_(*(c == v for c, v in zip(pk, key)))
                            value = (await s.execute(select(col).where(where, stored == before))).first()
                            if value is None:
                                continue  # changed or deleted since it was read
                            moved = await s.execute(update(table).where(where, stored == before)
                                                    .values({col.name: value[0]}))
                            rewritten += moved.rowcount or 0
                done[f"{table.name}.{col.name}"] = rewritten
        return done


def _needs_current_key(raw: str | None) -> bool:
    """Whether a stored value (as the database holds it) is not yet under the current key."""
    if raw is None or raw in ("", "null") or KEYRING.current is None:
        return False
    token = raw
    if raw.startswith('"'):  # a JSON column holds the token as a JSON string
        try:
            token = json.loads(raw)
        except ValueError:
            pass
    return KEYRING.key_id_of(token) != KEYRING.current
