"""Recognition accuracy on a labelled speech corpus, through the live speech path, per model and language.

    python -m benchmarks.asr --corpus DIR [--models ID,ID] [--files GLOB] [--predictions OUT.jsonl]

``DIR`` is a corpus in the turn-taking benchmark's schema (``labels.json``; read by ``benchmarks.turn_taking``),
or a folder of such corpora (each subfolder with a ``labels.json``, e.g. ``synthetic/`` and ``real/``), each
scored on its own. An entry's reference is its ``text`` (or ``transcript``); entries with neither are skipped.
Every available speech model is run on every file in a language it recognises: the file is replayed through
``SpeechTurns`` (VAD, ``StreamingTranscriber``, the model's stream, partials and pause decodes as live, on the
audio clock: ``benchmarks/turn_replay.py``), and the answer's final segments, joined, are its hypothesis.
Errors are counted by ``benchmarks/asr_error.py``: WER for English, CER for Chinese (a Traditional character
counts as an error). Per corpus, model and language it prints the error rate with its substitutions, deletions
and insertions, the files whose text repeats a phrase the reference does not (``analyzers.hallucination``), and
for Chinese the Han characters shown in Traditional form. The JSON is the last stdout line.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from analyzers.hallucination import has_repeats
from analyzers.text.language import normalise_language
from analyzers.text.script import HAN_CHAR, to_simplified
from benchmarks.asr_error import ErrorCount, error_count
from benchmarks.turn_taking import raw_entries, read_audio, server_turn_config


@dataclass(frozen=True)
class Utterance:
    corpus: str
    file: str
    language: str
    reference: str
    question: str


def corpora(root: Path) -> list[Path]:
    """``root`` itself when it has a ``labels.json``, else its subfolders that have one."""
    if (root / "labels.json").is_file():
        return [root]
    found = sorted(p for p in root.iterdir() if (p / "labels.json").is_file())
    if not found:
        raise SystemExit(f"{root}: no labels.json in it or in its subfolders")
    return found


def load_references(corpus: Path, pattern: str = "*") -> list[Utterance]:
    out = []
    for name, e in raw_entries(corpus / "labels.json").items():
        if not isinstance(e, dict) or not fnmatch.fnmatch(name, pattern):
            continue
        reference = e.get("text") or e.get("transcript")
        if not reference:
            continue
        out.append(Utterance(corpus.name, name, normalise_language(e.get("language") or "en"), str(reference),
                             str(e.get("question") or "")))
    return out


def traditional_chars(text: str) -> int:
    """Han characters of ``text`` that differ from their Simplified form."""
    simplified = to_simplified(text, "t2s")
    return sum(a != b for a, b in zip(text, simplified) if HAN_CHAR.match(a))


async def recognise(pcm, model, language: str, question: str) -> tuple[str, float]:
    """The final text of one answer through the live path, and the recogniser's busy time."""
    from benchmarks.turn_replay import replay_live

    replay = await replay_live(pcm, model, language, server_turn_config(), question)
    return " ".join(t.strip() for t in replay.finals if t.strip()), replay.inference_s


def summarise(rows: list[dict]) -> dict:
    total = sum((ErrorCount(r["substitutions"], r["deletions"], r["insertions"], r["reference_units"])
                 for r in rows), ErrorCount())
    language = rows[0]["language"]
    out = {
        "metric": "cer" if language == "zh" else "wer",
        "files": len(rows),
        "error_rate": round(total.rate, 4) if total.rate is not None else None,
        "substitutions": total.substitutions,
        "deletions": total.deletions,
        "insertions": total.insertions,
        "reference_units": total.reference_units,
        "worst_file": max(rows, key=lambda r: r["error_rate"] or 0)["file"],
        "worst_file_error_rate": round(max(r["error_rate"] or 0 for r in rows), 4),
        "files_with_repeated_phrases": sum(r["repeats"] for r in rows),
        "files_without_text": sum(not r["hypothesis"] for r in rows),
        "audio_s": round(sum(r["audio_s"] for r in rows), 1),
        "recognition_s": round(sum(r["recognition_s"] for r in rows), 1),
    }
    if language == "zh":
        han = sum(len(HAN_CHAR.findall(r["hypothesis"])) for r in rows)
        trad = sum(r["traditional_chars"] for r in rows)
        out["traditional_char_rate"] = round(trad / han, 4) if han else None
    return out


async def run(root: Path, model_ids: list[str] | None, pattern: str, log) -> tuple[dict, list[dict]]:
    from analyzers import inference_pool
    from analyzers.model_registry import ModelManager
    from benchmarks.turn_taking import _warm_up
    from server.platform.settings import Settings

    settings = Settings()
    inference_pool.configure(settings.inference_threads)
    manager = ModelManager.from_settings(settings)
    sets = {c: load_references(c, pattern) for c in corpora(root)}
    languages = sorted({u.language for us in sets.values() for u in us})
    specs = [manager.spec(s["id"]) for s in manager.status()
             if s["available"] and s["engine"] in ("whisper", "vosk") and (model_ids is None or s["id"] in model_ids)]
    rows: list[dict] = []
    results = []
    for spec in specs:
        langs = [lang for lang in languages if spec.supports(lang)]
        if not langs:
            continue
        model = await manager.aload(spec.id)
        for lang in langs:
            await asyncio.to_thread(_warm_up, model, lang)
            for corpus, utterances in sets.items():
                mine = [u for u in utterances if u.language == lang]
                if not mine:
                    continue
                part = []
                for u in mine:
                    pcm = read_audio(corpus / u.file)
                    hypothesis, busy_s = await recognise(pcm, model, lang, u.question)
                    count = error_count(u.reference, hypothesis, lang)
                    row = {"corpus": corpus.name, "model": spec.id, "file": u.file, "language": lang,
                           "error_rate": round(count.rate, 4) if count.rate is not None else None,
                           "substitutions": count.substitutions, "deletions": count.deletions,
                           "insertions": count.insertions, "reference_units": count.reference_units,
                           "repeats": has_repeats(hypothesis) and not has_repeats(u.reference),
                           "traditional_chars": traditional_chars(hypothesis),
                           "audio_s": pcm.size / 16000, "recognition_s": busy_s, "hypothesis": hypothesis}
                    part.append(row)
                    log(f"{spec.id} {corpus.name}/{u.file}: {row['error_rate']} ({busy_s:.1f} s busy) {hypothesis[:90]}")
                rows += part
                server_model = (settings.asr_models.get(lang) or settings.asr_models["en"]) == spec.id
                results.append({"corpus": corpus.name, "model": spec.id, "language": lang,
                                "server_model_for_language": server_model, **summarise(part)})
    return {"corpus": str(root), "results": results}, rows


def main(args) -> dict:
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    t0 = time.perf_counter()
    ids = args.models.split(",") if args.models else None
    report, rows = asyncio.run(run(args.corpus, ids, args.files, log))
    if args.predictions:
        with args.predictions.open("w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    report.update(wall_s=round(time.perf_counter() - t0, 1), load_average_1m=round(os.getloadavg()[0], 2))
    print(json.dumps(report, ensure_ascii=False))
    return report
