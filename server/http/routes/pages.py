"""HTML pages and static files, plus the health and OpenAPI endpoints."""

from __future__ import annotations

from aiohttp import web

from analyzers.video_scheduler import ANALYSIS_LAGS_MS, lag_summary
from server.http.api_models import pages as m
from server.http.access import PUBLIC
from server.live.interview import ANSWER_TO_QUESTION_MS
from server.http.openapi import build_document
from server.http.routes.common import api, ctx_of
from server.http.routes.scheduling import schedule_redirect
from web_client import WEB_ROOT, catalogue


def _page(name: str) -> web.FileResponse:
    return web.FileResponse(WEB_ROOT / name, headers={"Cache-Control": "no-store"})


@api.undocumented("GET", "/", access=PUBLIC)
async def index(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/hr")


@api.undocumented("GET", "/favicon.ico", access=PUBLIC)  # asked for by browsers showing a page without its link
async def favicon(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(WEB_ROOT / "favicon.svg", headers={"Content-Type": "image/svg+xml",
                                                             "Cache-Control": "max-age=86400"})


@api.undocumented("GET", "/login", access=PUBLIC)
async def login_page(request: web.Request) -> web.StreamResponse:
    return _page("login.html")


@api.undocumented("GET", "/set-password", access=PUBLIC)  # the page checks its ?token= itself
async def set_password_page(request: web.Request) -> web.StreamResponse:
    return _page("set_password.html")


@api.undocumented("GET", "/hr", access=PUBLIC)
async def hr_page(request: web.Request) -> web.StreamResponse:
    return _page("hr.html")


@api.undocumented("GET", "/analytics", access=PUBLIC)  # the page; its figures come from the analytics API
async def analytics_page(request: web.Request) -> web.StreamResponse:
    return _page("analytics.html")


@api.undocumented("GET", "/static/strings.js", access=PUBLIC)  # before the static files' route
async def strings_script(request: web.Request) -> web.StreamResponse:
    """Every page's strings in both languages (web_client/catalogue.py); browsers revalidate it by its ETag."""
    headers = {"ETag": catalogue.etag(), "Cache-Control": "no-cache"}
    if catalogue.etag() in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    return web.Response(body=catalogue.script(), content_type="text/javascript", charset="utf-8", headers=headers)


@api.undocumented("GET", "/observe/{interview_id}", access=PUBLIC)
async def observer_page(request: web.Request) -> web.StreamResponse:
    return _page("observer.html")


@api.undocumented("GET", "/i/{token}", access=PUBLIC)  # the page says itself when the link is bad
async def candidate_page(request: web.Request) -> web.StreamResponse:
    target = await schedule_redirect(request, request.match_info["token"])
    if target:  # the job needs a booked time and it is not time yet: the schedule page
        raise web.HTTPFound(target)
    return _page("interview.html")


@api.undocumented("GET", "/schedule/{token}", access=PUBLIC)
async def schedule_page(request: web.Request) -> web.StreamResponse:
    return _page("schedule.html")


@api.route("GET", "/api/v1/health", "Liveness, live sessions and event-loop lag", "operations",
           access=PUBLIC, response=m.HealthResponse)
async def health(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    out = m.HealthResponse(live_sessions=len(ctx.live), connected_sessions=sum(1 for x in ctx.live.values()
                                                                               if x.connected),
                           loop_lag_ms=m.LoopLag(**ctx.loop_monitor.summary()),
                           analysis_lag_ms=m.LoopLag(**lag_summary(ANALYSIS_LAGS_MS)),
                           answer_to_question_ms=m.LoopLag(**lag_summary(ANSWER_TO_QUESTION_MS)),
                           language_model=m.LanguageModelStatus(
                               **ctx.language_model.status(),
                               replies_in_time_share=ctx.decision_wait.in_time_share))
    return web.json_response(out.model_dump())


@api.undocumented("GET", "/api/v1/openapi.json", access=PUBLIC)
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(build_document(api.routes))
