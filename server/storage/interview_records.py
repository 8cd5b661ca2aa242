"""What an interview recorded: its turns, transcript, timeline, AI scores, human reviews and people's decisions."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from server.storage.database import Repository
from server.storage.models import (AnswerScore, Event, HumanReview, Interview, InterviewDecision, TranscriptSegment, Turn,
                                   User, utcnow)


class InterviewRecordRepository(Repository):
    """An interview's record, written by the live interview and read by reports and HR."""

    async def turns(self, interview_id: str) -> list[Turn]:
        async with self.db.session() as s:
            rows = await s.execute(select(Turn).where(Turn.interview_id == interview_id).order_by(Turn.index))
            return list(rows.scalars())

    async def add_turn(
        self, interview_id: str, index: int, question_index: int, question_id: str | None, kind: str, text: str,
        trigger: str = "", reason: str = "",
    ) -> None:
        async with self.db.transaction() as s:
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
        """Store a final transcript segment; returns its sequence number within the interview."""
        async with self.db.transaction() as s:
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
        async with self.db.session() as s:
            rows = await s.execute(query.order_by(TranscriptSegment.seq))
            return list(rows.scalars())

    async def add_event(self, interview_id: str, type_: str, payload: dict) -> None:
        async with self.db.transaction() as s:
            s.add(Event(interview_id=interview_id, type=type_, payload=payload))

    async def events(self, interview_id: str, limit: int = 500) -> list[Event]:
        async with self.db.session() as s:
            rows = await s.execute(
                select(Event).where(Event.interview_id == interview_id).order_by(Event.id.desc()).limit(limit)
            )
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
                return
            row.question_index, row.score, row.confidence, row.level = question_index, score, confidence, level
            row.evidence, row.uncertain, row.scored_by = evidence, uncertain, scored_by

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
