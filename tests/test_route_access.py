"""Who may call a route and which read it records are declared when it is registered, and the guard enforces both:
a route cannot be registered without its access, and an audited answer is never sent unrecorded."""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone
from types import SimpleNamespace

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from aiohttp.web_urldispatcher import StaticResource

from server.http.access import ANY_USER, CANDIDATE_LINK, LISTING, PUBLIC, READING, Access, ReadAudit, users
from server.http.app import create_app
from server.http.errors import error_middleware
from server.http.openapi import ApiRoutes, build_document
from server.http.routes.common import CTX_KEY, SESSION_COOKIE, api
from server.http.routes.guard import before_streaming, guarded, record_shown, user_of
from server.platform.settings import Settings
from server.storage.assignments import Assignments

pytestmark = pytest.mark.unit

ORG = "org-1"


def test_a_route_cannot_be_registered_without_saying_who_may_call_it():
    routes = ApiRoutes()
    with pytest.raises(TypeError):
        routes.route("GET", "/api/v1/things", "Things", "things")  # no access= at all
    with pytest.raises(TypeError):
        routes.route("GET", "/api/v1/things", "Things", "things", access=None)
    with pytest.raises(TypeError):
        routes.undocumented("GET", "/things")
    with pytest.raises(TypeError):
        routes.undocumented("GET", "/things", access="session")
    assert routes.routes == []


def test_declarations_that_cannot_be_enforced_are_refused():
    routes = ApiRoutes()
    with pytest.raises(ValueError):
        users(("admin",), "")  # a role limit needs the message refusing the others
    with pytest.raises(ValueError):
        Access("public", frozenset({"admin"}), "Admins only.")
    with pytest.raises(ValueError):
        ReadAudit("interview.read", "somewhere")
    with pytest.raises(ValueError):  # an audited read needs a logged-in user to record
        routes.route("GET", "/api/v1/interviews/{interview_id}", "One", "t", access=PUBLIC,
                     reads=ReadAudit("interview.read", "interview"))
    with pytest.raises(ValueError):  # the audited interview must be named by the path
        routes.route("GET", "/api/v1/jobs/{job_id}", "One", "t", access=users(("admin",), "No.", scope="job"),
                     reads=ReadAudit("interview.read", "interview"))
    with pytest.raises(ValueError):  # a path naming a job needs the scope the caller must be responsible for
        routes.route("GET", "/api/v1/jobs/{job_id}", "One", "t", access=ANY_USER)
    with pytest.raises(ValueError):  # ... and that scope names a record of the path
        routes.route("GET", "/api/v1/jobs/{job_id}", "One", "t", access=users(("admin",), "No.", scope="interview"))
    with pytest.raises(ValueError):
        users(("admin", "hr"), "Not a role.")
    with pytest.raises(ValueError):
        users(("admin",), "No.", scope="team")
    routes.route("GET", "/api/v1/jobs/{job_id}", "One", "t", access=users(("admin",), "No.", scope="job"),
                 reads=ReadAudit("no.such.read", "job"))(_ok)
    with pytest.raises(ValueError):  # actions are the audit's known ones (checked when the app is built)
        guarded(routes.routes[0])


def test_every_route_of_the_app_is_behind_its_declared_access(tmp_path):
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
                        secret_key="test-secret-" + "x" * 32)
    app = create_app(settings)
    served = set()
    for route in app.router.routes():
        if isinstance(route.resource, StaticResource):
            continue
        assert getattr(route.handler, "route", None) is not None, (route.method, route.resource.canonical)
        served.add((route.method, route.resource.canonical))
    assert {(r.method.upper(), r.path) for r in api.routes} <= served
    assert ("GET", "/ws/v1/interviews/{interview_id}/observe") in served
    doc = build_document(api.routes)["paths"]
    assert doc["/api/v1/audit/reads"]["get"]["x-roles"] == ["admin"]
    report = doc["/api/v1/interviews/{interview_id}/report"]["get"]
    assert report["x-roles"] == ["admin", "hiring_manager", "observer", "recruiter"]
    assert (report["x-scope"], report["x-scope-from"]) == ("interview", "path") and "404" in report["responses"]
    create = doc["/api/v1/interviews"]["post"]
    assert (create["x-roles"], create["x-scope"], create["x-scope-from"]) == (["admin", "recruiter"], "job", "body")
    assert doc["/api/v1/jobs"]["get"]["x-scope"] == "listed"
    assert doc["/api/v1/interviews/{interview_id}"]["get"]["x-audited-read"] == "interview.read"
    assert "503" in doc["/api/v1/interviews/{interview_id}"]["get"]["responses"]
    assert doc["/api/v1/candidate/offer"]["post"]["x-caller"] == "candidate_link"


# --- the guard at work, on a small app with a fake store ----------------------------------------------------------
async def _ok(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


class FakeAccounts:
    def __init__(self) -> None:
        self.users = {"u-hr": SimpleNamespace(id="u-hr", org_id=ORG, email="hr@x.test", role="recruiter"),
                      "u-admin": SimpleNamespace(id="u-admin", org_id=ORG, email="admin@x.test", role="admin")}
        self.users["u-watch"] = SimpleNamespace(id="u-watch", org_id=ORG, email="watch@x.test", role="observer")

    async def user(self, user_id: str):
        return self.users.get(user_id)


class FakeAuditLog:
    def __init__(self) -> None:
        self.reads: list[tuple] = []
        self.broken = False

    async def record_read(self, org_id, actor_id, actor_email, action, subject_kind, subject_id, candidate_ids,
                          ip, at, coalesce_s) -> None:
        if self.broken:
            raise OSError("disk full")
        self.reads.append((actor_id, action, subject_kind, subject_id, candidate_ids))


class FakeInterviews:
    """iv-7 of job-1 (the recruiter's); iv-8 of job-2 (nobody's but the admin's)."""

    async def get(self, interview_id: str):
        job = {"iv-7": "job-1", "iv-8": "job-2"}.get(interview_id)
        return SimpleNamespace(id=interview_id, org_id=ORG, job_id=job) if job else None


class FakeAssignments:
    async def of_user(self, user_id: str) -> Assignments:
        return Assignments(frozenset({"job-1"} if user_id == "u-hr" else ()), frozenset())


class FakeStore:
    """The repositories the guard uses."""

    def __init__(self) -> None:
        self.accounts = FakeAccounts()
        self.audit = FakeAuditLog()
        self.interviews = FakeInterviews()
        self.assignments = FakeAssignments()


def _guarded_app(store: FakeStore) -> web.Application:
    routes = ApiRoutes()

    @routes.route("GET", "/admin", "Admins only", "t", access=users(("admin",), "Only admins look here."))
    async def admin_only(request: web.Request) -> web.Response:
        return web.json_response({"user": user_of(request).id})

    @routes.route("GET", "/interviews/{interview_id}", "Audited", "t", access=users(READING, scope="interview"),
                  reads=ReadAudit("interview.read", "interview"))
    async def audited(request: web.Request) -> web.Response:
        await record_shown(request, ["cand-1"])
        return web.json_response({"name": "Ada Lovelace"})

    @routes.route("GET", "/forgetful/{interview_id}", "Forgets its audit", "t", access=users(READING, scope="interview"),
                  reads=ReadAudit("interview.read", "interview"))
    async def forgetful(request: web.Request) -> web.Response:
        return web.json_response({"name": "Ada Lovelace"})

    @routes.route("GET", "/log", "Audited only when it shows someone", "t", access=ANY_USER,
                  reads=ReadAudit("audit.read", "org", when_none_shown=False))
    async def log_page(request: web.Request) -> web.Response:
        await record_shown(request, request.query.getall("c", []))
        return web.json_response({"ok": True})

    @routes.undocumented("GET", "/ws/{interview_id}", access=users(READING, scope="interview"),
                         reads=ReadAudit("interview.observe", "interview"))
    async def stream(request: web.Request) -> web.StreamResponse:
        if request.query.get("audit") == "yes":
            await record_shown(request, ["cand-1"])
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"name": "Ada Lovelace"})
        await ws.close()
        return ws

    @routes.route("GET", "/candidate", "Forgets the link", "t", access=CANDIDATE_LINK)
    async def linkless(request: web.Request) -> web.Response:
        return web.json_response({"name": "Ada Lovelace"})

    @routes.route("GET", "/public", "Asks for a user it was not given", "t", access=PUBLIC)
    async def public(request: web.Request) -> web.Response:
        return web.json_response({"user": user_of(request).id})

    @routes.route("GET", "/undeclared", "Records a read it did not declare", "t", access=ANY_USER)
    async def undeclared(request: web.Request) -> web.Response:
        await record_shown(request, ["cand-1"])
        return web.json_response({"name": "Ada Lovelace"})

    @routes.route("GET", "/listing", "Lists without asking what the user is responsible for", "t", access=LISTING)
    async def unscoped_listing(request: web.Request) -> web.Response:
        return web.json_response({"names": ["Ada Lovelace"]})

    @routes.route("POST", "/by-body", "A body naming a job it never checks", "t",
                  access=users(READING, scope="job", scope_from="body"))
    async def unchecked_body(request: web.Request) -> web.Response:
        return web.json_response({"name": "Ada Lovelace"})

    app = web.Application(middlewares=[error_middleware])
    app[CTX_KEY] = SimpleNamespace(  # type: ignore[misc]  (the parts of the server context the guard uses)
        store=store, sessions=SimpleNamespace(user=store.accounts.user),  # the cookie is the user's id here
        clock=lambda: datetime.now(timezone.utc), settings=SimpleNamespace(audit_coalesce_s=60, trusted_proxies=[]))
    app.add_routes([web.route(r.method.upper(), r.path, guarded(r)) for r in routes.routes])
    app.on_response_prepare.append(before_streaming)
    return app


@contextlib.asynccontextmanager
async def _client(store: FakeStore, user_id: str | None = "u-hr"):
    async with TestClient(TestServer(_guarded_app(store))) as client:
        if user_id:
            client.session.cookie_jar.update_cookies({SESSION_COOKIE: user_id})
        yield client


async def _answer(client: TestClient, path: str) -> tuple[int, dict]:
    async with client.get(path) as r:
        return r.status, await r.json()


async def test_the_guard_admits_only_the_declared_callers():
    store = FakeStore()
    async with _client(store, None) as anon:
        assert await _answer(anon, "/admin") == (401, {"error": {"code": "not_logged_in", "message": "Please log in."}})
        assert (await _answer(anon, "/interviews/iv-1"))[0] == 401
    async with _client(store, "u-hr") as hr:
        assert await _answer(hr, "/admin") == (403, {"error": {"code": "forbidden",
                                                              "message": "Only admins look here."}})
        status, body = await _answer(hr, "/public")  # user_of on a public route: a server error, not a user
        assert status == 500 and body["error"]["code"] == "internal_error"
    async with _client(store, "u-admin") as admin:
        assert await _answer(admin, "/admin") == (200, {"user": "u-admin"})
    assert store.audit.reads == []


async def test_a_record_named_by_the_path_is_reached_only_by_those_responsible_for_it():
    store = FakeStore()
    async with _client(store, "u-hr") as hr:  # the recruiter of job-1: its interview, not job-2's
        assert (await _answer(hr, "/interviews/iv-7"))[0] == 200
        assert await _answer(hr, "/interviews/iv-8") == (404, {"error": {"code": "not_found",
                                                                         "message": "No such interview."}})
        assert (await _answer(hr, "/interviews/iv-9"))[0] == 404  # none at all: the same answer
    async with _client(store, "u-admin") as admin:
        assert (await _answer(admin, "/interviews/iv-8"))[0] == 200
    async with _client(store, "u-watch") as observer:  # invited to neither
        assert (await _answer(observer, "/interviews/iv-7"))[0] == 404
    assert [r[3] for r in store.audit.reads] == ["iv-7", "iv-8"]  # the refused reads showed nothing


async def test_an_audited_answer_is_recorded_with_the_candidates_it_shows_before_it_is_sent():
    store = FakeStore()
    async with _client(store) as hr:
        assert await _answer(hr, "/interviews/iv-7") == (200, {"name": "Ada Lovelace"})
        assert store.audit.reads == [("u-hr", "interview.read", "interview", "iv-7", ["cand-1"])]
        assert await _answer(hr, "/log") == (200, {"ok": True})  # shows no one: not a read
        assert len(store.audit.reads) == 1
        assert (await _answer(hr, "/log?c=cand-2"))[0] == 200
        assert store.audit.reads[-1] == ("u-hr", "audit.read", "org", ORG, ["cand-2"])


async def test_an_audited_read_that_cannot_be_recorded_is_refused():
    store = FakeStore()
    store.audit.broken = True
    async with _client(store) as hr:
        async with hr.get("/interviews/iv-7") as r:
            body = await r.text()
    assert r.status == 503 and "audit_unavailable" in body and "Ada" not in body


async def test_an_answer_that_skipped_its_audit_or_its_link_check_is_never_sent():
    store = FakeStore()
    async with _client(store) as hr:
        for path in ("/forgetful/iv-7", "/candidate", "/undeclared", "/listing"):
            async with hr.get(path) as r:
                body = await r.text()
            assert r.status == 500 and "internal_error" in body and "Ada" not in body, path
        async with hr.post("/by-body", json={"job_id": "job-1"}) as r:
            assert r.status == 500 and "Ada" not in await r.text()
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:  # a stream that skipped it never opens
            await hr.ws_connect("/ws/iv-7")
        assert refused.value.status == 500
        assert store.audit.reads == []
        async with hr.ws_connect("/ws/iv-7?audit=yes") as ws:
            assert await ws.receive_json() == {"name": "Ada Lovelace"}
        assert store.audit.reads == [("u-hr", "interview.observe", "interview", "iv-7", ["cand-1"])]
