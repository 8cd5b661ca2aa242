"""The synthetic webcam video as the vision analyzers' tests sample it, and what one frame costs them.

Shared by the face, pose and hands tests: each samples the same 15 fps video at its analyzer's own rate and prints
(never asserts) the cost of ``analyze()`` against the landmarker's own detect call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from analyzers.observation import Observation
from analyzers.vision_models import VideoClock, mp_image_from_rgb
from benchmarks.synthetic_media import iter_face_frames

VIDEO_FPS = 15


@dataclass(frozen=True)
class CallCost:
    """Median milliseconds per frame after the warm-up frames: the landmarker's detect call, and all of analyze()."""

    name: str
    raw_ms: float
    analyze_ms: float
    frames: int

    def line(self) -> str:
        return (f"{self.name} 640x480: raw {self.raw_ms:.2f} ms, analyze {self.analyze_ms:.2f} ms, "
                f"overhead {self.analyze_ms / self.raw_ms - 1:+.1%}")


@dataclass(frozen=True)
class SampledWebcam:
    """The synthetic webcam video (skimage's astronaut) as an analyzer samples it: every ``every``-th frame, the
    samples stamped ``step_ms`` apart."""

    every: int
    step_ms: int

    def frames(self, seconds: float, **kw: Any) -> list[np.ndarray]:
        return list(iter_face_frames(seconds, fps=VIDEO_FPS, **kw))[:: self.every]

    def run(self, analyzer: Any, frames: list[np.ndarray], t0_ms: int = 0) -> list[Observation]:
        return [analyzer.analyze(f, t0_ms + i * self.step_ms) for i, f in enumerate(frames)]

    def call_cost(self, analyzer: Any, raw_owner: Any, frames: list[np.ndarray], warm_up: int) -> CallCost:
        """Times ``analyzer.analyze`` and, on a second analyzer of the same kind, only its landmarker's call."""
        clock = VideoClock()
        raw_ms, an_ms = [], []
        for i, f in enumerate(frames):
            image = mp_image_from_rgb(f)
            t = time.perf_counter()
            raw_owner._landmarker.detect_for_video(image, clock(i * self.step_ms))
            raw_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            analyzer.analyze(f, i * self.step_ms)
            an_ms.append((time.perf_counter() - t) * 1000)
        return CallCost(analyzer.name, float(np.median(raw_ms[warm_up:])), float(np.median(an_ms[warm_up:])),
                        len(an_ms))
