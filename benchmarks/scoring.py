"""Scores and next moves against expert labels, through the functions the live server calls at the end of an answer.

    python -m benchmarks.scoring --questions Q.json --answers A.json [--predictions OUT.jsonl]
                                 [--path rules|model] [--llm-engine embedded|URL] [--scorer score_answers.py]

Works on any set in the answer-set schema (``questions.json``: id, language, competency, text, expected_points,
rating_scale "1".."5"; ``answers.json``: id, question_id, text; the labels are read only by the scorer). Each
question becomes a plan question (``plan_question``) built from its own fields only, each answer is analysed in a
fresh context with ``dialogue.followup.build_context`` and judged by ``dialogue.answer_judgement.judge_answer``,
as in ``server/live/interview.py``. One prediction line per answer (``id``, ``score``, ``followup``, ``evidence``)
goes to ``--predictions``; then the set's scorer runs on it and its JSON is printed, followed by the time from
answer end to decided follow-up (p50/p95) and which path decided.

Paths:

* ``rules``: ``dialogue.followup.RuleBasedPolicy`` and ``dialogue.scoring``, the no-model mode.
* ``model``: the same rules with the language model's relevance contrast (``dialogue.model_relevance``), as the
  live interview runs it: the model is asked while the candidate is still speaking (here: on the answer without its
  last sentence, the last pause), asked again at the answer's end (the real question only: the control questions'
  odds come from the pause), and the next move waits for it at most
  ``--decision-wait`` seconds after the end, else the rules decide alone (counted as a fallback). The score waits
  for the model up to the client's budget (the live score may be refined after the next question is asked). The
  embedded engine is started by the benchmark (``--llm-engine URL`` uses a running one instead).
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

from analyzers.inference_pool import run_inference
from analyzers.llm_client import DEFAULT_TIMEOUT_S, LlmClient, LlmError
from benchmarks.llm_endpoint import DEFAULT_MODEL_NAME, open_endpoint
from analyzers.text.language import normalise_language
from analyzers.text.sentences import split_sentences
from dialogue.answer_judgement import DECISION_WAIT_S, AnswerJudgement, judge_answer
from dialogue.model_relevance import ModelRelevance, ask_model_relevance
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
    model_decided: bool = False  # the model's judgement was ready in time for the next move
    off_topic_by_model: bool = False  # the model's contrast found the answer to be about something else

    def prediction(self) -> dict[str, Any]:
        evidence = list(dict.fromkeys(e.quote for e in self.judgement.score.evidence if e.quote))
        return {"id": self.id, "score": self.judgement.score.score,
                "followup": followup_label(self.judgement.decision), "evidence": evidence}


def make_analyzer() -> Any:
    """The content analyzer, built the way server/live builds it."""
    from analyzers.content import ContentAnalyzer
    from analyzers.embeddings import load_multilingual_use

    analyzer = ContentAnalyzer(load_multilingual_use())
    analyzer.warm_up()
    return analyzer


def last_pause_prefix(text: str, lang: str) -> str | None:
    """The answer up to its last sentence: what the live path has heard at the candidate's last pause."""
    sentences = split_sentences(text)
    if len(sentences) < 2:
        return None
    cut = text.rfind(sentences[-1])
    return text[:cut].strip() or None


async def judge_all(questions: dict[str, PlanQuestionSpec], langs: dict[str, str], answers: list[dict[str, Any]],
                    policy: FollowUpPolicyV2, analyzer: Any, client: LlmClient | None = None,
                    decision_wait_s: float = DECISION_WAIT_S) -> list[JudgedAnswer]:
    """Each answer in a fresh context; with ``client``, the model path (see the module docstring)."""
    out = []
    for n, a in enumerate(answers, 1):
        if n % 10 == 0:
            print(f"... {n} of {len(answers)} answers", file=sys.stderr, flush=True)
        spec = questions[a["question_id"]]
        lang = normalise_language(a.get("language") or langs[a["question_id"]])
        question = spec.text_in(lang)
        at_pause = None
        if client is not None and (heard := last_pause_prefix(a["text"], lang)):
            try:  # at the last pause, while the candidate still speaks: not on the clock
                at_pause = await ask_model_relevance(client, question, lang, heard)
            except LlmError:
                pass
        t0 = time.perf_counter()
        asked = (asyncio.ensure_future(ask_model_relevance(client, question, lang, a["text"],
                                                           known_controls=at_pause.p_controls if at_pause else None))
                 if client is not None else None)
        ctx = await run_inference(build_context, analyzer, spec, lang, [a["text"]])  # a fresh context each, as live
        relevance = None
        if asked is not None:
            left = decision_wait_s - (time.perf_counter() - t0)
            done, _ = await asyncio.wait({asked}, timeout=max(0.0, left))
            relevance = _relevance_of(asked) if done else None
        judgement = await judge_answer(ctx, policy, relevance=relevance)
        decide_ms = (time.perf_counter() - t0) * 1000
        score, scored_with = judgement.score, relevance
        if asked is not None and relevance is None:  # the score may be refined after the next question
            await asyncio.wait({asked})
            if (scored_with := _relevance_of(asked)) is not None:
                score = (await judge_answer(ctx, policy, relevance=scored_with)).score
        out.append(JudgedAnswer(a["id"], AnswerJudgement(judgement.decision, score), decide_ms,
                                model_decided=relevance is not None,
                                off_topic_by_model=scored_with is not None and scored_with.off_topic))
    return out


def _relevance_of(task: asyncio.Future) -> ModelRelevance | None:
    error = task.exception()
    if error is None:
        return task.result()
    if not isinstance(error, LlmError):
        raise error
    return None


async def run_path(args: argparse.Namespace, questions: dict[str, PlanQuestionSpec], langs: dict[str, str],
                   answers: list[dict[str, Any]]) -> list[JudgedAnswer]:
    analyzer = make_analyzer()
    policy = RuleBasedPolicy()
    if args.path == "rules":
        return await judge_all(questions, langs, answers, policy, analyzer)
    endpoint, engine = await open_endpoint(args.llm_engine, args.llm_model)
    try:
        client = LlmClient(endpoint, timeout_s=args.llm_timeout)
        return await judge_all(questions, langs, answers, policy, analyzer, client, args.decision_wait)
    finally:
        if engine is not None:
            await engine.stop()


def _percentile(values: list[float], p: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", required=True, type=Path)
    ap.add_argument("--answers", required=True, type=Path)
    ap.add_argument("--predictions", type=Path, help="where to write the prediction lines (default: a temp file)")
    ap.add_argument("--path", choices=["rules", "model"], default="rules")
    ap.add_argument("--llm-engine", default="embedded",
                    help="model path: 'embedded' (start the llama.cpp engine) or an OpenAI-compatible base URL")
    ap.add_argument("--llm-model", default=DEFAULT_MODEL_NAME, help="model name at --llm-engine")
    ap.add_argument("--llm-timeout", type=float, default=DEFAULT_TIMEOUT_S * 4,
                    help="seconds the score waits for the model (the live default is the client's budget; the "
                         "benchmark allows more so a loaded machine measures the model, not its queue)")
    ap.add_argument("--decision-wait", type=float, default=DECISION_WAIT_S,
                    help="seconds after the answer's end the next move waits for the model")
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER, help="the set's score_answers.py")
    ap.add_argument("--bootstrap", type=int, default=2000)
    args = ap.parse_args(argv)

    qdoc = json.loads(args.questions.read_text(encoding="utf-8"))
    adoc = json.loads(args.answers.read_text(encoding="utf-8"))
    questions = {q["id"]: plan_question(q) for q in qdoc["questions"]}
    langs = {q["id"]: q.get("language") or "en" for q in qdoc["questions"]}
    judged = asyncio.run(run_path(args, questions, langs, adoc["answers"]))

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
    scorers: dict[str, int] = {}
    for j in judged:
        scorers[j.judgement.score.scored_by] = scorers.get(j.judgement.score.scored_by, 0) + 1
    report["benchmark"] = {"path": args.path, "predictions": str(pred_path), "answers": len(judged),
                           "decide_ms_p50": round(_percentile(times, 50), 1),
                           "decide_ms_p95": round(_percentile(times, 95), 1), "decided_by": sources,
                           "scored_by": scorers}
    if args.path == "model":
        report["benchmark"].update({
            "decision_wait_s": args.decision_wait,
            "next_move_fell_back_to_rules": round(sum(not j.model_decided for j in judged) / max(1, len(judged)), 3),
            "off_topic_by_model": sum(j.off_topic_by_model for j in judged)})
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
