"""The permission matrix, generated from the route table: every route × every role × a record of the user's own job,
of another job of their organisation and of another organisation, each expected answer computed from the route's
declaration (server/http/access.py) and what each role is responsible for in BRIEF section 4.

Each request goes to the real server; a spy on every handler tells whether the guard let the request through.
Expected, for a logged-in user:

* a role the route does not admit: 403, the handler never runs;
* a record (job, interview, import, candidate) the user is not responsible for: 404, like a record of another
  organisation (named by the path: the handler never runs; named by the body: the handler refuses it);
* otherwise the handler runs, and its answer is not a refusal (401, 403, 404).

Whatever the answer, it never contains the id of a record the user is not responsible for. Without a session,
every user route answers 401; a public route never refuses; a candidate-link route never answers a success without
the candidate's link. A route that is served but was registered without a declaration fails the test, and so does a
route whose path or scope the world below cannot fill (add it, with what each role may reach).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

import aiohttp
import pytest
from aiohttp.web_urldispatcher import StaticResource

from server.http.access import ROLES, SCOPE_PARAMS, Access
from server.http.app import create_app
from server.http.auth import hash_password
from server.http.routes.common import api
from server.storage.store import Store
from tests.harness import running_server

pytestmark = pytest.mark.unit

CASES = ("own", "other_job", "other_org")
PASSWORD = "matrix password 1"
SPY_HEADER = "X-Matrix-Request"
ORDER = ("observer", "hiring_manager", "recruiter", "admin")
assert set(ORDER) == set(ROLES), "a new role needs its place in the matrix (and in RESPONSIBLE below)"


@dataclass
class Records:
    """One job's family of records: the job, an interview (and its candidate), an import run, a slot."""

    job_id: str
    interview_id: str
    candidate_id: str
    import_id: str
    slot_id: str
    user_id: str  # a colleague in the records' organisation (a recruiter nobody assigned), for the team routes

    @property
    def ids(self) -> set[str]:
        return {self.job_id, self.interview_id, self.candidate_id, self.import_id, self.slot_id}

    def param(self, name: str) -> str:
        values = {"job_id": self.job_id, "interview_id": self.interview_id, "candidate_id": self.candidate_id,
                  "import_id": self.import_id, "slot_id": self.slot_id, "user_id": self.user_id}
        if name not in values:
            raise AssertionError(f"the permission matrix has no value for {{{name}}}: add it to its world")
        return values[name]


# What each role is responsible for in the world: "own" is the records of the job assigned to the recruiter and the
# hiring manager, whose interview the observer was invited to; "other_job" a job of the same organisation nobody
# was assigned; "other_org" a job of another organisation. (scope, case) pairs the role may reach:
RESPONSIBLE: dict[str, set[tuple[str, str]]] = {
    "admin": {(scope, case) for scope in SCOPE_PARAMS for case in ("own", "other_job")},
    "recruiter": {(scope, "own") for scope in SCOPE_PARAMS},
    "hiring_manager": {(scope, "own") for scope in SCOPE_PARAMS},
    "observer": {("interview", "own"), ("candidate", "own")},  # the interview they observe, and its candidate
}
assert set(RESPONSIBLE) == set(ROLES)


def expected(access: Access, role: str, case: str) -> str:
    """'forbidden', 'not_found' or 'admitted', from the declaration alone."""
    if not access.admits(role):
        return "forbidden"
    if access.scope in SCOPE_PARAMS and (access.scope, case) not in RESPONSIBLE[role]:
        return "not_found"
    return "admitted"


def may_see(role: str, case: str) -> bool:
    """Whether the answers may show the records of ``case`` to ``role`` at all."""
    return any((scope, case) in RESPONSIBLE[role] for scope in SCOPE_PARAMS)


async def _family(store: Store, org_id: str, colleague_id: str, title: str) -> Records:
    job = await store.jobs.create(org_id, title, "Builds things", "en", [{"text": "Tell me about a project."}])
    iv = await store.interviews.create(org_id, job.id, f"Candidate of {title}", "", "en")
    run, _ = await store.imports.create(org_id, job.id, None, "upload", "people.csv", ["one.pdf"])
    start = datetime(2031, 1, 1, 9, tzinfo=timezone.utc)
    slots = await store.scheduling.add_slots(job.id, [(start, start + timedelta(minutes=30))], 1, None)
    return Records(job.id, iv.id, iv.candidate_id, run.id, slots[0].id, colleague_id)


@dataclass
class World:
    org_a: str
    org_b: str
    users: dict[str, str]  # role -> user id in org A
    spare: dict[str, str]  # org -> an unassigned recruiter

    async def build(self, store: Store) -> dict[str, Records]:
        """A fresh family of records for each of the three cases."""
        records = {"own": await _family(store, self.org_a, self.spare[self.org_a], "Own job"),
                   "other_job": await _family(store, self.org_a, self.spare[self.org_a], "Other job"),
                   "other_org": await _family(store, self.org_b, self.spare[self.org_b], "Other company's job")}
        own = records["own"]
        for role in ("recruiter", "hiring_manager"):
            await store.assignments.assign_job(self.org_a, own.job_id, self.users[role], None)
        await store.assignments.invite_observer(self.org_a, own.interview_id, self.users["observer"], None)
        return records


async def _world(store: Store) -> World:
    a, b = await store.accounts.create_org("Acme"), await store.accounts.create_org("Other company")
    pw = hash_password(PASSWORD)
    users = {role: (await store.accounts.create_user(a.id, f"{role}@acme.test", pw, role=role)).id for role in ROLES}
    spare = {org.id: (await store.accounts.create_user(org.id, f"spare@{org.name[:5].lower()}.test", pw)).id
             for org in (a, b)}
    await store.accounts.create_user(b.id, "admin@other.test", pw, role="admin")
    return World(a.id, b.id, users, spare)


def _path(template: str, records: Records) -> str:
    return re.sub(r"\{(\w+)\}", lambda mt: records.param(mt.group(1)) if mt.group(1) != "token" else "not-a-token",
                  template)


def _body(access: Access, records: Records) -> dict:
    return {access.scope_param: records.param(access.scope_param)} if access.scope_from == "body" else {}


async def _call(http: aiohttp.ClientSession, method: str, path: str, body: dict, tag: str) -> tuple[int, str]:
    kwargs = {"json": body} if method in ("post", "put", "patch", "delete") else {}
    async with http.request(method.upper(), path, headers={SPY_HEADER: tag}, allow_redirects=False, **kwargs) as r:
        return r.status, (await r.read()).decode("utf-8", "replace")


async def test_every_route_answers_every_role_as_declared(sqlite_url, tmp_path, monkeypatch, capsys):
    entered: set[str] = set()

    def spy(handler):
        async def spied(request):
            entered.add(request.headers.get(SPY_HEADER, ""))
            return await handler(request)
        return spied

    monkeypatch.setattr(api, "routes", [replace(r, handler=spy(r.handler)) for r in api.routes])
    counts: Counter[str] = Counter()
    failures: list[str] = []
    async with running_server(sqlite_url, tmp_path, seed=False) as h:
        undeclared = [name for name, declared in _served(h.settings) if not declared]
        assert not undeclared, f"served without a declaration of who may call them: {undeclared}"
        store = h.ctx.store
        world = await _world(store)
        sessions: dict[str, aiohttp.ClientSession] = {}
        try:
            for role in ROLES:
                sessions[role] = aiohttp.ClientSession(h.base_url, cookie_jar=aiohttp.CookieJar(unsafe=True))
                async with sessions[role].post("/api/v1/auth/login",
                                               json={"email": f"{role}@acme.test", "password": PASSWORD}) as r:
                    assert r.status == 200, await r.text()
            anonymous = sessions["anonymous"] = aiohttp.ClientSession(h.base_url)
            n = itertools.count()
            for route in api.routes:
                name = f"{route.method.upper()} {route.path}"
                access = route.access
                records = await world.build(store)
                if access.caller == "user":
                    tag = f"r{next(n)}"
                    status, _ = await _call(anonymous, route.method, _path(route.path, records["own"]), {}, tag)
                    if status != 401 or tag in entered:
                        failures.append(f"{name} without a session: {status}")
                    counts["anonymous"] += 1
                for role, case in itertools.product(ORDER, CASES):
                    if case == CASES[0] and role != ORDER[0] and route.method != "get":
                        records = await world.build(store)  # fresh for each role: one's writes never decide another's
                    rec = records[case]
                    tag = f"r{next(n)}"
                    # public routes are called without a session (logging out would end it)
                    http = anonymous if access.caller == "public" else sessions[role]
                    status, text = await _call(http, route.method, _path(route.path, rec), _body(access, rec), tag)
                    ran = tag in entered
                    counts[access.caller] += 1
                    if access.caller == "public":
                        got, want = ("refused" if status in (401, 403) or not ran else "admitted"), "admitted"
                    elif access.caller == "candidate_link":  # no link given: never an answer
                        got, want = ("refused" if status >= 400 else f"answered {status}"), "refused"
                    else:
                        want = expected(access, role, case)
                        if status == 403 and not ran:
                            got = "forbidden"
                        elif status == 404 and (not ran or access.scope_from == "body"):
                            got = "not_found"
                        elif ran and status not in (401, 403, 404):
                            got = "admitted"
                        else:
                            got = f"{status} (handler {'ran' if ran else 'did not run'})"
                        counts[want] += 1
                        for other in CASES:
                            if not may_see(role, other) and (shown := records[other].ids & set(re.findall(
                                    r"[0-9a-f]{32}", text))):
                                failures.append(f"{name} as {role} ({case}) shows {other}'s records {shown}")
                    if got != want:
                        failures.append(f"{name} as {role} ({case}): expected {want}, got {got}")
        finally:
            for http in sessions.values():
                await http.close()
    user_routes = [r for r in api.routes if r.access.caller == "user"]
    summary = (f"permission matrix: {len(user_routes)} user routes × {len(ROLES)} roles × {len(CASES)} cases = "
               f"{counts['forbidden'] + counts['not_found'] + counts['admitted']} checks (forbidden "
               f"{counts['forbidden']}, not found {counts['not_found']}, admitted {counts['admitted']}); "
               f"{counts['anonymous']} without a session; {len(api.routes) - len(user_routes)} public and "
               f"candidate-link routes × {len(ROLES) * len(CASES)} ({counts['public'] + counts['candidate_link']})")
    with capsys.disabled():
        print("\n" + summary)
    assert not failures, "\n".join(failures)
    assert counts["forbidden"] + counts["not_found"] + counts["admitted"] == len(user_routes) * len(ROLES) * len(CASES)


def _served(settings) -> list[tuple[str, bool]]:
    """Every route the app serves (its static files aside), and whether it was declared."""
    app = create_app(settings)
    return [(f"{r.method} {r.resource.canonical}", getattr(r.handler, "route", None) is not None)
            for r in app.router.routes() if not isinstance(r.resource, StaticResource)]
