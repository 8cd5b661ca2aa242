"""Spoken test input for the speech tests: espeak-ng speech as 16 kHz mono int16, trimmed to the audible part."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.synthetic_media import espeak_pcm16k


def trim(pcm: np.ndarray, threshold: int = 300) -> np.ndarray:
    """Cut espeak's own leading/trailing silence so a test knows where speech really is."""
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > threshold)
    return pcm[loud[0] : loud[-1] + 1]


def synth(text: str, tmp_path: Path | None = None, voice: str = "en") -> np.ndarray:
    """espeak-ng speech at 16 kHz, trimmed (``tmp_path`` is accepted for the callers' convenience)."""
    return trim(espeak_pcm16k(text, voice))


def silence(ms: int) -> np.ndarray:
    return np.zeros(16 * ms, np.int16)
