"""A realistic HR workload in one database, for the HTTP load benchmark (benchmarks/api_load.py).

One organisation with ``jobs`` jobs (six questions on four competencies each) and ``interviews`` interviews spread
over the last 90 days: most finished with a full record (turns, transcript segments with word timings, the
timeline events the live interview keeps, one AI score per answer, a few proctoring flags and human ratings), the
rest created, scheduled, live or failed. ``users`` HR users of every role (10 % admins, 50 % recruiters, 25 %
hiring managers, 15 % observers), all with one password and each already logged in once (a session token, as if
their browser kept its cookie): recruiters and hiring managers are responsible for three jobs each, observers are
invited to twenty interviews each.

Rows are written in bulk through the data model, so encrypted columns are encrypted as the server writes them
(the caller installs the same data keys as the server's, ``server/compliance/crypto.py``). Text is generated, never
copied from any data set.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert

from server.http.auth import hash_password
from server.http.sessions import token_hash
from server.storage.models import (AnswerScore, Candidate, Event, HumanReview, Interview, InterviewObserver, JobMember,
                                   TranscriptSegment, Turn, new_id)
from server.storage.store import Store

PASSWORD = "bench password 1"
COMPETENCIES = ("ownership", "communication", "problem_solving", "results")
QUESTIONS = [
    {"text": "Tell me about a project you owned from start to finish.", "competency": "ownership"},
    {"text": "How did you explain a hard technical decision to people outside your team?", "competency": "communication"},
    {"text": "Describe the hardest problem you solved last year.", "competency": "problem_solving"},
    {"text": "What result are you most proud of, in numbers?", "competency": "results"},
    {"text": "When did you change your mind because of someone else's argument?", "competency": "communication"},
    {"text": "How did you recover a project that was running late?", "competency": "ownership"},
]
FIRST = ("Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn", "王", "李", "张")
LAST = ("Chen", "Smith", "Garcia", "Kim", "Novak", "Silva", "Ito", "Okafor", "Berg", "Rossi", "伟", "娜", "敏")
WORDS = ("we", "migrated", "the", "billing", "service", "and", "I", "led", "a", "team", "of", "five", "people",
         "latency", "dropped", "by", "forty", "percent", "after", "three", "months", "of", "work", "customers")
BATCH = 2000  # rows per INSERT batch


@dataclass
class Seeded:
    org_id: str
    users: dict[str, list[str]] = field(default_factory=dict)  # role -> e-mails
    logins: dict[str, str] = field(default_factory=dict)  # e-mail -> a session token (logged in already)
    jobs: int = 0
    interviews: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _status(rng: random.Random) -> str:
    r = rng.random()
    return ("finished" if r < 0.55 else "failed" if r < 0.60 else "live" if r < 0.63
            else "consented" if r < 0.70 else "created")


async def _insert(store: Store, model, rows: list[dict]) -> None:
    for i in range(0, len(rows), BATCH):
        async with store.db.transaction() as s:
            await s.execute(insert(model), rows[i:i + BATCH])


async def seed(store: Store, *, jobs: int = 30, interviews: int = 3000, users: int = 200, events_per_turn: int = 14,
               seed_value: int = 7) -> Seeded:
    """Fill an empty, migrated database; returns who can log in (e-mail by role) and what was written."""
    rng = random.Random(seed_value)
    now = datetime.now(timezone.utc)
    org = await store.accounts.create_org("Bench Co")
    out = Seeded(org.id)
    pw = hash_password(PASSWORD)  # one hash for everyone: seeding does not spend minutes in Argon2
    shares = (("admin", 0.10), ("recruiter", 0.50), ("hiring_manager", 0.25), ("observer", 0.15))
    roles = [role for role, share in shares for _ in range(max(1, round(users * share)))][:users]
    user_ids: dict[str, list[str]] = {}
    for n, role in enumerate(roles):
        email = f"u{n:03d}-{role}@bench.test"
        u = await store.accounts.create_user(org.id, email, pw, role=role)
        out.users.setdefault(role, []).append(email)
        out.logins[email] = secrets.token_urlsafe(32)
        await store.login_sessions.add(token_hash(out.logins[email]), u.id, now, "127.0.0.1")
        user_ids.setdefault(role, []).append(u.id)
    job_rows = []
    for j in range(jobs):
        job = await store.jobs.create(org.id, f"Engineer {j:02d}", "Builds things", "en" if j % 3 else "zh", QUESTIONS)
        plan_id = await store.jobs.latest_plan_id(job.id)
        questions = await store.jobs.plan_questions(plan_id)
        job_rows.append((job.id, plan_id, questions))
    members = []
    for n, uid in enumerate(user_ids.get("recruiter", []) + user_ids.get("hiring_manager", [])):
        for k in range(3):
            members.append({"job_id": job_rows[(n * 3 + k) % jobs][0], "user_id": uid, "org_id": org.id,
                            "assigned_at": now})
    await _insert(store, JobMember, members)

    rows: dict[type, list[dict]] = {m: [] for m in (Candidate, Interview, Turn, TranscriptSegment, Event,
                                                    AnswerScore, HumanReview)}
    reviewers = user_ids.get("recruiter", []) + user_ids.get("hiring_manager", []) or [user_ids[roles[0]][0]]
    interview_ids = []
    for i in range(interviews):
        job_id, plan_id, questions = job_rows[i % jobs]
        cand_id, iv_id = new_id(), new_id()
        interview_ids.append(iv_id)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
        created = now - timedelta(days=rng.uniform(0, 90))
        status = _status(rng)
        scheduled = created + timedelta(days=rng.uniform(1, 5)) if rng.random() < 0.4 else None
        started = (scheduled or created + timedelta(hours=rng.uniform(1, 48))) if status in ("finished", "failed",
                                                                                              "live") else None
        ended = started + timedelta(minutes=rng.uniform(15, 30)) if started and status != "live" else None
        rows[Candidate].append({"id": cand_id, "org_id": org.id, "name": name, "email": f"cand{i}@mail.test",
                                "created_at": created, "legal_hold_reason": ""})
        rows[Interview].append({"id": iv_id, "org_id": org.id, "job_id": job_id, "candidate_id": cand_id,
                                "plan_id": plan_id, "language": "en", "status": status, "link_nonce": new_id(),
                                "created_at": created, "started_at": started, "ended_at": ended,
                                "scheduled_at": scheduled, "schedule_status": "booked" if scheduled else "unscheduled",
                                "question_index": len(questions) if status == "finished" else 0})
        if status != "finished":
            continue
        _record(rng, rows, iv_id, questions, events_per_turn, started, reviewers)
    for model in (Candidate, Interview, Turn, TranscriptSegment, Event, AnswerScore, HumanReview):
        await _insert(store, model, rows[model])
        out.rows[model.__tablename__] = len(rows[model])
    observers = [{"interview_id": interview_ids[(n * 20 + k) % len(interview_ids)], "user_id": uid,
                  "org_id": org.id, "invited_at": now}
                 for n, uid in enumerate(user_ids.get("observer", [])) for k in range(20)] if interview_ids else []
    await _insert(store, InterviewObserver, observers)
    out.jobs, out.interviews = jobs, interviews
    return out


def _record(rng: random.Random, rows: dict[type, list[dict]], iv_id: str, questions, events_per_turn: int,
            started: datetime, reviewers: list[str]) -> None:
    """A finished interview's record: one turn per question with its words, events, score; flags; ratings."""
    t_ms = 0
    seq = 0
    for idx, q in enumerate(questions):
        answer = _sentence(rng, 40)
        asked = started + timedelta(milliseconds=t_ms)
        rows[Turn].append({"id": new_id(), "interview_id": iv_id, "index": idx, "question_index": idx,
                           "question_id": q.id, "kind": "question", "question_text": q.text, "answer_text": answer,
                           "asked_at": asked, "answer_ended_at": asked + timedelta(seconds=40),
                           "end_reason": "silence", "trigger": "", "reason": ""})
        for part in range(3):
            words = [{"text": w, "start_ms": t_ms + k * 300, "end_ms": t_ms + k * 300 + 250}
                     for k, w in enumerate(_sentence(rng, 12).split())]
            rows[TranscriptSegment].append({
                "id": new_id(), "interview_id": iv_id, "turn_index": idx, "seq": seq, "connection_id": "c",
                "text": " ".join(w["text"] for w in words), "start_ms": t_ms, "end_ms": t_ms + 3600,
                "words": words, "engine": "whisper-tiny.en"})
            seq += 1
            t_ms += 4000
        score = rng.choice((1.0, 2.0, 3.0, 3.0, 4.0, 4.0, 5.0))
        rows[AnswerScore].append({
            "id": new_id(), "interview_id": iv_id, "turn_index": idx, "question_index": idx,
            "competency": q.competency, "score": score, "confidence": round(rng.uniform(0.4, 0.95), 2),
            "level": "Gives a concrete example with a result", "scored_by": "rules",
            "evidence": [{"feature": "quantified_result", "quote": answer[:60], "effect": "+", "note": "a number"}],
            "uncertain": [], "created_at": asked + timedelta(seconds=41)})
        events = [("question.asked", {"turn_index": idx, "question_index": idx, "text": q.text, "kind": "question"}),
                  ("answer.ended", {"turn_index": idx, "text": answer, "reason": "silence"}),
                  ("answer.summary", {"turn_index": idx, "question": q.text,
                                      "content": {"relevance": 0.8, "coverage": 0.6, "star": 0.5, "length": 40},
                                      "content_quotes": {"result": answer[:50]}, "voice": {"rate_wpm": 140},
                                      "nonverbal": {"face": {"present": 0.98}}, "nonverbal_weight": 0}),
                  ("answer.scored", {"turn_index": idx, "competency": q.competency, "score": score})]
        while len(events) < events_per_turn:
            events.append(("transcript.final", {"turn_index": idx, "seq": seq, "text": _sentence(rng, 12),
                                                "start_ms": t_ms, "end_ms": t_ms + 3000, "words": []}))
        for kind, payload in events:
            rows[Event].append({"interview_id": iv_id, "type": kind, "payload": {"type": kind, **payload},
                                "at": asked})
    for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3))):
        rows[Event].append({"interview_id": iv_id, "type": "flag.raised", "at": started,
                            "payload": {"type": "flag.raised", "analyzer": "face", "kind": "looking_away",
                                        "since_ms": rng.randint(0, t_ms), "detail": "looked away for 6 s"}})
    for _ in range(rng.choice((0, 0, 1, 2))):
        rows[HumanReview].append({"id": new_id(), "interview_id": iv_id, "reviewer_id": rng.choice(reviewers),
                                  "competency": rng.choice(COMPETENCIES), "score": float(rng.randint(1, 5)),
                                  "comment": "Clear example", "created_at": started + timedelta(days=1)})
