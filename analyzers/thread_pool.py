"""A bounded thread pool for blocking work awaited from the event loop (model inference, resume parsing).

``ThreadPoolExecutor`` alone queues without limit. Here at most ``max_in_flight`` calls are handed to the threads
(running or queued there); a caller beyond that waits in ``await`` for a slot, first come first served, so the
executor's queue stays bounded and callers feel the back-pressure. Threads are named ``<name>_<n>`` (they show up
so in ``py-spy`` and thread dumps), start on first use, and ``shutdown()`` ends them: calls already handed over
finish, a later call starts a new set (the pools are process-wide and outlive one server app in tests).

Callers may run on any event loop; the slot bookkeeping is guarded by a lock and waiters are woken on their own
loop.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
import weakref
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

T = TypeVar("T")

QUEUED_PER_THREAD = 4
"""Calls that may wait in the executor per thread, beyond the ones running."""


_pools: weakref.WeakSet[BoundedThreadPool] = weakref.WeakSet()


def pools() -> list[BoundedThreadPool]:
    """Every pool of this process (for the metrics: how full each one is)."""
    return sorted(_pools, key=lambda p: p.name)


def lower_thread_priority(by: int) -> None:
    """Raise the calling thread's nice value by ``by`` (Linux keeps one per thread, and threads it starts inherit
    it); an unprivileged process may lower its priority, never raise it back. Does nothing where unsupported."""
    if by <= 0 or not hasattr(os, "setpriority"):
        return
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + by))
    except OSError:  # pragma: no cover - a platform where per-thread nice is refused
        pass


class BoundedThreadPool:
    def __init__(self, name: str, threads: int, nice: int = 0) -> None:
        """``nice``: how much lower than the process the pool's threads run (and the threads their work starts,
        e.g. a model runtime's own workers created there), so work that can wait yields the CPU to work that
        cannot."""
        _pools.add(self)
        self.name = name
        self.nice = max(0, nice)
        self._threads = max(1, threads)
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._in_flight = 0  # handed to the executor: running or queued there
        self._waiting: deque[asyncio.Future] = deque()

    @property
    def threads(self) -> int:
        return self._threads

    @property
    def max_in_flight(self) -> int:
        return self._threads * (1 + QUEUED_PER_THREAD)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def waiting(self) -> int:
        """Callers waiting in ``await`` for a slot."""
        return len(self._waiting)

    def configure(self, threads: int, nice: int | None = None) -> None:
        """Set the number of threads (and their ``nice``); takes effect when the threads start (first use, or after
        ``shutdown``)."""
        with self._lock:
            self._threads = max(1, threads)
            if nice is not None:
                self.nice = max(0, nice)

    def saturated(self) -> bool:
        """Every thread is busy or has work waiting: optional work (e.g. partial transcripts) should wait."""
        return self._in_flight >= self._threads

    async def run(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Run a blocking call on the pool and await its result (its exception is raised here)."""
        await self._acquire()
        try:
            with self._lock:  # started and handed over at once: a shutdown on another thread cannot come between
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(max_workers=self._threads, thread_name_prefix=self.name,
                                                        initializer=lower_thread_priority, initargs=(self.nice,))
                result = asyncio.get_running_loop().run_in_executor(self._executor,
                                                                    functools.partial(fn, *args, **kwargs))
            return await result
        finally:
            self._release()

    def shutdown(self, wait: bool = True) -> None:
        """End the threads. Calls already handed over still finish (``wait``: block until they have)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=wait)

    async def _acquire(self) -> None:
        with self._lock:
            if self._in_flight < self.max_in_flight and not self._waiting:
                self._in_flight += 1
                return
            slot = asyncio.get_running_loop().create_future()
            self._waiting.append(slot)
        try:
            await slot  # a finishing call hands its slot over (in_flight unchanged)
        except asyncio.CancelledError:
            with self._lock:
                if slot in self._waiting:
                    self._waiting.remove(slot)
                    raise
            self._release()  # the slot was already handed to us: pass it on
            raise

    def _release(self) -> None:
        with self._lock:
            while self._waiting:
                slot = self._waiting.popleft()
                try:
                    slot.get_loop().call_soon_threadsafe(_grant, slot)
                    return
                except RuntimeError:  # that caller's loop is closed: try the next one
                    continue
            self._in_flight -= 1


def _grant(slot: asyncio.Future) -> None:
    if not slot.done():
        slot.set_result(None)
