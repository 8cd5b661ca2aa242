"""Shared request helpers: the server context, the organisation's interview, the candidate behind a link.
(Who may call a route is declared at registration and checked by routes/guard.py.)"""

from __future__ import annotations

import functools
from datetime import datetime
import ipaddress
import re
from collections.abc import Callable
from typing import Protocol, TypeVar
from urllib.parse import unquote

from aiohttp import BodyPartReader, web

from server.http.access_log import log_interview
from server.http.auth import LinkError
from server.platform.context import ServerContext
from server.http.errors import ApiError
from server.http.openapi import ApiRoutes
from server.storage.models import Candidate, Interview, Job, User, as_utc, iso_utc

api = ApiRoutes()
SESSION_COOKIE = "interview_session"
CTX_KEY = web.AppKey("ctx", ServerContext)
LINKED_INTERVIEW_KEY = web.RequestKey("linked_interview", Interview)  # set once the candidate's link was checked
# the interview the guard admitted from the path (routes/scope.py), handed to the handler's first org_interview
ADMITTED_INTERVIEW_KEY = web.RequestKey("admitted_interview", Interview)


def ctx_of(request: web.Request) -> ServerContext:
    return request.app[CTX_KEY]


class _OrgOwned(Protocol):
    org_id: str


OrgOwned = TypeVar("OrgOwned", bound=_OrgOwned)


def in_org(record: OrgOwned | None, user: User, what: str) -> OrgOwned:
    """The record if it belongs to the user's organisation; 404 otherwise (also for another organisation's record,
    so ids reveal nothing)."""
    if record is None or record.org_id != user.org_id:
        raise ApiError(404, "not_found", f"No such {what}.")
    return record


async def org_interview(request: web.Request, user: User, interview_id: str) -> Interview:
    """The organisation's interview (404 otherwise); the one the guard has just read for this request, the first
    time it is asked for."""
    admitted = request.pop(ADMITTED_INTERVIEW_KEY, None)
    if admitted is not None and admitted.id == interview_id:
        return in_org(admitted, user, "interview")
    return in_org(await ctx_of(request).store.interviews.get(interview_id), user, "interview")


async def org_job(request: web.Request, user: User, job_id: str) -> Job:
    return in_org(await ctx_of(request).store.jobs.get(job_id), user, "job")


async def org_candidate(request: web.Request, user: User, candidate_id: str) -> Candidate:
    return in_org(await ctx_of(request).store.matching.candidate(candidate_id), user, "candidate")


async def interview_from_link(request: web.Request, token: str) -> Interview:
    ctx = ctx_of(request)
    try:
        claims = ctx.signer.read_link(token)
    except LinkError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from exc
    iv = await ctx.store.interviews.get(claims.interview_id)
    if iv is None or iv.link_nonce != claims.nonce or iv.link_revoked_at is not None:  # replaced or withdrawn
        raise ApiError(403, "invalid_link", "This interview link is not valid.")
    request[LINKED_INTERVIEW_KEY] = iv
    log_interview(request, iv.id)
    return iv


def before_cursor(request: web.Request) -> tuple[datetime, str] | None:
    """The ``?before=`` of a page read newest first: an earlier page's ``next_before`` ("<ISO time>~<id>"), or None
    (400 ``bad_query`` when it is not one)."""
    raw = request.query.get("before")
    if not raw:
        return None
    at, _, rid = raw.rpartition("~")
    try:
        return as_utc(datetime.fromisoformat(at)), rid
    except ValueError as exc:
        raise ApiError(400, "bad_query", "before must be the next_before of an earlier page") from exc


Row = TypeVar("Row")


def page_of(rows: list[Row], limit: int, cursor: Callable[[Row], tuple[datetime, str]]) -> tuple[list[Row], str | None]:
    """``before_cursor``'s counterpart: of ``rows`` read newest first, one more than ``limit`` asked for, the page and
    the ``next_before`` of the next one (None on the last page); ``cursor`` gives a row's (time, id)."""
    if len(rows) <= limit:
        return rows, None
    at, rid = cursor(rows[limit - 1])
    return rows[:limit], f"{iso_utc(at)}~{rid}"


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


def via_trusted_proxy(request: web.Request) -> bool:
    """The connection comes from one of the reverse proxies listed in ``trusted_proxies``."""
    proxies = _networks(tuple(ctx_of(request).settings.trusted_proxies))
    return bool(proxies) and _within(request.remote or "", proxies)


def client_ip(request: web.Request) -> str:
    """The caller's address: the connection's or, when that is a trusted reverse proxy (``trusted_proxies``), the
    nearest address in X-Forwarded-For that is not one of the proxies (addresses further left are the caller's
    own claims)."""
    remote = request.remote or ""
    if not via_trusted_proxy(request):
        return remote
    proxies = _networks(tuple(ctx_of(request).settings.trusted_proxies))
    hops = [h.strip() for v in request.headers.getall("X-Forwarded-For", []) for h in v.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _within(hop, proxies):
            return hop[:64]
    return remote


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(e, strict=False) for e in entries)


def _within(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def upload_filename(part: BodyPartReader) -> str:
    """An uploaded file's name as the user sees it: browsers escape only '"', CR and LF as %22/%0D/%0A, some clients
    percent-encode every non-ASCII character; control characters (NUL above all: PostgreSQL stores no text with it)
    are dropped, and at most 300 characters kept."""
    raw = part.filename or ""
    name = unquote(raw) if re.search(r"%[0-9A-Fa-f]{2}", raw) else raw
    return _CONTROL.sub("", name)[:300]
