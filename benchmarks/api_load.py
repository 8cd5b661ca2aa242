"""HTTP load of HR users on one server process: logins, interview lists and reports; prints ONE JSON object.

    python -m benchmarks.api_load                                   # 200 clients, 30 s, SQLite then PostgreSQL
    python -m benchmarks.api_load --engines sqlite --seconds 8 --clients 50 --interviews 600   # a quick iteration
    python -m benchmarks.api_load --profile py-spy --engines sqlite   # where the server's time goes (collapsed stacks)

For each engine a database is seeded first (benchmarks/hr_seed.py: ``--interviews`` interviews over ``--jobs`` jobs,
most finished with a full record, and one HR user per client of every role), with data keys this script makes and
hands to the server too. Then the server is started as a subprocess with the documented command
(``python -m server.platform.cli serve --host 127.0.0.1 --port P --data-dir D --database-url URL``, the language
model and the end-of-turn model off). Each client starts logged in (a session seeded for its user, as a browser
keeps its cookie) and loads its list once (not timed). Then for ``--seconds`` each client, on its own connection,
repeats: wait ``--think-s`` (uniform in the range; 2-8 s by default, a person reading the page; 0.5-1.5 s for a
stress run), then log in again (``--login-share``, 5 %), open the report of an interview from its last list
(``--report-share``, 40 %) or list its interviews (the rest: the first page of 50, newest first, now and then
another sort, filter, search or page). PostgreSQL needs ``--pg-url`` (a database to connect to for creating and
dropping a scratch database).

Figures per engine: ``routes`` {login, list, report}: count, requests/s, statuses, latency p50/p95/max (ms, request
sent to body read); ``requests_per_s`` in all; ``server_cpu_cores`` (the server process's CPU seconds over the
window / window) and ``server_cpu_ms_per_request`` (its CPU per request, logins' password checks included);
``machine_cpu_busy_percent`` (all cores, the window); ``event_loop_lag_ms`` (the server's ``GET /api/v1/health``
every second: the largest ``max`` and ``p95`` seen, and the last summary); ``client_loop_lag_ms`` (this script's
own loop: when it lags, latencies include the load generator's delay); ``load_average`` before and after. The
machine is shared with other work: a busy machine gives the server a small share of a core, and the latencies then
say as much about the machine as about the server; the CPU per request much less.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import aiohttp
import psutil
from yarl import URL

from benchmarks.hr_seed import PASSWORD, seed
from benchmarks.load import ServerProcess, free_port, percentiles
from server.compliance.crypto import KEYRING, new_key
from server.http.routes.common import SESSION_COOKIE
from server.platform.loop_monitor import LoopLagMonitor
from server.storage.store import Store

KEY_ID = "bench"
PAGE = 50
LIST_VARIANTS = (  # (weight, query): what an HR page asks for
    (70, {}), (8, {"sort": "ai_score", "order": "desc"}), (8, {"status": "finished"}),
    (5, {"q": "chen"}), (5, {"offset": str(PAGE)}), (4, {"has_flags": "true", "sort": "flags", "order": "desc"}))


class Client:
    """One HR user's browser: its own connection and cookie, the interview ids its last list showed."""

    def __init__(self, url: str, email: str, token: str, rng: random.Random, samples: list,
                 think: tuple[float, float]):
        self.url, self.email, self.token, self.rng, self.samples, self.think = url, email, token, rng, samples, think
        self.http: aiohttp.ClientSession | None = None
        self.seen: list[str] = []

    async def open(self) -> None:
        """The browser with the login it kept (the seeded session's cookie), and the list it shows first."""
        jar = aiohttp.CookieJar(unsafe=True)
        jar.update_cookies({SESSION_COOKIE: self.token}, URL(self.url))
        self.http = aiohttp.ClientSession(self.url, cookie_jar=jar, connector=aiohttp.TCPConnector(limit=1),
                                          timeout=aiohttp.ClientTimeout(total=120))
        await self._list({}, timed=False)

    async def close(self) -> None:
        if self.http is not None:
            await self.http.close()

    async def _call(self, route: str, method: str, path: str, params: dict | None = None,
                    timed: bool = True) -> tuple[int, bytes]:
        assert self.http is not None
        body = {"email": self.email, "password": PASSWORD} if route == "login" else None
        t0 = time.perf_counter()
        try:
            async with self.http.request(method, path, params=params, json=body) as r:
                data = await r.read()
                status = r.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            data, status = repr(exc).encode(), 0
        if timed:
            self.samples.append((route, status, (time.perf_counter() - t0) * 1000))
        return status, data

    async def _list(self, query: dict, timed: bool = True) -> None:
        status, data = await self._call("list", "GET", "/api/v1/interviews", {"limit": str(PAGE), **query}, timed)
        if status == 200:
            rows = json.loads(data).get("interviews", [])
            finished = [r["id"] for r in rows if r.get("status") == "finished"]
            self.seen = (finished or [r["id"] for r in rows])[:PAGE] or self.seen

    async def run(self, deadline: float, login_share: float, report_share: float) -> None:
        weights = [w for w, _ in LIST_VARIANTS]
        while True:
            await asyncio.sleep(min(self.rng.uniform(*self.think), max(0.0, deadline - time.monotonic())))
            if time.monotonic() >= deadline:
                return
            r = self.rng.random()
            if r < login_share:
                await self._call("login", "POST", "/api/v1/auth/login")
            elif r < login_share + report_share and self.seen:
                await self._call("report", "GET", f"/api/v1/interviews/{self.rng.choice(self.seen)}/report")
            else:
                await self._list(self.rng.choices(LIST_VARIANTS, weights)[0][1])


async def _health(url: str, until: asyncio.Event, out: dict) -> None:
    async with aiohttp.ClientSession(url) as http:
        while not until.is_set():
            try:
                async with http.get("/api/v1/health") as r:
                    lag = (await r.json())["loop_lag_ms"]
                out["last"] = lag
                out["max_ms"] = max(out.get("max_ms", 0.0), lag["max"])
                out["max_p95_ms"] = max(out.get("max_p95_ms", 0.0), lag["p95"])
            except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, ValueError):
                out["failed"] = out.get("failed", 0) + 1
            try:
                await asyncio.wait_for(until.wait(), 1.0)
            except asyncio.TimeoutError:
                pass


def _summary(samples: list, seconds: float) -> dict:
    by_route: dict[str, list] = defaultdict(list)
    for route, status, ms in samples:
        by_route[route].append((status, ms))
    routes = {}
    for route, got in sorted(by_route.items()):
        statuses = Counter(str(s) for s, _ in got)
        ok = [ms for s, ms in got if 200 <= s < 300]
        routes[route] = {"requests": len(got), "per_s": round(len(got) / seconds, 1),
                         "statuses": dict(sorted(statuses.items())), "ok_ms": percentiles(ok),
                         "all_ms": percentiles([ms for _, ms in got])}
    return {"requests": len(samples), "requests_per_s": round(len(samples) / seconds, 1), "routes": routes}


async def _pg_database(admin_url: str, drop: str | None = None) -> str:
    """A new scratch database (its SQLAlchemy URL), or drop ``drop``."""
    import asyncpg

    conn = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        if drop:
            await conn.execute(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')
            return drop
        name = f"apiload_{uuid.uuid4().hex[:10]}"
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = admin_url.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0]
    return f"{base}/{name}"


async def _py_spy(pid: int, engine: str, args: argparse.Namespace) -> asyncio.subprocess.Process:
    """py-spy sampling the server for the window: the thread holding the GIL (where its Python time goes), as
    collapsed stacks (``--format raw``, one line each)."""
    out = Path(args.profile_dir).resolve() / f"api_load-{engine}.pyspy.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    py_spy = Path(sys.executable).parent / "py-spy"
    return await asyncio.create_subprocess_exec(
        str(py_spy), "record", "--pid", str(pid), "--duration", str(int(args.seconds)), "--rate", "100",
        "--format", "raw", "--gil", "--output", str(out),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


async def run_engine(engine: str, args: argparse.Namespace, keys: dict[str, str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="api-load-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        url = f"sqlite+aiosqlite:///{data_dir / 'bench.db'}" if engine == "sqlite" else await _pg_database(args.pg_url)
        try:
            return await _measure(engine, url, data_dir, args, keys)
        finally:
            if engine != "sqlite":
                await _pg_database(args.pg_url, drop=url.rsplit("/", 1)[1])


async def _measure(engine: str, url: str, data_dir: Path, args: argparse.Namespace, keys: dict[str, str]) -> dict:
    t0 = time.monotonic()
    store = Store(url)
    await store.migrate()
    seeded = await seed(store, jobs=args.jobs, interviews=args.interviews, users=args.clients)
    await store.close()
    seed_s = time.monotonic() - t0
    env = {"INTERVIEW_DATA_KEYS": json.dumps(keys), "INTERVIEW_DATA_KEY_ID": KEY_ID}
    profile_args = []
    if args.profile == "pyinstrument":
        out = Path(args.profile_dir).resolve() / f"api_load-{engine}.txt"
        out.parent.mkdir(parents=True, exist_ok=True)
        profile_args = ["-m", "pyinstrument", "--renderer", "text", "--outfile", str(out)]
    server = ServerProcess(data_dir, args.server_python or sys.executable, free_port(),
                           ["--database-url", url, "--llm-engine", "off", "--no-end-of-turn-model"], demo=False,
                           env=env, python_args=profile_args)
    rng = random.Random(args.seed)
    samples: list = []
    emails = [e for role in ("admin", "recruiter", "hiring_manager", "observer") for e in seeded.users.get(role, [])]
    try:
        await server.start(ready_timeout=300, need_login=False)
        assert server.url is not None
        clients = [Client(server.url, (email := emails[i % len(emails)]), seeded.logins[email],
                          random.Random(rng.random()), samples, tuple(args.think_s)) for i in range(args.clients)]
        opening = asyncio.Semaphore(8)

        async def open_one(c: Client) -> None:
            async with opening:
                await c.open()

        await asyncio.gather(*(open_one(c) for c in clients))
        lag: dict = {}
        done = asyncio.Event()
        monitor = LoopLagMonitor()
        monitor.start()
        proc = psutil.Process(server.pid)
        psutil.cpu_percent(None)  # the machine's load over the window, from here
        cpu0, w0 = sum(proc.cpu_times()[:2]), time.monotonic()
        health = asyncio.create_task(_health(server.url, done, lag))
        spy = await _py_spy(server.pid, engine, args) if args.profile == "py-spy" else None
        deadline = time.monotonic() + args.seconds
        await asyncio.gather(*(c.run(deadline, args.login_share, args.report_share) for c in clients))
        window = time.monotonic() - w0
        cpu = sum(proc.cpu_times()[:2]) - cpu0
        machine_busy = psutil.cpu_percent(None)
        done.set()
        await health
        await monitor.stop()
        if spy is not None:
            await spy.wait()
        for c in clients:
            await c.close()
    finally:
        await server.stop()
    return {"database": engine, "seeded": {"interviews": seeded.interviews, "jobs": seeded.jobs,
                                           "users": {r: len(e) for r, e in seeded.users.items()},
                                           "rows": seeded.rows, "seed_s": round(seed_s, 1)},
            "window_s": round(window, 1), **_summary(samples, window),
            "server_cpu_cores": round(cpu / window, 2),
            "server_cpu_ms_per_request": round(cpu * 1000 / max(1, len(samples)), 1),
            "machine_cpu_busy_percent": machine_busy, "event_loop_lag_ms": lag,
            "client_loop_lag_ms": monitor.summary()}


async def run(args: argparse.Namespace) -> dict:
    keys = {KEY_ID: base64.b64encode(new_key()).decode()}
    KEYRING.add({k: base64.b64decode(v) for k, v in keys.items()}, KEY_ID)  # the seeding writes as the server would
    load_before = os.getloadavg()
    results = {}
    for engine in args.engines.split(","):
        results[engine] = await run_engine(engine.strip(), args, keys)
    return {"benchmark": "api_load",
            "config": {"clients": args.clients, "seconds": args.seconds, "think_s": args.think_s,
                       "login_share": args.login_share, "report_share": args.report_share, "page": PAGE,
                       "interviews": args.interviews, "jobs": args.jobs, "profile": args.profile},
            "load_average": {"before": [round(x, 2) for x in load_before],
                             "after": [round(x, 2) for x in os.getloadavg()]},
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "note": "shared machine: other work competes with the server and this load generator"},
            "results": results}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--think-s", type=float, nargs=2, default=(2.0, 8.0), metavar=("MIN", "MAX"),
                    help="a client's pause between requests, uniform (default: a person reading the page; the HR "
                         "page refreshes its list every 5 s)")
    ap.add_argument("--login-share", type=float, default=0.05)
    ap.add_argument("--report-share", type=float, default=0.40)
    ap.add_argument("--interviews", type=int, default=3000)
    ap.add_argument("--jobs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pg-url", default=os.environ.get("API_LOAD_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--profile", choices=["pyinstrument", "py-spy"],
                    help="profile the server: run it under pyinstrument (text tree at exit), or sample the window "
                         "with py-spy (collapsed stacks); files in --profile-dir")
    ap.add_argument("--profile-dir", default="benchmarks/out")
    ap.add_argument("--server-python", help="python for the server subprocess (default: this one)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    result = asyncio.run(run(parse_args(argv)))
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
