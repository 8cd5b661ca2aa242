"""The process-wide worker pools for model inference.

Speech and vision models release the GIL inside their native code (CTranslate2, Kaldi via cffi, ONNX Runtime,
MediaPipe), so threads give real parallelism. Two pools, one thread per core each by default:

* ``run_inference``: speech recognition, end-of-turn scores, answer scoring, voice (the work the next question
  waits for), and HR's resume ranking (embeddings);
* ``run_vision``: the frame analyzers (face, posture, hands), whose rates adapt to what they get
  (analyzers/video_scheduler.py). Its threads run ``VISION_NICE`` lower than the process, and so do the threads
  MediaPipe starts for a landmarker made there (Linux threads inherit their creator's nice value): on a loaded
  core a Whisper final or a turn score is not queued behind, nor shares the CPU evenly with, the frames of every
  interview on the node. (Whisper's own compute threads are CTranslate2's, made at load at normal priority.) A
  frame's cost is timed on the wall clock, so on a busy core a lower priority also reads as a dearer frame and the
  scheduler lowers the rates a little more.
"""

from __future__ import annotations

import os
from typing import Callable, TypeVar

from analyzers.thread_pool import BoundedThreadPool

T = TypeVar("T")

DEFAULT_THREADS = max(1, os.cpu_count() or 1)
"""One inference thread per core (the ``inference_threads`` and ``vision_threads`` settings' default)."""
VISION_NICE = 5
"""How much lower the vision threads run (the ``vision_nice`` setting's default): at 5 a busy vision thread gets
about a third of the CPU time of a busy speech thread beside it, and all of what speech leaves idle. Measured with
8 sessions on 2 cores (README, Benchmarks): at 0 the next question's p95 wait stayed 8-12 s, at 10 the frames'
analysis lag p95 went over 0.8 s; 5 kept both lower."""

_pool = BoundedThreadPool("inference", DEFAULT_THREADS)
_vision = BoundedThreadPool("vision", DEFAULT_THREADS, nice=VISION_NICE)


def configure(threads: int, vision_threads: int | None = None, vision_nice: int | None = None) -> None:
    """Set the pools' sizes (and the vision threads' nice); takes effect when their threads start."""
    _pool.configure(threads)
    _vision.configure(vision_threads or threads, vision_nice)


async def run_inference(fn: Callable[..., T], *args, **kwargs) -> T:
    """Run a blocking model call on the inference pool and await its result."""
    return await _pool.run(fn, *args, **kwargs)


async def run_vision(fn: Callable[..., T], *args, **kwargs) -> T:
    """Run a frame analyzer's call (making, analysing, closing) on the lower-priority vision pool."""
    return await _vision.run(fn, *args, **kwargs)


def saturated() -> bool:
    """Every speech worker is busy or has work waiting: a decode that only saves time later (a speculative one at
    a pause) should not queue before one that is needed now."""
    return _pool.saturated()


def cores_busy() -> bool:
    """Either pool has every thread busy, so no core is idle: optional work (partial transcripts) should wait
    rather than take the CPU from the next question or the frames."""
    return _pool.saturated() or _vision.saturated()


def shutdown() -> None:
    """End the pools' threads (at server stop); calls already on a thread finish, a later call starts new ones."""
    _pool.shutdown(wait=False)
    _vision.shutdown(wait=False)
