"""An observer in tests: a logged-in WebSocket on one interview that records every event with its arrival time."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any, Callable

import aiohttp


class ObserverClient:
    def __init__(self, http: aiohttp.ClientSession, interview_id: str):
        self.http = http
        self.interview_id = interview_id
        self.events: list[tuple[float, dict[str, Any]]] = []
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._task: asyncio.Task | None = None
        self._changed = asyncio.Event()

    async def __aenter__(self) -> ObserverClient:
        self._ws = await self.http.ws_connect(f"/ws/v1/interviews/{self.interview_id}/observe")
        self._task = asyncio.create_task(self._read())
        await self.wait_for(lambda e: e["type"] == "snapshot", 5)
        return self

    async def __aexit__(self, *exc) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._ws:
            await self._ws.close()

    async def _read(self) -> None:
        async for msg in self._ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                self.events.append((time.time(), msg.json()))
                self._changed.set()

    def of_type(self, type_: str) -> list[dict[str, Any]]:
        return [e for _, e in self.events if e["type"] == type_]

    async def wait_for(self, predicate: Callable[[dict], bool], timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for _, e in self.events[seen:]:
                if predicate(e):
                    return e
            seen = len(self.events)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                kinds = [e["type"] for _, e in self.events]
                raise TimeoutError(f"observer did not see the expected event; got {kinds}")
            self._changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
