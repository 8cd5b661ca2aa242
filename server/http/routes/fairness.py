"""Voluntary self-identification by the candidate (by link) and the job's bias report (HR)."""

from __future__ import annotations

from aiohttp import web

from server.http.api_models import fairness as m
from server.compliance.fairness import job_bias_report
from server.compliance.self_id_survey import SurveyQuestion, survey_for
from server.http.errors import ApiError, parse_body
from server.http.access import CANDIDATE_LINK, RECRUITING, users
from server.http.routes.common import api, ctx_of, int_query, interview_from_link, org_job
from server.http.routes.guard import user_of


async def _survey(request: web.Request, iv) -> list[SurveyQuestion]:
    ctx = ctx_of(request)
    org = await ctx.store.accounts.org(iv.org_id)
    return survey_for(org.region if org else None, ctx.settings.self_id_questions)


def _out(row, survey: list[SurveyQuestion]) -> dict:
    questions = [m.SurveyQuestionOut(attribute=q.attribute, choices=list(q.choices)) for q in survey]
    if row is None:
        return m.SelfIdentificationOut(given=False, questions=questions).model_dump()
    return m.SelfIdentificationOut(given=True, sex=row.sex, race_ethnicity=row.race_ethnicity,
                                   age_band=row.age_band, questions=questions).model_dump()


@api.route("GET", "/api/v1/candidate/self-identification", "The candidate's voluntary self-identification, if given",
           "candidate", access=CANDIDATE_LINK, response=m.SelfIdentificationOut, query=("token",))
async def get_self_identification(request: web.Request) -> web.Response:
    iv = await interview_from_link(request, request.query.get("token", ""))
    return web.json_response(_out(await ctx_of(request).store.self_identification.get(iv.id),
                                  await _survey(request, iv)))


@api.route("POST", "/api/v1/candidate/self-identification", "Give (or change) voluntary self-identification for bias "
           "monitoring; it is kept apart and never used in any score", "candidate", access=CANDIDATE_LINK,
           body=m.SelfIdentificationRequest, response=m.SelfIdentificationOut, errors=(422,))
async def give_self_identification(request: web.Request) -> web.Response:
    body = await parse_body(request, m.SelfIdentificationRequest)
    iv = await interview_from_link(request, body.token)
    ctx = ctx_of(request)
    survey = await _survey(request, iv)
    asked = {q.attribute for q in survey}
    if not_asked := [a for a in ("sex", "race_ethnicity", "age_band") if getattr(body, a) is not None
                     and a not in asked]:
        raise ApiError(422, "not_asked", f"The survey does not ask for {', '.join(not_asked)} here.",
                       details=[{"field": a, "message": "not asked in this region"} for a in not_asked])
    if body.sex is None and body.race_ethnicity is None and body.age_band is None:
        await ctx.store.self_identification.withdraw(iv.id)  # "prefer not to say" to everything: nothing kept
    else:
        await ctx.store.self_identification.set(iv, body.sex, body.race_ethnicity, body.age_band, ctx.clock())
    return web.json_response(_out(await ctx.store.self_identification.get(iv.id), survey))


@api.route("DELETE", "/api/v1/candidate/self-identification", "Withdraw the self-identification (it is deleted)",
           "candidate", access=CANDIDATE_LINK, response=m.SelfIdentificationOut, query=("token",))
async def withdraw_self_identification(request: web.Request) -> web.Response:
    iv = await interview_from_link(request, request.query.get("token", ""))
    await ctx_of(request).store.self_identification.withdraw(iv.id)
    return web.json_response(_out(None, await _survey(request, iv)))


@api.route("GET", "/api/v1/jobs/{job_id}/bias", "Bias monitoring of the job's AI scores (NYC LL144 method: scoring "
           "rate above the median and impact ratio per self-identified group; ?min_group=5-100, default 5)",
           "analytics", access=users(RECRUITING, "Only the job's recruiters and admins read its bias report.",
                                     scope="job"),
           response=m.BiasReportOut, query=("min_group",), errors=(400, 404))
async def bias_report(request: web.Request) -> web.Response:
    user = user_of(request)
    job = await org_job(request, user, request.match_info["job_id"])
    # never under 5: candidates are told no group smaller than five is shown
    min_group = int_query(request, "min_group", 5, 5, 100)
    store = ctx_of(request).store
    report = await job_bias_report(store.records, store.self_identification, store.jobs, job.id, min_group)
    return web.json_response(m.BiasReportOut(**report).model_dump())
