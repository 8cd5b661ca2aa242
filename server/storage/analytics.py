"""What the HR analytics read about jobs: each candidate's way in and how far they got, AI scores and human
ratings per interview and competency, and hires' performance. Plain rows (no encrypted columns are read), for
server/reports/analytics.py to compute on; the functions that put rows together (``candidate_facts``,
``scored_interviews``) are pure, for it to run off the event loop with the rest of its arithmetic."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, select

from server.storage.database import Repository
from server.storage.models import (AnswerScore, Candidate, CandidateImport, CandidateImportItem, CandidateOutcome,
                                   HumanReview, Interview, Invitation, Resume)


@dataclass(frozen=True)
class CandidateFacts:
    """One candidate of one job and what the records say about them (the funnel's input)."""

    job_id: str
    candidate_id: str
    external_source: str | None  # the HR system they were imported from (e.g. "dingtalk")
    bulk_imported: bool  # created by a bulk (zip/CSV) import of some job
    has_resume: bool  # a resume was stored for them (uploaded, imported)
    invitation_channel: str | None  # the channel of the first invitation (not failed) for the job's interview
    invited: bool  # an interview for the job was created
    interviewed: bool  # one of those interviews started
    scored: bool  # one of them has AI scores
    decision: str | None  # the job's outcome: advanced | hired | rejected


@dataclass(frozen=True)
class ScoreRow:
    """One AI score of one answer (``final_score_ids`` and ``competency_score`` of interview_report read these)."""

    id: str
    interview_id: str
    question_index: int
    competency: str
    score: float
    confidence: float


@dataclass(frozen=True)
class ScoredInterview:
    interview_id: str
    candidate_id: str
    plan_id: str
    created_at: datetime
    scores: list[ScoreRow]  # in the order given


@dataclass(frozen=True)
class Rating:
    interview_id: str
    reviewer_id: str
    competency: str
    score: float
    at: datetime


@dataclass(frozen=True)
class Performance:
    candidate_id: str
    interview_id: str | None
    rating: float
    months: int | None


class AnalyticsRepository(Repository):
    """Read-only queries across areas, per job."""

    async def candidate_records(self, job_ids: Collection[str]) -> CandidateRecords:
        """What the funnel needs to know about every candidate of these jobs (``candidate_facts`` puts it
        together)."""
        jobs = list(job_ids)
        if not jobs:
            return CandidateRecords([], [], set(), [], [], {}, set(), set())
        async with self.db.session() as s:
            resumes = (await s.execute(select(Resume.job_id, Resume.candidate_id)
                                       .where(Resume.job_id.in_(jobs)))).all()
            interviews = (await s.execute(select(Interview.id, Interview.job_id, Interview.candidate_id,
                                                 Interview.status, Interview.started_at)
                                          .where(Interview.job_id.in_(jobs))
                                          .order_by(Interview.created_at, Interview.id))).all()
            scored = set((await s.execute(select(AnswerScore.interview_id).distinct()
                                          .join(Interview, Interview.id == AnswerScore.interview_id)
                                          .where(Interview.job_id.in_(jobs)))).scalars())
            invitations = (await s.execute(select(Invitation.interview_id, Invitation.channel)
                                           .join(Interview, Interview.id == Invitation.interview_id)
                                           .where(Interview.job_id.in_(jobs), Invitation.status != "failed")
                                           .order_by(Invitation.created_at, Invitation.id))).all()
            outcomes = (await s.execute(select(CandidateOutcome.job_id, CandidateOutcome.candidate_id,
                                               CandidateOutcome.decision)
                                        .where(CandidateOutcome.job_id.in_(jobs)))).all()
            # the jobs' candidates, as a subquery (a large organisation has more than a query may list)
            theirs = (select(Resume.candidate_id).where(Resume.job_id.in_(jobs))
                      .union(select(Interview.candidate_id).where(Interview.job_id.in_(jobs)))).scalar_subquery()
            sources = dict((await s.execute(select(Candidate.id, Candidate.external_source)
                                            .where(Candidate.id.in_(theirs)))).all())
            bulk = set((await s.execute(select(CandidateImportItem.candidate_id).distinct()
                                        .join(CandidateImport, CandidateImport.id == CandidateImportItem.import_id)
                                        .where(CandidateImportItem.candidate_id.in_(theirs),
                                               CandidateImportItem.status == "created",
                                               CandidateImport.source != "dingtalk"))).scalars())
            any_resume = set((await s.execute(select(Resume.candidate_id).distinct()
                                              .where(Resume.candidate_id.in_(theirs)))).scalars())
        return CandidateRecords(list(resumes), list(interviews), scored, list(invitations), list(outcomes), sources,
                                bulk, any_resume)

    async def resume_dates(self, job_id: str) -> dict[str, datetime]:
        """When each candidate's resume for the job arrived (the latest one)."""
        async with self.db.session() as s:
            rows = await s.execute(select(Resume.candidate_id, Resume.created_at).where(Resume.job_id == job_id)
                                   .order_by(Resume.created_at))
            return dict(rows.all())

    async def score_rows(self, job_id: str) -> list[Row]:
        """The AI scores of the job's finished interviews, oldest interview first, each's in the order given
        (``scored_interviews`` groups them)."""
        async with self.db.session() as s:
            return list((await s.execute(
                select(AnswerScore.id, AnswerScore.interview_id, AnswerScore.question_index, AnswerScore.competency,
                       AnswerScore.score, AnswerScore.confidence, Interview.candidate_id, Interview.plan_id,
                       Interview.created_at)
                .join(Interview, Interview.id == AnswerScore.interview_id)
                .where(Interview.job_id == job_id, Interview.status == "finished")
                .order_by(Interview.created_at, Interview.id, AnswerScore.turn_index, AnswerScore.created_at))).all())

    async def ratings(self, job_id: str) -> list[Rating]:
        """People's ratings of the job's interviews, oldest first."""
        async with self.db.session() as s:
            rows = await s.execute(select(HumanReview.interview_id, HumanReview.reviewer_id, HumanReview.competency,
                                          HumanReview.score, HumanReview.created_at)
                                   .join(Interview, Interview.id == HumanReview.interview_id)
                                   .where(Interview.job_id == job_id)
                                   .order_by(HumanReview.created_at, HumanReview.id))
            return [Rating(*r) for r in rows.all()]

    async def performance(self, job_id: str) -> list[Performance]:
        """The job's hires with a performance rating."""
        async with self.db.session() as s:
            rows = await s.execute(select(CandidateOutcome.candidate_id, CandidateOutcome.interview_id,
                                          CandidateOutcome.performance_rating, CandidateOutcome.performance_months)
                                   .where(CandidateOutcome.job_id == job_id, CandidateOutcome.decision == "hired",
                                          CandidateOutcome.performance_rating.is_not(None)))
            return [Performance(*r) for r in rows.all()]

    async def decision_counts(self, job_id: str) -> dict[str, int]:
        async with self.db.session() as s:
            rows = await s.execute(select(CandidateOutcome.decision).where(CandidateOutcome.job_id == job_id))
            counts: dict[str, int] = {}
            for (decision,) in rows.all():
                counts[decision] = counts.get(decision, 0) + 1
            return counts


@dataclass(frozen=True)
class CandidateRecords:
    """The rows behind the funnel (``AnalyticsRepository.candidate_records``)."""

    resumes: list[Row]  # (job_id, candidate_id)
    interviews: list[Row]  # (id, job_id, candidate_id, status, started_at), oldest first
    scored: set[str]  # interviews with AI scores
    invitations: list[Row]  # (interview_id, channel) that did not fail, oldest first
    outcomes: list[Row]  # (job_id, candidate_id, decision)
    sources: dict[str, str | None]  # candidate id -> the HR system they came from
    bulk: set[str]  # candidates a bulk import created
    any_resume: set[str]  # candidates with a resume (for any job)


def candidate_facts(rec: CandidateRecords) -> list[CandidateFacts]:
    """Each candidate of each job with what the records say about them (pure: run it off the event loop)."""
    pairs = {(r.job_id, r.candidate_id) for r in rec.resumes} | {(iv.job_id, iv.candidate_id) for iv in rec.interviews}
    first_channel: dict[str, str] = {}
    for iv_id, channel in rec.invitations:
        first_channel.setdefault(iv_id, channel)
    per_pair: dict[tuple[str, str], dict] = {p: {"invited": False, "interviewed": False, "scored": False,
                                                 "channel": None} for p in pairs}
    for iv in rec.interviews:  # a candidate with several interviews for a job: the furthest any of them got
        facts = per_pair[(iv.job_id, iv.candidate_id)]
        facts["invited"] = True
        facts["interviewed"] |= iv.started_at is not None or iv.status in ("live", "finished")
        facts["scored"] |= iv.id in rec.scored
        if facts["channel"] is None:
            facts["channel"] = first_channel.get(iv.id)
    decisions = {(o.job_id, o.candidate_id): o.decision for o in rec.outcomes}
    return [CandidateFacts(job, cand, rec.sources.get(cand), cand in rec.bulk, cand in rec.any_resume, f["channel"],
                           f["invited"], f["interviewed"], f["scored"], decisions.get((job, cand)))
            for (job, cand), f in sorted(per_pair.items())]


def scored_interviews(rows: list[Row]) -> list[ScoredInterview]:
    """``AnalyticsRepository.score_rows`` grouped by interview, oldest first (pure: run it off the event loop)."""
    out: dict[str, ScoredInterview] = {}
    for r in rows:
        iv = out.get(r.interview_id)
        if iv is None:
            iv = out[r.interview_id] = ScoredInterview(r.interview_id, r.candidate_id, r.plan_id, r.created_at, [])
        iv.scores.append(ScoreRow(r.id, r.interview_id, r.question_index, r.competency, r.score, r.confidence))
    return list(out.values())
