"""Security headers on every response: pages, static files, JSON answers, errors and 404s, WebSocket handshakes.

Set when a response is prepared (``on_response_prepare``), so also responses no handler made (the router's 404, an
exception turned into a response) carry them. The pages load only this server's scripts and styles (no inline
script or style, no eval), talk only to this server (fetch, WebSocket), and are never framed. ``Server`` names no
versions. API answers hold personal data: never cached.
"""

from __future__ import annotations

from aiohttp import web

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(self), geolocation=(), payment=(), usb=()",
    "Server": "interview-server",
}


async def add_security_headers(request: web.BaseRequest, response: web.StreamResponse) -> None:
    for name, value in HEADERS.items():
        response.headers[name] = value
    if request.secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
