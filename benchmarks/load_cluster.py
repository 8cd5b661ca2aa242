"""Several server processes (nodes) on loopback for the load test, set up as a deployment runs them
(server/deploy/compose.yaml): one fresh PostgreSQL database and one unused Redis database shared by all nodes, the
same secret and data keys, and one language-model engine for all (llama.cpp's server, like compose's ``llm``
service; started here unless a ``--server-arg=--llm-engine`` says otherwise). Node 1 migrates the database and seeds
the demo (its ``DEMO_LOGIN`` is the HR login), then the others start together.

Every node takes at most ``capacity`` interviews (``--node-capacity``), so candidates who all join through node 1
are placed across the nodes (server/platform/placement.py) and their calls forwarded (server/http/forwarding.py).
Redis databases 0 and 8-15 are left to the tests (tests/test_node_failover.py flushes one of 8-15): the cluster
takes the first empty one of 1-7. Everything is removed at the end: the nodes (SIGTERM), the engine, the database,
the registry keys.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.load_server import LoadTestError, ProcessTreeMonitor, ServerProcess, free_port

log = logging.getLogger("benchmarks.load")

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379"
REDIS_DBS = range(1, 8)
OWNER_PREFIX = "interview-owner:"  # server/platform/node_registry.py


async def create_database(admin_url: str) -> str:
    """A fresh empty database on the server of ``admin_url`` (a libpq URL of a database to connect to); returns the
    SQLAlchemy URL the nodes use."""
    import asyncpg

    name = f"load_{uuid.uuid4().hex[:12]}"
    try:
        conn = await asyncio.wait_for(asyncpg.connect(admin_url), 10)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        raise LoadTestError(f"--processes > 1 needs PostgreSQL: cannot connect to {admin_url} ({exc}); start it or "
                            "give --pg-admin-url") from None
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    parts = urlsplit(admin_url)
    return urlunsplit(("postgresql+asyncpg", parts.netloc, "/" + name, "", ""))


async def drop_database(admin_url: str, db_url: str) -> None:
    import asyncpg

    name = urlsplit(db_url).path.lstrip("/")
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def unused_redis_db(redis_url: str) -> str:
    """``redis_url`` with the first empty database of 1-7 (the nodes' registry keys are not prefixed)."""
    import redis.asyncio as redis

    base = redis_url.rstrip("/")
    if urlsplit(base).path not in ("", "/"):
        return base  # a database given explicitly
    for db in REDIS_DBS:
        client = redis.from_url(f"{base}/{db}")
        try:
            size = await asyncio.wait_for(client.dbsize(), 5)
        except (OSError, TimeoutError, redis.RedisError) as exc:
            raise LoadTestError(f"--processes > 1 needs Redis: cannot reach {base} ({exc}); start it or give "
                                "--redis-url") from None
        finally:
            await client.aclose()
        if size == 0:
            return f"{base}/{db}"
    raise LoadTestError(f"no empty Redis database among {REDIS_DBS.start}-{REDIS_DBS.stop - 1} at {base}; give "
                        "--redis-url redis://host:port/<db> of one the load test may use")


@dataclass
class Node:
    id: str
    server: ServerProcess
    monitor: ProcessTreeMonitor | None = None

    @property
    def url(self) -> str:
        return self.server.url or f"http://127.0.0.1:{self.server.port}"


class Cluster:
    """``processes`` nodes named n1..nN; :meth:`start`, then :attr:`nodes` (node 1 first), :meth:`owner`,
    :meth:`stop`."""

    def __init__(self, processes: int, tmp: Path, python: str, server_args: list[str], capacity: int, *,
                 pg_admin_url: str = PG_ADMIN_URL, redis_url: str = REDIS_URL, ready_timeout: float = 180.0):
        self.processes = processes
        self.tmp = tmp
        self.python = python
        self.server_args = server_args
        self.capacity = capacity
        self.pg_admin_url = pg_admin_url
        self.redis_url = redis_url
        self.ready_timeout = ready_timeout
        self.nodes: list[Node] = []
        self.db_url: str | None = None
        self.bus_url: str | None = None
        self.engine = None  # analyzers.llm_engine.LlamaServerEngine when started here
        self.engine_monitor: ProcessTreeMonitor | None = None
        self.language_model = "as --server-arg"
        self._redis = None

    @property
    def demo_login(self) -> tuple[str, str] | None:
        return self.nodes[0].server.demo_login if self.nodes else None

    async def start(self, need_login: bool) -> None:
        import redis.asyncio as redis

        self.bus_url = await unused_redis_db(self.redis_url)
        self.db_url = await create_database(self.pg_admin_url)
        self._redis = redis.from_url(self.bus_url)
        engine_args = await self._engine_args()
        env = {"INTERVIEW_SECRET_KEY": "load-" + base64.urlsafe_b64encode(os.urandom(32)).decode(),
               "INTERVIEW_DATA_KEYS": json.dumps({"k1": base64.b64encode(os.urandom(32)).decode()})}
        for k in range(1, self.processes + 1):
            node_id = f"n{k}"
            args = ["--database-url", self.db_url, "--bus-url", self.bus_url, "--node-id", node_id,
                    "--node-capacity", str(self.capacity), *engine_args, *self.server_args]
            server = ServerProcess(self.tmp / node_id, self.python, free_port(), args, demo=k == 1, env=env,
                                   stderr_path=self.tmp / f"{node_id}.stderr.log")
            self.nodes.append(Node(node_id, server))
        # node 1 migrates the database and seeds the demo; the others then start together
        await self.nodes[0].server.start(self.ready_timeout, need_login=need_login)
        await asyncio.gather(*(n.server.start(self.ready_timeout, need_login=False) for n in self.nodes[1:]))
        for n in self.nodes:
            n.monitor = ProcessTreeMonitor(n.server.pid)

    async def _engine_args(self) -> list[str]:
        """One engine for every node, as compose runs it (unless the caller chose one with --server-arg)."""
        if "--llm-engine" in self.server_args:
            return []
        from analyzers.llm_engine import EngineError
        from analyzers.model_registry import ModelError
        from benchmarks.llm_endpoint import open_endpoint

        try:
            endpoint, self.engine = await open_endpoint("embedded")
        except (EngineError, ModelError, OSError) as exc:
            self.language_model = f"off: the shared engine did not start ({exc})"[:300]
            log.warning("shared language-model engine did not start (%s); the nodes run with the rules", exc)
            return ["--llm-engine", "off"]
        self.language_model = f"one shared engine, ready in {self.engine.started_in_s or 0:.1f} s"
        if self.engine.pid:
            self.engine_monitor = ProcessTreeMonitor(self.engine.pid, root_name="llama-server")
        return ["--llm-engine", endpoint.base_url, "--llm-model", endpoint.model]

    def monitors(self) -> dict[str, ProcessTreeMonitor]:
        """Every process tree counted as the server: each node's, and the shared engine's (as "engine")."""
        out = {n.id: n.monitor for n in self.nodes if n.monitor is not None}
        if self.engine_monitor is not None:
            out["engine"] = self.engine_monitor
        return out

    async def owner(self, interview_id: str) -> str | None:
        """The node running ``interview_id`` now (its claim in the registry)."""
        if self._redis is None:
            return None
        raw = await self._redis.get(OWNER_PREFIX + interview_id)
        return raw.decode() if raw else None

    def other_than(self, node_id: str | None) -> Node:
        """The node after ``node_id`` in order (node 2 when unknown): where an observer of its interview connects."""
        ids = [n.id for n in self.nodes]
        k = ids.index(node_id) if node_id in ids else 0
        return self.nodes[(k + 1) % len(self.nodes)]

    def note_descendants(self) -> None:
        for n in self.nodes:
            n.server.note_descendants()

    async def stop(self, interview_ids: list[str]) -> list[str]:
        """Stop everything; returns warnings (a node that did not exit cleanly, a clean-up that failed)."""
        warnings: list[str] = []
        codes = await asyncio.gather(*(n.server.stop() for n in self.nodes), return_exceptions=True)
        for n, code in zip(self.nodes, codes, strict=True):
            if code not in (0, -15, None):
                warnings.append(f"node {n.id} exited with {code!r}")
                log.warning("node %s exited with %r\n%s", n.id, code, n.server.diagnostics(15))
        if self.engine is not None:
            await self.engine.stop()
        if self._redis is not None:
            try:  # the nodes withdrew on SIGTERM; whatever a killed one left
                keys = [f"node:{n.id}" for n in self.nodes] + [OWNER_PREFIX + i for i in interview_ids]
                for start in range(0, len(keys), 500):
                    await self._redis.delete(*keys[start:start + 500])
                await self._redis.srem("nodes", *(n.id for n in self.nodes))
            except Exception as exc:  # noqa: BLE001 - clean-up: report, go on
                warnings.append(f"redis clean-up: {exc!r}")
            await self._redis.aclose()
        if self.db_url is not None:
            try:
                await drop_database(self.pg_admin_url, self.db_url)
            except Exception as exc:  # noqa: BLE001 - clean-up: report, go on
                warnings.append(f"dropping {self.db_url}: {exc!r}")
        return warnings
