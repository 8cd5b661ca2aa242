"""Interview plan documents: the default library, YAML/JSON round trips and field-naming error messages."""

from __future__ import annotations

import copy
import json
import string

import pytest
import yaml
from pydantic import ValidationError

from dialogue.plan import InterviewPlanSpec, competency_name_in
from dialogue.plan_io import (
    DOCUMENT,
    MAX_PLAN_BYTES,
    PlanError,
    dump_plan,
    fill_template,
    load_plan,
    plan_to_questions,
)
from dialogue.plan_library import library_plan, list_library

pytestmark = pytest.mark.unit

LIBRARY_IDS = [entry["id"] for entry in list_library()]


def _valid() -> dict:
    """A small valid bilingual plan as plain data; tests break one thing at a time."""
    question = {
        "id": "q-intro",
        "competency": "Communication",
        "text": {"en": "Tell me about yourself.", "zh": "请简单介绍一下你自己。"},
        "expected_points": {"en": ["current role"], "zh": ["目前的岗位"]},
        "rubric": [
            {"score": 1, "description": {"en": "Unclear", "zh": "表达不清"}},
            {"score": 3, "description": {"en": "Clear", "zh": "清楚"}},
            {"score": 5, "description": {"en": "Compelling", "zh": "很有说服力"}},
        ],
        "follow_ups": [{"trigger": "no_example",
                        "template": {"en": 'You said "{quote}" - for example?', "zh": "你说“{quote}”，能举个例子吗？"}}],
    }
    second = copy.deepcopy(question) | {"id": "q-teamwork", "competency": "Teamwork",
                                        "text": {"en": "Describe a team project.", "zh": "讲一个团队项目。"}}
    third = copy.deepcopy(question) | {"id": "q-result", "competency": "Results",
                                      "text": {"en": "Your best result?", "zh": "你最好的业绩是什么？"}}
    return {"title": {"en": "Test", "zh": "测试"}, "role": "Tester", "languages": ["en", "zh"],
            "questions": [question, second, third]}


def _problems(doc: dict | str | bytes, fmt: str | None = None) -> list[dict]:
    data = doc if isinstance(doc, (str, bytes)) else json.dumps(doc, ensure_ascii=False)
    with pytest.raises(PlanError) as info:
        load_plan(data, fmt)
    assert info.value.problems, "a PlanError always lists its problems"
    for problem in info.value.problems:
        assert problem["message"].strip()
    return info.value.problems


def _only(problems: list[dict], field: str) -> dict:
    matching = [p for p in problems if p["field"] == field]
    assert matching, f"no problem for {field!r} in {problems}"
    return matching[0]


# ------------------------------------------------------------------------------------------------ library


def test_library_lists_the_common_roles():
    assert set(LIBRARY_IDS) >= {"software-engineer", "sales-representative", "store-manager",
                                "customer-service-agent"}
    for entry in list_library():
        assert set(entry) == {"id", "title", "role"}
        assert entry["title"]["en"] and entry["title"]["zh"] and entry["role"]


@pytest.mark.parametrize("plan_id", LIBRARY_IDS)
def test_library_plan_is_complete_and_bilingual(plan_id):
    plan = library_plan(plan_id)
    assert isinstance(plan, InterviewPlanSpec)
    assert plan.languages == ["en", "zh"]
    assert 4 <= len(plan.questions) <= 6
    triggers = {rule.trigger for q in plan.questions for rule in q.follow_ups}
    assert len(triggers) >= 3
    for q in plan.questions:
        assert q.competency
        assert set(q.text) == {"en", "zh"}
        for lang in ("en", "zh"):
            assert 3 <= len(q.expected_points[lang]) <= 4
        scores = [level.score for level in q.rubric]
        assert {1, 3, 5} <= set(scores)
        for level in q.rubric:
            assert set(level.description) == {"en", "zh"}
        assert q.follow_ups
        for rule in q.follow_ups:
            assert set(rule.template) == {"en", "zh"}
            for text in rule.template.values():
                names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
                assert names <= {"quote", "point"}
        assert any("{quote}" in rule.template["en"] for rule in q.follow_ups)
    # every competency is named in both languages, its English name being its key
    names = plan.competency_names()
    assert set(names) == {q.competency for q in plan.questions}
    for key, name in names.items():
        assert name["en"] == key and any("\u4e00" <= ch <= "\u9fff" for ch in name["zh"]), name
        assert not any(ch.isascii() and ch.isalpha() for ch in name["zh"]), name
    # Chinese texts are Chinese, English texts are not
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in q.text["zh"]) for q in plan.questions)
    assert not any(any("\u4e00" <= ch <= "\u9fff" for ch in q.text["en"]) for q in plan.questions)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("plan_id", LIBRARY_IDS)
def test_library_plan_round_trips(plan_id, fmt):
    plan = library_plan(plan_id)
    text = dump_plan(plan, fmt)
    assert load_plan(text, fmt) == plan
    assert load_plan(text) == plan  # format sniffed
    assert load_plan(text.encode("utf-8")) == plan
    assert dump_plan(load_plan(text, fmt), fmt) == text
    if fmt == "json":
        json.loads(text)
    else:
        assert "\\u" not in text  # Chinese stays readable
        assert yaml.safe_load(text) == json.loads(dump_plan(plan, "json"))


def test_library_plan_returns_a_copy_and_rejects_unknown_ids():
    plan = library_plan("software-engineer")
    plan.questions.clear()
    assert library_plan("software-engineer").questions
    for bad in ("no-such-role", "../plan", "software-engineer.yaml", ""):
        with pytest.raises(KeyError):
            library_plan(bad)


def test_plan_to_questions_gives_store_ready_dicts():
    plan = library_plan("store-manager")
    zh = plan_to_questions(plan, "zh")
    en = plan_to_questions(plan, "en")
    assert len(zh) == len(en) == len(plan.questions)
    for q, z, e in zip(plan.questions, zh, en):
        assert set(z) == {"text", "competency", "expected_points", "time_limit_s"}
        assert z["text"] == q.text["zh"] and e["text"] == q.text["en"]
        assert z["expected_points"] == q.expected_points["zh"]
        assert z["competency"] == q.competency and z["time_limit_s"] == q.time_limit_s
    # the flat dicts satisfy the HTTP API's job model too
    from server.http.api_models.hr import CreateJobRequest

    CreateJobRequest(title="Store manager", language="zh", questions=zh)


def test_plan_to_questions_falls_back_to_english():
    doc = _valid() | {"languages": ["en"]}
    for q in doc["questions"]:
        del q["text"]["zh"]
        del q["expected_points"]["zh"]
    plan = load_plan(json.dumps(doc))
    assert plan_to_questions(plan, "zh")[0]["text"] == "Tell me about yourself."


def test_fill_template():
    assert fill_template('You said "{quote}" - why?', quote="I led it") == 'You said "I led it" - why?'
    assert fill_template("More on {point}, {{literal}}", point="the result") == "More on the result, {literal}"
    assert fill_template("broken {quote", quote="x") == "broken {quote"


# ------------------------------------------------------------------------------------------------ valid input


def test_valid_plan_loads_from_yaml_and_json():
    doc = _valid()
    from_json = load_plan(json.dumps(doc), "json")
    from_yaml = load_plan(yaml.safe_dump(doc, allow_unicode=True), "yaml")
    assert from_json == from_yaml
    assert load_plan(yaml.safe_dump(doc, allow_unicode=True)) == from_json
    assert load_plan(b"\xef\xbb\xbf" + json.dumps(doc).encode()) == from_json  # UTF-8 BOM


def test_unknown_format_is_a_programming_error():
    with pytest.raises(ValueError):
        load_plan("{}", "xml")


# ------------------------------------------------------------------------------------------------ errors


def test_missing_question_text():
    doc = _valid()
    del doc["questions"][2]["text"]
    problems = _problems(doc)
    assert [p["field"] for p in problems] == ["questions[2].text"]
    assert problems[0]["message"] == "questions[2] (q-result).text: is required but missing"


def test_empty_question_text():
    doc = _valid()
    doc["questions"][1]["text"]["en"] = "   "
    p = _only(_problems(doc), "questions[1].text")
    assert p["message"].startswith("questions[1] (q-teamwork).text:")
    assert "text.en is empty" in p["message"]


def test_rubric_without_level_5():
    doc = _valid()
    doc["questions"][2]["rubric"] = [lvl for lvl in doc["questions"][2]["rubric"] if lvl["score"] != 5]
    problems = _problems(doc)
    assert [p["field"] for p in problems] == ["questions[2].rubric"]
    assert problems[0]["message"].startswith("questions[2] (q-result).rubric: the rubric has no level 5")


def test_rubric_with_a_repeated_score():
    doc = _valid()
    doc["questions"][0]["rubric"].append({"score": 3, "description": {"en": "again", "zh": "重复"}})
    p = _only(_problems(doc), "questions[0].rubric")
    assert "level 3 more than once" in p["message"]


def test_duplicate_question_ids():
    doc = _valid()
    doc["questions"][2]["id"] = "q-intro"
    problems = _problems(doc)
    assert [p["field"] for p in problems] == ["questions[2].id"]
    assert problems[0]["message"] == ("questions[2] (q-intro).id: question id 'q-intro' is already used by "
                                      "questions[0]; ids must be unique")


def test_score_of_7():
    doc = _valid()
    doc["questions"][1]["rubric"][2]["score"] = 7
    problems = _problems(doc)
    assert [p["field"] for p in problems] == ["questions[1].rubric[2].score"]
    assert problems[0]["message"] == ("questions[1] (q-teamwork).rubric[2].score: a rubric score must be "
                                      "between 1 and 5, got 7")


def test_unknown_follow_up_trigger():
    doc = _valid()
    doc["questions"][0]["follow_ups"].append({"trigger": "too_vague", "template": {"en": "Why?", "zh": "为什么？"}})
    problems = _problems(doc)
    assert [p["field"] for p in problems] == ["questions[0].follow_ups[1].trigger"]
    message = problems[0]["message"]
    assert message.startswith("questions[0] (q-intro).follow_ups[1].trigger: 'too_vague' is not a known "
                              "follow-up trigger")
    assert "missing_result" in message and "too_short" in message


def test_unknown_template_placeholder():
    doc = _valid()
    doc["questions"][1]["follow_ups"][0]["template"]["zh"] = "你说“{candidate}”，能举个例子吗？"
    problems = _problems(doc)
    assert [p["field"] for p in problems] == ["questions[1].follow_ups[0].template.zh"]
    assert "unknown placeholder {candidate}" in problems[0]["message"]


def test_question_lacking_chinese_in_a_zh_plan():
    doc = _valid()
    del doc["questions"][1]["text"]["zh"]
    problems = _problems(doc)
    assert [p["field"] for p in problems] == ["questions[1].text.zh"]
    assert problems[0]["message"] == ("questions[1] (q-teamwork).text.zh: the question has no zh text, but the "
                                      "plan lists zh in languages")
    # fine when the plan is English-only
    doc["languages"] = ["en"]
    assert load_plan(json.dumps(doc)).questions[1].text == {"en": "Describe a team project."}


def test_unsupported_language_key():
    doc = _valid()
    doc["questions"][0]["text"]["fr"] = "Parlez-moi de vous."
    p = _only(_problems(doc), "questions[0].text.fr")
    assert "'fr' is not a supported language" in p["message"]


def test_unknown_field_and_wrong_types():
    doc = _valid()
    doc["questions"][0]["time_limit"] = 60
    doc["questions"][1]["time_limit_s"] = "long"
    doc["questions"][2]["max_follow_ups"] = 9
    problems = _problems(doc)
    assert {p["field"] for p in problems} == {"questions[0].time_limit", "questions[1].time_limit_s",
                                              "questions[2].max_follow_ups"}
    assert "is not a known field" in _only(problems, "questions[0].time_limit")["message"]
    assert "whole number" in _only(problems, "questions[1].time_limit_s")["message"]
    assert _only(problems, "questions[2].max_follow_ups")["message"] == (
        "questions[2] (q-result).max_follow_ups: must be at most 5, got 9")


def test_all_problems_are_reported_together():
    doc = _valid()
    doc["questions"][0]["rubric"][0]["score"] = 7
    doc["questions"][1]["id"] = "q-intro"
    del doc["questions"][2]["text"]["zh"]
    del doc["title"]
    fields = [p["field"] for p in _problems(doc)]
    assert sorted(fields) == sorted(["title", "questions[0].rubric[0].score", "questions[1].id",
                                     "questions[2].text.zh"])


def test_question_without_an_id_is_named_by_index_only():
    doc = _valid()
    del doc["questions"][1]["id"]
    p = _only(_problems(doc), "questions[1].id")
    assert p["message"] == "questions[1].id: is required but missing"


def test_broken_yaml_names_the_line():
    text = "title:\n  en: Test\nlanguages: [en\nquestions:\n  - id: q1\n"
    problems = _problems(text, "yaml")
    assert [p["field"] for p in problems] == [DOCUMENT]
    assert problems[0]["line"] == 4
    assert "line 4" in problems[0]["message"] and "YAML syntax error" in problems[0]["message"]
    # sniffed too
    assert _problems(text)[0]["line"] == 4


def test_broken_yaml_indentation():
    text = "title:\n  en: Test\n questions: []\n"
    problem = _problems(text)[0]
    assert problem["field"] == DOCUMENT and problem["line"] == 3 and "line 3, column" in problem["message"]


def test_broken_json_names_line_and_column():
    text = '{\n  "title": {"en": "Test"},\n  "questions": [\n    {"id": "q1" "text": {}}\n  ]\n}'
    problems = _problems(text, "json")
    assert problems[0]["field"] == DOCUMENT
    assert (problems[0]["line"], problems[0]["column"]) == (4, 17)
    assert "JSON syntax error at line 4, column 17" in problems[0]["message"]


def test_duplicate_keys_are_rejected():
    problem = _problems("title: {en: A}\ntitle: {en: B}\nquestions: []\n", "yaml")[0]
    assert problem["field"] == DOCUMENT and "duplicate key 'title'" in problem["message"] and problem["line"] == 2
    problem = _problems('{"title": {"en": "A"}, "title": {"en": "B"}}', "json")[0]
    assert "duplicate key 'title'" in problem["message"]


@pytest.mark.parametrize("text, kind", [("- a\n- b\n", "a list"), ("just a sentence\n", "a text"),
                                        ("[1, 2]", "a list"), ("42", "a number"), ("null", "nothing")])
def test_wrong_top_level_type(text, kind):
    problems = _problems(text)
    assert [p["field"] for p in problems] == [DOCUMENT]
    assert "must be a mapping" in problems[0]["message"] and kind in problems[0]["message"]


def test_empty_document():
    for text in ("", "   \n", b""):
        problems = _problems(text)
        assert problems[0]["field"] == DOCUMENT and "empty" in problems[0]["message"]


def test_oversized_document():
    doc = _valid()
    doc["role"] = "x" * 50
    text = json.dumps(doc) + " " * (MAX_PLAN_BYTES + 1)
    for data in (text, text.encode()):
        problems = _problems(data)
        assert [p["field"] for p in problems] == [DOCUMENT]
        assert "too large" in problems[0]["message"] and "128 KB" in problems[0]["message"]
    # multi-byte characters count as bytes, not characters
    chinese = "测" * (MAX_PLAN_BYTES // 3 + 1)
    assert "too large" in _problems(f"title: {{zh: {chinese}}}\n")[0]["message"]


def test_too_many_questions():
    doc = _valid()
    template = doc["questions"][0]
    doc["questions"] = [copy.deepcopy(template) | {"id": f"q{i}"} for i in range(51)]
    problems = _problems(doc)
    assert problems == [{"field": "questions",
                         "message": "questions: a plan may have at most 50 questions; this one has 51"}]
    doc["questions"] = doc["questions"][:50]
    assert len(load_plan(json.dumps(doc)).questions) == 50


def test_no_questions():
    doc = _valid() | {"questions": []}
    p = _only(_problems(doc), "questions")
    assert "at least one question" in p["message"]


def test_unsafe_yaml_tags_are_refused():
    text = "title: !!python/object/apply:os.system ['echo hacked']\nquestions: []\n"
    problem = _problems(text, "yaml")[0]
    assert problem["field"] == DOCUMENT and "line 1" in problem["message"]


def test_invalid_utf8():
    problem = _problems(b"title: {en: \xff\xfe}\n")[0]
    assert problem["field"] == DOCUMENT and "UTF-8" in problem["message"]


def test_yaml_scalars_that_are_not_text_get_a_hint():
    text = yaml.safe_dump(_valid(), allow_unicode=True).replace("role: Tester", "role: yes")
    p = _only(_problems(text, "yaml"), "role")
    assert p["message"] == "role: must be a text, got true/false (put it in quotes)"


def test_plan_error_str_lists_the_fields():
    doc = _valid()
    doc["questions"][1]["rubric"][2]["score"] = 7
    with pytest.raises(PlanError) as info:
        load_plan(json.dumps(doc))
    assert "questions[1] (q-teamwork).rubric[2].score" in str(info.value)
    assert info.value.fields == ["questions[1].rubric[2].score"]



# ------------------------------------------------------------------------------------------------ competency names


def test_a_plan_without_competency_names_names_them_by_their_keys():
    plan = load_plan(json.dumps(_valid()))
    assert plan.competency_names() == {} and plan.questions[0].competency_name is None
    assert competency_name_in(plan.competency_names(), "Teamwork", "zh") == "Teamwork"
    assert "competency_name" not in dump_plan(plan, "yaml")  # an absent name is not written out as null


def test_competency_names_per_language_fall_back_to_the_key_and_round_trip():
    doc = _valid()
    doc["questions"][0]["competency_name"] = {"en": "Communication", "zh": "沟通表达"}
    doc["questions"][1]["competency_name"] = {"zh": "团队合作"}  # Chinese only: English readers see the key
    doc["questions"].append(copy.deepcopy(doc["questions"][0]) | {"id": "q-again", "competency_name": None})
    plan = load_plan(json.dumps(doc, ensure_ascii=False))
    names = plan.competency_names()
    assert names == {"Communication": {"en": "Communication", "zh": "沟通表达"}, "Teamwork": {"zh": "团队合作"}}
    assert competency_name_in(names, "Communication", "zh") == "沟通表达"  # also for q-again, which names none
    assert competency_name_in(names, "Teamwork", "en") == "Teamwork"
    assert competency_name_in(names, "Results", "zh") == "Results"
    for fmt in ("yaml", "json"):
        assert load_plan(dump_plan(plan, fmt), fmt) == plan


@pytest.mark.parametrize("name, message", [
    ({"en": "   "}, "competency_name.en is empty"),
    ({"zh": ""}, "competency_name.zh is empty"),
    ({}, "competency_name needs a text in at least one language"),
    ({"en": "x" * 101}, "competency_name.en is too long (at most 100 characters)"),
    ("Communication", "must be a mapping of language to text, e.g. {en: ..., zh: ...}, got a text"),
])
def test_a_competency_name_must_say_something(name, message):
    doc = _valid()
    doc["questions"][1]["competency_name"] = name
    p = _only(_problems(doc), "questions[1].competency_name")
    assert p["message"].startswith("questions[1] (q-teamwork).competency_name: ") and message in p["message"], p


def test_a_competency_name_in_an_unknown_language_is_refused():
    doc = _valid()
    doc["questions"][0]["competency_name"] = {"en": "Communication", "fr": "Communication"}
    assert "'fr' is not a supported language" in _only(_problems(doc), "questions[0].competency_name.fr")["message"]


def test_one_competency_has_one_name_per_language_and_two_never_share_one():
    doc = _valid()
    doc["questions"].append(copy.deepcopy(doc["questions"][0]) | {"id": "q-again"})
    doc["questions"][0]["competency_name"] = {"en": "Communication", "zh": "沟通表达"}
    doc["questions"][3]["competency_name"] = {"en": "Communication", "zh": "表达能力"}
    doc["questions"][2]["competency_name"] = {"zh": "沟通表达"}  # Results, named like Communication
    problems = _problems(doc)
    assert _only(problems, "questions[3].competency_name.zh")["message"] == (
        "questions[3] (q-again).competency_name.zh: the competency 'Communication' is named '沟通表达' in zh by "
        "questions[0]; one competency has one name per language")
    assert "'沟通表达' already names the competency 'Communication' (questions[0])" in _only(
        problems, "questions[2].competency_name.zh")["message"]
    assert len(problems) == 2
    # the same rule holds for a plan validated as data (a stored plan, the weights' new version)
    with pytest.raises(ValidationError, match="one competency has one name per language"):
        InterviewPlanSpec.model_validate(doc | {"questions": doc["questions"][:2] + doc["questions"][3:]})
    # agreeing names are fine
    doc["questions"][3]["competency_name"] = {"zh": "沟通表达"}
    doc["questions"][2]["competency_name"] = {"zh": "结果导向"}
    assert load_plan(json.dumps(doc)).competency_names()["Results"] == {"zh": "结果导向"}
