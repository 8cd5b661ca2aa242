"""The aiohttp application: routes, middleware, and the server context's start and stop."""

from __future__ import annotations

from aiohttp import web

from server.platform.context import ServerContext
from server.http.access_log import mask_secret_paths
from server.http.errors import error_middleware
from server.http.request_origin import same_origin_writes
from server.http.input_guard import refuse_nul
from server.http.security_headers import add_security_headers
from server.http.routes import candidate, hr, invitations, matching, pages, reports, streams  # noqa: F401  (modules register their routes)
from server.http.routes import scheduling  # noqa: F401  (booking windows, candidate booking; registers its routes)
from server.http.routes import dingtalk  # noqa: F401  (DingTalk ATS import; registers its routes)
from server.http.routes import imports  # bulk candidate import (registers its routes; setup() below)
from server.http.routes import audit  # noqa: F401  (the access log; registers its routes)
from server.http.routes import retention  # noqa: F401  (retention, legal hold, erasure; registers its routes)
from server.http.routes import fairness  # noqa: F401  (self-identification, bias report; registers its routes)
from server.http.routes import login, sessions  # noqa: F401  (logging in and out; admins' sign-out; register routes)
from server.http.routes import links, team  # noqa: F401  (candidate links; who is responsible for what)
from server.http.routes import interview_list  # noqa: F401  (the HR interview list; registers its route)
from server.http.routes.common import CTX_KEY, api
from server.http.routes.guard import before_streaming, guarded
from server.platform.settings import Settings
from web_client import WEB_ROOT

MAX_BODY_BYTES = 256 * 1024


def create_app(settings: Settings, ctx: ServerContext | None = None) -> web.Application:
    middlewares = [error_middleware, refuse_nul, same_origin_writes(settings.resolved_base_url)]
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY_BYTES)
    context = ctx or ServerContext.create(settings)
    app[CTX_KEY] = context
    # every route behind the access and audited read it was registered with
    app.add_routes([web.route(route.method.upper(), route.path, guarded(route)) for route in api.routes])
    mask_secret_paths(route.path for route in api.routes)  # link tokens in paths never reach a log line
    app.on_response_prepare.append(before_streaming)
    app.on_response_prepare.append(add_security_headers)  # every response, also the router's 404s
    app.router.add_static("/static/", WEB_ROOT, show_index=False)

    async def on_startup(app: web.Application) -> None:
        await context.start()

    async def on_cleanup(app: web.Application) -> None:
        await context.stop()

    app.on_startup.append(on_startup)
    imports.setup(app, context)  # bulk imports: after the context starts, stopped before it stops
    app.on_cleanup.append(on_cleanup)
    return app
