"""Access log lines without secrets: link tokens in paths and query strings are masked.

Every route whose path holds a ``{token}`` (the candidate's ``/i/{token}``, ``/schedule/{token}``, any added later;
the app hands its route table to :func:`mask_secret_paths`) has that segment masked, also when the rest of the path
matches no route; so has a ``token`` query parameter.
:func:`masked_target` is what every log line of a request's path uses (here and in server/http/errors.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import structlog
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

SECRET_PARAMS = ("token",)
"""Path placeholders and query parameters that carry a secret."""

_TOKEN_QUERY = re.compile(r"((?:^|&)(?:%s)=)[^&]*" % "|".join(SECRET_PARAMS))
_PLACEHOLDER = re.compile(r"\{([^}/]+)\}")

log = structlog.get_logger("access")


_secret_paths: tuple[re.Pattern, ...] = ()


def mask_secret_paths(route_paths: Iterable[str]) -> None:
    """Mask the secret segments of these route paths from now on (the app passes its route table when it is made)."""
    global _secret_paths
    patterns = []
    for path in route_paths:
        if not any(name in SECRET_PARAMS for name in _PLACEHOLDER.findall(path)):
            continue
        parts, last = [], 0
        for m in _PLACEHOLDER.finditer(path):
            parts.append(re.escape(path[last:m.start()]))
            parts.append("([^/]+)" if m.group(1) in SECRET_PARAMS else "[^/]+")
            last = m.end()
        parts.append(re.escape(path[last:]))
        patterns.append(re.compile("^" + "".join(parts)))
    _secret_paths = tuple(patterns)


def masked_path(path: str) -> str:
    for pattern in _secret_paths:
        m = pattern.match(path)
        if m:
            for i in reversed(range(1, (m.lastindex or 0) + 1)):
                path = path[:m.start(i)] + "***" + path[m.end(i):]
            return path
    return path


def masked_target(request: web.BaseRequest) -> str:
    path = masked_path(request.path)
    query = _TOKEN_QUERY.sub(r"\1***", request.query_string)
    return f"{path}?{query}" if query else path


REQUEST_ID_KEY = web.RequestKey("request_id", str)
"""Where server/http/request_id.py keeps a request's id (read here: the access line is written after the request's
own log context has ended)."""
INTERVIEW_ID_KEY = web.RequestKey("logged_interview_id", str)


def log_interview(request: web.BaseRequest, interview_id: str) -> None:
    """The request is about this interview: its log lines, the access line included, say so."""
    request[INTERVIEW_ID_KEY] = interview_id
    structlog.contextvars.bind_contextvars(interview_id=interview_id)


class MaskedAccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        about = {"interview_id": iid} if (iid := request.get(INTERVIEW_ID_KEY)) else {}
        log.info("http", method=request.method, target=masked_target(request), status=response.status,
                 ms=round(time * 1000, 1), remote=request.remote, request_id=request.get(REQUEST_ID_KEY), **about)
