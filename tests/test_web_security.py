"""What every response and log line gives away: security headers and a CSP on pages, files, JSON, errors, 404s and
WebSocket handshakes; no versions in ``Server``; no link tokens in logs; private database and key files; streams
only from this server's own pages."""

from __future__ import annotations

import os
import stat

import aiohttp
import pytest
from structlog.testing import capture_logs

from tests.harness import running_server

pytestmark = pytest.mark.unit


def _assert_secured(headers, what: str) -> None:
    csp = headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, what
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("X-Frame-Options") == "DENY" and headers.get("Referrer-Policy") == "no-referrer", what
    server = headers.get("Server", "")
    assert "Python" not in server and "aiohttp" not in server and not any(c.isdigit() for c in server), server


async def test_every_response_carries_the_security_headers(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        interview_id, token = await h.create_interview()
        async with aiohttp.ClientSession(h.base_url) as anon:
            for path, status in [("/login", 200), ("/analytics", 200), ("/static/style.css", 200),
                                 ("/static/vendor/echarts-6.1.0.min.js", 200), ("/api/v1/health", 200),
                                 ("/api/v1/openapi.json", 200), ("/api/v1/interviews", 401), ("/api/v1/nope", 404),
                                 ("/nope", 404), ("/static/nope.js", 404), (f"/i/{token}", 200), ("/", 302)]:
                async with anon.get(path, allow_redirects=False) as r:
                    assert r.status == status, path
                    _assert_secured(r.headers, path)
                    if path.startswith("/api/"):
                        assert r.headers.get("Cache-Control") == "no-store", path
            async with anon.post("/api/v1/candidate/offer", data=b"{", headers={"Content-Type": "application/json"}) \
                    as r:
                assert r.status == 400
                _assert_secured(r.headers, "a JSON error")
            async with anon.ws_connect(f"/ws/v1/candidate?token={token}") as ws:
                _assert_secured(ws._response.headers, "a WebSocket handshake")


async def test_link_tokens_never_reach_the_logs(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        _, token = await h.create_interview()
        with capture_logs() as logs:
            async with aiohttp.ClientSession(h.base_url) as anon:
                for path in (f"/i/{token}", f"/schedule/{token}", f"/schedule/{token}/more", f"/i/{token}?x=1",
                             f"/api/v1/candidate/session?lang=en&token={token}", f"/ws/v1/candidate?token={token}"):
                    async with anon.get(path, allow_redirects=False) as r:
                        await r.read()
                async with anon.post("/api/v1/candidate/consents", json={"token": token, "decisions": []}) as r:
                    await r.read()
        targets = [e.get("target") for e in logs if e.get("event") == "http"]
        assert "/schedule/***" in targets and "/i/***" in targets and "/schedule/***/more" in targets, targets
        assert "/api/v1/candidate/session?lang=en&token=***" in targets, targets
        assert token not in repr(logs)
        assert token[:20] not in repr(logs)


async def test_database_and_key_files_are_private(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    db = data / "interview.db"
    db.touch(mode=0o644)
    os.chmod(data, 0o755)
    os.chmod(db, 0o644)
    async with running_server(f"sqlite+aiosqlite:///{db}", data, secret_key=None) as h:
        await h.create_interview()  # writes (the WAL file exists now)
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.iterdir() if p.is_file()}
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert {"interview.db", "data-keys.json", "secret.key"} <= set(modes), modes
    assert all(mode == 0o600 for mode in modes.values()), modes


async def test_streams_open_only_from_this_servers_pages(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        interview_id, token = await h.create_interview()
        async with h.hr_client() as http:
            for origin in ("http://evil.example", "null", "http://127.0.0.1.evil.example"):
                with pytest.raises(aiohttp.WSServerHandshakeError) as exc:
                    await http.ws_connect(f"/ws/v1/interviews/{interview_id}/observe", origin=origin)
                assert exc.value.status == 403
                with pytest.raises(aiohttp.WSServerHandshakeError) as exc:
                    await http.ws_connect(f"/ws/v1/candidate?token={token}", origin=origin)
                assert exc.value.status == 403
            async with http.ws_connect(f"/ws/v1/interviews/{interview_id}/observe", origin=h.base_url) as ws:
                assert (await ws.receive_json(timeout=5))["type"] == "snapshot"
            async with http.ws_connect(f"/ws/v1/candidate?token={token}", origin=h.base_url) as ws:
                assert (await ws.receive_json(timeout=5))["type"] == "snapshot"
