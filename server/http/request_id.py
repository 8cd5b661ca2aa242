"""A request id on every request: in each log line written while it is handled, in the access log line and in the
``X-Request-ID`` response header, so a user's report ("it failed at 10:32, id ...") finds its lines.

The id is the one a trusted reverse proxy sent (``trusted_proxies``; Caddy and nginx make one per request), if it
looks like an id, else a new random one: a client cannot write what it likes into the log. A request for one
interview (``{interview_id}`` in its path) also carries ``interview_id``; so does one that read a candidate's link
(routes/common.py).
"""

from __future__ import annotations

import re
import uuid

import structlog
from aiohttp import web

from server.http.access_log import REQUEST_ID_KEY, log_interview
from server.http.routes.common import via_trusted_proxy

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


@web.middleware
async def with_request_id(request: web.Request, handler):
    given = request.headers.get(HEADER, "")
    rid = given if _ACCEPTED.match(given) and via_trusted_proxy(request) else uuid.uuid4().hex
    request[REQUEST_ID_KEY] = rid
    with structlog.contextvars.bound_contextvars(request_id=rid):
        if interview_id := request.match_info.get("interview_id"):
            log_interview(request, interview_id[:64])
        return await handler(request)


async def add_request_id_header(request: web.Request, response: web.StreamResponse) -> None:
    """The app's ``on_response_prepare``: the id goes back with every answer, streams and WebSockets included."""
    if (rid := request.get(REQUEST_ID_KEY)) is not None:
        response.headers[HEADER] = rid
