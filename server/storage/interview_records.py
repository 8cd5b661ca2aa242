"""What an interview recorded: its turns, transcript, timeline, AI scores, human reviews and people's decisions;
and the interview's figures the HR list sorts on (``interviews.ai_score``, ``human_rating``, ``flag_count``), kept in
the same transaction as the score, rating or flag that changes them. Whatever stores scores or ratings other than
through ``add_score`` and ``add_review`` (the demo's history) calls ``keep_figures`` in its transaction."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.reports.overall_score import overall_ai_score, overall_human_rating
from server.storage.database import Repository
from server.storage.group_commit import GroupCommit
from server.storage.models import (AnswerScore, Event, HumanReview, Interview, InterviewDecision, QuestionPlan,
                                   TranscriptSegment, Turn,
                                   User, utcnow)


FLAG_EVENT = "flag.raised"  # a proctoring flag (server/live/events.py), counted on the interview
WRITES_PER_TRANSACTION = 200  # segments or events group-committed in one transaction, at most
WRITES_WAITING = 5000  # segments or events waiting to be written, at most (then refused: GroupCommitBusy)


async def keep_figures(s: AsyncSession, interview_ids: Collection[str]) -> None:
    """Store the overall AI score and human rating of ``interview_ids`` from their scores and ratings as the
    session ``s`` has them now (by server/reports/overall_score.py, the report's rules), in the caller's
    transaction."""
    ids = list(dict.fromkeys(interview_ids))
    if not ids:
        return
    scores: dict[str, list] = defaultdict(list)
    for row in (await s.execute(select(AnswerScore.interview_id, AnswerScore.id, AnswerScore.question_index,
                                       AnswerScore.competency, AnswerScore.score, AnswerScore.confidence)
                                .where(AnswerScore.interview_id.in_(ids))
                                .order_by(AnswerScore.turn_index, AnswerScore.created_at))).all():
        scores[row.interview_id].append(row)
    ratings: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for iv, competency, score in (await s.execute(select(HumanReview.interview_id, HumanReview.competency,
                                                         HumanReview.score)
                                                  .where(HumanReview.interview_id.in_(ids)))).all():
        ratings[iv].append((competency, score))
    specs = dict((await s.execute(select(Interview.id, QuestionPlan.spec)
                                  .join(QuestionPlan, Interview.plan_id == QuestionPlan.id)
                                  .where(Interview.id.in_(ids)))).all())
    table = Interview.__table__
    await s.execute(table.update().where(table.c.id == bindparam("iv_id"))
                    .values(ai_score=bindparam("ai"), human_rating=bindparam("human")),
                    [{"iv_id": iv,  # the report's figure: by the plan's weights
                      "ai": overall_ai_score(scores[iv], (specs.get(iv) or {}).get("competency_weights") or {}),
                      "human": overall_human_rating(ratings[iv])} for iv in ids])


@dataclass(frozen=True)
class NewSegment:
    """A final transcript segment to store (``TranscriptSegment`` but its number, given when it is written)."""

    interview_id: str
    turn_index: int
    text: str
    start_ms: int
    end_ms: int
    words: list[dict]
    engine: str
    connection_id: str


@dataclass(frozen=True)
class NewEvent:
    """A timeline event to store."""

    interview_id: str
    type: str
    payload: dict
    at: datetime


class InterviewRecordRepository(Repository):
    """An interview's record, written by the live interview and read by reports and HR.

    Transcript segments and timeline events, written many times a minute by every live interview, are group-committed
    (server/storage/group_commit.py): those that arrive while earlier ones are being written share the next
    transaction, so a database that serialises writers (SQLite) takes one write at a time for all interviews, not
    one per event, and the other writes (an answer's end, the next question) do not queue behind them."""

    def __init__(self, db) -> None:
        super().__init__(db)
        self._segments = GroupCommit(self._write_segments, name="transcript segments",
                                     max_batch=WRITES_PER_TRANSACTION, max_waiting=WRITES_WAITING)
        self._events = GroupCommit(self._write_events, name="timeline events",
                                   max_batch=WRITES_PER_TRANSACTION, max_waiting=WRITES_WAITING)

    @property
    def writes_backlog(self) -> tuple[int, int]:
        """(segments and events submitted and not yet being written, how many may wait)."""
        return self._segments.waiting + self._events.waiting, self._segments.max_waiting + self._events.max_waiting

    async def turns(self, interview_id: str) -> list[Turn]:
        async with self.db.session() as s:
            rows = await s.execute(select(Turn).where(Turn.interview_id == interview_id).order_by(Turn.index))
            return list(rows.scalars())

    async def add_turn(
        self, interview_id: str, index: int, question_index: int, question_id: str | None, kind: str, text: str,
        trigger: str = "", reason: str = "",
    ) -> None:
        """Put a question as turn ``index``; the interview stands at its ``question_index`` from then on (one write:
        the next question waits for it)."""
        async with self.db.transaction() as s:
            await s.execute(update(Interview).where(Interview.id == interview_id)
                            .values(question_index=question_index))
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
        async with self.db.transaction() as s:
            await s.execute(
                update(Turn)
                .where(Turn.interview_id == interview_id, Turn.index == index)
                .values(answer_text=answer_text, answer_ended_at=utcnow(), end_reason=reason)
            )

    async def reopen_turn(self, interview_id: str, index: int) -> None:
        """The answer of turn ``index`` goes on after its end was decided (the candidate spoke again at once)."""
        async with self.db.transaction() as s:
            await s.execute(
                update(Turn)
                .where(Turn.interview_id == interview_id, Turn.index == index)
                .values(answer_text="", answer_ended_at=None, end_reason="")
            )

    async def delete_turn(self, interview_id: str, index: int) -> None:
        """Take back a question that was put but not answered (withdrawn: the previous answer went on)."""
        async with self.db.transaction() as s:
            await s.execute(delete(Turn).where(Turn.interview_id == interview_id, Turn.index == index))

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
        """Store a final transcript segment; returns its sequence number within the interview once it is committed
        (with the other segments written at that moment: group commit)."""
        return await self._segments.submit(NewSegment(interview_id, turn_index, text, start_ms, end_ms, words,
                                                      engine, connection_id))

    async def _write_segments(self, segments: list[NewSegment]) -> list[int]:
        """Write ``segments`` in one transaction, each numbered after its interview's last; their numbers."""
        numbers: list[int] = []
        async with self.db.transaction() as s:
            last: dict[str, int] = dict((await s.execute(
                select(TranscriptSegment.interview_id, func.max(TranscriptSegment.seq))
                .where(TranscriptSegment.interview_id.in_({seg.interview_id for seg in segments}))
                .group_by(TranscriptSegment.interview_id))).all())
            for seg in segments:
                numbers.append(last.get(seg.interview_id, -1) + 1)
                last[seg.interview_id] = numbers[-1]
                s.add(TranscriptSegment(seq=numbers[-1], **asdict(seg)))
        return numbers

    async def segments(self, interview_id: str, turn_index: int | None = None) -> list[TranscriptSegment]:
        query = select(TranscriptSegment).where(TranscriptSegment.interview_id == interview_id)
        if turn_index is not None:
            query = query.where(TranscriptSegment.turn_index == turn_index)
        async with self.db.session() as s:
            rows = await s.execute(query.order_by(TranscriptSegment.seq))
            return list(rows.scalars())

    def keep_event(self, interview_id: str, type_: str, payload: dict) -> asyncio.Future:
        """Keep an event in the interview's timeline with the other events written at that moment (group commit),
        without waiting: the future settles once it is committed (or with the error; ``GroupCommitBusy`` when too
        many wait). Events are numbered in the order they were kept; this process's ``events()`` waits for those
        still being written."""
        return self._events.submit_nowait(NewEvent(interview_id, type_, payload, utcnow()))

    async def add_event(self, interview_id: str, type_: str, payload: dict) -> None:
        """``keep_event``, returning once the event is committed."""
        await self.keep_event(interview_id, type_, payload)

    async def flush(self) -> None:
        """Return once every segment and event submitted so far is written (or has failed)."""
        await self._segments.flush()
        await self._events.flush()

    async def _write_events(self, events: list[NewEvent]) -> list[None]:
        flags = Counter(e.interview_id for e in events if e.type == FLAG_EVENT)
        async with self.db.transaction() as s:
            s.add_all([Event(interview_id=e.interview_id, type=e.type, payload=e.payload, at=e.at) for e in events])
            for interview_id, raised in flags.items():
                await s.execute(update(Interview).where(Interview.id == interview_id)
                                .values(flag_count=Interview.flag_count + raised))
        return [None] * len(events)

    async def transcript_lines(self, interview_id: str) -> list[tuple[int, str, int]]:
        """(turn index, text, start ms) of each final segment in order, without the word timings."""
        async with self.db.session() as s:
            rows = await s.execute(select(TranscriptSegment.turn_index, TranscriptSegment.text,
                                          TranscriptSegment.start_ms)
                                   .where(TranscriptSegment.interview_id == interview_id)
                                   .order_by(TranscriptSegment.seq))
            return [tuple(r) for r in rows.all()]

    async def events(self, interview_id: str, limit: int = 500, types: Collection[str] | None = None) -> list[Event]:
        """The latest ``limit`` events (of ``types`` only, if given), oldest first."""
        await self._events.flush()  # what this process published is read back
        query = select(Event).where(Event.interview_id == interview_id)
        if types is not None:
            query = query.where(Event.type.in_(list(types)))
        async with self.db.session() as s:
            rows = await s.execute(query.order_by(Event.id.desc()).limit(limit))
            return list(reversed(list(rows.scalars())))

    async def add_score(self, interview_id: str, turn_index: int, question_index: int, competency: str, score: float,
                        confidence: float, level: str, evidence: list[dict], uncertain: list[str],
                        scored_by: str = "rules") -> None:
        """The score of one answer for one competency; a second score of the same turn and competency (the model's
        judgement arriving after the rules' score) replaces the first."""
        async with self.db.transaction() as s:
            row = (await s.execute(select(AnswerScore).where(
                AnswerScore.interview_id == interview_id, AnswerScore.turn_index == turn_index,
                AnswerScore.competency == competency))).scalars().first()
            if row is None:
                s.add(AnswerScore(interview_id=interview_id, turn_index=turn_index, question_index=question_index,
                                  competency=competency, score=score, confidence=confidence, level=level,
                                  evidence=evidence, uncertain=uncertain, scored_by=scored_by))
            else:
                row.question_index, row.score, row.confidence, row.level = question_index, score, confidence, level
                row.evidence, row.uncertain, row.scored_by = evidence, uncertain, scored_by
            await s.flush()
            await keep_figures(s, [interview_id])

    async def fill_missing_figures(self, org_id: str) -> int:
        """Store the figures of ``org_id``'s interviews that have scores or ratings but not their figure (stored
        by a path that did not keep them); returns how many."""
        scored = select(AnswerScore.id).where(AnswerScore.interview_id == Interview.id).exists()
        rated = select(HumanReview.id).where(HumanReview.interview_id == Interview.id).exists()
        async with self.db.transaction() as s:
            ids = list((await s.execute(select(Interview.id).where(
                Interview.org_id == org_id,
                (Interview.ai_score.is_(None) & scored) | (Interview.human_rating.is_(None) & rated)))).scalars())
            await keep_figures(s, ids)
        return len(ids)

    async def scores(self, interview_id: str) -> list[AnswerScore]:
        async with self.db.session() as s:
            rows = await s.execute(select(AnswerScore).where(AnswerScore.interview_id == interview_id)
                                   .order_by(AnswerScore.turn_index, AnswerScore.created_at))
            return list(rows.scalars())

    async def add_review(self, interview_id: str, reviewer_id: str, competency: str, score: float,
                         comment: str) -> HumanReview:
        async with self.db.transaction() as s:
            review = HumanReview(interview_id=interview_id, reviewer_id=reviewer_id, competency=competency,
                                 score=score, comment=comment)
            s.add(review)
            await s.flush()
            await keep_figures(s, [interview_id])
        return review

    async def reviews(self, interview_id: str) -> list[tuple[HumanReview, str]]:
        """Human reviews with the reviewer's email, oldest first."""
        async with self.db.session() as s:
            rows = await s.execute(select(HumanReview, User.email).join(User, User.id == HumanReview.reviewer_id)
                                   .where(HumanReview.interview_id == interview_id)
                                   .order_by(HumanReview.created_at))
            return [(r, email) for r, email in rows.all()]

    async def add_decision(self, interview: Interview, user: User, decision: str, suggested: str | None,
                           overall_score: float | None, comment: str) -> InterviewDecision:
        """A person's decision on ``interview``; earlier ones stay as its history."""
        async with self.db.transaction() as s:
            row = InterviewDecision(org_id=interview.org_id, interview_id=interview.id, decision=decision,
                                    suggested=suggested, overall_score=overall_score, decided_by=user.id,
                                    decided_by_email=user.email, decided_by_name=user.display_name or "",
                                    comment=comment, decided_at=utcnow())
            s.add(row)
        return row

    async def decisions(self, interview_id: str) -> list[InterviewDecision]:
        """People's decisions on an interview, newest first."""
        async with self.db.session() as s:
            rows = await s.execute(select(InterviewDecision).where(InterviewDecision.interview_id == interview_id)
                                   .order_by(InterviewDecision.decided_at.desc(), InterviewDecision.id))
            return list(rows.scalars())

    async def job_scores(self, job_id: str) -> dict[str, tuple[str, list[AnswerScore]]]:
        """Each candidate's latest finished, scored interview for the job: candidate id -> (interview id, scores
        in the order given)."""
        async with self.db.session() as s:
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
