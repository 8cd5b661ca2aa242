"""One call in a child process with a time and a memory bound (untrusted documents: a parser that runs away is
stopped, and the server's own memory and CPU are not what it uses).

    run_bounded(fn, *args, timeout_s=30, memory_bytes=512 * 2**20, **kwargs) -> fn's result

The child is forked from a small ``forkserver`` process that imported the ``preload`` modules once, so a call costs
a fork, not an interpreter start. In the child, the address space may grow by ``memory_bytes`` over what it had
after the fork (``RLIMIT_AS``; an allocation beyond raises ``MemoryError`` or kills the child) and CPU time is
capped as a backstop to the wall-clock ``timeout_s``, after which the parent kills the child. Either way
:class:`LimitExceeded` is raised with ``kind`` "time" or "memory". An exception ``fn`` raises is raised here (it
must pickle); so must the arguments and the result.

Blocking: call it from a thread pool (the caller's pool bounds how many children run at once).
"""

from __future__ import annotations

import multiprocessing
import resource
import signal
import threading
from typing import Callable, TypeVar

T = TypeVar("T")

__all__ = ["LimitExceeded", "run_bounded"]

_context = multiprocessing.get_context("forkserver")
_preload: set[str] = set()
_preload_lock = threading.Lock()


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


def _child(conn, fn: Callable, args: tuple, kwargs: dict, memory_bytes: int, cpu_s: int) -> None:
    try:
        limit = _vm_size() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))  # SIGXCPU, then SIGKILL
        try:
            result = ("ok", fn(*args, **kwargs))
        except MemoryError:
            result = ("memory", None)
        except Exception as exc:  # noqa: BLE001 - handed to the parent, raised there
            result = ("error", exc)
        try:
            conn.send(result)
        except Exception as exc:  # noqa: BLE001 - an exception or a result that does not pickle
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def run_bounded(fn: Callable[..., T], *args, timeout_s: float, memory_bytes: int,
                preload: tuple[str, ...] = (), **kwargs) -> T:
    """``fn(*args, **kwargs)`` in a child process within ``timeout_s`` seconds and ``memory_bytes`` more memory.

    ``preload``: modules the fork server imports before its first fork (takes effect only before it starts; the
    first caller's list counts)."""
    with _preload_lock:
        if preload and not set(preload) <= _preload:
            _preload.update(preload)
            _context.set_forkserver_preload(sorted(_preload))
    receiver, sender = _context.Pipe(duplex=False)
    proc = _context.Process(target=_child, args=(sender, fn, args, kwargs, memory_bytes, max(1, int(timeout_s) + 1)),
                            daemon=True, name=f"bounded-{getattr(fn, '__name__', 'call')}")
    try:
        proc.start()
        sender.close()
        if not receiver.poll(timeout_s):
            raise LimitExceeded("time", f"took longer than {timeout_s:g} s")
        try:
            status, value = receiver.recv()
        except EOFError:  # the child died without a word: killed at its memory or CPU limit
            proc.join(1)
            if proc.exitcode == -signal.SIGXCPU:
                raise LimitExceeded("time", f"took longer than {timeout_s:g} s") from None
            raise LimitExceeded("memory", f"needed more than {memory_bytes / 2**20:,.0f} MB of memory") from None
    finally:
        receiver.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if status == "ok":
        return value
    if status == "memory":
        raise LimitExceeded("memory", f"needed more than {memory_bytes / 2**20:,.0f} MB of memory")
    raise value
