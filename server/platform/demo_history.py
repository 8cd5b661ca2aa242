"""Six months of recruiting in the demo organisation, so every HR analytic has something to show at once: candidates
from every source channel (uploaded, bulk import, DingTalk import, e-mail and DingTalk invitations, a link), their
resumes against the jobs' requirements, finished interviews with AI scores, two people's ratings of most of them,
decisions, and performance ratings of the hires a month or more after hiring.

Deterministic: one seeded generator makes the same people, scores and decisions every time (their dates are
counted back from the day it runs). Every candidate has a hidden ability; AI scores, people's ratings and the
resume's skills follow it with noise, and performance follows one competency per job more than the others (so the
suggested weights have something to find). All rows go in with one transaction (well under a second), with the
interviews' list figures kept from their scores and ratings as the live path keeps them
(storage/interview_records.py ``keep_figures``). The interviews have scores and ratings but no transcripts or
recordings.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from analyzers.documents.job_requirements import JobRequirements
from analyzers.documents.resume_profile import ResumeProfile, Sourced
from server.recruiting.imports import PROFILE
from server.storage.database import Database
from server.storage.interview_records import keep_figures
from server.storage.models import (AnswerScore, Candidate, CandidateImport, CandidateImportItem, CandidateOutcome,
                                   HumanReview, Interview, Invitation, JobRequirementSet, Resume, new_id)

SEED = 18
INSERT_ORDER = (JobRequirementSet, CandidateImport, Candidate, Resume, CandidateImportItem, Interview, Invitation,
                AnswerScore, HumanReview, CandidateOutcome)
DAYS = 180
# channel -> share of the candidates
CHANNELS = {"upload": 0.28, "bulk_import": 0.24, "dingtalk_import": 0.2, "email_invitation": 0.14,
            "dingtalk_invitation": 0.09, "link": 0.05}
FIRST = ["Alex", "Bo", "Chen", "Dana", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jia", "Kai", "Lena", "Milo", "Nia",
         "Omar", "Pia", "Quan", "Rosa", "Sam", "Tara", "Uri", "Vera", "Wei", "Xin", "Yuki", "Zoe"]
LAST = ["Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu"]
ZH_FIRST = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英"]
ZH_LAST = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"]


@dataclass(frozen=True)
class DemoJobHistory:
    """One demo job's history: how many candidates, what its requirements ask, which competency performance
    follows most, and the two people who rate its interviews."""

    job_id: str
    plan_id: str
    language: str
    competencies: list[str]  # of the plan's questions, in order
    candidates: int
    must: list[str]  # skills the job requires
    nice: list[str]  # skills that are a plus
    drives_performance: str  # the competency later performance follows most
    raters: tuple[str, str]  # user ids


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _clip(x: float, lo: float = 1.0, hi: float = 5.0) -> float:
    return max(lo, min(hi, x))


def _name(rng: random.Random, language: str) -> tuple[str, str]:
    if language == "zh":
        return rng.choice(ZH_LAST) + rng.choice(ZH_FIRST), f"{rng.choice(LAST).lower()}{rng.randrange(1000)}"
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return f"{first} {last}", f"{first.lower()}.{last.lower()}{rng.randrange(100)}"


def history_rows(org_id: str, jobs: list[DemoJobHistory], now: datetime, seed: int = SEED) -> list:
    """Every row of the history (ORM objects, in an order the foreign keys accept)."""
    rng = random.Random(seed)
    rows: list = []
    for j, job in enumerate(jobs):
        reqs = [{"id": f"r{i + 1}", "kind": "skill", "text": s, "value": s, "must_have": i < len(job.must)}
                for i, s in enumerate(job.must + job.nice)]
        rows.append(JobRequirementSet(job_id=job.job_id, updated_at=now - timedelta(days=DAYS + 5),
                                      requirements=JobRequirements.model_validate(
                                          {"language": job.language, "requirements": reqs}).model_dump(mode="json")))
        runs = {kind: CandidateImport(org_id=org_id, job_id=job.job_id, source=kind, status="done",
                                      filename="demo-resumes.zip" if kind == "zip" else "DingTalk: demo",
                                      created_at=now - timedelta(days=DAYS), finished_at=now - timedelta(days=DAYS),
                                      heartbeat_at=now - timedelta(days=DAYS), started_at=now - timedelta(days=DAYS),
                                      id=new_id())
                for kind in ("zip", "dingtalk")}
        rows += runs.values()
        positions = {"zip": 0, "dingtalk": 0}
        for i in range(job.candidates):
            rows += _candidate(rng, org_id, job, j, i, now, runs, positions)
        for kind, run in runs.items():
            run.total = positions[kind]
    return rows


def _candidate(rng: random.Random, org_id: str, job: DemoJobHistory, j: int, i: int, now: datetime,
               runs: dict[str, CandidateImport], positions: dict[str, int]) -> list:
    rows: list = []
    days_ago = rng.uniform(3, DAYS)
    arrived = now - timedelta(days=days_ago)
    ability = rng.gauss(0.4 * (1 - days_ago / DAYS) - 0.2, 1.0)  # applicants get a little better over time
    channel = rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0]
    name, handle = _name(rng, job.language)
    cand = Candidate(id=new_id(), org_id=org_id, name=name, email=f"{handle}@example.com", created_at=arrived)
    if channel == "dingtalk_import":
        cand.external_source, cand.external_id = "dingtalk", f"demo-{j}-{i}"
    rows.append(cand)
    if channel in ("upload", "bulk_import", "dingtalk_import"):
        skills = [s for s in job.must + job.nice if rng.random() < _sigmoid(1.4 * ability)]
        skills += rng.sample(["Excel", "Photoshop", "Public speaking", "Project management"], 2)
        profile = ResumeProfile(language=job.language, name=Sourced(name, name),
                                skills=[Sourced(s, s) for s in skills], text="\n".join([name, *skills]))
        rows.append(Resume(org_id=org_id, job_id=job.job_id, candidate_id=cand.id, filename=f"{handle}.pdf",
                           content_type="application/pdf", size=40_000 + rng.randrange(60_000),
                           profile=PROFILE.dump_python(profile, mode="json"), created_at=arrived))
        run = runs.get({"bulk_import": "zip", "dingtalk_import": "dingtalk"}.get(channel, ""))
        if run is not None:
            rows.append(CandidateImportItem(import_id=run.id, position=positions[run.source], status="created",
                                            filename=f"{handle}.pdf" if run.source == "zip" else f"demo-{j}-{i}",
                                            candidate_id=cand.id, name=name, updated_at=arrived))
            positions[run.source] += 1
    if rng.random() > 0.88:  # not invited (yet)
        return rows
    invited = arrived + timedelta(days=rng.uniform(0.5, min(4, days_ago - 1)))
    iv = Interview(id=new_id(), org_id=org_id, job_id=job.job_id, candidate_id=cand.id, plan_id=job.plan_id,
                   language=job.language, created_at=invited, status="created")
    rows.append(iv)
    invite_by = {"dingtalk_invitation": "dingtalk", "link": None}.get(channel, "email")
    if invite_by:
        rows.append(Invitation(interview_id=iv.id, channel=invite_by, recipient=cand.email if invite_by == "email"
                               else f"dt-{handle}", language=job.language, status="sent", attempts=1,
                               created_at=invited, sent_at=invited))
    if rng.random() > 0.86 or (now - invited).days < 1:  # did not take it (yet)
        return rows
    started = invited + timedelta(hours=rng.uniform(2, 60))
    ended = started + timedelta(minutes=rng.uniform(12, 25))
    if ended > now:  # nothing in the history happens after today
        return rows
    iv.status, iv.started_at, iv.ended_at, iv.question_index = "finished", started, ended, len(job.competencies)
    skill = {c: 0.75 * ability + rng.gauss(0, 0.65) for c in job.competencies}  # per competency, hidden
    ai = {}
    for q, comp in enumerate(job.competencies):
        ai[comp] = round(_clip(3.1 + 0.9 * skill[comp] + rng.gauss(0, 0.45)), 1)
        rows.append(AnswerScore(interview_id=iv.id, turn_index=q, question_index=q, competency=comp, score=ai[comp],
                                confidence=round(rng.uniform(0.6, 0.95), 2), level="", evidence=[], uncertain=[],
                                created_at=ended))
    if rng.random() < 0.75:  # two people rate most interviews
        for rater in job.raters:
            at = min(ended + timedelta(hours=rng.uniform(4, 72)), now)
            for comp in job.competencies:
                rows.append(HumanReview(interview_id=iv.id, reviewer_id=rater, competency=comp, created_at=at,
                                        score=float(round(_clip(3.0 + 0.9 * skill[comp] + rng.gauss(0, 0.6)))),
                                        comment=""))
    standing = sum(ai.values()) / len(ai) + rng.gauss(0, 0.35)
    decided = ended + timedelta(days=rng.uniform(1, 6))
    if decided > now:
        return rows
    decision = "hired" if standing >= 3.3 else "advanced" if standing >= 3.0 else "rejected"
    outcome = CandidateOutcome(org_id=org_id, job_id=job.job_id, candidate_id=cand.id, interview_id=iv.id,
                               decision=decision,
                               decided_at=decided, decided_by=job.raters[0], updated_at=decided, source="api")
    rows.append(outcome)
    months = min(6, (now - decided).days // 30)
    if decision == "hired" and months >= 1:
        signal = sum((1.0 if c == job.drives_performance else 0.15) * skill[c] for c in job.competencies)
        outcome.performance_rating = float(round(_clip(2.6 + 1.1 * signal + rng.gauss(0, 0.4))))
        outcome.performance_months = months
        outcome.performance_date = (decided + timedelta(days=30 * months)).date()
        outcome.updated_at = decided + timedelta(days=30 * months)
    return rows


async def has_history(db: Database, org_id: str) -> bool:
    """Whether the organisation already has recorded outcomes (the history was seeded, or real ones were made)."""
    async with db.session() as s:
        return (await s.execute(select(CandidateOutcome.id).where(CandidateOutcome.org_id == org_id)
                                .limit(1))).first() is not None


async def seed_history(db: Database, org_id: str, jobs: list[DemoJobHistory], now: datetime) -> int:
    """Write the history in one transaction; returns the number of candidates."""
    rows = history_rows(org_id, jobs, now)
    async with db.transaction() as s:
        for kind in INSERT_ORDER:  # referenced rows first (the rows name each other by id only)
            s.add_all([r for r in rows if type(r) is kind])
            await s.flush()
        await keep_figures(s, [r.id for r in rows if type(r) is Interview])  # the HR list's AI score and rating
    return sum(isinstance(r, Candidate) for r in rows)
