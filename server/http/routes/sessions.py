"""Admins' view of who is logged in, and "sign out everywhere" for a user of their organisation."""

from __future__ import annotations

import structlog
from aiohttp import web

from server.http.access import users
from server.http.api_models import sessions as m
from server.http.routes.common import api, ctx_of, in_org
from server.http.routes.guard import changed_by, user_of
from server.storage.models import iso_utc

log = structlog.get_logger(__name__)

ADMINS = users(("admin",), "Only your organisation's admins see and end other people's logins.")
USER_ADMINS = users(("admin",), "Only your organisation's admins see and end other people's logins.", scope="user")


@api.route("GET", "/api/v1/sessions", "Users of the organisation and their open logins (admins)", "auth",
           access=ADMINS, response=m.SignedInList)
async def signed_in(request: web.Request) -> web.Response:
    rows = await ctx_of(request).sessions.signed_in(user_of(request).org_id)
    out = [m.SignedInUser(id=r.user.id, email=r.user.email, display_name=r.user.display_name, role=r.user.role,
                          sessions=r.sessions, last_seen_at=iso_utc(r.last_seen_at)) for r in rows]
    return web.json_response(m.SignedInList(users=out).model_dump())


@api.route("DELETE", "/api/v1/users/{user_id}/sessions", "Sign a user out everywhere: every login of theirs ends "
           "(admins)", "auth", access=USER_ADMINS, response=m.SessionsEnded, errors=(404,))
async def sign_out_everywhere(request: web.Request) -> web.Response:
    admin = user_of(request)
    ctx = ctx_of(request)
    target = in_org(await ctx.store.accounts.user(request.match_info["user_id"]), admin, "user")
    ended = await ctx.sessions.end_all(target.id, changed_by(request))
    log.info("signed_out_everywhere", user_id=target.id, by=admin.id, logins_ended=ended)
    return web.json_response(m.SessionsEnded(ended=ended).model_dump())
