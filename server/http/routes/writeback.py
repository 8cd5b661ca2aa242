"""Reports written back to the HR system (server/reports/writeback.py): the sync log HR reads, syncing an interview
again, and the DingTalk userid of each user (who receives the work notices of their jobs' reports)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from aiohttp import web

from server.http.access import ADMIN, LISTED, RECRUITING, ReadAudit, users
from server.http.api_models import writeback as m
from server.http.errors import ApiError, parse_body
from server.http.routes.common import api, ctx_of, in_org, before_cursor, int_query, page_of
from server.http.routes.guard import record_shown, user_of
from server.http.routes.scope import responsibility
from server.reports.writeback_targets import WEBHOOK
from server.storage.models import iso_utc
from server.storage.report_syncs import SyncRow

MAX_PAGE = 200
STATUSES = ("pending", "sending", "sent", "failed", "superseded")
SYNC_REFUSAL = "Only the job's recruiters and admins see and repeat what was written back to the HR system."


def _shown_recipient(target: str, recipient: str) -> str:
    if target != WEBHOOK:
        return recipient
    parts = urlsplit(recipient)  # a webhook's query may hold a token
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _out(row: SyncRow) -> dict:
    s = row.sync
    return m.WritebackOut(
        id=s.id, interview_id=s.interview_id, candidate_id=row.candidate_id, candidate_name=row.candidate_name,
        job_id=row.job_id, job_title=row.job_title, target=s.target, recipient=_shown_recipient(s.target, s.recipient),
        report_version=s.report_version, idempotency_key=s.idempotency_key, status=s.status, attempts=s.attempts,
        rounds=s.rounds, error_code=s.error_code, last_error=s.last_error, external_ref=s.external_ref,
        created_at=iso_utc(s.created_at), updated_at=iso_utc(s.updated_at),
        next_attempt_at=iso_utc(s.next_attempt_at) if s.status == "pending" else None,
        sent_at=iso_utc(s.sent_at)).model_dump()


@api.route("GET", "/api/v1/writeback", "The sync log: every write of a scored interview's report to the HR system "
           "(DingTalk recruiting record, work notice, webhook) with its state, attempts and last error in plain "
           "words, newest first; only interviews of the caller's jobs (?interview_id=, ?status=, ?limit=1-200, "
           "?before=<next_before>)", "writeback",
           access=users(RECRUITING, SYNC_REFUSAL, scope=LISTED),
           reads=ReadAudit("writeback.read", "org", when_none_shown=False), response=m.WritebackList,
           query=("interview_id", "status", "limit", "before"), errors=(400,))
async def sync_log(request: web.Request) -> web.Response:
    user = user_of(request)
    limit = int_query(request, "limit", 50, 1, MAX_PAGE)
    status = request.query.get("status") or None
    if status is not None and status not in STATUSES:
        raise ApiError(400, "bad_query", f"status must be one of {', '.join(STATUSES)}")
    before = before_cursor(request)
    mine = await responsibility(request, user)
    rows = await ctx_of(request).store.report_syncs.log(
        user.org_id, job_ids=None if mine.whole_org else mine.job_ids, interview_ids=mine.interview_ids,
        interview_id=request.query.get("interview_id") or None, status=status, before=before, limit=limit + 1)
    rows, next_before = page_of(rows, limit, lambda r: (r.sync.created_at, r.sync.id))
    await record_shown(request, {r.candidate_id for r in rows})
    out = m.WritebackList(writebacks=[_out(r) for r in rows], next_before=next_before)
    return web.json_response(out.model_dump())


@api.route("POST", "/api/v1/interviews/{interview_id}/writeback", "Sync a finished interview's report to the HR "
           "system again: its current report is queued for every target (nothing new when this version was queued "
           "before: nothing is written twice) and its failed writes are tried once more; answers 202 with the "
           "interview's writes", "writeback",
           access=users(RECRUITING, SYNC_REFUSAL, scope="interview"), reads=ReadAudit("writeback.read", "interview"),
           response=m.WritebackRun, status=202, errors=(404, 409, 503))
async def sync_again(request: web.Request) -> web.Response:
    user = user_of(request)
    ctx = ctx_of(request)
    iv = in_org(await ctx.store.interviews.get(request.match_info["interview_id"]), user, "interview")
    writer = ctx.writeback
    if iv.status != "finished":
        raise ApiError(409, "interview_not_finished", "Only a finished interview has a report to write back.")
    if not writer.targets.any:
        raise ApiError(503, "writeback_not_configured", "Nothing to write back to: neither DingTalk "
                       "(INTERVIEW_DINGTALK_APP_KEY, _APP_SECRET, _AGENT_ID) nor a webhook "
                       "(INTERVIEW_REPORT_WEBHOOK_URL or INTERVIEW_INVITE_WEBHOOK_URL, with its secret) is set up.")
    await record_shown(request, [iv.candidate_id])
    queued = await writer.queue_interview(iv.id, again=True)
    if queued is None:
        raise ApiError(404, "not_found", "No such interview.")
    if queued.added or queued.requeued:
        ctx.spawn(writer.send_due())  # now, not at the next poll
    rows = await ctx.store.report_syncs.log(user.org_id, interview_id=iv.id, limit=MAX_PAGE)
    out = m.WritebackRun(interview_id=iv.id, report_version=queued.report_version, queued=len(queued.added),
                         requeued=queued.requeued, writebacks=[_out(r) for r in rows])
    return web.json_response(out.model_dump(), status=202)


@api.route("PUT", "/api/v1/users/{user_id}/dingtalk", "Set (or, with null, remove) a user's DingTalk userid: the "
           "reports of the jobs they recruit for reach them as DingTalk work notices (admins)", "writeback",
           access=users(ADMIN, "Only your organisation's admins link users to DingTalk accounts.", scope="user"),
           body=m.DingTalkUserRequest, response=m.DingTalkUserOut, errors=(404, 422))
async def set_dingtalk_userid(request: web.Request) -> web.Response:
    admin = user_of(request)
    store = ctx_of(request).store
    target = in_org(await store.accounts.user(request.match_info["user_id"]), admin, "user")
    body = await parse_body(request, m.DingTalkUserRequest)
    await store.accounts.set_dingtalk_userid(target.id, body.dingtalk_userid)
    out = m.DingTalkUserOut(user_id=target.id, email=target.email, role=target.role,
                            dingtalk_userid=body.dingtalk_userid)
    return web.json_response(out.model_dump())
