"""VoiceActivityDetector on synthetic speech (espeak-ng) with known silences."""

from __future__ import annotations

import shutil

import numpy as np
import pytest


from analyzers.vad import FRAME_SAMPLES, SpeechEnd, SpeechPause, SpeechStart, VadConfig, VoiceActivityDetector
from tests.speech import synth, silence

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")











def run_vad(pcm: np.ndarray, vad: VoiceActivityDetector | None = None) -> list:
    vad = vad or VoiceActivityDetector()
    pcm = np.concatenate([pcm, np.zeros(-len(pcm) % FRAME_SAMPLES, np.int16)])
    events = []
    for i in range(len(pcm) // FRAME_SAMPLES):
        events += vad.push(pcm[i * FRAME_SAMPLES : (i + 1) * FRAME_SAMPLES], i * 20)
    return events


def test_finds_each_utterance_near_true_boundaries(tmp_path):
    a = synth("I led a team of five engineers", tmp_path)
    b = synth("We shipped the product two months early", tmp_path)
    lead, gap = 1000, 1200
    pcm = np.concatenate([silence(lead), a, silence(gap), b, silence(1000)])
    truth = [(lead, lead + len(a) // 16), (lead + len(a) // 16 + gap, lead + (len(a) + len(b)) // 16 + gap)]

    events = [e for e in run_vad(pcm) if not isinstance(e, SpeechPause)]

    assert [type(e) for e in events] == [SpeechStart, SpeechEnd, SpeechStart, SpeechEnd]
    for (start, end), (t0, t1) in zip(zip(events[::2], events[1::2]), truth):
        assert abs(start.t_ms - t0) <= 120, (start.t_ms, t0)
        assert -250 <= end.t_ms - t1 <= 120, (end.t_ms, t1)  # espeak's last phone fades below voicing


def test_start_carries_preroll_and_its_media_time(tmp_path):
    a = synth("Hello there", tmp_path)
    events = run_vad(np.concatenate([silence(1000), a, silence(800)]), VoiceActivityDetector(VadConfig(preroll_ms=300)))
    start = events[0]
    assert isinstance(start, SpeechStart)
    assert start.audio.dtype == np.int16
    assert start.audio_start_ms == start.t_ms - 300
    # the pre-roll reaches up to the frame that triggered the start
    assert len(start.audio) >= 300 * 16 + 2 * FRAME_SAMPLES
    assert (start.audio_start_ms + len(start.audio) // 16) % 20 == 0


def test_short_pause_stays_one_utterance_and_long_pause_splits(tmp_path):
    a = synth("first part", tmp_path)
    b = synth("second part", tmp_path)
    cfg = VadConfig(end_silence_ms=500)
    short = run_vad(np.concatenate([silence(500), a, silence(300), b, silence(800)]), VoiceActivityDetector(cfg))
    long = run_vad(np.concatenate([silence(500), a, silence(900), b, silence(800)]), VoiceActivityDetector(cfg))
    assert len([e for e in short if isinstance(e, SpeechStart)]) == 1
    assert len([e for e in long if isinstance(e, SpeechStart)]) == 2


def test_pause_is_reported_before_the_end_and_when_speech_resumes(tmp_path):
    """A pause probe comes once per silence, pause_probe_ms after the last voiced frame, with that frame's end:
    the same t_ms as the end it may become; a gap shorter than the end silence gives a pause and no end."""
    a = synth("first part", tmp_path)
    b = synth("second part", tmp_path)
    cfg = VadConfig(end_silence_ms=500, pause_probe_ms=200)
    events = run_vad(np.concatenate([silence(500), a, silence(350), b, silence(800)]), VoiceActivityDetector(cfg))
    kinds = [type(e) for e in events]
    assert kinds[0] is SpeechStart and kinds[-2:] == [SpeechPause, SpeechEnd]
    assert kinds.count(SpeechStart) == 1 and kinds.count(SpeechEnd) == 1
    assert kinds.count(SpeechPause) >= 2  # the 350 ms gap, and the final silence
    assert events[-2].t_ms == events[-1].t_ms
    off = run_vad(np.concatenate([silence(500), a, silence(350), b, silence(800)]),
                  VoiceActivityDetector(VadConfig(pause_probe_ms=0)))
    assert not any(isinstance(e, SpeechPause) for e in off)


def test_hears_voice_from_the_first_voiced_frame_until_the_utterance_ends(tmp_path):
    """Voice is heard before its start is reported (the start needs several voiced frames) and until the end."""
    vad = VoiceActivityDetector()
    run_vad(silence(500), vad)
    assert not vad.hears_voice
    speech = synth("first part", tmp_path)
    heard, started = [], []
    for i in range(len(speech) // FRAME_SAMPLES):
        started += [e for e in vad.push(speech[i * FRAME_SAMPLES:(i + 1) * FRAME_SAMPLES], 500 + i * 20)
                    if isinstance(e, SpeechStart)]
        heard.append((vad.hears_voice, bool(started)))
    first_heard = next(i for i, (h, _) in enumerate(heard) if h)
    first_started = next(i for i, (_, s) in enumerate(heard) if s)
    assert first_heard < first_started  # heard before the start is reported
    voiced_until = 500 + max(i for i, (h, _) in enumerate(heard) if h) * 20
    assert all(h for h, _ in heard[first_started:voiced_until // 20 - 25])  # through the utterance
    quiet = silence(600)
    t0 = 500 + len(speech) // FRAME_SAMPLES * 20
    for i in range(len(quiet) // FRAME_SAMPLES):
        vad.push(quiet[i * FRAME_SAMPLES:(i + 1) * FRAME_SAMPLES], t0 + i * 20)
    assert not vad.in_speech and not vad.hears_voice


def test_silence_and_low_noise_give_no_events():
    rng = np.random.default_rng(1)
    noise = (rng.normal(0, 30, 16000 * 3)).astype(np.int16)
    assert run_vad(silence(3000)) == []
    assert run_vad(noise) == []


def test_flush_closes_an_open_utterance(tmp_path):
    vad = VoiceActivityDetector()
    events = run_vad(np.concatenate([silence(500), synth("still talking", tmp_path)]), vad)
    assert [type(e) for e in events if not isinstance(e, SpeechPause)] == [SpeechStart]
    assert vad.in_speech
    (end,) = vad.flush()
    assert isinstance(end, SpeechEnd) and end.t_ms > events[0].t_ms
    assert not vad.in_speech and vad.flush() == []


def test_rejects_wrong_frames_and_config():
    vad = VoiceActivityDetector()
    with pytest.raises(ValueError):
        vad.push(np.zeros(160, np.int16), 0)
    with pytest.raises(ValueError):
        vad.push(np.zeros(FRAME_SAMPLES, np.float32), 0)
    with pytest.raises(ValueError):
        VadConfig(start_frames=6, start_window=5)
