"""Requests that change something must come from the server's own pages (or from a client that is not a browser)
and carry JSON (or, for uploads, multipart form data).

A browser tells where a request comes from in ``Origin`` (on every POST/PUT/PATCH/DELETE and WebSocket handshake)
and, when it leaves that out, in ``Sec-Fetch-Site``. A foreign page can still make a browser send a form or a
``text/plain`` body without asking the server first; refusing both (403 ``foreign_origin``, 415
``unsupported_media_type``) stops it from acting with the visitor's cookie or logging the visitor in as someone
else (login CSRF). Clients that send neither header (scripts, other servers) have no victim's cookie to misuse.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import hdrs, web
from aiohttp.typedefs import Middleware

from server.http.errors import error_response

CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_TYPES = frozenset({"application/json", "multipart/form-data"})  # multipart: resume and import uploads


def same_origin_writes(public_base_url: str) -> Middleware:
    """The middleware, for a server whose pages are at ``public_base_url`` (also accepted: the host the request
    was addressed to, whatever the scheme a proxy in front speaks)."""
    public = urlsplit(public_base_url)
    public_origin = f"{public.scheme}://{public.netloc}".lower()

    def from_here(request: web.Request) -> bool:
        origin = request.headers.get(hdrs.ORIGIN)
        if origin is None:
            return request.headers.get("Sec-Fetch-Site", "same-origin") != "cross-site"
        origin = origin.strip().lower()
        if origin == public_origin:
            return True
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and bool(parts.netloc) and parts.netloc == request.host.lower()

    @web.middleware
    async def middleware(request: web.Request, handler):
        changing = request.method in CHANGING_METHODS
        if (changing or request.headers.get(hdrs.UPGRADE, "").lower() == "websocket") and not from_here(request):
            return error_response(403, "foreign_origin", "This request came from another site.")
        if changing and request.body_exists and request.content_type not in BODY_TYPES:
            return error_response(415, "unsupported_media_type", "Send the request body as JSON (application/json).")
        return await handler(request)

    return middleware
