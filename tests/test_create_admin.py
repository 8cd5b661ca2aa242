"""``interview-server create-admin``: the first admin of a deployment without demo data. It creates the organisation
(or finds it by name), prints a one-time set-password link, and the server then lets that admin set a password and
log in. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest

from server.platform.cli import main
from tests.harness import running_server

pytestmark = pytest.mark.unit

SECRET = "test-secret-" + "x" * 32  # the harness's: the server reads the links the command signed


def _create_admin(db_url: str, data_dir, capsys, email: str, org: str) -> tuple[int, str, str]:
    code = main(["create-admin", "--email", email, "--org", org, "--name", "First Admin", "--database-url", db_url,
                 "--data-dir", str(data_dir)])  # the secret: from the environment only
    out = capsys.readouterr()
    return code, out.out, out.err


async def test_create_admin_prints_a_link_that_sets_the_first_admins_password(db_url, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INTERVIEW_SECRET_KEY", SECRET)
    code, out, _ = await _run(db_url, tmp_path, capsys, "boss@example.test", "Example Ltd")
    assert code == 0, out
    link = re.search(r"^SET_PASSWORD_LINK (\S+)$", out, re.M).group(1)
    token = parse_qs(urlparse(link).query)["token"][0]
    code, out, err = await _run(db_url, tmp_path, capsys, "boss@example.test", "Example Ltd")
    assert code == 1 and "already an account" in err  # no second account for one e-mail

    async with running_server(db_url, tmp_path, seed=False) as h:
        async with aiohttp.ClientSession(h.base_url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.post("/api/v1/auth/set-password", json={"token": token,
                                                                    "password": "first admin password"}) as r:
                assert r.status == 200, await r.text()
            async with http.post("/api/v1/auth/login", json={"email": "boss@example.test",
                                                             "password": "first admin password"}) as r:
                assert r.status == 200
                assert (await r.json())["user"]["role"] == "admin"
            async with http.get("/api/v1/team") as r:
                assert [u["email"] for u in (await r.json())["users"]] == ["boss@example.test"]
        org = await h.ctx.store.accounts.org_by_name("Example Ltd")
        assert org is not None and (await h.ctx.store.accounts.user_by_email("boss@example.test")).org_id == org.id


async def _run(db_url, tmp_path, capsys, email, org):
    # the command runs its own event loop (asyncio.run): off this test's loop, in a thread
    return await asyncio.to_thread(_create_admin, db_url, tmp_path, capsys, email, org)
