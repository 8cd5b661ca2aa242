"""Candidates into a job: store one parsed resume (one way for every path), and bulk imports run in the background.
What an upload may hold and its limits: server/recruiting/import_upload.py.

Every file or row ends as ``created``, ``duplicate`` (the job already has a candidate with that e-mail or phone; the
existing candidate's id is given and nothing is stored) or ``failed`` with the parser's error kind (``scanned``,
``broken_file``, ``unsupported_type``, ``empty``, ``too_large``) or a CSV one (``invalid_email``, ``invalid_phone``,
``missing_name``, ``missing_file``, ``ambiguous_file``); a failed file stores nothing. Parsing runs on a small
thread pool (``import_parse_threads``), never on the event loop, one file at a time per import; each file is read in
a child process of its own within ``document_parse_timeout_s`` and ``document_parse_memory_bytes`` (``parse_limit``
beyond), after its inside was checked (``unpacked_too_large``) and before its text is checked (``text_too_long``). When the server's
language model is ready, the fields the rules left empty (no name, no job found, ...) are then asked of it
(``analyzers/documents/model_fill.py``: only values the resume's text contains are kept); the model runs in its own
process, so the run only waits for it. Otherwise, or if it fails, the rules' profile is stored as it is.

A run's progress and per-file results are in the database, and so is what it works from: an upload's files are
kept in ``import_uploads`` (server/storage/import_uploads.py, encrypted at rest) from before the upload is answered
until the run ends (done, failed or interrupted), then deleted; a DingTalk request rides in its job's encrypted
payload. Each run is a job of the shared queue (``import.run``, key ``import:<run id>``) that any node may run, at
most ``import_max_active`` at a time per node: the handler rebuilds the upload's plan from the stored files and works
through the items still pending, in order, so a run continues where it stopped. Each candidate is stored in one
transaction with its item, so nothing is stored twice; an item that was being read when its node stopped is read
again. A node that stops cleanly (SIGTERM, drain) gives its runs back to the queue at once (they show ``pending``
until another node, or this one after a restart, resumes them); one that crashes leaves them ``running`` until their
job's lease (``job_lease_s``) runs out and another node takes the job over. The node running a run reports a
heartbeat; a run whose heartbeat is older than ``import_lease_s`` and which no queued or running job will resume
(e.g. its server died while accepting the upload) is marked ``interrupted`` (checked at start-up and whenever the
run is read), and so is a run accepted before uploads were kept (its files were on the node that stopped): what it
stored stays, and re-uploading the same files recognises those candidates and imports the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import tempfile
import time
import weakref
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any, Callable, Coroutine, TypeVar

import structlog
from pydantic import TypeAdapter

from analyzers.bounded_process import LimitExceeded, run_bounded
from analyzers.documents.document_limits import DocumentLimits
from analyzers.documents.model_fill import fill_profile
from analyzers.documents.resume_file import ResumeError
from analyzers.documents.resume_parser import parse_resume, parse_text
from analyzers.documents.resume_profile import ResumeProfile
from analyzers.llm_client import LlmClient
from analyzers.thread_pool import BoundedThreadPool
from server.http.errors import ApiError
from server.platform.metrics import BACKGROUND_JOB_RUNS, BACKGROUND_JOB_SECONDS
from server.platform.private_files import private_dir
from server.platform.queue_worker import QueueWorker
from server.platform.settings import Settings
from server.platform.work_queue import WorkQueue, handler
from server.recruiting.import_upload import (CsvRow, ImportPlan, PlannedItem, UploadedFile, entry_name,
                                             inspect_upload, normalise_email, normalise_phone, read_member)
from server.storage.candidate_imports import UNFINISHED, CandidateImportRepository, ItemAlreadyRecorded
from server.storage.external_candidates import ExternalCandidateRepository
from server.storage.import_uploads import PART_BYTES, ImportUploadRepository
from server.storage.models import Candidate, CandidateImport, CandidateImportItem, utcnow

log = structlog.get_logger(__name__)

T = TypeVar("T")
PROFILE = TypeAdapter(ResumeProfile)
STOPPED_MESSAGE = ("The server stopped before this import finished; the items still marked pending were not "
                   "imported. Upload the same files again (or import the same DingTalk job again): candidates "
                   "already imported are recognised and not stored twice.")

RUN_KIND = "import.run"
JOB_KEY_PREFIX = "import:"

# ------------------------------------------------------------------------------------------------ parsing pool
_parsing = BoundedThreadPool("resume-parse", Settings.model_fields["import_parse_threads"].default)
"""Sized by ``import_parse_threads`` when the server starts (ImportManager.start)."""


DOCUMENT_READERS = ("analyzers.documents.resume_parser", "analyzers.documents.job_requirements")
"""What the child processes of bounded reads import once (in their fork server), not per call."""


async def off_loop(fn: Callable[..., T], *args, **kwargs) -> T:
    """Run blocking resume work (unpacking, text extraction, parsing) on the parsing pool."""
    return await _parsing.run(fn, *args, **kwargs)


async def off_loop_bounded(fn: Callable[..., T], *args, timeout_s: float, memory_bytes: int, **kwargs) -> T:
    """``fn`` on the parsing pool, in a child process of its own within ``timeout_s`` and ``memory_bytes``
    (analyzers/bounded_process.py); raises LimitExceeded beyond them."""
    return await _parsing.run(run_bounded, fn, *args, timeout_s=timeout_s, memory_bytes=memory_bytes,
                              preload=DOCUMENT_READERS, **kwargs)


@dataclass(frozen=True)
class ResumeReading:
    """How an uploaded resume is read: its largest file, what it may unpack to and how long its text may be, and the
    time and memory its parse may take (in a child process of its own)."""

    max_bytes: int
    limits: DocumentLimits
    timeout_s: float
    memory_bytes: int

    @classmethod
    def of(cls, settings: Settings, max_bytes: int) -> ResumeReading:
        limits = DocumentLimits(unpacked_bytes=settings.document_max_unpacked_bytes,
                                text_chars=settings.resume_max_text_chars)
        return cls(max_bytes, limits, settings.document_parse_timeout_s, settings.document_parse_memory_bytes)


async def parse_resume_off_loop(data: bytes, filename: str, content_type: str | None,
                                reading: ResumeReading) -> ResumeProfile:
    """parse_resume on the parsing pool, in a child process within the reading's time and memory; raises ResumeError
    with the parser's error kind (or ``parse_limit``)."""
    try:
        return await off_loop_bounded(parse_resume, data, filename, content_type, reading.max_bytes,
                                      limits=reading.limits, timeout_s=reading.timeout_s,
                                      memory_bytes=reading.memory_bytes)
    except LimitExceeded as exc:
        raise ResumeError("parse_limit", f"reading the file {exc.message}; nothing was stored") from None


# ------------------------------------------------------------------------------------------------ storing one resume
_job_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


def _job_lock(job_id: str) -> asyncio.Lock:
    lock = _job_locks.get(job_id)
    if lock is None:
        lock = _job_locks[job_id] = asyncio.Lock()
    return lock


@dataclass(frozen=True)
class StoredResume:
    candidate: Candidate  # the new (or updated) candidate; for a duplicate, the one already there
    outcome: str  # created | duplicate | updated | unchanged (the last two only for candidates with an external id)
    matched_on: str = ""  # for a duplicate: "email" or "phone"

    @property
    def duplicate_message(self) -> str:
        what = "e-mail address" if self.matched_on == "email" else "phone number"
        return f"{self.candidate.name} is already a candidate for this job (same {what}); nothing was stored."


async def store_resume(imports: CandidateImportRepository, external_candidates: ExternalCandidateRepository,
                       org_id: str, job_id: str, data: bytes, filename: str, content_type: str, *,
                       reading: ResumeReading, name: str = "", email: str = "", phone: str = "",
                       external: tuple[str, str] | None = None, profile: ResumeProfile | None = None,
                       import_item_id: str | None = None) -> StoredResume:
    """Parse one resume (off the event loop) and store it with its candidate for the job; raises ResumeError.

    ``name``/``email``/``phone`` override what the resume says (an HR system's record or a CSV row is
    authoritative); the name falls back to the file name without its extension. ``profile``: already parsed
    (``data`` then only gives the size). ``external`` (source, id) stores the candidate once per HR-system record,
    so storing it again updates it (``updated`` / ``unchanged``). Either way, a candidate whose e-mail or phone the
    job already has (from a file, a CSV row or another record) is not stored again: outcome ``duplicate``, with the
    existing candidate. ``import_item_id``: the import item that records what was stored is written in the same
    transaction as the candidate (a stopped import never hides a stored candidate)."""
    if profile is None:
        profile = await parse_resume_off_loop(data, filename, content_type, reading)
    name = name or (profile.name.value if profile.name else "") or PurePosixPath(filename.replace("\\", "/")).stem
    parsed_email = profile.email.value if profile.email else ""
    parsed_phone = profile.mobile.value if profile.mobile else ""
    email = email or parsed_email
    dumped = PROFILE.dump_python(profile, mode="json")
    # the person's keys: the given e-mail/phone and the resume's own, so either finds them again
    contacts = [("email", email), ("email", parsed_email), ("phone", phone), ("phone", parsed_phone)]
    async with _job_lock(job_id):  # one writer per job in this process; the unique keys cover other processes
        if external is not None:
            cand, outcome, matched = await external_candidates.upsert_resume(
                org_id, job_id, external[0], external[1], name, email, filename, content_type, len(data), dumped,
                contacts, import_item_id)
            return StoredResume(cand, outcome, matched)
        cand, created, matched = await imports.add_resume_if_new(org_id, job_id, name, email, filename, content_type,
                                                                 len(data), dumped, contacts, import_item_id)
    return StoredResume(cand, "created" if created else "duplicate", matched)


# ------------------------------------------------------------------------------------------------ one item
def _row_text(row: CsvRow) -> str:
    head = [row.name] if row.name else []
    if row.email:
        head.append(f"Email: {row.email}")
    if row.phone:
        head.append(f"Phone: {row.phone}")
    return "\n".join(head) + ("\n\n" + row.resume if row.resume else "")


def _parse_row(text: str, reading: ResumeReading) -> ResumeProfile:
    """A CSV row's resume text (with the row's own name and contacts on top). A row with little more than a name is
    still a candidate: its fields become the profile instead of failing as an empty resume."""
    try:
        return parse_resume(text.encode("utf-8"), "row.txt", "text/plain", reading.max_bytes, limits=reading.limits)
    except ResumeError as exc:
        if exc.code != "empty":
            raise
    return parse_text(text.strip())


class RunFailed(Exception):
    """Ends an import run as failed (or ``status``) with a code and a message for HR (e.g. the HR system refused the
    app)."""

    def __init__(self, code: str, message: str, *, status: str = "failed"):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class Outcome:
    status: str
    candidate_id: str | None = None
    name: str = ""
    error_code: str = ""
    error_message: str = ""

    @property
    def item_recorded(self) -> bool:
        """The import item was already written with the candidate (``store_resume``'s ``import_item_id``)."""
        return self.status in ("created", "updated", "unchanged")

    async def record(self, imports: CandidateImportRepository, item_id: str) -> None:
        """Write this outcome to its import item, unless the candidate's transaction already did (or the item was
        recorded meanwhile by another node running the same import)."""
        if not self.item_recorded:
            await imports.finish_item(item_id, self.status, self.candidate_id, self.name, self.error_code,
                                      self.error_message)


# ------------------------------------------------------------------------------------------------ the runs
SourceWork = Callable[["ImportManager", CandidateImport, dict], Coroutine[Any, Any, None]]
SOURCES: dict[str, SourceWork] = {}
"""How a run of each source other than an upload is worked through (``import_source``); uploads: ``run_upload``."""


def import_source(source: str) -> Callable[[SourceWork], SourceWork]:
    """Register ``work(manager, run, payload)`` as what runs the import runs of ``source`` (e.g. ``dingtalk``): it
    fills in the run's items, skipping those already recorded (a resumed run)."""
    def register(work: SourceWork) -> SourceWork:
        SOURCES[source] = work
        return work
    return register


def job_key(run_id: str) -> str:
    """The idempotency key of a run's queue job: one job per run."""
    return f"{JOB_KEY_PREFIX}{run_id}"


class ImportManager:
    """This node's share of the bulk imports. Each run is a job of the shared queue (``import.run``), run by whichever
    node claims it, at most ``import_max_active`` at a time per node (the worker's limit for the kind), with a
    heartbeat in the database while it runs here. Uploads are received within the same limit (429 beyond)."""

    def __init__(self, imports: CandidateImportRepository, external_candidates: ExternalCandidateRepository,
                 uploads: ImportUploadRepository, settings: Settings, *, queue: WorkQueue,
                 worker: QueueWorker | None = None, llm: LlmClient | None = None) -> None:
        """``llm``: the server's language model, asked for what the rules leave empty while it is ready.
        ``worker``: this node's QueueWorker (server/platform/queue_worker.py), told how many import jobs it may run."""
        self.imports, self.external_candidates, self.uploads = imports, external_candidates, uploads
        self.settings, self.queue, self.llm = settings, queue, llm
        self.tasks: dict[str, asyncio.Task] = {}  # run id -> the job's task running it here
        self._reserved = 0
        self._heartbeat: asyncio.Task | None = None
        self.stopping = False
        if worker is not None:
            worker.limit(RUN_KIND, self.room)

    async def start(self) -> None:
        self.stopping = False
        _parsing.configure(self.settings.import_parse_threads)
        n = await self.sweep()
        if n:
            log.warning("imports_interrupted", count=n, reason="stale heartbeat at start-up, no job to resume them")

    async def hand_over(self) -> None:
        """Run no more imports here: each one running is stopped and its job given back to the queue (the run shows
        ``pending``), so another node, or this one after a restart, continues from its first pending item."""
        self.stopping = True
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=10)

    async def close(self) -> None:
        await self.hand_over()
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._heartbeat
        _parsing.shutdown(wait=False)  # the runs are over; a call still on a thread finishes there

    async def sweep(self) -> int:
        """Mark runs whose server stopped reporting as interrupted, unless the queue will resume them (their job is
        queued or running) or they run here; then drop the stored files of every run that has ended."""
        cutoff = utcnow() - timedelta(seconds=self.settings.import_lease_s)
        n = await self.imports.interrupt("server_stopped", STOPPED_MESSAGE, stale_before=cutoff,
                                         exclude=set(self.tasks), unless_queued_as=JOB_KEY_PREFIX)
        await self.uploads.drop_finished()
        return n

    def room(self) -> int:
        """How many import jobs this node may run at once now: ``import_max_active`` less the uploads it is receiving
        (none once it stops)."""
        return 0 if self.stopping else max(0, self.settings.import_max_active - self._reserved)

    @property
    def active(self) -> int:
        """Imports running here or receiving their upload (at most ``import_max_active``)."""
        return len(self.tasks) + self._reserved

    @contextlib.contextmanager
    def reserve(self):
        """A slot for one more import while its upload is received; 429 when the process is at its limit."""
        if self.active >= self.settings.import_max_active:
            raise ApiError(429, "import_busy", f"{self.settings.import_max_active} imports are already running on "
                           "this server; try again when one has finished.")
        self._reserved += 1
        try:
            yield
        finally:
            self._reserved -= 1

    # --- accepting a run ----------------------------------------------------------------------------------------
    async def keep_upload(self, run_id: str, files: list[UploadedFile]) -> None:
        """Store the upload's files in the database (in parts), so that any node can run the import."""
        loop = asyncio.get_running_loop()
        for index, f in enumerate(files):
            await loop.run_in_executor(None, f.file.seek, 0)
            part = 0
            while data := await loop.run_in_executor(None, f.file.read, PART_BYTES):
                await self.uploads.add_part(run_id, index, part, f.filename, f.content_type, data)
                await self.imports.heartbeat([run_id])  # a large upload is not taken for a stopped one meanwhile
                part += 1

    async def submit(self, run_id: str, org_id: str, **payload: Any) -> None:
        """Queue the run's job (``payload``: what its source needs beyond the run, e.g. a DingTalk request)."""
        await self.queue.enqueue(RUN_KIND, {"import_id": run_id, **payload}, job_key(run_id), org_id=org_id)

    # --- running one ----------------------------------------------------------------------------------------------
    async def run_job(self, payload: dict) -> None:
        """The ``import.run`` job on whichever node claimed it: the run's items still pending, in order."""
        run_id = payload["import_id"]
        run = await self.imports.run(run_id)
        if run is None:
            return  # deleted meanwhile (with its job opening, or by retention)
        if run.status not in UNFINISHED:
            await self.uploads.drop(run_id)
            return
        work = SOURCES.get(run.source, run_upload)
        self.tasks[run_id] = asyncio.current_task()
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = asyncio.create_task(self._beat(), name="import-heartbeat")
        try:
            await self._run(run_id, work(self, run, payload))
        finally:
            self.tasks.pop(run_id, None)

    async def _beat(self) -> None:
        interval = max(0.2, self.settings.import_lease_s / 3)
        while self.tasks:
            await asyncio.sleep(interval)
            try:
                await self.imports.heartbeat(list(self.tasks))
            except Exception:  # noqa: BLE001 - the next beat tries again; the lease covers a few misses
                log.warning("import_heartbeat_failed", exc_info=True)

    async def _run(self, run_id: str, work: Coroutine[Any, Any, None]) -> None:
        """The run goes running, then done; ``RunFailed`` ends it with its status and message, any other error as
        failed ``internal_error``; a stop of this node hands it back (pending). Its stored files go when it ends."""
        imports = self.imports
        t0, outcome, ended = time.perf_counter(), "failed", True
        try:
            if not await imports.start_run(run_id):
                outcome = "ok"
                return  # it ended meanwhile
            await work
            await imports.end_run(run_id, "done")
            outcome = "ok"
            log.info("import_done", import_id=run_id)
        except asyncio.CancelledError:
            outcome, ended = "interrupted", False
            with contextlib.suppress(Exception):
                await imports.hand_back(run_id)
            log.warning("import_handed_over", import_id=run_id)
            raise
        except RunFailed as exc:
            log.warning("import_failed", import_id=run_id, code=exc.code, error=exc.message, status=exc.status)
            with contextlib.suppress(Exception):
                await imports.end_run(run_id, exc.status, exc.code, exc.message)
        except Exception:  # noqa: BLE001 - the run is marked failed; the error is logged, not shown
            log.exception("import_failed", import_id=run_id)
            with contextlib.suppress(Exception):
                await imports.end_run(run_id, "failed", "internal_error", "The import stopped on a server error; the "
                                      "items still marked pending were not imported.")
        finally:
            if inspect.getcoroutinestate(work) == inspect.CORO_CREATED:
                work.close()  # stopped before it began
            if ended:
                with contextlib.suppress(Exception):  # else the next sweep drops them
                    await self.uploads.drop(run_id)
            BACKGROUND_JOB_RUNS.labels("import", outcome).inc()
            BACKGROUND_JOB_SECONDS.labels("import").observe(time.perf_counter() - t0)

    async def read_upload(self, run_id: str) -> list[UploadedFile]:
        """The run's stored files, each in an unnamed temporary file again ([] when none are stored)."""
        stored = await self.uploads.files(run_id)
        loop = asyncio.get_running_loop()
        tmp_dir = self.settings.data_dir / "tmp"
        if stored:
            await loop.run_in_executor(None, private_dir, tmp_dir)
        files: list[UploadedFile] = []
        try:
            for sf in stored:
                fh = await loop.run_in_executor(None, functools.partial(tempfile.TemporaryFile, dir=tmp_dir))
                files.append(UploadedFile(sf.filename, sf.content_type, fh, sf.size))
                for part in range(sf.parts):
                    await loop.run_in_executor(None, fh.write, await self.uploads.part(run_id, sf.index, part))
            return files
        except BaseException:
            for f in files:
                f.file.close()
            raise

    async def work_through(self, run_id: str, items: list[CandidateImportItem], plan: ImportPlan, org_id: str,
                           job_id: str) -> None:
        """An upload's files and rows, one at a time, those still pending (the others were recorded by an earlier
        run of the job, on this node or another)."""
        counts: dict[str, int] = {}
        before = sum(item.status != "pending" for item in items)
        for item, planned in zip(items, plan.items, strict=True):
            if item.status != "pending":
                continue
            try:
                outcome = await self._process(item.id, planned, plan, org_id, job_id)
            except ItemAlreadyRecorded:  # by another node still running this job after its lease ran out
                continue
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
            await outcome.record(self.imports, item.id)
        log.info("import_items", import_id=run_id, recorded_before=before, **counts)

    async def _with_model(self, profile: ResumeProfile, label: str) -> ResumeProfile:
        """``profile`` with the gaps the rules left filled by the language model, when it is ready."""
        if self.llm is None or not self.llm.ready:
            return profile
        filled, report = await fill_profile(self.llm, profile)
        if report.asked:
            log.info("import_model_fill", item=label, asked=report.asked, filled=report.filled,
                     refused=report.refused, failed=report.failed, seconds=round(report.seconds, 1))
        return filled

    async def _process(self, item_id: str, item: PlannedItem, plan: ImportPlan, org_id: str, job_id: str) -> Outcome:
        row = item.row
        name = row.name if row else ""
        if item.error:
            return Outcome("failed", name=name, error_code=item.error[0], error_message=item.error[1])
        limit = self.settings.import_max_file_bytes
        reading = ResumeReading.of(self.settings, limit)
        try:
            email = phone = None
            if row is not None:
                try:
                    email = normalise_email(row.email) if row.email else None
                except ValueError as exc:
                    return Outcome("failed", name=name, error_code="invalid_email", error_message=str(exc))
                try:
                    phone = normalise_phone(row.phone) if row.phone else None
                except ValueError as exc:
                    return Outcome("failed", name=name, error_code="invalid_phone", error_message=str(exc))
            try:
                if item.member is not None:
                    path = entry_name(item.member)
                    data = await off_loop(read_member, plan.archive, item.member, limit)
                    profile = await self._with_model(await parse_resume_off_loop(data, path, "", reading), path)
                    stored = await store_resume(self.imports, self.external_candidates, org_id, job_id, data, path, "",
                                                reading=reading, name=name, email=email or "", phone=phone or "",
                                                profile=profile, import_item_id=item_id)
                else:
                    text = _row_text(row)
                    profile = await self._with_model(await off_loop(_parse_row, text, reading), item.label)
                    if not name and not profile.name:
                        return Outcome("failed", error_code="missing_name",
                                       error_message="the row has no name, and none was found in its resume text")
                    stored = await store_resume(self.imports, self.external_candidates, org_id, job_id,
                                                text.encode("utf-8"), item.label, "text/plain", reading=reading,
                                                name=name, email=email or "", phone=phone or "", profile=profile,
                                                import_item_id=item_id)
            except ResumeError as exc:
                return Outcome("failed", name=name, error_code=exc.code, error_message=exc.message)
        except ItemAlreadyRecorded:
            raise
        except Exception:  # noqa: BLE001 - one bad file must not stop the others
            log.exception("import_item_failed")
            return Outcome("failed", name=name, error_code="internal_error",
                           error_message="this file could not be processed (server error); nothing was stored")
        if stored.outcome == "duplicate":
            return Outcome("duplicate", stored.candidate.id, name or stored.candidate.name, "duplicate",
                           stored.duplicate_message)
        return Outcome("created", stored.candidate.id, stored.candidate.name)



async def run_upload(manager: ImportManager, run: CandidateImport, payload: dict) -> None:
    """A zip/CSV run: its plan rebuilt from the stored upload (as when it was received), then its pending items."""
    files = await manager.read_upload(run.id)
    if not files:  # a run accepted before uploads were kept (0022): its files were on the node that stopped
        raise RunFailed("server_stopped", STOPPED_MESSAGE, status="interrupted")
    try:
        plan = await asyncio.get_running_loop().run_in_executor(None, inspect_upload, files, manager.settings)
    except BaseException as exc:
        for f in files:
            f.file.close()
        if isinstance(exc, ApiError):  # e.g. this node's limits are lower than those of the node that accepted it
            raise RunFailed(exc.code, f"The upload could not be read again on the server that ran this import: "
                            f"{exc.message} The items still marked pending were not imported.") from None
        raise
    try:
        items = await manager.imports.items(run.id)
        if [item.filename for item in items] != [planned.label[:500] for planned in plan.items]:
            raise RunFailed("upload_changed", "The server that ran this import read the upload differently from "
                            "the one that accepted it (are all servers on the same version and settings?); the "
                            "items still marked pending were not imported.")
        await manager.work_through(run.id, items, plan, run.org_id, run.job_id)
    finally:
        plan.close()


@handler(RUN_KIND)
async def run_import(services, payload: dict) -> None:
    """A bulk import's queue job, on any node (``services``: the server context)."""
    await services.imports.run_job(payload)
