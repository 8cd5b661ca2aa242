"""Whether a browser request comes from this server's own pages: its ``Origin`` names this server (the host the
request was sent to, or ``public_base_url``'s). A request without ``Origin`` is no browser's cross-site request
(browsers send it on every WebSocket handshake and every cross-site POST)."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web


def from_own_pages(request: web.Request, public_base_url: str) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    host = urlsplit(origin).netloc.lower()
    return bool(host) and host in {request.host.lower(), urlsplit(public_base_url).netloc.lower()}
