"""Input no field accepts, refused for every route before its handler: a NUL character in the path, the query or a
JSON body (PostgreSQL stores no text with NUL, so it would otherwise fail deep in a query as a server error; no name,
id, address or answer has one). Uploaded files' names are cleaned where they are read (routes/common.py
``upload_filename``); what a file holds is the parser's to judge."""

from __future__ import annotations

import re

from aiohttp import web

from server.http.errors import error_response

# \u0000 as a JSON escape: preceded by an even number of backslashes (an odd number escapes the backslash itself)
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _has_nul_text(request: web.Request) -> bool:
    if "\x00" in request.path:
        return True
    return any("\x00" in key or "\x00" in value for key, value in request.query.items())


def _has_nul_body(raw: bytes) -> bool:
    return b"\x00" in raw or (b"\\u0000" in raw and _JSON_NUL.search(raw) is not None)


@web.middleware
async def refuse_nul(request: web.Request, handler):
    """400 ``nul_character`` for a NUL in the path, the query or a body (multipart uploads excepted: their files are
    binary; their names are cleaned by the routes)."""
    found = _has_nul_text(request)
    if not found and request.method in _BODY_METHODS and request.can_read_body \
            and not request.content_type.startswith("multipart/"):
        found = _has_nul_body(await request.read())  # bounded by client_max_size; kept for the handler
    if found:
        return error_response(400, "nul_character", "The request holds a NUL character (\\u0000), which no field "
                              "accepts.")
    return await handler(request)
