"""Browser audio (Opus, s16 stereo 48 kHz) to 16 kHz mono 20 ms frames, the unit every analyzer consumes."""

from __future__ import annotations

from dataclasses import dataclass

import av
import numpy as np

SAMPLE_RATE = 16000
FRAME_MS = 20
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000  # 320


@dataclass(frozen=True)
class AudioChunk:
    """20 ms of 16 kHz mono int16 audio; ``t_ms`` is its start on the connection's media clock."""

    pcm: np.ndarray
    t_ms: int


class AudioFrameConverter:
    def __init__(self) -> None:
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        self._pending = np.zeros(0, dtype=np.int16)
        self._emitted_samples = 0

    def convert(self, frame: av.AudioFrame) -> list[AudioChunk]:
        parts = [f.to_ndarray().reshape(-1) for f in self._resampler.resample(frame)]
        if parts:
            self._pending = np.concatenate([self._pending, *parts]) if self._pending.size else np.concatenate(parts)
        chunks: list[AudioChunk] = []
        while self._pending.size >= FRAME_SAMPLES:
            pcm = self._pending[:FRAME_SAMPLES].copy()
            self._pending = self._pending[FRAME_SAMPLES:]
            chunks.append(AudioChunk(pcm, self._emitted_samples * 1000 // SAMPLE_RATE))
            self._emitted_samples += FRAME_SAMPLES
        return chunks
