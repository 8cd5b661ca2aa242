"""A DingTalk recruiting (ATS) import's run: read the ATS job, list its candidates as the run's items, import each
resume (the file, else DingTalk's structured resume) parsed like an uploaded one. The route that starts it and what
HR sees: server/http/routes/dingtalk.py.

The run is an ``import.run`` queue job like an upload's (server/recruiting/imports.py); its request (ATS job, days
back, and the end of the listing window, fixed when HR asked) is in the job's encrypted payload, so any node may
run it. A run resumed on another node does not list again once its items are stored: it imports the candidates still
pending (an item already recorded is skipped; each stored candidate was recorded in its own transaction).
"""

from __future__ import annotations

import asyncio

import structlog

from analyzers.documents.resume_file import ResumeError
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
from server.recruiting.imports import (STOPPED_MESSAGE, ImportManager, Outcome, ResumeReading, RunFailed,
                                      import_source, store_resume)
from server.storage.candidate_imports import ItemAlreadyRecorded
from server.storage.models import CandidateImport

log = structlog.get_logger(__name__)

SOURCE = "dingtalk"
CONCURRENCY = 4  # candidates fetched and parsed at once (DingTalk allows ~20 calls/s per app and API)
MAX_CANDIDATES = 500  # per import (and at most import_max_files)
FILE_TYPES = {"pdf": "application/pdf", "txt": "text/plain",
              "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
# DingTalk errors that end the whole run: nothing else would get through either
FATAL = (DingTalkAuthError, DingTalkTokenError, DingTalkRateLimited, DingTalkUnavailable)


def request_payload(ats_job_id: str, since_days: int, until_ms: int) -> dict:
    """What the run's job carries: the ATS job and the listing window (fixed when HR asked, so a resumed run would
    list the same)."""
    return {"dingtalk": {"ats_job_id": ats_job_id, "since_days": since_days, "until_ms": until_ms}}


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


@import_source(SOURCE)
async def run_dingtalk(manager: ImportManager, run: CandidateImport, payload: dict) -> None:
    """The run's work: list the ATS job's candidates as items (unless a run before this one did), then import those
    still pending ``CONCURRENCY`` at a time."""
    request = payload.get("dingtalk")
    if request is None:  # a run accepted before its request was kept in the job: ended with its node
        raise RunFailed("server_stopped", STOPPED_MESSAGE, status="interrupted")
    settings, imports = manager.settings, manager.imports
    ats_job_id, until = request["ats_job_id"], int(request["until_ms"])
    since = until - int(request["since_days"]) * 86_400_000
    counts: dict[str, int] = {}
    try:
        async with DingTalkClient.connect(settings) as dt:
            listed = await imports.items(run.id)
            if listed:  # resumed: the candidates were listed by the run before
                todo = [(item.id, AtsCandidate(item.filename, item.name, "")) for item in listed
                        if item.status == "pending"]
            else:
                ats_job = await dt.job_info(ats_job_id)
                await imports.update(run.id, filename=f"DingTalk: {ats_job.name or '?'} ({ats_job_id})")
                listing = await dt.job_candidates(ats_job_id, since, until, concurrency=CONCURRENCY,
                                                  max_candidates=min(MAX_CANDIDATES, settings.import_max_files))
                if listing.truncated:  # before the items: a run resumed after them does not list again
                    await imports.update(run.id, error_code="truncated", error_message=(
                        f"DingTalk listed more than one import takes ({listing.flows_scanned} applications read, "
                        f"{len(listing.candidates)} candidates imported); import again with fewer days."))
                item_ids = await imports.add_items(run.id, [(c.candidate_id, c.name) for c in listing.candidates])
                todo = list(zip(item_ids, listing.candidates, strict=True))
            gate = asyncio.Semaphore(CONCURRENCY)

            async def one(item_id: str, c: AtsCandidate) -> None:
                async with gate:
                    try:
                        outcome = await _import_one(manager, dt, run, ats_job_id, c, item_id)
                    except FATAL:
                        raise  # ends the run (the TaskGroup cancels the others)
                    except ItemAlreadyRecorded:  # by another node still running this job after its lease ran out
                        return
                    except DingTalkError as exc:
                        outcome = Outcome("failed", name=c.name, error_code="dingtalk_error",
                                          error_message=f"DingTalk answered {exc}")
                    except Exception:  # noqa: BLE001 - one candidate's failure must not lose the others
                        log.exception("dingtalk_import_candidate_failed", candidate=c.candidate_id)
                        outcome = Outcome("failed", name=c.name, error_code="internal_error",
                                          error_message="this candidate could not be processed (server error); "
                                          "nothing was stored")
                    counts[outcome.status] = counts.get(outcome.status, 0) + 1
                    await outcome.record(imports, item_id)

            try:
                async with asyncio.TaskGroup() as tg:
                    for item_id, c in todo:
                        tg.create_task(one(item_id, c))
            except BaseExceptionGroup as group:
                raise group.exceptions[0] from None
    except DingTalkError as exc:
        raise _run_failed(exc, settings.dingtalk_max_attempts) from exc
    finally:
        log.info("dingtalk_import", import_id=run.id, job_id=run.job_id, ats_job_id=ats_job_id, **counts)


async def _import_one(manager: ImportManager, dt: DingTalkClient, run: CandidateImport, ats_job_id: str,
                      c: AtsCandidate, item_id: str) -> Outcome:
    settings = manager.settings
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
        stored = await store_resume(manager.imports, manager.external_candidates, run.org_id, run.job_id, data,
                                    filename, content_type, reading=ResumeReading.of(settings, limit), name=c.name,
                                    external=(SOURCE, c.candidate_id), import_item_id=item_id)
    except ResumeError as exc:
        return Outcome("failed", name=c.name, error_code=exc.code, error_message=exc.message)
    if stored.outcome == "duplicate":
        return Outcome("duplicate", stored.candidate.id, c.name, "duplicate", stored.duplicate_message)
    return Outcome(stored.outcome, stored.candidate.id, stored.candidate.name)
