"""Candidates for a job: resume upload and parsing, the job's requirements, the ranked and explained match list."""

from __future__ import annotations

from aiohttp import BodyPartReader, web
from pydantic import ValidationError

from analyzers.documents.job_requirements import JobRequirements
from analyzers.documents.resume_file import MAX_RESUME_BYTES, ResumeError
from server.http.api_models import matching as m
from server.http.api_models.common import ErrorInfo
from server.recruiting.imports import ResumeReading, StoredResume, store_resume  # noqa: F401  (the one storing path; routes/dingtalk.py imports it from here)
from server.http.access import RECRUITING, ReadAudit, users
from server.http.errors import ApiError, parse_body, validation_details
from server.recruiting.ranking import ranked_candidates
from server.recruiting.requirements import job_requirements, read_line
from server.http.routes.common import api, ctx_of, org_job, upload_filename
from server.storage.models import Job, User, iso_utc
from server.http.routes.guard import record_shown, user_of

MAX_FILES_PER_UPLOAD = 200


async def _job(request: web.Request, user: User) -> Job:
    return await org_job(request, user, request.match_info["job_id"])


async def _requirements(request: web.Request, job) -> JobRequirements:
    return await job_requirements(ctx_of(request).store.matching, job)


CANDIDATES = users(RECRUITING, "Only the job's recruiters and admins work with its candidates.", scope="job")
EDITORS = users(RECRUITING, "Only the job's recruiters and admins read and edit its requirements.", scope="job")


@api.route("POST", "/api/v1/jobs/{job_id}/resumes", "Upload resumes (multipart, one or more files: PDF, DOCX, "
           "text); each file is parsed and stored with a new candidate, or gets its own error", "candidates",
           access=CANDIDATES, reads=ReadAudit("resume.duplicate", "job", when_none_shown=False),
           response=m.ResumeUploadResult, errors=(404, 413, 415))
async def upload_resumes(request: web.Request) -> web.Response:
    user = user_of(request)
    job = await _job(request, user)
    ctx = ctx_of(request)
    if not request.content_type.startswith("multipart/"):
        raise ApiError(415, "unsupported_media_type", "Send the resumes as multipart/form-data files.")
    reader = await request.multipart()
    reading = ResumeReading.of(ctx.settings, MAX_RESUME_BYTES)
    results: list[m.ResumeFileResult] = []
    duplicates: list[str] = []  # candidates already stored: the answer shows their names
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or not part.filename:
            continue
        filename = upload_filename(part)
        if len(results) >= MAX_FILES_PER_UPLOAD:
            raise ApiError(413, "too_many_files", f"At most {MAX_FILES_PER_UPLOAD} files per upload.")
        data = bytearray()
        too_large = False
        while chunk := await part.read_chunk(256 * 1024):
            data += chunk
            if len(data) > MAX_RESUME_BYTES:
                too_large = True
                while await part.read_chunk(256 * 1024):  # drain the rest of this file, keep the others
                    pass
                break
        if too_large:
            results.append(m.ResumeFileResult(filename=filename, ok=False, error=ErrorInfo(
                code="too_large", message=f"The file is larger than {MAX_RESUME_BYTES // 2**20} MB.")))
            continue
        content_type = part.headers.get("Content-Type", "")
        try:
            stored = await store_resume(ctx.store.imports, ctx.store.external, user.org_id, job.id, bytes(data),
                                        filename, content_type, reading=reading)
        except ResumeError as exc:
            results.append(m.ResumeFileResult(filename=filename, ok=False,
                                              error=ErrorInfo(code=exc.code, message=str(exc))))
            continue
        if stored.outcome == "duplicate":  # the job already has this e-mail or phone: nothing stored
            duplicates.append(stored.candidate.id)
            results.append(m.ResumeFileResult(filename=filename, ok=False, candidate_id=stored.candidate.id,
                                              name=stored.candidate.name, error=ErrorInfo(
                                                  code="duplicate", message=stored.duplicate_message)))
            continue
        results.append(m.ResumeFileResult(filename=filename, ok=True, candidate_id=stored.candidate.id,
                                          name=stored.candidate.name))
    await record_shown(request, duplicates)
    return web.json_response(m.ResumeUploadResult(results=results).model_dump())


@api.route("GET", "/api/v1/jobs/{job_id}/requirements", "The job's requirements (read from the description "
           "until HR saves an edited set)", "candidates", access=EDITORS, response=JobRequirements, errors=(404,))
async def get_requirements(request: web.Request) -> web.Response:
    job = await _job(request, user_of(request))
    return web.json_response((await _requirements(request, job)).model_dump(mode="json"))


@api.route("PUT", "/api/v1/jobs/{job_id}/requirements", "Save the job's requirements as edited by HR (the whole "
           "set; a refused set changes nothing)", "candidates", access=EDITORS, body=JobRequirements,
           response=JobRequirements, errors=(400, 404, 422))
async def put_requirements(request: web.Request) -> web.Response:
    user = user_of(request)
    job = await _job(request, user)
    raw = await request.read()
    if not raw.strip():
        raise ApiError(400, "empty_body", "The request needs a JSON body.")
    try:
        reqs = JobRequirements.model_validate_json(raw)
    except ValidationError as exc:
        details = validation_details(exc)
        if any(d["message"].startswith("Invalid JSON") for d in details):
            raise ApiError(400, "bad_json", "The body is not valid JSON.") from exc
        raise ApiError(422, "invalid_requirements", "; ".join(f'{d["field"]}: {d["message"]}' for d in details),
                       details) from exc
    await ctx_of(request).store.matching.save_requirements(job.id, reqs.model_dump(mode="json"), user.id)
    return web.json_response(reqs.model_dump(mode="json"))


@api.route("POST", "/api/v1/jobs/{job_id}/requirements/read", "Read one requirement line as HR typed it into "
           "requirement items (not stored: save the edited set with PUT .../requirements)", "candidates",
           access=EDITORS, body=m.ReadRequirementRequest, response=m.ReadRequirementResult, errors=(400, 404, 422))
async def read_requirement(request: web.Request) -> web.Response:
    await _job(request, user_of(request))
    body = await parse_body(request, m.ReadRequirementRequest)
    found = await read_line(body.text, body.must_have)
    return web.json_response(m.ReadRequirementResult(requirements=found).model_dump(mode="json"))


async def _ranked(request: web.Request, job) -> list:
    return await ranked_candidates(ctx_of(request).store.matching, job)


async def _interviews_by_candidate(request: web.Request, job: Job) -> dict[str, list[dict]]:
    """The job's interviews per candidate, newest first: the page warns before inviting a candidate again."""
    out: dict[str, list[dict]] = {}
    for iv in sorted(await ctx_of(request).store.interviews.for_job(job.id), key=lambda i: i.created_at, reverse=True):
        out.setdefault(iv.candidate_id, []).append({"id": iv.id, "status": iv.status,
                                                    "created_at": iso_utc(iv.created_at),
                                                    "link_withdrawn": iv.link_revoked_at is not None})
    return out


@api.route("GET", "/api/v1/jobs/{job_id}/matches", "Candidates ranked by match score, each requirement explained "
           "with resume evidence, each with their interviews for this job (?min_score=N, ?must_haves=all)",
           "candidates", access=CANDIDATES, reads=ReadAudit("matches.read", "job"), errors=(404,))
async def matches(request: web.Request) -> web.Response:
    job = await _job(request, user_of(request))
    names = {cand.id: (cand.name, cand.email) for _, cand in await ctx_of(request).store.matching.resumes(job.id)}
    interviews = await _interviews_by_candidate(request, job)
    try:
        min_score = float(request.query.get("min_score", "0"))
    except ValueError as exc:
        raise ApiError(400, "bad_query", "min_score must be a number") from exc
    out = []
    for result in await _ranked(request, job):
        if result.score < min_score:
            continue
        if request.query.get("must_haves") == "all" and result.must_haves_met < result.must_haves_total:
            continue
        name, email = names.get(result.candidate_id, ("", ""))
        out.append({"name": name, "email": email, **result.model_dump(mode="json"),
                    "interviews": interviews.get(result.candidate_id or "", [])})
    await record_shown(request, [row["candidate_id"] for row in out if row["candidate_id"]])
    return web.json_response({"job_id": job.id, "matches": out})


@api.route("POST", "/api/v1/jobs/{job_id}/matches/{candidate_id}/overrides", "HR overrides one requirement's "
           "status for one candidate (kept with who and why)", "candidates", access=CANDIDATES,
           reads=ReadAudit("match.override", "job"), body=m.MatchOverrideRequest, errors=(404, 422))
async def override(request: web.Request) -> web.Response:
    user = user_of(request)
    job = await _job(request, user)
    body = await parse_body(request, m.MatchOverrideRequest)
    store = ctx_of(request).store
    candidate_id = request.match_info["candidate_id"]
    if candidate_id not in {cand.id for _, cand in await store.matching.resumes(job.id)}:
        raise ApiError(404, "not_found", "No such candidate for this job.")
    if body.requirement_id not in {r.id for r in (await _requirements(request, job)).requirements}:
        raise ApiError(422, "unknown_requirement", f"No requirement {body.requirement_id!r} for this job.")
    await store.matching.add_override(job.id, candidate_id, body.requirement_id, body.status, body.note, user.email)
    result = next(r for r in await _ranked(request, job) if r.candidate_id == candidate_id)
    await record_shown(request, [candidate_id])
    return web.json_response(result.model_dump(mode="json"))
