"""Retention periods, legal hold, and the hard deletion of candidates' data (retention or on request)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select, update

from server.storage.database import Repository, count_rows
from server.storage.models import (AnswerScore, Candidate, CandidateImport, CandidateImportItem, DataDeletion, Event,
                                   Interview, JobSlot, RetentionPolicy, Resume, TranscriptSegment, Turn)


class RetentionRepository(Repository):
    """What retention and erasure read and delete; every deletion leaves a ``data_deletions`` row."""

    async def policy(self, org_id: str) -> RetentionPolicy | None:
        async with self.db.session() as s:
            return await s.get(RetentionPolicy, org_id)

    async def set_policy(self, org_id: str, interview_content_days: int, candidate_days: int,
                         user_id: str | None, now: datetime) -> RetentionPolicy:
        async with self.db.transaction() as s:
            row = await s.get(RetentionPolicy, org_id)
            if row is None:
                row = RetentionPolicy(org_id=org_id)
                s.add(row)
            row.interview_content_days, row.candidate_days = interview_content_days, candidate_days
            row.updated_by, row.updated_at = user_id, now
        return row

    async def set_legal_hold(self, candidate_id: str, hold: bool, reason: str, user_id: str | None,
                             now: datetime) -> Candidate | None:
        async with self.db.transaction() as s:
            changed = await s.execute(update(Candidate).where(Candidate.id == candidate_id).values(
                legal_hold_at=now if hold else None, legal_hold_reason=reason if hold else "",
                legal_hold_by=user_id if hold else None))
            if not changed.rowcount:  # gone (erased meanwhile)
                return None
        async with self.db.session() as s:
            return await s.get(Candidate, candidate_id)

    async def org_candidates(self, org_id: str, limit: int = 500) -> list[Candidate]:
        async with self.db.session() as s:
            return list((await s.execute(select(Candidate).where(Candidate.org_id == org_id)
                                         .order_by(Candidate.created_at.desc()).limit(limit))).scalars())

    async def candidate_interview_ids(self, candidate_id: str) -> list[str]:
        async with self.db.session() as s:
            return list((await s.execute(select(Interview.id).where(Interview.candidate_id == candidate_id))).scalars())

    async def erase_candidate(self, candidate_id: str, reason: str, now: datetime, actor_id: str | None = None,
                              actor_email: str = "") -> dict[str, int] | str:
        """Hard-delete everything stored about a candidate in one transaction: the candidate, their interviews
        (turns, transcript, timeline, consents, scores, reviews, invitations, reminders), resumes, contact keys and
        match overrides (database cascades), the name on bulk-import results; their booked seats are given back.
        Returns the counts deleted, or ``not_found`` / ``legal_hold`` / ``interview_in_progress`` (nothing
        deleted)."""
        async with self.db.transaction() as s:
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
                      "resumes": await count_rows(s, Resume, Resume.candidate_id == candidate_id),
                      "transcript_segments": await count_rows(s, TranscriptSegment,
                                                               TranscriptSegment.interview_id.in_(iv_ids)),
                      "timeline_events": await count_rows(s, Event, Event.interview_id.in_(iv_ids))}
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

    async def delete_interview_content(self, interview_id: str, reason: str, now: datetime) -> dict[str, int] | None:
        """Delete what a finished interview recorded of the candidate's words and behaviour (transcript, answers,
        evidence quotes, timeline of events and observations), keeping scores and the plan; None if nothing was
        done (not found, live, on legal hold, or already deleted)."""
        async with self.db.transaction() as s:
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
        async with self.db.session() as s:
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
        async with self.db.session() as s:
            return list((await s.execute(q)).scalars())

    async def delete_import_runs_before(self, org_id: str, cutoff: datetime, now: datetime) -> int:
        """Bulk-import runs (their per-file results name people, also those never stored) created before
        ``cutoff``; returns how many results were deleted."""
        async with self.db.transaction() as s:
            held = (select(CandidateImportItem.id).join(Candidate, Candidate.id == CandidateImportItem.candidate_id)
                    .where(CandidateImportItem.import_id == CandidateImport.id, Candidate.legal_hold_at.is_not(None)))
            ids = list((await s.execute(select(CandidateImport.id).where(
                CandidateImport.org_id == org_id, CandidateImport.created_at < cutoff,
                CandidateImport.status.notin_(("pending", "running")), ~held.exists()))).scalars())
            if not ids:
                return 0
            items = await count_rows(s, CandidateImportItem, CandidateImportItem.import_id.in_(ids))
            await s.execute(delete(CandidateImport).where(CandidateImport.id.in_(ids)))
            s.add(DataDeletion(org_id=org_id, at=now, reason="retention", scope="import_results",
                               counts={"imports": len(ids), "import_results": items}))
        return items

    async def deletions(self, org_id: str, limit: int = 100) -> list[DataDeletion]:
        async with self.db.session() as s:
            return list((await s.execute(select(DataDeletion).where(DataDeletion.org_id == org_id)
                                         .order_by(DataDeletion.at.desc(), DataDeletion.id.desc())
                                         .limit(limit))).scalars())
