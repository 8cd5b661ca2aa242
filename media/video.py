"""Video sampling with latest-frame-wins backpressure.

The receiver task drains the track as fast as frames arrive (aiortc's own queue is unbounded, so a slow reader
would build up delay) and keeps only the newest frame. Consumers take samples at their own rate; a frame
replaced before anyone took it counts as dropped. Nothing is ever queued behind the analysis.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import av


@dataclass(frozen=True)
class VideoSample:
    frame: av.VideoFrame
    received_at: float  # monotonic seconds
    index: int


class LatestFrameSlot:
    def __init__(self) -> None:
        self._latest: VideoSample | None = None
        self.received = 0
        self.sampled = 0
        self.dropped = 0
        self.width: int | None = None
        self.height: int | None = None
        self._fps_window: list[float] = []
        self._waiters: list[asyncio.Future] = []

    def put(self, frame: av.VideoFrame) -> None:
        now = time.monotonic()
        if self._latest is not None:
            self.dropped += 1
        self.received += 1
        self.width, self.height = frame.width, frame.height
        self._latest = VideoSample(frame, now, self.received)
        self._fps_window.append(now)
        if len(self._fps_window) > 60:
            del self._fps_window[:-60]
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def peek(self) -> VideoSample | None:
        """The newest frame, without taking it (several analyzers sample the same stream at their own rates)."""
        return self._latest

    async def newer_than(self, index: int, timeout: float) -> VideoSample | None:
        """The newest frame once one newer than ``index`` has arrived, or None after ``timeout`` seconds. A camera
        sending at an analyzer's own rate then gives it every frame, however the two clocks drift (call on the event
        loop, where ``put`` is called)."""
        latest = self._latest
        if latest is not None and latest.index > index:
            return latest
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except asyncio.TimeoutError:
            return None
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
        latest = self._latest
        return latest if latest is not None and latest.index > index else None

    def take(self) -> VideoSample | None:
        """The newest frame not yet taken, or None."""
        sample, self._latest = self._latest, None
        if sample is not None:
            self.sampled += 1
        return sample


    @property
    def fps(self) -> float:
        w = self._fps_window
        if len(w) < 2 or w[-1] - w[0] <= 0:
            return 0.0
        return (len(w) - 1) / (w[-1] - w[0])
