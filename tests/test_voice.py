"""Voice analyzer on espeak-ng speech: speaking rate, pauses, pitch, loudness, fillers (observable measures only)."""

from __future__ import annotations

import shutil
from fractions import Fraction

import av
import numpy as np
import pytest

from analyzers.asr import Word
from analyzers.fillers import count_fillers
from analyzers.speech_signal import detect_speech_frames, yin_f0
from analyzers.voice import VoiceAnalyzer
from benchmarks.synthetic_media import make_speech_wav, read_wav_mono

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")

SENTENCES = [
    "In my last role I led a team of five engineers that rebuilt the billing system.",
    "We cut the monthly processing time from three days to four hours.",
    "The hardest part was convincing the finance team to change their old workflow.",
]
START_MS = 5_000  # the utterance's position on the interview's media clock


def to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    """Resample int16 mono to 16 kHz the way the server does."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=16000)
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    frame.time_base = Fraction(1, rate)
    out = [*resampler.resample(frame), *resampler.resample(None)]
    return np.concatenate([f.to_ndarray().reshape(-1) for f in out])


def words_from_timeline(timeline, offset_ms: int) -> list[Word]:
    """Word timings spread evenly over each spoken part (stand-in for ASR word timestamps)."""
    words: list[Word] = []
    for part in timeline.parts:
        tokens = part.text.split()
        step = part.duration_s * 1000 / len(tokens)
        for k, tok in enumerate(tokens):
            s = offset_ms + round(part.start_s * 1000 + k * step)
            words.append(Word(tok, s, s + round(step * 0.9)))
    return words


@pytest.fixture(scope="module")
def paused_answer(tmp_path_factory):
    path = tmp_path_factory.mktemp("voice") / "answer.wav"
    timeline = make_speech_wav(path, [SENTENCES[0], 1.5, SENTENCES[1], 1.5, SENTENCES[2]], voice="en-us")
    samples, rate = read_wav_mono(path)
    return timeline, to_16k(samples, rate)


@needs_espeak
def test_rate_pauses_pitch_loudness_on_espeak_answer(paused_answer):
    timeline, pcm = paused_answer
    words = words_from_timeline(timeline, START_MS)
    analyzer = VoiceAnalyzer()
    obs = analyzer.analyze_utterance(pcm, START_MS, words, " ".join(SENTENCES), "en")
    v = obs.values
    assert obs.analyzer == "voice" and obs.t_ms == START_MS
    assert v["rate_unit"] == "words_per_minute" and v["units"] == 41
    # espeak -s 150: measured 151 wpm over the whole answer (pauses included), 185 wpm while speaking.
    assert 120 <= v["speech_rate"] <= 185, v["speech_rate"]
    assert 150 <= v["articulation_rate"] <= 225, v["articulation_rate"]
    assert v["articulation_rate"] > v["speech_rate"]
    # The two 1.5 s pauses, where the timeline put them, and quoted between the right words.
    assert v["long_pause_count"] == 2
    for pause, part in zip(v["long_pauses"], timeline.parts):
        assert abs(pause["start_ms"] - (START_MS + part.end_s * 1000)) <= 60
        assert 1350 <= pause["duration_ms"] <= 1650
    assert "system. [pause 1.5 s] We cut" in v["long_pauses"][0]["context"]
    assert "[pause" in obs.quotes["long_pauses"]
    assert 0.13 <= v["pause_ratio"] <= 0.25  # 3.0 s of 16.3 s
    # espeak en-us is a low male voice: measured median ~104 Hz, a few semitones of movement.
    assert 85 <= v["pitch_median_hz"] <= 150, v["pitch_median_hz"]
    assert 1.0 <= v["pitch_range_st"] <= 12.0
    assert v["pitch_voiced_frames"] > 300
    assert -40 <= v["loudness_mean_dbfs"] <= -5 and 0 < v["loudness_sd_db"] < 15
    assert v["filler_count"] == 0 and obs.quotes["speaking_rate"].startswith("In my last role")


@needs_espeak
def test_without_word_timings_uses_voice_activity(paused_answer):
    timeline, pcm = paused_answer
    v = VoiceAnalyzer().analyze_utterance(pcm, 0, [], " ".join(SENTENCES), "en").values
    assert v["span_source"] == "voice activity"
    assert v["long_pause_count"] == 2
    assert 150 <= v["articulation_rate"] <= 225


@needs_espeak
def test_session_summary_groups_answers_and_counts_gaps(paused_answer, tmp_path):
    timeline, pcm = paused_answer
    single = make_speech_wav(tmp_path / "one.wav", ["Um, I think the, uh, main issue was the database."])
    s16 = to_16k(*read_wav_mono(single.path))
    analyzer = VoiceAnalyzer()
    analyzer.begin_answer("q1")
    analyzer.analyze_utterance(pcm, 0, [], " ".join(SENTENCES), "en")
    analyzer.begin_answer("q2")
    a = analyzer.analyze_utterance(s16, 30_000, [], "Um, I think the, uh, main issue was the database.", "en")
    gap_start = 30_000 + len(s16) * 1000 // 16000 + 1200  # a second utterance of q2, 1.2 s later
    analyzer.analyze_utterance(s16, gap_start, [], "Um, I think the, uh, main issue was the database.", "en")
    assert a.values["answer_id"] == "q2"
    summary = analyzer.summary()
    assert summary["utterances"] == 3
    by_id = {x["answer_id"]: x for x in summary["answers"]}
    assert by_id["q1"]["long_pause_count"] == 2
    assert by_id["q2"]["fillers"] == {"um": 2, "uh": 2}
    assert by_id["q2"]["pauses_between_utterances_ms"] == [1200] and by_id["q2"]["long_pause_count"] == 1
    overall = summary["overall"]
    assert overall["filler_count"] == 4 and overall["units"] == 41 + 2 * 10
    assert 85 <= overall["pitch_median_hz"] <= 150
    assert len(summary["per_utterance"]) == 3


def test_fillers_english_transcript():
    text = "So, um, I think the, uh, main issue was, like, the database, you know. I like Python."
    hits = count_fillers(text, "en")
    assert [h.term for h in hits] == ["um", "uh", "like", "you know"]  # "I like Python" is not a filler
    v = VoiceAnalyzer().analyze_utterance(np.zeros(0, np.int16), 0, [], text, "en")
    assert v.values["fillers"] == {"um": 1, "uh": 1, "like": 1, "you know": 1}
    assert v.values["hesitation_count"] == 2 and v.values["discourse_marker_count"] == 2
    assert "um" in v.quotes["fillers"] and "uh" in v.quotes["fillers"]


def test_fillers_chinese():
    text = "嗯，我觉得那个项目就是很成功"
    obs = VoiceAnalyzer().analyze_utterance(np.zeros(0, np.int16), 0, [], text, "zh")
    v = obs.values
    assert v["fillers"] == {"嗯": 1, "那个": 1, "就是": 1}
    assert v["hesitation_count"] == 1 and v["discourse_marker_count"] == 2
    assert v["rate_unit"] == "characters_per_minute" and v["units"] == 13
    assert obs.quotes["fillers"] == text
    # Longest marker wins; demonstrative 这个 and the amount 金额 are not fillers.
    assert [h.term for h in count_fillers("然后呃我们就是说，这个项目的金额很大", "zh")] == ["然后", "呃", "就是说"]


def test_yin_on_tones():
    t = np.arange(16000) / 16000
    for f in (95.0, 180.0, 310.0):
        tone = (8000 * np.sin(2 * np.pi * f * t)).astype(np.int16)
        f0, _ = yin_f0(tone)
        assert abs(np.nanmedian(f0) - f) < 0.01 * f
    f0, _ = yin_f0(np.random.default_rng(0).normal(0, 3000, 16000).astype(np.int16))
    assert np.mean(np.isfinite(f0)) < 0.2  # noise is mostly unvoiced


def test_speech_frames_ignore_silence():
    mask, active, db = detect_speech_frames(np.zeros(16000, np.int16))
    assert not mask.any() and not active.any() and db.size == 100
