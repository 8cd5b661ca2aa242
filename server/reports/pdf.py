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

from analyzers.text.language import normalise_language
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
        "h3": ParagraphStyle("h3", parent=body, fontSize=10.5, leading=14, spaceBefore=6),
        "body": body,
        "quote": ParagraphStyle("quote", parent=body, leftIndent=8, textColor=colors.HexColor("#444444")),
        "banner": ParagraphStyle("banner", parent=body, backColor=colors.HexColor("#fdf0d9"), borderPadding=4,
                                 spaceAfter=6),
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, textColor=colors.HexColor("#555555")),
    }


def render_pdf(report: dict[str, Any]) -> bytes:
    font = _register_font()
    st = _styles(font)
    lang = normalise_language(report["interview"]["language"])
    L = lambda key, **values: catalogue.text(key, lang, **values)  # noqa: E731
    P = lambda text, style="body": Paragraph(escape(str(text)), st[style])  # noqa: E731
    iv = report["interview"]
    story: list = [P(L("pdf_title"), "title"), P(report["ai_label"], "banner"),
                   *([P(report["content_deleted"])] if report.get("content_deleted") else []),
                   P(f'{L("candidate")}: {iv["candidate"]["name"]}    {L("job")}: {iv["job"]["title"]}'),
                   P(f'{L("report_date")}: {(iv["started_at"] or "")[:16].replace("T", " ")}'), Spacer(1, 4)]

    story.append(P(L("competencies"), "h2"))
    rows = [[P(L("competency")), P(L("ai_score")), P(L("confidence")), P(L("human"))]]
    for c in report["competencies"]:
        human = "; ".join(f'{h["score"]:g} ({h["reviewer"]})' for h in c["human"]) or "–"
        rows.append([P(c["competency"]), P("–" if c["ai_score"] is None else f'{c["ai_score"]:.1f}'),
                     P("–" if c["confidence"] is None else f'{c["confidence"]:.2f}'), P(human)])
    table = Table(rows, colWidths=[50 * mm, 25 * mm, 25 * mm, 70 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f7")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(table)

    story.append(P(L("answers"), "h2"))
    for a in report["answers"]:
        at = f' [{a["at"]}]' if a["at"] else ""
        head = f'{L("followup") if a["kind"] == "followup" else L("question")} {a["turn_index"] + 1}{at}: {a["question"]}'
        story.append(P(head, "h3"))
        if a["kind"] == "followup" and a["reason"]:
            story.append(P(f'{L("why_asked")}: {a["reason"]}', "small"))
        story.append(P(f'{L("answer")}: {a["answer"] or "–"}'))
        for sc in a["scores"]:
            story.append(P(f'{sc["competency"]}: {sc["score"]:g} / 5 · {L("confidence")} {sc["confidence"]:.2f}', "body"))
            if sc["level"]:
                story.append(P(f'{L("level")}: {sc["level"]}', "small"))
            if sc.get("scored_by"):
                story.append(P(sc["scored_by"], "small"))
            for e in sc["evidence"]:
                quote = f'“{e["quote"]}”' if e.get("quote") else ""
                story.append(P(f'[{e.get("at", "")}] {e.get("note", "")} {quote}', "quote"))
        nv = a.get("nonverbal") or {}
        if nv.get("face"):
            face = nv["face"]
            story.append(P(f'{L("observations")}: {L("tl_face")} {face.get("face_present_share", 0) * 100:.0f}%, '
                           f'{L("tl_look")} {face.get("looking_at_screen_share", 0) * 100:.0f}%', "small"))

    story.append(P(L("observations"), "h2"))
    story.append(P(report["nonverbal_note"], "small"))
    story.append(P(L("flags"), "h2"))
    if report["flags"]:
        for f in report["flags"]:
            story.append(P(f'[{f["at"]}] {f.get("label") or f["kind"]} {f["detail"]}'))
    else:
        story.append(P(L("none")))
    story.append(P(L("unsure"), "h2"))
    for u in report["uncertain"] or [L("none")]:
        story.append(P(f"• {u}"))
    story.append(P(L("review"), "h2"))
    story.append(P(report["review_right"]))
    if iv.get("review_requested_at"):
        story.append(P(L("requested", at=iv["review_requested_at"][:16].replace("T", " "))))

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=L("pdf_title"), author="AI interview server (AI-generated)")
    doc.build(story)
    return buf.getvalue()
