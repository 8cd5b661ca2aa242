"""The guard around every route: admits only the callers its registration declared and makes sure that an answer
showing candidates' personal data was recorded as the route's audited read before it is sent.

* ``ANY_USER`` / ``users(...)``: 401 without a session, 403 (the declared message) for other roles; the handler gets
  the user with ``user_of(request)``.
* ``CANDIDATE_LINK``: the handler reads the link (``interview_from_link``, where the token is); a successful answer
  from a handler that did not is a server error, never data.
* ``reads=ReadAudit(...)``: the handler calls ``await record_shown(request, candidate_ids)`` with the candidates its
  answer (or stream) shows, before building or sending it; the read is recorded then, or refused with 503
  ``audit_unavailable``. A successful answer without that call is a server error, never data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import structlog
from aiohttp import web

from server.compliance.audit import READ_ACTIONS, record_read
from server.http.access import ReadAudit
from server.http.errors import ApiError
from server.http.openapi import Route
from server.http.routes.common import LINKED_INTERVIEW_KEY, SESSION_COOKIE, ctx_of
from server.storage.models import User

log = structlog.get_logger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class _PendingRead:
    audit: ReadAudit
    declared: bool = False  # record_shown was called (and the read recorded, unless it showed no one)


USER_KEY = web.RequestKey("user", User)
READ_KEY = web.RequestKey("read", _PendingRead)


async def _logged_in(request: web.Request) -> User:
    ctx = ctx_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    user_id = ctx.signer.read_session(token) if token else None
    user = await ctx.store.user(user_id) if user_id else None
    if user is None:
        raise ApiError(401, "not_logged_in", "Please log in.")
    return user


def user_of(request: web.Request) -> User:
    """The logged-in user the guard admitted (only on routes declared for logged-in users)."""
    user = request.get(USER_KEY)
    if user is None:
        raise RuntimeError(f"{request.method} {request.path}: the route is not declared for logged-in users")
    return user


async def record_shown(request: web.Request, candidate_ids: Iterable[str]) -> None:
    """Record that this request's answer shows ``candidate_ids``' data, as the route's declared read (503
    ``audit_unavailable`` if it cannot be recorded). Call it before the data leaves; calling it again records
    another read (e.g. a stream that shows more)."""
    pending = request.get(READ_KEY)
    if pending is None:
        raise RuntimeError(f"{request.method} {request.path}: the route declares no audited read")
    audit, user = pending.audit, user_of(request)
    ids = list(candidate_ids)
    if ids or audit.when_none_shown:
        subject_id = user.org_id if audit.path_param is None else request.match_info[audit.path_param]
        await record_read(request, user, audit.action, audit.subject, subject_id, ids)
    pending.declared = True


def guarded(route: Route) -> Handler:
    """``route``'s handler behind its declared access and audited read."""
    access, reads, handler = route.access, route.reads, route.handler
    if reads is not None and reads.action not in READ_ACTIONS:
        raise ValueError(f"{route.method} {route.path}: unknown audited action {reads.action!r}")

    async def guard(request: web.Request) -> web.StreamResponse:
        if access.caller == "user":
            user = await _logged_in(request)
            if access.roles and user.role not in access.roles:
                raise ApiError(403, "forbidden", access.refusal)
            request[USER_KEY] = user
        if reads is not None:
            request[READ_KEY] = _PendingRead(reads)
        response = await handler(request)
        problem = None
        if response.status < 300 and access.caller == "candidate_link" and LINKED_INTERVIEW_KEY not in request:
            problem = "answered without reading the candidate's link"
        elif response.status < 300 and reads is not None and not request[READ_KEY].declared:
            problem = "answered without recording which candidates it shows"
        if problem is None:
            return response
        if response.prepared:  # a stream, already over: nothing left to withhold; a bug the tests must catch
            log.error("unguarded_stream", method=route.method, path=route.path, problem=problem)
            return response
        raise RuntimeError(f"{route.method.upper()} {route.path} {problem}")  # a 500; the answer is not sent

    guard.route = route  # type: ignore[attr-defined]  (the app's route table can be checked against declarations)
    return guard
