"""Health latency under a storm of wrong logins; prints ONE JSON object.

    python -m benchmarks.login_storm                       # the server's default login limits
    python -m benchmarks.login_storm --no-throttle         # limits out of reach: only password checks off the loop
    python -m benchmarks.login_storm --clients 16 --logins-per-client 4

The server runs as a subprocess (benchmarks/load.py's ``ServerProcess``: ``serve --demo`` on a free loopback port,
a temporary data dir, the language model off). First ``GET /api/v1/health`` is timed back to back for
``--idle-s`` seconds with nothing else going on; then ``--clients`` clients, each on its own connection, send
``--logins-per-client`` wrong passwords for the demo account one after the other, all at once, while health keeps
being timed until the last login has its answer. Then the right password is tried once (429 when the storm
locked the account or address: the limits at work).

Figures: ``health_ms`` (p50/p95/max and count, idle and during the storm: what a candidate's page or a load
balancer waits while logins are attacked), ``login_statuses`` (401 wrong, 429 throttled, 503 too many waiting),
``storm_s`` (wall time of the storm), ``right_password_after``.

All clients share one address (127.0.0.1), so with the default limits the per-address back-off answers most of the
storm with 429 before a password is checked; ``--no-throttle`` shows what hashing off the event loop alone does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import numpy as np

from benchmarks.load import ServerProcess, free_port

UNREACHABLE = "1000000"  # a login limit no storm reaches (--no-throttle)
NO_THROTTLE_FLAGS = ["--login-backoff-after", UNREACHABLE, "--login-lock-after", UNREACHABLE,
                     "--login-address-backoff-after", UNREACHABLE, "--login-address-lock-after", UNREACHABLE]


def _summary(samples_ms: list[float]) -> dict:
    if not samples_ms:
        return {"n": 0}
    a = np.asarray(samples_ms)
    return {"n": len(samples_ms), "p50": round(float(np.percentile(a, 50)), 1),
            "p95": round(float(np.percentile(a, 95)), 1), "max": round(float(a.max()), 1)}


async def _time_health(http: aiohttp.ClientSession, until: asyncio.Event | float) -> list[float]:
    """Health latencies, back to back, until the event is set or the monotonic deadline passes."""
    out: list[float] = []
    while not (until.is_set() if isinstance(until, asyncio.Event) else time.monotonic() >= until):
        t0 = time.perf_counter()
        async with http.get("/api/v1/health") as r:
            await r.read()
        out.append((time.perf_counter() - t0) * 1000)
        await asyncio.sleep(0.01)
    return out


async def _wrong_logins(url: str, email: str, count: int, statuses: dict[str, int]) -> None:
    async with aiohttp.ClientSession(url) as http:  # its own connection
        for n in range(count):
            async with http.post("/api/v1/auth/login", json={"email": email, "password": f"wrong-{n}"}) as r:
                await r.read()
                statuses[str(r.status)] = statuses.get(str(r.status), 0) + 1


async def run(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix="login-storm-") as tmp:
        data_dir = Path(tmp) / "data"
        extra = ["--llm-engine", "off", "--no-end-of-turn-model", *(NO_THROTTLE_FLAGS if args.no_throttle else [])]
        server = ServerProcess(data_dir, args.server_python or sys.executable, free_port(), extra)
        try:
            await server.start(ready_timeout=180, need_login=True)
            assert server.url is not None and server.demo_login is not None
            email, password = server.demo_login
            async with aiohttp.ClientSession(server.url) as probe:
                idle = await _time_health(probe, time.monotonic() + args.idle_s)
                statuses: dict[str, int] = {}
                done = asyncio.Event()
                timing = asyncio.create_task(_time_health(probe, done))
                t0 = time.monotonic()
                await asyncio.gather(*(_wrong_logins(server.url, email, args.logins_per_client, statuses)
                                       for _ in range(args.clients)))
                storm_s = time.monotonic() - t0
                done.set()
                storm = await timing
                async with probe.post("/api/v1/auth/login", json={"email": email, "password": password}) as r:
                    right_after = r.status
        finally:
            await server.stop()
    return {
        "benchmark": "login_storm",
        "throttle": "off" if args.no_throttle else "server defaults",
        "clients": args.clients, "logins": args.clients * args.logins_per_client,
        "login_statuses": dict(sorted(statuses.items())),
        "storm_s": round(storm_s, 2),
        "health_ms": {"idle": _summary(idle), "storm": _summary(storm)},
        "right_password_after": right_after,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--logins-per-client", type=int, default=4)
    ap.add_argument("--idle-s", type=float, default=3.0, help="seconds of health timing before the storm")
    ap.add_argument("--no-throttle", action="store_true", help="set the login limits out of reach")
    ap.add_argument("--server-python", help="python for the server subprocess (default: this one)")
    result = asyncio.run(run(ap.parse_args(argv)))
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
