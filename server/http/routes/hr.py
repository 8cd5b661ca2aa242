"""HR API: jobs, interviews and their stored records (each user's: the jobs and interviews they are
responsible for, server/http/access.py). Logging in and out: routes/login.py."""

from __future__ import annotations

from aiohttp import web

from server.http.api_models import hr as m
from dialogue.plan_io import PlanError, dump_plan, plan_to_questions
from dialogue.plan_library import library_plan, list_library
from server.http.errors import ApiError, parse_body
from server.recruiting.plans import plan_for_job, read_plan
from server.recruiting.requirements import read_new_description
from server.http.access import ANY_USER, JOB_ROLES, LISTING, READING, RECRUITING, ReadAudit, users
from server.http.routes.common import api, ctx_of, org_job
from server.http.routes.guard import changed_by, shown_interview, user_of
from server.http.routes.scope import responsibility, responsible_candidate, responsible_job


CREATES_JOBS = users(RECRUITING, "Only recruiters and admins create jobs.")
PLANS = users(RECRUITING, "Only recruiters and admins read and edit a job's plan.", scope="job")


def _member(user) -> str | None:
    """Who is responsible for a job the user creates: a recruiter, themselves (admins are for every job)."""
    return user.id if user.role in JOB_ROLES else None


@api.route("GET", "/api/v1/jobs", "The jobs the user is responsible for (admins: all of the organisation's)", "jobs",
           access=LISTING, response=m.JobList)
async def list_jobs(request: web.Request) -> web.Response:
    user = user_of(request)
    mine = await responsibility(request, user)
    jobs = await ctx_of(request).store.jobs.for_org(user.org_id, None if mine.whole_org else mine.job_ids)
    return web.json_response(m.JobList(jobs=[m.JobOut(id=j.id, title=j.title, description=j.description,
                                                      language=j.language) for j in jobs]).model_dump())


@api.route("POST", "/api/v1/jobs", "Create a job with its question plan (a recruiter creating it is responsible for "
           "it)", "jobs", access=CREATES_JOBS, body=m.CreateJobRequest,
           response=m.JobOut, status=201, errors=(422,))
async def create_job(request: web.Request) -> web.Response:
    user = user_of(request)
    body = await parse_body(request, m.CreateJobRequest)
    job = await ctx_of(request).store.jobs.create(user.org_id, body.title, body.description, body.language,
                                                  [q.model_dump() for q in body.questions], member_id=_member(user),
                                                  by=changed_by(request))
    out = m.JobOut(id=job.id, title=job.title, description=job.description, language=job.language)
    return web.json_response(out.model_dump(), status=201)


@api.route("GET", "/api/v1/plan-library", "Default interview plans for common roles", "jobs",
           access=ANY_USER, response=m.LibraryList)
async def plan_library(request: web.Request) -> web.Response:
    return web.json_response({"plans": list_library()})


@api.route("POST", "/api/v1/jobs/import", "Create a job from an interview plan (YAML/JSON text or a library plan)",
           "jobs", access=CREATES_JOBS, body=m.ImportPlanRequest,
           response=m.JobOut, status=201, errors=(422,))
async def import_job(request: web.Request) -> web.Response:
    user = user_of(request)
    body = await parse_body(request, m.ImportPlanRequest)
    plan = await _plan_from(body)
    if body.language not in plan.languages:
        raise ApiError(422, "invalid_plan", f"The plan has no {body.language} texts (it has {', '.join(plan.languages)}).")
    title = body.title or plan.title.get(body.language) or next(iter(plan.title.values()))
    job = await ctx_of(request).store.jobs.create(user.org_id, title, body.description, body.language,
                                                  plan_to_questions(plan, body.language),
                                                  spec=plan.model_dump(mode="json"), member_id=_member(user),
                                                  by=changed_by(request))
    out = m.JobOut(id=job.id, title=job.title, description=job.description, language=job.language)
    return web.json_response(out.model_dump(), status=201)


@api.route("POST", "/api/v1/jobs/from-description", "Create a job from its pasted description: the interview "
           "follows a library plan; the answer carries the requirements read from the description", "jobs",
           access=CREATES_JOBS, body=m.JobFromDescriptionRequest,
           response=m.JobWithRequirements, status=201, errors=(400, 422))
async def job_from_description(request: web.Request) -> web.Response:
    user = user_of(request)
    body = await parse_body(request, m.JobFromDescriptionRequest)
    try:
        plan = library_plan(body.library_plan)
    except KeyError as exc:
        raise ApiError(422, "unknown_plan", f"No library plan {body.library_plan!r}.") from exc
    ctx = ctx_of(request)
    reading = await read_new_description(body.description, body.language, ctx.language_model.client,
                                         ctx.settings.description_model_wait_s)
    requirements = reading.requirements
    language = body.language or requirements.language  # the description's own language
    if language not in plan.languages:
        raise ApiError(422, "invalid_plan", f"The plan has no {language} texts (it has {', '.join(plan.languages)}).")
    title = body.title.strip()
    job = await ctx.store.jobs.create(user.org_id, title, body.description, language,
                                      plan_to_questions(plan, language), spec=plan.model_dump(mode="json"),
                                      member_id=_member(user), by=changed_by(request))
    if reading.read_by == "model":  # the rules alone would read the description differently next time
        await ctx.store.matching.save_requirements(job.id, requirements.model_dump(mode="json"), user.id)
    out = m.JobWithRequirements(job=m.JobOut(id=job.id, title=job.title, description=job.description,
                                             language=job.language), requirements=requirements,
                                read_by=reading.read_by)
    return web.json_response(out.model_dump(mode="json"), status=201)


@api.route("GET", "/api/v1/jobs/{job_id}/plan", "Export a job's interview plan (?format=yaml|json)", "jobs",
           access=PLANS, errors=(404,))
async def export_plan(request: web.Request) -> web.Response:
    user = user_of(request)
    ctx = ctx_of(request)
    job = await org_job(request, user, request.match_info["job_id"])
    fmt = request.query.get("format", "yaml")
    if fmt not in ("yaml", "json"):
        raise ApiError(400, "bad_format", "format must be yaml or json")
    plan = await plan_for_job(ctx.store.jobs, job)
    content_type = "application/yaml" if fmt == "yaml" else "application/json"
    return web.Response(text=dump_plan(plan, fmt), content_type=content_type, charset="utf-8")


@api.route("PUT", "/api/v1/jobs/{job_id}/plan", "Save an edited plan as the job's new plan version "
           "(interviews already created keep theirs)", "jobs",
           access=PLANS, body=m.ImportPlanRequest,
           response=m.JobOut, errors=(404, 422))
async def update_plan(request: web.Request) -> web.Response:
    user = user_of(request)
    ctx = ctx_of(request)
    job = await org_job(request, user, request.match_info["job_id"])
    body = await parse_body(request, m.ImportPlanRequest)
    plan = await _plan_from(body)
    if job.language not in plan.languages:
        raise ApiError(422, "invalid_plan", f"The plan has no {job.language} texts, the job's interview language.")
    await ctx.store.jobs.add_plan_version(job.id, job.language, plan_to_questions(plan, job.language),
                                          plan.model_dump(mode="json"))
    return web.json_response(m.JobOut(id=job.id, title=job.title, description=job.description,
                                      language=job.language).model_dump())


async def _plan_from(body: m.ImportPlanRequest):
    if bool(body.plan) == bool(body.library_plan):
        raise ApiError(422, "invalid_request", "Give either plan (YAML or JSON text) or library_plan.")
    try:
        return library_plan(body.library_plan) if body.library_plan else await read_plan(body.plan)
    except KeyError as exc:
        raise ApiError(422, "unknown_plan", f"No library plan {body.library_plan!r}.") from exc
    except PlanError as exc:
        raise ApiError(422, "invalid_plan", "The plan has errors: " + "; ".join(p["message"] for p in exc.problems),
                       exc.problems) from exc


@api.route("POST", "/api/v1/interviews", "Create an interview for a candidate and return the candidate link",
           "interviews", access=users(RECRUITING, "Only recruiters and admins create interviews.", scope="job",
                                      scope_from="body"),
           body=m.CreateInterviewRequest, response=m.CreateInterviewResponse, status=201, errors=(404, 422))
async def create_interview(request: web.Request) -> web.Response:
    user = user_of(request)
    body = await parse_body(request, m.CreateInterviewRequest)
    ctx = ctx_of(request)
    job = await responsible_job(request, user, body.job_id)
    if body.candidate_id:  # 404 unless the candidate has a resume or an interview in one of the user's jobs
        await responsible_candidate(request, user, body.candidate_id)
    elif body.candidate is None:
        raise ApiError(422, "invalid_request", "Give the candidate (name, email) or a candidate_id.")
    iv = await ctx.store.interviews.create(user.org_id, job.id, body.candidate.name if body.candidate else "",
                                           body.candidate.email if body.candidate else "",
                                           body.language or job.language, candidate_id=body.candidate_id)
    token = ctx.signer.link_token(iv.id, iv.link_nonce)
    out = m.CreateInterviewResponse(interview_id=iv.id, token=token, link=f"{ctx.settings.resolved_base_url}/i/{token}")
    return web.json_response(out.model_dump(), status=201)


@api.route("GET", "/api/v1/interviews/{interview_id}", "One interview: turns, transcript, consents, events",
           "interviews", access=users(READING, scope="interview"), reads=ReadAudit("interview.read", "interview"),
           response=m.InterviewDetail,
           errors=(404,))
async def get_interview(request: web.Request) -> web.Response:
    iv = await shown_interview(request)
    return web.json_response(await ctx_of(request).store.interviews.detail(iv.id))
