"""User accounts, for their organisation's admins: create a user (who gets a one-time set-password link), issue a
new link, change a role, deactivate and reactivate; and the public set-password step the link leads to.

An organisation always keeps one active admin (storage ``LastAdmin``: 409). Deactivation ends the user's logins at
once (server/http/sessions.py also refuses any login of a deactivated user) and keeps their records.
"""

from __future__ import annotations

import structlog
from aiohttp import web
from sqlalchemy.exc import IntegrityError

from server.http.access import ADMIN, PUBLIC, users
from server.http.api_models import users as m
from server.http.api_models.team import TeamMember
from server.http.auth import LinkError, PasswordsBusy
from server.http.errors import ApiError, parse_body
from server.http.password_links import used_link
from server.http.routes.common import api, client_ip, ctx_of, in_org
from server.http.routes.guard import changed_by, user_of
from server.http.routes.team import member_out
from server.platform.context import ServerContext
from server.recruiting.account_mail import render_password_mail
from server.recruiting.invitations import Mailer
from server.storage.account_changes import ChangedBy
from server.storage.accounts import LastAdmin
from server.storage.models import User, iso_utc

log = structlog.get_logger(__name__)

REFUSAL = "Only your organisation's admins add users and change their roles or access."
ADMINS = users(ADMIN, REFUSAL)
USER_ADMINS = users(ADMIN, REFUSAL, scope="user")
LAST_ADMIN = "An organisation always keeps one active admin: make someone else an admin first."
_UNUSABLE_HASH = "!unset"  # no password verifies against it: the user logs in once they set one by their link


async def _member(ctx: ServerContext, user: User) -> dict:
    return member_out(user, await ctx.store.assignments.of_user(user.id))


async def _with_link(ctx: ServerContext, user: User, language: str, status: int, by: ChangedBy) -> web.Response:
    """A new set-password link for the user (the older one stops working), e-mailed when SMTP is configured; the
    answer shows it once."""
    link = ctx.password_links.issue(user.id)
    await ctx.store.accounts.set_password_link(user.id, link.nonce, by=by)
    mailer = Mailer(ctx.settings)
    if mailer.enabled:
        org = await ctx.store.accounts.org(user.org_id)
        content = render_password_mail(language, user.display_name or user.email, org.name if org else "", link.url,
                                       link.expires_at)
        ctx.spawn(_send(mailer, user, content))
    out = m.PasswordLinkOut(user=TeamMember(**await _member(ctx, user)), set_password_link=link.url,
                            expires_at=iso_utc(link.expires_at), emailed=mailer.enabled)
    return web.json_response(out.model_dump(), status=status)


async def _send(mailer: Mailer, user: User, content) -> None:
    try:
        await mailer.send(user.email, content)
        log.info("password_link_mailed", user_id=user.id)
    except Exception as exc:  # the admin has the link on screen to pass on; the failure is logged
        log.warning("password_link_mail_failed", user_id=user.id, error=str(exc))


@api.route("POST", "/api/v1/users", "Create a user of the organisation; the answer carries their one-time "
           "set-password link (also e-mailed to them when SMTP is configured) (admins)", "team", access=ADMINS,
           body=m.UserCreate, response=m.PasswordLinkOut, status=201, errors=(409, 422))
async def create_user(request: web.Request) -> web.Response:
    admin = user_of(request)
    body = await parse_body(request, m.UserCreate)
    ctx = ctx_of(request)
    taken = ApiError(409, "email_taken", "There is already an account with this e-mail address.")
    if await ctx.store.accounts.user_by_email(body.email) is not None:
        raise taken
    by = changed_by(request)
    try:
        user = await ctx.store.accounts.create_user(admin.org_id, body.email.strip(), _UNUSABLE_HASH, role=body.role,
                                                    name=body.display_name.strip(), by=by)
    except IntegrityError as exc:  # created by someone else a moment ago
        raise taken from exc
    log.info("user_created", user_id=user.id, role=user.role, by=admin.id)
    return await _with_link(ctx, user, body.language, 201, by)


@api.route("POST", "/api/v1/users/{user_id}/password-link", "A new one-time set-password link for the user (the "
           "earlier one stops working); e-mailed too when SMTP is configured (admins)", "team", access=USER_ADMINS,
           body=m.LinkRequest, response=m.PasswordLinkOut, errors=(404, 409, 422))
async def new_password_link(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    admin = user_of(request)
    user = in_org(await ctx.store.accounts.user(request.match_info["user_id"]), admin, "user")
    body = await parse_body(request, m.LinkRequest)
    if not user.active:
        raise ApiError(409, "user_deactivated", "Reactivate the user first.")
    return await _with_link(ctx, user, body.language, 200, changed_by(request))


@api.route("PUT", "/api/v1/users/{user_id}/role", "Change a user's role (an organisation keeps one active admin: "
           "409 last_admin) (admins)", "team", access=USER_ADMINS, body=m.RoleChange, response=TeamMember,
           errors=(404, 409, 422))
async def change_role(request: web.Request) -> web.Response:
    admin = user_of(request)
    ctx = ctx_of(request)
    user = in_org(await ctx.store.accounts.user(request.match_info["user_id"]), admin, "user")
    body = await parse_body(request, m.RoleChange)
    try:
        user = await ctx.store.accounts.change(user, role=body.role, by=changed_by(request))
    except LastAdmin as exc:
        raise ApiError(409, "last_admin", LAST_ADMIN) from exc
    log.info("user_role_changed", user_id=user.id, role=user.role, by=admin.id)
    return web.json_response(await _member(ctx, user))


@api.route("PUT", "/api/v1/users/{user_id}/active", "Deactivate a user (their logins end at once and they cannot "
           "log in; their records stay) or reactivate them (admins)", "team", access=USER_ADMINS,
           body=m.ActiveChange, response=TeamMember, errors=(404, 409, 422))
async def change_active(request: web.Request) -> web.Response:
    admin = user_of(request)
    ctx = ctx_of(request)
    user = in_org(await ctx.store.accounts.user(request.match_info["user_id"]), admin, "user")
    body = await parse_body(request, m.ActiveChange)
    if not body.active and user.id == admin.id:
        raise ApiError(409, "own_account", "You cannot deactivate your own account.")
    try:
        user = await ctx.store.accounts.change(user, active=body.active, by=changed_by(request))
    except LastAdmin as exc:
        raise ApiError(409, "last_admin", LAST_ADMIN) from exc
    ended = 0 if body.active else await ctx.sessions.end_all(user.id)
    log.info("user_activated" if body.active else "user_deactivated", user_id=user.id, by=admin.id,
             logins_ended=ended)
    return web.json_response(await _member(ctx, user))


async def _link_user(ctx: ServerContext, token: str) -> tuple[User, str]:
    """The user a set-password link is for and its nonce; 400/410 when it cannot be used."""
    try:
        claims = ctx.password_links.read(token)
    except LinkError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from exc
    user = await ctx.store.accounts.user(claims.user_id)
    if user is None or not user.active or user.password_link_nonce != claims.nonce:
        exc = used_link()
        raise ApiError(exc.status, exc.code, exc.message)
    return user, claims.nonce


@api.route("POST", "/api/v1/auth/password-link", "Whose account a set-password link is for (the page shows it "
           "before the password is chosen); 400 invalid_link, 410 link_expired or link_used", "auth",
           access=PUBLIC, body=m.TokenRequest, response=m.PasswordLinkInfo, errors=(400, 410, 422))
async def password_link_info(request: web.Request) -> web.Response:
    body = await parse_body(request, m.TokenRequest)
    user, _ = await _link_user(ctx_of(request), body.token)
    return web.json_response(m.PasswordLinkInfo(email=user.email, display_name=user.display_name).model_dump())


@api.route("POST", "/api/v1/auth/set-password", "Set one's password with a set-password link (once; the link then "
           "stops working), then log in with it; 400 invalid_link, 410 link_expired or link_used", "auth",
           access=PUBLIC, body=m.SetPasswordRequest, response=m.PasswordLinkInfo, errors=(400, 410, 422, 503))
async def set_password(request: web.Request) -> web.Response:
    body = await parse_body(request, m.SetPasswordRequest)
    ctx = ctx_of(request)
    user, nonce = await _link_user(ctx, body.token)
    try:
        async with ctx.passwords.turn():
            new_hash = await ctx.passwords.hash(body.password)
    except PasswordsBusy as exc:
        raise ApiError(503, "login_busy", "The server is busy right now. Try again in a moment.",
                       headers={"Retry-After": "1"}) from exc
    if not await ctx.store.accounts.set_password_by_link(user.id, nonce, new_hash, client_ip(request)):
        # used meanwhile
        exc = used_link()
        raise ApiError(exc.status, exc.code, exc.message)
    ended = await ctx.sessions.end_all(user.id)  # a password set anew: no earlier login stays
    log.info("password_set_by_link", user_id=user.id, logins_ended=ended)
    return web.json_response(m.PasswordLinkInfo(email=user.email, display_name=user.display_name).model_dump())
