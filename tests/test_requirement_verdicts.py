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
    assert status == "missing" and "years of work were in logistics" in why


def test_field_of_study_is_checked_with_the_degree():
    status, why = _verdicts("岗位要求\n- 本科以上学历，财会或金融类专业\n", ZH_RESUME)["本科以上学历，财会或金融类专业"]
    assert status == "missing" and "日语" in why
    ok, _ = _verdicts("岗位要求\n- 学历要求本科，不限专业\n", ZH_RESUME)["学历要求本科，不限专业"]
    assert ok == "met"


def test_fluency_is_not_an_exam_certificate():
    jd = "You have\n- Speaks English fluently with clients\n- Conversational Arabic\n"
    assert _verdicts(jd, ZH_RESUME)["Speaks English fluently with clients"][0] == "missing"  # CET-6 only
    assert _verdicts(jd, EN_RESUME)["Speaks English fluently with clients"][0] == "met"  # English (native)


def test_expert_level_examples_and_team_size():
    zh_jd = "任职要求\n1）精通Excel；\n2）熟悉用友或金蝶；\n"
    v = _verdicts(zh_jd, ZH_RESUME)
    assert v["精通Excel"][0] == "missing" and "熟悉" in v["精通Excel"][1]
    assert v["熟悉用友或金蝶"][0] == "met"  # one of the alternatives
    en_jd = ("What we're looking for\n- Experience with route planning tools (Descartes, Routific or OptimoRoute)\n"
             "- Has supervised a team of 10+ drivers\n")
    v = _verdicts(en_jd, EN_RESUME)
    assert v["Experience with route planning tools (Descartes, Routific or OptimoRoute)"][0] == "missing"
    status, why = v["Has supervised a team of 10+ drivers"]
    assert status == "missing" and "8" in why


BACKEND_RESUME = """Priya Raman
Leeds, UK | priya.raman@example.net | +44 7700 900123

Experience
Senior Back-End Engineer, Harbour Pay Ltd  Mar 2019 – Present
- Rebuilt the settlement service so that the nightly batch finishes 40% sooner
Back-End Developer, Ledgerline  Jun 2016 – Feb 2019
- Wrote the invoicing API used by every merchant account

Education
BSc in Mathematics, University of Leeds, 2012 – 2016

Skills
Redpanda, PostgreSQL, Docker
"""


def test_years_of_a_field_of_work_is_one_requirement_not_also_a_skill():
    for line in ("7 years of back-end development", "四年以上后端开发经验"):
        reqs = extract_requirements(f"Requirements\n- {line}\n")
        assert [r.kind for r in reqs.requirements] == ["years"], line
    reqs = extract_requirements("Requirements\n- 7 years of back-end development\n")
    result = match(_parse(BACKEND_RESUME), reqs)
    assert [it.status for it in result.items] == ["met"] and result.score == 100
    # a technology named beside the years is still a skill of its own
    reqs = extract_requirements("Requirements\n- 3+ years of back-end development with PostgreSQL\n")
    assert sorted(r.kind for r in reqs.requirements) == ["skill", "years"]


def test_an_unknown_name_offered_as_an_alternative_is_kept_as_written():
    for jd, alternative in (("Requirements\n- Event streaming on Kafka or Redpanda\n", "Redpanda"),
                            ("任职要求\n1. 熟悉Kafka、RocketMQ或者NATS\n", "RocketMQ")):
        skills = [r for r in extract_requirements(jd).requirements if r.kind == "skill"]
        assert len(skills) == 1 and alternative in [skills[0].value, *skills[0].alternatives], jd
    reqs = extract_requirements("Requirements\n- Event streaming on Kafka or Redpanda\n")
    assert match(_parse(BACKEND_RESUME), reqs).items[0].status == "met"  # Redpanda is on the resume


def test_an_and_after_the_alternatives_starts_a_new_requirement():
    skills = [r for r in extract_requirements("Requirements\n- SQLite or PostgreSQL, and Docker\n").requirements]
    assert [(r.value, r.alternatives) for r in skills] == [("SQLite", ["PostgreSQL"]), ("Docker", [])]


def test_language_inferred_from_the_resume_quotes_no_name():
    reqs = extract_requirements("You have\n- Professional-level English\n")
    it = match(_parse(BACKEND_RESUME), reqs).items[0]
    assert it.status == "met" and "inferred from the resume's language" in it.explanation
    assert "Priya Raman" not in " ".join(it.evidence)
    assert all(ev in BACKEND_RESUME for ev in it.evidence)


class _Vectors:
    """An embedder with chosen vectors: "Go" and "Java" related (cosine 0.57), "Terraform" nearest to the city
    line (0.31) and unrelated to everything else."""

    def embed(self, texts):
        import numpy as np

        def vec(t):
            if t == "Go":
                return [1.0, 0.0, 0.0]
            if t == "Java":
                return [0.57, 0.82, 0.0]
            if t == "Terraform":
                return [0.0, 0.0, 1.0]
            if "Leeds" in t:
                return [0.0, 0.95, 0.31]
            return [0.0, 1.0, 0.0]
        v = np.array([vec(t) for t in texts], dtype=np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_a_closest_match_is_named_only_when_it_is_a_related_skill():
    resume = BACKEND_RESUME.replace("Redpanda, PostgreSQL, Docker", "Java, Figma")
    result = match(_parse(resume), extract_requirements("Requirements\n- Go\n- Terraform\n"), _Vectors())
    go, terraform = result.items
    assert go.status == "missing" and "the closest skill it lists is “Java”" in go.explanation
    assert terraform.status == "missing" and "closest" not in terraform.explanation
    assert terraform.explanation == "not found in the resume"


def test_present_counts_to_the_date_the_matcher_is_given():
    # the finance-manager role runs from 2022-03 to "present": 3 years is met only once March 2025 is reached
    reqs = extract_requirements("任职要求\n1. 3年以上财务工作经验\n")
    profile = _parse(ZH_RESUME)
    early = [it.status for it in match(profile, reqs, today=dt.date(2025, 1, 1)).items]
    later = [it.status for it in match(profile, reqs, today=dt.date(2025, 3, 1)).items]
    assert early == ["missing"] and later == ["met"]


UK_RESUME = """Priya Natarajan
Leeds, UK | priya.n@example.org

Experience
Tax Accountant, Aire Valley Foods Ltd  2016 – Present
- Prepared quarterly VAT returns and corporation tax computations for HMRC
- Ran the month-end close for three UK entities

Skills
VAT, corporation tax, Xero
"""


def _tax_verdict(resume: str) -> tuple[str, str]:
    from analyzers.embeddings import load_multilingual_use

    reqs = extract_requirements("任职要求\n1. 熟练掌握中国增值税申报\n")
    (item,) = match(_parse(resume), reqs, load_multilingual_use()).items
    return item.status, item.explanation


def test_a_skill_tied_to_one_country_is_not_met_by_the_same_work_elsewhere():
    status, why = _tax_verdict(UK_RESUME)
    # the skill is compared without its country ("增值税申报" ~ "VAT returns"), the country on its own
    assert status == "missing" and "China" in why and "United Kingdom" in why
    # the same work in the country asked for, or in a resume that names no country, is not refused for its place
    in_china = UK_RESUME.replace("Leeds, UK", "Shanghai").replace(" for HMRC", "").replace("three UK", "three")
    no_country = UK_RESUME.replace("Leeds, UK", "Leeds").replace(" for HMRC", "").replace("three UK", "three")
    for resume in (in_china, no_country):
        status, why = _tax_verdict(resume)
        assert status != "missing" and "China" not in why


def test_the_country_is_taken_out_of_a_skill_name_and_language_names_are_not_places():
    from analyzers.documents.country_scope import countries_named, without_country

    assert without_country("中国增值税申报") == "增值税申报" and without_country("US GAAP") == "GAAP"
    assert without_country("German tax law") == "tax law" and without_country("Python") == "Python"
    assert countries_named("English (native), French (fluent), Mandarin") == set()
    assert countries_named("us and them") == set() and countries_named("Based in Sydney") == {"AU"}
