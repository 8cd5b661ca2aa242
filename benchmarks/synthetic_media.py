"""Synthetic test media: a real face on video (Y4M) and spoken English answers (16-bit PCM WAV).

Both formats are what Chromium's fake capture devices read (``--use-file-for-fake-video-capture=X.y4m``,
``--use-file-for-fake-audio-capture=X.wav``) and what :mod:`benchmarks.synthetic_candidate` streams over aiortc.

* Video: ``skimage.data.astronaut()`` (a real face, bundled with scikit-image), cropped around the face, scaled to
  the requested size, with a slow pan of a few pixels so consecutive frames differ like a webcam's.
* Speech: ``espeak-ng`` for spoken parts, exact digital silence for pauses; every spoken part is trimmed to its
  audible extent by an energy threshold, so the timeline's ``end_s`` is the true end of speech.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterator, Literal, Sequence

import av
import numpy as np

__all__ = [
    "DEFAULT_ANSWERS",
    "Y4M_COLORSPACE",
    "SpeechPart",
    "SpeechTimeline",
    "Y4mInfo",
    "default_answer_script",
    "face_frame_source",
    "iter_face_frames",
    "make_face_video",
    "make_speech_wav",
    "read_wav_mono",
    "read_y4m_info",
    "rgb_to_yuv420p",
    "speech_bounds",
]

Y4M_COLORSPACE = "420jpeg"

# Where the face is in skimage.data.astronaut() (512 x 512): centre and a generous half-size, in pixels.
_FACE_CX, _FACE_CY = 225, 120
# Crop width around the face (source pixels) for a single tile: the face is ~1/4 of the tile width.
_TILE_CROP_W = 400


# --------------------------------------------------------------------------------------------------------- video


def _resize_rgb(img: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize an RGB uint8 image with FFmpeg's scaler (fast, area-averaging when shrinking)."""
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
    return frame.reformat(width=width, height=height, format="rgb24", interpolation="AREA").to_ndarray()


def _face_tile(width: int, height: int) -> np.ndarray:
    """The astronaut cropped around her face to the aspect ``width/height`` and scaled to that size."""
    from skimage import data  # scikit-image is a test/benchmark dependency only

    src = data.astronaut()
    sh, sw = src.shape[:2]
    aspect = width / height
    cw = float(_TILE_CROP_W)
    ch = cw / aspect
    if ch > sh:
        ch = float(sh)
        cw = ch * aspect
    if cw > sw:
        cw = float(sw)
        ch = cw / aspect
    cw_i, ch_i = max(2, int(round(cw))), max(2, int(round(ch)))
    x0 = int(round(min(max(_FACE_CX - cw_i / 2, 0), sw - cw_i)))
    # Webcam framing: the face centre a little above the middle of the picture.
    y0 = int(round(min(max(_FACE_CY - 0.40 * ch_i, 0), sh - ch_i)))
    crop = src[y0 : y0 + ch_i, x0 : x0 + cw_i]
    return _resize_rgb(crop, width, height)


def _pan_margin(size: tuple[int, int]) -> int:
    return max(2, int(round(0.01 * max(size))))


def _base_canvas(size: tuple[int, int], faces: int, margin: int) -> np.ndarray:
    """The picture, ``margin`` pixels larger on every side than ``size``, from which frames are cropped."""
    width, height = size
    big_w, big_h = width + 2 * margin, height + 2 * margin
    if faces < 1:
        # No face: a neutral, slightly textured background (the top-right of the astronaut picture is wall).
        from skimage import data

        wall = data.astronaut()[0:120, 300:380]
        return _resize_rgb(wall, big_w, big_h)
    edges = [round(i * big_w / faces) for i in range(faces + 1)]
    tiles = [_face_tile(edges[i + 1] - edges[i], big_h) for i in range(faces)]
    return np.ascontiguousarray(np.hstack(tiles))


def face_frame_source(
    size: tuple[int, int] = (640, 480), faces: int = 1, black: bool = False
) -> Callable[[float], np.ndarray]:
    """A function ``t_seconds -> RGB frame`` (uint8, H x W x 3): the same picture panned by a few pixels."""
    width, height = size
    if width % 2 or height % 2:
        raise ValueError("width and height must be even (yuv420p)")
    if black:
        black_frame = np.zeros((height, width, 3), dtype=np.uint8)
        return lambda t: black_frame
    margin = _pan_margin(size)
    canvas = _base_canvas(size, faces, margin)

    def frame_at(t: float) -> np.ndarray:
        dx = int(round(margin * math.sin(2 * math.pi * t / 3.0)))
        dy = int(round(margin * 0.5 * math.sin(2 * math.pi * t / 2.0 + 0.7)))
        x0, y0 = margin + dx, margin + dy
        return canvas[y0 : y0 + height, x0 : x0 + width]

    return frame_at


def rgb_to_yuv420p(rgb: np.ndarray) -> av.VideoFrame:
    """RGB uint8 array -> yuv420p av.VideoFrame (BT.601 limited range, FFmpeg's conversion)."""
    return av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24").reformat(format="yuv420p")


def iter_face_frames(
    seconds: float | None = 4.0,
    fps: int = 15,
    size: tuple[int, int] = (640, 480),
    faces: int = 1,
    black: bool = False,
    kind: Literal["rgb", "av"] = "rgb",
) -> Iterator[np.ndarray | av.VideoFrame]:
    """Yield the frames of :func:`make_face_video` without writing a file.

    ``kind="rgb"`` yields H x W x 3 uint8 arrays; ``kind="av"`` yields yuv420p ``av.VideoFrame`` objects with
    ``pts`` counted in a 90 kHz clock (``time_base = 1/90000``), ready for an aiortc video track.
    ``seconds=None`` yields forever.
    """
    frame_at = face_frame_source(size, faces, black)
    n_frames = None if seconds is None else int(round(seconds * fps))
    i = 0
    while n_frames is None or i < n_frames:
        rgb = frame_at(i / fps)
        if kind == "av":
            frame = rgb_to_yuv420p(rgb)
            frame.pts = int(round(i * 90000 / fps))
            frame.time_base = Fraction(1, 90000)
            yield frame
        else:
            yield rgb
        i += 1


def make_face_video(
    path: str | Path,
    seconds: float = 4.0,
    fps: int = 15,
    size: tuple[int, int] = (640, 480),
    faces: int = 1,
    black: bool = False,
) -> Path:
    """Write a Y4M (yuv420p, ``C420jpeg``) video of the astronaut's face; ``faces=2`` puts two side by side.

    The header is ``YUV4MPEG2 W<w> H<h> F<fps>:1 Ip A1:1 C420jpeg``, which Chromium's file capture device and
    FFmpeg both read. Returns the path.
    """
    path = Path(path)
    width, height = size
    n_frames = int(round(seconds * fps))
    if n_frames < 1:
        raise ValueError("seconds * fps must give at least one frame")
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f"YUV4MPEG2 W{width} H{height} F{int(fps)}:1 Ip A1:1 C{Y4M_COLORSPACE}\n".encode("ascii")
    with path.open("wb") as out:
        out.write(header)
        for rgb in iter_face_frames(seconds, fps, size, faces, black, kind="rgb"):
            yuv = rgb_to_yuv420p(rgb)
            out.write(b"FRAME\n")
            for plane, (w, h) in zip(yuv.planes, ((width, height), (width // 2, height // 2), (width // 2, height // 2))):
                buf = np.frombuffer(plane, dtype=np.uint8).reshape(-1, plane.line_size)[:h, :w]
                out.write(buf.tobytes())
    return path


@dataclass(frozen=True)
class Y4mInfo:
    width: int
    height: int
    fps: Fraction
    colorspace: str
    header_len: int
    frame_count: int

    @property
    def frame_bytes(self) -> int:
        return self.width * self.height * 3 // 2


def read_y4m_info(path: str | Path) -> Y4mInfo:
    """Parse a Y4M header (420 only) and count its frames from the file size."""
    path = Path(path)
    with path.open("rb") as f:
        header = f.readline()
    if not header.startswith(b"YUV4MPEG2 "):
        raise ValueError(f"{path}: not a YUV4MPEG2 file")
    width = height = 0
    fps = Fraction(30, 1)
    colorspace = "420jpeg"
    for token in header.decode("ascii").split()[1:]:
        tag, value = token[0], token[1:]
        if tag == "W":
            width = int(value)
        elif tag == "H":
            height = int(value)
        elif tag == "F":
            num, den = value.split(":")
            fps = Fraction(int(num), int(den))
        elif tag == "C":
            colorspace = value
    if not colorspace.startswith("420"):
        raise ValueError(f"{path}: only 4:2:0 Y4M is supported, got C{colorspace}")
    frame_bytes = width * height * 3 // 2
    body = path.stat().st_size - len(header)
    # Every frame is "FRAME" + optional parameters + "\n" + data; ours (and Chromium's) carry no parameters.
    frame_count = body // (len(b"FRAME\n") + frame_bytes)
    return Y4mInfo(width, height, fps, colorspace, len(header), frame_count)


# --------------------------------------------------------------------------------------------------------- audio


@dataclass(frozen=True)
class SpeechPart:
    """One spoken part of a script: where its audible speech starts and ends in the WAV (seconds)."""

    index: int
    text: str
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass
class SpeechTimeline:
    path: Path
    rate: int
    duration_s: float
    parts: list[SpeechPart] = field(default_factory=list)

    @property
    def speech_ends_s(self) -> list[float]:
        return [p.end_s for p in self.parts]

    def part_ending_in(self, t0_s: float, t1_s: float) -> list[SpeechPart]:
        """Parts whose end of speech lies in [t0_s, t1_s)."""
        return [p for p in self.parts if t0_s <= p.end_s < t1_s]


def _resample_mono_s16(samples: np.ndarray, in_rate: int, out_rate: int) -> np.ndarray:
    """Resample int16 mono samples with FFmpeg's resampler (av)."""
    if in_rate == out_rate or samples.size == 0:
        return samples.astype(np.int16, copy=False)
    resampler = av.AudioResampler(format="s16", layout="mono", rate=out_rate)
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples.reshape(1, -1).astype(np.int16)),
                                       format="s16", layout="mono")
    frame.sample_rate = in_rate
    frame.pts = 0
    frame.time_base = Fraction(1, in_rate)
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out).astype(np.int16) if out else np.zeros(0, np.int16)


def read_wav_mono(path: str | Path) -> tuple[np.ndarray, int]:
    """Read a 16-bit PCM WAV as int16 mono samples (channels averaged) and its sample rate."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit PCM WAV is supported")
        channels, rate = w.getnchannels(), w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    if channels > 1:
        data = data.reshape(-1, channels).astype(np.int32).mean(axis=1).round().astype(np.int16)
    return data.astype(np.int16, copy=False), rate


def speech_bounds(
    samples: np.ndarray, rate: int, window_s: float = 0.010, threshold_db: float = 40.0, floor_dbfs: float = -55.0
) -> tuple[int, int] | None:
    """First and last sample (end exclusive) of the windows whose RMS is within ``threshold_db`` of the loudest
    window and above ``floor_dbfs``; None when nothing is audible."""
    win = max(1, int(round(window_s * rate)))
    n = samples.size // win
    if n == 0:
        return None
    x = samples[: n * win].astype(np.float64).reshape(n, win) / 32768.0
    rms = np.sqrt(np.mean(x * x, axis=1))
    peak = rms.max()
    if peak <= 0:
        return None
    threshold = max(peak * 10 ** (-threshold_db / 20), 10 ** (floor_dbfs / 20))
    loud = np.nonzero(rms >= threshold)[0]
    if loud.size == 0:
        return None
    return int(loud[0] * win), int(min(samples.size, (loud[-1] + 1) * win))


def _espeak(text: str, voice: str, speed: int, workdir: Path, index: int) -> tuple[np.ndarray, int]:
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe is None:
        raise RuntimeError("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
    out = workdir / f"part{index}.wav"
    subprocess.run([exe, "-v", voice, "-s", str(speed), "-w", str(out), text], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    return read_wav_mono(out)


def make_speech_wav(
    path: str | Path,
    script: Sequence[str | float],
    voice: str = "en",
    rate: int = 48000,
    speed: int = 150,
    edge_pad_s: float = 0.0,
) -> SpeechTimeline:
    """Speak ``script`` into a 16-bit PCM mono WAV at ``rate``: strings with espeak-ng, numbers as that many
    seconds of digital silence.

    Each spoken part is trimmed to its audible extent (10 ms windows within 40 dB of the part's loudest window),
    so consecutive strings follow each other directly and a float between them is exactly the pause. The
    returned timeline gives, per spoken part, the start/end second of audible speech inside the file.
    ``edge_pad_s`` keeps that much of espeak's own lead-in/tail around each part (silence-level audio).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    chunks: list[np.ndarray] = []
    parts: list[SpeechPart] = []
    pos = 0  # samples written so far
    with tempfile.TemporaryDirectory(prefix="speech-") as tmp:
        for i, item in enumerate(script):
            if isinstance(item, str):
                raw, raw_rate = _espeak(item, voice, speed, Path(tmp), i)
                pcm = _resample_mono_s16(raw, raw_rate, rate)
                bounds = speech_bounds(pcm, rate)
                if bounds is None:
                    continue
                pad = int(round(edge_pad_s * rate))
                s0, s1 = max(0, bounds[0] - pad), min(pcm.size, bounds[1] + pad)
                seg = pcm[s0:s1]
                start, end = pos + (bounds[0] - s0), pos + (bounds[1] - s0)
                parts.append(SpeechPart(len(parts), item, start / rate, end / rate))
                chunks.append(seg)
                pos += seg.size
            elif isinstance(item, (int, float)) and not isinstance(item, bool):
                if item < 0:
                    raise ValueError("silence must be >= 0 seconds")
                n = int(round(float(item) * rate))
                chunks.append(np.zeros(n, dtype=np.int16))
                pos += n
            else:
                raise TypeError(f"script items are str (speech) or float (seconds of silence), got {item!r}")
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    return SpeechTimeline(path=path, rate=rate, duration_s=samples.size / rate, parts=parts)


# A few interview-style English answers for load tests and examples.
DEFAULT_ANSWERS: tuple[str, ...] = (
    "In my last role I led a team of five engineers that rebuilt the billing system.",
    "We cut the monthly processing time from three days to four hours.",
    "The hardest part was convincing the finance team to change their old workflow.",
    "I ran weekly demos with them, and after a month they asked for the new system themselves.",
)


def default_answer_script(answers: Sequence[str] = DEFAULT_ANSWERS, pause_s: float = 4.5) -> list[str | float]:
    """``[pause, answer1, pause, answer2, ..., pause]``: answers separated (and followed) by ``pause_s``."""
    script: list[str | float] = [1.0]
    for a in answers:
        script += [a, pause_s]
    return script


def espeak_pcm16k(text: str, voice: str = "en") -> np.ndarray:
    """``text`` spoken by espeak-ng as 16 kHz mono int16 (espeak writes 22050 Hz; resampled with av, as the server
    resamples browser audio)."""
    with tempfile.TemporaryDirectory() as d:
        wav = Path(d) / "speech.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav), text], check=True, capture_output=True)
        with wave.open(str(wav)) as w:
            rate, pcm = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), np.int16)
    frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="s16", layout="mono", rate=16000)
    return np.concatenate([f.to_ndarray().reshape(-1) for f in [*resampler.resample(frame), *resampler.resample(None)]])
