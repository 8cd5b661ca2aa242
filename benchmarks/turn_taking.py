"""End-of-answer benchmark on a labelled corpus, through the live transcriber and detector.

    python -m benchmarks.turn_taking --corpus DIR [--predictions OUT.jsonl] [--scorer PATH] [--files GLOB]

``DIR/labels.json`` lists the answers (``{"answers": {file: entry}}``; ``{"clips": ...}``, a plain mapping or a
list of entries with ``"file"`` also work). Each file (16-bit PCM WAV) is replayed through ``SpeechTurns`` with
the speech model the server uses for the entry's ``language`` (English when absent) and the server's turn-taking
settings, on the audio clock (``benchmarks/turn_replay.py``), with the entry's ``question`` as the question asked.
Every end-of-answer decision is written as ``{"file", "t_s"}`` (``--predictions``, else a temporary file), the
set's scorer (default ``../shared/dev-data/scoring/score_turns.py``: pauses cut per language, pause kind and
length; latency after the true end per language and ending kind) is run on them, and its JSON is printed as the
last stdout line, unchanged.

The line before it is the trade-off curve: the recorded recognition replayed through detectors with other base
silences (``TurnTakingConfig.answer_end_silence_ms``, the silence an answer gets when its words give no cue),
scored by the same scorer: per point, pauses cut and latency p50/p95 per language, and the same for the words
alone deciding (no acoustic score, no pause history: the detector before the fusion). Before that, a
``replay_check`` line says whether the detector replayed at the live settings made exactly the live decisions
(it must; otherwise the curve is not to be trusted).

The machine's load changes the latency (decodes take longer): figures are for this machine as it was.
"""

from __future__ import annotations

import argparse
import asyncio
import fnmatch
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from analyzers.asr import SAMPLE_RATE
from analyzers.text.language import normalise_language
from benchmarks.synthetic_media import _resample_mono_s16, read_wav_mono
from benchmarks.turn_replay import Decision, LiveReplay, replay_live, replay_trace
from dialogue.speech_turns import TurnScore, TurnScoreRequested
from dialogue.end_fusion import FusionWeights
from dialogue.turn_taking import TurnTakingConfig

DEFAULT_SCORER = Path(__file__).resolve().parents[2] / "shared" / "dev-data" / "scoring" / "score_turns.py"
CURVE_SILENCES_MS = (1000, 1500, 2000, 2500, 3000, 3400, 4000)
SILENCE_ONLY = FusionWeights(silence=1.0, intercept=0.0)
"""Every signal's weight 0: the answer ends after the neutral silence whatever was said (the curve's baseline)."""


@dataclass(frozen=True)
class CorpusEntry:
    file: str
    language: str
    question: str


def raw_entries(labels: Path) -> dict[str, dict]:
    """file -> its label entry, whichever of the scorer's layouts ``labels`` uses."""
    data = json.loads(labels.read_text(encoding="utf-8"))
    if isinstance(data, list):
        return {e["file"]: e for e in data}
    if isinstance(data.get("answers"), dict):
        return data["answers"]
    if isinstance(data.get("clips"), dict):
        return data["clips"]
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def load_corpus(corpus: Path) -> list[CorpusEntry]:
    """The files ``labels.json`` lists, in its order."""
    items = raw_entries(corpus / "labels.json")
    return [CorpusEntry(name, str(e.get("language") or "en"), str(e.get("question") or ""))
            for name, e in items.items() if isinstance(e, dict)]


def labels_subset(labels: Path, files: set[str], out: Path) -> Path:
    """``labels`` with only ``files`` listed (so the scorer does not count the others as missed), written to
    ``out``; ``labels`` itself when nothing is left out."""
    data = json.loads(labels.read_text(encoding="utf-8"))
    if isinstance(data, list):
        kept = [e for e in data if e.get("file") in files]
        if len(kept) == len(data):
            return labels
        data = kept
    else:
        key = next((k for k in ("answers", "clips") if isinstance(data.get(k), dict)), None)
        items = data[key] if key else data
        kept = {k: v for k, v in items.items() if k in files or not isinstance(v, dict)}
        if len(kept) == len(items):
            return labels
        data = {**data, key: kept} if key else kept
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return out


def read_audio(path: Path) -> np.ndarray:
    pcm, rate = read_wav_mono(path)
    return pcm if rate == SAMPLE_RATE else _resample_mono_s16(pcm, rate, SAMPLE_RATE)


def server_turn_config() -> TurnTakingConfig:
    """The detector settings the server runs with (``server/platform/context.py``)."""
    from server.platform.settings import Settings

    return TurnTakingConfig(intent_reasons=True, answer_end_silence_ms=Settings().answer_end_silence_ms)


def words_only(trace: list) -> list:
    """A recorded trace without the acoustic model's inputs."""
    return [(t, item) for t, item in trace if not isinstance(item, (TurnScoreRequested, TurnScore))]


def write_events(path: Path, decisions: dict[str, list[Decision]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for name, ds in decisions.items():
            for d in ds:
                f.write(json.dumps({"file": name, "t_s": round(d.t_ms / 1000, 3)}) + "\n")


def run_scorer(scorer: Path, labels: Path, events: Path) -> dict:
    out = subprocess.run([sys.executable, str(scorer), str(labels), str(events), "--quiet"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"scorer failed ({out.returncode}): {out.stderr.strip()[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def figures_of(results: dict[str, LiveReplay], entries: dict[str, dict], config: TurnTakingConfig, scorer: Path,
               labels: Path, tmp: Path, trace_filter=None) -> dict:
    """The curve's figures for the detector with ``config`` replayed on the recorded recognition."""
    path = tmp / "curve.jsonl"
    write_events(path, {name: replay_trace(trace_filter(r.trace) if trace_filter else r.trace, r.duration_ms, config,
                                           str(entries[name].get("question") or ""), r.voiced_ms)
                        for name, r in results.items()})
    return curve_point(run_scorer(scorer, labels, path))


def held_out_figures(results: dict[str, LiveReplay], entries: dict[str, dict], config: TurnTakingConfig,
                     scheme: str, scorer: Path, labels: Path, tmp: Path, neutrals: list[int]) -> dict:
    """The fusion refitted and its operating point chosen without each fold's files (``turn_fusion.cross_validate``),
    scored on them: the held-out figures, each fold's weights, and the held-out curve (each fold's weights at every
    neutral silence of the curve)."""
    from benchmarks.turn_fusion import cross_validate, weights_json

    decisions, folds = cross_validate(results, entries, config, scheme)
    if not folds:
        return {"folds": [], "note": "no fold has both ends and pauses to fit on"}
    path = tmp / f"held-out-{scheme}.jsonl"
    write_events(path, decisions)
    kept = labels_subset(labels, set(decisions), tmp / f"held-out-{scheme}-labels.json")
    out = {"figures": compact_figures(run_scorer(scorer, kept, path)),
           "folds": [{"held_out": f.held_out, "files": len(f.files), "neutral_ms": f.neutral_ms,
                      **weights_json(f.weights)} for f in folds]}
    curve = []
    for neutral in neutrals:
        at = {}
        for f in folds:
            cfg = replace(config, fusion=f.weights, answer_end_silence_ms=neutral)
            at.update({n: replay_trace(results[n].trace, results[n].duration_ms, cfg,
                                       str(entries[n].get("question") or ""), results[n].voiced_ms) for n in f.files})
        write_events(path, at)
        curve.append({"answer_end_silence_ms": neutral, **curve_point(run_scorer(scorer, kept, path))})
    out["curve"] = curve
    return out


def curve_point(score: dict) -> dict:
    """The curve's figures from one scorer result: pauses cut and latency, overall and per language."""
    pauses, lat = score["pauses"], score["latency_s"]
    return {
        "pauses_cut_rate": {"all": pauses["overall"]["rate"],
                            **{k: v["rate"] for k, v in pauses["by_language"].items()}},
        "pauses_cut": {"all": pauses["overall"]["cut"],
                       **{k: v["cut"] for k, v in pauses["by_language"].items()}},
        "latency_p50_s": {"all": lat["overall"]["p50"], **{k: v["p50"] for k, v in lat["by_language"].items()}},
        "latency_p95_s": {"all": lat["overall"]["p95"], **{k: v["p95"] for k, v in lat["by_language"].items()}},
        "missed_ends": score["missed_ends"],
    }


def compact_figures(score: dict) -> dict:
    """The scorer's headline figures: pauses cut overall, per language and per pause kind; latency p50/p95 overall,
    per language and per ending kind; missed ends and false cut-ins."""
    pauses, lat = score["pauses"], score["latency_s"]

    def rate(v: dict) -> str:
        return f"{v['cut']}/{v['total']}"

    return {
        "pauses_cut": {"all": rate(pauses["overall"]), **{k: rate(v) for k, v in pauses["by_language"].items()},
                       **{k: rate(v) for k, v in pauses["by_kind"].items()}},
        "pauses_cut_rate": {"all": pauses["overall"]["rate"],
                            **{k: v["rate"] for k, v in pauses["by_language"].items()}},
        "latency_p50_s": {"all": lat["overall"]["p50"], **{k: v["p50"] for k, v in lat["by_language"].items()},
                          **{k: v["p50"] for k, v in lat["by_ending_kind"].items()}},
        "latency_p95_s": {"all": lat["overall"]["p95"], **{k: v["p95"] for k, v in lat["by_language"].items()},
                          **{k: v["p95"] for k, v in lat["by_ending_kind"].items()}},
        "missed_ends": score["missed_ends"],
        "false_cut_ins": score["false_cut_ins"]["total"],
    }


async def replay_corpus(corpus: Path, entries: list[CorpusEntry], config: TurnTakingConfig,
                        log=print) -> dict[str, LiveReplay]:
    from analyzers import inference_pool
    from analyzers.model_registry import ModelManager
    from server.platform.settings import Settings

    settings = Settings()
    inference_pool.configure(settings.inference_threads)
    manager = ModelManager.from_settings(settings)
    end_of_turn = None
    # unlike the server, the scores are recorded even while the fusion gives the voice no weight (the server then
    # does not run the model): the fit (benchmarks/turn_fusion.py) needs them to weigh the voice at all, and the
    # detector does not wait for a score that weighs nothing, so the decisions are the server's
    if settings.end_of_turn_model:
        from analyzers.end_of_turn import EndOfTurnModelNotAvailable, shared_smart_turn

        try:
            end_of_turn = await asyncio.to_thread(shared_smart_turn)
            await asyncio.to_thread(end_of_turn.probability, np.zeros(SAMPLE_RATE, np.int16))
        except EndOfTurnModelNotAvailable as e:
            log(f"end-of-turn model not used: {e}")
    models = {}
    results: dict[str, LiveReplay] = {}
    for e in entries:
        lang = normalise_language(e.language)
        if lang not in models:
            model_id = settings.asr_models.get(lang) or settings.asr_models["en"]
            models[lang] = await manager.aload(model_id)
            await asyncio.to_thread(_warm_up, models[lang], lang)
        pcm = read_audio(corpus / e.file)
        r = await replay_live(pcm, models[lang], lang, config, e.question, end_of_turn)
        results[e.file] = r
        log(f"{e.file}: {len(r.decisions)} decision(s) at "
            f"{[round(d.t_ms / 1000, 2) for d in r.decisions]} s; audio {r.duration_ms / 1000:.1f} s, "
            f"wall {r.wall_s:.1f} s, recognition {r.inference_s:.1f} s")
    return results


def _warm_up(model, language: str) -> None:
    """One decode, so the first answer does not pay the model's first-call costs."""
    stream = model.open_stream(language)
    stream.start_utterance(0)
    stream.accept(np.zeros(SAMPLE_RATE, np.int16))
    stream.finish_utterance()
    stream.close()


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True, type=Path, help="folder with labels.json and the WAV files")
    ap.add_argument("--predictions", type=Path, help="write the decisions here (JSON lines {file, t_s})")
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER, help="the set's scorer (score_turns.py CLI)")
    ap.add_argument("--files", default="*", help="only the listed files matching this glob (e.g. 'en*')")
    ap.add_argument("--save-replay", type=Path, help="keep the recorded recognition (pickle) for --load-replay")
    ap.add_argument("--load-replay", type=Path, help="score a saved recognition again (detector changes only: the "
                    "recogniser and the acoustic model are not run)")
    ap.add_argument("--evidence", action="store_true",
                    help="also print what the detector knew at each labelled pause and end (turn_evidence.py)")
    ap.add_argument("--curve", default=",".join(map(str, CURVE_SILENCES_MS)),
                    help="neutral silences (ms, answer_end_silence_ms) of the trade-off curve, comma-separated; "
                    "empty: no curve")
    ap.add_argument("--cv", default="language,speaker",
                    help="held-out figures: the fusion refitted without each language / speaker (benchmarks/"
                    "turn_fusion.py), comma-separated; empty: none")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    labels = args.corpus / "labels.json"
    entries = [e for e in load_corpus(args.corpus) if fnmatch.fnmatch(e.file, args.files)]
    if not entries:
        raise SystemExit(f"{labels}: no files to replay")
    config = server_turn_config()
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    if args.load_replay:
        with args.load_replay.open("rb") as f:
            saved: dict[str, LiveReplay] = pickle.load(f)
        results = {}
        for e in entries:  # the detector as it is now, on the recognition as it was
            r = saved[e.file]
            results[e.file] = replace(r, decisions=replay_trace(r.trace, r.duration_ms, config, e.question, r.voiced_ms))
    else:
        results = asyncio.run(replay_corpus(args.corpus, entries, config, log))
    if args.save_replay:
        with args.save_replay.open("wb") as f:
            pickle.dump(results, f)

    raw = raw_entries(labels)
    if args.predictions:
        write_events(args.predictions, {name: r.decisions for name, r in results.items()})
    if not any(raw[e.file].get("end_of_answer_s") is not None for e in entries):
        # e.g. single read sentences: nothing to score, but what was decided is still worth seeing
        print(json.dumps({"files": len(results), "scored": 0, "note": "no entry has end_of_answer_s",
                          "decisions_s": {n: [round(d.t_ms / 1000, 3) for d in r.decisions]
                                          for n, r in results.items()}}, ensure_ascii=False))
        return {"score": None, "curve": [], "held_out": {}, "replay_differs": []}
    with tempfile.TemporaryDirectory(prefix="turns-") as tmp:
        labels = labels_subset(labels, {e.file for e in entries}, Path(tmp) / "labels.json")
        events = args.predictions or Path(tmp) / "decisions.jsonl"
        if not args.predictions:
            write_events(events, {name: r.decisions for name, r in results.items()})
        score = run_scorer(args.scorer, labels, events)

        live_times = {name: [d.t_ms for d in r.decisions] for name, r in results.items()}
        replayed = {name: [d.t_ms for d in replay_trace(r.trace, r.duration_ms, config, e.question, r.voiced_ms)]
                    for (name, r), e in zip(results.items(), entries)}
        differ = sorted(n for n in results if live_times[n] != replayed[n])
        curve = []
        for silence in [int(x) for x in args.curve.split(",") if x.strip()]:
            cfg = replace(config, answer_end_silence_ms=silence)
            point = {"answer_end_silence_ms": silence, "threshold": round(cfg.fusion.threshold_at(silence), 4),
                     **figures_of(results, raw, cfg, args.scorer, labels, Path(tmp))}
            # the same recognition without the acoustic model's inputs, and with every signal's weight 0 (silence)
            point["without_voice"] = figures_of(results, raw, cfg, args.scorer, labels, Path(tmp), words_only)
            point["silence_only"] = figures_of(results, raw, replace(cfg, fusion=SILENCE_ONLY), args.scorer,
                                               labels, Path(tmp))
            curve.append(point)
        held_out = {}
        for scheme in [x.strip() for x in args.cv.split(",") if x.strip()]:
            held_out[scheme] = held_out_figures(results, raw, config, scheme, args.scorer, labels, Path(tmp),
                                                [p["answer_end_silence_ms"] for p in curve])

    if args.evidence:
        from benchmarks.turn_evidence import silences, summarise

        found = [s for name, r in results.items() for s in silences(name, r.trace, r.duration_ms, config, raw[name])]
        print(json.dumps({"evidence": summarise(found)}, ensure_ascii=False))
    wall = time.perf_counter() - t0
    audio_s = sum(r.duration_ms for r in results.values()) / 1000
    print(json.dumps({"replay_check": {"files": len(results), "live_equals_replay": not differ, "differ": differ},
                      "config": {"answer_end_silence_ms": config.answer_end_silence_ms},
                      "wall_s": round(wall, 1), "audio_s": round(audio_s, 1),
                      "load_average_1m": round(os.getloadavg()[0], 2)}))
    print(json.dumps({"tradeoff_curve": curve}))
    print(json.dumps({"held_out": held_out}))
    print(json.dumps(score, ensure_ascii=False))
    return {"score": score, "curve": curve, "held_out": held_out, "replay_differs": differ}


if __name__ == "__main__":
    main()
