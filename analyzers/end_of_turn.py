"""Acoustic end-of-turn model: Smart Turn v3.2 (BSD-2, multilingual incl. Chinese) on the last <= 8 s of speech.

The model is the 8.7 MB ONNX file the ``pipecat-ai`` wheel ships at
``pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx`` (install the wheel with ``--no-deps``: no Pipecat
runtime is imported, the file is located with ``importlib.util.find_spec``; ``$INTERVIEW_SMART_TURN_ONNX`` overrides
the path). Its input is Whisper's log-mel spectrogram (80 bands, 25 ms window, 10 ms hop) of exactly 8 s of 16 kHz
audio, the speech right-aligned and zero-padded in front, the waveform normalised to zero mean and unit variance
first, as the model was trained; the features come from faster-whisper's extractor (the same Whisper front end the
speech recogniser uses). Its output is the probability that the speaker has finished their turn.

``probability`` is blocking (~20-40 ms on one core): call it on the inference pool
(``analyzers.inference_pool.run_inference``), never on the event loop.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path

import numpy as np

SMART_TURN_PACKAGE = "pipecat"  # import name of the PyPI distribution ``pipecat-ai``
SMART_TURN_SUBPATH = "audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx"
SMART_TURN_ENV = "INTERVIEW_SMART_TURN_ONNX"
SAMPLE_RATE = 16000
WINDOW_S = 8


class EndOfTurnModelNotAvailable(RuntimeError):
    """The model file or its runtime is missing; the message says what to install."""


def find_smart_turn_model() -> Path:
    """``$INTERVIEW_SMART_TURN_ONNX`` or the file inside the installed ``pipecat-ai`` package."""
    override = os.environ.get(SMART_TURN_ENV)
    if override:
        p = Path(override)
        if not p.is_file():
            raise EndOfTurnModelNotAvailable(f"{SMART_TURN_ENV}={override} does not exist")
        return p
    spec = importlib.util.find_spec(SMART_TURN_PACKAGE)
    for loc in list(spec.submodule_search_locations or []) if spec else []:
        p = Path(loc) / SMART_TURN_SUBPATH
        if p.is_file():
            return p
    raise EndOfTurnModelNotAvailable(
        f"Smart Turn model not found: pip install --no-deps pipecat-ai (or set {SMART_TURN_ENV} to the .onnx path)")


def log_mel_window(pcm: np.ndarray) -> np.ndarray:
    """(80, 800) float32 Whisper log-mel features of the last 8 s of 16 kHz ``pcm`` (int16 or float in [-1, 1]),
    zero-padded in front when shorter."""
    from faster_whisper.feature_extractor import FeatureExtractor

    x = pcm.astype(np.float32)
    if pcm.dtype == np.int16:
        x /= 32768.0
    n = WINDOW_S * SAMPLE_RATE
    x = x[-n:]
    if x.size < n:
        x = np.concatenate([np.zeros(n - x.size, np.float32), x])
    x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    return np.asarray(_extractor(FeatureExtractor)(x, padding=0), dtype=np.float32)[:, : n // 160]


_FEATURES = None


def _extractor(cls):
    global _FEATURES
    if _FEATURES is None:
        _FEATURES = cls(feature_size=80, sampling_rate=SAMPLE_RATE, hop_length=160, chunk_length=WINDOW_S, n_fft=400)
    return _FEATURES


class SmartTurnModel:
    """One ONNX session per process (thread-safe ``run``); ``probability`` per call."""

    model_id = "smart-turn-v3.2"

    def __init__(self, model_path: str | Path | None = None, *, threads: int = 1) -> None:
        try:
            import onnxruntime as ort
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise EndOfTurnModelNotAvailable("pip install onnxruntime") from e
        self.path = Path(model_path) if model_path else find_smart_turn_model()
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.log_severity_level = 3
        self._session = ort.InferenceSession(str(self.path), so, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name

    def probability(self, pcm: np.ndarray) -> float:
        """P(the speaker has finished) given the audio up to now (its last 8 s are read). Blocking."""
        features = log_mel_window(pcm)[None]
        out = self._session.run(None, {self._input: features})[0]
        return float(np.asarray(out).reshape(-1)[0])


_shared: SmartTurnModel | None = None
_shared_lock = threading.Lock()


def shared_smart_turn() -> SmartTurnModel:
    """The process-wide model, loaded on first use (blocking: call from a worker thread)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SmartTurnModel()
        return _shared
