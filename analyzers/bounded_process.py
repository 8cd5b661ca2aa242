"""Calls in child processes with a time and a memory bound (untrusted documents: a parser that runs away is stopped,
and the server's own memory and CPU are not what it uses).

    run_bounded(fn, *args, timeout_s=30, memory_bytes=512 * 2**20, **kwargs) -> fn's result

A call runs in a worker process forked from a small ``forkserver`` process that imported the ``preload`` modules
once. Workers are kept and reused (a process start also imports the main module, as multiprocessing does), one call
at a time each, and replaced after :data:`CALLS_PER_WORKER` calls. In a worker the address space may grow by
``memory_bytes`` over what it had when it started (``RLIMIT_AS``: an allocation beyond raises ``MemoryError`` or
kills it), and each call's CPU time is capped as a backstop to the wall-clock ``timeout_s``, after which the worker
is killed. Either way :class:`LimitExceeded` is raised with ``kind`` "time" or "memory", and that worker is not used
again. An exception ``fn`` raises is raised here (it must pickle); so must the arguments and the result.

Blocking: call it from a thread pool (the caller's pool bounds how many workers run at once).
"""

from __future__ import annotations

import multiprocessing
import resource
import signal
import threading
from typing import Callable, TypeVar

T = TypeVar("T")

__all__ = ["CALLS_PER_WORKER", "LimitExceeded", "run_bounded"]

CALLS_PER_WORKER = 100
"""Calls one worker serves before it is replaced (what a parser leaves in its heap does not pile up)."""
IDLE_WORKERS = 4
"""Workers kept waiting for the next call, per memory bound."""

_context = multiprocessing.get_context("forkserver")
_lock = threading.Lock()
_preload: set[str] = set()
_idle: dict[int, list[_Worker]] = {}


class LimitExceeded(Exception):
    """The call went over its bound: ``kind`` is "time" or "memory"."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind, self.message = kind, message

    def __reduce__(self):
        return LimitExceeded, (self.kind, self.message)


def _vm_size() -> int:
    """This process's address space in bytes (Linux), 0 when unknown."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _serve(conn, memory_bytes: int) -> None:
    """A worker: calls one at a time until the parent closes its end."""
    limit = _vm_size() + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            fn, args, kwargs, timeout_s = conn.recv()
        except (EOFError, OSError):
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_limit = int(usage.ru_utime + usage.ru_stime + timeout_s) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit, resource.RLIM_INFINITY))  # SIGXCPU beyond
        try:
            result = ("ok", fn(*args, **kwargs))
        except MemoryError:
            result = ("memory", None)
        except Exception as exc:  # noqa: BLE001 - handed to the parent, raised there
            result = ("memory", None) if _out_of_memory(exc) else ("error", exc)
        try:
            conn.send(result)
        except Exception as exc:  # noqa: BLE001 - an exception or a result that does not pickle
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


def _out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` was raised while handling a MemoryError (a parser that turns every error into its own kind
    keeps the MemoryError as the context)."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, MemoryError):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


class _Worker:
    def __init__(self, memory_bytes: int):
        self.memory_bytes = memory_bytes
        self.calls = 0
        self.conn, child = _context.Pipe()
        self.proc = _context.Process(target=_serve, args=(child, memory_bytes), daemon=True, name="bounded-worker")
        self.proc.start()
        child.close()

    def call(self, fn: Callable, args: tuple, kwargs: dict, timeout_s: float):
        """(status, value) of one call; raises LimitExceeded (the worker is then dead or must be killed)."""
        self.calls += 1
        self.conn.send((fn, args, kwargs, timeout_s))
        if not self.conn.poll(timeout_s):
            raise LimitExceeded("time", f"took longer than {timeout_s:g} s")
        try:
            return self.conn.recv()
        except (EOFError, OSError):  # the worker died without a word: killed at its memory or CPU limit
            self.proc.join(1)
            if self.proc.exitcode == -signal.SIGXCPU:
                raise LimitExceeded("time", f"took longer than {timeout_s:g} s") from None
            raise LimitExceeded("memory", f"needed more than {_mb(self.memory_bytes)} of memory") from None

    def close(self) -> None:
        self.conn.close()
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def _take(memory_bytes: int, preload: tuple[str, ...]) -> _Worker:
    with _lock:
        if not set(preload) <= _preload:
            _preload.update(preload)
            _context.set_forkserver_preload(sorted(_preload))  # counts until the fork server starts
        idle = _idle.get(memory_bytes)
        if idle:
            return idle.pop()
    return _Worker(memory_bytes)


def _give_back(worker: _Worker) -> None:
    with _lock:
        idle = _idle.setdefault(worker.memory_bytes, [])
        if worker.calls < CALLS_PER_WORKER and len(idle) < IDLE_WORKERS and worker.proc.is_alive():
            idle.append(worker)
            return
    worker.close()


def run_bounded(fn: Callable[..., T], *args, timeout_s: float, memory_bytes: int,
                preload: tuple[str, ...] = (), **kwargs) -> T:
    """``fn(*args, **kwargs)`` in a worker process within ``timeout_s`` seconds and ``memory_bytes`` more memory.

    ``preload``: modules the fork server imports before its first fork (the lists of the calls before it started)."""
    worker = _take(memory_bytes, preload)
    try:
        status, value = worker.call(fn, args, kwargs, timeout_s)
    except BaseException:
        worker.close()
        raise
    if status == "memory":
        worker.close()  # what is left of its heap after a MemoryError is not worth keeping
        raise LimitExceeded("memory", f"needed more than {_mb(memory_bytes)} of memory")
    _give_back(worker)
    if status == "ok":
        return value
    raise value
