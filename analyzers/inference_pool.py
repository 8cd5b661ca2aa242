"""The process-wide worker pool for model inference.

Speech and vision models release the GIL inside their native code (CTranslate2, Kaldi via cffi, ONNX Runtime),
so threads give real parallelism; the pool is sized to the cores so inference never starves the event loop.
"""

from __future__ import annotations

import os
from typing import Callable, TypeVar

from analyzers.thread_pool import BoundedThreadPool

T = TypeVar("T")

DEFAULT_THREADS = max(1, os.cpu_count() or 1)
"""One inference thread per core (the ``inference_threads`` setting's default)."""

_pool = BoundedThreadPool("inference", DEFAULT_THREADS)


def configure(threads: int) -> None:
    """Set the pool size; takes effect when its threads start."""
    _pool.configure(threads)


async def run_inference(fn: Callable[..., T], *args, **kwargs) -> T:
    """Run a blocking model call on the inference pool and await its result."""
    return await _pool.run(fn, *args, **kwargs)


def saturated() -> bool:
    """Every worker is busy or has work waiting: optional work (e.g. partial transcripts) should wait."""
    return _pool.saturated()


def shutdown() -> None:
    """End the pool's threads (at server stop); calls already on a thread finish, a later call starts new ones."""
    _pool.shutdown(wait=False)
