"""Import a job's candidates from DingTalk recruiting (ATS) as a background import run, and tell the HR page which
integrations this server has set up.

A DingTalk import is one more source of the bulk-import runs (server/recruiting/imports.py, table from migration 0007):
the request answers 202 with the run at once; the run then reads the ATS job, lists its candidates (one item per
candidate, labelled with the DingTalk candidate id) and imports each resume (the file, else DingTalk's structured
resume), parsed like an uploaded one. Progress and per-candidate results are read with ``GET /api/v1/imports/{id}``
like any other run.

One person is stored once per job, whichever way they came in:

* by DingTalk id (migration 0006): a candidate imported before is ``updated`` (name, e-mail or resume changed) or
  ``unchanged``; one DingTalk candidate is one candidate row across the organisation's jobs;
* by contact keys (migration 0007): a DingTalk candidate whose e-mail or phone the job already has - e.g. uploaded
  as a file, or another DingTalk record of the same person - is a ``duplicate``: nothing is stored, the item names
  the existing candidate, and no link is made (importing again reports the same). The other way round, an upload of
  someone imported from DingTalk is a duplicate of them, as the import keeps the record's contact keys for the job.

DingTalk refusing the app (credentials, token), rate limits or outages that outlast the retries, and a refused ATS
job end the run ``failed`` with the reason; candidates imported until then are kept, the rest stay ``pending``.
A refusal about one candidate (e.g. DingTalk no longer knows them) fails only that item.
"""

from __future__ import annotations

import asyncio
import time

import structlog
from aiohttp import web

from analyzers.documents.resume_file import ResumeError
from server.http.api_models import dingtalk as m
from server.http.api_models.imports import ImportOut
from server.recruiting.imports import Outcome, ResumeReading, RunFailed, store_resume
from server.recruiting.connectors import dingtalk
from server.recruiting.connectors.dingtalk import (
    AtsCandidate,
    DingTalkAuthError,
    DingTalkClient,
    DingTalkError,
    DingTalkRateLimited,
    DingTalkTokenError,
    DingTalkUnavailable,
)
from server.http.errors import ApiError, parse_body
from server.recruiting.invitations import channel_for
from server.http.access import ANY_USER
from server.http.routes.common import api, ctx_of
from server.http.routes.guard import user_of
from server.http.routes.imports import IMPORTERS, IMPORTS_KEY, _job, _outs

log = structlog.get_logger(__name__)

SOURCE = "dingtalk"
CONCURRENCY = 4  # candidates fetched and parsed at once (DingTalk allows ~20 calls/s per app and API)
MAX_CANDIDATES = 500  # per import (and at most import_max_files)
FILE_TYPES = {"pdf": "application/pdf", "txt": "text/plain",
              "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
# DingTalk errors that end the whole run: nothing else would get through either
FATAL = (DingTalkAuthError, DingTalkTokenError, DingTalkRateLimited, DingTalkUnavailable)


def import_enabled(settings) -> bool:
    return dingtalk.enabled(settings) and bool(settings.dingtalk_operator_userid)


@api.route("GET", "/api/v1/integrations", "What this server has set up: the invitation channels HR can use and "
           "whether candidates can be imported from DingTalk", "auth", access=ANY_USER, response=m.Integrations)
async def integrations(request: web.Request) -> web.Response:
    settings = ctx_of(request).settings
    channels = [name for name in ("email", "dingtalk", "webhook")
                if (ch := channel_for(name, settings)) is not None and ch.enabled]
    out = m.Integrations(invitation_channels=channels, dingtalk_import=import_enabled(settings))
    return web.json_response(out.model_dump())


@api.route("POST", "/api/v1/jobs/{job_id}/imports/dingtalk", "Import the candidates of a DingTalk recruiting (ATS) "
           "job with their parsed resumes. Answers 202 with the import run at once (source dingtalk; follow it with "
           "GET /api/v1/imports/{id}): one item per ATS candidate, created / updated / unchanged / duplicate / "
           "failed; DingTalk refusing the app or staying rate-limited ends the run failed with the reason",
           "candidates", access=IMPORTERS, body=m.DingTalkImportRequest, response=ImportOut, status=202,
           errors=(404, 422, 429, 503))
async def import_from_dingtalk(request: web.Request) -> web.Response:
    user = user_of(request)
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
    manager = request.app[IMPORTS_KEY]
    with manager.reserve():
        run, _ = await ctx.store.imports.create(user.org_id, job.id, user.id, SOURCE,
                                                f"DingTalk ({body.ats_job_id})", [])
        manager.launch(run.id, _import(ctx, run.id, user.org_id, job.id, body), org_id=user.org_id)
    return web.json_response((await _outs(request, [run], with_items=True))[0], status=202)


def _run_failed(exc: DingTalkError, attempts: int) -> RunFailed:
    rest = " Candidates imported before this are kept; those still pending were not imported."
    if isinstance(exc, (DingTalkAuthError, DingTalkTokenError)):
        return RunFailed("dingtalk_auth_failed", f"DingTalk refused the app's credentials ({exc}); check "
                         f"INTERVIEW_DINGTALK_APP_KEY and _APP_SECRET.{rest}")
    if isinstance(exc, DingTalkRateLimited):
        return RunFailed("dingtalk_rate_limited", f"DingTalk still answered that the app calls too often after "
                         f"{attempts} tries ({exc}); import again later: candidates already imported are "
                         f"recognised.{rest}")
    if isinstance(exc, DingTalkUnavailable):
        return RunFailed("dingtalk_unavailable", f"DingTalk could not be reached or failed after {attempts} tries "
                         f"({exc}); import again later.{rest}")
    return RunFailed("dingtalk_error", f"DingTalk answered {exc}.{rest}")


async def _import(ctx, run_id: str, org_id: str, job_id: str, body: m.DingTalkImportRequest) -> None:
    """The run's work: list the ATS job's candidates as items, then import them ``CONCURRENCY`` at a time."""
    settings, store = ctx.settings, ctx.store
    until = int(time.time() * 1000)
    since = until - body.since_days * 86_400_000
    counts: dict[str, int] = {}
    try:
        async with DingTalkClient.connect(settings) as dt:
            ats_job = await dt.job_info(body.ats_job_id)
            await store.imports.update(run_id, filename=f"DingTalk: {ats_job.name or '?'} ({body.ats_job_id})")
            listing = await dt.job_candidates(body.ats_job_id, since, until, concurrency=CONCURRENCY,
                                              max_candidates=min(MAX_CANDIDATES, settings.import_max_files))
            item_ids = await store.imports.add_items(run_id, [(c.candidate_id, c.name) for c in listing.candidates])
            if listing.truncated:
                await store.imports.update(run_id, error_code="truncated", error_message=(
                    f"DingTalk listed more than one import takes ({listing.flows_scanned} applications read, "
                    f"{len(listing.candidates)} candidates imported); import again with fewer days."))
            gate = asyncio.Semaphore(CONCURRENCY)

            async def one(item_id: str, c: AtsCandidate) -> None:
                async with gate:
                    try:
                        outcome = await _import_one(store, dt, settings, org_id, job_id, body.ats_job_id, c, item_id)
                    except FATAL:
                        raise  # ends the run (the TaskGroup cancels the others)
                    except DingTalkError as exc:
                        outcome = Outcome("failed", name=c.name, error_code="dingtalk_error",
                                          error_message=f"DingTalk answered {exc}")
                    except Exception:  # noqa: BLE001 - one candidate's failure must not lose the others
                        log.exception("dingtalk_import_candidate_failed", candidate=c.candidate_id)
                        outcome = Outcome("failed", name=c.name, error_code="internal_error",
                                          error_message="this candidate could not be processed (server error); "
                                          "nothing was stored")
                    counts[outcome.status] = counts.get(outcome.status, 0) + 1
                    await outcome.record(store.imports, item_id)

            try:
                async with asyncio.TaskGroup() as tg:
                    for item_id, c in zip(item_ids, listing.candidates, strict=True):
                        tg.create_task(one(item_id, c))
            except BaseExceptionGroup as group:
                raise group.exceptions[0] from None
    except DingTalkError as exc:
        raise _run_failed(exc, settings.dingtalk_max_attempts) from exc
    finally:
        log.info("dingtalk_import", import_id=run_id, job_id=job_id, ats_job_id=body.ats_job_id, **counts)


async def _import_one(store, dt: DingTalkClient, settings, org_id: str, job_id: str, ats_job_id: str,
                      c: AtsCandidate, item_id: str) -> Outcome:
    limit = settings.import_max_file_bytes
    resume = await dt.resume(c.candidate_id, ats_job_id)
    if resume.file_url:
        data = await dt.download(resume.file_url, limit)
        if data is None:
            return Outcome("failed", name=c.name, error_code="too_large",
                           error_message=f"The resume file is larger than {limit / 2**20:,.0f} MB.")
        ftype = resume.file_type.lower().lstrip(".")
        filename = resume.file_name or f"{c.candidate_id}.{ftype or 'bin'}"
        content_type = FILE_TYPES.get(ftype, "")
    elif resume.data:
        data = dingtalk.resume_text(resume.data).encode()
        filename, content_type = f"{c.candidate_id}.txt", "text/plain"
    else:
        return Outcome("failed", name=c.name, error_code="no_resume",
                       error_message="DingTalk has no resume for this candidate.")
    try:
        stored = await store_resume(store.imports, store.external, org_id, job_id, data, filename, content_type,
                                    reading=ResumeReading.of(settings, limit), name=c.name,
                                    external=(SOURCE, c.candidate_id), import_item_id=item_id)
    except ResumeError as exc:
        return Outcome("failed", name=c.name, error_code=exc.code, error_message=exc.message)
    if stored.outcome == "duplicate":
        return Outcome("duplicate", stored.candidate.id, c.name, "duplicate", stored.duplicate_message)
    return Outcome(stored.outcome, stored.candidate.id, stored.candidate.name)
