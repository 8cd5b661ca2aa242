"""The speech-recognition interface every engine implements.

A ``SpeechModel`` is loaded once per process and shared; each interview opens its own ``RecognizerStream``.
Stream methods block (they run the model) and are called from the inference pool, one call at a time per stream.
Audio is always 16 kHz mono signed 16-bit PCM, as numpy int16 arrays.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class Word:
    text: str
    start_ms: int
    end_ms: int
    confidence: float | None = None


@dataclass(frozen=True)
class Transcript:
    """A partial (still changing) or final recognition of one utterance; times on the stream's media clock."""

    text: str
    is_final: bool
    start_ms: int
    end_ms: int
    words: tuple[Word, ...] = field(default=())
    engine: str = ""


class RecognizerStream(ABC):
    partials_allowed: bool = True
    """Set False by the caller while the machine is saturated: engines whose partials cost a decode skip them."""

    @abstractmethod
    def start_utterance(self, start_ms: int) -> None:
        """Speech began at ``start_ms`` (media clock); following audio belongs to this utterance."""

    @abstractmethod
    def accept(self, pcm: np.ndarray) -> Transcript | None:
        """Take more audio of the open utterance; may return a fresh partial transcript."""

    @abstractmethod
    def finish_utterance(self) -> Transcript | None:
        """Speech ended: return the final transcript of the utterance (None if nothing was recognised)."""

    def speculate(self, mark: int) -> None:  # noqa: B027 - optional hook
        """Speech paused (``mark`` names the pause): decode the utterance so far as if it had ended, and keep the
        result for ``finish_speculated(mark)``. Engines whose finals are cheap do nothing."""

    def finish_speculated(self, mark: int) -> Transcript | None:
        """The utterance ended with no speech since the pause ``mark``: the speculative decode is its final (no
        second decode). Falls back to ``finish_utterance`` when there is none for this mark."""
        return self.finish_utterance()

    def commit_speculation(self, mark: int) -> Transcript | None:
        """Speech went on after the pause ``mark``: its speculative decode becomes a final of its own and the
        stream carries on with the audio after that point as a new segment (later decodes no longer re-read it).
        None when there is no speculation for this mark (the utterance then stays one segment)."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release per-stream resources."""


class SpeechModel(ABC):
    model_id: str
    language: str

    @abstractmethod
    def open_stream(self, language: str | None) -> RecognizerStream:
        """A new recognizer for one interview, sharing this loaded model. ``language``: the interview's language
        code, or None for the model's own default; a model that cannot recognise it raises ``ValueError``."""
