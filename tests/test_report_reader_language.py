"""The report speaks its reader's language (``?lang=``, which the report page sends), not only the interview's: its
labels, the reasons for each score, the rubric levels, the doubts and why a follow-up was asked, while what the
candidate was asked and said stays as it was said. Without ``lang`` it is in the interview's language (the PDF
link of an older page, the HR-system write-back)."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from dialogue.score_words import WORDS, reword, say
from dialogue.scoring import GENERIC_RUBRIC, level_in
from tests.harness import running_server
from tests.report_seed import TEXT, seed_report_interview
from web_client.catalogue import text

pytestmark = pytest.mark.unit

CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_sentence_a_score_stores_is_said_again_in_the_other_language_with_its_values():
    for key, texts in WORDS.items():
        values = {name: f"V{i}" for i, name in enumerate(PLACEHOLDER.findall(texts["en"]))}
        for said_in, lang in (("en", "zh"), ("zh", "en")):
            assert reword(say(key, said_in, **values), said_in, lang) == say(key, lang, **values), (key, said_in)
    assert reword("The model's own words.", "en", "zh") == "The model's own words."  # nothing better to say
    assert reword(say("no_result", "en"), "en", "en") == say("no_result", "en")


def test_a_level_description_is_the_same_level_in_the_readers_language():
    rubric = [{"en": "Names a tool only.", "zh": "只说出了工具。"}, {"en": "Explains the trade-off.", "zh": "讲清了取舍。"}]
    assert level_in("Explains the trade-off.", "zh", rubric) == "讲清了取舍。"
    assert level_in(GENERIC_RUBRIC[3]["zh"], "en") == GENERIC_RUBRIC[3]["en"]
    assert level_in("A level the plan no longer has.", "zh", rubric) == "A level the plan no longer has."


def _shown_sentences(report: dict) -> list[str]:
    """The sentences the server wrote for a person (not the candidate's words, the questions or plan points)."""
    out = [report["ai_label"], report["review_right"], report["nonverbal_note"], *report["uncertain"],
           *(f["label"] for f in report["flags"])]
    for q in report["questions"]:
        out += [f["why"] for f in q["follow_ups"] if f["why"]]
        for s in q["scores"]:
            r = s["reasons"]
            out += [r["level"], r["level_reason"], *r["unsure"], s["scored_by"]]
    return out


async def _get(h, path: str) -> tuple[int, dict | bytes]:
    async with h.hr_client() as http, http.get(path) as r:
        return r.status, await (r.json() if "/report?" in path or path.endswith("/report") else r.read())


async def test_an_english_interview_read_in_chinese_and_a_chinese_one_read_in_english(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        en = await seed_report_interview(h, "en")
        zh = await seed_report_interview(h, "zh")
        base = f"/api/v1/interviews/{en.interview_id}/report"
        status, as_zh = await _get(h, base + "?lang=zh")
        assert status == 200 and as_zh["lang"] == "zh" and as_zh["interview"]["language"] == "en"
        status, as_is = await _get(h, base)  # no lang: the interview's, as before
        assert status == 200 and as_is["lang"] == "en"
        status, pdf = await _get(h, f"{base}.pdf?lang=zh")
        assert status == 200
        status, bad = await _get(h, base + "?lang=fr")
        assert status == 400 and bad["error"]["code"] == "bad_query"
        _, zh_as_en = await _get(h, f"/api/v1/interviews/{zh.interview_id}/report?lang=en")

    sentences = _shown_sentences(as_zh)
    assert sentences and not [s for s in sentences if not CJK.search(s)], sentences
    q1 = as_zh["questions"][0]
    final = en.scores["q1_final"]
    assert q1["scores"][0]["reasons"]["level_reason"] == reword(
        next(e.note for e in final.evidence if e.stance == "level"), "en", "zh")
    assert q1["scores"][0]["reasons"]["level"] == level_in(final.level_description, "zh")
    # what the candidate was asked and said is not translated
    t = TEXT["en"]
    assert (q1["question"], q1["answer"]) == (t["questions"][0][0], " ".join(t["a1"]))
    assert q1["follow_ups"][0]["answer"] == " ".join(t["a2"])
    assert {r["quote"] for r in q1["scores"][0]["reasons"]["supporting"]} <= set(t["a1"] + t["a2"])
    # the PDF says it in the reader's language too
    pdf_text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert text("rp_questions", "zh") in pdf_text and text("rp_overall", "zh") in pdf_text
    assert as_is["questions"][0]["scores"][0]["reasons"]["level_reason"] == next(
        e.note for e in final.evidence if e.stance == "level")

    points = [p for _, _, ps in TEXT["zh"]["questions"] for p in ps]  # the plan's points, as the plan words them
    sentences = [re.sub("|".join(points), "", s) for s in _shown_sentences(zh_as_en)]
    assert sentences and not [s for s in sentences if CJK.search(s)], sentences
    assert zh_as_en["questions"][0]["answer"] == "".join(TEXT["zh"]["a1"])
    assert [c["name"] for c in zh_as_en["competencies"]] == ["Leadership", "Problem solving"]
