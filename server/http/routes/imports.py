"""Bulk candidate import over HTTP: upload a zip of resumes and/or a CSV list (202 once the files are kept in the
database and the run is queued), then follow its progress and per-file results. The work itself is in
server/recruiting/imports.py, on whichever node runs the run's job."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import tempfile
from datetime import datetime, timezone

from aiohttp import BodyPartReader, web

from server.http.api_models import imports as m
from server.http.api_models.common import ErrorInfo
from server.recruiting.import_upload import UploadedFile, inspect_upload
from server.recruiting.imports import UNFINISHED, ImportManager
from server.http.access import RECRUITING, ReadAudit, users
from server.http.errors import ApiError
from server.http.routes.common import api, ctx_of, in_org, org_job, upload_filename

IMPORTERS = users(RECRUITING, "Only the job's recruiters and admins import candidates and read the imports.",
                  scope="job")
from server.http.routes.guard import record_shown, user_of
from server.platform.settings import Settings
from server.storage.models import CandidateImport, Job, User
from server.platform.private_files import private_dir

IMPORTS_KEY = web.AppKey("imports", ImportManager)
CHUNK = 256 * 1024
MAX_FILE_PARTS = 2  # one zip and one CSV


def setup(app: web.Application, ctx) -> ImportManager:
    """Give the app the server context's import manager (started and stopped with the context)."""
    app[IMPORTS_KEY] = ctx.imports
    return ctx.imports


def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return (dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt).isoformat()


async def _job(request: web.Request, user: User) -> Job:
    return await org_job(request, user, request.match_info["job_id"])


async def _outs(request: web.Request, runs: list[CandidateImport], with_items: bool) -> list[dict]:
    store = ctx_of(request).store
    counts = await store.imports.counts([r.id for r in runs])
    out = []
    for r in runs:
        c = counts[r.id]
        created, duplicate, failed = c.get("created", 0), c.get("duplicate", 0), c.get("failed", 0)
        updated, unchanged = c.get("updated", 0), c.get("unchanged", 0)  # HR-system imports (DingTalk) only
        items = None
        if with_items:
            items = [m.ImportItemOut(position=i.position, filename=i.filename, status=i.status,
                                     candidate_id=i.candidate_id, name=i.name,
                                     error=ErrorInfo(code=i.error_code, message=i.error_message)
                                     if i.error_code else None)
                     for i in await store.imports.items(r.id)]
        out.append(m.ImportOut(
            id=r.id, job_id=r.job_id, status=r.status, source=r.source, filename=r.filename, total=r.total,
            done=created + duplicate + failed + updated + unchanged, created=created, duplicate=duplicate,
            failed=failed, updated=updated, unchanged=unchanged,
            error=ErrorInfo(code=r.error_code, message=r.error_message) if r.error_code else None,
            created_at=_iso(r.created_at), started_at=_iso(r.started_at), finished_at=_iso(r.finished_at),
            items=items).model_dump(mode="json"))
    return out


async def _receive(request: web.Request, settings: Settings) -> list[UploadedFile]:
    """The upload's file parts, streamed into unnamed temporary files; 413 as soon as the total is too large."""
    loop = asyncio.get_running_loop()
    tmp_dir = settings.data_dir / "tmp"
    await loop.run_in_executor(None, private_dir, tmp_dir)
    reader = await request.multipart()
    files: list[UploadedFile] = []
    total = 0
    try:
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or not part.filename:
                continue
            if len(files) >= MAX_FILE_PARTS:
                raise ApiError(422, "too_many_files", "Upload one zip of resumes, one CSV list, or one of each.")
            fh = await loop.run_in_executor(None, functools.partial(tempfile.TemporaryFile, dir=tmp_dir))
            upload = UploadedFile(upload_filename(part), part.headers.get("Content-Type", ""), fh, 0)
            files.append(upload)
            buf = bytearray()
            while chunk := await part.read_chunk(CHUNK):
                total += len(chunk)
                upload.size += len(chunk)
                if total > settings.import_max_upload_bytes:
                    raise ApiError(413, "upload_too_large", "The upload is larger than "
                                   f"{settings.import_max_upload_bytes / 2**20:,.0f} MB; split it into smaller "
                                   "zips. Nothing was imported.")
                buf += chunk
                if len(buf) >= 4 * CHUNK:
                    await loop.run_in_executor(None, fh.write, bytes(buf))
                    buf.clear()
            if buf:
                await loop.run_in_executor(None, fh.write, bytes(buf))
        return files
    except BaseException:
        for f in files:
            f.file.close()
        raise


@api.route("POST", "/api/v1/jobs/{job_id}/imports", "Bulk import candidates: multipart with a zip of resumes "
           "(PDF, DOCX, text; folders allowed) and/or a CSV list (name, email, phone, resume: text or a file "
           "name in the zip). Answers 202 once the files are kept for the run; they are processed in the "
           "background, by any server (a run whose server stops is continued by another)", "candidates",
           access=IMPORTERS, response=m.ImportOut, status=202, errors=(404, 413, 415, 422, 429))
async def start_import(request: web.Request) -> web.Response:
    user = user_of(request)
    job = await _job(request, user)
    ctx = ctx_of(request)
    settings = ctx.settings
    manager = request.app[IMPORTS_KEY]
    if not request.content_type.startswith("multipart/"):
        raise ApiError(415, "unsupported_media_type", "Send the zip and/or CSV as multipart/form-data files.")
    if request.content_length and request.content_length > settings.import_max_upload_bytes + 64 * 1024:
        raise ApiError(413, "upload_too_large", "The upload is larger than "
                       f"{settings.import_max_upload_bytes / 2**20:,.0f} MB; split it into smaller zips. "
                       "Nothing was imported.")
    with manager.reserve():
        files = await _receive(request, settings)
        try:
            plan = await asyncio.get_running_loop().run_in_executor(None, inspect_upload, files, settings)
        except BaseException:
            for f in files:
                f.file.close()
            raise
        try:
            run, _ = await ctx.store.imports.create(user.org_id, job.id, user.id, plan.source, plan.filename,
                                                    [item.label for item in plan.items])
            try:  # the files in the database, then the job: any node may run it from there
                await manager.keep_upload(run.id, plan.files)
                await manager.submit(run.id, user.org_id)
            except BaseException:
                with contextlib.suppress(Exception):
                    await ctx.store.imports.delete(run.id)  # a refused upload leaves no run (nor its files)
                raise
        finally:
            plan.close()
    return web.json_response((await _outs(request, [run], with_items=True))[0], status=202)


@api.route("GET", "/api/v1/imports/{import_id}", "A bulk import's progress (total, done, created, duplicate, "
           "failed) and per-file results", "candidates",
           access=users(RECRUITING, IMPORTERS.refusal, scope="import"), reads=ReadAudit("import.read", "import"),
           response=m.ImportOut, errors=(404,))
async def get_import(request: web.Request) -> web.Response:
    user = user_of(request)
    store = ctx_of(request).store
    run = in_org(await store.imports.run(request.match_info["import_id"]), user, "import")
    if run.status in UNFINISHED and run.id not in request.app[IMPORTS_KEY].tasks:
        await request.app[IMPORTS_KEY].sweep()  # its server may have stopped: then it is interrupted
        run = await store.imports.run(run.id)
    out = (await _outs(request, [run], with_items=True))[0]
    await record_shown(request, [i["candidate_id"] for i in out["items"] if i["candidate_id"]])
    return web.json_response(out)


@api.route("GET", "/api/v1/jobs/{job_id}/imports", "The job's recent bulk imports (newest first, without "
           "per-file results)", "candidates", access=IMPORTERS, response=m.ImportList, errors=(404,))
async def list_imports(request: web.Request) -> web.Response:
    job = await _job(request, user_of(request))
    store = ctx_of(request).store
    runs = await store.imports.runs(job.id)
    manager = request.app[IMPORTS_KEY]
    if any(r.status in UNFINISHED and r.id not in manager.tasks for r in runs):
        await manager.sweep()
        runs = await store.imports.runs(job.id)
    return web.json_response({"imports": await _outs(request, runs, with_items=False)})
