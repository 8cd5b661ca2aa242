"""Import a job's candidates from DingTalk recruiting (ATS): each resume parsed into a profile, once per candidate."""

from __future__ import annotations

import asyncio
import time

import structlog
from aiohttp import web

from analyzers.resume_parser import ResumeError
from server import api_models as m
from server.candidate_import import store_resume
from server.connectors import dingtalk
from server.connectors.dingtalk import AtsCandidate, DingTalkAuthError, DingTalkClient, DingTalkError
from server.http_errors import ApiError, parse_body
from server.routes.common import api, ctx_of, current_user
from server.routes.matching import MAX_RESUME_BYTES, _job

log = structlog.get_logger(__name__)

SOURCE = "dingtalk"
CONCURRENCY = 4  # candidates fetched and parsed at once (DingTalk allows ~20 calls/s per app and API)
FILE_TYPES = {"pdf": "application/pdf", "txt": "text/plain",
              "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _failed(c: AtsCandidate, code: str, message: str) -> m.DingTalkImportedCandidate:
    return m.DingTalkImportedCandidate(external_id=c.candidate_id, name=c.name, status="failed",
                                       error=m.ErrorInfo(code=code, message=message))


@api.route("POST", "/api/v1/jobs/{job_id}/imports/dingtalk", "Import the candidates of a DingTalk recruiting (ATS) "
           "job with their parsed resumes; importing again updates them (created / updated / unchanged / failed per "
           "candidate)", "candidates", body=m.DingTalkImportRequest, response=m.DingTalkImportResult, auth="session",
           errors=(401, 404, 422, 502, 503))
async def import_from_dingtalk(request: web.Request) -> web.Response:
    user = await current_user(request)
    job = await _job(request, user)
    body = await parse_body(request, m.DingTalkImportRequest)
    ctx = ctx_of(request)
    settings = ctx.settings
    if not dingtalk.enabled(settings):
        raise ApiError(503, "dingtalk_not_configured", "DingTalk is not set up on this server "
                       "(INTERVIEW_DINGTALK_APP_KEY, _APP_SECRET and _AGENT_ID).")
    if not settings.dingtalk_operator_userid:
        raise ApiError(503, "dingtalk_operator_not_configured", "The DingTalk import needs the userid of the HR "
                       "account it acts for (INTERVIEW_DINGTALK_OPERATOR_USERID).")
    until = int(time.time() * 1000)
    since = until - body.since_days * 86_400_000
    try:
        async with DingTalkClient.connect(settings) as dt:
            ats_job = await dt.job_info(body.ats_job_id)
            listing = await dt.job_candidates(body.ats_job_id, since, until, concurrency=CONCURRENCY)
            gate = asyncio.Semaphore(CONCURRENCY)

            async def one(c: AtsCandidate) -> m.DingTalkImportedCandidate:
                async with gate:
                    try:
                        return await _import_one(ctx.store, dt, user.org_id, job.id, body.ats_job_id, c)
                    except DingTalkError as exc:
                        return _failed(c, "dingtalk_error", f"DingTalk answered {exc}")
                    except Exception as exc:  # noqa: BLE001 - one candidate's failure must not lose the others
                        log.exception("dingtalk_import_candidate_failed", candidate=c.candidate_id)
                        return _failed(c, "internal_error", f"{type(exc).__name__}")

            results = list(await asyncio.gather(*(one(c) for c in listing.candidates)))
    except DingTalkAuthError as exc:
        raise ApiError(502, "dingtalk_auth_failed", f"DingTalk refused the app credentials ({exc}); check "
                       "INTERVIEW_DINGTALK_APP_KEY and _APP_SECRET.") from exc
    except DingTalkError as exc:
        raise ApiError(502, "dingtalk_error", f"DingTalk answered {exc}") from exc
    counts = {k: sum(1 for r in results if r.status == k) for k in ("created", "updated", "unchanged", "failed")}
    log.info("dingtalk_import", job_id=job.id, ats_job_id=body.ats_job_id, flows=listing.flows_scanned, **counts)
    out = m.DingTalkImportResult(job_id=job.id, ats_job_id=body.ats_job_id, ats_job_name=ats_job.name,
                                 results=results, counts=counts, truncated=listing.truncated)
    return web.json_response(out.model_dump())


async def _import_one(store, dt: DingTalkClient, org_id: str, job_id: str, ats_job_id: str,
                      c: AtsCandidate) -> m.DingTalkImportedCandidate:
    resume = await dt.resume(c.candidate_id, ats_job_id)
    if resume.file_url:
        data = await dt.download(resume.file_url, MAX_RESUME_BYTES)
        if data is None:
            return _failed(c, "too_large", f"The resume file is larger than {MAX_RESUME_BYTES // 2**20} MB.")
        ftype = resume.file_type.lower().lstrip(".")
        filename = resume.file_name or f"{c.candidate_id}.{ftype or 'bin'}"
        content_type = FILE_TYPES.get(ftype, "")
    elif resume.data:
        data = dingtalk.resume_text(resume.data).encode()
        filename, content_type = f"{c.candidate_id}.txt", "text/plain"
    else:
        return _failed(c, "no_resume", "DingTalk has no resume for this candidate.")
    try:
        stored = await store_resume(store, org_id, job_id, data, filename, content_type, name=c.name,
                                    external=(SOURCE, c.candidate_id))
    except ResumeError as exc:
        return _failed(c, exc.code, str(exc))
    return m.DingTalkImportedCandidate(external_id=c.candidate_id, name=stored.candidate.name,
                                       status=stored.outcome, candidate_id=stored.candidate.id)
