"""The organisation's team, for its admins: who is responsible for which job (recruiters, hiring managers) and
which interview (observers). What each role may do there is declared in server/http/access.py."""

from __future__ import annotations

from aiohttp import web

from server.http.access import ADMIN, INTERVIEW_ROLES, JOB_ROLES, users
from server.http.api_models import team as m
from server.http.errors import ApiError
from server.http.routes.common import api, ctx_of, in_org
from server.http.routes.guard import user_of
from server.storage.assignments import Assignments
from server.storage.models import User

REFUSAL = "Only your organisation's admins assign jobs and invite observers."
JOB_ADMINS = users(ADMIN, REFUSAL, scope="job")
INTERVIEW_ADMINS = users(ADMIN, REFUSAL, scope="interview")


def _member(u: User, a: Assignments | None) -> dict:
    a = a or Assignments(frozenset(), frozenset())
    return m.TeamMember(id=u.id, email=u.email, display_name=u.display_name, role=u.role,
                        job_ids=sorted(a.job_ids) if u.role in JOB_ROLES else [],
                        interview_ids=sorted(a.interview_ids) if u.role in INTERVIEW_ROLES else []).model_dump()


async def _colleague(request: web.Request, roles: frozenset[str], message: str) -> User:
    """The user named in the path: of the admin's organisation (404 otherwise), of one of ``roles`` (422)."""
    admin = user_of(request)
    user = in_org(await ctx_of(request).store.accounts.user(request.match_info["user_id"]), admin, "user")
    if user.role not in roles:
        raise ApiError(422, "wrong_role", message)
    return user


async def _answer(request: web.Request, user: User) -> web.Response:
    return web.json_response(_member(user, await ctx_of(request).store.assignments.of_user(user.id)))


@api.route("GET", "/api/v1/team", "The organisation's users, each with the jobs assigned to them or the interviews "
           "they observe (admins)", "team", access=users(ADMIN, REFUSAL), response=m.Team)
async def team(request: web.Request) -> web.Response:
    store = ctx_of(request).store
    org_id = user_of(request).org_id
    assigned = await store.assignments.of_org(org_id)
    return web.json_response({"users": [_member(u, assigned.get(u.id)) for u in await store.accounts.users(org_id)]})


JOB_ROLE_MESSAGE = "Only recruiters and hiring managers are assigned to jobs (admins are responsible for every job)."


@api.route("PUT", "/api/v1/jobs/{job_id}/members/{user_id}", "Make a recruiter or hiring manager responsible for "
           "the job (admins)", "team", access=JOB_ADMINS, response=m.TeamMember, errors=(404, 422))
async def assign_job(request: web.Request) -> web.Response:
    user = await _colleague(request, JOB_ROLES, JOB_ROLE_MESSAGE)
    admin = user_of(request)
    await ctx_of(request).store.assignments.assign_job(admin.org_id, request.match_info["job_id"], user.id, admin.id)
    return await _answer(request, user)


@api.route("DELETE", "/api/v1/jobs/{job_id}/members/{user_id}", "The recruiter or hiring manager is no longer "
           "responsible for the job (admins)", "team", access=JOB_ADMINS, response=m.TeamMember, errors=(404, 422))
async def unassign_job(request: web.Request) -> web.Response:
    user = await _colleague(request, JOB_ROLES, JOB_ROLE_MESSAGE)
    await ctx_of(request).store.assignments.unassign_job(request.match_info["job_id"], user.id)
    return await _answer(request, user)


OBSERVER_MESSAGE = "Only observers are invited to interviews; recruiters and hiring managers see their jobs' own."


@api.route("PUT", "/api/v1/interviews/{interview_id}/observers/{user_id}", "Invite an observer to the interview: "
           "they may read it, watch it live and read its report (admins)", "team", access=INTERVIEW_ADMINS,
           response=m.TeamMember, errors=(404, 422))
async def invite_observer(request: web.Request) -> web.Response:
    user = await _colleague(request, INTERVIEW_ROLES, OBSERVER_MESSAGE)
    admin = user_of(request)
    await ctx_of(request).store.assignments.invite_observer(admin.org_id, request.match_info["interview_id"], user.id,
                                                            admin.id)
    return await _answer(request, user)


@api.route("DELETE", "/api/v1/interviews/{interview_id}/observers/{user_id}", "The observer may no longer read the "
           "interview (admins)", "team", access=INTERVIEW_ADMINS, response=m.TeamMember, errors=(404, 422))
async def remove_observer(request: web.Request) -> web.Response:
    user = await _colleague(request, INTERVIEW_ROLES, OBSERVER_MESSAGE)
    await ctx_of(request).store.assignments.remove_observer(request.match_info["interview_id"], user.id)
    return await _answer(request, user)
