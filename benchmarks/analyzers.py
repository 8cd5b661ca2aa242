"""Analyzer benchmark: per analyzer, ms per frame through ``analyze()`` beside the raw model call; prints ONE JSON
object.

    python -m benchmarks.analyzers [--analyzers face,pose,hands] [--frames 100] [--size 640x480]

For each frame analyzer two instances run on the same synthetic webcam frames (the astronaut,
:mod:`benchmarks.synthetic_media`, sampled at the analyzer's ``default_fps``), interleaved frame by frame so both
see the same machine load:

* ``raw_ms``: ``landmarker.detect_for_video(image, ts)`` alone, the ``mediapipe.Image`` built beforehand;
* ``analyze_ms``: ``analyzer.analyze(rgb, t_ms)``: image conversion + model call + per-session bookkeeping;
* ``overhead_ratio`` = median analyze / median raw - 1 (the brief's target: <= 0.15 for face);
* ``cpu_ms_per_frame``: process CPU time per analyze() (model threads included) - divide the frame rate into
  1000 ms to get cores per stream;
* ``rss_mb_after_load``: process RSS once the analyzer is created and has analysed one frame (cumulative over
  analyzers run before it in the same process; ``rss_mb_delta`` is its own share, model bytes included;
  ``rss_mb_per_extra_instance`` is what one more interview's landmarker adds, the model bytes being cached).

Extension point: :data:`BENCHMARKS` maps an analyzer name to a function ``(BenchContext) -> dict``. Voice and
content analyzers add theirs with ``@register("voice")`` in this module (or by importing it and registering), and
the result is one more key under ``"analyzers"`` in the printed JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.synthetic_media import iter_face_frames  # noqa: E402

__all__ = ["BENCHMARKS", "BenchContext", "bench_frame_analyzer", "main", "register", "rss_mb"]


@dataclass(frozen=True)
class BenchContext:
    frames: int = 100  # measured frames per analyzer (after warm-up)
    warmup: int = 10
    size: tuple[int, int] = (640, 480)


BenchFn = Callable[[BenchContext], dict[str, Any]]

#: analyzer name -> benchmark function. Add voice/content analyzers here (``@register("voice")``).
BENCHMARKS: dict[str, BenchFn] = {}


def register(name: str) -> Callable[[BenchFn], BenchFn]:
    def deco(fn: BenchFn) -> BenchFn:
        BENCHMARKS[name] = fn
        return fn

    return deco


def rss_mb() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


def _webcam_frames(ctx: BenchContext, fps: float, n: int) -> Iterator[np.ndarray]:
    """``n`` contiguous RGB frames of the synthetic face video sampled at ``fps`` (as the media layer delivers),
    made one at a time so they stay out of the RSS figures."""
    video_fps = 15
    step = max(1, round(video_fps / fps))
    src = iter_face_frames(seconds=n * step / video_fps, fps=video_fps, size=ctx.size)
    for i, f in enumerate(src):
        if i % step == 0 and i // step < n:
            yield np.ascontiguousarray(f)


def _stats(ms: list[float]) -> dict[str, float]:
    s = sorted(ms)
    return {
        "median": round(statistics.median(s), 3),
        "mean": round(statistics.fmean(s), 3),
        "p90": round(s[min(len(s) - 1, int(0.9 * len(s)))], 3),
    }


def bench_frame_analyzer(factory: Callable[[], Any], ctx: BenchContext) -> dict[str, Any]:
    """Benchmark a :class:`~analyzers.observation.FrameAnalyzer` whose ``_landmarker`` is a MediaPipe landmarker."""
    from analyzers.vision_models import VideoClock, mp_image_from_rgb

    fps = float(factory.default_fps)
    frames = _webcam_frames(ctx, fps, ctx.warmup + ctx.frames)
    first = next(frames)
    first_image = mp_image_from_rgb(first)  # imports mediapipe before the RSS baseline
    clock = VideoClock()
    frame_ms = 1000.0 / fps

    gc.collect()
    rss_before = rss_mb()
    t0 = time.perf_counter()
    analyzer = factory()
    create_ms = (time.perf_counter() - t0) * 1000.0
    t0 = time.perf_counter()
    analyzer.analyze(first, 0)  # the first call allocates the inference buffers
    first_ms = (time.perf_counter() - t0) * 1000.0
    rss_loaded = rss_mb()
    raw_owner = factory()  # a second landmarker, so the raw calls keep their own tracking state
    landmarker = raw_owner._landmarker
    landmarker.detect_for_video(first_image, clock(0))
    rss_second = rss_mb()

    raw_ms: list[float] = []
    an_ms: list[float] = []
    an_cpu_ms: list[float] = []
    img_ms: list[float] = []
    try:
        for i, rgb in enumerate(frames, start=1):  # both instances have seen frame 0 already
            image = mp_image_from_rgb(rgb)
            t_ms = int(round(i * frame_ms))
            order = (0, 1) if i % 2 == 0 else (1, 0)
            for which in order:
                if which == 0:
                    ts = clock(t_ms)
                    t = time.perf_counter()
                    landmarker.detect_for_video(image, ts)
                    dt = (time.perf_counter() - t) * 1000.0
                    if i >= ctx.warmup:
                        raw_ms.append(dt)
                else:
                    c = time.process_time()
                    t = time.perf_counter()
                    analyzer.analyze(rgb, t_ms)
                    dt = (time.perf_counter() - t) * 1000.0
                    dc = (time.process_time() - c) * 1000.0
                    if i >= ctx.warmup:
                        an_ms.append(dt)
                        an_cpu_ms.append(dc)
            if i >= ctx.warmup:
                t = time.perf_counter()
                mp_image_from_rgb(rgb)
                img_ms.append((time.perf_counter() - t) * 1000.0)
        raw, an = _stats(raw_ms), _stats(an_ms)
        summary = analyzer.summary() if hasattr(analyzer, "summary") else None
        return {
            "frames": len(an_ms),
            "sample_fps": fps,
            "analyze_ms": an,
            "raw_ms": raw,
            "overhead_ratio": round(an["median"] / raw["median"] - 1.0, 3),
            "overhead_ratio_mean": round(an["mean"] / raw["mean"] - 1.0, 3),
            "image_conversion_ms": round(statistics.median(img_ms), 3),
            "cpu_ms_per_frame": round(statistics.fmean(an_cpu_ms), 3),
            "cores_per_stream_at_default_fps": round(statistics.fmean(an_cpu_ms) * fps / 1000.0, 4),
            "create_ms": round(create_ms, 1),
            "first_frame_ms": round(first_ms, 1),
            "rss_mb_before": rss_before,
            "rss_mb_after_load": rss_loaded,
            "rss_mb_delta": round(rss_loaded - rss_before, 1),
            "rss_mb_per_extra_instance": round(rss_second - rss_loaded, 1),
            "summary": {k: v for k, v in (summary or {}).items() if k != "config"},
        }
    finally:
        analyzer.close()
        raw_owner.close()


@register("face")
def bench_face(ctx: BenchContext) -> dict[str, Any]:
    from analyzers.face import FaceAnalyzer

    return bench_frame_analyzer(FaceAnalyzer, ctx)


@register("pose")
def bench_pose(ctx: BenchContext) -> dict[str, Any]:
    from analyzers.body import PoseAnalyzer

    return bench_frame_analyzer(PoseAnalyzer, ctx)


@register("hands")
def bench_hands(ctx: BenchContext) -> dict[str, Any]:
    from analyzers.body import HandsAnalyzer

    out = bench_frame_analyzer(HandsAnalyzer, ctx)
    out["note"] = "no hands in the synthetic video: palm detection runs on every frame (the costly case)"
    return out


@register("voice_content")
def bench_voice_content(ctx: BenchContext) -> dict[str, Any]:
    """Voice ms per second of audio, content ms per answer, embedder ms per sentence (benchmarks/text_voice_bench)."""
    from benchmarks.text_voice_bench import measure

    return measure(repeat=10)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--analyzers", default=",".join(BENCHMARKS), help=f"comma list of {sorted(BENCHMARKS)}")
    ap.add_argument("--frames", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--size", default="640x480")
    args = ap.parse_args(argv)
    w, h = (int(v) for v in args.size.lower().split("x"))
    ctx = BenchContext(frames=args.frames, warmup=args.warmup, size=(w, h))
    names = [n.strip() for n in args.analyzers.split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        ap.error(f"unknown analyzers {unknown}; known: {sorted(BENCHMARKS)}")
    out: dict[str, Any] = {
        "benchmark": "analyzers",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "size": f"{w}x{h}",
        "rss_mb_start": rss_mb(),
        "analyzers": {},
    }
    try:
        import mediapipe  # noqa: F401

        out["rss_mb_after_mediapipe_import"] = rss_mb()
    except ImportError:
        pass
    for name in names:
        try:
            out["analyzers"][name] = BENCHMARKS[name](ctx)
        except Exception as exc:  # report and continue with the others
            out["analyzers"][name] = {"error": f"{type(exc).__name__}: {exc}"}
    out["rss_mb_end"] = rss_mb()
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
