"""Job-description requirement extraction and resume-to-job matching (English and Chinese, both directions).

Over 500 lines because its tests share the job descriptions and resume profiles at the top (requirement extraction
is tested on the same JDs the matching ranks against).
"""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from analyzers.documents.job_matching import match, rank, skill_similarity
from analyzers.documents.job_requirements import JobRequirements, Requirement, extract_requirements
from analyzers.documents.match_result import MISSING_MUST_CAP, MatchResult, Override, apply_override
from analyzers.documents.resume_profile import Education, ResumeProfile, Sourced, WorkExperience

EN_JD = """Senior Machine Learning Engineer

Responsibilities:
- Build and ship recommendation models with Python and Spark.
- Work closely with product and data teams.

Requirements:
- 5+ years of professional software engineering experience.
- Bachelor's degree in Computer Science or a related field; Master's preferred.
- Proficient in Python and SQL; strong knowledge of machine learning.
- Must be fluent in English.
- Experience leading a team of 3+ engineers is required.

Nice to have:
- Experience with Kubernetes, Docker, or Terraform.
- Familiarity with PyTorch is a plus.
"""

ZH_JD = """高级后端工程师
岗位职责：
1. 负责核心交易系统的设计与开发；
2. 使用Java和Go构建高并发服务。
任职要求：
1. 本科及以上学历，计算机相关专业，硕士优先；
2. 3年以上Java开发经验，熟练掌握Spring Boot、MySQL、Redis；
3. 熟悉分布式系统和机器学习基础；
4. 英语流利，能阅读英文技术文档；
5. 有带团队经验；
6. 有K8s、Kafka使用经验者优先。
"""


# ------------------------------------------------------------------------------------------------ profiles


def _src(text: str, fragment: str, value=None) -> Sourced:
    assert fragment in text, fragment  # every source is verbatim resume text
    return Sourced(fragment if value is None else value, fragment)


def alice() -> ResumeProfile:
    """English resume, strong for the English ML JD."""
    t = (
        "Alice Chen\nSeattle, WA | alice.chen@example.com\n"
        "Summary: Machine learning engineer with 7 years of experience building recommender systems.\n"
        "Experience\n"
        "Staff ML Engineer, Shopwise Inc. (2020-03 - present)\n"
        "Led a team of 5 engineers building the ranking platform on Kubernetes.\n"
        "Improved click-through rate by 12% with a PyTorch two-tower model.\n"
        "Software Engineer, DataCo (2017-06 - 2020-02)\n"
        "Built ETL pipelines in Python and SQL on Spark.\n"
        "Education\n"
        "University of Washington, M.S. in Computer Science, 2017\n"
        "Skills: Python, SQL, PyTorch, Kubernetes, Docker\n"
        "Languages: English (native), Mandarin (conversational)\n"
    )
    return ResumeProfile(
        language="en",
        name=_src(t, "Alice Chen"),
        email=_src(t, "alice.chen@example.com"),
        city=_src(t, "Seattle, WA"),
        education=[Education(school=_src(t, "University of Washington"), degree=_src(t, "M.S.", "master"),
                             major=_src(t, "Computer Science"), end="2017")],
        work_experience=[
            WorkExperience(company=_src(t, "Shopwise Inc."), title=_src(t, "Staff ML Engineer"), start="2020-03",
                           end="present",
                           description="Led a team of 5 engineers building the ranking platform on Kubernetes."),
            WorkExperience(company=_src(t, "DataCo"), title=_src(t, "Software Engineer"), start="2017-06",
                           end="2020-02", description="Built ETL pipelines in Python and SQL on Spark."),
        ],
        skills=[_src(t, s) for s in ("Python", "SQL", "PyTorch", "Kubernetes", "Docker")],
        languages=[_src(t, "English (native)", "English"), _src(t, "Mandarin (conversational)", "Mandarin")],
        years_experience=_src(t, "7 years of experience", 7.0),
        team_size_led=_src(t, "Led a team of 5 engineers", 5),
        quantified_results=[_src(t, "Improved click-through rate by 12%")],
        text=t,
    )


def bob() -> ResumeProfile:
    """English resume, a junior front-end developer: misses the ML JD's must-haves."""
    t = (
        "Bob Miller\nAustin, TX\n"
        "Front-end developer with 2 years of experience.\n"
        "Frontend Developer, WebWorks LLC (2022-01 - present)\n"
        "Built customer dashboards in React and TypeScript.\n"
        "Education: Austin Community College, Associate degree in Web Design\n"
        "Skills: React, TypeScript, HTML/CSS, Figma\n"
        "Languages: English\n"
    )
    return ResumeProfile(
        language="en",
        name=_src(t, "Bob Miller"),
        education=[Education(school=_src(t, "Austin Community College"), degree=_src(t, "Associate degree", "associate"),
                             major=_src(t, "Web Design"))],
        work_experience=[WorkExperience(company=_src(t, "WebWorks LLC"), title=_src(t, "Frontend Developer"),
                                        start="2022-01", end="present",
                                        description="Built customer dashboards in React and TypeScript.")],
        skills=[_src(t, s) for s in ("React", "TypeScript", "HTML/CSS", "Figma")],
        languages=[_src(t, "English")],
        years_experience=_src(t, "2 years of experience", 2.0),
        text=t,
    )


def zhang_wei() -> ResumeProfile:
    """Chinese resume, strong for the English ML JD."""
    t = (
        "张伟\n北京 | 138****5678\n"
        "个人简介：6年机器学习与推荐系统研发经验。\n"
        "工作经历\n"
        "字节跳动 算法团队负责人 2019.07-至今\n"
        "带领6人团队负责信息流推荐模型，点击率提升15%。\n"
        "使用PyTorch训练深度学习模型，部署在K8s集群上。\n"
        "美团 机器学习工程师 2018.07-2019.06\n"
        "教育背景\n"
        "清华大学 计算机科学与技术 硕士 2018\n"
        "专业技能：Python熟练，精通SQL，熟悉机器学习与深度学习，熟悉Docker\n"
        "语言能力：英语流利（CET-6，雅思7.0）\n"
    )
    return ResumeProfile(
        language="zh",
        name=_src(t, "张伟"),
        city=_src(t, "北京"),
        education=[Education(school=_src(t, "清华大学"), degree=_src(t, "硕士", "master"),
                             major=_src(t, "计算机科学与技术"), end="2018")],
        work_experience=[
            WorkExperience(company=_src(t, "字节跳动"), title=_src(t, "算法团队负责人"), start="2019-07", end="present",
                           description="带领6人团队负责信息流推荐模型，点击率提升15%。"),
            WorkExperience(company=_src(t, "美团"), title=_src(t, "机器学习工程师"), start="2018-07", end="2019-06"),
        ],
        skills=[_src(t, s) for s in ("Python熟练", "精通SQL", "熟悉机器学习与深度学习", "熟悉Docker")],
        languages=[_src(t, "英语流利（CET-6，雅思7.0）", "英语")],
        years_experience=_src(t, "6年机器学习与推荐系统研发经验", 6.0),
        team_size_led=_src(t, "带领6人团队", 6),
        quantified_results=[_src(t, "点击率提升15%")],
        text=t,
    )


def li_na() -> ResumeProfile:
    """Chinese resume, a junior front-end developer: misses the Chinese backend JD's must-haves."""
    t = (
        "李娜\n杭州\n"
        "2年前端开发经验。\n"
        "某电商公司 前端开发工程师 2022.03-至今\n"
        "使用Vue和TypeScript开发商家后台页面。\n"
        "浙江某职业技术学院 大专 计算机应用技术\n"
        "技能：Vue、TypeScript、HTML/CSS\n"
    )
    return ResumeProfile(
        language="zh",
        name=_src(t, "李娜"),
        education=[Education(school=_src(t, "浙江某职业技术学院"), degree=_src(t, "大专", "associate"),
                             major=_src(t, "计算机应用技术"))],
        work_experience=[WorkExperience(company=_src(t, "某电商公司"), title=_src(t, "前端开发工程师"),
                                        start="2022-03", end="present",
                                        description="使用Vue和TypeScript开发商家后台页面。")],
        skills=[_src(t, s) for s in ("Vue", "TypeScript", "HTML/CSS")],
        years_experience=_src(t, "2年前端开发经验", 2.0),
        text=t,
    )


def daniel() -> ResumeProfile:
    """English resume, strong for the Chinese backend JD."""
    t = (
        "Daniel Wu\nShanghai, China\n"
        "Backend engineer with 5 years of experience in Java and distributed systems.\n"
        "Engineering Manager, PayFast (2021-01 - present)\n"
        "Managed a team of 4 backend engineers; built payment services with Spring Boot, MySQL and Redis.\n"
        "Software Engineer, Ctrip (2019-01 - 2020-12)\n"
        "Applied machine learning models to fraud detection.\n"
        "Fudan University, B.S. in Software Engineering, 2018\n"
        "Skills: Java, Spring Boot, MySQL, Redis, Kafka, distributed systems\n"
        "Languages: English (fluent, IELTS 7.5), Chinese (native)\n"
    )
    return ResumeProfile(
        language="en",
        name=_src(t, "Daniel Wu"),
        education=[Education(school=_src(t, "Fudan University"), degree=_src(t, "B.S.", "bachelor"),
                             major=_src(t, "Software Engineering"), end="2018")],
        work_experience=[
            WorkExperience(company=_src(t, "PayFast"), title=_src(t, "Engineering Manager"), start="2021-01",
                           end="present"),
            WorkExperience(company=_src(t, "Ctrip"), title=_src(t, "Software Engineer"), start="2019-01",
                           end="2020-12", description="Applied machine learning models to fraud detection."),
        ],
        skills=[_src(t, s) for s in ("Java", "Spring Boot", "MySQL", "Redis", "Kafka", "distributed systems")],
        languages=[_src(t, "English (fluent, IELTS 7.5)", "English"), _src(t, "Chinese (native)", "Chinese")],
        years_experience=_src(t, "5 years of experience", 5.0),
        team_size_led=_src(t, "Managed a team of 4 backend engineers", 4),
        text=t,
    )


def _by_kind(reqs: JobRequirements, kind: str) -> list[Requirement]:
    return [r for r in reqs.requirements if r.kind == kind]


def _skill(reqs: JobRequirements, name: str) -> Requirement:
    return next(r for r in reqs.requirements if r.kind == "skill" and name in (r.value, *r.alternatives))


def _assert_evidence_cited(result: MatchResult, profile: ResumeProfile) -> None:
    for it in result.items:
        if it.status != "missing":
            assert it.evidence, it
            for ev in it.evidence:
                assert ev and ev in profile.text, (it.requirement_id, ev)
        assert it.explanation


# ------------------------------------------------------------------------------------------------ extraction


def test_extract_english_jd():
    reqs = extract_requirements(EN_JD)
    assert reqs.language == "en"
    assert reqs.title == "Senior Machine Learning Engineer"
    for name in ("Python", "SQL", "machine learning"):
        assert _skill(reqs, name).must_have, name
    for name in ("Kubernetes", "Docker", "Terraform", "PyTorch"):
        assert not _skill(reqs, name).must_have, name
    assert "Spark" not in [r.value for r in reqs.requirements]  # responsibilities are not requirements
    (years,) = _by_kind(reqs, "years")
    assert years.value == 5 and years.must_have and "5+ years" in years.source
    degrees = {r.value: r.must_have for r in _by_kind(reqs, "degree")}
    assert degrees == {"bachelor": True, "master": False}
    (lang,) = _by_kind(reqs, "language")
    assert lang.value == "english" and lang.must_have
    (mgmt,) = _by_kind(reqs, "management")
    assert mgmt.value == 3 and mgmt.must_have
    for r in reqs.requirements:  # each requirement keeps the JD sentence it came from
        assert r.source and r.source in EN_JD


def test_extract_chinese_jd():
    reqs = extract_requirements(ZH_JD)
    assert reqs.language == "zh"
    for name in ("Java", "Spring", "MySQL", "Redis", "distributed systems", "machine learning"):
        assert _skill(reqs, name).must_have, name
    assert not _skill(reqs, "Kubernetes").must_have and _skill(reqs, "Kubernetes").text == "K8s"
    assert not _skill(reqs, "Kafka").must_have
    assert "Go" not in [r.value for r in reqs.requirements]  # from 岗位职责 only
    (years,) = _by_kind(reqs, "years")
    assert years.value == 3 and years.must_have and years.text == "3年以上"
    degrees = {r.value: r.must_have for r in _by_kind(reqs, "degree")}
    assert degrees == {"bachelor": True, "master": False}
    (lang,) = _by_kind(reqs, "language")
    assert lang.value == "english" and lang.must_have and "英语流利" in lang.source
    (mgmt,) = _by_kind(reqs, "management")
    assert mgmt.value is None and mgmt.must_have
    for r in reqs.requirements:
        assert r.source and r.source in ZH_JD


def test_extract_inline_cues():
    reqs = extract_requirements("We need a Go developer. Python required, Rust a plus. At least 3 years of experience.")
    assert _skill(reqs, "Python").must_have and not _skill(reqs, "Rust").must_have
    assert _by_kind(reqs, "years")[0].value == 3
    zh = extract_requirements("熟悉Python、Go，有Terraform经验者优先；至少两年工作经验，硕士及以上学历。")
    assert _skill(zh, "Python").must_have and _skill(zh, "Go").must_have
    assert not _skill(zh, "Terraform").must_have
    assert _by_kind(zh, "years")[0].value == 2
    assert _by_kind(zh, "degree")[0].value == "master"
    bracketed = extract_requirements(
        "【职位描述】负责数据平台建设\n【任职资格】\n- 统招本科及以上学历；\n"
        "- 两年以上大数据开发经验，精通Hadoop/Spark/Flink；\n- 有3人以上团队管理经验者优先；\n- 英语四级以上。"
    )
    for name in ("Hadoop", "Spark", "Flink"):
        assert _skill(bracketed, name).must_have
    (mgmt,) = _by_kind(bracketed, "management")
    assert mgmt.value == 3 and not mgmt.must_have
    assert _by_kind(bracketed, "language")[0].value == "english"
    en = extract_requirements("Data analyst, minimum of 2 years experience in SQL. Mandarin speakers are a plus.")
    (lang,) = _by_kind(en, "language")
    assert lang.value == "chinese" and not lang.must_have


# ------------------------------------------------------------------------------------------------ the model


def test_requirements_json_round_trip():
    reqs = extract_requirements(ZH_JD)
    again = JobRequirements.model_validate_json(reqs.model_dump_json())
    assert again == reqs
    data = json.loads(reqs.model_dump_json())
    data["requirements"][0]["must_have"] = False  # HR edits
    edited = JobRequirements.model_validate(data)
    assert edited.requirements[0].must_have is False


@pytest.mark.parametrize(
    "patch, field",
    [
        ({"kind": "salary"}, "kind"),
        ({"kind": "years", "value": "many"}, "value"),
        ({"kind": "degree", "value": "diploma-ish"}, "value"),
        ({"must_have": "perhaps"}, "must_have"),
        ({"text": ""}, "text"),
    ],
)
def test_requirement_validation_names_the_field(patch, field):
    base = {"id": "x-1", "kind": "skill", "text": "Python", "must_have": True, "value": "Python", "source": "s"}
    with pytest.raises(ValidationError) as e:
        JobRequirements.model_validate({"requirements": [{**base, **patch}]})
    assert field in str(e.value)


def test_duplicate_requirement_ids_rejected():
    r = {"id": "a", "kind": "skill", "text": "Go", "value": "Go"}
    with pytest.raises(ValidationError) as e:
        JobRequirements.model_validate({"requirements": [r, r]})
    assert "requirements" in str(e.value) and "duplicate" in str(e.value)


# -------------------------------------------------------------------------------------- lexical matching


def test_python_shu_lian_matches_proficient_in_python_lexically():
    assert skill_similarity("Python熟练", "proficient in Python") == (1.0, "alias")
    assert skill_similarity("K8s", "Kubernetes") == (1.0, "alias")
    assert skill_similarity("机器学习", "machine learning") == (1.0, "alias")
    reqs = JobRequirements(requirements=[Requirement(id="s", kind="skill", text="Python熟练", value="Python")])
    p = ResumeProfile(language="en", skills=[Sourced("Python", "proficient in Python")],
                      text="Skills: proficient in Python, Go")
    r = match(p, reqs)
    assert r.items[0].status == "met" and r.items[0].method == "alias"
    assert r.items[0].evidence == ["proficient in Python"]


def test_a_listed_skill_is_said_once_in_plain_words_and_another_name_says_what_it_counts_as():
    reqs = JobRequirements(requirements=[Requirement(id="py", kind="skill", text="Python", value="Python"),
                                         Requirement(id="k8s", kind="skill", text="Kubernetes", value="Kubernetes")])
    p = ResumeProfile(language="en", skills=[Sourced("Python", "Python"), Sourced("K8s", "K8s")],
                      text="Skills: Python, K8s")
    r = match(p, reqs)
    py, k8s = r.item("py"), r.item("k8s")
    assert (py.status, py.reasons[0].code, py.explanation) == ("met", "skill_listed", "found in the resume: “Python”")
    assert "Python is Python" not in py.explanation and py.explanation.count("Python") == 1
    assert (k8s.status, k8s.reasons[0].code) == ("met", "skill_alias")
    assert k8s.explanation == "the resume lists “K8s”, which counts as Kubernetes"


def test_specific_skill_implies_general_one_but_not_the_reverse():
    reqs = JobRequirements(requirements=[Requirement(id="sql", kind="skill", text="SQL", value="SQL"),
                                         Requirement(id="my", kind="skill", text="MySQL", value="MySQL")])
    p = ResumeProfile(language="en", skills=[Sourced("MySQL", "MySQL 8")], text="Skills: MySQL 8")
    r = match(p, reqs)
    assert r.item("sql").status == "met" and r.item("sql").evidence == ["MySQL 8"]
    p2 = ResumeProfile(language="en", skills=[Sourced("SQL", "SQL")], text="Skills: SQL")
    assert match(p2, reqs).item("my").status == "missing"


def test_numeric_and_ordinal_requirements():
    reqs = extract_requirements(EN_JD)
    res = match(bob(), reqs)  # lexical only
    it = {i.requirement_id: i for i in res.items}
    years = next(i for i in res.items if i.kind == "years")
    assert years.status == "missing" and years.method == "numeric"  # 2 vs 5
    deg = [i for i in res.items if i.kind == "degree"]
    assert {i.status for i in deg} == {"missing"}  # associate is below the bachelor minimum (and the master)
    assert all("associate" in i.explanation for i in deg)
    assert it[_by_kind(reqs, "management")[0].id].status == "missing"
    a = match(alice(), reqs)
    assert all(i.status == "met" for i in a.items if i.kind in ("years", "degree", "language", "management"))
    # near miss on years: 4 of 5 is partly
    p = ResumeProfile(language="en", years_experience=Sourced(4.0, "4 years"), text="4 years")
    assert match(p, JobRequirements(requirements=[_by_kind(reqs, "years")[0]])).items[0].status == "partly"


def test_years_from_work_history_and_title_management():
    t = "Team Lead, Acme (2015-01 - 2019-12)\nDeveloper, Beta (2020-01 - 2021-12)"
    p = ResumeProfile(
        language="en",
        work_experience=[WorkExperience(company=Sourced("Acme", "Acme"), title=Sourced("Team Lead", "Team Lead"),
                                        start="2015-01", end="2019-12"),
                         WorkExperience(company=Sourced("Beta", "Beta"), start="2020-01", end="2021-12")],
        text=t,
    )
    reqs = JobRequirements(requirements=[
        Requirement(id="y", kind="years", text="5+ years", value=5),
        Requirement(id="m", kind="management", text="led a team", value=None),
        Requirement(id="m5", kind="management", text="led 5+ people", value=5, must_have=False),
    ])
    r = match(p, reqs)
    assert r.item("y").status == "met" and r.item("y").method == "work_history"
    assert r.item("m").status == "met" and r.item("m").evidence == ["Team Lead"]
    assert r.item("m5").status == "missing" and "Team Lead" in r.item("m5").explanation  # size asked, none stated


def test_missing_must_have_caps_score_and_overrides_are_recorded():
    reqs = extract_requirements(EN_JD)
    res = match(bob(), reqs)
    assert res.cap and res.score <= MISSING_MUST_CAP and res.raw_score >= res.score
    py = _skill(reqs, "Python")
    assert res.item(py.id).status == "missing"
    res2 = apply_override(res, py.id, "met", "Passed our Python take-home test", by="hr@example.com")
    assert res2.item(py.id).status == "met" and res2.item(py.id).auto_status == "missing"
    assert res2.raw_score > res.raw_score
    ov = res2.item(py.id).override
    assert ov.by == "hr@example.com" and ov.note == "Passed our Python take-home test"
    assert ov.previous_status == "missing"
    assert res2.overrides == [ov] and res.overrides == []  # the original result is unchanged
    # clearing every missing must-have lifts the cap
    cur = res2
    for it in cur.items:
        if it.must_have and it.status == "missing":
            cur = apply_override(cur, it.requirement_id, "partly", "verified in interview", by="hr")
    assert cur.cap is None and cur.score == cur.raw_score > res.score
    assert len(cur.overrides) >= 2
    with pytest.raises(KeyError):
        apply_override(res, "nope", "met", "")
    with pytest.raises(ValueError):
        apply_override(res, py.id, "great", "")
    assert MatchResult.model_validate_json(cur.model_dump_json()) == cur  # stored with the candidate


def test_rank_applies_stored_overrides():
    reqs = extract_requirements(EN_JD)
    plain = rank([("bob", bob()), ("alice", alice())], reqs)
    assert [r.candidate_id for r in plain] == ["alice", "bob"]
    ov = Override(requirement_id=_skill(reqs, "Python").id, status="met", note="portfolio", by="hr")
    again = rank([("bob", bob()), ("alice", alice())], reqs, overrides={"bob": [ov]})
    bob_r = next(r for r in again if r.candidate_id == "bob")
    assert bob_r.overrides[0].at == ov.at and bob_r.overrides[0].note == "portfolio"
    assert bob_r.raw_score > next(r for r in plain if r.candidate_id == "bob").raw_score


# --------------------------------------------------------------------------------------- with embeddings


@pytest.fixture(scope="module")
def embedder():
    from analyzers.embeddings import EmbeddingModelNotAvailable, load_multilingual_use

    try:
        return load_multilingual_use()
    except EmbeddingModelNotAvailable as e:  # pragma: no cover - depends on the environment
        pytest.skip(str(e))


@pytest.mark.models
def test_python_shu_lian_matches_proficient_in_python_by_embedding(embedder):
    # outside the alias table the embedding must still see these as the same skill
    from analyzers.documents.job_matching import SKILL_MET

    v = embedder.embed(["Python熟练", "proficient in Python", "机器学习", "machine learning", "Java"])
    assert float(v[0] @ v[1]) >= SKILL_MET
    assert float(v[2] @ v[3]) >= SKILL_MET
    assert float(v[0] @ v[4]) < SKILL_MET
    # a skill that is not in the vocabulary, matched across languages by embedding
    reqs = JobRequirements(requirements=[
        Requirement(id="s", kind="skill", text="推荐系统", value="推荐系统"),
        Requirement(id="t", kind="skill", text="数据分析", value="数据分析"),
    ])
    p = ResumeProfile(language="en", skills=[Sourced("recommender systems", "recommender systems"),
                                             Sourced("data analysis", "data analysis")],
                      text="Skills: recommender systems, data analysis")
    r = match(p, reqs, embedder)
    for it in r.items:
        assert it.status == "met", it


@pytest.mark.models
def test_embedding_match_for_skill_outside_vocabulary(embedder):
    reqs = JobRequirements(requirements=[
        Requirement(id="a", kind="skill", text="供应链管理", value="供应链管理"),
        Requirement(id="b", kind="skill", text="客户成功", value="客户成功", must_have=False),
    ])
    t = "Skills: supply chain management, user research"
    p = ResumeProfile(language="en", skills=[Sourced("supply chain management", "supply chain management"),
                                             Sourced("user research", "user research")], text=t)
    r = match(p, reqs, embedder)
    assert r.item("a").status == "met" and r.item("a").method == "embedding" and r.item("a").similarity >= 0.72
    assert r.item("a").evidence == ["supply chain management"]
    assert r.item("b").status == "missing" and r.item("b").evidence == []


@pytest.mark.models
def test_english_jd_ranks_chinese_and_english_candidates(embedder):
    reqs = extract_requirements(EN_JD)
    profiles = {"bob": bob(), "zhang": zhang_wei(), "alice": alice()}
    ranked = rank(list(profiles.items()), reqs, embedder)
    order = [r.candidate_id for r in ranked]
    assert order.index("zhang") < order.index("bob") and order.index("alice") < order.index("bob")
    zhang = next(r for r in ranked if r.candidate_id == "zhang")
    assert zhang.cap is None and zhang.must_haves_met == zhang.must_haves_total
    assert zhang.item(_skill(reqs, "Python").id).evidence == ["Python熟练"]  # "Proficient in Python" ~ "Python熟练"
    assert zhang.item(_skill(reqs, "machine learning").id).status == "met"
    assert zhang.item(_by_kind(reqs, "language")[0].id).status == "met"
    assert zhang.item(_by_kind(reqs, "management")[0].id).status == "met"
    bob_r = next(r for r in ranked if r.candidate_id == "bob")
    assert bob_r.cap is not None and bob_r.score <= MISSING_MUST_CAP
    for r in ranked:
        _assert_evidence_cited(r, profiles[r.candidate_id])


@pytest.mark.models
def test_chinese_jd_ranks_english_and_chinese_candidates(embedder):
    reqs = extract_requirements(ZH_JD)
    profiles = {"li": li_na(), "daniel": daniel(), "zhang": zhang_wei()}
    ranked = rank(list(profiles.items()), reqs, embedder)
    order = [r.candidate_id for r in ranked]
    assert order[0] == "daniel" and order.index("daniel") < order.index("li")
    d = ranked[0]
    assert d.cap is None and d.must_haves_met == d.must_haves_total
    assert d.item(_skill(reqs, "distributed systems").id).status == "met"  # 分布式系统 ~ distributed systems
    assert d.item(_skill(reqs, "Kubernetes").id).status == "missing"  # nice-to-have, not held
    li = next(r for r in ranked if r.candidate_id == "li")
    assert li.cap is not None and li.score < d.score
    for r in ranked:
        _assert_evidence_cited(r, profiles[r.candidate_id])
