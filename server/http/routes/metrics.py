"""``GET /metrics``: this process's Prometheus metrics (server/platform/metrics.py), for the operators' scraper.

Who may read them is the ``metrics`` setting, not a login (a scraper has none): ``loopback`` (the default) serves
only requests made directly from this machine, and refuses one that came through a reverse proxy (it carries a
forwarding header), since a proxy on the same machine connects from loopback too; ``token`` serves any address
that sends ``Authorization: Bearer <metrics_token>``; ``off`` answers 404. The metrics carry no personal data
either way: counts, times and kinds of things, no ids or names.
"""

from __future__ import annotations

import hmac
import ipaddress

from aiohttp import web

from server.http.access import PUBLIC
from server.http.errors import ApiError
from server.http.routes.common import CTX_KEY, api, ctx_of
from server.http.routes.imports import IMPORTS_KEY
from server.platform.metrics import Backlog, NodeState, exposition
from server.platform.settings import Settings

FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def check_metrics_access(request: web.Request, settings: Settings) -> None:
    """Raises the refusal (404 off, 403 not from this machine, 401 without the token) unless the caller may read."""
    if settings.metrics == "off":
        raise ApiError(404, "not_found", "Metrics are turned off on this server (INTERVIEW_METRICS=off).")
    if settings.metrics == "loopback":
        if not _loopback(request.remote) or any(h in request.headers for h in FORWARDING_HEADERS):
            raise ApiError(403, "forbidden", "Metrics are served only to requests made directly from this machine "
                           "(INTERVIEW_METRICS=loopback); use INTERVIEW_METRICS=token to scrape from elsewhere.")
        return
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    expected = (settings.metrics_token or "").encode()
    if scheme.lower() != "bearer" or not expected or not hmac.compare_digest(given.strip().encode(), expected):
        raise ApiError(401, "unauthorized", "Metrics need 'Authorization: Bearer' with the metrics token.",
                       headers={"WWW-Authenticate": 'Bearer realm="metrics"'})


def _loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1 on a dual-stack listener
    return (mapped or ip).is_loopback


def node_state(app: web.Application) -> NodeState:
    ctx = app[CTX_KEY]
    lives = list(ctx.live.values())
    work = [live.work_backlog for live in lives]
    feeds = [live.feed_backlog for live in lives]
    imports = app.get(IMPORTS_KEY)
    backlogs = [
        Backlog("live_interview_work", sum(d for d, _ in work), sum(c for _, c in work)),
        Backlog("live_feed", sum(d for d, _ in feeds), sum(c for _, c in feeds)),
        Backlog("observer_events", *ctx.bus.backlog()),
        Backlog("password_checks", ctx.passwords.waiting, ctx.passwords.max_waiting),
        Backlog("record_writes", *ctx.store.records.writes_backlog),
        Backlog("imports", imports.active if imports is not None else 0, ctx.settings.import_max_active),
    ]
    return NodeState(live_sessions=len(lives), connected_sessions=sum(1 for live in lives if live.connected),
                     language_model_ready=ctx.language_model.state == "ready",
                     background_tasks=ctx.background_tasks, backlogs=backlogs)


@api.route("GET", "/metrics", "Prometheus metrics of this server process (text format); who may read them is the "
           "metrics setting: by default only direct requests from this machine", "operations", access=PUBLIC,
           errors=(401, 403, 404))
async def metrics(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    check_metrics_access(request, ctx.settings)
    body, content_type = exposition(node_state(request.app))
    return web.Response(body=body, headers={"Content-Type": content_type, "Cache-Control": "no-store"})
