"""The quick-start demo organisation: six months of history behind its jobs, the same every time, seeded once, and
enough of it that every HR analytic has figures to show (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from server.platform.demo import DEMO_EMAIL, seed_demo
from server.platform.demo_history import SEED, DemoJobHistory, history_rows
from server.storage.models import AnswerScore, Candidate, CandidateOutcome, HumanReview
from tests.harness import running_server

pytestmark = pytest.mark.unit
CHANNELS = {"upload", "bulk_import", "dingtalk_import", "email_invitation", "dingtalk_invitation", "link"}


async def _seed(h):
    store = h.ctx.store
    return await seed_demo(store.accounts, store.jobs, store.interviews, store.assignments, h.settings, db=store.db)


async def _count(store, model) -> int:
    async with store.db.session() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def test_demo_history_fills_every_analytic(db_url, tmp_path):
    async with running_server(db_url, tmp_path, seed=False, analytics_bootstrap_samples=200) as h:
        store = h.ctx.store
        info = await _seed(h)
        candidates, outcomes = await _count(store, Candidate), await _count(store, CandidateOutcome)
        await _seed(h)  # a restart: one more candidate interview, no second history
        assert (await _count(store, Candidate), await _count(store, CandidateOutcome)) == (candidates + 1, outcomes)
        assert candidates >= 60 and await _count(store, HumanReview) > 2 * await _count(store, AnswerScore) / 3
        async with h.hr_client(DEMO_EMAIL, info.password) as admin:
            async with admin.get("/api/v1/jobs") as r:
                jobs = (await r.json())["jobs"]
            assert len(jobs) >= 3
            async with admin.get("/api/v1/analytics/funnel") as r:
                funnel = await r.json()
            assert {c["channel"] for c in funnel["channels"]} == CHANNELS
            assert all(c["stages"][0]["n"] > 0 for c in funnel["channels"])
            assert all(s["n"] > 0 for s in funnel["total"]["stages"])
            suggested = 0
            for job in jobs:
                async with admin.get(f"/api/v1/jobs/{job['id']}/analytics/consistency") as r:
                    consistency = (await r.json())["competencies"]
                assert consistency and all(c["ai_vs_human"]["icc"]["value"] is not None and
                                           c["human_vs_human"]["kappa"]["ci_low"] is not None for c in consistency)
                async with admin.get(f"/api/v1/jobs/{job['id']}/analytics/validity") as r:
                    validity = await r.json()
                assert validity["rated_hires"] >= 5 and validity["outcomes"]["hired"] >= 5
                assert all(c["correlation"]["r"] is not None for c in validity["competencies"])
                suggested += validity["suggestion"] is not None
                async with admin.get(f"/api/v1/jobs/{job['id']}/outcomes") as r:
                    assert len((await r.json())["outcomes"]) >= 10
            assert suggested >= 1


def test_demo_history_is_the_same_every_time():
    jobs = [DemoJobHistory(f"job{i}", f"plan{i}", "en", ["a", "b"], 30, ["Python"], ["Go"], "a", ("u1", "u2"))
            for i in range(2)]

    def facts(rows) -> list[tuple]:
        return [(type(r).__name__, *(getattr(r, k, None) for k in ("name", "competency", "score", "decision",
                                                                    "performance_rating", "channel", "profile")))
                for r in rows]

    now = datetime(2026, 6, 1, tzinfo=timezone.utc)
    assert facts(history_rows("org", jobs, now)) == facts(history_rows("org", jobs, now))
    assert facts(history_rows("org", jobs, now)) != facts(history_rows("org", jobs, now, seed=SEED + 1))


@pytest.mark.models
async def test_demo_match_scores_spread_over_the_months(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path, seed=False) as h:
        info = await _seed(h)
        async with h.hr_client(DEMO_EMAIL, info.password) as admin:
            async with admin.get("/api/v1/jobs") as r:
                job = (await r.json())["jobs"][0]
            async with admin.get(f"/api/v1/jobs/{job['id']}/analytics/match-scores") as r:
                report = await r.json()
        assert report["n"] >= 30 and len(report["trend"]) >= 6
        assert sum(1 for b in report["bins"] if b["n"]) >= 5  # spread, not all alike
