"""Scores and next moves against expert labels, through the functions the live server calls at the end of an answer.

    python -m benchmarks.scoring --questions Q.json --answers A.json [--predictions OUT.jsonl] [--path rules]
                                 [--scorer score_answers.py]

Works on any set in the answer-set schema (``questions.json``: id, language, competency, text, expected_points,
rating_scale "1".."5"; ``answers.json``: id, question_id, text; the labels are read only by the scorer). Each
question becomes a plan question (``plan_question``) built from its own fields only, each answer is analysed in a
fresh context with ``dialogue.followup.build_context`` and judged by ``dialogue.answer_judgement.judge_answer``,
as in ``server/live/interview.py``. One prediction line per answer (``id``, ``score``, ``followup``, ``evidence``)
goes to ``--predictions``; then the set's scorer runs on it and its JSON is printed, followed by the time from
answer end to decided follow-up (p50/p95) and which path decided.

Paths: ``rules`` (``dialogue.followup.RuleBasedPolicy`` and ``dialogue.scoring``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from analyzers.text.language import normalise_language
from analyzers.inference_pool import run_inference
from dialogue.answer_judgement import AnswerJudgement, judge_answer
from dialogue.followup import BUILTIN_TEMPLATES, FollowUpDecision, FollowUpPolicyV2, RuleBasedPolicy, build_context
from dialogue.plan import FollowUpRule, FollowUpTrigger, PlanQuestionSpec, RubricLevel

DEFAULT_SCORER = Path(__file__).resolve().parents[2] / "shared" / "dev-data" / "scoring" / "score_answers.py"

# The plan's follow-up triggers and the scorer's next-move labels: one table, read both ways.
# Every trigger a plan can enable except resume_contradiction (no resume here) is enabled for benchmark plans.
TRIGGER_LABEL: dict[str, str] = {
    "clarify": "clarify",  # the answer misses the question: repeat it
    "no_example": "ask_example",  # general statements, no specific past situation
    "vague_claim": "ask_example",  # a claim about oneself: asks for an example that shows it
    "too_short": "ask_example",  # a non-answer: asks for more (an example first)
    "personal_role": "ask_personal_role",  # "we" throughout: what did you do yourself
    "missing_result": "ask_result",  # no outcome stated
    "missing_numbers": "ask_result",  # an outcome with nothing measurable
    "resume_contradiction": "clarify",  # a fact to check again (needs a resume; never fires here)
}
BENCHMARK_TRIGGERS = ("no_example", "vague_claim", "personal_role", "missing_result", "missing_numbers", "too_short")


def followup_label(decision: FollowUpDecision | None) -> str:
    """The scorer's label for a policy decision: ``none`` for moving on (or a failed policy)."""
    if decision is None or decision.kind == "next":
        return "none"
    return TRIGGER_LABEL[decision.trigger or decision.kind]


def plan_question(q: dict[str, Any]) -> PlanQuestionSpec:
    """A plan question from an answer-set question: its text, competency, expected points and anchored scale, in
    its own language; every follow-up trigger of ``BENCHMARK_TRIGGERS`` enabled with the built-in wording."""
    lang = normalise_language(q.get("language") or "en")
    scale = q.get("rating_scale") or {}
    return PlanQuestionSpec(
        id=str(q["id"]),
        competency=str(q.get("competency") or q["id"])[:100],
        text={lang: q["text"]},
        expected_points={lang: list(q.get("expected_points") or [])},
        rubric=[RubricLevel(score=int(k), description={lang: v}) for k, v in scale.items() if str(v).strip()],
        follow_ups=[FollowUpRule(trigger=t, template={lang: BUILTIN_TEMPLATES[t][lang]})  # type: ignore[arg-type]
                    for t in BENCHMARK_TRIGGERS if t in get_args(FollowUpTrigger)],
    )


@dataclass(frozen=True)
class JudgedAnswer:
    id: str
    judgement: AnswerJudgement
    decide_ms: float  # analysis of the answer plus the decision: the time from answer end to the next move

    def prediction(self) -> dict[str, Any]:
        evidence = list(dict.fromkeys(e.quote for e in self.judgement.score.evidence if e.quote))
        return {"id": self.id, "score": self.judgement.score.score,
                "followup": followup_label(self.judgement.decision), "evidence": evidence}


def make_policy(path: str) -> tuple[FollowUpPolicyV2, Any]:
    """The follow-up policy and content analyzer of one path, built the way server/live builds them."""
    from analyzers.content import ContentAnalyzer
    from analyzers.embeddings import load_multilingual_use

    analyzer = ContentAnalyzer(load_multilingual_use())
    analyzer.warm_up()
    if path == "rules":
        return RuleBasedPolicy(), analyzer
    raise SystemExit(f"unknown path {path!r}")


async def judge_all(questions: dict[str, PlanQuestionSpec], langs: dict[str, str], answers: list[dict[str, Any]],
                    policy: FollowUpPolicyV2, analyzer: Any) -> list[JudgedAnswer]:
    out = []
    for a in answers:
        spec = questions[a["question_id"]]
        lang = normalise_language(a.get("language") or langs[a["question_id"]])
        t0 = time.perf_counter()
        ctx = await run_inference(build_context, analyzer, spec, lang, [a["text"]])  # a fresh context each, as live
        judgement = await judge_answer(ctx, policy)
        out.append(JudgedAnswer(a["id"], judgement, (time.perf_counter() - t0) * 1000))
    return out


def _percentile(values: list[float], p: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", required=True, type=Path)
    ap.add_argument("--answers", required=True, type=Path)
    ap.add_argument("--predictions", type=Path, help="where to write the prediction lines (default: a temp file)")
    ap.add_argument("--path", choices=["rules"], default="rules")
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER, help="the set's score_answers.py")
    ap.add_argument("--bootstrap", type=int, default=2000)
    args = ap.parse_args(argv)

    qdoc = json.loads(args.questions.read_text(encoding="utf-8"))
    adoc = json.loads(args.answers.read_text(encoding="utf-8"))
    questions = {q["id"]: plan_question(q) for q in qdoc["questions"]}
    langs = {q["id"]: q.get("language") or "en" for q in qdoc["questions"]}
    policy, analyzer = make_policy(args.path)
    judged = asyncio.run(judge_all(questions, langs, adoc["answers"], policy, analyzer))

    pred_path = args.predictions or Path(tempfile.mkstemp(prefix="scoring-", suffix=".jsonl")[1])
    with pred_path.open("w", encoding="utf-8") as fh:
        for j in judged:
            fh.write(json.dumps(j.prediction(), ensure_ascii=False) + "\n")
    run = subprocess.run([sys.executable, str(args.scorer), str(args.questions), str(args.answers), str(pred_path),
                          "--bootstrap", str(args.bootstrap)], capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stdout + run.stderr, file=sys.stderr)
        return run.returncode
    lines = run.stdout.strip().splitlines()
    print("\n".join(lines[:-1]), file=sys.stderr)
    report = json.loads(lines[-1])
    times = [j.decide_ms for j in judged]
    sources: dict[str, int] = {}
    for j in judged:
        src = j.judgement.decision.source if j.judgement.decision else "none (policy failed)"
        sources[src] = sources.get(src, 0) + 1
    report["benchmark"] = {"path": args.path, "predictions": str(pred_path), "answers": len(judged),
                           "decide_ms_p50": round(_percentile(times, 50), 1),
                           "decide_ms_p95": round(_percentile(times, 95), 1), "decided_by": sources}
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
