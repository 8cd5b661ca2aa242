"""Hiring outcomes (decisions, performance ratings: one at a time or a CSV file) and the HR analytics of a job:
match scores, the funnel per source channel, rater agreement, AI scores against performance and the suggested
competency weights a person may accept. Every analytic answers JSON, or ``?format=csv|xlsx`` for a spreadsheet."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import BodyPartReader, web
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from dialogue.plan import InterviewPlanSpec
from dialogue.plan_io import plan_to_questions
from server.http.access import LISTED, RATING, RECRUITING, ReadAudit, users
from server.http.api_models import analytics as m
from server.http.errors import ApiError, parse_body
from server.http.routes.common import api, ctx_of, int_query, org_interview, org_job
from server.http.routes.guard import record_shown, user_of
from server.http.routes.scope import responsibility
from server.recruiting.outcome_csv import check_rows, read_outcome_csv
from server.recruiting.plans import plan_for_job
from server.reports import analytics as an
from server.reports.analytics_stats import normalised
from server.reports.tables import CONTENT_TYPES, Table, to_csv, to_xlsx
from server.storage.models import CandidateOutcome, CompetencyWeightDecision, Job, iso_utc
from server.storage.outcomes import OutcomeWrite
from web_client import catalogue

OUTCOMES = users(RATING, "Observers read interviews; the job's recruiters, hiring managers and admins record what "
                 "became of its candidates.", scope="job")
ANALYTICS = users(RATING, "Only the job's recruiters, hiring managers and admins read its analytics.", scope="job")
MATCHES = users(RECRUITING, "Only the job's recruiters and admins read its resume match scores.", scope="job")
WEIGHTS = users(RECRUITING, "Only the job's recruiters and admins change its plan.", scope="job")
FORMATS = ("json", "csv", "xlsx")


# --- outcomes ------------------------------------------------------------------------------------------------
def _outcome_out(o: CandidateOutcome, name: str | None = None) -> dict:
    perf = None
    if o.performance_rating is not None:
        perf = m.PerformanceOut(rating=o.performance_rating, months=o.performance_months,
                                rated_on=o.performance_date.isoformat() if o.performance_date else None)
    return m.OutcomeOut(job_id=o.job_id, candidate_id=o.candidate_id, candidate_name=name,
                        interview_id=o.interview_id, decision=o.decision, decided_at=iso_utc(o.decided_at),
                        decided_by=o.decided_by, performance=perf, source=o.source,
                        updated_at=iso_utc(o.updated_at)).model_dump(mode="json")


@api.route("PUT", "/api/v1/interviews/{interview_id}/outcome", "Record what became of the interview's candidate for "
           "its job (advanced, hired, rejected) and, for a hire, a performance rating after some months; it "
           "replaces the candidate's earlier outcome for the job", "outcomes",
           access=users(RATING, OUTCOMES.refusal, scope="interview"), body=m.OutcomeRequest, response=m.OutcomeOut,
           errors=(404, 422))
async def set_outcome(request: web.Request) -> web.Response:
    user = user_of(request)
    iv = await org_interview(request, user, request.match_info["interview_id"])
    body = await parse_body(request, m.OutcomeRequest)
    ctx = ctx_of(request)
    now = ctx.clock()
    perf = body.performance
    if perf is not None and body.decision != "hired":
        raise ApiError(422, "performance_without_hire", "A performance rating needs decision hired.")
    rated_on = (perf.rated_on or now.date()) if perf else None
    if rated_on is not None and rated_on > now.date():
        raise ApiError(422, "future_date", "The performance rating's date is in the future.")
    write = OutcomeWrite(iv.candidate_id, iv.id, body.decision, perf.rating if perf else None,
                         perf.months if perf else None, rated_on)
    saved = await ctx.store.outcomes.save(user.org_id, iv.job_id, [write], user.id, "api", now)
    return web.json_response(_outcome_out(saved.rows[0]))


@api.route("DELETE", "/api/v1/interviews/{interview_id}/outcome", "Remove the outcome of the interview's candidate "
           "for its job (e.g. recorded by mistake)", "outcomes",
           access=users(RATING, OUTCOMES.refusal, scope="interview"), status=204, errors=(404,))
async def delete_outcome(request: web.Request) -> web.Response:
    iv = await org_interview(request, user_of(request), request.match_info["interview_id"])
    await ctx_of(request).store.outcomes.delete(iv.job_id, iv.candidate_id)
    return web.Response(status=204)


@api.route("GET", "/api/v1/jobs/{job_id}/outcomes", "The job's recorded outcomes, newest decision first",
           "outcomes", access=OUTCOMES, reads=ReadAudit("outcomes.read", "job"), response=m.OutcomeList,
           errors=(404,))
async def list_outcomes(request: web.Request) -> web.Response:
    job = await org_job(request, user_of(request), request.match_info["job_id"])
    rows = await ctx_of(request).store.outcomes.for_jobs([job.id])
    await record_shown(request, [o.candidate_id for o, _ in rows])
    return web.json_response({"outcomes": [_outcome_out(o, name) for o, name in rows]})


@api.route("POST", "/api/v1/jobs/{job_id}/outcomes/import", "Import outcomes from a CSV file (multipart, one .csv): "
           "every row is checked first; one wrong row and nothing is stored, the answer lists every problem "
           "(422 invalid_rows, details [{row, field, code, message}])", "outcomes", access=OUTCOMES,
           response=m.OutcomeImportResult, errors=(404, 413, 415, 422))
async def import_outcomes(request: web.Request) -> web.Response:
    user = user_of(request)
    job = await org_job(request, user, request.match_info["job_id"])
    ctx = ctx_of(request)
    settings = ctx.settings
    if not request.content_type.startswith("multipart/"):
        raise ApiError(415, "unsupported_media_type", "Send the outcomes as a CSV file in multipart/form-data.")
    filename, data = await _one_file(request, settings.outcome_csv_max_bytes)
    rows = await an.off_loop(read_outcome_csv, data, filename, settings.outcome_csv_max_rows)
    now = ctx.clock()
    writes, problems = await an.off_loop(check_rows, rows, await ctx.store.outcomes.job_candidates(job.id), now.date())
    if problems:
        raise ApiError(422, "invalid_rows", f"{len({p.row for p in problems})} of {len(rows)} rows cannot be "
                       "imported; nothing was stored. Correct them and send the file again.",
                       [m.RowProblemOut(**vars(p)).model_dump() for p in problems[:500]])
    saved = await ctx.store.outcomes.save(user.org_id, job.id, writes, user.id, "csv", now)
    return web.json_response(m.OutcomeImportResult(rows=len(writes), created=saved.created,
                                                   updated=saved.updated).model_dump())


async def _one_file(request: web.Request, limit: int) -> tuple[str, bytes]:
    """The upload's one file part (413 beyond ``limit`` bytes, 422 without a file)."""
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or not part.filename:
            continue
        data = bytearray()
        while chunk := await part.read_chunk(64 * 1024):
            data += chunk
            if len(data) > limit:
                raise ApiError(413, "upload_too_large", f"The file is larger than {limit // 1024:,} KB; split it. "
                               "Nothing was imported.")
        return part.filename[:300], bytes(data)
    raise ApiError(422, "no_files", "Attach the outcomes as a CSV file.")


# --- analytics -----------------------------------------------------------------------------------------------
def _format(request: web.Request) -> str:
    fmt = request.query.get("format", "json")
    if fmt not in FORMATS:
        raise ApiError(400, "bad_format", "format must be json, csv or xlsx")
    return fmt


def _language(request: web.Request, job: Job) -> str:
    """The language of a download's competency names: ?lang=en|zh, else the job's."""
    lang = request.query.get("lang")
    if lang not in (None, "en", "zh"):
        raise ApiError(400, "bad_query", "lang must be en or zh")
    return lang or catalogue.language(job.language)


async def _answer(request: web.Request, fmt: str, name: str, report: dict,
                  tables: Callable[[dict], list[Table]]) -> web.Response:
    """The report as JSON, or its tables as a CSV or XLSX download."""
    if fmt == "json":
        return web.json_response(report)
    data = to_csv(tables(report)) if fmt == "csv" else await an.off_loop(to_xlsx, tables(report))
    return web.Response(body=data, content_type=CONTENT_TYPES[fmt], charset="utf-8" if fmt == "csv" else None,
                        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"',
                                 "Cache-Control": "no-store"})


async def _job(request: web.Request) -> Job:
    return await org_job(request, user_of(request), request.match_info["job_id"])


@api.route("GET", "/api/v1/jobs/{job_id}/analytics/match-scores", "The distribution of the job's resume match "
           "scores (0-100, ?bins=2-50, default 10) and their mean, median and n per ?period=week|month (default "
           "month) of arrival; ?format=json|csv|xlsx", "analytics", access=MATCHES, response=m.MatchScoresOut,
           query=("bins", "period", "format"), errors=(400, 404))
async def match_scores(request: web.Request) -> web.Response:
    job = await _job(request)
    fmt, bins = _format(request), int_query(request, "bins", 10, 2, 50)
    period = request.query.get("period", "month")
    if period not in ("week", "month"):
        raise ApiError(400, "bad_query", "period must be week or month")
    store = ctx_of(request).store
    report = await an.match_scores(store.matching, store.analytics, job, bins, period)
    return await _answer(request, fmt, f"match-scores-{job.id[:8]}", report, an.match_score_tables)


@api.route("GET", "/api/v1/jobs/{job_id}/analytics/funnel", "The job's funnel per source channel: candidates, "
           "invited, interviewed, scored, advanced, hired; ?format=json|csv|xlsx", "analytics", access=ANALYTICS,
           response=m.FunnelOut, query=("format",), errors=(400, 404))
async def job_funnel(request: web.Request) -> web.Response:
    job = await _job(request)
    fmt = _format(request)
    report = await an.funnel_report(ctx_of(request).store.analytics, [job.id])
    return await _answer(request, fmt, f"funnel-{job.id[:8]}", report, an.funnel_tables)


@api.route("GET", "/api/v1/analytics/funnel", "The funnel per source channel over every job the user is responsible "
           "for (admins: the organisation's); ?format=json|csv|xlsx", "analytics",
           access=users(RATING, ANALYTICS.refusal, scope=LISTED), response=m.FunnelOut, query=("format",),
           errors=(400,))
async def funnel(request: web.Request) -> web.Response:
    user = user_of(request)
    fmt = _format(request)
    mine = await responsibility(request, user)
    store = ctx_of(request).store
    jobs = await store.jobs.for_org(user.org_id, None if mine.whole_org else mine.job_ids)
    report = await an.funnel_report(store.analytics, [j.id for j in jobs])
    return await _answer(request, fmt, "funnel", report, an.funnel_tables)


@api.route("GET", "/api/v1/jobs/{job_id}/analytics/consistency", "How AI and people agree per competency, and people "
           "with each other: ICC(2,1) and quadratic-weighted kappa with 95 % bootstrap intervals and n; "
           "?format=json|csv|xlsx (?lang=en|zh: the download's competency names, default the job's language)",
           "analytics", access=ANALYTICS, response=m.ConsistencyOut, query=("format", "lang"), errors=(400, 404))
async def consistency(request: web.Request) -> web.Response:
    job = await _job(request)
    fmt, lang = _format(request), _language(request, job)
    ctx = ctx_of(request)
    report = await an.consistency_report(ctx.store.analytics, job.id, an.AnalyticsConfig.of(ctx.settings))
    report["competency_names"] = (await plan_for_job(ctx.store.jobs, job)).competency_names()
    return await _answer(request, fmt, f"consistency-{job.id[:8]}", report,
                         lambda r: an.consistency_tables(r, lang))


def _decision_out(d: CompetencyWeightDecision) -> dict:
    return m.WeightDecisionOut(id=d.id, plan_version=d.plan_version, weights=d.weights,
                               previous_weights=d.previous_weights, accepted_by=d.accepted_by,
                               accepted_by_email=d.accepted_by_email,
                               accepted_at=iso_utc(d.accepted_at)).model_dump()


async def _validity(request: web.Request, job: Job) -> tuple[dict, InterviewPlanSpec]:
    ctx = ctx_of(request)
    store = ctx.store
    plan = await plan_for_job(store.jobs, job)
    competencies = list(dict.fromkeys(q.competency for q in plan.questions))
    data = await an.validity_data(store.analytics, store.jobs.interview_weights, job.id, competencies,
                                  plan.competency_weights)
    report = await an.validity_report(data, an.AnalyticsConfig.of(ctx.settings))
    report = {"job_id": job.id, "outcomes": await store.analytics.decision_counts(job.id), **report,
              "decisions": [_decision_out(d) for d in await store.outcomes.weight_decisions(job.id)],
              "competency_names": plan.competency_names()}
    return report, plan


@api.route("GET", "/api/v1/jobs/{job_id}/analytics/validity", "AI scores against performance after hiring: "
           "Spearman's correlation per competency with n and 95 % interval (Fisher z), and suggested competency "
           "weights that apply only once a person accepts them; ?format=json|csv|xlsx (?lang=en|zh: the download's "
           "competency names, default the job's language)", "analytics",
           access=ANALYTICS, response=m.ValidityOut, query=("format", "lang"), errors=(400, 404))
async def validity(request: web.Request) -> web.Response:
    job = await _job(request)
    fmt, lang = _format(request), _language(request, job)
    report, _ = await _validity(request, job)
    return await _answer(request, fmt, f"validity-{job.id[:8]}", report, lambda r: an.validity_tables(r, lang))


@api.route("POST", "/api/v1/jobs/{job_id}/analytics/weights", "Accept the suggested competency weights: the job's "
           "plan gets a new version carrying them (interviews already created keep theirs), recorded with who "
           "accepted them; 409 when there is no suggestion or it has changed since it was shown", "analytics",
           access=WEIGHTS, body=m.AcceptWeightsRequest, response=m.AcceptWeightsOut, status=201,
           errors=(404, 409, 422))
async def accept_weights(request: web.Request) -> web.Response:
    user = user_of(request)
    job = await _job(request)
    body = await parse_body(request, m.AcceptWeightsRequest)
    report, plan = await _validity(request, job)
    suggestion = report["suggestion"]
    if suggestion is None:
        raise ApiError(409, "no_suggestion", f"There are no suggested weights to accept ({report['no_suggestion']}).")
    shown = body.weights
    if set(shown) != set(suggestion["weights"]) or not all(abs(shown[c] - w) <= 0.0005  # (NaN: not the same)
                                                          for c, w in suggestion["weights"].items()):
        raise ApiError(409, "suggestion_changed", "The suggested weights have changed since they were shown; "
                       "look at them again.", [{"field": c, "message": str(w)}
                                               for c, w in suggestion["weights"].items()])
    try:
        weighted = InterviewPlanSpec.model_validate({**plan.model_dump(mode="json"),
                                                     "competency_weights": suggestion["weights"]})
    except ValidationError as exc:  # not expected: the suggestion covers exactly the plan's competencies
        raise ApiError(409, "plan_changed", "The plan's competencies changed; look at the suggestion again.") from exc
    ctx = ctx_of(request)
    basis = {"method": report["method"], "rated_hires": report["rated_hires"],
             "min_n": suggestion["min_n"], "shrinkage_n": suggestion["shrinkage_n"],
             "correlations": {c["competency"]: c["correlation"] for c in report["competencies"]}}
    previous = normalised(plan.competency_weights, list(suggestion["weights"]))
    try:
        decision = await ctx.store.outcomes.accept_weights(
            user.org_id, job.id, job.language, plan_to_questions(weighted, job.language),
            weighted.model_dump(mode="json"), {c: round(w, 3) for c, w in previous.items()},
            suggestion["weights"], basis, user, ctx.clock())
    except IntegrityError as exc:  # another plan version was saved at the same moment
        raise ApiError(409, "plan_changed", "The plan changed at the same moment; look at the suggestion again.") \
            from exc
    return web.json_response({"decision": _decision_out(decision)}, status=201)
