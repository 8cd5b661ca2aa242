"""Cost of the data-protection paths: the audit record written before every read of personal data, and the
retention sweep's hard deletion. Prints ONE JSON object.

    python -m benchmarks.data_protection [--candidates 300] [--reads 400] [--postgres postgresql+asyncpg://...]

For each database (a temporary SQLite file; PostgreSQL too when ``--postgres`` names an empty database):
* ``audit_record_ms``: ``AuditRepository.record_read`` wall time per call, p50/p95, for a first read (new row with its
  candidates) and for a repeat inside the coalescing window (the HR page's 5-s list refresh), with ``list_size``
  candidates disclosed per read;
* ``encryption_us``: AES-256-GCM encrypt and decrypt of one stored value (``server/compliance/crypto.py``), p50, for a
  transcript segment (~120 characters) and a parsed resume (~6 KB of JSON);
* ``sweep``: one retention sweep over ``--candidates`` candidates whose period is over, each with one finished
  interview holding a transcript, a timeline event and a score: seconds in all and ms per candidate (the interview
  content deletion and the candidate erasure both run, as in the server).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import update  # noqa: E402

from server.compliance.crypto import KEYRING, Keyring, key_id_for, new_key  # noqa: E402
from server.compliance.retention import Periods, RetentionSweeper  # noqa: E402
from server.platform.settings import Settings  # noqa: E402
from server.storage.models import Candidate, Interview, utcnow  # noqa: E402
from server.storage.store import Store  # noqa: E402


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))], 2)


async def run(url: str, n_candidates: int, n_reads: int, list_size: int) -> dict:
    store = Store(url)
    await store.migrate()
    try:
        org = await store.accounts.create_org("Bench")
        job = await store.jobs.create(org.id, "Engineer", "", "en", [{"text": "Tell me about a project."}])
        user = await store.accounts.create_user(org.id, "hr@bench.test", "x", role="hr")
        ids = []
        old = utcnow() - timedelta(days=400)
        for i in range(n_candidates):
            iv = await store.interviews.create(org.id, job.id, f"Person {i}", f"p{i}@example.com", "en")
            q = (await store.jobs.plan_questions(iv.plan_id))[0]
            await store.records.add_turn(iv.id, 0, 0, q.id, "question", q.text)
            await store.records.add_segment(iv.id, 0, "I led the migration and we cut costs by half", 0, 3000, [], "w", "c")
            await store.records.end_turn(iv.id, 0, "I led the migration and we cut costs by half", "silence")
            await store.records.add_event(iv.id, "answer.ended", {"turn_index": 0})
            await store.records.add_score(iv.id, 0, 0, "ownership", 4.0, 0.8, "", [{"quote": "cut costs by half"}], [])
            await store.interviews.update(iv.id, status="finished", ended_at=old)
            ids.append((iv.id, iv.candidate_id))
        async with store.db.sessions.begin() as s:
            await s.execute(update(Interview).where(Interview.org_id == org.id).values(created_at=old))
            await s.execute(update(Candidate).where(Candidate.org_id == org.id).values(created_at=old))

        first, repeat = [], []
        for i in range(n_reads):
            shown = [c for _, c in ids[(i * 7) % max(1, len(ids) - list_size):][:list_size]]
            t0 = time.perf_counter()
            await store.audit.record_read(org.id, user.id, user.email, "interviews.list", "org", f"s{i}", shown,
                                          "127.0.0.1", utcnow(), 900)
            first.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            await store.audit.record_read(org.id, user.id, user.email, "interviews.list", "org", f"s{i}", shown,
                                          "127.0.0.1", utcnow(), 900)
            repeat.append((time.perf_counter() - t0) * 1000)

        t0 = time.perf_counter()
        defaults = Settings()
        sweeper = RetentionSweeper(store.retention, store.accounts,
                                   Periods(defaults.retention_interview_content_days, defaults.retention_candidate_days,
                                           is_default=True), defaults.retention_sweep_s, utcnow,
                                   is_open=lambda _interview_id: False)
        done = await sweeper.sweep_org(org.id)
        sweep_s = time.perf_counter() - t0
        return {
            "audit_record_ms": {"list_size": list_size, "reads": n_reads,
                                "new_row": {"p50": pct(first, 50), "p95": pct(first, 95)},
                                "coalesced_repeat": {"p50": pct(repeat, 50), "p95": pct(repeat, 95)}},
            "sweep": {**done, "seconds": round(sweep_s, 2),
                      "ms_per_candidate": round(sweep_s * 1000 / max(1, done["candidates_deleted"]), 1)},
        }
    finally:
        await store.close()


def encryption_cost() -> dict:
    ring = Keyring()
    key = new_key()
    ring.add({key_id_for(key): key}, key_id_for(key))
    segment = "我们把结账延迟降低了百分之四十, and then I rewrote the slowest queries myself. " * 2
    resume = json.dumps({"text": "Backend engineer, 8 years of Python and Kubernetes. " * 100,
                         "skills": [{"value": f"skill {i}", "source": "line"} for i in range(40)]})
    out = {}
    for name, value in (("transcript_segment", segment), ("resume_profile", resume)):
        enc, dec = [], []
        for _ in range(2000):
            t0 = time.perf_counter()
            token = ring.encrypt(value, "c")
            t1 = time.perf_counter()
            ring.decrypt(token, "c")
            enc.append((t1 - t0) * 1e6)
            dec.append((time.perf_counter() - t1) * 1e6)
        out[name] = {"chars": len(value), "encrypt_p50": round(statistics.median(enc), 1),
                     "decrypt_p50": round(statistics.median(dec), 1)}
    return out


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=300)
    ap.add_argument("--reads", type=int, default=400)
    ap.add_argument("--list-size", type=int, default=25, help="candidates disclosed per read")
    ap.add_argument("--postgres", help="SQLAlchemy URL of an empty PostgreSQL database to measure too")
    args = ap.parse_args()
    key = new_key()  # the stores below encrypt as the server's do
    KEYRING.add({key_id_for(key): key}, key_id_for(key))
    out: dict = {"benchmark": "data_protection", "cpu_count": os.cpu_count(), "python": platform.python_version(),
                 "encryption_us": encryption_cost()}
    with tempfile.TemporaryDirectory() as tmp:
        out["sqlite"] = await run(f"sqlite+aiosqlite:///{tmp}/bench.db", args.candidates, args.reads, args.list_size)
    if args.postgres:
        out["postgresql"] = await run(args.postgres, args.candidates, args.reads, args.list_size)
    out["load_average_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    asyncio.run(main())
