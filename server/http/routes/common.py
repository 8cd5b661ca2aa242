"""Shared request helpers: the server context, the organisation's interview, the candidate behind a link.
(Who may call a route is declared at registration and checked by routes/guard.py.)"""

from __future__ import annotations

from aiohttp import web

from server.http.auth import LinkError
from server.platform.context import ServerContext
from server.http.errors import ApiError
from server.http.openapi import ApiRoutes
from server.storage.models import Interview, User

api = ApiRoutes()
SESSION_COOKIE = "interview_session"
CTX_KEY = web.AppKey("ctx", ServerContext)
LINKED_INTERVIEW_KEY = web.RequestKey("linked_interview", Interview)  # set once the candidate's link was checked


def ctx_of(request: web.Request) -> ServerContext:
    return request.app[CTX_KEY]


async def org_interview(request: web.Request, user: User, interview_id: str) -> Interview:
    """The interview if it belongs to the user's organisation (404 otherwise, so ids reveal nothing)."""
    iv = await ctx_of(request).store.interviews.get(interview_id)
    if iv is None or iv.org_id != user.org_id:
        raise ApiError(404, "not_found", "No such interview.")
    return iv


async def interview_from_link(request: web.Request, token: str) -> Interview:
    ctx = ctx_of(request)
    try:
        claims = ctx.signer.read_link(token)
    except LinkError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from exc
    iv = await ctx.store.interviews.get(claims.interview_id)
    if iv is None or iv.link_nonce != claims.nonce:
        raise ApiError(403, "invalid_link", "This interview link is not valid.")
    request[LINKED_INTERVIEW_KEY] = iv
    return iv


def int_query(request: web.Request, name: str, default: int, lo: int, hi: int) -> int:
    """A whole-number query parameter within [lo, hi] (400 ``bad_query`` otherwise)."""
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ApiError(400, "bad_query", f"{name} must be a whole number") from exc
    if not lo <= value <= hi:
        raise ApiError(400, "bad_query", f"{name} must be between {lo} and {hi}")
    return value


def client_ip(request: web.Request) -> str:
    return request.remote or ""
