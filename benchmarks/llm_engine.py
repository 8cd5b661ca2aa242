"""Language-model engine benchmark: start time, memory, prompt and generation speed, and the latency of a typical
rubric-scoring request, cold and with the rubric prefix cached; prints JSON.

    python benchmarks/llm_engine.py [--threads N] [--cached-runs 3] [--cache-dir DIR]

The engine is the embedded one (llama.cpp's server with the judge model, as the server starts it). A request is
what scoring sends: instructions and the question's rubric (expected points, level anchors) first, the answer
last, the reply constrained to a JSON schema. "Cold" is the first request after start; "prefix cached" requests
keep the rubric and change the answer, so the engine only reads the answer. Token speeds are the engine's own
timings of the cold request (prompt: tokens read per second; generation: tokens written per second).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Literal

import psutil
from pydantic import BaseModel, Field

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzers.llm_client import schema_format  # noqa: E402
from analyzers.llm_engine import EngineConfig, start_embedded_engine  # noqa: E402
from analyzers.model_registry import JUDGE_MODEL_ID, ModelManager  # noqa: E402

RUBRIC = """You are an experienced interviewer scoring one answer to a structured interview question.
Competency: problem solving and ownership.
Question: Tell me about a time you made a slow system noticeably faster. What did you do, and what changed?
Expected points:
1. The situation and why the slowness mattered (users, money, deadlines).
2. How the cause was found (measurement, profiling, experiments) rather than guessed.
3. What the candidate personally did, as opposed to the team.
4. The result, with a measured before and after.
5. What they would do differently or what they learned.
Level anchors:
1 - Does not answer the question, or talks about something else.
2 - General statements about performance work without one concrete case.
3 - A concrete case, but the cause, the candidate's own part or the result stays vague.
4 - A concrete case with the cause found by measurement and the candidate's own actions; result not measured.
5 - All of level 4 and a quantified outcome (numbers before and after), plus a lesson learned.
Rules: judge only what the answer says; quote the candidate's own words as evidence, copied exactly; list the
expected points that are missing; never judge personality, accent, appearance or any protected attribute.
Reply with JSON only."""

ANSWERS = [
    "Our checkout API was timing out during sales. I added timing logs and profiled it, and found an N+1 query in "
    "the price lookup. I rewrote it as one batched query and put a small cache in front. p95 latency went from "
    "800 ms to 120 ms and the timeouts stopped. Next time I would add the latency dashboard before launch.",
    "我们的报表页面打开要十几秒，客户经常投诉。我用火焰图分析，发现是每一行都单独查一次数据库。我把查询合并成一次批量查询，"
    "又加了索引。页面加载时间从十二秒降到了不到两秒，投诉基本没有了。我学到的是上线前要先做压测。",
    "I think performance is really important and I always try to write efficient code. In my team we care about "
    "speed and we usually optimise things when they are slow.",
    "Last year our nightly batch job started running into the morning. My manager asked me to look at it. I "
    "measured each stage and saw that most of the time went into sorting a huge file on one machine. I split "
    "it and sorted the parts in parallel, and the job finished about three times faster.",
]


class RubricScore(BaseModel):
    level: Literal[1, 2, 3, 4, 5]
    evidence: list[str] = Field(max_length=2, description="short phrases copied exactly from the answer")
    missing: list[int] = Field(max_length=5, description="numbers of the expected points the answer lacks")
    reason: str = Field(max_length=160)


def request_body(answer: str) -> dict:
    return {"model": JUDGE_MODEL_ID, "temperature": 0.0, "max_tokens": 384, "cache_prompt": True,
            "response_format": schema_format(RubricScore),
            "messages": [{"role": "system", "content": RUBRIC}, {"role": "user", "content": f"Answer: {answer}"}]}


async def score(http, base_url: str, answer: str) -> dict:
    t0 = time.perf_counter()
    async with http.post(f"{base_url}/chat/completions", json=request_body(answer)) as resp:
        reply = await resp.json()
    seconds = time.perf_counter() - t0
    RubricScore.model_validate_json(reply["choices"][0]["message"]["content"])
    t = reply.get("timings", {})
    return {"seconds": round(seconds, 2), "prompt_tokens": t.get("prompt_n"), "cached_tokens": t.get("cache_n"),
            "prompt_tokens_per_s": round(t.get("prompt_per_second", 0), 1),
            "generated_tokens": t.get("predicted_n"),
            "generation_tokens_per_s": round(t.get("predicted_per_second", 0), 1)}


async def main() -> None:
    import aiohttp

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=EngineConfig.threads)
    ap.add_argument("--cached-runs", type=int, default=3)
    ap.add_argument("--cache-dir", default=str(Path.home() / ".cache/interview-server/models"),
                    help="model cache holding (or to receive) the judge model")
    args = ap.parse_args()

    t0 = time.perf_counter()
    engine = await start_embedded_engine(ModelManager(args.cache_dir), JUDGE_MODEL_ID,
                                         EngineConfig(threads=args.threads))
    start_s = time.perf_counter() - t0
    try:
        base = engine.endpoint.base_url
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as http:
            cold = await score(http, base, ANSWERS[0])
            cached = [await score(http, base, ANSWERS[1 + i % (len(ANSWERS) - 1)]) for i in range(args.cached_runs)]
        rss_mb = psutil.Process(engine.pid).memory_info().rss / 2**20
    finally:
        await engine.stop()
    print(json.dumps({
        "engine": "llama.cpp llama-server", "binary": str(engine.binary), "model": JUDGE_MODEL_ID,
        "threads": args.threads, "cpu_cores": psutil.cpu_count(), "load_average_1m": round(psutil.getloadavg()[0], 2),
        "start_s": round(start_s, 2), "rss_mb": round(rss_mb),
        "prompt_tokens_per_s": cold["prompt_tokens_per_s"], "generation_tokens_per_s": cold["generation_tokens_per_s"],
        "rubric_score_cold_s": cold["seconds"],
        "rubric_score_prefix_cached_s_median": statistics.median(r["seconds"] for r in cached),
        "requests": {"cold": cold, "prefix_cached": cached},
    }, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
