"""Logging in and out, and changing one's password. Logins are kept on the server (server/http/sessions.py); wrong
passwords are limited per account and per address (server/http/login_throttle.py); passwords are checked off the
event loop (``PasswordWorker``)."""

from __future__ import annotations

import math

import structlog
from aiohttp import web

from server.http.access import ANY_USER, PUBLIC
from server.http.api_models import hr as m
from server.http.api_models import sessions as sm
from server.http.auth import PasswordsBusy, hash_password, password_needs_rehash
from server.http.errors import ApiError, parse_body
from server.http.login_throttle import LoginRefused
from server.http.routes.common import SESSION_COOKIE, api, client_ip, ctx_of
from server.http.routes.guard import changed_by, user_of
from server.platform.context import ServerContext
from server.storage.models import User

log = structlog.get_logger(__name__)

# an unknown e-mail is checked against this, so the time an answer takes does not tell which e-mails exist
_DUMMY_HASH = hash_password("not-a-real-password")


def user_out(u: User) -> dict:
    return m.UserOut(id=u.id, email=u.email, role=u.role, org_id=u.org_id, display_name=u.display_name).model_dump()


async def _password_holder(ctx: ServerContext, email: str, password: str, address: str) -> User | None:
    """The user with this e-mail if ``password`` is theirs, else None (counted as a wrong password). Refused with
    429 while the account or address is throttled, 503 when too many checks are waiting already."""
    throttle = ctx.login_throttle
    try:
        await throttle.check(email, address)  # refused at once, without waiting for a turn
        async with ctx.passwords.turn():
            await throttle.check(email, address)  # again: tries that waited for their turn may have used it up
            user = await ctx.store.accounts.user_by_email(email)
            ok = await ctx.passwords.verify(user.password_hash if user else _DUMMY_HASH, password)
            if not (ok and user):
                await throttle.failed(email, address)
                return None
            await throttle.succeeded(email)
            if password_needs_rehash(user.password_hash):
                await ctx.store.accounts.set_password_hash(user.id, await ctx.passwords.hash(password))
            return user
    except LoginRefused as exc:
        seconds = exc.retry_after_s
        message = (f"Too many wrong passwords: logging in is locked for {math.ceil(seconds / 60)} min. Try again "
                   "later or ask your organisation's admin." if exc.code == "login_locked" else
                   f"Too many wrong passwords. Try again in {seconds} s.")
        raise ApiError(429, exc.code, message, headers={"Retry-After": str(seconds)}) from exc
    except PasswordsBusy as exc:
        raise _busy() from exc


def _busy() -> ApiError:
    return ApiError(503, "login_busy", "The server is checking many logins right now. Try again in a moment.",
                    headers={"Retry-After": "1"})


def _with_login(resp: web.Response, ctx: ServerContext, token: str) -> web.Response:
    resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Lax", path="/",
                    max_age=ctx.settings.session_max_age_s, secure=ctx.settings.resolved_base_url.startswith("https"))
    return resp


@api.route("POST", "/api/v1/auth/login", "Log in as an HR user; sets the session cookie. Wrong passwords are "
           "limited per account and per address: 429 login_wait (back-off) or login_locked, with Retry-After",
           "auth", access=PUBLIC, body=m.LoginRequest, response=m.LoginResponse, errors=(401, 403, 422, 429, 503))
async def login(request: web.Request) -> web.Response:
    body = await parse_body(request, m.LoginRequest)
    ctx = ctx_of(request)
    address = client_ip(request)
    user = await _password_holder(ctx, body.email, body.password, address)
    if user is None:
        raise ApiError(401, "bad_credentials", "Wrong email or password.")
    if not user.active:
        raise ApiError(403, "account_deactivated", "This account has been deactivated. Ask your organisation's "
                       "admin.")
    token = await ctx.sessions.start(user.id, address)
    await ctx.store.accounts.logged_in(user.id, ctx.login_clock())
    return _with_login(web.json_response({"user": user_out(user)}), ctx, token)


@api.route("POST", "/api/v1/auth/logout", "Log out: the login ends on the server", "auth", access=PUBLIC,
           status=204)
async def logout(request: web.Request) -> web.Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await ctx_of(request).sessions.end(token)
    resp = web.Response(status=204)
    resp.del_cookie(SESSION_COOKIE, path="/")
    return resp


@api.route("GET", "/api/v1/auth/me", "The logged-in user", "auth", access=ANY_USER, response=m.LoginResponse)
async def me(request: web.Request) -> web.Response:
    return web.json_response({"user": user_out(user_of(request))})


REPORT_READS = ("report.read", "report.download")


@api.route("GET", "/api/v1/auth/me/report-read", "Whether the logged-in user has opened an evaluation report, from "
           "any page or device (the HR page's first-run checklist ticks its last step from it)", "auth",
           access=ANY_USER, response=m.ReportReadOut)
async def me_report_read(request: web.Request) -> web.Response:
    user = user_of(request)
    read = await ctx_of(request).store.audit.has_read(user.org_id, user.id, REPORT_READS)
    return web.json_response(m.ReportReadOut(report_read=read).model_dump())


@api.route("POST", "/api/v1/auth/password", "Change one's password: every login of the user ends, on every "
           "device; this browser gets a new one", "auth", access=ANY_USER, body=sm.PasswordChangeRequest,
           response=sm.SessionsEnded, errors=(403, 422, 429, 503))
async def change_password(request: web.Request) -> web.Response:
    user = user_of(request)
    body = await parse_body(request, sm.PasswordChangeRequest)
    ctx = ctx_of(request)
    address = client_ip(request)
    if await _password_holder(ctx, user.email, body.current_password, address) is None:
        raise ApiError(403, "wrong_password", "The current password is wrong.")
    if body.new_password == body.current_password:
        raise ApiError(422, "same_password", "The new password must differ from the current one.")
    try:
        async with ctx.passwords.turn():
            new_hash = await ctx.passwords.hash(body.new_password)
    except PasswordsBusy as exc:
        raise _busy() from exc
    await ctx.store.accounts.set_password_hash(user.id, new_hash, by=changed_by(request))
    ended = await ctx.sessions.end_all(user.id)
    log.info("password_changed", user_id=user.id, logins_ended=ended)
    token = await ctx.sessions.start(user.id, address)
    return _with_login(web.json_response(sm.SessionsEnded(ended=ended).model_dump()), ctx, token)
