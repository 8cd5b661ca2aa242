"""Which server processes (nodes) are up, and which node owns each running interview.

Kept in Redis when several processes share the load (``RedisRegistry``): every node writes its entry (address,
capacity, measured load) with an expiry and renews it at each heartbeat; the owner of an interview is one key per
interview whose value is the node id, set with ``SET NX`` (an atomic claim) and renewed by its owner alone (a Lua
compare-and-expire). A node that dies stops renewing, so its entry and its interviews' owner keys expire and
another node may claim them. With no Redis (one process, ``memory://`` bus) ``LocalRegistry`` keeps the same
answers in memory: this process is the only node and owns whatever it claims.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass

OWNER_PREFIX = "interview-owner:"
NODE_PREFIX = "node:"
NODES_SET = "nodes"

# compare-and-expire / compare-and-delete: only the owner renews or gives up its claim
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


@dataclass(frozen=True)
class NodeInfo:
    """One server process as the others see it."""

    id: str
    url: str
    """Where sibling nodes reach it (``Settings.resolved_node_url``)."""
    capacity: int
    sessions: int
    """Interviews it owns now."""
    cpu: float = 0.0
    """Cores its process used over the last heartbeat interval."""
    draining: bool = False
    """Stopping: it takes no new interviews."""
    seen_at: float = 0.0

    @property
    def has_room(self) -> bool:
        return not self.draining and self.sessions < self.capacity

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: bytes | str) -> NodeInfo | None:
        try:
            data = json.loads(raw)
            return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        except (ValueError, TypeError, KeyError):
            return None


class NodeRegistry(ABC):
    """The registry's operations; ``ttl_s``: how long an entry or a claim lasts without being renewed."""

    def __init__(self, ttl_s: float):
        self.ttl_ms = int(ttl_s * 1000)

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    @abstractmethod
    async def announce(self, node: NodeInfo) -> None:
        """Write (or renew) this node's entry."""

    @abstractmethod
    async def withdraw(self, node_id: str) -> None:
        """Remove this node's entry (a clean stop)."""

    @abstractmethod
    async def nodes(self) -> list[NodeInfo]:
        """Every node whose entry has not expired."""

    async def node(self, node_id: str) -> NodeInfo | None:
        return next((n for n in await self.nodes() if n.id == node_id), None)

    @abstractmethod
    async def owner(self, interview_id: str) -> str | None:
        """The node that owns the interview now, or None."""

    @abstractmethod
    async def claim(self, interview_id: str, node_id: str) -> str:
        """Claim the interview for ``node_id`` unless another node owns it; returns the owner after the attempt
        (``node_id`` when the claim holds, also when it already did: the claim is renewed)."""

    @abstractmethod
    async def renew(self, interview_id: str, node_id: str) -> bool:
        """Renew the claim; False when ``node_id`` no longer owns the interview (it expired or was taken)."""

    @abstractmethod
    async def release(self, interview_id: str, node_id: str) -> None:
        """Give up the claim (only if ``node_id`` holds it)."""


class LocalRegistry(NodeRegistry):
    """One process, no Redis: the same answers, in memory."""

    def __init__(self, ttl_s: float):
        super().__init__(ttl_s)
        self._nodes: dict[str, NodeInfo] = {}
        self._owners: dict[str, tuple[str, float]] = {}  # interview -> (node, expires at, monotonic)

    async def announce(self, node: NodeInfo) -> None:
        self._nodes[node.id] = node

    async def withdraw(self, node_id: str) -> None:
        self._nodes.pop(node_id, None)

    async def nodes(self) -> list[NodeInfo]:
        return list(self._nodes.values())

    def _current(self, interview_id: str) -> str | None:
        held = self._owners.get(interview_id)
        if held is None or held[1] < time.monotonic():
            self._owners.pop(interview_id, None)
            return None
        return held[0]

    async def owner(self, interview_id: str) -> str | None:
        return self._current(interview_id)

    async def claim(self, interview_id: str, node_id: str) -> str:
        current = self._current(interview_id)
        if current is None or current == node_id:
            self._owners[interview_id] = (node_id, time.monotonic() + self.ttl_ms / 1000)
            return node_id
        return current

    async def renew(self, interview_id: str, node_id: str) -> bool:
        return await self.claim(interview_id, node_id) == node_id

    async def release(self, interview_id: str, node_id: str) -> None:
        if self._current(interview_id) == node_id:
            del self._owners[interview_id]


class RedisRegistry(NodeRegistry):
    """Nodes and owners in Redis (the bus's server): keys ``node:<id>`` (JSON, expiring), the set ``nodes`` (ids;
    entries whose key expired are pruned when listed) and ``interview-owner:<interview id>`` (a node id,
    expiring)."""

    def __init__(self, url: str, ttl_s: float):
        super().__init__(ttl_s)
        import redis.asyncio as redis

        self._redis = redis.from_url(url)
        self._renew = self._redis.register_script(_RENEW)
        self._release = self._redis.register_script(_RELEASE)

    async def start(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()

    async def announce(self, node: NodeInfo) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(NODE_PREFIX + node.id, node.to_json(), px=self.ttl_ms)
            pipe.sadd(NODES_SET, node.id)
            await pipe.execute()

    async def withdraw(self, node_id: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(NODE_PREFIX + node_id)
            pipe.srem(NODES_SET, node_id)
            await pipe.execute()

    async def nodes(self) -> list[NodeInfo]:
        ids = sorted(i.decode() if isinstance(i, bytes) else i for i in await self._redis.smembers(NODES_SET))
        if not ids:
            return []
        raws = await self._redis.mget([NODE_PREFIX + i for i in ids])
        gone = [i for i, raw in zip(ids, raws) if raw is None]
        if gone:
            await self._redis.srem(NODES_SET, *gone)
        return [n for raw in raws if raw is not None and (n := NodeInfo.from_json(raw)) is not None]

    async def node(self, node_id: str) -> NodeInfo | None:
        raw = await self._redis.get(NODE_PREFIX + node_id)
        return None if raw is None else NodeInfo.from_json(raw)

    async def owner(self, interview_id: str) -> str | None:
        raw = await self._redis.get(OWNER_PREFIX + interview_id)
        return None if raw is None else raw.decode()

    async def claim(self, interview_id: str, node_id: str) -> str:
        key = OWNER_PREFIX + interview_id
        if await self._redis.set(key, node_id, nx=True, px=self.ttl_ms):
            return node_id
        if await self.renew(interview_id, node_id):
            return node_id
        current = await self.owner(interview_id)
        if current is None:  # expired between the two calls: try once more
            return node_id if await self._redis.set(key, node_id, nx=True, px=self.ttl_ms) else (
                await self.owner(interview_id) or "")
        return current

    async def renew(self, interview_id: str, node_id: str) -> bool:
        return bool(await self._renew(keys=[OWNER_PREFIX + interview_id], args=[node_id, self.ttl_ms]))

    async def release(self, interview_id: str, node_id: str) -> None:
        await self._release(keys=[OWNER_PREFIX + interview_id], args=[node_id])


def make_registry(bus_url: str, ttl_s: float) -> NodeRegistry:
    """Redis when the bus is on Redis (several processes), else in memory."""
    if bus_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisRegistry(bus_url, ttl_s)
    return LocalRegistry(ttl_s)
