"""The report's questions as the candidate saw them: "Question 2 of 2" with its follow-ups "2a", "2b", each with its
answer and the time it began, and the one score that counts for the question (given after its follow-ups, on all
of its answers together) with its reasons in words."""

from __future__ import annotations

from string import ascii_lowercase
from typing import Any, Callable

from server.reports.answer_reasons import score_reasons
from server.reports.recommendation import certainty


def mmss(ms: int | None) -> str:
    if ms is None:
        return ""
    s = ms // 1000
    return f"{s // 60:02d}:{s % 60:02d}"


def follow_up_label(number: int, k: int) -> str:
    """The ``k``-th (0-based) follow-up to question ``number``: "2a", "2b", … ("2.27" after "2z")."""
    return f"{number}{ascii_lowercase[k]}" if k < len(ascii_lowercase) else f"{number}.{k + 1}"


def quote_time(quote: str, segments: list[dict]) -> int | None:
    """When (ms into the interview) the candidate said ``quote``: the segment holding its beginning (or, for a quote
    that runs over two segments, a shorter beginning), else the first of ``segments``."""
    words = quote.strip().lower()
    for head in dict.fromkeys((words[:20], words[:8])):
        for seg in segments:
            if head and head in seg["text"].lower():
                return seg["start_ms"]
    return segments[0]["start_ms"] if segments else None


def questions_total(turns: list[dict], planned: int) -> int:
    """How many questions the candidate was told there are (the plan's count; more if the record has more)."""
    return max([planned, *(t["question_index"] + 1 for t in turns)])


def question_blocks(turns: list[dict], segments: list[dict], summaries: dict[int, dict], final_scores: list[dict],
                    planned: list[str], lang: str, why: Callable[[dict], str | None],
                    name_of: Callable[[str], str]) -> list[dict[str, Any]]:
    """One block per planned question that was asked, in order. ``turns``: the interview's turns (closing words
    left out); ``final_scores``: the scores that count (one per question and competency, as stored rows turned into
    dicts with ``question_index`` and ``name``); ``planned``: each planned question's competency; ``why(turn)``: why a
    follow-up was asked, in words; ``name_of(competency)``: the competency's name in the report's language."""
    total = questions_total(turns, len(planned))
    blocks: dict[int, dict[str, Any]] = {}
    for turn in turns:
        qi = turn["question_index"]
        at = mmss(next((s["start_ms"] for s in segments if s["turn_index"] == turn["index"]), None))
        nonverbal = (summaries.get(turn["index"]) or {}).get("nonverbal") or {}
        block = blocks.get(qi)
        if block is None:
            block = blocks[qi] = {
                "number": qi + 1, "total": total, "competency": planned[qi] if qi < len(planned) else "",
                "turn_index": turn["index"], "question": turn["question"], "answer": turn["answer"], "at": at,
                "end_reason": turn["end_reason"], "nonverbal": nonverbal, "follow_ups": [], "scores": []}
            continue
        block["follow_ups"].append({
            "label": follow_up_label(qi + 1, len(block["follow_ups"])), "turn_index": turn["index"],
            "question": turn["question"], "answer": turn["answer"], "at": at, "trigger": turn["trigger"],
            "why": why(turn), "nonverbal": nonverbal})
    turn_question = {t["index"]: t["question_index"] for t in turns}
    for sc in final_scores:
        block = blocks.get(sc["question_index"])
        if block is None:
            continue
        said = [s for s in segments if turn_question.get(s["turn_index"]) == sc["question_index"]]
        reasons = score_reasons(sc["level"], sc["evidence"], sc["uncertain"], lang,
                                lambda quote, said=said: mmss(quote_time(quote, said)))
        block["scores"].append({
            "competency": sc["competency"], "name": sc["name"], "score": sc["score"], "confidence": sc["confidence"],
            "certainty": certainty(sc["confidence"]), "scored_by": sc["scored_by"],
            "after_follow_ups": bool(block["follow_ups"]), "reasons": reasons.to_dict()})
        if not block["competency"]:
            block["competency"] = sc["competency"]
    for block in blocks.values():
        block["competency_name"] = name_of(block["competency"]) if block["competency"] else ""
    return [blocks[qi] for qi in sorted(blocks)]
