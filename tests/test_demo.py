"""The quick-start demo organisation: six months of history behind its jobs, the same every time, seeded once, and
enough of it that every HR analytic has figures to show (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select, update

from server.platform.demo import DEMO_EMAIL, seed_demo
from server.platform.demo_history import SEED, DemoJobHistory, history_rows
from server.reports.interview_report import build_report
from server.reports.overall_score import overall_human_rating
from server.storage.models import AnswerScore, Candidate, CandidateOutcome, HumanReview, Interview
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


async def _listed(admin) -> list[dict]:
    """Every interview of the HR list, page by page."""
    rows: list[dict] = []
    while True:
        async with admin.get("/api/v1/interviews", params={"limit": "100", "offset": str(len(rows))}) as r:
            page = await r.json()
        rows += page["interviews"]
        if len(rows) >= page["total"]:
            return rows


async def test_the_demo_interviews_list_their_scores_and_ratings(db_url, tmp_path):
    """The HR list shows each finished demo interview's overall AI score and human rating, the figures of its
    report; a demo database seeded before they were kept gets them on the next start."""
    async with running_server(db_url, tmp_path, seed=False) as h:
        store = h.ctx.store
        info = await _seed(h)
        async with h.hr_client(DEMO_EMAIL, info.password) as admin:
            rows = await _listed(admin)
            finished = [r for r in rows if r["status"] == "finished"]
            assert len(finished) >= 60 and all(r["ai_score"] is not None for r in finished)
            rated = [r for r in finished if r["human_rating"] is not None]
            assert len(finished) / 2 < len(rated) < len(finished)  # most are rated, not all
            for row in finished[:: len(finished) // 8]:  # the list's figures are the report's
                report = await build_report(store.interviews, store.records, store.jobs, row["id"])
                assert row["ai_score"] == report["overall_ai_score"], row["candidate_name"]
                ratings = [(c["competency"], h_["score"]) for c in report["competencies"] for h_ in c["human"]]
                expected = overall_human_rating(ratings)
                assert row["human_rating"] == (None if expected is None else round(expected, 2))
            # a database whose demo history was stored without the figures: filled in at the next start
            async with store.db.transaction() as s:
                await s.execute(update(Interview).values(ai_score=None, human_rating=None))
            await _seed(h)
            again = {r["id"]: r for r in await _listed(admin)}
            assert all((again[r["id"]]["ai_score"], again[r["id"]]["human_rating"]) ==
                       (r["ai_score"], r["human_rating"]) for r in finished)


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


def test_nothing_in_the_demo_history_happens_after_today():
    """A recruiter reading the demo sees no interview, rating or decision dated tomorrow."""
    jobs = [DemoJobHistory(f"job{i}", f"plan{i}", "en", ["a", "b"], 60, ["Python"], ["Go"], "a", ("u1", "u2"))
            for i in range(3)]
    now = datetime(2026, 6, 1, tzinfo=timezone.utc)
    late = []
    for row in history_rows("org", jobs, now):
        for field in ("created_at", "updated_at", "started_at", "ended_at", "sent_at", "decided_at", "finished_at"):
            at = getattr(row, field, None)
            if at is not None and at > now:
                late.append((type(row).__name__, field, at))
    assert late == []


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
