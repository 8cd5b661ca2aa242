"""Every HTTP request counted and timed by method and route template (``/api/v1/interviews/{interview_id}``, never
the path as requested: ids and link tokens stay out of the labels, and the number of series stays bounded)."""

from __future__ import annotations

import asyncio
import time

from aiohttp import web

from server.platform.metrics import HTTP_REQUEST_SECONDS, HTTP_REQUESTS

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "(unmatched)"


def route_label(request: web.Request) -> str:
    """The template of the route that served the request; ``(unmatched)`` when none did (404, 405)."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED


@web.middleware
async def count_requests(request: web.Request, handler):
    t0 = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:  # redirects and the router's 404 for pages are raised, not returned
        status = exc.status
        raise
    except asyncio.CancelledError:  # the client went away before the answer
        status = 499
        raise
    finally:
        method = request.method if request.method in METHODS else "OTHER"
        route = route_label(request)
        HTTP_REQUESTS.labels(method, route, str(status)).inc()
        if request.headers.get("Upgrade", "").lower() != "websocket":  # a WebSocket's time is its session's length
            HTTP_REQUEST_SECONDS.labels(method, route).observe(time.perf_counter() - t0)
