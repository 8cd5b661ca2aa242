"""HR API: login, jobs, interviews and their stored records (all scoped to the user's organisation)."""

from __future__ import annotations

from aiohttp import web

from server import api_models as m
from server.auth import hash_password, password_needs_rehash, verify_password
from server.http_errors import ApiError, parse_body
from server.routes.common import SESSION_COOKIE, api, ctx_of, current_user, org_interview


def _user_out(u) -> dict:
    return m.UserOut(id=u.id, email=u.email, role=u.role, org_id=u.org_id, display_name=u.display_name).model_dump()


@api.route("POST", "/api/v1/auth/login", "Log in as an HR user; sets the session cookie", "auth",
           body=m.LoginRequest, response=m.LoginResponse, errors=(401, 422))
async def login(request: web.Request) -> web.Response:
    body = await parse_body(request, m.LoginRequest)
    ctx = ctx_of(request)
    user = await ctx.store.user_by_email(body.email)
    # Verify against a dummy hash when the user is unknown, so timing does not reveal which emails exist.
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, body.password) and user is not None
    if not ok:
        raise ApiError(401, "bad_credentials", "Wrong email or password.")
    if password_needs_rehash(user.password_hash):
        await ctx.store.set_password_hash(user.id, hash_password(body.password))
    resp = web.json_response({"user": _user_out(user)})
    resp.set_cookie(SESSION_COOKIE, ctx.signer.session_token(user.id), httponly=True, samesite="Lax",
                    max_age=ctx.settings.session_max_age_s, secure=ctx.settings.resolved_base_url.startswith("https"))
    return resp


_DUMMY_HASH = hash_password("not-a-real-password")


@api.route("POST", "/api/v1/auth/logout", "Log out", "auth", status=204)
async def logout(request: web.Request) -> web.Response:
    resp = web.Response(status=204)
    resp.del_cookie(SESSION_COOKIE)
    return resp


@api.route("GET", "/api/v1/auth/me", "The logged-in user", "auth", response=m.LoginResponse, auth="session",
           errors=(401,))
async def me(request: web.Request) -> web.Response:
    return web.json_response({"user": _user_out(await current_user(request))})


@api.route("GET", "/api/v1/jobs", "Jobs of the user's organisation", "jobs", response=m.JobList, auth="session",
           errors=(401,))
async def list_jobs(request: web.Request) -> web.Response:
    user = await current_user(request)
    jobs = await ctx_of(request).store.jobs(user.org_id)
    return web.json_response(m.JobList(jobs=[m.JobOut(id=j.id, title=j.title, description=j.description,
                                                      language=j.language) for j in jobs]).model_dump())


@api.route("POST", "/api/v1/jobs", "Create a job with its question plan", "jobs", body=m.CreateJobRequest,
           response=m.JobOut, status=201, auth="session", errors=(401, 403, 422))
async def create_job(request: web.Request) -> web.Response:
    user = await current_user(request)
    if user.role not in ("admin", "hr"):
        raise ApiError(403, "forbidden", "Only HR users and admins create jobs.")
    body = await parse_body(request, m.CreateJobRequest)
    job = await ctx_of(request).store.create_job(user.org_id, body.title, body.description, body.language,
                                                 [q.model_dump() for q in body.questions])
    out = m.JobOut(id=job.id, title=job.title, description=job.description, language=job.language)
    return web.json_response(out.model_dump(), status=201)


@api.route("POST", "/api/v1/interviews", "Create an interview for a candidate and return the candidate link",
           "interviews", body=m.CreateInterviewRequest, response=m.CreateInterviewResponse, status=201,
           auth="session", errors=(401, 404, 422))
async def create_interview(request: web.Request) -> web.Response:
    user = await current_user(request)
    body = await parse_body(request, m.CreateInterviewRequest)
    ctx = ctx_of(request)
    job = await ctx.store.job(body.job_id)
    if job is None or job.org_id != user.org_id:
        raise ApiError(404, "not_found", "No such job.")
    iv = await ctx.store.create_interview(user.org_id, job.id, body.candidate.name, body.candidate.email,
                                          body.language or job.language)
    token = ctx.signer.link_token(iv.id, iv.link_nonce)
    out = m.CreateInterviewResponse(interview_id=iv.id, token=token, link=f"{ctx.settings.resolved_base_url}/i/{token}")
    return web.json_response(out.model_dump(), status=201)


@api.route("GET", "/api/v1/interviews", "Interviews of the user's organisation", "interviews",
           response=m.InterviewList, auth="session", errors=(401,))
async def list_interviews(request: web.Request) -> web.Response:
    user = await current_user(request)
    ctx = ctx_of(request)
    rows = []
    for iv in await ctx.store.interviews(user.org_id):
        live = ctx.live.get(iv.id)
        rows.append(m.InterviewSummary(
            id=iv.id, status=iv.status, language=iv.language, job_title=iv.job.title, candidate_name=iv.candidate.name,
            created_at=iv.created_at.isoformat() if iv.created_at else None,
            live_connected=bool(live and live.connected)))
    return web.json_response(m.InterviewList(interviews=rows).model_dump())


@api.route("GET", "/api/v1/interviews/{interview_id}", "One interview: turns, transcript, consents, events",
           "interviews", response=m.InterviewDetail, auth="session", errors=(401, 404))
async def get_interview(request: web.Request) -> web.Response:
    user = await current_user(request)
    iv = await org_interview(request, user, request.match_info["interview_id"])
    return web.json_response(await ctx_of(request).store.interview_detail(iv.id))
