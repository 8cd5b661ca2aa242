"""The audit log of personal-data reads, for the organisation's admins."""

from __future__ import annotations


from aiohttp import web

from server.http.api_models import audit as m
from server.compliance.audit import READ_ACTIONS
from server.http.access import ADMIN, ReadAudit, users
from server.http.routes.common import api, ctx_of, before_cursor, int_query
from server.http.routes.guard import record_shown, user_of
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
    more = len(rows) > limit
    rows = rows[:limit]
    await record_shown(request, {cid for r in rows for cid, name in r.candidates if name})
    out = m.AuditReadList(
        reads=[m.AuditReadOut(
            id=r.id, action=r.action, what=READ_ACTIONS.get(r.action, r.action), actor_id=r.actor_id,
            actor_email=r.actor_email, subject_kind=r.subject_kind, subject_id=r.subject_id, ip=r.ip,
            first_at=iso_utc(r.first_at), last_at=iso_utc(r.last_at), count=r.count,
            candidates_total=r.candidates_total,
            candidates=[m.AuditCandidateOut(id=cid, name=name) for cid, name in r.candidates]) for r in rows],
        next_before=f"{iso_utc(rows[-1].last_at)}~{rows[-1].id}" if more else None)
    return web.json_response(out.model_dump())
