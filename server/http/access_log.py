"""Access log lines without secrets: candidate link tokens in paths and query strings are masked."""

from __future__ import annotations

import re

import structlog
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

_TOKEN_PATH = re.compile(r"^/i/[^/]+")
_TOKEN_QUERY = re.compile(r"(token=)[^&]+")

log = structlog.get_logger("access")


def masked_target(request: web.BaseRequest) -> str:
    path = _TOKEN_PATH.sub("/i/***", request.path)
    query = _TOKEN_QUERY.sub(r"\1***", request.query_string)
    return f"{path}?{query}" if query else path


class MaskedAccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        log.info("http", method=request.method, target=masked_target(request), status=response.status,
                 ms=round(time * 1000, 1), remote=request.remote)
