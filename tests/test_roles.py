"""Roles scoped to jobs and interviews (BRIEF section 4, issue 14): an admin assigns jobs to recruiters and hiring
managers and invites observers to interviews; each then sees and does only what their role allows on what they are
responsible for. HR withdraws or reissues a candidate's link. Existing users keep their access through the upgrade."""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone

import aiohttp
import pytest
from sqlalchemy import text

from server.http.access import ROLES
from server.http.auth import hash_password
from server.http.routes.common import api
from server.storage.migrate import move_schema
from server.storage.store import Store
from tests.harness import running_server
from tests.old_schema import insert_first_schema_interview

pytestmark = pytest.mark.unit

PW = "role password 123"


async def _user(h, role: str, org_id: str | None = None) -> str:
    user = await h.ctx.store.accounts.create_user(org_id or h.org_id, f"{role}@acme.test", hash_password(PW),
                                                  role=role, name=role.replace("_", " ").title())
    return user.id


@contextlib.asynccontextmanager
async def _as(h, role: str):
    async with h.hr_client(f"{role}@acme.test", PW) as http:
        yield http


async def _json(http, method: str, path: str, **kw) -> tuple[int, dict]:
    async with http.request(method, path, **kw) as r:
        return r.status, (await r.json() if r.content_type == "application/json" else {})


async def _job(h, title: str) -> str:
    return (await h.ctx.store.jobs.create(h.org_id, title, "", "en", [{"text": "Tell me about a project."}])).id


async def test_the_admin_assigns_a_job_and_the_recruiter_sees_only_that_job(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        admin_id, recruiter_id, observer_id = [await _user(h, r) for r in ("admin", "recruiter", "observer")]
        sales, ops = await _job(h, "Sales lead"), await _job(h, "Operations")
        sales_iv, _ = await h.create_interview("Sam Sales")  # the harness job (the HR user's), not the recruiter's
        async with _as(h, "admin") as admin, _as(h, "recruiter") as rec:
            assert (await _json(rec, "GET", "/api/v1/jobs"))[1]["jobs"] == []  # nothing assigned yet
            assert (await _json(rec, "GET", f"/api/v1/jobs/{sales}/requirements"))[0] == 404

            status, member = await _json(admin, "PUT", f"/api/v1/jobs/{sales}/members/{recruiter_id}")
            assert status == 200 and member["job_ids"] == [sales] and member["role"] == "recruiter"
            assert [j["title"] for j in (await _json(rec, "GET", "/api/v1/jobs"))[1]["jobs"]] == ["Sales lead"]
            status, made = await _json(rec, "POST", "/api/v1/interviews",
                                       json={"job_id": sales, "candidate": {"name": "Rita"}})
            assert status == 201
            assert (await _json(rec, "POST", "/api/v1/interviews",  # another job of the organisation: no such job
                                json={"job_id": ops, "candidate": {"name": "Olaf"}}))[0] == 404
            listed = (await _json(rec, "GET", "/api/v1/interviews"))[1]["interviews"]
            assert [(i["candidate_name"], i["job_id"]) for i in listed] == [("Rita", sales)]
            assert (await _json(rec, "GET", f"/api/v1/interviews/{sales_iv}"))[0] == 404

            # only recruiters and hiring managers are assigned to jobs; only the organisation's own users
            status, err = await _json(admin, "PUT", f"/api/v1/jobs/{ops}/members/{observer_id}")
            assert status == 422 and err["error"]["code"] == "wrong_role"
            other = await h.ctx.store.accounts.create_org("Other Co")
            stranger = await h.ctx.store.accounts.create_user(other.id, "r@other.test", "x", role="recruiter")
            assert (await _json(admin, "PUT", f"/api/v1/jobs/{ops}/members/{stranger.id}"))[0] == 404
            # the team, as the admin's page shows it
            team = {u["email"]: u for u in (await _json(admin, "GET", "/api/v1/team"))[1]["users"]}
            assert team["recruiter@acme.test"]["job_ids"] == [sales] and team["admin@acme.test"]["job_ids"] == []
            assert (await _json(rec, "GET", "/api/v1/team"))[0] == 403

            status, member = await _json(admin, "DELETE", f"/api/v1/jobs/{sales}/members/{recruiter_id}")
            assert status == 200 and member["job_ids"] == []
            assert (await _json(rec, "GET", "/api/v1/jobs"))[1]["jobs"] == []
            assert (await _json(rec, "GET", f"/api/v1/interviews/{made['interview_id']}"))[0] == 404
            assert admin_id  # the admin sees every job whatever is assigned
            assert {j["id"] for j in (await _json(admin, "GET", "/api/v1/jobs"))[1]["jobs"]} >= {sales, ops}


async def test_a_recruiter_is_responsible_for_the_job_they_create(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        await _user(h, "recruiter")
        async with _as(h, "recruiter") as rec:
            status, job = await _json(rec, "POST", "/api/v1/jobs/import",
                                      json={"library_plan": "software-engineer", "language": "en"})
            assert status == 201
            assert [j["id"] for j in (await _json(rec, "GET", "/api/v1/jobs"))[1]["jobs"]] == [job["id"]]
        async with h.hr_client() as other_recruiter:  # the harness's recruiter is not
            assert (await _json(other_recruiter, "GET", f"/api/v1/jobs/{job['id']}/plan"))[0] == 404


async def test_an_observer_reads_only_the_interviews_they_were_invited_to_and_changes_nothing(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        observer_id = await _user(h, "observer")
        await _user(h, "admin")
        watched, _ = await h.create_interview("Wanda Watched")
        unseen, _ = await h.create_interview("Ulla Unseen")
        async with _as(h, "admin") as admin, _as(h, "observer") as obs:
            assert (await _json(obs, "GET", "/api/v1/interviews"))[1]["interviews"] == []
            status, member = await _json(admin, "PUT", f"/api/v1/interviews/{watched}/observers/{observer_id}")
            assert status == 200 and member["interview_ids"] == [watched]
            listed = (await _json(obs, "GET", "/api/v1/interviews"))[1]["interviews"]
            assert [i["candidate_name"] for i in listed] == ["Wanda Watched"]
            assert (await _json(obs, "GET", f"/api/v1/interviews/{watched}"))[0] == 200
            assert (await _json(obs, "GET", f"/api/v1/interviews/{watched}/report"))[0] == 200
            assert (await _json(obs, "GET", f"/api/v1/interviews/{unseen}"))[0] == 404
            async with obs.ws_connect(f"/ws/v1/interviews/{watched}/observe") as ws:
                assert (await ws.receive_json(timeout=10))["type"] == "snapshot"
            with pytest.raises(aiohttp.WSServerHandshakeError):
                await obs.ws_connect(f"/ws/v1/interviews/{unseen}/observe")
            assert (await _json(obs, "GET", "/api/v1/jobs"))[1]["jobs"] == []

            # the finding: an observer could create interviews, upload resumes, edit requirements, rate, import
            form = aiohttp.FormData()
            form.add_field("files", b"Ann Lee\nann@x.test\nPython", filename="ann.txt", content_type="text/plain")
            archive = aiohttp.FormData()  # an upload is multipart: anything else is refused as 415 before the roles
            archive.add_field("file", b"x", filename="cvs.zip", content_type="application/zip")
            writes = [("POST", "/api/v1/interviews", {"json": {"job_id": h.job_id, "candidate": {"name": "X"}}}),
                      ("POST", f"/api/v1/jobs/{h.job_id}/resumes", {"data": form}),
                      ("PUT", f"/api/v1/jobs/{h.job_id}/requirements", {"json": {"requirements": []}}),
                      ("POST", f"/api/v1/interviews/{watched}/reviews",
                       {"json": {"competency": "leadership", "score": 5}}),
                      ("POST", f"/api/v1/jobs/{h.job_id}/imports", {"data": archive})]
            for method, path, kw in writes:
                status, err = await _json(obs, method, path, **kw)
                assert status == 403 and err["error"]["code"] == "forbidden", (path, status)
            assert len(await h.ctx.store.interviews.for_org(h.org_id)) == 2

            await _json(admin, "DELETE", f"/api/v1/interviews/{watched}/observers/{observer_id}")
            assert (await _json(obs, "GET", f"/api/v1/interviews/{watched}"))[0] == 404


async def test_a_hiring_manager_reads_and_rates_the_interviews_of_their_jobs(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        manager_id = await _user(h, "hiring_manager")
        theirs, _ = await h.create_interview("Tom Theirs")
        await h.ctx.store.assignments.assign_job(h.org_id, h.job_id, manager_id, None)
        other_job = await _job(h, "Other")
        other_iv = (await h.ctx.store.interviews.create(h.org_id, other_job, "Nina Not", "", "en")).id
        async with _as(h, "hiring_manager") as hm:
            assert [i["id"] for i in (await _json(hm, "GET", "/api/v1/interviews"))[1]["interviews"]] == [theirs]
            status, review = await _json(hm, "POST", f"/api/v1/interviews/{theirs}/reviews",
                                         json={"competency": "leadership", "score": 4, "comment": "clear example"})
            assert status == 201 and review["score"] == 4
            assert (await _json(hm, "POST", f"/api/v1/interviews/{other_iv}/reviews",
                                json={"competency": "leadership", "score": 4}))[0] == 404
            # reading and rating only: no candidates' resumes, invitations or new interviews
            assert (await _json(hm, "GET", f"/api/v1/jobs/{h.job_id}/matches"))[0] == 403
            assert (await _json(hm, "GET", f"/api/v1/interviews/{theirs}/invitations"))[0] == 403
            assert (await _json(hm, "POST", "/api/v1/interviews",
                                json={"job_id": h.job_id, "candidate": {"name": "X"}}))[0] == 403


HIRING_MANAGER_WRITES = {
    "/api/v1/interviews/{interview_id}/reviews",  # their rating beside the AI's
    "/api/v1/interviews/{interview_id}/decision",  # advance / hold / do not advance on the AI's suggestion
    "/api/v1/interviews/{interview_id}/outcome",  # what became of the candidate (hired, rejected, performance)
    "/api/v1/jobs/{job_id}/outcomes/import",  # the same for many candidates of their job, from a CSV
    "/api/v1/auth/password",  # their own password
}


def test_the_declarations_keep_observers_read_only_and_hiring_managers_to_reading_and_rating():
    """The role rules of BRIEF section 4, checked on every route's declaration (the matrix checks the server
    answers as declared)."""
    for r in api.routes:
        if r.access.caller != "user":
            continue
        name = f"{r.method.upper()} {r.path}"
        if r.path.startswith("/api/v1/auth/"):  # one's own login and password, not hiring data
            continue
        if r.access.admits("observer"):
            assert r.method == "get", f"{name}: observers only read"
            assert r.access.scope in (None, "listed", "interview", "candidate"), f"{name}: observers have no jobs"
        if r.access.admits("hiring_manager"):  # read, rate, and decide on their jobs' candidates
            assert r.method == "get" or r.path in HIRING_MANAGER_WRITES, f"{name}: hiring managers read, rate, decide"
        if r.access.roles - {"admin"} and r.access.scope is None:
            assert "{" not in r.path, f"{name}: not scoped"
    assert set(ROLES) == {"admin", "recruiter", "hiring_manager", "observer"}


async def test_hr_withdraws_and_reissues_a_candidate_link(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        iv, old = await h.create_interview("Lee Leaked")
        await _user(h, "observer")
        async with aiohttp.ClientSession(h.base_url) as candidate, h.hr_client() as hr:
            async def session(token: str) -> tuple[int, str]:
                async with candidate.get("/api/v1/candidate/session", params={"token": token}) as r:
                    return r.status, (await r.json()).get("error", {}).get("code", "")

            assert (await session(old))[0] == 200
            status, fresh = await _json(hr, "POST", f"/api/v1/interviews/{iv}/link")
            assert status == 200 and fresh["interview_id"] == iv and fresh["link"].endswith("/i/" + fresh["token"])
            assert await session(old) == (403, "invalid_link")  # at once
            assert (await session(fresh["token"]))[0] == 200
            async with candidate.get(f"/i/{old}") as r:  # the page itself says the link is not valid
                assert r.status == 200

            async with hr.delete(f"/api/v1/interviews/{iv}/link") as r:
                assert r.status == 204
            assert await session(fresh["token"]) == (403, "invalid_link")
            listed = (await _json(hr, "GET", "/api/v1/interviews"))[1]["interviews"]
            assert listed[0]["link_revoked"] is True
            status, again = await _json(hr, "POST", f"/api/v1/interviews/{iv}/link")
            assert status == 200 and (await session(again["token"]))[0] == 200
            assert (await _json(hr, "GET", "/api/v1/interviews"))[1]["interviews"][0]["link_revoked"] is False
            # the invitation sends the current link (routes/invitations.py builds it from the current nonce)

            await h.ctx.store.interviews.update(iv, status="finished")
            status, err = await _json(hr, "POST", f"/api/v1/interviews/{iv}/link")
            assert status == 409 and err["error"]["code"] == "interview_finished"
        async with _as(h, "observer") as obs:
            assert (await _json(obs, "DELETE", f"/api/v1/interviews/{iv}/link"))[0] == 403


async def test_existing_users_keep_their_access_through_the_upgrade(db_url):
    """0013: HR users become recruiters of every job their organisation had; observers are invited to every
    interview it had. What is created afterwards is seen only by those assigned or invited."""
    store = Store(db_url)
    try:
        await move_schema(store.db.engine, "0011")
        async with store.db.engine.begin() as conn:
            now = datetime(2026, 1, 1, tzinfo=timezone.utc)
            await insert_first_schema_interview(conn, now, "finished")  # org 'o', job 'j', interview 'i'
            for uid, role in (("u-hr", "hr"), ("u-watch", "observer"), ("u-admin", "admin")):
                await conn.execute(text("INSERT INTO users (id, org_id, email, display_name, password_hash, role, "
                                        "created_at) VALUES (:id, 'o', :email, '', 'x', :role, :n)"),
                                   {"id": uid, "email": f"{uid}@o.test", "role": role, "n": now})
        await store.migrate()
        roles = {u.id: u.role for u in await store.accounts.users("o")}
        assert roles == {"u-hr": "recruiter", "u-watch": "observer", "u-admin": "admin"}
        assert (await store.assignments.of_user("u-hr")).job_ids == {"j"}
        assert (await store.assignments.of_user("u-watch")).interview_ids == {"i"}
        assert await store.assignments.of_user("u-admin") == (await store.assignments.of_user("nobody"))
        later = await store.jobs.create("o", "Later", "", "en", [{"text": "Q?"}])
        assert later.id not in (await store.assignments.of_user("u-hr")).job_ids
        assert (await store.interviews.get("i")).link_revoked_at is None
    finally:
        await store.close()
