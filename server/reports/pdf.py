"""The evaluation report as a PDF (ReportLab), with an embedded CJK font so Chinese prints correctly."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dialogue.plan import competency_name_in
from web_client import catalogue

FONT_NAME = "ReportCJK"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)

def find_font() -> Path:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return Path(candidate)
    raise FileNotFoundError("no CJK font found for PDF reports; install the Debian package fonts-wqy-microhei")


def _register_font() -> str:
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(find_font()), subfontIndex=0))
    return FONT_NAME


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName=font, fontSize=9.5, leading=13, alignment=TA_LEFT,
                          wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=17, leading=22, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=body, fontSize=12.5, leading=17, spaceBefore=8, spaceAfter=3),
        "h3": ParagraphStyle("h3", parent=body, fontSize=10.5, leading=14, spaceBefore=8),
        "h4": ParagraphStyle("h4", parent=body, fontSize=9.5, leading=13, spaceBefore=4, leftIndent=8),
        "verdict": ParagraphStyle("verdict", parent=body, fontSize=14, leading=19, spaceBefore=2, spaceAfter=2),
        "score": ParagraphStyle("score", parent=body, fontSize=10.5, leading=14, spaceBefore=4,
                                textColor=colors.HexColor("#1f5fd1")),
        "label": ParagraphStyle("label", parent=body, textColor=colors.HexColor("#5b6475"), spaceBefore=2),
        "body": body,
        "quote": ParagraphStyle("quote", parent=body, leftIndent=8, textColor=colors.HexColor("#444444")),
        "banner": ParagraphStyle("banner", parent=body, backColor=colors.HexColor("#fdf0d9"), borderPadding=4,
                                 spaceAfter=6),
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, textColor=colors.HexColor("#555555")),
    }


def _when(iso: str | None) -> str:
    return (iso or "")[:16].replace("T", " ")


def _table(rows: list[list], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f7")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _lang(report: dict[str, Any]) -> str:
    """The report's language (its reader's), the interview's for a report built before it had one."""
    return catalogue.language(report.get("lang") or report["interview"]["language"])


def _namer(report: dict[str, Any]):
    """A competency key's name in the report's language (the plan's name, else the key)."""
    names, lang = report.get("competency_names") or {}, _lang(report)
    return lambda competency: competency_name_in(names, competency, lang)


def _overall(report: dict[str, Any], L, P) -> list:
    """The overall result: the decision (a person's, else the AI's suggestion), the overall score, how sure the
    AI is and why, the rule, then each competency's one figure (as the report page shows them, in this order)."""
    ov = report["overall"]
    N = _namer(report)
    dec = lambda code: L(f"rp_dec_{code}") if code else L("rp_dec_none")  # noqa: E731
    out = [P(L("rp_overall"), "h2")]
    person = ov.get("decision")
    if person:
        who = person["decided_by_name"] or person["decided_by"]
        status = (L("rp_confirmed_by", who=who) if person["agrees"]
                  else L("rp_changed_by", who=who, suggested=dec(person["suggested"])))
        out += [P(dec(person["decision"]), "verdict"), P(f'{status} {L("rp_decided_on", at=_when(person["decided_at"]))}')]
        if person["comment"]:
            out.append(P(f'“{person["comment"]}”', "quote"))
    else:
        colon = "：" if _lang(report) == "zh" else ": "
        out += [P(f'{L("rp_suggested_by_ai")}{colon}{dec(ov["suggestion"])}', "verdict"), P(L("rp_not_confirmed"), "small")]
    if ov["overall"] is None:
        out.append(P(L("rp_no_suggestion")))
    else:
        out.append(P(L("rp_overall_score", score=f'{ov["overall"]:.1f}')))
        if ov["certainty"]:
            out.append(P(L("rp_certainty", level=L(f'rp_cert_{ov["certainty"]}'), value=f'{ov["confidence"]:.2f}')))
    if ov["near"]:
        line = ov["advance_from"] if ov["near"] == "advance" else ov["do_not_advance_below"]
        out.append(P(L(f'rp_near_{ov["near"]}', line=f"{line:.1f}")))
    sep = "、" if _lang(report) == "zh" else ", "
    if ov["weak"]:
        out.append(P(L("rp_weak", line=f'{ov["weak_below"]:.1f}', names=sep.join(map(N, ov["weak"])))))
    if ov["unscored"]:
        out.append(P(L("rp_unscored", names=sep.join(map(N, ov["unscored"])))))
    for h in ov.get("history") or []:
        out.append(P(L("rp_history_item", at=_when(h["decided_at"]), decision=dec(h["decision"]),
                       who=h["decided_by_name"] or h["decided_by"]), "small"))

    out.append(P(L("rp_competency_scores"), "h3"))
    rows = [[P(L("competency")), P(L("ai_score")), P(L("rp_certainty_col")), P(L("human"))]]
    for c in report["competencies"]:
        human = "; ".join(f'{h["score"]:g} ({h["reviewer"]})' for h in c["human"]) or "–"
        if c["ai_score"] is None:
            score = L("rp_not_scored")
        else:
            score = f'{c["ai_score"]:.1f} · {L("rp_from_question", list=sep.join(str(n) for n in c["questions"]))}'
        cert = "–" if c["certainty"] is None else f'{L("rp_cert_" + c["certainty"])} ({c["confidence"]:.2f})'
        rows.append([P(N(c["competency"])), P(score), P(cert), P(human)])
    out += [_table(rows, [45 * mm, 40 * mm, 30 * mm, 63 * mm]),
            P(L("rp_rule", advance=f'{ov["advance_from"]:.1f}', weak=f'{ov["weak_below"]:.1f}',
                lower=f'{ov["do_not_advance_below"]:.1f}'), "small")]
    return out


def _observed(nonverbal: dict, L, P) -> list:
    face = (nonverbal or {}).get("face")
    if not face:
        return []
    return [P(L("rp_observed", face=f'{face.get("face_present_share", 0) * 100:.0f}',
                look=f'{face.get("looking_at_screen_share", 0) * 100:.0f}'), "small")]


def _question(q: dict[str, Any], report: dict[str, Any], L, P) -> list:
    """One question as the candidate saw it, its follow-ups, and the score that counts with its reasons."""
    at = lambda x: f' [{x}]' if x else ""  # noqa: E731
    C = "：" if _lang(report) == "zh" else ": "
    out = [P(f'{L("rp_question_of", n=q["number"], total=q["total"])}{at(q["at"])}{C}{q["question"]}', "h3"),
           P(f'{L("answer")}{C}{q["answer"] or "–"}'), *_observed(q["nonverbal"], L, P)]
    for f in q["follow_ups"]:
        out.append(P(f'{L("rp_follow_up", label=f["label"])}{at(f["at"])}{C}{f["question"]}', "h4"))
        if f["why"]:
            out.append(P(f'{L("why_asked")}{C}{f["why"]}', "small"))
        out += [P(f'{L("answer")}{C}{f["answer"] or "–"}'), *_observed(f["nonverbal"], L, P)]
    if not q["scores"]:
        out.append(P(L("rp_no_question_score"), "small"))
    table_score = {c["competency"]: c for c in report["competencies"]}
    sep = "、" if _lang(report) == "zh" else ", "
    N = _namer(report)
    for sc in q["scores"]:
        r = sc["reasons"]
        line = L("rp_score_line", competency=N(sc["competency"]), score=f'{sc["score"]:.1f}')
        out.append(P(f'{line} · {L("rp_ai_certainty_short", level=L("rp_cert_" + sc["certainty"]))}', "score"))
        if sc["after_follow_ups"]:
            out.append(P(L("rp_score_after_follow_ups"), "small"))
        row = table_score.get(sc["competency"])
        if row and len(row["questions"]) > 1:
            out.append(P(L("rp_combined", score=f'{row["ai_score"]:.1f}', list=sep.join(map(str, row["questions"]))),
                         "small"))
        if r["level"]:
            out.append(P(f'{L("rp_level")}{C}{r["level"]}'))
        if r["level_reason"]:
            out.append(P(f'{L("rp_level_reason")}{C}{r["level_reason"]}'))
        if r["supporting"]:
            out.append(P(L("rp_supports"), "label"))
            for item in r["supporting"]:
                quote = f' “{item["quote"]}”' if item["quote"] else ""
                out.append(P(f'{at(item["at"]).strip()} {item["text"]}{quote}'.strip(), "quote"))
        if r["missing"]:
            out.append(P(L("rp_missing"), "label"))
            for item in r["missing"]:
                quote = f' “{item["quote"]}”' if item["quote"] else ""
                out.append(P(f'• {item["text"]}{quote}', "quote"))
        if r["unsure"]:
            out.append(P(L("rp_unsure_here"), "label"))
            out += [P(f"• {u}", "quote") for u in r["unsure"]]
        if sc.get("scored_by"):
            out.append(P(sc["scored_by"], "small"))
    return out


def render_pdf(report: dict[str, Any]) -> bytes:
    """The report in the page's order: the overall result first, then the questions, flags, doubts and the
    candidate's right to a human review."""
    font = _register_font()
    st = _styles(font)
    lang = _lang(report)
    L = lambda key, **values: catalogue.text(key, lang, **values)  # noqa: E731
    P = lambda text, style="body": Paragraph(escape(str(text)), st[style])  # noqa: E731
    iv = report["interview"]
    story: list = [P(L("pdf_title"), "title"), P(report["ai_label"], "banner"),
                   *([P(report["content_deleted"])] if report.get("content_deleted") else []),
                   P(f'{L("candidate")}: {iv["candidate"]["name"]}    {L("job")}: {iv["job"]["title"]}'),
                   P(f'{L("report_date")}: {_when(iv["started_at"])}'), Spacer(1, 4)]
    story += _overall(report, L, P)
    story.append(P(L("rp_questions"), "h2"))
    if report.get("answers_missing"):
        story.append(P(report["answers_missing"]["text"]))
    for q in report["questions"]:
        story += _question(q, report, L, P)

    story.append(P(L("flags"), "h2"))
    if report["flags"]:
        for f in report["flags"]:
            story.append(P(f'[{f["at"]}] {f.get("label") or f["kind"]} {f["detail"]}'))
    else:
        story.append(P(L("none")))
    story.append(P(report["nonverbal_note"], "small"))
    story.append(P(L("unsure"), "h2"))
    for u in report["uncertain"] or [L("none")]:
        story.append(P(f"• {u}"))
    story.append(P(L("review"), "h2"))
    story.append(P(report["review_right"]))
    if iv.get("review_requested_at"):
        story.append(P(L("requested", at=_when(iv["review_requested_at"]))))

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=L("pdf_title"), author="AI interview server (AI-generated)")
    doc.build(story)
    return buf.getvalue()
