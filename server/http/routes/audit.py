"""The audit log of personal-data reads and the account log, for the organisation's admins."""

from __future__ import annotations


from aiohttp import web

from server.http.api_models import audit as m
from server.compliance.audit import READ_ACTIONS
from server.http.access import ADMIN, ReadAudit, users
from server.http.routes.common import api, ctx_of, before_cursor, int_query, page_of
from server.http.routes.guard import record_shown, user_of
from server.storage.account_changes import ACCOUNT_ACTIONS
from server.storage.models import iso_utc

MAX_PAGE = 200


@api.route("GET", "/api/v1/audit/reads", "Who read which candidates' personal data, newest first (admins only; "
           "?candidate_id=, ?actor_id=, ?limit=1-200, ?before=<next_before>)", "audit",
           access=users(ADMIN, "Only your organisation's admins can read the access log."),
           # the log names candidates: reading it is a read of their data too (when it names any)
           reads=ReadAudit("audit.read", "org", when_none_shown=False), response=m.AuditReadList,
           query=("candidate_id", "actor_id", "limit", "before"), errors=(400,))
async def list_reads(request: web.Request) -> web.Response:
    user = user_of(request)
    limit = int_query(request, "limit", 50, 1, MAX_PAGE)
    before = before_cursor(request)
    rows = await ctx_of(request).store.audit.reads(
        user.org_id, candidate_id=request.query.get("candidate_id") or None,
        actor_id=request.query.get("actor_id") or None, before=before, limit=limit + 1)
    rows, next_before = page_of(rows, limit, lambda r: (r.last_at, r.id))
    await record_shown(request, {cid for r in rows for cid, name in r.candidates if name})
    out = m.AuditReadList(
        reads=[m.AuditReadOut(
            id=r.id, action=r.action, what=READ_ACTIONS.get(r.action, r.action), actor_id=r.actor_id,
            actor_email=r.actor_email, subject_kind=r.subject_kind, subject_id=r.subject_id, ip=r.ip,
            first_at=iso_utc(r.first_at), last_at=iso_utc(r.last_at), count=r.count,
            candidates_total=r.candidates_total,
            candidates=[m.AuditCandidateOut(id=cid, name=name) for cid, name in r.candidates]) for r in rows],
        next_before=next_before)
    return web.json_response(out.model_dump())


@api.route("GET", "/api/v1/audit/account-changes", "The account log: who created, changed, deactivated, signed out "
           "or assigned which user, newest first (admins only; ?user_id= the user changed, ?limit=1-200, "
           "?before=<next_before>)", "audit",
           access=users(ADMIN, "Only your organisation's admins can read the account log."),
           response=m.AccountChangeList, query=("user_id", "limit", "before"), errors=(400,))
async def list_account_changes(request: web.Request) -> web.Response:
    user = user_of(request)
    store = ctx_of(request).store
    limit = int_query(request, "limit", 50, 1, MAX_PAGE)
    rows = await store.account_changes.changes(user.org_id, subject_id=request.query.get("user_id") or None,
                                               before=before_cursor(request), limit=limit + 1)
    rows, next_before = page_of(rows, limit, lambda r: (r.at, r.id))
    job_ids = {r.detail["job_id"] for r in rows if r.detail.get("job_id")}
    titles = {j.id: j.title for j in await store.jobs.for_org(user.org_id, only=job_ids)} if job_ids else {}
    out = m.AccountChangeList(
        changes=[m.AccountChangeOut(
            id=r.id, at=iso_utc(r.at), action=r.action, what=ACCOUNT_ACTIONS.get(r.action, r.action),
            actor_id=r.actor_id, actor_email=r.actor_email, subject_id=r.subject_id, subject_email=r.subject_email,
            detail=_with_job_title(r.detail, titles), ip=r.ip) for r in rows],
        next_before=next_before)
    return web.json_response(out.model_dump())


def _with_job_title(detail: dict, titles: dict[str, str]) -> dict:
    """The record's detail, with the title of the job it names (empty once the job is deleted)."""
    return {**detail, "job_title": titles.get(detail["job_id"], "")} if detail.get("job_id") else dict(detail)
