"""The evaluation report speaks the interview's language: why each follow-up was asked, and all of a Chinese report
and its PDF, its overall result, its question numbers, its reasons and its competencies' names included."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from dialogue.plan import FollowUpTrigger, InterviewPlanSpec
from dialogue.plan_library import library_plan
from server.reports.interview_report import follow_up_why
from server.reports.report_event import report_event, work_notice
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


# --- competency names: a shipped plan keys its competencies in English, a Chinese reader sees Chinese names --------

async def _shipped_plan_interview(h, lang: str) -> tuple[str, InterviewPlanSpec]:
    """A finished interview by the shipped software engineer plan, in ``lang``: the first competencies scored (one
    below the weak line), the last left unscored, and a person's rating of the first. Every value a person or the
    scorer wrote is Chinese, so any English a Chinese report shows comes from the competencies."""
    plan = library_plan("software-engineer")
    await h.use_plan(plan, "软件工程师", lang)
    iv_id, _ = await h.create_interview("李雷", lang)
    store = h.ctx.store
    iv = await store.interviews.get(iv_id)
    questions = await store.jobs.plan_questions(iv.plan_id)
    for qi, (q, score) in enumerate(zip(questions[:4], (4.0, 3.0, 1.5, 3.5))):
        await store.records.add_turn(iv_id, qi, qi, q.id, "question", q.text)
        await store.records.end_turn(iv_id, qi, "我负责了这个项目。", "silence")
        await store.records.add_score(iv_id, qi, qi, q.competency, score, 0.8, "有具体例子", [], [])
    await store.records.add_review(iv_id, h.hr_user_id, questions[0].competency, 4.0, "同意")
    await store.interviews.update(iv_id, status="finished", started_at=utcnow(), ended_at=utcnow())
    return iv_id, plan


async def _report_and_pdf(h, iv_id: str) -> tuple[dict, str]:
    async with h.hr_client() as http:
        async with http.get(f"/api/v1/interviews/{iv_id}/report") as r:
            report = await r.json()
        async with http.get(f"/api/v1/interviews/{iv_id}/report.pdf") as r:
            pdf = await r.read()
    return report, "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


async def test_a_chinese_report_of_a_shipped_plan_names_its_competencies_in_chinese(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        iv_id, plan = await _shipped_plan_interview(h, "zh")
        report, pdf_text = await _report_and_pdf(h, iv_id)
    names = plan.competency_names()
    keys = [q.competency for q in plan.questions]
    english = {n for k in keys for n in (k, names[k]["en"])}
    chinese = [names[k]["zh"] for k in keys]
    # the page's data: keys stay as stored, each with its Chinese name, and every language's names for the page
    assert sorted(c["competency"] for c in report["competencies"]) == sorted(keys)
    assert {c["competency"]: c["name"] for c in report["competencies"]} == dict(zip(keys, chinese))
    assert report["competency_names"] == names
    assert [s["name"] for q in report["questions"] for s in q["scores"]] == chinese[:4]
    assert [q["competency_name"] for q in report["questions"]] == chinese[:4]
    assert report["overall"]["weak"] == [keys[2]] and report["overall"]["unscored"] == [keys[4]]  # keys, for machines
    # the PDF: the table, each question's score, the weak and the unscored competency, all by their Chinese names;
    # no Latin word but those the plan's Chinese questions write so themselves ("bug")
    assert _english_in(pdf_text) <= {w for q in plan.questions for w in _english_in(q.text["zh"])}, pdf_text
    assert not [n for n in english if n in pdf_text]
    flat = pdf_text.replace("\n", "")
    for name, score in zip(chinese, ("4.0", "3.0", "1.5", "3.5")):
        assert text("rp_score_line", "zh", competency=name, score=score) in flat, name
    assert text("rp_weak", "zh", line="2.0", names=chinese[2]) in flat
    assert text("rp_unscored", "zh", names=chinese[4]) in flat
    # the write-back's summary and the recruiters' work notice say the same names
    event = report_event(report, "https://hr.example").payload
    notice = work_notice(event)["action_card"]["markdown"]
    assert chinese[0] in event["summary"] and chinese[2] in event["summary"]
    assert not [n for n in english if n in event["summary"] or n in notice], (event["summary"], notice)
    assert [c["competency"] for c in event["competencies"]] == [c["competency"] for c in report["competencies"]]


async def test_an_english_report_of_a_shipped_plan_names_its_competencies_in_english(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        iv_id, plan = await _shipped_plan_interview(h, "en")
        report, pdf_text = await _report_and_pdf(h, iv_id)
    names = plan.competency_names()
    for c in report["competencies"]:
        assert c["name"] == names[c["competency"]]["en"]
        assert names[c["competency"]]["zh"] not in pdf_text
    flat = pdf_text.replace("\n", " ")
    first = plan.questions[0].competency
    assert text("rp_score_line", "en", competency=names[first]["en"], score="4.0") in flat


async def test_a_plan_without_competency_names_shows_the_keys(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        iv_id = await _chinese_interview(h)  # plain questions: no plan document, no names
        report, pdf_text = await _report_and_pdf(h, iv_id)
    assert report["competency_names"] == {}
    assert [(c["competency"], c["name"]) for c in report["competencies"]] == [("领导力", "领导力")]
    assert text("rp_score_line", "zh", competency="领导力", score="4.0") in pdf_text
