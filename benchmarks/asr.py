"""ASR benchmark: accuracy on a labelled corpus, or load time, real-time factor and final latency; prints JSON.

    python -m benchmarks.asr --corpus DIR [--models ID,ID] [--files GLOB] [--predictions OUT.jsonl]
    python -m benchmarks.asr [--models whisper-tiny.en,vosk-ko] [--cache-dir DIR] [--threads N]

With ``--corpus``: WER (English) / CER (Chinese) per corpus, model and language through the live speech path
(``benchmarks/asr_accuracy.py``). Without it, speed:

Speech is synthesized with espeak-ng (English; Korean for Korean-only models). Each sentence is streamed to a
recognizer in 160 ms batches (as the transcriber does), so ``rtf_streaming`` includes the partial re-decodes;
``rtf_final_only`` is a single decode per utterance; ``final_latency_ms`` is the time ``finish_utterance`` takes
(added to the VAD's end-silence wait in a live call).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzers.model_registry import ModelManager  # noqa: E402
from benchmarks.synthetic_media import espeak_pcm16k  # noqa: E402

SENTENCES = {
    "en": [
        "I led a team of five engineers",
        "We shipped the product two months early and under budget",
        "The hardest part was convincing the stakeholders to change the plan",
        "In the end customer complaints dropped by forty percent",
    ],
    "ko": ["안녕하세요 저는 엔지니어입니다", "우리 팀은 다섯 명이었습니다"],
}


def synth(text: str, voice: str) -> np.ndarray:
    return espeak_pcm16k(text, voice)


def bench(manager: ModelManager, model_id: str) -> dict:
    spec = manager.spec(model_id)
    lang = "en" if spec.supports("en") else spec.languages[0]
    clips = [synth(s, lang) for s in SENTENCES.get(lang, SENTENCES["en"])]
    t0 = time.perf_counter()
    model = manager.load(model_id)
    load_s = time.perf_counter() - t0
    stream = model.open_stream(lang)
    audio_s = sum(len(c) for c in clips) / 16000
    streaming_s, final_only_s, latencies, texts, partials = 0.0, 0.0, [], [], 0
    for clip in clips:
        stream.start_utterance(0)
        t0 = time.perf_counter()
        for i in range(0, len(clip), 2560):
            partials += stream.accept(clip[i : i + 2560]) is not None
        t1 = time.perf_counter()
        final = stream.finish_utterance()
        t2 = time.perf_counter()
        streaming_s += t2 - t0
        latencies.append((t2 - t1) * 1000)
        texts.append(final.text if final else "")
        stream.start_utterance(0)
        t0 = time.perf_counter()
        stream.accept(clip)
        stream.finish_utterance()
        final_only_s += time.perf_counter() - t0
    stream.close()
    return {
        "model": model_id,
        "engine": spec.engine,
        "language": lang,
        "load_s": round(load_s, 3),
        "audio_s": round(audio_s, 2),
        "rtf_streaming": round(streaming_s / audio_s, 3),
        "rtf_final_only": round(final_only_s / audio_s, 3),
        "final_latency_ms_median": round(statistics.median(latencies), 1),
        "final_latency_ms_max": round(max(latencies), 1),
        "partials": partials,
        "texts": texts,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, help="labelled corpus (labels.json) or a folder of them: accuracy")
    ap.add_argument("--files", default="*", help="with --corpus: only files matching this glob")
    ap.add_argument("--predictions", type=Path, help="with --corpus: write each file's hypothesis and errors here")
    ap.add_argument("--models", help="comma-separated ids (default: every available model)")
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="inference threads (Whisper workers)")
    args = ap.parse_args(argv)
    if args.corpus:
        from benchmarks.asr_accuracy import main as accuracy

        accuracy(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        manager = ModelManager(args.cache_dir or tmp, inference_threads=args.threads)
        ids = args.models.split(",") if args.models else [s["id"] for s in manager.status() if s["available"]]
        results = [bench(manager, i) for i in ids]
    print(json.dumps({"cpu_count": os.cpu_count(), "threads": args.threads, "results": results}, ensure_ascii=False,
                     indent=2))


if __name__ == "__main__":
    main()
