"""Shared request helpers: the server context, the logged-in HR user, the candidate behind a link."""

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
USER_KEY = web.RequestKey("user", User)


def ctx_of(request: web.Request) -> ServerContext:
    return request.app[CTX_KEY]


async def current_user(request: web.Request) -> User:
    """The logged-in user (looked up once per request)."""
    if (cached := request.get(USER_KEY)) is not None:
        return cached
    ctx = ctx_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    user_id = ctx.signer.read_session(token) if token else None
    user = await ctx.store.accounts.user(user_id) if user_id else None
    if user is None:
        raise ApiError(401, "not_logged_in", "Please log in.")
    request[USER_KEY] = user
    return user


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
