"""Background work on the shared queue, for the organisation's admins: how many jobs per kind and state, and the
latest ones with their errors. Shows the organisation's jobs and the server's own (sweeps, reminders), never a
job's payload."""

from __future__ import annotations

from aiohttp import web

from server.http.access import ADMIN, users
from server.http.api_models import background_jobs as m
from server.http.errors import ApiError
from server.http.routes.common import api, ctx_of, int_query
from server.http.routes.guard import user_of
from server.storage.background_jobs import STATES
from server.storage.models import iso_utc


@api.route("GET", "/api/v1/background-jobs", "Background work (invitations, imports, reminders, retention sweeps): "
           "counts per kind and state, and the latest jobs with their last errors (admins only; ?state=, ?kind=, "
           "?limit=1-500)", "operations",
           access=users(ADMIN, "Only your organisation's admins can see the background work."),
           response=m.BackgroundJobList, query=("state", "kind", "limit"), errors=(400,))
async def list_background_jobs(request: web.Request) -> web.Response:
    org_id = user_of(request).org_id
    state = request.query.get("state") or None
    if state is not None and state not in STATES:
        raise ApiError(400, "bad_query", f"state must be one of {', '.join(STATES)}")
    kind = (request.query.get("kind") or "")[:64] or None
    limit = int_query(request, "limit", 100, 1, 500)
    jobs = ctx_of(request).store.background
    out = m.BackgroundJobList(
        counts=[m.JobCountOut(kind=c.kind, state=c.state, count=c.count) for c in await jobs.counts(org_id)],
        jobs=[m.BackgroundJobOut(
            id=j.id, kind=j.kind, state=j.state, attempts=j.attempts, max_attempts=j.max_attempts,
            run_after=iso_utc(j.run_after), locked_by=j.locked_by, locked_until=iso_utc(j.locked_until),
            last_error=j.last_error, created_at=iso_utc(j.created_at), updated_at=iso_utc(j.updated_at),
            finished_at=iso_utc(j.finished_at)) for j in await jobs.listing(org_id, state, kind, limit)])
    return web.json_response(out.model_dump())
