"""The HR interview list (GET /api/v1/interviews): sorted, filtered, searched and paged by the server on SQLite and
PostgreSQL, showing each user only what they are responsible for, with the figures HR compares (overall AI score,
human rating, flags) kept right as scores, ratings and flags arrive; and the figures of interviews stored before
they existed, computed by the upgrade."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text

from server.http.auth import hash_password
from server.reports.interview_report import build_report
from server.storage.interview_list import ListQuery
from server.storage.migrate import move_schema
from server.storage.store import Store
from tests.harness import running_server
from tests.old_schema import insert_first_schema_interview

pytestmark = pytest.mark.unit

PASSWORD = "list password 1"
T0 = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)


async def _interview(store, org_id: str, job_id: str, name: str, email: str, day: int, status: str = "created",
                     scheduled_day: int | None = None, ended_day: int | None = None) -> str:
    iv = await store.interviews.create(org_id, job_id, name, email, "en")
    await store.interviews.update(iv.id, created_at=T0 + timedelta(days=day), status=status,
                                  scheduled_at=T0 + timedelta(days=scheduled_day) if scheduled_day is not None else None,
                                  ended_at=T0 + timedelta(days=ended_day) if ended_day is not None else None)
    return iv.id


async def _world(h) -> dict:
    """Job A (the harness recruiter's) with five interviews, job B (nobody's) with two; a hiring manager of job
    A, an observer of one interview, an admin."""
    store = h.ctx.store
    ids = {}
    for role in ("admin", "hiring_manager", "observer"):
        ids[role] = (await store.accounts.create_user(h.org_id, f"{role}@acme.test", hash_password(PASSWORD),
                                                      role=role)).id
    await store.assignments.assign_job(h.org_id, h.job_id, ids["hiring_manager"], None)
    job_b = await store.jobs.create(h.org_id, "Accountant", "", "en", [{"text": "Q?", "competency": "ownership"}])
    a = h.job_id
    iv = {
        "ada": await _interview(store, h.org_id, a, "Ada Lovelace", "ada@math.test", 1, "finished", 2, 3),
        "bo": await _interview(store, h.org_id, a, "Bo 王", "bo@corp.test", 2, "finished", None, 4),
        "cy": await _interview(store, h.org_id, a, "Cy 100%_sure", "cy@corp.test", 3, "live", 5),
        "di": await _interview(store, h.org_id, a, "Di Stone", "di@corp.test", 4),
        "ed": await _interview(store, h.org_id, a, "Ed Failed", "ed@corp.test", 5, "failed"),
        "fay": await _interview(store, h.org_id, job_b.id, "Fay Other", "fay@corp.test", 6, "finished", None, 7),
        "gus": await _interview(store, h.org_id, job_b.id, "Gus Other", "gus@corp.test", 7),
    }
    await store.assignments.invite_observer(h.org_id, iv["bo"], ids["observer"], None)
    rec = store.records
    # Ada: two competencies, her leadership answer re-scored after a follow-up (the last score counts)
    await rec.add_score(iv["ada"], 0, 0, "leadership", 2.0, 0.5, "", [], [])
    await rec.add_score(iv["ada"], 1, 0, "leadership", 4.0, 1.0, "", [], [])
    await rec.add_score(iv["ada"], 2, 1, "results", 5.0, 0.8, "", [], [])
    await rec.add_score(iv["bo"], 0, 0, "leadership", 2.0, 0.9, "", [], [])
    await rec.add_score(iv["bo"], 0, 0, "leadership", 3.0, 0.9, "", [], [])  # the model's refinement replaces it
    await rec.add_score(iv["fay"], 0, 0, "ownership", 5.0, 0.9, "", [], [])
    await rec.add_review(iv["ada"], h.hr_user_id, "leadership", 4.0, "")
    await rec.add_review(iv["ada"], ids["hiring_manager"], "leadership", 2.0, "")
    await rec.add_review(iv["ada"], h.hr_user_id, "results", 5.0, "")
    for _ in range(2):
        await rec.add_event(iv["bo"], "flag.raised", {"kind": "looking_away", "since_ms": 100, "analyzer": "face"})
    await rec.add_event(iv["fay"], "flag.raised", {"kind": "no_face", "since_ms": 100, "analyzer": "face"})
    await rec.add_event(iv["ada"], "answer.summary", {"turn_index": 0, "content": {}})  # not a flag
    return {"iv": iv, "users": ids, "job_b": job_b.id}


async def _login(h, email: str) -> aiohttp.ClientSession:
    http = aiohttp.ClientSession(h.base_url, cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}) as r:
        assert r.status == 200, await r.text()
    return http


async def _list(http: aiohttp.ClientSession, **query) -> dict:
    params = [(k, str(x)) for k, v in query.items() for x in (v if isinstance(v, list) else [v])]
    async with http.get("/api/v1/interviews", params=params) as r:
        body = await r.json()
        assert r.status == 200, body
        return body


def _names(page: dict) -> list[str]:
    return [row["candidate_name"].split()[0] for row in page["interviews"]]


async def test_the_list_sorts_filters_searches_and_pages_on_the_server(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        w = await _world(h)
        admin = await _login(h, "admin@acme.test")
        try:
            everyone = await _list(admin)  # the v1 answer: every row, newest first
            assert everyone["total"] == 7 and everyone["limit"] is None
            assert _names(everyone) == ["Gus", "Fay", "Ed", "Di", "Cy", "Bo", "Ada"]
            ada = next(r for r in everyone["interviews"] if r["id"] == w["iv"]["ada"])
            # Ada: leadership 4.0 (the re-scored answer), results 5.0 -> 4.5; people: leadership (4+2)/2, results 5
            assert ada["ai_score"] == 4.5 and ada["human_rating"] == 4.0 and ada["flags"] == 0
            assert ada["candidate_email"] == "ada@math.test" and ada["job_title"] == "Engineer"
            assert ada["scheduled_at"].startswith("2026-03-03") and ada["finished_at"].startswith("2026-03-04")
            bo = next(r for r in everyone["interviews"] if r["id"] == w["iv"]["bo"])
            assert bo["ai_score"] == 3.0 and bo["human_rating"] is None and bo["flags"] == 2

            # every column both ways; rows without a value come last either way
            expected = {
                "candidate": ["Ada", "Bo", "Cy", "Di", "Ed", "Fay", "Gus"],
                "job": ["Fay", "Gus", "Ada", "Bo", "Cy", "Di", "Ed"],  # Accountant before Engineer; then created
                "created_at": ["Ada", "Bo", "Cy", "Di", "Ed", "Fay", "Gus"],
                "scheduled_at": ["Ada", "Cy"],
                "finished_at": ["Ada", "Bo", "Fay"],
                "status": ["Di", "Gus", "Cy", "Ada", "Bo", "Fay", "Ed"],  # created, live, finished, failed
                "ai_score": ["Bo", "Ada", "Fay"],
                "human_rating": ["Ada"],
                "flags": ["Ada", "Cy", "Di", "Ed", "Gus", "Fay", "Bo"],
            }
            for sort, ascending in expected.items():
                up = _names(await _list(admin, sort=sort, order="asc"))
                down = _names(await _list(admin, sort=sort, order="desc"))
                assert up[:len(ascending)] == ascending, (sort, up)
                if sort in ("scheduled_at", "finished_at", "ai_score", "human_rating"):  # the rest: no value, last
                    assert down[:len(ascending)] == ascending[::-1], (sort, down)
                    assert set(down[len(ascending):]) == set(up[len(ascending):]), sort
            assert _names(await _list(admin, sort="job", order="desc"))[:2] == ["Ed", "Di"]
            assert _names(await _list(admin, sort="flags", order="desc"))[:2] == ["Bo", "Fay"]

            # filters, each alone and together
            assert _names(await _list(admin, status="finished")) == ["Fay", "Bo", "Ada"]
            assert _names(await _list(admin, status=["live", "failed"])) == ["Ed", "Cy"]
            assert _names(await _list(admin, status="live,failed")) == ["Ed", "Cy"]
            assert _names(await _list(admin, job_id=w["job_b"])) == ["Gus", "Fay"]
            # created: Ada 2 March 09:00, Bo the 3rd, Cy the 4th, Di the 5th ... (UTC)
            assert _names(await _list(admin, date_from="2026-03-03", date_to="2026-03-05")) == ["Di", "Cy", "Bo"]
            assert _names(await _list(admin, date_from="2026-03-03T10:00:00+01:00",
                                      date_to="2026-03-05T09:00:00+00:00")) == ["Cy", "Bo"]  # a moment: before it
            assert _names(await _list(admin, date_field="finished_at", date_to="2026-03-05")) == ["Bo", "Ada"]
            assert _names(await _list(admin, date_field="scheduled_at", date_from="2026-03-04")) == ["Cy"]
            assert _names(await _list(admin, has_flags="true")) == ["Fay", "Bo"]
            assert len((await _list(admin, has_flags="false"))["interviews"]) == 5
            assert _names(await _list(admin, score_min=3.5)) == ["Fay", "Ada"]
            assert _names(await _list(admin, score_min=3, score_max=4.5)) == ["Bo", "Ada"]
            assert _names(await _list(admin, status="finished", has_flags="true", job_id=h.job_id)) == ["Bo"]

            # search: part of the name or e-mail, any case; wildcards are plain characters
            assert _names(await _list(admin, q="LOVE")) == ["Ada"]
            assert _names(await _list(admin, q="王")) == ["Bo"]
            assert _names(await _list(admin, q="math.test")) == ["Ada"]
            assert _names(await _list(admin, q="100%_")) == ["Cy"]
            assert _names(await _list(admin, q="%")) == ["Cy"]
            assert (await _list(admin, q="nobody"))["total"] == 0

            # pages: no row twice or missed, the total on each
            pages = [await _list(admin, sort="candidate", order="asc", limit=3, offset=n) for n in (0, 3, 6)]
            assert [p["total"] for p in pages] == [7, 7, 7] and [len(p["interviews"]) for p in pages] == [3, 3, 1]
            assert sum((_names(p) for p in pages), []) == expected["candidate"]
            assert (await _list(admin, limit=3, offset=9))["interviews"] == []
            filtered = await _list(admin, status="finished", limit=2)
            assert filtered["total"] == 3 and len(filtered["interviews"]) == 2

            for bad in ({"sort": "salary"}, {"order": "up"}, {"status": "hired"}, {"limit": "0"}, {"limit": "201"},
                        {"offset": "-1"}, {"limit": "x"}, {"score_min": "6"}, {"has_flags": "maybe"},
                        {"date_from": "yesterday"}, {"date_from": "2026-03-05T09:00:00"},  # no offset
                        {"date_from": "2026-03-05", "date_to": "2026-03-01"}, {"score_min": "4", "score_max": "2"},
                        {"q": "x" * 101}, {"date_field": "birthday"}):
                async with admin.get("/api/v1/interviews", params=bad) as r:
                    body = await r.json()
                    assert r.status == 400 and body["error"]["code"] == "bad_query", (bad, body)
        finally:
            await admin.close()


async def test_each_role_lists_only_what_it_is_responsible_for_and_the_actions_it_may_take(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        w = await _world(h)
        iv = w["iv"]
        async with h.hr_client() as recruiter:  # job A only, whatever the filter asks for
            mine = await _list(recruiter)
            assert mine["total"] == 5 and set(_names(mine)) == {"Ada", "Bo", "Cy", "Di", "Ed"}
            assert (await _list(recruiter, job_id=w["job_b"]))["total"] == 0
            assert (await _list(recruiter, q="Other"))["total"] == 0
            assert _names(await _list(recruiter, sort="flags", order="desc", limit=1)) == ["Bo"]
            actions = {r["candidate_name"].split()[0]: r["actions"] for r in mine["interviews"]}
            assert actions["Di"] == ["copy_link", "reissue", "revoke"]  # not invited yet: nothing to resend
            assert actions["Ada"] == []  # finished: no new link, no invitation, its link kept (for a review request)
            assert actions["Cy"] == ["copy_link", "reissue", "revoke"]  # live: may still be stopped
            async with recruiter.delete(f"/api/v1/interviews/{iv['di']}/link") as r:
                assert r.status == 204
            di = next(r for r in (await _list(recruiter, q="Di Stone"))["interviews"])
            assert di["link_revoked"] is True and di["actions"] == ["reissue"]
        manager = await _login(h, "hiring_manager@acme.test")
        observer = await _login(h, "observer@acme.test")
        try:
            rows = (await _list(manager))["interviews"]
            assert len(rows) == 5 and all(r["actions"] == [] for r in rows)  # reads and rates, no links
            seen = await _list(observer)
            assert seen["total"] == 1 and _names(seen) == ["Bo"] and seen["interviews"][0]["actions"] == []
            assert (await _list(observer, status="created"))["total"] == 0
        finally:
            await manager.close()
            await observer.close()


async def test_a_page_records_the_candidates_it_shows(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        w = await _world(h)
        admin = await _login(h, "admin@acme.test")
        try:
            page = await _list(admin, sort="candidate", order="asc", limit=2)
            shown = {r["candidate_id"] for r in page["interviews"]}
            [read] = [r for r in await h.ctx.store.audit.reads(h.org_id) if r.action == "interviews.list"]
            assert {c for c, _ in read.candidates} == shown and read.candidates_total == 2
            not_shown = (await h.ctx.store.interviews.get(w["iv"]["gus"])).candidate_id
            assert await h.ctx.store.audit.reads(h.org_id, candidate_id=not_shown) == []
        finally:
            await admin.close()


async def test_the_stored_figures_agree_with_the_report(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        w = await _world(h)
        store = h.ctx.store
        for key in ("ada", "bo", "fay"):
            iv = await store.interviews.get(w["iv"][key])
            report = await build_report(store.interviews, store.records, store.jobs, iv.id)
            scored = [c["ai_score"] for c in report["competencies"] if c["ai_score"] is not None]
            assert round(iv.ai_score, 1) == round(sum(scored) / len(scored), 1), key
            assert iv.flag_count == len(report["flags"]), key


async def test_the_upgrade_computes_the_figures_of_interviews_stored_before(db_url):
    """0016: interviews stored before the list's figures existed get them from their scores, ratings and flags."""
    store = Store(db_url)
    try:
        await move_schema(store.db.engine, "0013")
        async with store.db.engine.begin() as conn:
            await insert_first_schema_interview(conn, T0, "finished")  # interview 'i'
            await conn.execute(text("INSERT INTO users (id, org_id, email, display_name, password_hash, role, "
                                    "created_at) VALUES ('u', 'o', 'u@o.test', '', 'x', 'recruiter', :n)"), {"n": T0})
            for n, (turn, q, comp, score, conf) in enumerate([(0, 0, "leadership", 1.0, 0.9),
                                                              (1, 0, "leadership", 3.0, 0.5),
                                                              (2, 1, "results", 4.0, 0.8)]):
                await conn.execute(text(
                    "INSERT INTO answer_scores (id, interview_id, turn_index, question_index, competency, score, "
                    "confidence, level, evidence, uncertain, scored_by, created_at) VALUES (:id, 'i', :t, :q, :c, "
                    ":s, :conf, '', '[]', '[]', 'rules', :at)"),
                    {"id": f"s{n}", "t": turn, "q": q, "c": comp, "s": score, "conf": conf,
                     "at": T0 + timedelta(minutes=n)})
            for n, (comp, score) in enumerate([("leadership", 2.0), ("leadership", 4.0), ("results", 5.0)]):
                await conn.execute(text(
                    "INSERT INTO human_reviews (id, interview_id, reviewer_id, competency, score, comment, "
                    "created_at) VALUES (:id, 'i', 'u', :c, :s, '', :at)"), {"id": f"r{n}", "c": comp, "s": score,
                                                                            "at": T0})
            for n, kind in enumerate(["flag.raised", "flag.raised", "answer.summary"]):
                await conn.execute(text("INSERT INTO events (interview_id, type, payload, at) "
                                        "VALUES ('i', :k, '{}', :at)"), {"k": kind, "at": T0})
        await store.migrate()
        iv = await store.interviews.get("i")
        assert iv.ai_score == pytest.approx((3.0 + 4.0) / 2)  # leadership's last score counts
        assert iv.human_rating == pytest.approx((3.0 + 5.0) / 2) and iv.flag_count == 2
        rows, total = await store.interview_list.page("o", None, (), ListQuery(sort="ai_score"))
        assert total == 1 and rows[0].ai_score == pytest.approx(3.5) and rows[0].flag_count == 2
    finally:
        await store.close()


def test_whatever_stores_scores_or_ratings_keeps_the_figures():
    """A module that makes score or rating rows itself (not through ``add_score``/``add_review``) stores the list's
    figures with ``keep_figures`` too: the demo's history once listed every interview without its scores."""
    root = Path(__file__).resolve().parents[1] / "server"
    makers = [p for p in root.rglob("*.py") if "migrations" not in p.parts
              and re.search(r"(?<!class )\b(AnswerScore|HumanReview)\(", p.read_text(encoding="utf-8"))]
    assert {p.name for p in makers} >= {"interview_records.py", "demo_history.py"}
    assert not [str(p.relative_to(root)) for p in makers if "keep_figures(" not in p.read_text(encoding="utf-8")]
