"""Can the language model tell a thinking pause from the end of an answer by what was said? Prints ONE JSON object.

    python -m benchmarks.turn_semantics --corpus ../shared/dev-data/speech/synthetic [--url http://HOST:PORT]

For every labelled pause and every answer's end in the corpus's ``labels.json`` (the turn-taking schema of
``benchmarks/turn_taking.py``), the model is given the entry's ``question`` and the words said so far (the labels'
own segment texts: a best case, with no recognition errors) and asked whether the candidate has finished. Its
P(yes) is the first token's odds (``analyzers/llm_client.yes_odds_of``, as the live relevance check reads them).

Printed per language and in all: the AUC of P(yes) for ends against pauses (0.5 = chance), how many ends would be
caught with at most 0, 1, 2 or 3 pauses cut (the best any threshold on this signal alone can do), the mean P(yes)
per pause kind and ending kind, and the time one ask took. Without ``--url`` the embedded engine is started as the
server starts it (llama.cpp's server with the judge model); with it, any OpenAI-compatible endpoint that returns
log-probabilities is asked.

This is evidence for the detector's design (``dialogue/end_fusion.py``), not part of it: the signal is not used
live (see the README's issue 13 figures for why).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import psutil

from analyzers.llm_client import LlmReplyError, yes_odds_of
from analyzers.llm_engine import EngineConfig, start_embedded_engine
from analyzers.model_registry import JUDGE_MODEL_ID, ModelManager

INSTRUCTIONS = (
    "You watch a live job interview. The candidate answers a question aloud and has just gone silent. Decide "
    "whether the candidate has finished the answer, or is only pausing and will go on speaking. Reply with one "
    "word: yes (finished) or no (will go on).")


@dataclass
class Moment:
    """A silence in one answer: a labelled pause (``ended`` False) or the answer's end."""

    file: str
    language: str
    kind: str
    ended: bool
    question: str
    words: str
    p_yes: float | None = None
    seconds: float | None = None


def moments(labels: dict) -> list[Moment]:
    out = []
    for name, entry in sorted(labels.items()):
        texts = [s["text"] for s in entry.get("segments", [])]
        if not texts or entry.get("end_of_answer_s") is None:
            continue
        language = entry.get("language") or "en"
        join = "" if language == "zh" else " "
        question = entry.get("question", "")
        for pause in entry.get("pauses", []):
            said = texts[: pause["after_segment"] + 1]
            out.append(Moment(name, language, pause.get("kind", "unknown"), False, question, join.join(said)))
        out.append(Moment(name, language, "end:" + entry.get("ending_kind", "unknown"), True, question,
                          join.join(texts)))
    return out


async def ask(http: aiohttp.ClientSession, base_url: str, model: str, m: Moment) -> None:
    body = {"model": model, "temperature": 0.0, "max_tokens": 1, "logprobs": True, "top_logprobs": 10,
            "cache_prompt": True,
            "messages": [{"role": "system", "content": INSTRUCTIONS},
                         {"role": "user", "content": f"Question: {m.question}\nThe candidate so far: "
                                                     f"\"{m.words}\"\nHas the candidate finished?"}]}
    t0 = time.perf_counter()
    async with http.post(f"{base_url}/v1/chat/completions", json=body) as r:
        r.raise_for_status()
        reply = await r.json()
    m.seconds = time.perf_counter() - t0
    try:
        m.p_yes = yes_odds_of(reply).p_yes
    except LlmReplyError:
        m.p_yes = 0.5  # neither yes nor no: no information


def auc(ends: list[float], pauses: list[float]) -> float | None:
    if not ends or not pauses:
        return None
    wins = sum((e > p) + 0.5 * (e == p) for e in ends for p in pauses)
    return round(wins / (len(ends) * len(pauses)), 3)


def summary(ms: list[Moment]) -> dict:
    ends = [m.p_yes for m in ms if m.ended]
    pauses = sorted((m.p_yes for m in ms if not m.ended), reverse=True)
    caught = {}
    for allowed in range(4):  # a threshold just above the (allowed+1)-th most end-like pause
        bar = pauses[allowed] if allowed < len(pauses) else -1.0
        caught[f"with_{allowed}_pauses_cut"] = f"{sum(e > bar for e in ends)}/{len(ends)}"
    kinds = sorted({m.kind for m in ms})
    return {"ends": len(ends), "pauses": len(pauses), "auc": auc(ends, pauses), "ends_caught": caught,
            "mean_p_yes_by_kind": {k: round(statistics.mean(m.p_yes for m in ms if m.kind == k), 3) for k in kinds}}


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True, help="a folder with labels.json (turn-taking schema)")
    ap.add_argument("--url", help="an OpenAI-compatible endpoint (default: start the embedded engine)")
    ap.add_argument("--model", default=JUDGE_MODEL_ID)
    ap.add_argument("--cache-dir", default=str(Path.home() / ".cache/interview-server/models"))
    args = ap.parse_args()
    data = json.loads((Path(args.corpus) / "labels.json").read_text(encoding="utf-8"))
    ms = moments(data.get("answers", data))
    engine = None
    if args.url is None:
        engine = await start_embedded_engine(ModelManager(args.cache_dir), JUDGE_MODEL_ID, EngineConfig())
        base_url = engine.endpoint.base_url.rstrip("/").removesuffix("/v1")
    else:
        base_url = args.url.rstrip("/").removesuffix("/v1")
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
            for m in ms:
                await ask(http, base_url, args.model, m)
    finally:
        if engine is not None:
            await engine.stop()
    languages = sorted({m.language for m in ms})
    times = [m.seconds for m in ms if m.seconds is not None]
    print(json.dumps({
        "corpus": args.corpus, "model": args.model, "text": "reference (labels' segment texts)",
        "load_average_1m": round(psutil.getloadavg()[0], 2),
        "ask_s": {"p50": round(statistics.median(times), 3), "max": round(max(times), 3)} if times else None,
        "all": summary(ms), "by_language": {lang: summary([m for m in ms if m.language == lang]) for lang in languages},
    }, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
