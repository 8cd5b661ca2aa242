"""What a scored interview is written back to the HR system as: the ``interview.report`` event.

Built from the evaluation report (``interview_report.build_report``), so the HR system reads what the report page
says: a short summary in the interview's language, each competency's AI score (under its key, with its name in that
language), the overall AI score (the report's own figure: the competencies' mean, by the plan's weights when it has
any) and links to the full report and its PDF (both need an HR login).
It carries no words of the candidate (no quotes, no transcript): those stay here, under retention. The overall
result is a score, never a hire/no-hire decision: no decision is taken by the machine alone (PIPL Art. 24).

A report's version is its content's digest: writing back the same content again is the same write (same
idempotency key), a changed report (e.g. a score the language model refined late) is the next version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from analyzers.text.language import normalise_language
from web_client import catalogue

EVENT = "interview.report"
OUT_OF = 5
WORDS = ("scored", "range", "not_scored", "flags", "unsure", "review", "title", "button", "pdf", "overall")
"""The catalogue's ``wb_*`` sentences a summary and a work notice are made of (placeholders filled here)."""

def words(language: str) -> dict[str, str]:
    """The write-back's sentences in ``language``, from the string catalogue (``web_client/strings/writeback.json``)."""
    lang = normalise_language(language)
    return {key: catalogue.text(f"wb_{key}", lang) for key in WORDS}


def _one(x: float | None) -> float | None:
    return None if x is None else round(float(x), 1)


def summary_text(language: str, job: str, competencies: list[dict], overall: float | None, flags: int,
                 unsure: int, review_requested: bool) -> str:
    w = words(language)
    scored = [c for c in competencies if c["score"] is not None]
    if overall is None or not scored:
        text = w["not_scored"].format(job=job)
    else:
        text = w["scored"].format(job=job, overall=f"{overall:.1f}", n=len(scored))
        if len(scored) > 1:
            best = max(scored, key=lambda c: c["score"])
            worst = min(scored, key=lambda c: c["score"])
            text += w["range"].format(best=best["name"], best_score=f"{best['score']:.1f}",
                                      worst=worst["name"], worst_score=f"{worst['score']:.1f}")
    if flags:
        text += w["flags"].format(flags=flags)
    if unsure:
        text += w["unsure"].format(unsure=unsure)
    if review_requested:
        text += w["review"]
    return text


@dataclass(frozen=True)
class ReportEvent:
    """The event without its version (``payload``) and the digest of that content (its version's identity)."""

    payload: dict[str, Any]
    digest: str

    def versioned(self, version: int) -> dict[str, Any]:
        """The event as sent: with its report version and idempotency key."""
        key = idempotency_key(self.payload["interview_id"], version)
        return {**self.payload, "report_version": version, "idempotency_key": key}


def idempotency_key(interview_id: str, version: int) -> str:
    """One key per interview and report version: every target receives the same write under it."""
    return f"{interview_id}-v{version}"


def report_event(report: dict[str, Any], base_url: str) -> ReportEvent:
    """The ``interview.report`` event of a built report (``build_report``'s dict)."""
    iv = report["interview"]
    lang = normalise_language(iv["language"])
    competencies = [{"competency": c["competency"], "name": c["name"], "score": _one(c["ai_score"]),
                     "confidence": c["confidence"], "answers": c["answers"]} for c in report["competencies"]]
    scored = [c["score"] for c in competencies if c["score"] is not None]
    overall = report["overall"]["overall"]  # the report's own figure (the plan's weights), one decimal
    base = base_url.rstrip("/")
    payload = {
        "event": EVENT,
        "v": 1,
        "interview_id": iv["id"],
        "candidate": {"id": iv["candidate"]["id"], "name": iv["candidate"]["name"]},
        "job": {"id": iv["job"]["id"], "title": iv["job"]["title"]},
        "language": lang,
        "ended_at": iv["ended_at"],
        "summary": summary_text(lang, iv["job"]["title"], competencies, overall, len(report["flags"]),
                                len(report["uncertain"]), bool(iv.get("review_requested_at"))),
        "overall": {"score": overall, "out_of": OUT_OF, "competencies_scored": len(scored),
                    "competencies_planned": len(competencies)},
        "competencies": competencies,
        "flags": len(report["flags"]),
        "human_review_requested": bool(iv.get("review_requested_at")),
        "ai_generated": True,
        "ai_label": report["ai_label"],
        "report_url": f"{base}/reports/{iv['id']}",
        "pdf_url": f"{base}/api/v1/interviews/{iv['id']}/report.pdf",
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return ReportEvent(payload, digest)


def work_notice(event: dict[str, Any]) -> dict:
    """The event as a DingTalk work notice to a recruiter: an action card whose button opens the report."""
    w = words(event["language"])
    title = w["title"].format(name=event["candidate"]["name"], job=event["job"]["title"])
    lines = [f"### {title}", "", event["summary"], ""]
    lines += [f"- {c.get('name') or c['competency']}: {c['score'] if c['score'] is not None else '—'} / {OUT_OF}"
              for c in event["competencies"]]
    overall = event["overall"]["score"]
    lines += [f"- **{w['overall']}: {overall if overall is not None else '—'} / {OUT_OF}**", "",
              f"[{w['pdf']}]({event['pdf_url']})", "", event["ai_label"]]
    return {"msgtype": "action_card", "action_card": {"title": title, "markdown": "\n".join(lines),
                                                      "single_title": w["button"], "single_url": event["report_url"]}}


def recruiting_record(event: dict[str, Any], dingtalk_candidate_id: str) -> dict:
    """The event as the ``content`` of the recruiting data push for the candidate's DingTalk record."""
    return {"candidateId": dingtalk_candidate_id, "interviewId": event["interview_id"],
            "reportVersion": event["report_version"], "jobTitle": event["job"]["title"],
            "summary": event["summary"], "overallScore": event["overall"]["score"], "outOf": OUT_OF,
            "competencies": [{"name": c["competency"], "score": c["score"], "confidence": c["confidence"]}
                             for c in event["competencies"]],
            "reportUrl": event["report_url"], "pdfUrl": event["pdf_url"], "aiGenerated": True,
            "aiLabel": event["ai_label"], "endedAt": event["ended_at"]}
