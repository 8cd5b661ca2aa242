"""Voice and content analyzer benchmark; prints one JSON object.

    python benchmarks/text_voice_bench.py [--repeat N]

* ``voice_ms_per_audio_s``: ``VoiceAnalyzer.analyze_utterance`` time per second of 16 kHz audio (espeak-ng English
  answer with two 1.5 s pauses, ~16 s), median of N runs;
* ``content_ms_per_answer``: ``ContentAnalyzer.analyze_answer`` on English and Chinese 4-sentence answers with
  three expected points (warm: jieba loaded, model loaded), median;
* ``embedder_ms_per_sentence``: multilingual USE, one sentence per call and in a batch of 32;
* load times and the process RSS (MB) after everything ran.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzers.content import ContentAnalyzer  # noqa: E402
from analyzers.embeddings import load_multilingual_use  # noqa: E402
from analyzers.voice import VoiceAnalyzer  # noqa: E402
from benchmarks.synthetic_media import make_speech_wav, read_wav_mono  # noqa: E402

SENTENCES = [
    "In my last role I led a team of five engineers that rebuilt the billing system.",
    "We cut the monthly processing time from three days to four hours.",
    "The hardest part was convincing the finance team to change their old workflow.",
]
ANSWERS = [
    (
        "Tell me about a time you improved the performance of a slow system.",
        ["what the performance problem was", "the technical changes, such as caching", "the measurable result"],
        "Last year our checkout API had a serious performance problem during sales peaks. My task was to bring "
        "the p99 latency under one second. I profiled the service, added a Redis cache and rewrote two queries. "
        "As a result, latency dropped from 4 seconds to 300 milliseconds and conversion went up by 12%.",
        "en",
    ),
    (
        "请讲一个你提升系统性能的经历。",
        ["遇到的性能问题", "采取的技术改进，例如缓存", "可量化的结果"],
        "去年我们的下单接口在大促期间经常超时，性能问题很严重。我的任务是在双十一之前把延迟降到一秒以内。"
        "我做了性能分析，于是引入了Redis缓存，并为慢查询加了索引。最终延迟从4秒降到300毫秒，转化率提升了12%。",
        "zh",
    ),
]


def to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    resampler = av.AudioResampler(format="s16", layout="mono", rate=16000)
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    frame.time_base = Fraction(1, rate)
    return np.concatenate([f.to_ndarray().reshape(-1) for f in [*resampler.resample(frame), *resampler.resample(None)]])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    print(json.dumps(measure(args.repeat), ensure_ascii=False))


def measure(repeat: int = 20) -> dict:
    """Voice, embedder and content figures (see the module docstring)."""
    args = argparse.Namespace(repeat=repeat)
    proc = psutil.Process()
    rss0 = proc.memory_info().rss / 2**20

    # Voice.
    with tempfile.TemporaryDirectory() as tmp:
        tl = make_speech_wav(Path(tmp) / "a.wav", [SENTENCES[0], 1.5, SENTENCES[1], 1.5, SENTENCES[2]], voice="en-us")
        pcm = to_16k(*read_wav_mono(tl.path))
    audio_s = pcm.size / 16000
    voice = VoiceAnalyzer()
    voice.analyze_utterance(pcm, 0, [], " ".join(SENTENCES), "en")  # warm-up
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        obs = voice.analyze_utterance(pcm, 0, [], " ".join(SENTENCES), "en")
        times.append(time.perf_counter() - t)
    voice_ms_per_s = statistics.median(times) * 1000 / audio_s
    v = obs.values
    rss_voice = proc.memory_info().rss / 2**20

    # Embedder.
    t = time.perf_counter()
    muse = load_multilingual_use()
    load_s = time.perf_counter() - t
    rss_model = proc.memory_info().rss / 2**20
    sents = [s for _, _, a, _ in ANSWERS for s in a.replace("。", "。\n").replace(". ", ".\n").splitlines()]
    sents = (sents * 4)[:32]
    muse.embed(sents[:2])
    t = time.perf_counter()
    for _ in range(3):
        for s in sents:
            muse.embed([s])
    single_ms = (time.perf_counter() - t) * 1000 / (3 * len(sents))
    t = time.perf_counter()
    for _ in range(3):
        muse.embed(sents)
    batch_ms = (time.perf_counter() - t) * 1000 / (3 * len(sents))
    e = muse.embed(["I led a team of five engineers to rebuild the billing system.", "我带领五名工程师重建了计费系统。",
                    "The weather is nice today and I like to go hiking."])

    # Content.
    content = ContentAnalyzer(muse)
    t = time.perf_counter()
    content.warm_up()
    warm_s = time.perf_counter() - t
    rss_jieba = proc.memory_info().rss / 2**20
    per_lang = {}
    for q, pts, a, lang in ANSWERS:
        ts = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            c = content.analyze_answer(q, pts, a, lang)
            ts.append(time.perf_counter() - t)
        per_lang[lang] = {
            "ms": round(statistics.median(ts) * 1000, 2),
            "coverage_score": c.values["coverage_score"],
            "star_parts_found": c.values["star_parts_found"],
            "relevance": c.values["relevance"]["cosine"],
        }

    return {
        "cpu_count": os.cpu_count(),
        "voice_ms_per_audio_s": round(voice_ms_per_s, 3),
        "voice_audio_s": round(audio_s, 2),
        "voice_measured": {k: v[k] for k in ("speech_rate", "articulation_rate", "long_pause_count", "pause_ratio",
                                            "pitch_median_hz", "pitch_range_st", "loudness_mean_dbfs")},
        "content_ms_per_answer": round(statistics.mean(x["ms"] for x in per_lang.values()), 2),
        "content_per_language": per_lang,
        "content_warm_up_s": round(warm_s, 3),
        "embedder": muse.model_id,
        "embedder_load_s": round(load_s, 3),
        "embedder_ms_per_sentence": round(single_ms, 3),
        "embedder_ms_per_sentence_batch32": round(batch_ms, 3),
        "en_zh_paraphrase_cosine": round(float(e[0] @ e[1]), 3),
        "unrelated_cosine": round(float(e[0] @ e[2]), 3),
        "rss_mb_start": round(rss0, 1),
        "rss_mb_after_voice": round(rss_voice, 1),
        "rss_mb_after_embedder_load": round(rss_model, 1),
        "rss_mb_after_jieba": round(rss_jieba, 1),
        "rss_mb": round(proc.memory_info().rss / 2**20, 1),
    }


if __name__ == "__main__":
    main()
