"""The process-wide worker pool for model inference.

Speech and vision models release the GIL inside their native code (CTranslate2, Kaldi via cffi, ONNX Runtime),
so threads give real parallelism; the pool is sized to the cores so inference never starves the event loop.
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None
_size = 2
_in_flight = 0


def configure(threads: int) -> None:
    """Set the pool size; takes effect if the pool has not started yet."""
    global _size
    _size = max(1, threads)


def pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=_size, thread_name_prefix="inference")
    return _pool


async def run_inference(fn: Callable[..., T], *args, **kwargs) -> T:
    """Run a blocking model call on the inference pool and await its result."""
    global _in_flight
    loop = asyncio.get_running_loop()
    _in_flight += 1
    try:
        return await loop.run_in_executor(pool(), functools.partial(fn, *args, **kwargs))
    finally:
        _in_flight -= 1


def saturated() -> bool:
    """Every worker is busy or has work waiting: optional work (e.g. partial transcripts) should wait."""
    return _in_flight >= _size
