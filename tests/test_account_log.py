"""The account log: every change to who may do what (users created, roles, deactivation, set-password links and
passwords, logins ended, job and interview assignments) is recorded with who made it, when, from where and what
changed; a refused change records nothing; only the organisation's admins read it, a page at a time. On SQLite
and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
from sqlalchemy import inspect

from server.http.auth import hash_password
from server.storage.account_changes import ChangedBy
from server.storage.migrate import move_schema
from server.storage.store import Store
from tests.harness import HR_EMAIL, running_server

pytestmark = pytest.mark.unit

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@acme.test", "admin password 1"
NEW_PASSWORD = "a new password 1"


async def _admin(h) -> str:
    return (await h.ctx.store.accounts.create_user(h.org_id, ADMIN_EMAIL, hash_password(ADMIN_PASSWORD),
                                                   role="admin", name="Ada Admin")).id


async def _log(http: aiohttp.ClientSession, **query) -> dict:
    async with http.get("/api/v1/audit/account-changes", params={k: str(v) for k, v in query.items()}) as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def test_each_account_change_is_recorded_with_who_when_where_and_what(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        admin_id = await _admin(h)
        iv, _ = await h.create_interview("Ada Park")
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            async with admin.post("/api/v1/users", json={"email": "Lin@Acme.test", "display_name": "Lin Wei",
                                                         "role": "recruiter"}) as r:
                made = await r.json()
            lin = made["user"]["id"]
            async with admin.put(f"/api/v1/users/{lin}/role", json={"role": "hiring_manager"}) as r:
                assert r.status == 200
            async with admin.put(f"/api/v1/users/{lin}/role", json={"role": "hiring_manager"}) as r:
                assert r.status == 200  # the role it has: nothing changes, nothing is recorded
            async with admin.put(f"/api/v1/jobs/{h.job_id}/members/{lin}") as r:
                assert r.status == 200
            async with admin.put(f"/api/v1/jobs/{h.job_id}/members/{lin}") as r:
                assert r.status == 200  # assigned already
            async with admin.delete(f"/api/v1/jobs/{h.job_id}/members/{lin}") as r:
                assert r.status == 200
            async with admin.put(f"/api/v1/users/{lin}/role", json={"role": "observer"}) as r:
                assert r.status == 200
            async with admin.put(f"/api/v1/interviews/{iv}/observers/{lin}") as r:
                assert r.status == 200
            async with admin.delete(f"/api/v1/interviews/{iv}/observers/{lin}") as r:
                assert r.status == 200
            async with admin.delete(f"/api/v1/users/{h.hr_user_id}/sessions") as r:
                assert r.status == 200
            async with admin.put(f"/api/v1/users/{h.hr_user_id}/active", json={"active": False}) as r:
                assert r.status == 200
            async with admin.put(f"/api/v1/users/{h.hr_user_id}/active", json={"active": True}) as r:
                assert r.status == 200
            async with admin.post(f"/api/v1/users/{lin}/password-link", json={}) as r:
                link = (await r.json())["set_password_link"]
        async with aiohttp.ClientSession(h.base_url) as anon:
            token = parse_qs(urlparse(link).query)["token"][0]
            async with anon.post("/api/v1/auth/set-password", json={"token": token, "password": NEW_PASSWORD}) as r:
                assert r.status == 200, await r.text()
        async with h.hr_client("lin@acme.test", NEW_PASSWORD) as lin_http:
            async with lin_http.post("/api/v1/auth/password", json={"current_password": NEW_PASSWORD,
                                                                   "new_password": "another password 2"}) as r:
                assert r.status == 200, await r.text()

        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            log = (await _log(admin))["changes"]
        newest_first = [(c["action"], c["subject_email"]) for c in log]
        assert newest_first == [
            ("user.password_changed", "lin@acme.test"),
            ("user.password_set", "lin@acme.test"),
            ("user.password_link_issued", "lin@acme.test"),
            ("user.reactivated", HR_EMAIL),
            ("user.deactivated", HR_EMAIL),
            ("user.signed_out_everywhere", HR_EMAIL),
            ("interview.observer_removed", "lin@acme.test"),
            ("interview.observer_added", "lin@acme.test"),
            ("user.role_changed", "lin@acme.test"),
            ("job.member_removed", "lin@acme.test"),
            ("job.member_added", "lin@acme.test"),
            ("user.role_changed", "lin@acme.test"),
            ("user.password_link_issued", "lin@acme.test"),
            ("user.created", "lin@acme.test"),
        ]
        by_action = {}
        for c in reversed(log):
            by_action.setdefault(c["action"], c)
        assert by_action["user.created"]["detail"] == {"role": "recruiter"}
        assert by_action["user.role_changed"]["detail"] == {"from": "recruiter", "to": "hiring_manager"}
        assert log[5]["detail"]["logins_ended"] >= 1  # the recruiter's own login, opened by create_interview
        assert by_action["job.member_added"]["detail"] == {"job_id": h.job_id, "job_title": "Engineer"}
        assert by_action["interview.observer_added"]["detail"] == {"interview_id": iv}
        admin_made = [c for c in log if c["action"] not in ("user.password_set", "user.password_changed")]
        assert {(c["actor_id"], c["actor_email"]) for c in admin_made} == {(admin_id, ADMIN_EMAIL)}
        assert {(c["actor_id"], c["actor_email"]) for c in log[:2]} == {(lin, "lin@acme.test")}  # their own
        assert all(c["ip"] == "127.0.0.1" for c in log)
        times = [datetime.fromisoformat(c["at"]) for c in log]
        assert all(t.utcoffset() == timedelta(0) for t in times) and times == sorted(times, reverse=True)
        assert all(c["what"] for c in log)


async def test_a_recruiter_creating_a_job_is_recorded_as_taking_it_on(db_url, tmp_path):
    """Creating a job makes its recruiter responsible for it: an assignment like any other, by the recruiter; an
    admin's job assigns no one. Ending the logins of a user who has none changes nothing and records nothing."""
    async with running_server(db_url, tmp_path) as h:
        await _admin(h)
        job = {"title": "Data Engineer", "questions": [{"text": "Tell me about a pipeline you built."}]}
        async with h.hr_client() as recruiter:
            async with recruiter.post("/api/v1/jobs", json=job) as r:
                assert r.status == 201, await r.text()
                job_id = (await r.json())["id"]
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            async with admin.post("/api/v1/jobs", json={**job, "title": "Admin's job"}) as r:
                assert r.status == 201
            async with admin.delete(f"/api/v1/users/{h.hr_user_id}/sessions") as r:
                assert r.status == 200  # the recruiter's login: ended, recorded
            async with admin.delete(f"/api/v1/users/{h.hr_user_id}/sessions") as r:
                assert r.status == 200 and (await r.json())["ended"] == 0  # none left: nothing recorded
            log = (await _log(admin))["changes"]
        assert [(c["action"], c["actor_email"], c["subject_email"]) for c in log] == [
            ("user.signed_out_everywhere", ADMIN_EMAIL, HR_EMAIL), ("job.member_added", HR_EMAIL, HR_EMAIL)]
        assert log[1]["detail"] == {"job_id": job_id, "job_title": "Data Engineer"}


async def test_a_refused_change_records_nothing(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        admin_id = await _admin(h)
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            async with admin.put(f"/api/v1/users/{admin_id}/role", json={"role": "recruiter"}) as r:
                assert r.status == 409  # the last admin
            async with admin.put(f"/api/v1/users/{admin_id}/active", json={"active": False}) as r:
                assert r.status == 409  # one's own account
            async with admin.put(f"/api/v1/jobs/{h.job_id}/members/{admin_id}") as r:
                assert r.status == 422  # admins are responsible for every job already
            async with admin.post("/api/v1/users", json={"email": HR_EMAIL, "display_name": "Again",
                                                         "role": "recruiter"}) as r:
                assert r.status == 409  # the address has an account
            assert (await _log(admin))["changes"] == []


async def test_only_admins_read_it_a_page_at_a_time_and_per_user(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        await _admin(h)
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            for role in ("observer", "hiring_manager", "recruiter", "observer", "hiring_manager"):
                async with admin.put(f"/api/v1/users/{h.hr_user_id}/role", json={"role": role}) as r:
                    assert r.status == 200
            first = await _log(admin, limit=2)
            assert [c["detail"]["to"] for c in first["changes"]] == ["hiring_manager", "observer"]
            second = await _log(admin, limit=2, before=first["next_before"])
            third = await _log(admin, limit=2, before=second["next_before"])
            assert [c["detail"]["to"] for c in second["changes"] + third["changes"]] == \
                ["recruiter", "hiring_manager", "observer"]
            assert third["next_before"] is None
            assert len((await _log(admin, user_id=h.hr_user_id))["changes"]) == 5
            assert (await _log(admin, user_id="nobody"))["changes"] == []
            async with admin.get("/api/v1/audit/account-changes", params={"before": "yesterday"}) as r:
                assert r.status == 400 and (await r.json())["error"]["code"] == "bad_query"
            async with admin.put(f"/api/v1/users/{h.hr_user_id}/role", json={"role": "recruiter"}) as r:
                assert r.status == 200
        async with h.hr_client() as recruiter:
            async with recruiter.get("/api/v1/audit/account-changes") as r:
                assert r.status == 403 and "Traceback" not in await r.text()


def test_the_command_line_admin_is_recorded_as_made_by_the_command_line(tmp_path):
    from server.platform.cli import main

    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    assert main(["create-admin", "--email", "root@cli.test", "--org", "Cli Org", "--database-url", url,
                 "--data-dir", str(tmp_path)]) == 0

    async def logged() -> list[tuple]:
        store = Store(url)
        try:
            org = await store.accounts.org_by_name("Cli Org")
            return [(c.action, c.actor_id, c.subject_email) for c in await store.account_changes.changes(org.id)]
        finally:
            await store.close()

    assert asyncio.run(logged()) == [("user.password_link_issued", None, "root@cli.test"),
                                     ("user.created", None, "root@cli.test")]


async def test_the_account_log_table_migrates_up_and_down(db_url):
    store = Store(db_url)
    try:
        await store.migrate()
        org = await store.accounts.create_org("Up")
        user = await store.accounts.create_user(org.id, "u@up.test", "x", by=ChangedBy.command_line())
        assert [c.action for c in await store.account_changes.changes(org.id)] == ["user.created"]
        await move_schema(store.db.engine, "0022", down=True)
        async with store.db.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert "account_changes" not in tables and "users" in tables
        await store.migrate()
        assert await store.account_changes.changes(org.id) == []
        assert (await store.accounts.user(user.id)).email == "u@up.test"
    finally:
        await store.close()
