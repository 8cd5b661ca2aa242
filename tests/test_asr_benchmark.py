"""The recognition benchmark (``python -m benchmarks.asr --corpus DIR``) on a folder of two small corpora made here
with espeak-ng in the dev set's two label layouts (answers with ``text``, clips with ``transcript``), and the
error counting it rests on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks.asr import main
from benchmarks.asr_error import error_count
from benchmarks.synthetic_media import make_speech_wav

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")

ANSWERS = {
    "e1.wav": ("en", "I led a team of five engineers last year.", "en-us"),
    "z1.wav": ("zh", "我们的团队完成了新的系统。", "cmn-latn-pinyin"),
}
CLIPS = {"c1.wav": ("en", "The project finished two weeks early.", "en-us")}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("asr-corpus")
    for folder, items, layout, field in (("answers", ANSWERS, "answers", "text"),
                                         ("clips", CLIPS, "clips", "transcript")):
        (root / folder).mkdir()
        labels = {}
        for name, (language, text, voice) in items.items():
            make_speech_wav(root / folder / name, [0.5, text, 1.0], voice=voice, rate=16000)
            labels[name] = {"language": language, field: text}
        (root / folder / "labels.json").write_text(json.dumps({layout: labels}, ensure_ascii=False),
                                                   encoding="utf-8")
    return root


@pytest.mark.models
@needs_espeak
def test_the_benchmark_prints_error_rates_per_corpus_model_and_language(corpus, tmp_path, capsys):
    predictions = tmp_path / "hypotheses.jsonl"
    main(["--corpus", str(corpus), "--models", "whisper-tiny.en,whisper-base", "--predictions", str(predictions)])
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    got = {(r["corpus"], r["model"], r["language"]): r for r in report["results"]}
    assert set(got) == {("answers", "whisper-tiny.en", "en"), ("clips", "whisper-tiny.en", "en"),
                        ("answers", "whisper-base", "en"), ("clips", "whisper-base", "en"),
                        ("answers", "whisper-base", "zh")}
    assert got[("answers", "whisper-base", "zh")]["metric"] == "cer"
    assert got[("answers", "whisper-base", "zh")]["traditional_char_rate"] == 0
    tiny = got[("answers", "whisper-tiny.en", "en")]
    assert tiny["metric"] == "wer" and tiny["server_model_for_language"] and tiny["reference_units"] == 9
    # clear espeak sentences tiny.en hears (nearly) word for word
    assert tiny["error_rate"] <= 0.25 and got[("clips", "whisper-tiny.en", "en")]["error_rate"] <= 0.25
    rows = [json.loads(line) for line in predictions.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 5 and all(r["hypothesis"] for r in rows if r["language"] == "en")


def test_error_counts_forgive_how_numbers_are_written_but_not_the_script():
    assert error_count("It dropped by forty percent in 2019.", "it dropped by 40% in twenty nineteen", "en").errors == 0
    assert error_count("We cut costs by forty percent.", "We cut costs by 40%.", "en").errors == 0
    count = error_count("一共三个人。", "一共3個人", "zh")
    assert (count.errors, count.substitutions, count.reference_units) == (1, 1, 5)  # 個 is not 个
    assert error_count("嗯，一共三个人", "一共三个人，", "zh").errors == 0
    count = error_count("a b c d", "a x c d e", "en")
    assert (count.substitutions, count.deletions, count.insertions) == (1, 0, 1)
