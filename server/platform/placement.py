"""This process as one node among several: its heartbeat in the registry, the interviews it owns, and where a
candidate's call goes (here, or forwarded to the node that owns the interview or has room).

Admission is by load: a node takes an interview while the interviews it owns are fewer than its capacity
(``Settings.node_capacity``) and it is not draining; otherwise the call goes to the node with the most room, and
when no node has room the candidate is told the servers are busy (``ServersBusy``). A node renews the claims of
the interviews it owns at every heartbeat and gives up those whose candidate has been gone for
``node_idle_release_s``; a claim it finds lost (it expired, another node took it) closes its local runtime.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid
from dataclasses import dataclass
from typing import Awaitable, Callable

import structlog

from server.platform.node_registry import NodeInfo, NodeRegistry
from server.platform.periodic import PeriodicWorker

log = structlog.get_logger(__name__)

BUSY_RETRY_AFTER_S = 60  # "try again in a minute"


class ServersBusy(Exception):
    """No node has room for another interview now."""


class NotOwnedHere(Exception):
    """A forwarded call reached a node that does not own the interview (it moved meanwhile): try again."""


@dataclass(frozen=True)
class Route:
    """Where a candidate's call for one interview is served: here (``node`` None) or on ``node``."""

    node: NodeInfo | None = None

    @property
    def here(self) -> bool:
        return self.node is None


def default_node_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class NodeMembership(PeriodicWorker):
    name = "node-heartbeat"

    def __init__(self, registry: NodeRegistry, node_id: str, url: str, capacity: int, heartbeat_s: float,
                 idle_release_s: float, *, is_active: Callable[[str], bool] = lambda _: False,
                 is_over: Callable[[str], bool] = lambda _: False,
                 on_lost: Callable[[str], Awaitable[None]] | None = None):
        """``is_active(id)``: a candidate is connected to the interview here (media or its event stream);
        ``is_over(id)``: it finished or failed here; ``on_lost(id)``: close its local runtime (the claim is gone)."""
        super().__init__()
        self.registry = registry
        self.node_id, self.url, self.capacity = node_id, url.rstrip("/"), capacity
        self.heartbeat_s, self.idle_release_s = heartbeat_s, idle_release_s
        self.is_active, self.is_over, self.on_lost = is_active, is_over, on_lost
        self.owned: dict[str, float] = {}  # interview id -> when a candidate was last seen on it (monotonic)
        self.draining = False
        self.streams: dict[str, list[Callable[[], Awaitable[None]]]] = {}  # candidates' streams here
        self._closing: set[asyncio.Task] = set()  # runtimes being closed (finished, left or lost interviews)
        self._cpu_mark = (time.monotonic(), time.process_time())
        self.cpu = 0.0

    def interval_s(self) -> float:
        return self.heartbeat_s

    # --- the heartbeat ---------------------------------------------------------------------------
    def info(self) -> NodeInfo:
        return NodeInfo(self.node_id, self.url, self.capacity, len(self.owned), round(self.cpu, 3), self.draining,
                        time.time())

    def _measure_cpu(self) -> None:
        wall, cpu = time.monotonic(), time.process_time()
        last_wall, last_cpu = self._cpu_mark
        if wall - last_wall > 0.2:
            self.cpu = (cpu - last_cpu) / (wall - last_wall)
            self._cpu_mark = (wall, cpu)

    async def tick(self) -> dict:
        self._measure_cpu()
        now = time.monotonic()
        for interview_id in list(self.owned):
            connected = self.is_active(interview_id) or bool(self.streams.get(interview_id))
            if self.is_over(interview_id) and not connected:  # finished, its candidate gone: free room and memory
                await self.release(interview_id)
                self._close(interview_id)
                continue
            if connected:
                self.owned[interview_id] = now
            elif now - self.owned[interview_id] > self.idle_release_s:  # the candidate left: free the room
                await self.release(interview_id)
                self._close(interview_id)
                continue
            if not await self.registry.renew(interview_id, self.node_id):
                log.warning("interview_claim_lost", interview_id=interview_id, node=self.node_id)
                self.owned.pop(interview_id, None)
                self._close(interview_id)
        await self.registry.announce(self.info())
        return {"owned": len(self.owned)}

    def _close(self, interview_id: str) -> None:
        """Close the interview's local runtime in a task of its own: closing waits for its last work (a score the
        model is refining), which must not hold up the heartbeat that keeps the other claims alive."""
        task = asyncio.create_task(self._lost(interview_id), name=f"close-{interview_id}")
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def settle(self) -> None:
        """Wait for the runtimes being closed (at a stop, and in tests)."""
        while self._closing:
            await asyncio.gather(*list(self._closing), return_exceptions=True)

    async def _lost(self, interview_id: str) -> None:
        if self.on_lost is not None:
            try:
                await self.on_lost(interview_id)
            except Exception:  # noqa: BLE001 - one interview's close must not stop the heartbeat
                log.exception("close_lost_interview_failed", interview_id=interview_id)

    async def start_async(self) -> None:
        """Announce this node at once, then keep announcing every heartbeat."""
        await self.registry.start()
        await self.registry.announce(self.info())
        self.start()

    async def stop_async(self) -> None:
        """A clean stop: the heartbeat ends, every claim is given up and the entry removed (others take over at
        once instead of waiting for the expiry)."""
        await self.stop()
        await self.settle()
        for interview_id in list(self.owned):
            await self.release(interview_id)
        try:
            await self.registry.withdraw(self.node_id)
        finally:
            await self.registry.close()

    async def drain(self) -> None:
        """Take no new interviews from now on (the others see it at once)."""
        self.draining = True
        await self.registry.announce(self.info())

    # --- ownership -------------------------------------------------------------------------------
    @property
    def has_room(self) -> bool:
        return not self.draining and len(self.owned) < self.capacity

    async def claim(self, interview_id: str) -> str:
        """Claim the interview here; returns its owner after the attempt."""
        owner = await self.registry.claim(interview_id, self.node_id)
        if owner == self.node_id:
            self.owned.setdefault(interview_id, time.monotonic())
        return owner

    async def release(self, interview_id: str) -> None:
        self.owned.pop(interview_id, None)
        await self.registry.release(interview_id, self.node_id)

    def stream_opened(self, interview_id: str, close: Callable[[], Awaitable[None]]) -> None:
        """A candidate's event stream opened here; ``close`` ends it (its page then reconnects, e.g. to the node
        that took the interview over)."""
        self.streams.setdefault(interview_id, []).append(close)

    def stream_closed(self, interview_id: str, close: Callable[[], Awaitable[None]]) -> None:
        closers = self.streams.get(interview_id, [])
        if close in closers:
            closers.remove(close)
        if closers:
            return
        self.streams.pop(interview_id, None)
        if interview_id in self.owned:  # the idle time counts from now
            self.owned[interview_id] = time.monotonic()

    async def close_streams(self, interview_id: str) -> None:
        for close in list(self.streams.get(interview_id, [])):
            try:
                await close()
            except Exception:  # noqa: BLE001 - already closing
                log.debug("stream_close_failed", interview_id=interview_id)

    async def presume_dead(self, node_id: str, interview_id: str) -> None:
        """``node_id`` refused a connection (its process is gone): its claim on the interview is dropped, so the
        interview can be placed again at once rather than after the claim expires. Were the node alive after all,
        its next heartbeat finds the claim lost and closes its runtime."""
        log.warning("node_unreachable", node=node_id, interview_id=interview_id)
        await self.registry.release(interview_id, node_id)

    # --- placement -------------------------------------------------------------------------------
    async def route(self, interview_id: str, forwarded: bool) -> Route:
        """Where a candidate's call for ``interview_id`` is served. ``forwarded``: another node sent it here (it is
        then served here or refused, never forwarded again). Raises ``ServersBusy`` or ``NotOwnedHere``."""
        for _ in range(3):
            owner = await self.registry.owner(interview_id)
            if owner == self.node_id:
                self.owned.setdefault(interview_id, time.monotonic())
                return Route()
            if owner is not None:
                if forwarded:
                    raise NotOwnedHere(owner)
                node = await self.registry.node(owner)
                if node is not None:
                    return Route(node)
                await self.registry.release(interview_id, owner)  # its node's entry expired: it is gone
                continue
            if self.has_room:
                if await self.claim(interview_id) == self.node_id:
                    return Route()
                continue  # another node claimed it meanwhile: go there
            if forwarded:
                raise ServersBusy()
            target = self._roomiest(await self.registry.nodes())
            if target is None:
                raise ServersBusy()
            return Route(target)  # it claims the interview when the call arrives
        raise NotOwnedHere("")

    def _roomiest(self, nodes: list[NodeInfo]) -> NodeInfo | None:
        stale = time.time() - 3 * self.heartbeat_s
        others = [n for n in nodes if n.id != self.node_id and n.has_room and n.seen_at >= stale]
        # the least loaded share of its capacity, then the most free seats, then the least CPU
        return min(others, key=lambda n: (n.sessions / max(n.capacity, 1), n.sessions - n.capacity, n.cpu),
                   default=None)


async def wait_until_idle(still_running: Callable[[], int], timeout_s: float) -> int:
    """Wait up to ``timeout_s`` for the interviews running here to end; returns how many still run."""
    deadline = time.monotonic() + timeout_s
    while still_running() and time.monotonic() < deadline:
        await asyncio.sleep(min(1.0, max(0.05, deadline - time.monotonic())))
    return still_running()
