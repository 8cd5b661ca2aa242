"""Media conversion: browser audio to 16 kHz mono 20 ms frames; latest-frame-wins video sampling."""

from __future__ import annotations

import av
import numpy as np
import pytest

from media.audio import FRAME_SAMPLES, AudioFrameConverter
from media.video import LatestFrameSlot

pytestmark = pytest.mark.unit


def _browser_frame(samples: np.ndarray, pts: int) -> av.AudioFrame:
    """A frame as aiortc's Opus decoder gives it: s16 interleaved stereo, 48 kHz, 960 samples."""
    stereo = np.repeat(samples.astype(np.int16), 2).reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(stereo, format="s16", layout="stereo")
    frame.sample_rate = 48000
    frame.pts = pts
    return frame


def test_audio_becomes_exact_20ms_mono_16k_frames_with_a_continuous_clock():
    conv = AudioFrameConverter()
    t = np.arange(48000 * 2) / 48000
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    chunks = []
    for i in range(0, tone.size, 960):
        chunks += conv.convert(_browser_frame(tone[i:i + 960], i))
    assert all(c.pcm.dtype == np.int16 and c.pcm.shape == (FRAME_SAMPLES,) for c in chunks)
    assert len(chunks) >= 98  # 2 s of audio, minus the resampler's short start-up delay
    assert [c.t_ms for c in chunks[:3]] == [0, 20, 40] and chunks[-1].t_ms == (len(chunks) - 1) * 20
    # The tone survives: its dominant frequency is still 440 Hz at 16 kHz.
    pcm = np.concatenate([c.pcm for c in chunks[10:60]]).astype(float)
    freq = np.fft.rfftfreq(pcm.size, 1 / 16000)[np.argmax(np.abs(np.fft.rfft(pcm)))]
    assert abs(freq - 440) < 5


def test_latest_frame_wins_and_stale_frames_are_dropped_not_queued():
    slot = LatestFrameSlot()
    frames = [av.VideoFrame(64, 48, "yuv420p") for _ in range(10)]
    for f in frames:
        slot.put(f)
    sample = slot.take()
    assert sample.frame is frames[-1] and sample.index == 10
    assert slot.take() is None  # nothing was queued behind it
    assert (slot.received, slot.sampled, slot.dropped) == (10, 1, 9)
    slot.put(frames[0])
    assert slot.peek().frame is frames[0] and slot.take().frame is frames[0]
    assert (slot.width, slot.height) == (64, 48)
