"""A scripted OpenAI-compatible chat-completions server on loopback: the test double for replies a real model
cannot be made to give (malformed, schema-violating, failing, slow)."""

from __future__ import annotations

import asyncio
import math
from typing import Callable

from aiohttp import web


class FakeOpenAI:
    """A local server speaking the documented chat completions shape; ``mode`` chooses the reply, and
    ``scripted`` replies (first in, first out) are sent before ``reply_content``."""

    def __init__(self) -> None:
        self.mode = "good"
        self.reply_content: str = ""
        self.scripted: list[str] = []
        self.first_token_odds: list[dict[str, float]] = []
        """Scripted first-token alternatives (token -> probability) for requests asking for ``logprobs``, first in,
        first out; the reply's content is the most probable token."""
        self.odds_for: Callable[[dict], dict[str, float]] | None = None
        """First-token alternatives computed from the request, when nothing is scripted."""
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.runner: web.AppRunner | None = None
        self.base_url = ""

    async def handler(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        if self.mode == "slow":
            await asyncio.sleep(3)
        if self.mode == "http500":
            return web.json_response({"error": {"message": "overloaded"}}, status=500)
        if self.mode == "not_completion":
            return web.json_response({"object": "error"})
        if body.get("logprobs") and (self.first_token_odds or self.odds_for):
            odds = self.first_token_odds.pop(0) if self.first_token_odds else self.odds_for(body)  # type: ignore[misc]
            top = [{"token": t, "logprob": math.log(p)} for t, p in sorted(odds.items(), key=lambda kv: -kv[1])]
            return web.json_response({
                "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body.get("model"),
                "choices": [{"index": 0, "finish_reason": "length",
                             "message": {"role": "assistant", "content": top[0]["token"]},
                             "logprobs": {"content": [{**top[0], "top_logprobs": top}]}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })
        return web.json_response({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body.get("model"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant",
                                     "content": self.scripted.pop(0) if self.scripted else self.reply_content}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        })

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self.handler)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/v1"

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()
