"""Voice activity detection: turns 20 ms frames into utterance boundaries.

webrtcvad costs ~3 µs per frame, so the detector runs inline on the event loop. A frame's ``t_ms`` is the media
time of its first sample; boundaries are reported on the same clock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import webrtcvad

from analyzers.asr import SAMPLE_RATE

FRAME_MS = 20
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000  # 320


@dataclass(frozen=True)
class VadConfig:
    aggressiveness: int = 3
    start_frames: int = 3
    """Voiced frames needed among the last ``start_window`` frames to open an utterance."""
    start_window: int = 5
    end_silence_ms: int = 500
    """Unvoiced time after the last voiced frame that closes the utterance."""
    preroll_ms: int = 300
    """Audio before the detected start handed to the recognizer (onsets are often unvoiced)."""
    pause_probe_ms: int = 200
    """Unvoiced time after which a ``SpeechPause`` is reported (once per silence, before ``end_silence_ms``), so
    the recogniser can decode the utterance speculatively: if the silence goes on to end the utterance, that
    decode is its final, ready ~300 ms sooner. 0 turns pauses off."""

    def __post_init__(self) -> None:
        if not 0 <= self.aggressiveness <= 3:
            raise ValueError("aggressiveness must be 0..3")
        if not 1 <= self.start_frames <= self.start_window:
            raise ValueError("need 1 <= start_frames <= start_window")
        if self.end_silence_ms < FRAME_MS or self.preroll_ms < 0:
            raise ValueError("end_silence_ms must be >= 20 and preroll_ms >= 0")
        if self.pause_probe_ms < 0:
            raise ValueError("pause_probe_ms must be >= 0")


@dataclass(frozen=True)
class SpeechStart:
    t_ms: int
    """Start of the first voiced frame of the window that triggered the start."""
    audio: np.ndarray
    """Pre-roll: the buffered frames up to and including the triggering frame (int16)."""
    audio_start_ms: int
    """Media time of ``audio[0]``."""


@dataclass(frozen=True)
class SpeechEnd:
    t_ms: int
    """End of the last voiced frame."""


@dataclass(frozen=True)
class SpeechPause:
    """The utterance has been silent for ``pause_probe_ms`` and may be about to end (it may also go on)."""

    t_ms: int
    """End of the last voiced frame (the ``t_ms`` its ``SpeechEnd`` will have if no voice comes before it)."""


VadEvent = SpeechStart | SpeechPause | SpeechEnd


class VoiceActivityDetector:
    def __init__(self, config: VadConfig | None = None) -> None:
        self.config = config or VadConfig()
        self._vad = webrtcvad.Vad(self.config.aggressiveness)
        self._preroll_frames = -(-self.config.preroll_ms // FRAME_MS)
        self.reset()

    def reset(self) -> None:
        self._buffer: deque[tuple[int, np.ndarray]] = deque(maxlen=self._preroll_frames + self.config.start_window)
        self._window: deque[tuple[int, bool]] = deque(maxlen=self.config.start_window)
        self._voiced_in_window = 0
        self._in_speech = False
        self._last_voiced_end = 0
        self._paused_at: int | None = None  # the voiced end a SpeechPause was reported for
        self._last_frame_end = 0

    @property
    def in_speech(self) -> bool:
        return self._in_speech

    @property
    def hears_voice(self) -> bool:
        """Voice in the newest frames: an utterance is open, or the last ``start_window`` frames hold voiced ones
        that may open one (or stay too few, as noise). Whoever listens for the end of a turn should not decide now:
        the speaker may have started again before the start was reported."""
        return self._in_speech or self._voiced_in_window > 0

    @property
    def last_voiced_end(self) -> int:
        """End of the last voiced frame of the open (or last) utterance."""
        return self._last_voiced_end

    @property
    def trailing_silence_ms(self) -> int:
        """Unvoiced time since the last voiced frame of any utterance, as of the last frame pushed."""
        return max(0, self._last_frame_end - self._last_voiced_end)

    def is_speech(self, frame: np.ndarray) -> bool:
        return self._vad.is_speech(frame.tobytes(), SAMPLE_RATE)

    def push(self, frame: np.ndarray, t_ms: int) -> list[VadEvent]:
        """Classify one 20 ms frame (320 int16 samples) starting at ``t_ms``; return boundaries it completes."""
        if frame.dtype != np.int16 or frame.shape != (FRAME_SAMPLES,):
            raise ValueError(f"expected {FRAME_SAMPLES} int16 samples, got {frame.dtype} {frame.shape}")
        voiced = self._vad.is_speech(frame.tobytes(), SAMPLE_RATE)
        self._last_frame_end = t_ms + FRAME_MS
        if self._in_speech:
            if voiced:
                self._last_voiced_end = t_ms + FRAME_MS
                return []
            silent_ms = t_ms + FRAME_MS - self._last_voiced_end
            if silent_ms >= self.config.end_silence_ms:
                end = self._last_voiced_end
                self._in_speech = False
                self._paused_at = None
                self._buffer.clear()
                self._window.clear()
                self._voiced_in_window = 0
                return [SpeechEnd(end)]
            probe = self.config.pause_probe_ms
            if probe and silent_ms >= probe and self._paused_at != self._last_voiced_end:
                self._paused_at = self._last_voiced_end
                return [SpeechPause(self._last_voiced_end)]
            return []

        self._buffer.append((t_ms, frame))
        if len(self._window) == self._window.maxlen and self._window[0][1]:
            self._voiced_in_window -= 1
        self._window.append((t_ms, voiced))
        self._voiced_in_window += voiced
        if self._voiced_in_window < self.config.start_frames:
            return []
        voiced_times = [t for t, v in self._window if v]
        first_voiced = voiced_times[0]
        self._in_speech = True
        self._last_voiced_end = voiced_times[-1] + FRAME_MS
        frames = list(self._buffer)
        # the pre-roll before the first voiced frame, plus everything after it
        first_idx = next(i for i, (t, _) in enumerate(frames) if t == first_voiced)
        frames = frames[max(0, first_idx - self._preroll_frames):]
        audio = np.concatenate([f for _, f in frames])
        self._buffer.clear()
        return [SpeechStart(first_voiced, audio, frames[0][0])]

    def flush(self) -> list[VadEvent]:
        """Close an open utterance now (e.g. the candidate left)."""
        if not self._in_speech:
            return []
        end = self._last_voiced_end
        self.reset()
        return [SpeechEnd(end)]
