"""The pause-or-end question of benchmarks/turn_semantics.py: what the model is shown at each silence, and how its
answers become figures (the model itself is asked only by the benchmark)."""

from __future__ import annotations

import pytest

from benchmarks.turn_semantics import moments, summary

pytestmark = pytest.mark.unit

LABELS = {
    "a.wav": {"language": "en", "question": "Why this job?", "ending_kind": "cue", "end_of_answer_s": 9.0,
              "segments": [{"text": "I like people."}, {"text": "And I like order."}, {"text": "That is all."}],
              "pauses": [{"after_segment": 0, "kind": "after_final_sounding_sentence"},
                         {"after_segment": 1, "kind": "after_result"}]},
    "b.wav": {"language": "zh", "question": "为什么?", "ending_kind": "trailing", "end_of_answer_s": 5.0,
              "segments": [{"text": "我喜欢。"}, {"text": "所以……"}],
              "pauses": [{"after_segment": 0, "kind": "mid_clause"}]},
}


def test_each_pause_shows_the_words_said_before_it_and_the_end_shows_them_all():
    ms = moments(LABELS)
    assert [(m.file, m.ended, m.words) for m in ms] == [
        ("a.wav", False, "I like people."), ("a.wav", False, "I like people. And I like order."),
        ("a.wav", True, "I like people. And I like order. That is all."),
        ("b.wav", False, "我喜欢。"), ("b.wav", True, "我喜欢。所以……")]
    assert ms[2].kind == "end:cue" and ms[3].language == "zh"


def test_figures_count_the_ends_a_threshold_catches_for_the_pauses_it_cuts():
    ms = moments(LABELS)
    for m, p in zip(ms, [0.9, 0.2, 0.8, 0.1, 0.3], strict=True):
        m.p_yes = p
    s = summary(ms)
    assert s["auc"] == pytest.approx(4 / 6, abs=1e-3)  # ends 0.8, 0.3 against pauses 0.9, 0.2, 0.1
    assert s["ends_caught"]["with_0_pauses_cut"] == "0/2"  # the most end-like pause scores above both ends
    assert s["ends_caught"]["with_1_pauses_cut"] == "2/2"
