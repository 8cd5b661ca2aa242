"""Candidate API: the link's session, consents, and the WebRTC offer/answer."""

from __future__ import annotations

import asyncio

from aiohttp import web

from analyzers.text.language import normalise_language
from dialogue.session import PRACTICE_TIME_LIMIT_S
from media.peer import SdpError, check_offer
from server.http.api_models import candidate as m
from server.live import events as ev
from server.compliance.consents import CONSENT_KINDS, CONSENT_VERSION, DISCLOSURE_TEXT, consent_text
from server.http.errors import ApiError, parse_body
from server.http.forwarding import forward_json, serve_or_forward
from server.live.interview import ConnectError
from server.http.access import CANDIDATE_LINK
from server.http.routes.common import api, client_ip, ctx_of, interview_from_link
from server.storage.models import iso_utc


def _lang(language: str | None, fallback: str) -> str:
    return normalise_language(language or fallback)


async def _consents_out(request: web.Request, interview_id: str, lang: str) -> list[m.ConsentOut]:
    current = await ctx_of(request).store.interviews.current_consents(interview_id)
    return [
        m.ConsentOut(kind=k.kind, version=CONSENT_VERSION, text=consent_text(k, lang), required=k.required,
                     granted=current[k.kind].granted if k.kind in current else None)
        for k in CONSENT_KINDS
    ]


@api.route("GET", "/api/v1/candidate/session", "What the candidate sees before joining", "candidate",
           access=CANDIDATE_LINK, response=m.CandidateSession, query=("token",))
async def candidate_session(request: web.Request) -> web.Response:
    iv = await interview_from_link(request, request.query.get("token", ""))
    ctx = ctx_of(request)
    lang = _lang(request.query.get("lang"), iv.language)
    questions = await ctx.store.jobs.plan_questions(iv.plan_id)
    limits = [q.time_limit_s for q in questions]
    face_voice = "with_consent" if ctx.settings.nonverbal_analysis else "off"
    begun = iv.status in ("finished", "failed") or (iv.status == "live" and bool(await ctx.store.records.turns(iv.id)))
    out = m.CandidateSession(
        interview_id=iv.id, candidate_name=iv.candidate.name, job_title=iv.job.title, language=iv.language,
        status=iv.status, disclosure=DISCLOSURE_TEXT[lang], consents=await _consents_out(request, iv.id, lang),
        questions_total=len(questions), question_time_limits_s=limits, expected_duration_s=sum(limits),
        analysis=[m.AnalysisOut(kind="speech", when="always"), m.AnalysisOut(kind="content", when="always"),
                  m.AnalysisOut(kind="face_voice", when=face_voice)],
        practice=m.PracticeOut(available=not begun, time_limit_s=PRACTICE_TIME_LIMIT_S),
        review_requested_at=iso_utc(iv.review_requested_at))
    return web.json_response(out.model_dump())


@api.route("POST", "/api/v1/candidate/consents", "Record the candidate's consent decisions", "candidate",
           access=CANDIDATE_LINK, body=m.ConsentRequest, response=m.ConsentResponse, errors=(409, 422))
async def give_consents(request: web.Request) -> web.Response:
    body = await parse_body(request, m.ConsentRequest)
    iv = await interview_from_link(request, body.token)
    ctx = ctx_of(request)
    if iv.status in ("finished", "failed"):
        raise ApiError(409, "interview_finished", "This interview has already ended.")
    lang = _lang(body.language, iv.language)
    decisions = body.decisions.model_dump()
    await ctx.store.interviews.record_consents(
        iv, [(k.kind, CONSENT_VERSION, decisions[k.kind], consent_text(k, lang)) for k in CONSENT_KINDS],
        client_ip(request), request.headers.get("User-Agent", ""))
    await ctx.publish_event(ev.ConsentsRecorded(interview_id=iv.id, version=CONSENT_VERSION, decisions=decisions))
    if not decisions["ai_evaluation"]:
        raise ApiError(409, "consent_required", "The AI interview needs consent to AI evaluation. You can ask the "
                       "recruiter for an interview with a person instead.")
    if iv.status == "created":
        await ctx.store.interviews.update(iv.id, status="consented")
        iv.status = "consented"
        await ctx.publish_event(ev.InterviewStateChanged(interview_id=iv.id, status="consented"))
    return web.json_response(m.ConsentResponse(status=iv.status,
                                               consents=await _consents_out(request, iv.id, lang)).model_dump())


@api.route("POST", "/api/v1/candidate/offer", "Send the browser's WebRTC offer; get the server's answer",
           "candidate", access=CANDIDATE_LINK, body=m.OfferRequest, response=m.AnswerResponse,
           errors=(409, 413, 422, 503))
async def offer(request: web.Request) -> web.Response:
    body = await parse_body(request, m.OfferRequest)
    iv = await interview_from_link(request, body.token)
    ctx = ctx_of(request)
    try:
        check_offer(body.sdp, ctx.settings.max_sdp_bytes)
    except SdpError as exc:
        raise ApiError(400, "bad_sdp", str(exc)) from exc
    if iv.status == "created":
        raise ApiError(409, "consent_required", "Please give your consent before joining.")
    if iv.status in ("finished", "failed"):
        raise ApiError(409, "interview_finished", "This interview has already ended.")
    consents = await ctx.store.interviews.current_consents(iv.id)
    if not (consents.get("ai_evaluation") and consents["ai_evaluation"].granted):
        raise ApiError(409, "consent_required", "Please give your consent before joining.")
    # the interview runs on one node: this one (placed here now, or already), or the one the offer goes on to
    forwarded = await serve_or_forward(request, iv.id, lambda node: forward_json(request, node, request.path,
                                                                                 body.model_dump()))
    if forwarded is not None:
        return forwarded
    try:
        live = await ctx.live_interview(iv.id)
    except (LookupError, FileNotFoundError, RuntimeError) as exc:
        raise ApiError(503, "models_unavailable", f"Speech recognition is not available: {exc}") from exc
    try:
        answer, conn_id = await asyncio.wait_for(live.connect(body.sdp, body.takeover, practice=body.practice),
                                                 timeout=20)
    except BaseException as exc:
        await ctx.release_unconnected(iv.id)  # a refused offer leaves nothing running
        if isinstance(exc, SdpError):
            raise ApiError(400, "bad_sdp", str(exc)) from exc
        if isinstance(exc, ConnectError):
            raise ApiError(exc.status, exc.code, exc.message) from exc
        if isinstance(exc, asyncio.TimeoutError):
            raise ApiError(503, "connect_timeout", "The connection could not be set up in time; please try "
                           "again.") from exc
        raise
    return web.json_response(m.AnswerResponse(sdp=answer, connection_id=conn_id, node=ctx.nodes.node_id).model_dump())
