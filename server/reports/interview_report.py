"""The evaluation report of one interview: what the AI scored, why, and what it is unsure about.

Built from stored records only (turns, transcript, scores with evidence, answer summaries, flags, human
reviews, people's decisions), so the HTML page, the PDF and any export say the same thing. Its order is the
reader's: the overall result first (each competency's one figure, the AI's suggested recommendation with its
uncertainty, and the decision a person recorded), then the questions as the candidate saw them ("Question 2 of 2",
follow-ups "2a"), each with the one score that counts and its reasons in words.

One figure everywhere: a question is scored again after each follow-up, on all its answers together, and only that
last score counts (``final_score_ids``). The competency table shows each competency's final scores weighted by
confidence (``competency_score``): with one question per competency that is the question's own score; with
several, the table names the questions it combines. Earlier scores stay in ``answers`` (``final: false``) for
machines; people are shown only the final ones.

Its language (``lang``) is the reader's, the interview's when not asked for: every sentence the server writes (labels,
reasons, level descriptions, doubts, why a follow-up was asked) is in it, while what the candidate was asked and
said stays as it was said. A reason stored in the interview's language is said again in the reader's
(``dialogue.score_words.reword``, ``dialogue.scoring.level_in``); one the server cannot say in another language (a
model's own words) stays as stored.

Competencies are keyed as stored (``competency``); each also carries its ``name`` in the report's language (the
plan's ``competency_name``, else the key), and ``competency_names`` gives every language's, for a page whose reader
switches language.

An interview without recorded answers says why in ``answers_missing`` (``ANSWERS_MISSING``): its content was deleted
under the retention policy, only its scores were stored (the demo's sample history), or none was given yet.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from analyzers.text.language import normalise_language
from dialogue.plan import competency_name_in
from dialogue.score_words import reword, scored_by_words
from dialogue.scoring import level_in
from server.recruiting.plans import competency_names
from server.reports.answer_reasons import looks_like_code
from server.reports.overall_score import (competency_score, competency_scores, final_by_competency, final_score_ids,
                                          overall_ai_score, weighted_mean)
from server.reports.recommendation import Suggestion, certainty, suggest
from server.reports.report_questions import mmss, question_blocks, quote_time
from server.storage.interview_records import InterviewRecordRepository
from server.storage.interviews import InterviewRepository
from server.storage.jobs import JobRepository
from server.storage.models import Interview, InterviewDecision, as_utc
from web_client import catalogue

__all__ = ["build_report", "competency_score", "decision_out", "final_score_ids", "follow_up_why", "mmss",
           "competency_scores", "overall_ai_score", "suggestion_for", "weighted_mean"]


REPORT_EVENTS = ("answer.summary", "flag.raised")  # the timeline events a report reads
ANSWERS_MISSING = ("content_deleted", "scores_only", "none_recorded", "not_yet")
"""Why a report has no answers to show: deleted by retention (the questions and scores stay), only scores were
stored (no turns: the demo's history), the interview ended before a question was asked, or it has not got there."""
ENDED = ("finished", "failed")


def follow_up_why(trigger: str | None, reason: str | None, lang: str) -> str | None:
    """Why a follow-up was asked, in the report's language. The follow-up policy records its reason in English with
    its numbers (dialogue/followup.py): an English report keeps it, another language says the trigger's sentence
    (the observer panel's ``why_<trigger>``), and so does English when the recorded reason holds a machine's code (as
    older records did); a trigger without a sentence keeps the recorded reason, unless it is code."""
    key = f"why_{trigger}"
    if not trigger or not catalogue.has(key):
        return reason if reason and not looks_like_code(reason) else None
    if catalogue.language(lang) == "en" and reason and not looks_like_code(reason):
        return reason
    return catalogue.text(key, lang)


def flag_label(kind: str, lang: str) -> str:
    """A proctoring flag's kind in words (the observer panel's ``flag_<kind>``); an unknown kind as recorded."""
    return catalogue.text(f"flag_{kind}", lang) if catalogue.has(f"flag_{kind}") else kind


def suggestion_for(all_scores: list, planned: list[str], weights: dict[str, float] | None = None) -> Suggestion:
    """The AI's suggested recommendation from an interview's stored scores, its plan's competencies and their
    weights."""
    by_competency = final_by_competency(all_scores)
    shown: dict[str, float | None] = {name: None for name in planned}
    shown.update({name: round(competency_score(vals), 1) for name, vals in by_competency.items()})
    return suggest(overall_ai_score(all_scores, weights), shown,
                   [c for vals in by_competency.values() for _, c in vals])


def decision_out(row: InterviewDecision) -> dict[str, Any]:
    """A person's recorded decision as the report and the decision route give it."""
    return {"id": row.id, "decision": row.decision, "suggested": row.suggested, "overall_score": row.overall_score,
            "agrees": row.decision == row.suggested, "comment": row.comment, "decided_by": row.decided_by_email,
            "decided_by_name": row.decided_by_name, "decided_at": as_utc(row.decided_at).isoformat()}


def _score_dict(sc, final: bool, evidence: list[dict], said: tuple[str, str], name: str,
                rubric: list[dict[str, str]]) -> dict[str, Any]:
    """A stored score; its words, stored in ``said[0]`` (the interview's language), in ``said[1]`` (the report's)."""
    said_in, lang = said
    return {"competency": sc.competency, "name": name, "question_index": sc.question_index, "score": sc.score,
            "confidence": sc.confidence, "level": level_in(sc.level, lang, rubric), "evidence": evidence,
            "uncertain": [reword(u, said_in, lang) for u in sc.uncertain or []], "final": final,
            "scored_by": scored_by_words(sc.scored_by, lang)}


def _rubrics(spec: dict) -> list[list[dict[str, str]]]:
    """Each planned question's rubric, as its levels' texts per language (a plan without a document has none)."""
    return [[level.get("description") or {} for level in q.get("rubric") or []] for q in spec.get("questions") or []]


def answers_missing(detail: dict[str, Any], turns: list[dict], scored: bool, lang: str) -> dict[str, Any] | None:
    """Why the report has no answers to show (``ANSWERS_MISSING``), in words; None when it has them."""
    deleted = detail.get("content_deleted_at")
    if deleted:
        reason = "content_deleted"
    elif turns:
        return None
    elif detail["status"] in ENDED:
        reason = "scores_only" if scored else "none_recorded"
    else:
        reason = "not_yet"
    date = deleted[:10] if deleted else ""
    return {"reason": reason, "date": date, "text": catalogue.text(f"rp_answers_{reason}", lang, date=date)}


async def build_report(interviews: InterviewRepository, records: InterviewRecordRepository, jobs: JobRepository,
                       interview_id: str, interview: Interview | None = None,
                       lang: str | None = None) -> dict[str, Any] | None:
    """The report of ``interview_id`` (``interview``: its row, if the caller has just read it) in ``lang`` (the
    reader's; None: the interview's). Its reads share one database session (one connection to check out and
    return), after this process's timeline events still being written (not while holding that connection)."""
    await records.flush()
    async with interviews.db.reads_together():
        return await _build_report(interviews, records, jobs, interview_id, interview, lang)


async def _build_report(interviews: InterviewRepository, records: InterviewRecordRepository, jobs: JobRepository,
                        interview_id: str, interview: Interview | None, reader: str | None) -> dict[str, Any] | None:
    detail = await interviews.report_detail(interview_id, REPORT_EVENTS, interview)
    if detail is None:
        return None
    said_in = normalise_language(detail["language"])  # what the scores' words were stored in
    lang = normalise_language(reader) if reader else said_in
    segments = detail["transcript"]
    summaries = {e["turn_index"]: e for e in detail["events"] if e["type"] == "answer.summary"}
    flags = [e for e in detail["events"] if e["type"] == "flag.raised"]
    turns = [t for t in detail["turns"] if t["kind"] != "closing"]
    turn_question = {t["index"]: t["question_index"] for t in turns}
    planned = [q.competency for q in await jobs.plan_questions(detail["plan_id"])]
    spec = (await jobs.plan_spec(detail["plan_id"])) or {}
    weights = spec.get("competency_weights") or {}
    weight_total = sum(weights.values())
    names = competency_names(spec)
    rubrics = _rubrics(spec)

    def name_of(competency: str) -> str:
        return competency_name_in(names, competency, lang)

    scores_by_turn: dict[int, list[dict]] = defaultdict(list)
    final_scores: list[dict] = []
    by_competency: dict[str, list[tuple[float, float]]] = defaultdict(list)
    questions_of: dict[str, set[int]] = defaultdict(set)
    uncertain: list[str] = []
    all_scores = await records.scores(interview_id)
    final_ids = final_score_ids(all_scores)
    for sc in all_scores:
        final = sc.id in final_ids
        said = [s for s in segments if turn_question.get(s["turn_index"]) == sc.question_index]
        evidence = [{**e, **({"note": reword(e["note"], said_in, lang)} if e.get("note") else {}),
                     "at": mmss(quote_time(e.get("quote", ""), said))} for e in (sc.evidence or [])]
        rubric = rubrics[sc.question_index] if 0 <= sc.question_index < len(rubrics) else []
        row = _score_dict(sc, final, evidence, (said_in, lang), name_of(sc.competency), rubric)
        scores_by_turn[sc.turn_index].append(row)
        if final:
            final_scores.append(row)
            by_competency[sc.competency].append((sc.score, sc.confidence))
            questions_of[sc.competency].add(sc.question_index + 1)
            uncertain += [u for u in row["uncertain"] if u not in uncertain and not looks_like_code(u)]
    human: dict[str, list[dict]] = defaultdict(list)
    for review, email in await records.reviews(interview_id):
        human[review.competency].append({"score": review.score, "comment": review.comment, "reviewer": email,
                                         "at": review.created_at.isoformat() if review.created_at else None})
    competencies = []
    for name in sorted(set(by_competency) | set(human) | {c for c in planned if c}):
        vals = by_competency.get(name, [])
        confidence = round(sum(c for _, c in vals) / len(vals), 2) if vals else None
        competencies.append({
            "competency": name,
            "name": name_of(name),
            "ai_score": round(competency_score(vals), 1) if vals else None,
            "confidence": confidence,
            "certainty": certainty(confidence),
            "answers": len(vals),
            "questions": sorted(questions_of.get(name, ())),  # the questions (as numbered) its figure combines
            "human": human.get(name, []),
            # its share of the overall score by the plan's competency weights (null: all count equally)
            "weight": round(weights.get(name, 0.0) / weight_total, 3) if weight_total > 0 else None,
        })

    def why(turn: dict) -> str | None:
        return follow_up_why(turn["trigger"], turn["reason"], lang)

    questions = question_blocks(turns, segments, summaries, final_scores, planned, lang, why, name_of)
    labels = {q["turn_index"]: (q["number"], None) for q in questions}
    labels.update({f["turn_index"]: (q["number"], f["label"]) for q in questions for f in q["follow_ups"]})
    answers = []
    for turn in turns:
        idx = turn["index"]
        summary = summaries.get(idx, {})
        first = next((s for s in segments if s["turn_index"] == idx), None)
        number, follow_up = labels.get(idx, (turn["question_index"] + 1, None))
        answers.append({
            "turn_index": idx, "kind": turn["kind"], "number": number, "follow_up": follow_up,
            "question": turn["question"], "answer": turn["answer"],
            "at": mmss(first["start_ms"]) if first else "", "trigger": turn["trigger"], "reason": why(turn),
            "end_reason": turn["end_reason"], "scores": scores_by_turn.get(idx, []),
            "content": summary.get("content", {}), "voice": summary.get("voice", {}),
            "nonverbal": summary.get("nonverbal", {}),
        })
    follow_ups = [{"turn_index": a["turn_index"], "label": a["follow_up"], "question": a["question"],
                   "trigger": a["trigger"], "reason": a["reason"]} for a in answers if a["kind"] == "followup"]
    decisions = [decision_out(d) for d in await records.decisions(interview_id)]
    overall = suggestion_for(all_scores, [c for c in planned if c], weights).to_dict()
    overall["decision"] = decisions[0] if decisions else None
    overall["history"] = decisions[1:]
    return {
        "interview": {k: detail[k] for k in ("id", "status", "language", "started_at", "ended_at", "candidate", "job",
                                             "review_requested_at", "consents")},
        "lang": lang,  # the report's language (the reader's); what was asked and said is in the interview's
        "ai_generated": True,
        "ai_label": catalogue.text("report_ai_label", lang),
        "review_right": catalogue.text("report_review_right", lang),
        "nonverbal_note": catalogue.text("report_nonverbal_note", lang),
        "content_deleted": catalogue.text("report_content_deleted", lang, date=detail["content_deleted_at"][:10])
        if detail.get("content_deleted_at") else None,
        "overall": overall,
        "competencies": competencies,
        "competency_names": names,
        # the same figure as overall["overall"] (which is rounded to one decimal for people), for machines
        "overall_ai_score": (round(o, 2) if (o := overall_ai_score(all_scores, weights)) is not None else None),
        "questions": questions,
        "answers_missing": answers_missing(detail, turns, bool(all_scores), lang),
        "answers": answers,
        "follow_ups": follow_ups,
        "flags": [{"kind": f["kind"], "label": flag_label(f["kind"], lang), "at": mmss(f["since_ms"]),
                   "analyzer": f["analyzer"], "detail": f.get("detail", "")}
                  for f in flags],
        "uncertain": uncertain,
    }
