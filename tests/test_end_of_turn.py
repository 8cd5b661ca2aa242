"""The acoustic end-of-turn model (Smart Turn v3.2 from the pipecat-ai wheel) and its Whisper features."""

from __future__ import annotations

import numpy as np
import pytest

from analyzers.end_of_turn import SAMPLE_RATE, WINDOW_S, SmartTurnModel, log_mel_window
from analyzers.speech_signal import final_pitch_change_st
from dialogue.end_fusion import DEFAULT_FUSION
from tests.harness import running_server
from tests.speech import synth

pytestmark = pytest.mark.models


def test_features_cover_the_last_eight_seconds_with_short_audio_padded_in_front():
    rng = np.random.default_rng(0)
    long = (rng.standard_normal(10 * SAMPLE_RATE) * 3000).astype(np.int16)
    features = log_mel_window(long)
    assert features.shape == (80, WINDOW_S * 100) and features.dtype == np.float32
    assert np.allclose(features, log_mel_window(long[-WINDOW_S * SAMPLE_RATE:]))  # only the last 8 s count
    short = long[:SAMPLE_RATE]
    padded = np.concatenate([np.zeros(WINDOW_S * SAMPLE_RATE - short.size, np.int16), short])
    assert np.allclose(log_mel_window(short), log_mel_window(padded))


def test_the_model_gives_a_probability_for_speech_and_for_silence():
    model = SmartTurnModel()
    speech = synth("We moved the reports to the new database and they got twice as fast.")
    tail = np.zeros(SAMPLE_RATE // 5, np.int16)
    for pcm in (np.concatenate([speech, tail]), np.zeros(SAMPLE_RATE, np.int16)):
        p = model.probability(pcm)
        assert 0.0 <= p <= 1.0


def test_pitch_movement_at_the_end_of_a_glide():
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    for f0_end, sign in ((100.0, -1), (200.0, 1)):  # a 150 Hz tone gliding down to 100 Hz / up to 200 Hz
        f0 = np.linspace(150.0, f0_end, t.size)
        tone = (8000 * np.sin(2 * np.pi * np.cumsum(f0) / SAMPLE_RATE)).astype(np.int16)
        assert np.sign(final_pitch_change_st(tone)) == sign
    assert final_pitch_change_st(np.zeros(SAMPLE_RATE, np.int16)) is None


async def test_the_server_does_not_run_smart_turn_while_the_fusion_gives_the_voice_no_weight(sqlite_url, tmp_path):
    """The dev-set fit weighs the voice at 0 (dialogue/end_fusion.py): an interview's runtime gets no acoustic model,
    so none of its pauses pays for one (0.5-0.7 s of CPU per session-minute), though the setting is on."""
    assert not DEFAULT_FUSION.hears_voice
    async with running_server(sqlite_url, tmp_path) as h:
        assert h.settings.end_of_turn_model
        iv_id, _ = await h.create_interview("Ann")
        live = await h.ctx.live_interview(iv_id)
        assert live.speech_turns.end_of_turn is None
