"""The evaluation report of one interview: what the AI scored, why, and what it is unsure about.

Built from stored records only (turns, transcript, scores with evidence, answer summaries, flags, human
reviews), so the HTML page, the PDF and any export say the same thing.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from analyzers.text.language import normalise_language
from dialogue.score_words import scored_by_words
from server.reports.overall_score import competency_score, final_score_ids
from server.storage.interview_records import InterviewRecordRepository
from server.storage.interviews import InterviewRepository
from server.storage.jobs import JobRepository
from server.storage.models import Interview

AI_LABEL = {
    "en": "AI-generated evaluation. It supports, and does not replace, a decision by a person.",
    "zh": "本评估由 AI 生成，仅供参考，最终决定由人作出。",
}
REVIEW_RIGHT = {
    "en": "The candidate may ask for a human review of this interview at any time; no decision is taken by the "
    "machine alone.",
    "zh": "候选人可随时要求对本次面试进行人工复核；不会仅由机器作出决定。",
}
CONTENT_DELETED = {
    "en": "Under the organisation's retention policy the transcript, the answers, the evidence quotes and the "
    "timeline of this interview were deleted on {date}. The scores remain.",
    "zh": "根据本组织的数据保留政策，本次面试的文字稿、回答、评分依据引文和时间线已于 {date} 删除，评分保留。",
}
NONVERBAL_NOTE = {
    "en": "Observable behaviour only (no emotions or personality are inferred); it carries no weight in the scores.",
    "zh": "仅为可观察行为（不推断情绪或性格），不计入评分。",
}

FOLLOW_UP_WHY = {
    # The follow-up policy records its reason in English, with its numbers (dialogue/followup.py); a report in
    # another language says why in that language, by the follow-up's trigger.
    "zh": {
        "missing_result": "这个例子没有讲结果，或结果没有可衡量的数字。",
        "no_example": "回答停留在泛泛而谈，没有讲一次具体的经历。",
        "personal_role": "例子里一直在说“我们”，看不出候选人本人做了什么。",
        "vague_claim": "只是自我评价，没有例子支撑。",
        "missing_numbers": "讲了结果，但没有可衡量的数字。",
        "resume_contradiction": "回答中的说法与简历不一致。",
        "too_short": "回答较短。",
        "clarify": "回答似乎没有针对这个问题，因此请候选人澄清一次。",
    },
}


REPORT_EVENTS = ("answer.summary", "flag.raised")  # the timeline events a report reads


def follow_up_why(trigger: str | None, reason: str | None, lang: str) -> str | None:
    """Why a follow-up was asked, in the report's language: the recorded reason, or the trigger's sentence."""
    return FOLLOW_UP_WHY.get(lang, {}).get(trigger or "", reason)


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


async def build_report(interviews: InterviewRepository, records: InterviewRecordRepository, jobs: JobRepository,
                       interview_id: str, interview: Interview | None = None) -> dict[str, Any] | None:
    """The report of ``interview_id`` (``interview``: its row, if the caller has just read it). Its reads share one
    database session (one connection to check out and return)."""
    async with interviews.db.reads_together():
        return await _build_report(interviews, records, jobs, interview_id, interview)


async def _build_report(interviews: InterviewRepository, records: InterviewRecordRepository, jobs: JobRepository,
                        interview_id: str, interview: Interview | None) -> dict[str, Any] | None:
    detail = await interviews.report_detail(interview_id, REPORT_EVENTS, interview)
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
    planned = [q.competency for q in await jobs.plan_questions(detail["plan_id"]) if q.competency]
    competencies = []
    for name in sorted(set(by_competency) | set(human) | set(planned)):
        vals = by_competency.get(name, [])
        competencies.append({
            "competency": name,
            "ai_score": round(competency_score(vals), 1) if vals else None,
            "confidence": round(sum(c for _, c in vals) / len(vals), 2) if vals else None,
            "answers": len(vals),
            "human": human.get(name, []),
        })
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
        "ai_label": AI_LABEL[lang],
        "review_right": REVIEW_RIGHT[lang],
        "nonverbal_note": NONVERBAL_NOTE[lang],
        "content_deleted": CONTENT_DELETED[lang].format(date=detail["content_deleted_at"][:10])
        if detail.get("content_deleted_at") else None,
        "competencies": competencies,
        "answers": answers,
        "follow_ups": follow_ups,
        "flags": [{"kind": f["kind"], "at": mmss(f["since_ms"]), "analyzer": f["analyzer"], "detail": f.get("detail", "")}
                  for f in flags],
        "uncertain": uncertain,
    }
