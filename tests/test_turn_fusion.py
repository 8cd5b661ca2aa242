"""The end-of-answer fusion (dialogue/end_fusion.py) and its fit (benchmarks/turn_fusion.py), on scripted recognition
traces: no speech model, the detector replayed on the audio clock as the benchmark does."""

from __future__ import annotations

import random

import pytest

from benchmarks.turn_fusion import (
    choose_neutral_ms,
    cross_validate,
    fit_fusion,
    labelled_silences,
    pause_cut_rates,
    replay_decisions,
)
from benchmarks.turn_replay import LiveReplay
from dialogue.end_fusion import EndSignals, FusionWeights, p_end, silence_needed_ms
from dialogue.speech_turns import (
    FinalTranscript,
    RecognitionDone,
    SpeechEnded,
    SpeechStarted,
    TurnScore,
    TurnScoreRequested,
)
from dialogue.turn_taking import TurnTakingConfig

pytestmark = pytest.mark.unit


def test_the_needed_silence_is_where_p_end_first_reaches_the_threshold():
    rng = random.Random(3)
    model = FusionWeights(silence=1.3, intercept=-3.0, weights={"result": 0.9, "unfinished": -1.5, "closing": 2.0,
                                                                "voice_finished": 0.8, "pitch_falling": 0.4},
                          hold=-0.7)
    for _ in range(200):
        signals = EndSignals(rng.choice(["neutral", "result", "unfinished", "complete"]), rng.random() < 0.2,
                             rng.choice([None, rng.random()]), rng.choice([None, rng.uniform(-8, 8)]),
                             rng.choice([0, rng.randrange(600, 4000)]))
        neutral = rng.randrange(800, 4000)
        theta = model.threshold_at(neutral)
        needed = silence_needed_ms(signals, model, neutral)
        first = next(ms for ms in range(0, 20_000) if p_end(signals, ms, model) >= theta - 1e-12)
        assert abs(needed - first) <= 1, (signals, neutral, needed, first)


def test_a_weight_of_the_wrong_sign_is_refused():
    with pytest.raises(ValueError):
        FusionWeights(silence=1.0, intercept=0.0, weights={"voice_finished": -0.5})  # finished voice, later end
    with pytest.raises(ValueError):
        FusionWeights(silence=1.0, intercept=0.0, weights={"unfinished": 0.5})
    with pytest.raises(ValueError):
        FusionWeights(silence=1.0, intercept=0.0, hold=0.3)
    with pytest.raises(ValueError):
        FusionWeights(silence=0.0, intercept=0.0)
    with pytest.raises(ValueError):
        FusionWeights(silence=1.0, intercept=0.0, weights={"loudness": 1.0})


# --- the fit on a scripted corpus ---------------------------------------------------------------------------------
SENTENCES = ["Last year our team moved the billing reports to a new database system.",
             "The old reports took a whole night to run and often failed halfway through.",
             "I rewrote the slowest queries and added indexes to the biggest tables.",
             "We also moved the nightly jobs to a queue so they could run in parallel."]
CLOSING = "So yeah, that's it, that is all I wanted to say about the project."


def _answer(rng: random.Random, closing: bool, voice: str) -> tuple[LiveReplay, dict]:
    """Speech of 3 s per sentence with thinking pauses of 1-3 s between; the last sentence a closing phrase when
    ``closing``. The acoustic score is reversed on purpose (high at pauses, low at the end), as Smart Turn's was on
    the dev set's synthetic voices: the fit must not learn that a finished-sounding voice means more to come."""
    texts = rng.sample(SENTENCES, 3) + ([CLOSING] if closing else [])
    trace, pauses, t = [], [], 500
    for i, text in enumerate(texts):
        end = t + 3000
        last = i == len(texts) - 1
        trace += [(t + 40, SpeechStarted(t)), (end + 480, SpeechEnded(end)), (end + 480, TurnScoreRequested()),
                  (end + 700, TurnScore(0.1 if last else 0.9, end, None)),
                  (end + 700, FinalTranscript(text, t, end, (), "scripted", "c")), (end + 700, RecognitionDone())]
        if not last:
            pause = rng.randrange(1000, 3000, 100)
            pauses.append({"start_s": end / 1000, "end_s": (end + pause) / 1000, "kind": "after_sentence"})
            t = end + pause
        else:
            t = end
    entry = {"language": "en", "voice": voice, "question": "Tell me about a project.", "ending_kind":
             "cue" if closing else "no_cue", "pauses": pauses, "end_of_answer_s": t / 1000}
    trace.sort(key=lambda x: x[0])
    return LiveReplay([], trace, [], t + 4000, 0.0, 0.0), entry


@pytest.fixture(scope="module")
def corpus() -> tuple[dict[str, LiveReplay], dict[str, dict]]:
    rng = random.Random(11)
    replays, entries = {}, {}
    for i in range(12):
        replays[f"a{i}.wav"], entries[f"a{i}.wav"] = _answer(rng, closing=i % 2 == 0, voice=f"v{i % 4}")
    return replays, entries


def test_the_fit_learns_what_marks_an_end_and_not_a_reversed_voice(corpus):
    replays, entries = corpus
    config = TurnTakingConfig()
    samples = [s for n, r in replays.items() for s in labelled_silences(n, r, config, entries[n])]
    assert sum(s.is_end for s in samples) == 12 and sum(not s.is_end for s in samples) == 6 * 3 + 6 * 2
    weights = fit_fusion(samples)
    assert weights.silence > 0 and weights.weights.get("closing", 0) > 0.5
    assert "voice_finished" not in weights.weights  # held at 0, not made negative


def test_the_operating_point_cuts_no_more_than_the_target_and_is_the_shortest_that_does(corpus):
    replays, entries = corpus
    config = TurnTakingConfig(answer_end_silence_ms=1000)
    neutral = choose_neutral_ms(replays, entries, config, target=0.0)
    assert pause_cut_rates(replay_decisions(replays, entries, TurnTakingConfig(answer_end_silence_ms=neutral)),
                           entries) == {"en": 0.0}
    shorter = pause_cut_rates(replay_decisions(replays, entries, TurnTakingConfig(answer_end_silence_ms=neutral - 50)),
                              entries)
    assert shorter["en"] > 0
    # pauses up to 2.5 s only: a shorter silence is enough
    assert choose_neutral_ms(replays, entries, config, target=0.0, max_pause_s=2.5) < neutral


def test_held_out_decisions_come_from_weights_fitted_without_the_speaker(corpus):
    replays, entries = corpus
    decisions, folds = cross_validate(replays, entries, TurnTakingConfig(), "speaker")
    assert sorted(f.held_out for f in folds) == ["v0", "v1", "v2", "v3"]
    assert set(decisions) == set(replays)
    for f in folds:
        assert all(entries[n]["voice"] == f.held_out for n in f.files)
    # every held-out answer is decided over after its true end
    for name, ds in decisions.items():
        assert any(d.t_ms / 1000 >= entries[name]["end_of_answer_s"] for d in ds), name
    # one language only: nothing to fit on when it is held out
    assert cross_validate(replays, entries, TurnTakingConfig(), "language") == ({}, [])
