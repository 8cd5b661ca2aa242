"""The evaluation report speaks the interview's language: why each follow-up was asked, and all of a Chinese report
and its PDF, its overall result, its question numbers and its reasons included."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from dialogue.plan import FollowUpTrigger
from server.reports.interview_report import follow_up_why
from server.storage.models import utcnow
from tests.harness import running_server
from web_client.catalogue import text

pytestmark = pytest.mark.unit

RECORDED = "The answer does not seem to address the question; asking once to clarify"


def test_a_chinese_report_says_why_in_chinese_for_every_trigger():
    for trigger in (*FollowUpTrigger.__args__, "clarify"):
        why = follow_up_why(trigger, RECORDED, "zh")
        assert why and re.search(r"[\u4e00-\u9fff]", why) and not re.search(r"[A-Za-z]", why), (trigger, why)


def test_an_english_report_keeps_the_recorded_reason_with_its_numbers():
    reason = "The answer is short (9 words; the question asks for at least 15)"
    assert follow_up_why("too_short", reason, "en") == reason
    assert follow_up_why("a_plan_trigger", RECORDED, "zh") == RECORDED  # nothing better to say


def test_a_recorded_reason_holding_a_code_is_never_shown():
    """Older records said "(specificity: general)": the trigger's sentence instead, or nothing."""
    old = "The answer stays general (specificity: general); no concrete instance was described"
    assert follow_up_why("no_example", old, "en") == text("why_no_example", "en")
    assert follow_up_why("a_plan_trigger", "relevance cosine -0.064", "en") is None


# --- a whole Chinese report: the JSON the report page shows and the PDF hold no English ----------------------------

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
SAME_IN_EVERY_LANGUAGE = {"AI"}  # "AI 评分", "AI 生成": Chinese text writes it so


async def _chinese_interview(h) -> str:
    """A finished Chinese interview with everything a report shows: an answer, a follow-up with the policy's
    English reason, a score with evidence and doubts, observable behaviour, a proctoring flag, a person's rating and
    the candidate's request for a human review. Every value a person typed is Chinese."""
    store = h.ctx.store
    job = await store.jobs.create(h.org_id, "后端工程师", "负责后端开发", "zh",
                                  [{"text": "请讲一次您带领团队的经历。", "competency": "领导力", "expected_points": ["团队", "结果"]}],
                                  member_id=h.hr_user_id)
    iv = await store.interviews.create(h.org_id, job.id, "王小明", "", "zh")
    q = (await store.jobs.plan_questions(iv.plan_id))[0]
    answer = "我带领五个人的团队完成了迁移，成本降低了一半。"
    await store.records.add_turn(iv.id, 0, 0, q.id, "question", q.text)
    await store.records.add_segment(iv.id, 0, answer, 100, 4000, [], "whisper", "c1")
    await store.records.end_turn(iv.id, 0, answer, "silence")
    await store.records.add_turn(iv.id, 1, 0, q.id, "followup", "您提到成本降低了一半，具体是多少？", "missing_numbers",
                                 "A result, but no measurable figure (0 numbers).")
    await store.records.add_event(iv.id, "answer.summary", {"type": "answer.summary", "turn_index": 0, "nonverbal": {
        "face": {"face_present_share": 0.9, "looking_at_screen_share": 0.8}}})
    for kind in ("looking_away", "second_face"):
        await store.records.add_event(iv.id, "flag.raised", {"type": "flag.raised", "kind": kind, "since_ms": 500,
                                                             "analyzer": "face"})
    await store.records.add_score(iv.id, 0, 0, "领导力", 4.0, 0.8, "讲了具体的团队和结果",
                                  [{"quote": "成本降低了一半", "note": "有可衡量的结果"}], ["回答较短，可供判断的内容不多。"])
    await store.records.add_review(iv.id, h.hr_user_id, "领导力", 4.0, "同意")
    await store.interviews.update(iv.id, status="finished", started_at=utcnow(), ended_at=utcnow(),
                                  review_requested_at=utcnow())
    return iv.id


def _english_in(text: str) -> set[str]:
    """Latin words in ``text``, the reviewers' e-mail addresses (data, not words of the report) aside."""
    return set(LATIN_WORD.findall(re.sub(r"\S+@\S+", "", text))) - SAME_IN_EVERY_LANGUAGE


async def test_a_chinese_report_and_its_pdf_hold_no_english(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        iv_id = await _chinese_interview(h)
        async with h.hr_client() as http:
            async with http.get(f"/api/v1/interviews/{iv_id}/report") as r:
                report = await r.json()
            async with http.get(f"/api/v1/interviews/{iv_id}/report.pdf") as r:
                pdf = await r.read()
    shown = [report["ai_label"], report["review_right"], report["nonverbal_note"], *report["uncertain"],
             *(f["label"] for f in report["flags"]),
             *(a["reason"] or "" for a in report["answers"]),
             *(s["scored_by"] for a in report["answers"] for s in a["scores"])]
    assert {f["label"] for f in report["flags"]} == {text("flag_looking_away", "zh"), text("flag_second_face", "zh")}
    assert report["answers"][1]["reason"] == text("why_missing_numbers", "zh")
    [question] = report["questions"]
    reasons = question["scores"][0]["reasons"]
    shown += [question["follow_ups"][0]["why"], reasons["level"], *reasons["unsure"],
              *(r["text"] for r in reasons["supporting"] + reasons["missing"])]
    assert not [s for s in shown if _english_in(s)], shown
    pdf_text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert not _english_in(pdf_text), pdf_text
    for key in ("pdf_title", "rp_overall", "rp_suggested_by_ai", "rp_not_confirmed", "rp_competency_scores",
                "rp_certainty_col", "rp_questions", "why_asked", "rp_level", "flags", "unsure", "review", "flag_looking_away"):
        assert text(key, "zh") in pdf_text, key
    for line in (text("rp_question_of", "zh", n=1, total=1), text("rp_follow_up", "zh", label="1a"),
                 text("rp_score_line", "zh", competency="领导力", score="4.0"),
                 text("rp_observed", "zh", face=90, look=80), text("rp_from_question", "zh", list=1)):
        assert line in pdf_text, line
    # the overall result (a suggestion a person has not confirmed yet) comes first
    assert pdf_text.index(text("rp_overall", "zh")) < pdf_text.index(text("rp_questions", "zh"))
    assert report["overall"]["suggestion"] == "advance" and report["overall"]["decision"] is None
    assert text("rp_dec_advance", "zh") in pdf_text
