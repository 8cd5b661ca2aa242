"""The guard around every route: admits only the callers its registration declared and makes sure that an answer
showing candidates' personal data was recorded as the route's audited read before it is sent.

* ``ANY_USER`` / ``LISTING`` / ``users(...)``: 401 without a session, 403 (the declared message) for other roles;
  the handler gets the user with ``user_of(request)``.
* ``scope=...`` (routes/scope.py): a record named by the path is admitted before the handler runs (404 unless the
  user is responsible for it); a record named by the body, or a listing, the handler checks with routes/scope.py,
  and a successful answer from a handler that did not is a server error, never data.
* ``CANDIDATE_LINK``: the handler reads the link (``interview_from_link``, where the token is); a successful answer
  from a handler that did not is a server error, never data.
* ``reads=ReadAudit(...)``: the handler calls ``await record_shown(request, candidate_ids)`` with the candidates its
  answer (or stream) shows, before building or sending it; the read is recorded then, or refused with 503
  ``audit_unavailable``. A successful answer without that call is a server error, never data.

Both are checked when the handler returns its answer and, for a WebSocket or stream the handler starts itself, as
it starts (``before_streaming``, the app's ``on_response_prepare`` signal).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from aiohttp import web

from server.compliance.audit import READ_ACTIONS, audit_read
from server.http.access import LISTED, ReadAudit
from server.http.errors import ApiError
from server.http.openapi import Route
from server.http.routes.common import LINKED_INTERVIEW_KEY, SESSION_COOKIE, client_ip, ctx_of, org_interview
from server.http.routes.scope import ADMIT, SCOPE_CHECKED_KEY
from server.storage.models import Interview, User
from server.storage.account_changes import ChangedBy

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class _PendingRead:
    audit: ReadAudit
    declared: bool = False  # record_shown was called (and the read recorded, unless it showed no one)


USER_KEY = web.RequestKey("user", User)
READ_KEY = web.RequestKey("read", _PendingRead)
RUNNING_KEY = web.RequestKey("running_route", Route)  # while the route's handler runs


async def _logged_in(request: web.Request) -> User:
    ctx = ctx_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    user = await ctx.sessions.user(token) if token else None  # None once the login has ended (server/http/sessions.py)
    if user is None:
        raise ApiError(401, "not_logged_in", "Please log in.")
    return user


def user_of(request: web.Request) -> User:
    """The logged-in user the guard admitted (only on routes declared for logged-in users)."""
    user = request.get(USER_KEY)
    if user is None:
        raise RuntimeError(f"{request.method} {request.path}: the route is not declared for logged-in users")
    return user


def changed_by(request: web.Request) -> ChangedBy:
    """The logged-in user making an account change, and from where (for the account log)."""
    return ChangedBy.user(user_of(request), client_ip(request))


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
        ctx = ctx_of(request)
        await audit_read(ctx.store.audit, user, audit.action, audit.subject, subject_id, ids, client_ip(request),
                         ctx.clock(), ctx.settings.audit_coalesce_s)
    pending.declared = True


async def shown_interview(request: web.Request) -> Interview:
    """The interview named in the path (of the user's organisation, else 404), recorded as shown: its candidate's
    data may leave with the answer."""
    iv = await org_interview(request, user_of(request), request.match_info["interview_id"])
    await record_shown(request, [iv.candidate_id])
    return iv


def guarded(route: Route) -> Handler:
    """``route``'s handler behind its declared access and audited read."""
    access, reads, handler = route.access, route.reads, route.handler
    if reads is not None and reads.action not in READ_ACTIONS:
        raise ValueError(f"{route.method} {route.path}: unknown audited action {reads.action!r}")

    async def guard(request: web.Request) -> web.StreamResponse:
        if access.caller == "user":
            user = await _logged_in(request)
            if not access.admits(user.role):
                raise ApiError(403, "forbidden", access.refusal)
            request[USER_KEY] = user
            if access.scope in ADMIT and access.scope_from == "path":  # 404 unless the user is responsible for it
                await ADMIT[access.scope](request, user, request.match_info[access.scope_param])
        if reads is not None:
            request[READ_KEY] = _PendingRead(reads)
        request[RUNNING_KEY] = route  # a stream the handler opens itself is checked as it starts (before_streaming)
        try:
            response = await handler(request)
        finally:
            request.pop(RUNNING_KEY, None)
        if not response.prepared:
            _check(request, route, response)  # a 500 instead: the answer is not sent
        return response

    guard.route = route  # type: ignore[attr-defined]  (the app's route table can be checked against declarations)
    return guard


async def before_streaming(request: web.Request, response: web.StreamResponse) -> None:
    """The app's ``on_response_prepare``: a WebSocket or stream that a handler starts itself has passed the same
    checks before its first byte (the handshake fails with 500 otherwise)."""
    if (route := request.get(RUNNING_KEY)) is not None:
        _check(request, route, response)


def _check(request: web.Request, route: Route, response: web.StreamResponse) -> None:
    if response.status >= 300:
        return
    if route.access.caller == "candidate_link" and LINKED_INTERVIEW_KEY not in request:
        raise RuntimeError(f"{route.method.upper()} {route.path} answered without reading the candidate's link")
    scope = route.access.scope
    if (scope == LISTED or route.access.scope_from == "body") and not request.get(SCOPE_CHECKED_KEY):
        raise RuntimeError(f"{route.method.upper()} {route.path} answered without checking what the user is "
                           f"responsible for ({scope})")
    if route.reads is not None and not request[READ_KEY].declared:
        raise RuntimeError(f"{route.method.upper()} {route.path} answered without recording which candidates it "
                           "shows")
