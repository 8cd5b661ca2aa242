"""Evaluation reports (JSON, page, PDF), human ratings next to the AI's, a person's decision on the AI's suggested
recommendation, and the candidate's review request."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import structlog
from aiohttp import web

from server.storage.outcomes import OutcomeWrite
from server.http.api_models import reports as m
from server.live import events as ev
from server.http.errors import ApiError, parse_body
from server.reports.interview_report import build_report, decision_out, suggestion_for
from server.reports.pdf import render_pdf
from server.storage.models import Interview
from server.http.access import CANDIDATE_LINK, PUBLIC, RATING, READING, ReadAudit, users
from server.http.routes.common import api, ctx_of, interview_from_link, org_interview
from server.http.routes.guard import shown_interview, user_of
from server.storage.models import iso_utc
from web_client import WEB_ROOT

log = structlog.get_logger(__name__)


def _reader_language(request: web.Request) -> str | None:
    """The reader's language for the report's own words: ?lang=en|zh (the page sends its reader's); absent: the
    interview's."""
    lang = request.query.get("lang")
    if lang not in (None, "en", "zh"):
        raise ApiError(400, "bad_query", "lang must be en or zh")
    return lang


async def _report(request: web.Request, iv: Interview) -> dict | None:
    store = ctx_of(request).store
    return await build_report(store.interviews, store.records, store.jobs, iv.id, iv, _reader_language(request))


@api.undocumented("GET", "/reports/{interview_id}", access=PUBLIC)  # the page; its data comes from the API
async def report_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(WEB_ROOT / "report.html", headers={"Cache-Control": "no-store"})


@api.route("GET", "/api/v1/interviews/{interview_id}/report", "The AI-generated evaluation report (JSON)", "reports",
           access=users(READING, scope="interview"), reads=ReadAudit("report.read", "interview"),
           response=m.ReportOut, query=("lang",), errors=(400, 404))
async def report_json(request: web.Request) -> web.Response:
    iv = await shown_interview(request)
    return web.json_response(await _report(request, iv))


@api.route("GET", "/api/v1/interviews/{interview_id}/report.pdf", "The evaluation report as a PDF", "reports",
           access=users(READING, scope="interview"), reads=ReadAudit("report.download", "interview"), query=("lang",),
           errors=(400, 404))
async def report_pdf(request: web.Request) -> web.Response:
    iv = await shown_interview(request)
    report = await _report(request, iv)
    pdf = await asyncio.get_running_loop().run_in_executor(None, render_pdf, report)
    name = f"interview-report-{iv.id[:8]}.pdf"
    return web.Response(body=pdf, content_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"})


@api.route("POST", "/api/v1/interviews/{interview_id}/reviews", "Add a person's rating of one competency",
           "reports", access=users(RATING, "Observers read interviews; the job's recruiters, hiring managers and "
                                   "admins rate them.", scope="interview"),
           body=m.ReviewRequest, response=m.ReviewOut, status=201, errors=(404, 422))
async def add_review(request: web.Request) -> web.Response:
    user = user_of(request)
    iv = await org_interview(request, user, request.match_info["interview_id"])
    body = await parse_body(request, m.ReviewRequest)
    review = await ctx_of(request).store.records.add_review(iv.id, user.id, body.competency, body.score, body.comment)
    out = m.ReviewOut(id=review.id, competency=review.competency, score=review.score, comment=review.comment)
    return web.json_response(out.model_dump(), status=201)


@api.route("POST", "/api/v1/interviews/{interview_id}/decision",
           "Record a person's decision (advance, hold, do not advance) on the AI's suggested recommendation", "reports",
           access=users(RATING, "Observers read interviews; the job's recruiters, hiring managers and admins decide "
                                "on them.", scope="interview"),
           body=m.DecisionRequest, response=m.DecisionOut, status=201, errors=(404, 422))
async def record_decision(request: web.Request) -> web.Response:
    """Kept with who, when, the AI's suggestion and the overall score at that moment; an earlier decision stays as
    history (the newest counts)."""
    user = user_of(request)
    iv = await org_interview(request, user, request.match_info["interview_id"])
    body = await parse_body(request, m.DecisionRequest)
    ctx = ctx_of(request)
    store = ctx.store
    planned = [q.competency for q in await store.jobs.plan_questions(iv.plan_id) if q.competency]
    weights = ((await store.jobs.plan_spec(iv.plan_id)) or {}).get("competency_weights") or {}
    suggestion = suggestion_for(await store.records.scores(iv.id), planned, weights)
    row = await store.records.add_decision(iv, user, body.decision, suggestion.suggestion, suggestion.overall,
                                           body.comment.strip())
    await _decision_to_outcome(store, iv, user, body.decision, ctx.clock())
    log.info("interview_decision", interview_id=iv.id, user_id=user.id, decision=row.decision,
             suggested=row.suggested)
    return web.json_response(m.DecisionOut(**decision_out(row)).model_dump(), status=201)


DECISION_OUTCOME = {"advance": "advanced", "do_not_advance": "rejected"}
"""A person's decision on the report as the candidate's hiring outcome for the job (analytics' funnel): "hold"
records none. An outcome that went further (advanced, or hired) is not taken back by a later "advance", and a hire
is never undone from the report (it is changed where outcomes are kept)."""


async def _decision_to_outcome(store, iv, user, decision: str, now) -> None:
    outcome = DECISION_OUTCOME.get(decision)
    if outcome is None:
        return
    current = await store.outcomes.get(iv.job_id, iv.candidate_id)
    if current is not None and (current.decision == "hired" or current.decision == outcome):
        return
    await store.outcomes.save(user.org_id, iv.job_id, [OutcomeWrite(iv.candidate_id, iv.id, outcome)], user.id,
                              "report", now)


@api.route("POST", "/api/v1/candidate/review-request", "The candidate asks for a human review of the interview",
           "candidate", access=CANDIDATE_LINK, body=m.CandidateReviewRequest, response=m.CandidateReviewResponse)
async def candidate_review_request(request: web.Request) -> web.Response:
    body = await parse_body(request, m.CandidateReviewRequest)
    iv = await interview_from_link(request, body.token)
    ctx = ctx_of(request)
    when, first = await ctx.store.interviews.request_review(iv.id, datetime.now(timezone.utc))
    if first:  # asking again (a second click, another tab) changes nothing
        await ctx.publish_event(ev.InterviewStateChanged(interview_id=iv.id, status=iv.status,
                                                         reason="human_review_requested"))
    return web.json_response(m.CandidateReviewResponse(requested_at=iso_utc(when)).model_dump())
