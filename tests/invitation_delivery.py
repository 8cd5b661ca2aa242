"""What the invitation tests watch: a webhook receiver that checks the signature as an outside gateway would, and
an invitation's delivery through the HR API until it is sent or has failed."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import AsyncIterator

import aiohttp
from aiohttp import web

from tests.harness import free_port


@dataclass
class WebhookReceiver:
    """``received``: the verified deliveries (``{"payload", "key"}``: the JSON body and its Idempotency-Key), in order;
    ``calls``: every request, including refused ones."""

    url: str
    received: list[dict] = field(default_factory=list)
    calls: int = 0


@contextlib.asynccontextmanager
async def signed_webhook_receiver(secret: str, fail_first: int = 0) -> AsyncIterator[WebhookReceiver]:
    """A gateway on a free loopback port (``POST /sms``) that verifies the HMAC signature itself (not with the
    server's code) and answers 401 to a bad one; its first ``fail_first`` requests get a 503 (briefly down)."""
    hook = WebhookReceiver(url="")

    async def receive(request: web.Request) -> web.Response:
        hook.calls += 1
        if hook.calls <= fail_first:
            return web.Response(status=503)
        body = await request.read()
        ts = request.headers["X-Interview-Timestamp"]
        expected = "sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers["X-Interview-Signature"]):
            return web.Response(status=401)
        hook.received.append({"payload": json.loads(body), "key": request.headers["Idempotency-Key"]})
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/sms", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    hook.url = f"http://127.0.0.1:{port}/sms"
    try:
        yield hook
    finally:
        await runner.cleanup()


async def invitation_outcome(http: aiohttp.ClientSession, interview_id: str, status: str,
                             timeout: float = 20.0) -> dict:
    """The interview's newest invitation once it reaches ``status``; fails at once if it ends otherwise."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        invs = (await (await http.get(f"/api/v1/interviews/{interview_id}/invitations")).json())["invitations"]
        if invs and invs[-1]["status"] == status:
            return invs[-1]
        if invs and invs[-1]["status"] != "pending":
            raise AssertionError(f"invitation ended {invs[-1]['status']}, not {status}: {invs[-1]}")
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"invitation did not reach {status}: {invs}")
        await asyncio.sleep(0.05)
