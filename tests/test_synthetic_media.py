"""Synthetic benchmark media: Y4M face video, espeak WAV with its speech timeline, and the paced aiortc tracks."""

from __future__ import annotations

import shutil
import time
import wave

import av
import numpy as np
import pytest

from benchmarks.synthetic_media import (
    iter_face_frames,
    make_face_video,
    make_speech_wav,
    read_y4m_info,
)

pytestmark = pytest.mark.unit

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def _decode(path):
    with av.open(str(path)) as c:
        return [f for f in c.decode(video=0)]


def test_y4m_header_frame_count_and_decoding(tmp_path):
    path = make_face_video(tmp_path / "face.y4m", seconds=1.0, fps=15, size=(320, 240))
    with path.open("rb") as f:
        header = f.readline()
    assert header == b"YUV4MPEG2 W320 H240 F15:1 Ip A1:1 C420jpeg\n"
    info = read_y4m_info(path)
    assert (info.width, info.height, info.fps, info.frame_count) == (320, 240, 15, 15)
    assert path.stat().st_size == len(header) + 15 * (len(b"FRAME\n") + 320 * 240 * 3 // 2)

    frames = _decode(path)
    assert len(frames) == 15
    assert all(f.format.name == "yuv420p" and (f.width, f.height) == (320, 240) for f in frames)
    rgb = [f.to_ndarray(format="rgb24").astype(np.int16) for f in frames]
    # A real picture (not flat) that moves a little from frame to frame: similar but not identical.
    assert rgb[0].std() > 30
    diffs = [np.abs(rgb[i + 1] - rgb[i]).mean() for i in range(len(rgb) - 1)]
    assert max(diffs) > 0.5
    assert max(diffs) < 20


def test_black_video_is_black(tmp_path):
    frames = _decode(make_face_video(tmp_path / "black.y4m", seconds=0.2, fps=15, size=(160, 120), black=True))
    assert len(frames) == 3
    y = frames[0].to_ndarray()[:120]  # luma plane of yuv420p
    assert y.max() <= 17  # limited-range black is 16


def test_two_faces_side_by_side(tmp_path):
    one = _decode(make_face_video(tmp_path / "one.y4m", seconds=0.2, size=(320, 240)))[0].to_ndarray(format="rgb24")
    two = _decode(make_face_video(tmp_path / "two.y4m", seconds=0.2, size=(320, 240), faces=2))[0].to_ndarray(
        format="rgb24"
    )
    one, two = one.astype(np.int16), two.astype(np.int16)
    # Two copies: the picture repeats itself about half a width further right (the pan moves the seam by a few
    # pixels); a single face does not repeat.
    def best_repeat(img):
        return min(np.abs(img[:, : 320 - s] - img[:, s:]).mean() for s in range(150, 171))

    assert best_repeat(two) < 3
    assert best_repeat(one) > 20
    # Each copy is the single-face content squeezed into half the width: its skin-coloured blob (the face)
    # is about half as wide as in the one-face frame.
    def face_width(img):
        r, g, b = img[..., 0], img[..., 1], img[..., 2]
        skin = (r > 150) & (r - b > 40) & (r - g > 15) & (g > 90)
        cols = np.nonzero(skin[: img.shape[0] // 2].sum(axis=0) > 5)[0]
        return cols.max() - cols.min() + 1

    w1, w2 = face_width(one), face_width(two[:, :160])
    assert 0.35 < w2 / w1 < 0.7


def test_iter_face_frames_kinds():
    rgb = list(iter_face_frames(seconds=0.2, fps=15, size=(64, 48)))
    assert len(rgb) == 3 and rgb[0].shape == (48, 64, 3) and rgb[0].dtype == np.uint8
    frames = list(iter_face_frames(seconds=0.2, fps=15, size=(64, 48), kind="av"))
    assert [f.pts for f in frames] == [0, 6000, 12000]
    assert frames[0].format.name == "yuv420p"


@needs_espeak
def test_speech_timeline_matches_energy(tmp_path):
    script = [0.5, "Hello, this is the first answer.", 1.0, "And here is the second one.", 0.4]
    tl = make_speech_wav(tmp_path / "speech.wav", script, rate=48000)
    with wave.open(str(tl.path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 48000)
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    assert tl.duration_s == pytest.approx(pcm.size / 48000)
    assert [p.text for p in tl.parts] == [script[1], script[3]]
    p0, p1 = tl.parts
    assert p0.start_s == pytest.approx(0.5, abs=0.011)
    assert p1.start_s - p0.end_s == pytest.approx(1.0, abs=0.03)
    assert tl.duration_s - p1.end_s == pytest.approx(0.4, abs=0.03)
    assert 0.8 < p0.duration_s < 4 and 0.8 < p1.duration_s < 4

    def rms(t0, t1):
        seg = pcm[int(t0 * 48000) : int(t1 * 48000)]
        return float(np.sqrt(np.mean(seg**2))) if seg.size else 0.0

    # The pauses are silent; speech is loud; the boundaries sit where the energy starts and stops.
    assert rms(0, p0.start_s - 0.01) < 1
    assert rms(p0.end_s + 0.02, p1.start_s - 0.02) < 1
    assert rms(p1.end_s + 0.02, tl.duration_s) < 1
    assert rms(p0.start_s, p0.end_s) > 1000 and rms(p1.start_s, p1.end_s) > 1000
    loud = 0.01 * max(rms(p0.start_s, p0.end_s), 1)
    assert rms(p0.start_s, p0.start_s + 0.05) > loud
    assert rms(p0.end_s - 0.05, p0.end_s) > loud


@needs_espeak
async def test_audio_track_is_paced_and_records_speech_end(tmp_path):
    from benchmarks.media_tracks import AUDIO_SAMPLES, WavAudioTrack

    tl = make_speech_wav(tmp_path / "s.wav", [0.1, "Yes.", 0.1])
    track = WavAudioTrack(tl.path, timeline=tl, start_delay=0.2)
    n = int(round((0.2 + tl.duration_s + 0.1) / 0.02))
    t0 = time.time()
    frames = [await track.recv() for _ in range(n)]
    elapsed = time.time() - t0
    track.stop()
    assert [f.pts for f in frames] == [i * AUDIO_SAMPLES for i in range(n)]
    assert all(f.samples == 960 and f.sample_rate == 48000 and f.format.name == "s16" for f in frames)
    # Real time: n frames of 20 ms take n * 20 ms (the first one is due after 20 ms, like a microphone).
    assert elapsed == pytest.approx(n * 0.02, abs=0.08)
    assert len(track.speech_ends) == 1
    end = track.speech_ends[0]
    assert end.media_s == pytest.approx(0.2 + tl.parts[0].end_s, abs=1 / 48000)
    assert end.sent_at - track.started_at == pytest.approx(end.media_s, abs=0.045)
    # The sound is where the timeline says (after the 0.2 s start delay).
    peaks = np.array([np.abs(f.to_ndarray()).max() for f in frames])
    first_loud = int(np.nonzero(peaks > 300)[0][0])
    assert first_loud * 0.02 == pytest.approx(0.2 + tl.parts[0].start_s, abs=0.021)
