"""The evaluation report of one interview: what the AI scored, why, and what it is unsure about.

Built from stored records only (turns, transcript, scores with evidence, answer summaries, flags, human
reviews), so the HTML page, the PDF and any export say the same thing.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from analyzers.text.language import normalise_language
from dialogue.score_words import scored_by_words
from server.storage.interview_records import InterviewRecordRepository
from server.storage.interviews import InterviewRepository
from server.storage.jobs import JobRepository
from web_client import catalogue

def follow_up_why(trigger: str | None, reason: str | None, lang: str) -> str | None:
    """Why a follow-up was asked, in the report's language. The follow-up policy records its reason in English with
    its numbers (dialogue/followup.py): an English report keeps it, another language says the trigger's sentence
    (the observer panel's ``why_<trigger>``); a trigger without one keeps the recorded reason."""
    key = f"why_{trigger}"
    if catalogue.language(lang) == "en" or not trigger or not catalogue.has(key):
        return reason
    return catalogue.text(key, lang)


def flag_label(kind: str, lang: str) -> str:
    """A proctoring flag's kind in words (the observer panel's ``flag_<kind>``); an unknown kind as recorded."""
    return catalogue.text(f"flag_{kind}", lang) if catalogue.has(f"flag_{kind}") else kind


def _quote_time(quote: str, segments: list[dict], turn_index: int) -> int | None:
    """Interview time (ms) at which the candidate said ``quote``: the segment that contains it, else the turn's first."""
    words = quote.strip().lower()[:40]
    turn_segments = [s for s in segments if s["turn_index"] == turn_index]
    for seg in turn_segments:
        if words and words[:20] in seg["text"].lower():
            return seg["start_ms"]
    return turn_segments[0]["start_ms"] if turn_segments else None


def mmss(ms: int | None) -> str:
    if ms is None:
        return ""
    s = ms // 1000
    return f"{s // 60:02d}:{s % 60:02d}"


def final_score_ids(all_scores: list) -> set[str]:
    """A question is scored again after each follow-up; its last score (all its answers together) is the one that
    counts. ``all_scores`` in the order they were given."""
    return {sc.id for sc in {(sc.question_index, sc.competency): sc for sc in all_scores}.values()}


def competency_score(vals: list[tuple[float, float]]) -> float | None:
    """One competency's AI score: its final scores (score, confidence) weighted by confidence."""
    if not vals:
        return None
    weight = sum(c for _, c in vals) or 1.0
    return sum(s * c for s, c in vals) / weight


def competency_scores(all_scores: list) -> dict[str, float]:
    """Each competency's AI score in one interview, from its final scores (``all_scores`` in the order given)."""
    final = final_score_ids(all_scores)
    by_competency: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for sc in all_scores:
        if sc.id in final:
            by_competency[sc.competency].append((sc.score, sc.confidence))
    return {name: competency_score(vals) for name, vals in by_competency.items()}


def overall_ai_score(all_scores: list, weights: dict[str, float] | None = None) -> float | None:
    """An interview's overall AI score: the mean of its competencies' scores, weighted by the plan's competency
    weights when it has any (the bias report compares these)."""
    return weighted_mean(competency_scores(all_scores), weights)


def weighted_mean(by_competency: dict[str, float], weights: dict[str, float] | None) -> float | None:
    """The competencies' scores averaged with ``weights`` (a competency the weights leave out counts 0); equal
    weights without any (or when the scored competencies all weigh 0)."""
    if not by_competency:
        return None
    w = {c: float(weights.get(c, 0.0)) for c in by_competency} if weights else {}
    total = sum(w.values())
    if total <= 0:
        return sum(by_competency.values()) / len(by_competency)
    return sum(by_competency[c] * w[c] for c in by_competency) / total


async def build_report(interviews: InterviewRepository, records: InterviewRecordRepository, jobs: JobRepository,
                       interview_id: str) -> dict[str, Any] | None:
    detail = await interviews.detail(interview_id)
    if detail is None:
        return None
    lang = normalise_language(detail["language"])
    segments = detail["transcript"]
    summaries = {e["turn_index"]: e for e in detail["events"] if e["type"] == "answer.summary"}
    flags = [e for e in detail["events"] if e["type"] == "flag.raised"]
    scores_by_turn: dict[int, list[dict]] = defaultdict(list)
    by_competency: dict[str, list[tuple[float, float]]] = defaultdict(list)
    uncertain: list[str] = []
    all_scores = await records.scores(interview_id)
    final_ids = final_score_ids(all_scores)
    for sc in all_scores:
        final = sc.id in final_ids
        evidence = [{**e, "at": mmss(_quote_time(e.get("quote", ""), segments, sc.turn_index))}
                    for e in (sc.evidence or [])]
        scores_by_turn[sc.turn_index].append({
            "competency": sc.competency, "score": sc.score, "confidence": sc.confidence, "level": sc.level,
            "evidence": evidence, "uncertain": sc.uncertain or [], "final": final,
            "scored_by": scored_by_words(sc.scored_by, lang)})
        if final:
            by_competency[sc.competency].append((sc.score, sc.confidence))
            uncertain += [u for u in sc.uncertain or [] if u not in uncertain]
    human: dict[str, list[dict]] = defaultdict(list)
    for review, email in await records.reviews(interview_id):
        human[review.competency].append({"score": review.score, "comment": review.comment, "reviewer": email,
                                         "at": review.created_at.isoformat() if review.created_at else None})
    iv_row = await interviews.get(interview_id)
    planned = [q.competency for q in await jobs.plan_questions(iv_row.plan_id) if q.competency]
    weights = ((await jobs.plan_spec(iv_row.plan_id)) or {}).get("competency_weights") or {}
    weight_total = sum(weights.values())
    competencies = []
    for name in sorted(set(by_competency) | set(human) | set(planned)):
        vals = by_competency.get(name, [])
        competencies.append({
            "competency": name,
            "ai_score": round(competency_score(vals), 1) if vals else None,
            "confidence": round(sum(c for _, c in vals) / len(vals), 2) if vals else None,
            "answers": len(vals),
            "human": human.get(name, []),
            # its share of the overall score by the plan's competency weights (null: all count equally)
            "weight": round(weights.get(name, 0.0) / weight_total, 3) if weight_total > 0 else None,
        })
    overall = weighted_mean({name: competency_score(vals) for name, vals in by_competency.items()}, weights)
    answers = []
    for turn in detail["turns"]:
        idx = turn["index"]
        summary = summaries.get(idx, {})
        first = next((s for s in segments if s["turn_index"] == idx), None)
        answers.append({
            "turn_index": idx, "kind": turn["kind"], "question": turn["question"], "answer": turn["answer"],
            "at": mmss(first["start_ms"]) if first else "", "trigger": turn["trigger"],
            "reason": follow_up_why(turn["trigger"], turn["reason"], lang),
            "end_reason": turn["end_reason"], "scores": scores_by_turn.get(idx, []),
            "content": summary.get("content", {}), "voice": summary.get("voice", {}),
            "nonverbal": summary.get("nonverbal", {}),
        })
    follow_ups = [{"turn_index": a["turn_index"], "question": a["question"], "trigger": a["trigger"],
                   "reason": a["reason"]} for a in answers if a["kind"] == "followup"]
    return {
        "interview": {k: detail[k] for k in ("id", "status", "language", "started_at", "ended_at", "candidate", "job",
                                             "review_requested_at", "consents")},
        "ai_generated": True,
        "ai_label": catalogue.text("report_ai_label", lang),
        "review_right": catalogue.text("report_review_right", lang),
        "nonverbal_note": catalogue.text("report_nonverbal_note", lang),
        "content_deleted": catalogue.text("report_content_deleted", lang, date=detail["content_deleted_at"][:10])
        if detail.get("content_deleted_at") else None,
        "competencies": competencies,
        "overall_ai_score": round(overall, 2) if overall is not None else None,
        "answers": answers,
        "follow_ups": follow_ups,
        "flags": [{"kind": f["kind"], "label": flag_label(f["kind"], lang), "at": mmss(f["since_ms"]),
                   "analyzer": f["analyzer"], "detail": f.get("detail", "")}
                  for f in flags],
        "uncertain": uncertain,
    }
