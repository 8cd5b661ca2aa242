"""The organisation's team, for its admins: who is responsible for which job (recruiters, hiring managers) and
which interview (observers). What each role may do there is declared in server/http/access.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from server.http.access import ADMIN, INTERVIEW_ROLES, JOB_ROLES, users
from server.http.api_models import team as m
from server.http.errors import ApiError
from server.http.routes.common import api, ctx_of, in_org
from server.http.routes.guard import changed_by, user_of
from server.storage.account_changes import ChangedBy
from server.storage.assignments import AssignmentRepository, Assignments
from server.storage.models import User, iso_utc

REFUSAL = "Only your organisation's admins assign jobs and invite observers."
JOB_ADMINS = users(ADMIN, REFUSAL, scope="job")
INTERVIEW_ADMINS = users(ADMIN, REFUSAL, scope="interview")


def member_out(u: User, a: Assignments | None) -> dict:
    a = a or Assignments(frozenset(), frozenset())
    return m.TeamMember(id=u.id, email=u.email, display_name=u.display_name, role=u.role,
                        job_ids=sorted(a.job_ids) if u.role in JOB_ROLES else [],
                        interview_ids=sorted(a.interview_ids) if u.role in INTERVIEW_ROLES else [],
                        dingtalk_userid=u.dingtalk_userid, active=u.active,
                        last_login_at=iso_utc(u.last_login_at)).model_dump()


async def _change(request: web.Request, roles: frozenset[str], message: str,
                  change: Callable[[AssignmentRepository, ChangedBy, User], Awaitable[None]]) -> web.Response:
    """Apply ``change(assignments, by, user)`` for the user named in the path, who must be of the admin's
    organisation (404 otherwise) and of one of ``roles`` (422); ``by`` is the admin, for the account log. The answer
    is that user as the team shows them."""
    admin = user_of(request)
    store = ctx_of(request).store
    user = in_org(await store.accounts.user(request.match_info["user_id"]), admin, "user")
    if user.role not in roles:
        raise ApiError(422, "wrong_role", message)
    await change(store.assignments, changed_by(request), user)
    return web.json_response(member_out(user, await store.assignments.of_user(user.id)))


@api.route("GET", "/api/v1/team", "The organisation's users, each with the jobs assigned to them or the interviews "
           "they observe (admins)", "team", access=users(ADMIN, REFUSAL), response=m.Team)
async def team(request: web.Request) -> web.Response:
    store = ctx_of(request).store
    org_id = user_of(request).org_id
    assigned = await store.assignments.of_org(org_id)
    members = [member_out(u, assigned.get(u.id)) for u in await store.accounts.users(org_id)]
    return web.json_response({"users": members})


JOB_ROLE_MESSAGE = "Only recruiters and hiring managers are assigned to jobs (admins are responsible for every job)."
OBSERVER_MESSAGE = "Only observers are invited to interviews; recruiters and hiring managers see their jobs' own."


@api.route("PUT", "/api/v1/jobs/{job_id}/members/{user_id}", "Make a recruiter or hiring manager responsible for "
           "the job (admins)", "team", access=JOB_ADMINS, response=m.TeamMember, errors=(404, 422))
async def assign_job(request: web.Request) -> web.Response:
    job_id = request.match_info["job_id"]
    return await _change(request, JOB_ROLES, JOB_ROLE_MESSAGE,
                         lambda repo, by, user: repo.assign_job(user.org_id, job_id, user.id, by))


@api.route("DELETE", "/api/v1/jobs/{job_id}/members/{user_id}", "The recruiter or hiring manager is no longer "
           "responsible for the job (admins)", "team", access=JOB_ADMINS, response=m.TeamMember, errors=(404, 422))
async def unassign_job(request: web.Request) -> web.Response:
    job_id = request.match_info["job_id"]
    return await _change(request, JOB_ROLES, JOB_ROLE_MESSAGE,
                         lambda repo, by, user: repo.unassign_job(job_id, user.id, by))


@api.route("PUT", "/api/v1/interviews/{interview_id}/observers/{user_id}", "Invite an observer to the interview: "
           "they may read it, watch it live and read its report (admins)", "team", access=INTERVIEW_ADMINS,
           response=m.TeamMember, errors=(404, 422))
async def invite_observer(request: web.Request) -> web.Response:
    interview_id = request.match_info["interview_id"]
    return await _change(request, INTERVIEW_ROLES, OBSERVER_MESSAGE,
                         lambda repo, by, user: repo.invite_observer(user.org_id, interview_id, user.id, by))


@api.route("DELETE", "/api/v1/interviews/{interview_id}/observers/{user_id}", "The observer may no longer read the "
           "interview (admins)", "team", access=INTERVIEW_ADMINS, response=m.TeamMember, errors=(404, 422))
async def remove_observer(request: web.Request) -> web.Response:
    interview_id = request.match_info["interview_id"]
    return await _change(request, INTERVIEW_ROLES, OBSERVER_MESSAGE,
                         lambda repo, by, user: repo.remove_observer(interview_id, user.id, by))
