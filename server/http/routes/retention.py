"""Retention periods, legal hold and erasure of a candidate's data (organisation admins; HR may read the periods)."""

from __future__ import annotations

from aiohttp import web

from server.http.api_models import retention as m
from server.http.access import ADMIN, ANY_USER, ReadAudit, users
from server.http.errors import ApiError, parse_body
from server.http.routes.common import api, ctx_of, org_candidate
from server.http.routes.guard import record_shown, user_of
from server.storage.models import Candidate, User, iso_utc

ADMINS = users(ADMIN, "Only your organisation's admins manage retention and deletion.")
CANDIDATE_ADMINS = users(ADMIN, ADMINS.refusal, scope="candidate")


async def _org_candidate(request: web.Request, user: User) -> Candidate:
    return await org_candidate(request, user, request.match_info["candidate_id"])


async def _periods_out(request: web.Request, org_id: str) -> dict:
    p = await ctx_of(request).retention.periods(org_id)
    return m.RetentionOut(interview_content_days=p.interview_content_days, candidate_days=p.candidate_days,
                          is_default=p.is_default).model_dump()


@api.route("GET", "/api/v1/retention", "How long the organisation keeps candidates' data", "retention",
           access=ANY_USER, response=m.RetentionOut)
async def get_retention(request: web.Request) -> web.Response:
    return web.json_response(await _periods_out(request, user_of(request).org_id))


@api.route("PUT", "/api/v1/retention", "Set the organisation's retention periods (admins)", "retention",
           access=ADMINS, body=m.RetentionRequest, response=m.RetentionOut, errors=(422,))
async def set_retention(request: web.Request) -> web.Response:
    user = user_of(request)
    body = await parse_body(request, m.RetentionRequest)
    ctx = ctx_of(request)
    await ctx.store.retention.set_policy(user.org_id, body.interview_content_days, body.candidate_days, user.id,
                                         ctx.clock())
    return web.json_response(await _periods_out(request, user.org_id))


@api.route("POST", "/api/v1/retention/run", "Delete now what the retention periods say is due (admins; the server "
           "also does this every hour)", "retention", access=ADMINS, response=m.RetentionRunOut)
async def run_retention(request: web.Request) -> web.Response:
    swept = await ctx_of(request).retention.sweep_org(user_of(request).org_id)
    return web.json_response(m.RetentionRunOut(**swept).model_dump())


@api.route("GET", "/api/v1/retention/deletions", "What was deleted, when and why (ids and counts only; admins)",
           "retention", access=ADMINS, response=m.DeletionList)
async def list_deletions(request: web.Request) -> web.Response:
    rows = await ctx_of(request).store.retention.deletions(user_of(request).org_id)
    return web.json_response(m.DeletionList(deletions=[m.DeletionOut(
        id=d.id, at=iso_utc(d.at), reason=d.reason, scope=d.scope, candidate_id=d.candidate_id,
        interview_id=d.interview_id, actor_email=d.actor_email, counts=d.counts) for d in rows]).model_dump())


@api.route("PUT", "/api/v1/candidates/{candidate_id}/legal-hold", "Place or lift a legal hold: while held, nothing "
           "of the candidate is deleted (admins)", "retention", access=CANDIDATE_ADMINS, body=m.LegalHoldRequest,
           response=m.LegalHoldOut, errors=(404, 422))
async def legal_hold(request: web.Request) -> web.Response:
    user = user_of(request)
    cand = await _org_candidate(request, user)
    body = await parse_body(request, m.LegalHoldRequest)
    if body.hold and not body.reason.strip():
        raise ApiError(422, "reason_required", "Say why the data must be kept (e.g. the case or request).")
    ctx = ctx_of(request)
    cand = await ctx.store.retention.set_legal_hold(cand.id, body.hold, body.reason.strip(), user.id, ctx.clock())
    if cand is None:
        raise ApiError(404, "not_found", "No such candidate.")
    return web.json_response(m.LegalHoldOut(
        candidate_id=cand.id, legal_hold=cand.legal_hold_at is not None, reason=cand.legal_hold_reason,
        since=iso_utc(cand.legal_hold_at)).model_dump())


@api.route("GET", "/api/v1/candidates", "The organisation's candidates, newest first (at most 500; from interviews, "
           "uploads and imports alike), with their legal-hold state (admins)", "retention", access=ADMINS,
           reads=ReadAudit("candidates.list", "org"), response=m.CandidateList)
async def list_candidates(request: web.Request) -> web.Response:
    rows = await ctx_of(request).store.retention.org_candidates(user_of(request).org_id)
    await record_shown(request, [c.id for c in rows])
    return web.json_response(m.CandidateList(candidates=[m.CandidateOut(
        id=c.id, name=c.name, created_at=iso_utc(c.created_at),
        legal_hold=c.legal_hold_at is not None,
        legal_hold_since=iso_utc(c.legal_hold_at),
        legal_hold_reason=c.legal_hold_reason) for c in rows]).model_dump())


@api.route("DELETE", "/api/v1/candidates/{candidate_id}", "Erase everything stored about a candidate now, e.g. on "
           "their request (admins)", "retention", access=CANDIDATE_ADMINS, response=m.ErasureOut, errors=(404, 409))
async def erase_candidate(request: web.Request) -> web.Response:
    user = user_of(request)
    cand = await _org_candidate(request, user)
    ctx = ctx_of(request)
    interview_ids = await ctx.store.retention.candidate_interview_ids(cand.id)
    result = await ctx.store.retention.erase_candidate(cand.id, "erasure_request", ctx.clock(), user.id, user.email)
    if result == "legal_hold":
        raise ApiError(409, "legal_hold", "This candidate's data is under legal hold; lift the hold before erasing.")
    if result == "interview_in_progress":
        raise ApiError(409, "interview_in_progress", "The candidate is in an interview right now; erase it after.")
    if result == "not_found":
        raise ApiError(404, "not_found", "No such candidate.")
    for iv_id in interview_ids:  # a finished interview of theirs may still be open on this node: close it
        if (live := ctx.live.pop(iv_id, None)) is not None:
            await live.close()
    return web.json_response(m.ErasureOut(candidate_id=cand.id, deleted=result).model_dump())
