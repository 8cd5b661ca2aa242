"""Requirement verdicts that check what the job asks for (years of a kind of work, a field of study, fluency, a
level of skill, a team size, examples) and resume fields read from self-written layouts: quantified results, skill
lists, cities, team sizes in words and spoken languages."""

from __future__ import annotations

import datetime as dt

from analyzers.documents.job_matching import match
from analyzers.documents.job_requirements import extract_requirements
from analyzers.documents.resume_parser import parse_resume

AS_OF = dt.date(2026, 11, 1)

ZH_RESUME = """林若溪
电话：136-0000-7781 ｜ 邮箱：lin.ruoxi@example.cn ｜ 现居：绍兴
工作经历
2022.03 – 至今  绍兴禾丰纺织有限公司  财务经理
- 带领六人核算团队，月结周期由7天缩短至4天
- 年节税约1,350万元
2019.07 – 2022.02  绍兴禾丰纺织有限公司  行政专员
教育背景
2015.09 – 2019.06  越州大学  日语  本科
技能
SAP FI、Excel（熟悉）、用友（U8、NC）
语言
普通话、英语（CET-6）
"""

EN_RESUME = """Noor Haddad
Tacoma, WA | (253) 555-0166 | noor.h@example.org

Summary
Analyst with six years in logistics.

Experience
Freight Coordinator, Sound Freight Lines  Apr 2023 – Present
- Run a crew of eight drivers
- Cut empty miles by 14% with route pooling
Office Assistant, Sound Freight Lines  Jan 2020 – Mar 2023

Education
B.A. in History, Cedar Hill College, 2016 – 2019

Skills
Excel (pivot tables, Power Query), SQL (BigQuery)

Languages
English (native), Arabic (conversational)
"""


def _parse(text: str):
    return parse_resume(text.encode("utf-8"), "resume.txt", today=AS_OF)


def test_resume_fields_from_self_written_layouts():
    zh = _parse(ZH_RESUME)
    assert zh.city.value == "绍兴"
    assert zh.team_size_led.value == 6
    assert {q.value for q in zh.quantified_results} >= {"月结周期由7天缩短至4天", "年节税约1,350万元"}
    assert {"SAP FI", "Excel(熟悉)", "用友", "U8", "NC"} <= {s.value for s in zh.skills}
    assert {x.value for x in zh.languages} == {"Mandarin", "English"}
    en = _parse(EN_RESUME)
    assert en.city.value == "Tacoma"
    assert en.team_size_led.value == 8
    assert en.years_experience.value == 6
    assert "Cut empty miles by 14%" in {q.value for q in en.quantified_results}
    assert {"Excel", "pivot tables", "Power Query", "SQL (BigQuery)"} <= {s.value for s in en.skills}
    assert {x.value for x in en.languages} == {"English", "Arabic"}


def _verdicts(jd: str, resume: str) -> dict[str, tuple[str, str]]:
    reqs = extract_requirements(jd)
    result = match(_parse(resume), reqs)
    lines = {r.id: r.line for r in reqs.requirements}
    out: dict[str, tuple[str, str]] = {}
    order = {"missing": 0, "partly": 1, "met": 2}
    for it in result.items:
        if it.must_have:
            key = lines[it.requirement_id]
            if key not in out or order[it.status] < order[out[key][0]]:
                out[key] = (it.status, it.explanation)
    return out


def test_years_of_a_kind_of_work_count_only_roles_in_that_field():
    v = _verdicts("任职要求\n1. 3年以上财务或会计工作经验\n", ZH_RESUME)
    status, why = v["3年以上财务或会计工作经验"]
    assert status == "met" and "财务" in why
    v = _verdicts("Requirements\n- 5+ years of logistics coordination experience\n", EN_RESUME)
    status, why = v["5+ years of logistics coordination experience"]
    # the resume says six years in logistics, but only the freight coordinator role (under 4 years) is logistics work
    assert status == "missing" and "of them in logistics" in why


def test_field_of_study_is_checked_with_the_degree():
    status, why = _verdicts("岗位要求\n- 会计或金融相关专业，本科及以上学历\n", ZH_RESUME)["会计或金融相关专业，本科及以上学历"]
    assert status == "missing" and "日语" in why
    ok, _ = _verdicts("岗位要求\n- 本科及以上学历，专业不限\n", ZH_RESUME)["本科及以上学历，专业不限"]
    assert ok == "met"


def test_fluency_is_not_an_exam_certificate():
    jd = "You have\n- Fluent spoken English\n- Conversational Arabic\n"
    assert _verdicts(jd, ZH_RESUME)["Fluent spoken English"][0] == "missing"  # CET-6 only
    assert _verdicts(jd, EN_RESUME)["Fluent spoken English"][0] == "met"  # written in English


def test_expert_level_examples_and_team_size():
    zh_jd = "任职要求\n1）精通Excel；\n2）熟悉用友或金蝶；\n"
    v = _verdicts(zh_jd, ZH_RESUME)
    assert v["精通Excel"][0] == "missing" and "熟悉" in v["精通Excel"][1]
    assert v["熟悉用友或金蝶"][0] == "met"  # one of the alternatives
    en_jd = ("What we're looking for\n- Experience with route planning tools (Descartes, Routific or OptimoRoute)\n"
             "- Experience leading a team of 10 or more drivers\n")
    v = _verdicts(en_jd, EN_RESUME)
    assert v["Experience with route planning tools (Descartes, Routific or OptimoRoute)"][0] == "missing"
    status, why = v["Experience leading a team of 10 or more drivers"]
    assert status == "missing" and "8" in why
