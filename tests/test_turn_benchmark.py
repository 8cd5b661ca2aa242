"""The corpus turn-taking benchmark (``python -m benchmarks.turn_taking``) on a four-answer corpus made here with
espeak-ng in the dev set's schema: it replays the answers through the live transcriber (Whisper tiny.en) and the
detector, writes the decisions, and prints the scorer's JSON last, with the trade-off curve and the held-out figures
(the fusion refitted without each speaker) before it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.synthetic_media import make_speech_wav
from benchmarks.turn_taking import DEFAULT_SCORER, main

pytestmark = [pytest.mark.models,
              pytest.mark.skipif(not DEFAULT_SCORER.exists(), reason=f"the set's scorer is not at {DEFAULT_SCORER}")]

LEAD_S, TAIL_S = 0.5, 4.0


def _answer(path: Path, first: str, pause_s: float, second: str, kind: str, ending: str, question: str,
            voice: str = "en-us") -> dict:
    timeline = make_speech_wav(path, [LEAD_S, first, pause_s, second, TAIL_S], rate=16000, voice=voice)
    a, b = timeline.parts
    return {
        "language": "en", "question": question, "ending_kind": ending, "voice": voice,
        "segments": [{"start_s": a.start_s, "end_s": a.end_s}, {"start_s": b.start_s, "end_s": b.end_s}],
        "pauses": [{"start_s": a.end_s, "end_s": b.start_s, "duration_s": pause_s, "kind": kind}],
        "speech_start_s": a.start_s, "end_of_answer_s": b.end_s, "file_duration_s": timeline.duration_s,
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("turn-corpus")
    answers = {
        "a1.wav": _answer(root / "a1.wav", "Last year I moved our reports to a new database.", 1.6,
                          "It took three weeks and the reports got twice as fast.", "after_final_sounding_sentence",
                          "cue", "Tell me about a project you are proud of."),
        "a2.wav": _answer(root / "a2.wav", "So then, um,", 2.0, "we asked the customers what they needed.",
                          "mid_clause", "no_cue", "How do you decide what to build first?"),
        "a3.wav": _answer(root / "a3.wav", "I joined a small support team two years ago.", 1.2,
                          "We answered every ticket within a day, so yeah, that's it.", "after_final_sounding_sentence",
                          "cue", "Tell me about your last job.", voice="en-gb"),
        "a4.wav": _answer(root / "a4.wav", "Our release took a whole week.", 1.8,
                          "I wrote a script that checks every step before we ship.", "after_final_sounding_sentence",
                          "no_cue", "What did you automate?", voice="en-gb"),
    }
    (root / "labels.json").write_text(json.dumps({"answers": answers}), encoding="utf-8")
    return root


def test_the_benchmark_scores_every_answer_by_language_pause_kind_and_ending(corpus, tmp_path, capsys):
    predictions = tmp_path / "decisions.jsonl"
    main(["--corpus", str(corpus), "--predictions", str(predictions), "--curve", "1000,3000", "--cv", "speaker"])
    lines = capsys.readouterr().out.strip().splitlines()
    parts = {next(iter(json.loads(line))): json.loads(line) for line in lines[:-1] if line.startswith("{")}
    score, curve = json.loads(lines[-1]), parts["tradeoff_curve"]["tradeoff_curve"]
    assert score["files"] == 4 and score["missed_ends"] == 0
    assert set(score["pauses"]["by_language"]) == {"en"}
    assert set(score["pauses"]["by_kind"]) == {"after_final_sounding_sentence", "mid_clause"}
    assert set(score["latency_s"]["by_ending_kind"]) == {"cue", "no_cue"}
    assert score["latency_s"]["overall"]["n"] == 4
    decided = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert {d["file"] for d in decided} == {"a1.wav", "a2.wav", "a3.wav", "a4.wav"}
    assert all(set(d) == {"file", "t_s"} for d in decided)
    assert [p["answer_end_silence_ms"] for p in curve] == [1000, 3000]
    for p in curve:
        assert {"pauses_cut_rate", "latency_p95_s", "threshold"} <= set(p)
        assert {"pauses_cut_rate", "latency_p95_s"} <= set(p["silence_only"]) & set(p["without_voice"])
    # a shorter neutral silence never waits longer after the end than a longer one, nor cuts fewer pauses
    assert curve[0]["latency_p95_s"]["en"] <= curve[1]["latency_p95_s"]["en"]
    assert curve[0]["pauses_cut"]["en"] >= curve[1]["pauses_cut"]["en"]
    assert curve[0]["threshold"] < curve[1]["threshold"]
    # held out: each speaker's answers decided by weights fitted on the other speaker's
    held = parts["held_out"]["held_out"]["speaker"]
    assert sorted(f["held_out"] for f in held["folds"]) == ["en-gb", "en-us"]
    assert held["figures"]["pauses_cut"]["all"].endswith("/4")
    assert [p["answer_end_silence_ms"] for p in held["curve"]] == [1000, 3000]
    assert parts["replay_check"]["replay_check"]["live_equals_replay"]
