"""What every analyzer emits: a timestamped observation of observable behaviour (never emotions or personality).

Analyzers are small and synchronous: ``analyze`` runs a model call on a worker thread (the session's scheduler
calls it through the inference pool) and returns an ``Observation``. State across frames (blink counting,
"no face for more than N seconds") lives in the analyzer instance, one per interview.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Flag:
    """A proctoring flag: evidence for a human, never an automatic decision."""

    kind: str  # e.g. "no_face", "second_face", "looking_away", "left_frame"
    since_ms: int
    detail: str = ""


@dataclass(frozen=True)
class Observation:
    analyzer: str  # "face" | "pose" | "hands" | "voice" | "content"
    t_ms: int  # media time of the input the observation is about
    values: dict[str, Any]
    flags: tuple[Flag, ...] = ()
    quotes: dict[str, str] = field(default_factory=dict)  # feature name -> the words that support it


class FrameAnalyzer(ABC):
    """Analyses sampled video frames (RGB uint8, H x W x 3) of one interview."""

    name: str
    default_fps: float

    @abstractmethod
    def analyze(self, rgb: np.ndarray, t_ms: int) -> Observation:
        """Blocking model call plus per-session bookkeeping; called one frame at a time, in time order."""

    def close(self) -> None:  # noqa: B027 - optional hook
        pass
