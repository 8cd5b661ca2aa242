"""The aiohttp application: routes, middleware, and the server context's start and stop."""

from __future__ import annotations

from aiohttp import web

from server.platform.context import ServerContext
from server.http.access_log import mask_secret_paths
from server.http.errors import error_middleware
from server.http.request_origin import same_origin_writes
from server.http.input_guard import refuse_nul
from server.http.request_id import add_request_id_header, with_request_id
from server.http.request_metrics import count_requests
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
from server.http.routes import users  # noqa: F401  (accounts: create, roles, deactivation, set-password links)
from server.http.routes import writeback  # noqa: F401  (reports written back to the HR system; registers routes)
from server.http.routes import metrics  # noqa: F401  (Prometheus metrics; registers its route)
from server.http.routes import background_jobs  # noqa: F401  (the shared queue's jobs, for admins; registers routes)
from server.http.routes import analytics  # noqa: F401  (hiring outcomes, HR analytics; registers its routes)
from server.http.routes import interview_list  # noqa: F401  (the HR interview list; registers its route)
from server.http.routes.common import CTX_KEY, api
from server.http.routes.guard import before_streaming, guarded
from server.platform.settings import Settings
from web_client import WEB_ROOT

MAX_BODY_BYTES = 256 * 1024


def create_app(settings: Settings, ctx: ServerContext | None = None) -> web.Application:
    # outermost first: every request gets its id and is counted, whatever the inner ones answer
    middlewares = [with_request_id, count_requests, error_middleware, refuse_nul,
                   same_origin_writes(settings.resolved_base_url)]
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY_BYTES)
    context = ctx or ServerContext.create(settings)
    app[CTX_KEY] = context
    # every route behind the access and audited read it was registered with
    app.add_routes([web.route(route.method.upper(), route.path, guarded(route)) for route in api.routes])
    mask_secret_paths(route.path for route in api.routes)  # link tokens in paths never reach a log line
    app.on_response_prepare.append(before_streaming)
    app.on_response_prepare.append(add_security_headers)  # every response, also the router's 404s
    app.on_response_prepare.append(add_request_id_header)
    app.router.add_static("/static/", WEB_ROOT, show_index=False)

    async def on_startup(app: web.Application) -> None:
        await context.start()

    async def on_cleanup(app: web.Application) -> None:
        await context.stop()

    app.on_startup.append(on_startup)
    imports.setup(app, context)  # bulk imports: the context's manager (started and stopped with the context)
    app.on_cleanup.append(on_cleanup)
    return app
