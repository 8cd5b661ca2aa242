"""aiortc media tracks for a synthetic candidate, paced in real time like a microphone and a camera: a WAV file
(:class:`WavAudioTrack`, which records when the end of each spoken part left the track), a Y4M file and a synthetic
face (:class:`SyntheticFaceTrack`).

Timing model of the audio track: like a microphone, a 20 ms frame is handed to the encoder once its last sample
has been "captured", i.e. frame ``n`` (samples ``[n*960, (n+1)*960)``) is returned at ``t0 + (n+1) * 20 ms``.
The recorded end time of a speech part is the wall time the frame holding its last sample was returned.
"""

from __future__ import annotations

import asyncio
import fractions
import functools
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import av
import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from benchmarks.synthetic_media import SpeechTimeline, face_frame_source, read_wav_mono, read_y4m_info, rgb_to_yuv420p
from benchmarks.synthetic_media import _resample_mono_s16  # same resampler as the WAV writer

log = logging.getLogger(__name__)

__all__ = [
    "AUDIO_RATE",
    "AUDIO_PTIME",
    "AUDIO_SAMPLES",
    "VIDEO_CLOCK_RATE",
    "PacedVideoTrack",
    "SpeechEndSent",
    "SyntheticFaceTrack",
    "WavAudioTrack",
    "Y4mVideoTrack",
]

AUDIO_RATE = 48000
AUDIO_PTIME = 0.020
AUDIO_SAMPLES = int(AUDIO_RATE * AUDIO_PTIME)  # 960
VIDEO_CLOCK_RATE = 90000


@dataclass(frozen=True)
class SpeechEndSent:
    """The end of one spoken part left the audio track at ``sent_at`` (wall time)."""

    part_index: int
    text: str
    loop: int  # 0 for the first pass through the WAV, 1 for the second (loop_audio), ...
    media_s: float  # end of speech in the audio stream's own time (seconds since the first frame)
    sent_at: float



class _Pacer:
    """Wall-clock pacing shared by the tracks: frame ``n`` is due at ``start + (n + 1) * period``."""

    def __init__(self) -> None:
        self.start: float | None = None

    async def wait_due(self, due_offset_s: float) -> float:
        now = time.time()
        if self.start is None:
            self.start = now
        delay = self.start + due_offset_s - now
        if delay > 0:
            await asyncio.sleep(delay)
        return time.time()


class WavAudioTrack(MediaStreamTrack):
    """Streams a 16-bit PCM WAV as 20 ms s16 frames at 48 kHz, paced by the wall clock.

    * Before the WAV: ``start_delay`` seconds of silence, and silence for as long as the track is held
      (``hold=True`` until :meth:`release`).
    * After the WAV: silence, or the WAV again when ``loop=True``.
    * ``channels``: 1 (mono) or 2 (the same signal on both channels, like a browser's stereo Opus).
    * ``timeline``: the speech parts inside the WAV; the wall time each part's end is sent is recorded in
      :attr:`speech_ends`, and ``on_speech_end`` (if given) is called with each :class:`SpeechEndSent`.
    """

    kind = "audio"

    def __init__(
        self,
        wav_path: str | Path,
        timeline: SpeechTimeline | None = None,
        loop: bool = False,
        start_delay: float = 0.0,
        channels: int = 1,
        hold: bool = False,
        on_speech_end: Callable[[SpeechEndSent], None] | None = None,
    ) -> None:
        super().__init__()
        if channels not in (1, 2):
            raise ValueError("channels must be 1 or 2")
        samples, rate = read_wav_mono(wav_path)
        self._pcm = _resample_mono_s16(samples, rate, AUDIO_RATE)
        self.timeline = timeline
        self.loop = loop
        self.channels = channels
        self.start_delay_samples = int(round(start_delay * AUDIO_RATE))
        self._on_speech_end = on_speech_end
        self._pacer = _Pacer()
        self._n = 0  # frames sent
        self._wav_origin: int | None = None if hold else self.start_delay_samples  # stream sample where WAV starts
        self._speech_end_samples = (
            [(p.index, p.text, int(round(p.end_s * AUDIO_RATE))) for p in timeline.parts] if timeline else []
        )
        self._next_end = 0  # index into _speech_end_samples for the current loop
        self._loop_index = 0
        self.speech_ends: list[SpeechEndSent] = []

    # -- control

    @property
    def started_at(self) -> float | None:
        """Wall time of the stream's sample 0 (the first frame's due time minus one frame)."""
        return self._pacer.start

    @property
    def wav_started_at(self) -> float | None:
        """Wall time of the WAV's first sample in the stream, once known."""
        if self._pacer.start is None or self._wav_origin is None:
            return None
        return self._pacer.start + self._wav_origin / AUDIO_RATE

    @property
    def released(self) -> bool:
        return self._wav_origin is not None

    def release(self, delay: float = 0.0) -> None:
        """Start the WAV ``delay`` seconds from now (for a track created with ``hold=True``)."""
        if self._wav_origin is not None:
            return
        sent = self._n * AUDIO_SAMPLES
        self._wav_origin = sent + int(round(max(0.0, delay) * AUDIO_RATE))

    # -- MediaStreamTrack

    def _wav_samples(self, stream_pos: int, count: int) -> np.ndarray:
        out = np.zeros(count, dtype=np.int16)
        if self._wav_origin is None or self._pcm.size == 0:
            return out
        rel = stream_pos - self._wav_origin
        filled = 0
        while filled < count:
            pos = rel + filled
            if pos < 0:
                filled = min(count, -rel)
                continue
            if self.loop:
                pos %= self._pcm.size
            elif pos >= self._pcm.size:
                break
            take = min(count - filled, self._pcm.size - pos)
            out[filled : filled + take] = self._pcm[pos : pos + take]
            filled += take
        return out

    def _record_speech_ends(self, first: int, last: int, sent_at: float) -> None:
        """Speech ends whose last sample (end - 1, in WAV samples) lies in stream samples [first, last)."""
        if not self._speech_end_samples or self._wav_origin is None:
            return
        n = self._pcm.size
        while True:
            if self._next_end >= len(self._speech_end_samples):
                if not self.loop:
                    return
                self._next_end = 0
                self._loop_index += 1
            index, text, end = self._speech_end_samples[self._next_end]
            last_sample = self._wav_origin + self._loop_index * n + end - 1
            if last_sample >= last:
                return
            if last_sample >= first:
                rec = SpeechEndSent(index, text, self._loop_index, (last_sample + 1) / AUDIO_RATE, sent_at)
                self.speech_ends.append(rec)
                if self._on_speech_end is not None:
                    try:
                        self._on_speech_end(rec)
                    except Exception:  # a caller's callback must not stop the media
                        log.exception("on_speech_end callback failed")
            self._next_end += 1

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        n = self._n
        sent_at = await self._pacer.wait_due((n + 1) * AUDIO_PTIME)
        if self.readyState != "live":
            raise MediaStreamError
        first = n * AUDIO_SAMPLES
        mono = self._wav_samples(first, AUDIO_SAMPLES)
        if self.channels == 2:
            data = np.repeat(mono, 2).reshape(1, -1)  # packed s16: L R L R ...
            layout = "stereo"
        else:
            data = mono.reshape(1, -1)
            layout = "mono"
        frame = av.AudioFrame.from_ndarray(data, format="s16", layout=layout)
        frame.sample_rate = AUDIO_RATE
        frame.pts = first
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._n = n + 1
        self._record_speech_ends(first, first + AUDIO_SAMPLES, sent_at)
        return frame


@functools.lru_cache(maxsize=4)
def _load_y4m_frames(path: str, mtime_ns: int, size: int) -> tuple[tuple[int, int], float, tuple[bytes, ...]]:
    """All frames of a 4:2:0 Y4M as raw I420 bytes (shared by every track streaming the same file)."""
    info = read_y4m_info(path)
    frames: list[bytes] = []
    with open(path, "rb") as f:
        f.seek(info.header_len)
        while True:
            line = f.readline()
            if not line:
                break
            if not line.startswith(b"FRAME"):
                raise ValueError(f"{path}: bad frame marker {line[:20]!r}")
            data = f.read(info.frame_bytes)
            if len(data) < info.frame_bytes:
                break
            frames.append(data)
    if not frames:
        raise ValueError(f"{path}: no frames")
    return (info.width, info.height), float(info.fps), tuple(frames)


def _i420_frame(raw: bytes, width: int, height: int) -> av.VideoFrame:
    arr = np.frombuffer(raw, dtype=np.uint8).reshape(height * 3 // 2, width)
    return av.VideoFrame.from_ndarray(arr, format="yuv420p")


class PacedVideoTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self, fps: float) -> None:
        super().__init__()
        self.fps = fps
        self._pacer = _Pacer()
        self._n = 0

    def _frame(self, n: int) -> av.VideoFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        n = self._n
        # A camera delivers frame n when it has been exposed: at start + n / fps (frame 0 immediately).
        await self._pacer.wait_due(n / self.fps)
        if self.readyState != "live":
            raise MediaStreamError
        frame = self._frame(n)
        frame.pts = int(round(n * VIDEO_CLOCK_RATE / self.fps))
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK_RATE)
        self._n = n + 1
        return frame


class Y4mVideoTrack(PacedVideoTrack):
    """Streams a 4:2:0 Y4M file at its own frame rate (or ``fps``), looping like Chromium's fake camera."""

    def __init__(self, path: str | Path, fps: float | None = None) -> None:
        st = Path(path).stat()
        (self.width, self.height), file_fps, self._frames = _load_y4m_frames(str(path), st.st_mtime_ns, st.st_size)
        super().__init__(fps or file_fps)

    def _frame(self, n: int) -> av.VideoFrame:
        return _i420_frame(self._frames[n % len(self._frames)], self.width, self.height)


class SyntheticFaceTrack(PacedVideoTrack):
    """Streams :func:`~benchmarks.synthetic_media.face_frame_source` frames without any file."""

    def __init__(self, fps: float = 15, size: tuple[int, int] = (640, 480), faces: int = 1, black: bool = False):
        super().__init__(fps)
        self._source = face_frame_source(size, faces, black)

    def _frame(self, n: int) -> av.VideoFrame:
        return rgb_to_yuv420p(self._source(n / self.fps))
