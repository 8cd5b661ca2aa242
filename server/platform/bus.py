"""The event bus: one interface, in-process by default, Redis pub/sub when several server processes share load.

Channels are per interview. Subscribers get a bounded queue: a subscriber that cannot keep up loses the oldest
events and is told how many it lost (``dropped``), instead of growing memory without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from abc import ABC, abstractmethod
from collections import defaultdict
from typing import AsyncIterator

import structlog

log = structlog.get_logger(__name__)


class Subscription:
    def __init__(self, maxsize: int):
        self.queue: asyncio.Queue[dict] = asyncio.Queue(maxsize=maxsize)
        self.dropped = 0
        self.closed = False

    def offer(self, message: dict) -> None:
        if self.queue.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(message)

    async def __aiter__(self) -> AsyncIterator[dict]:
        while not self.closed:
            yield await self.queue.get()


class EventBus(ABC):
    def __init__(self, queue_size: int):
        self.queue_size = queue_size
        self._subs: dict[str, set[Subscription]] = defaultdict(set)

    @abstractmethod
    async def publish(self, channel: str, message: dict) -> None: ...

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    def subscribe(self, channel: str) -> Subscription:
        sub = Subscription(self.queue_size)
        self._subs[channel].add(sub)
        self._on_first_subscriber(channel)
        return sub

    def unsubscribe(self, channel: str, sub: Subscription) -> None:
        sub.closed = True
        subs = self._subs.get(channel)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[channel]
                self._on_last_unsubscribed(channel)

    def backlog(self) -> tuple[int, int]:
        """(events waiting, room for events) over every subscriber's queue on this node."""
        subs = [sub for subs in self._subs.values() for sub in subs]
        return sum(sub.queue.qsize() for sub in subs), sum(sub.queue.maxsize for sub in subs)

    def subscriber_count(self, channel: str) -> int:
        return len(self._subs.get(channel, ()))

    def _deliver(self, channel: str, message: dict) -> None:
        for sub in list(self._subs.get(channel, ())):
            sub.offer(message)

    def _on_first_subscriber(self, channel: str) -> None:
        pass

    def _on_last_unsubscribed(self, channel: str) -> None:
        pass


class InProcessBus(EventBus):
    async def publish(self, channel: str, message: dict) -> None:
        self._deliver(channel, message)


class RedisBus(EventBus):
    """Redis pub/sub: every node publishes to Redis and delivers what Redis sends to its local subscribers."""

    def __init__(self, url: str, queue_size: int):
        super().__init__(queue_size)
        import redis.asyncio as redis

        self._redis = redis.from_url(url)
        self._pubsub = self._redis.pubsub()
        self._reader: asyncio.Task | None = None
        self._pending: set[asyncio.Task] = set()

    async def start(self) -> None:
        await self._redis.ping()
        # A placeholder subscription so the reader has something to listen on before observers arrive.
        await self._pubsub.subscribe("interview:__bus__")
        self._reader = asyncio.create_task(self._read(), name="redis-bus-reader")

    async def close(self) -> None:
        if self._reader:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        with contextlib.suppress(Exception):
            await self._pubsub.aclose()
        await self._redis.aclose()

    async def publish(self, channel: str, message: dict) -> None:
        await self._redis.publish(f"interview:{channel}", json.dumps(message, separators=(",", ":")))

    def _on_first_subscriber(self, channel: str) -> None:
        self._track(self._pubsub.subscribe(f"interview:{channel}"))

    def _on_last_unsubscribed(self, channel: str) -> None:
        self._track(self._pubsub.unsubscribe(f"interview:{channel}"))

    def _track(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def wait_subscribed(self) -> None:
        """Let pending (un)subscribe commands reach Redis (used where ordering matters, e.g. tests)."""
        if self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def _read(self) -> None:
        while True:
            try:
                msg = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection trouble: log and keep trying
                log.warning("redis_bus_read_failed", error=str(exc))
                await asyncio.sleep(0.5)
                continue
            if msg is None:
                continue
            channel = msg["channel"].decode() if isinstance(msg["channel"], bytes) else msg["channel"]
            try:
                payload = json.loads(msg["data"])
            except (ValueError, TypeError):
                continue
            self._deliver(channel.removeprefix("interview:"), payload)


def make_bus(url: str, queue_size: int) -> EventBus:
    if url.startswith("memory:"):
        return InProcessBus(queue_size)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBus(url, queue_size)
    raise ValueError(f"unsupported bus URL {url!r} (use memory:// or redis://host:port/db)")
