"""The observers' live panel feed: observations and media statistics published at once, beside the worker.

The interview's worker handles its items one after the other, and some of them wait for the database (a final
transcript segment, an answer's end). Observations (face, posture, hands, voice) and media statistics are transient:
they are not stored and nothing depends on their order with the worker's items, so queued behind a slow write they
would only reach the HR panel seconds late. ``LiveFeed`` publishes them in the order they come, from its own
bounded queue; when publishing is slower than they come (a Redis bus that is slow to answer; the in-process bus
never waits, and slow observers are bounded by the bus's own queues), the oldest unpublished ones are dropped and
counted: a stale observation is worth less than the newest.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Awaitable, Callable

import structlog

from server.live import events as ev
from server.platform.metrics import LIVE_FEED_DROPPED

log = structlog.get_logger(__name__)

FEED_CAPACITY = 64  # transient events waiting to be published, at most (then the oldest is dropped)


class LiveFeed:
    def __init__(self, publish: Callable[[ev.BaseEvent], Awaitable[None]], capacity: int = FEED_CAPACITY) -> None:
        self._publish = publish
        self._waiting: deque[ev.BaseEvent] = deque()
        self._capacity = capacity
        self._task: asyncio.Task | None = None
        self.dropped = 0

    def offer(self, event: ev.BaseEvent) -> None:
        """Publish ``event`` as soon as those offered before it are out."""
        if len(self._waiting) >= self._capacity:
            self._waiting.popleft()
            self.dropped += 1
            LIVE_FEED_DROPPED.inc()
        self._waiting.append(event)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._flush())

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @property
    def capacity(self) -> int:
        return self._capacity

    async def _flush(self) -> None:
        while self._waiting:
            event = self._waiting.popleft()
            try:
                await self._publish(event)
            except Exception:
                log.exception("live_feed_publish_failed", interview_id=event.interview_id, type=event.type)

    async def close(self) -> None:
        """Publish what is waiting, then stop."""
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
