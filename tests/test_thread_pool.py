"""The bounded thread pool behind model inference and resume parsing (analyzers/thread_pool.py)."""

from __future__ import annotations

import asyncio
import os
import sys
import threading

import pytest

from analyzers import inference_pool
from analyzers.thread_pool import QUEUED_PER_THREAD, BoundedThreadPool

pytestmark = pytest.mark.unit


async def test_runs_on_named_threads_and_returns_the_result():
    pool = BoundedThreadPool("unit-pool", 2)
    try:
        assert await pool.run(lambda a, b=0: (a + b, threading.current_thread().name), 2, b=3) == (5, "unit-pool_0")
    finally:
        pool.shutdown()


async def test_exceptions_reach_the_caller_and_free_the_slot():
    pool = BoundedThreadPool("unit-pool", 1)

    def fail():
        raise ValueError("broken resume")

    try:
        with pytest.raises(ValueError, match="broken resume"):
            await pool.run(fail)
        assert pool.in_flight == 0
        assert await pool.run(lambda: "still works") == "still works"
    finally:
        pool.shutdown()


async def test_at_most_max_in_flight_are_handed_to_the_threads():
    pool = BoundedThreadPool("unit-pool", 1)
    gate = threading.Event()
    started = []
    calls = 3 * pool.max_in_flight

    def work(i):
        started.append(i)
        gate.wait(5)
        return i

    tasks = [asyncio.create_task(pool.run(work, i)) for i in range(calls)]
    try:
        await asyncio.sleep(0.2)
        assert pool.max_in_flight == 1 + QUEUED_PER_THREAD
        assert pool.in_flight == pool.max_in_flight  # the rest wait in await, not in the executor's queue
        assert started == [0]  # one thread
        assert pool.saturated()
        gate.set()
        assert await asyncio.gather(*tasks) == list(range(calls))  # every call ran, first come first served
        assert started == list(range(calls))
        assert pool.in_flight == 0 and not pool.saturated()
    finally:
        gate.set()
        pool.shutdown()


async def test_a_cancelled_waiter_gives_up_its_place():
    pool = BoundedThreadPool("unit-pool", 1)
    gate = threading.Event()
    busy = [asyncio.create_task(pool.run(gate.wait, 5)) for _ in range(pool.max_in_flight)]
    await asyncio.sleep(0.1)
    waiter = asyncio.create_task(pool.run(lambda: "never"))
    after = asyncio.create_task(pool.run(lambda: "after"))
    await asyncio.sleep(0.05)
    waiter.cancel()
    gate.set()
    try:
        await asyncio.gather(*busy)
        assert await after == "after"
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert pool.in_flight == 0
    finally:
        pool.shutdown()


async def test_shutdown_lets_running_calls_finish_and_a_later_call_restarts_the_threads():
    pool = BoundedThreadPool("unit-pool", 1)
    gate = threading.Event()
    running = asyncio.create_task(pool.run(lambda: gate.wait(5) and "finished"))
    await asyncio.sleep(0.1)
    threads = {t for t in threading.enumerate() if t.name.startswith("unit-pool")}
    assert threads
    pool.shutdown(wait=False)
    gate.set()
    assert await running == "finished"
    for t in threads:
        t.join(5)
        assert not t.is_alive()
    pool.configure(2)  # takes effect with the new threads
    names = await asyncio.gather(*(pool.run(lambda: (gate.wait(1), threading.current_thread().name)[1])
                                   for _ in range(2)))
    assert set(names) <= {"unit-pool_0", "unit-pool_1"}
    assert pool.threads == 2
    pool.shutdown()
    assert not any(t.name.startswith("unit-pool") for t in threading.enumerate())


def _nice_here() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def _nice_of_a_thread_started_here() -> int:
    seen: list[int] = []
    t = threading.Thread(target=lambda: seen.append(_nice_here()))
    t.start()
    t.join()
    return seen[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a nice value per thread is Linux's")
async def test_a_lower_priority_pool_runs_its_work_and_the_threads_that_work_starts_below_the_caller():
    """A model runtime's own workers (MediaPipe's graph threads) are made on the pool's thread: they run as low."""
    process = _nice_here()
    if process > 16:
        pytest.skip(f"the tests already run at nice {process}: 3 lower cannot be told apart")
    pool = BoundedThreadPool("low-pool", 1, nice=3)
    plain = BoundedThreadPool("plain-pool", 1)
    try:
        assert await pool.run(_nice_here) == process + 3
        assert await pool.run(_nice_of_a_thread_started_here) == process + 3
        assert await plain.run(_nice_here) == process
        assert _nice_here() == process  # the caller's own thread is untouched
    finally:
        pool.shutdown()
        plain.shutdown()


async def test_partials_wait_while_the_frames_fill_every_vision_thread():
    """Optional speech work (partials) yields when no core is idle, whichever pool keeps them busy; a decode that is
    needed (a final, a pause's speculative decode) only looks at the speech pool."""
    gate = threading.Event()
    frames = [asyncio.create_task(inference_pool.run_vision(gate.wait, 5))
              for _ in range(2 * inference_pool.DEFAULT_THREADS)]
    try:
        await asyncio.sleep(0.1)
        assert inference_pool.cores_busy()
        assert not inference_pool.saturated()
    finally:
        gate.set()
        await asyncio.gather(*frames)
    assert not inference_pool.cores_busy()
