"""The load test's server side: one ``serve`` subprocess (``ServerProcess``) and the CPU/RSS of a process tree
(``ProcessTreeMonitor``). Used by benchmarks/load.py, load_cluster.py (several nodes), api_load.py and login_storm.py.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import re
import signal
import socket
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import psutil

log = logging.getLogger("benchmarks.load")

REPO_ROOT = Path(__file__).resolve().parent.parent
READY_RE = re.compile(r"\bREADY\s+(https?://\S+)")
DEMO_RE = re.compile(r"\bDEMO_LOGIN\s+email=(\S+)\s+password=(\S+)")


class LoadTestError(Exception):
    """A set-up problem of the load test (bad arguments, server did not start, no jobs, ...)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False



# ------------------------------------------------------------------------------------------------ server process


class ServerProcess:
    """The server as a subprocess; stdout is parsed for READY/DEMO_LOGIN and then drained (kept as a tail)."""

    def __init__(self, data_dir: Path, python: str, port: int, extra_args: list[str], *, demo: bool = True,
                 env: dict[str, str] | None = None, python_args: list[str] | None = None,
                 stderr_path: Path | None = None):
        """``env``: added to this process's environment; ``python_args``: before ``-m server.platform.cli`` (e.g. a
        profiler's ``-m pyinstrument -o FILE``); ``stderr_path``: default ``server.stderr.log`` beside the data dir."""
        self.data_dir = data_dir
        self.python = python
        self.port = port
        self.extra_args = extra_args
        self.demo = demo
        self.env = env or {}
        self.python_args = python_args or []
        self.proc: asyncio.subprocess.Process | None = None
        self.url: str | None = None
        self.demo_login: tuple[str, str] | None = None
        self.stdout_tail: list[str] = []
        self.stderr_path = stderr_path or data_dir.parent / "server.stderr.log"
        self._stderr_file = None
        self._reader: asyncio.Task | None = None
        self._ready = asyncio.Event()
        self._login_seen = asyncio.Event()
        self.descendants: dict[int, float] = {}  # pid -> create_time of every descendant seen (for clean-up)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self, ready_timeout: float, need_login: bool) -> None:
        cmd = [
            self.python, *self.python_args, "-m", "server.platform.cli", "serve",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--data-dir", str(self.data_dir), "--ice-host", "127.0.0.1", *(["--demo"] if self.demo else []),
            *self.extra_args,
        ]
        env = dict(os.environ, PYTHONUNBUFFERED="1", **self.env)
        self._stderr_file = open(self.stderr_path, "wb")  # noqa: SIM115, ASYNC230 - open while it runs
        log.info("starting server: %s", " ".join(cmd))
        self.proc = await asyncio.create_subprocess_exec(
            *cmd, cwd=str(REPO_ROOT), env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=self._stderr_file,
        )
        self._reader = asyncio.create_task(self._read_stdout())
        waiter = asyncio.create_task(self._ready.wait())
        exited = asyncio.create_task(self.proc.wait())
        try:
            done, _ = await asyncio.wait({waiter, exited}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            if not exited.done():
                exited.cancel()
        if exited in done and not self._ready.is_set():
            raise LoadTestError(f"server exited with {self.proc.returncode} before READY\n{self.diagnostics()}")
        if not self._ready.is_set():
            raise LoadTestError(f"server not READY within {ready_timeout} s\n{self.diagnostics()}")
        if need_login and self.demo_login is None:
            try:
                await asyncio.wait_for(self._login_seen.wait(), 5.0)
            except TimeoutError:
                raise LoadTestError(f"server printed no DEMO_LOGIN line\n{self.diagnostics()}") from None

    async def _read_stdout(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while True:
            raw = await self.proc.stdout.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip()
            self.stdout_tail.append(line)
            del self.stdout_tail[:-200]
            if self.url is None and (m := READY_RE.search(line)):
                self.url = m.group(1).rstrip("/")
                self._ready.set()
            if self.demo_login is None and (m := DEMO_RE.search(line)):
                self.demo_login = (m.group(1), m.group(2))
                self._login_seen.set()

    def diagnostics(self, lines: int = 30) -> str:
        err = ""
        try:
            err = "\n".join(self.stderr_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            pass
        return "--- server stdout (tail) ---\n" + "\n".join(self.stdout_tail[-lines:]) + \
            "\n--- server stderr (tail) ---\n" + err

    def note_descendants(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        try:
            for child in psutil.Process(self.proc.pid).children(recursive=True):
                try:
                    self.descendants.setdefault(child.pid, child.create_time())
                except psutil.Error:
                    pass
        except psutil.Error:
            pass

    async def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, then SIGKILL after ``timeout``; then end any descendant it left behind (by pid + start time)."""
        if self.proc is None:
            return None
        self.note_descendants()
        if self.proc.returncode is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except TimeoutError:
                log.warning("server did not stop within %s s; killing pid %s", timeout, self.proc.pid)
                self.proc.kill()
                await self.proc.wait()
        for pid, created in self.descendants.items():
            try:
                p = psutil.Process(pid)
                if abs(p.create_time() - created) < 0.01:
                    log.warning("ending leftover server child pid %s", pid)
                    p.terminate()
                    try:
                        p.wait(5)
                    except psutil.TimeoutExpired:
                        p.kill()
            except psutil.Error:
                pass
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 5)
            except Exception:  # noqa: BLE001 - the reader's end is not this test's concern
                self._reader.cancel()
        if self._stderr_file is not None:
            self._stderr_file.close()
        return self.proc.returncode


class ProcessTreeMonitor:
    """CPU seconds and RSS of a process and all its descendants; processes that exit keep their last sample."""

    def __init__(self, pid: int, root_name: str = "server"):
        self.root = psutil.Process(pid)
        self.root_name = root_name
        self._cpu: dict[tuple[int, float], float] = {}
        self._names: dict[tuple[int, float], str] = {}
        self.max_rss_mb = 0.0
        self.rss_mb = 0.0
        """RSS summed over the tree at the last sample."""
        self.rss_mb_by_name: dict[str, float] = {}
        """The same per process name at the last sample (the server itself as "server")."""
        self.max_processes = 0

    def sample(self) -> float:
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            procs = []
        rss = 0
        alive = 0
        by_name: dict[str, float] = defaultdict(float)
        for p in procs:
            try:
                with p.oneshot():
                    t = p.cpu_times()
                    key = (p.pid, p.create_time())
                    self._cpu[key] = t.user + t.system
                    if key not in self._names:
                        self._names[key] = self.root_name if p.pid == self.root.pid else p.name()
                    used = p.memory_info().rss
                    rss += used
                    by_name[self._names[key]] += used / (1024 * 1024)
                    alive += 1
            except psutil.Error:
                pass
        self.rss_mb = rss / (1024 * 1024)
        self.rss_mb_by_name = {name: round(mb, 1) for name, mb in by_name.items()}
        self.max_rss_mb = max(self.max_rss_mb, self.rss_mb)
        self.max_processes = max(self.max_processes, alive)
        return sum(self._cpu.values())

    def by_name(self) -> dict[str, float]:
        """CPU seconds so far per process name (the server itself as "server"; e.g. "llama-server", the embedded
        language-model engine)."""
        out: dict[str, float] = defaultdict(float)
        for key, cpu in self._cpu.items():
            out[self._names.get(key, "?")] += cpu
        return dict(out)

