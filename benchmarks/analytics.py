"""HR analytics on a large organisation: seconds per analytic and the event loop's lag meanwhile; prints ONE JSON
object.

    python -m benchmarks.analytics [--candidates 5000] [--jobs 3] [--database-url URL] [--bootstrap 1000]

The organisation is the demo's history generator (server/platform/demo_history.py) at ``--candidates`` per job,
written to a fresh SQLite file (or the given database, which must be empty). Then, with the loop-lag monitor
running, it computes the organisation-wide funnel and, for the first job, rater agreement and validity, as the
routes do. ``loop_lag_ms`` shows whether the work stayed off the event loop (the queries' row handling is on it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.compliance.crypto import KEYRING  # noqa: E402
from server.platform.demo import DEMO_HISTORY, DEMO_JOBS  # noqa: E402
from server.platform.demo_history import DemoJobHistory, seed_history  # noqa: E402
from server.platform.loop_monitor import LoopLagMonitor  # noqa: E402
from server.reports import analytics as an  # noqa: E402
from server.storage.store import Store  # noqa: E402


async def run(args: argparse.Namespace, url: str) -> dict:
    if not KEYRING.keys:
        KEYRING.add({"bench": os.urandom(32)}, "bench")
    store = Store(url)
    await store.migrate()
    org = await store.accounts.create_org("Bench")
    raters = [(await store.accounts.create_user(org.id, f"r{i}@bench.test", "x")).id for i in range(2)]
    jobs, history = [], []
    for i in range(args.jobs):
        spec = DEMO_JOBS[i % len(DEMO_JOBS)]
        job = await store.jobs.create(org.id, spec["title"], "", spec["language"], spec["questions"])
        _, must, nice, drives, _ = DEMO_HISTORY[i % len(DEMO_HISTORY)]
        history.append(DemoJobHistory(job.id, await store.jobs.latest_plan_id(job.id), spec["language"],
                                      [q["competency"] for q in spec["questions"]], args.candidates, must, nice,
                                      drives, (raters[0], raters[1])))
        jobs.append(job)
    t0 = time.perf_counter()
    await seed_history(store.db, org.id, history, datetime.now(timezone.utc))
    seeded_s = time.perf_counter() - t0
    cfg = an.AnalyticsConfig(args.bootstrap, 5, 10, 30)
    monitor = LoopLagMonitor(interval_s=0.01)
    monitor.start()
    timings = {}
    t0 = time.perf_counter()
    funnel = await an.funnel_report(store.analytics, [j.id for j in jobs])
    timings["funnel_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    consistency = await an.consistency_report(store.analytics, jobs[0].id, cfg)
    timings["consistency_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    competencies = [q["competency"] for q in DEMO_JOBS[0]["questions"]]
    data = await an.validity_data(store.analytics, store.jobs.interview_weights, jobs[0].id, competencies, {})
    validity = await an.validity_report(data, cfg)
    timings["validity_s"] = time.perf_counter() - t0
    await monitor.stop()
    await store.close()
    return {"benchmark": "analytics", "jobs": args.jobs, "candidates_per_job": args.candidates,
            "candidates": funnel["total"]["stages"][0]["n"], "bootstrap_samples": args.bootstrap,
            "seed_s": round(seeded_s, 2), **{k: round(v, 3) for k, v in timings.items()},
            "agreement_subjects": consistency["competencies"][-1]["ai_vs_human"]["n"] if consistency["competencies"]
            else 0, "rated_hires": validity["rated_hires"], "loop_lag_ms": monitor.summary(),
            "engine": url.split(":", 1)[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=5000, help="candidates per job")
    parser.add_argument("--jobs", type=int, default=3)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--database-url", default=None, help="an empty database (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        print(json.dumps(asyncio.run(run(args, url))))


if __name__ == "__main__":
    main()
