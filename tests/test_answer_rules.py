"""The rules' reading of an answer against the anchored ladder: results linked to their numbers (digits, words,
Chinese numerals, worded ratios), guessed outcomes, answers told as "we", and the benchmark's plan and label table.
Fixtures are written here for these mechanisms; none comes from an evaluation set."""

from __future__ import annotations

import asyncio
import re

import pytest

from analyzers.answer_text import find_quantities
from analyzers.text.ownership import first_person_subjects
from benchmarks.scoring import TRIGGER_LABEL, followup_label, judge_all, plan_question
from dialogue.answer_judgement import judge_answer
from dialogue.followup import BUILTIN_TEMPLATES, DEFAULT_PRIORITY, TRIGGERS, FollowUpDecision, RuleBasedPolicy
from dialogue.scoring import score_answer
from tests.test_followup import analyzer, assert_verbatim, ctx_for  # noqa: F401 - the module-scoped fixture

QUESTION = {
    "id": "qx", "language": "en", "competency": "Supplier management",
    "text": "Tell me about a time a supplier let you down. What did you do?",
    "expected_points": ["The supplier problem", "What you did about it", "How it ended, ideally measurable"],
    "rating_scale": {"1": "Off-topic or no answer.", "2": "No specific case.", "3": "A case, but no outcome or only "
                     "'we'.", "4": "A case with an outcome that is not measured.", "5": "A case with a measured outcome."},
}
WE_EN = ("Last spring our parts supplier shipped the wrong gaskets twice. We called their account team, we set up a "
         "weekly call and we moved half the volume to a second vendor. After that we had zero wrong shipments for "
         "six months.")
OWN_WORDS_EN = ("Last spring our parts supplier shipped the wrong gaskets twice. I called their account manager, I "
                "set up a weekly call with him and I moved part of the volume to a second vendor. After that the "
                "late deliveries fell by about half.")
GUESSED_EN = ("Last spring our parts supplier shipped the wrong gaskets twice. I called their account manager and "
              "I set up a weekly call with him. Then I moved to another plant, so I think it got sorted out eventually.")
OWN_ZH = ("去年我负责的一家包材供应商连续两次交错了货。我先给对方销售经理打了电话，又约他们来厂里开了一次会，"
          "把验收标准写进了合同。之后半年退货少了一半，客户投诉是零。")
WE_ZH = ("去年一家包材供应商连续两次交错了货。我们先给对方打了电话，我们又约他们开了会，大家一起把验收标准写进了合同。"
         "之后半年退货少了一半。")


# ------------------------------------------------------------------------------------------ text, no model


@pytest.mark.parametrize("text, kind", [
    ("costs fell by about half", "ratio"), ("a third fewer errors", "ratio"), ("it went to zero", "ratio"),
    ("退货少了一半", "ratio"), ("只剩三分之一", "ratio"), ("投诉是零", "ratio"), ("销量翻了一番", "multiplier"),
    ("期末考了八十二分", "score"), ("评分四点六分", "score"), ("每月六起", "count"),
])
def test_measurable_values_in_words_and_chinese_numerals(text, kind):
    assert kind in [q.kind for q in find_quantities(text)]


@pytest.mark.parametrize("text", ["第三天我又去了", "我们谈了几次", "十分感谢", "a quarter-end review", "please double-check"])
def test_ordinals_vague_amounts_and_idioms_are_not_quantities(text):
    assert find_quantities(text) == []


def test_we_throughout_is_team_only_and_hedges_do_not_count_as_acting():
    assert first_person_subjects(WE_EN, False).team_only
    assert not first_person_subjects(OWN_WORDS_EN, False).team_only
    framed = first_person_subjects("I think we fixed it. I mean we rebuilt it and we shipped it.", False)
    assert framed.singular == 0 and framed.team_only
    assert first_person_subjects(WE_ZH, True).team_only
    assert not first_person_subjects(OWN_ZH, True).team_only
    assert first_person_subjects("我觉得我们做得不错，我们后来也改了", True).singular == 0


def test_personal_role_trigger_is_known_templated_in_both_languages_and_asked_before_the_result():
    assert "personal_role" in TRIGGERS and set(BUILTIN_TEMPLATES["personal_role"]) == {"en", "zh"}
    assert DEFAULT_PRIORITY.index("no_example") < DEFAULT_PRIORITY.index("personal_role") \
        < DEFAULT_PRIORITY.index("missing_result")


def test_benchmark_plan_is_built_from_the_question_fields_only():
    q = plan_question(QUESTION)
    assert q.text == {"en": QUESTION["text"]} and q.competency == QUESTION["competency"]
    assert q.points_in("en") == QUESTION["expected_points"]
    assert [r.score for r in q.rubric] == [1, 2, 3, 4, 5] and q.rubric[4].description["en"].endswith("outcome.")
    assert {r.trigger for r in q.follow_ups} >= {"no_example", "personal_role", "missing_result", "missing_numbers"}


def test_every_trigger_has_one_scorer_label():
    labels = {"none", "ask_example", "ask_result", "ask_personal_role", "clarify"}
    assert set(TRIGGERS) | {"clarify"} <= set(TRIGGER_LABEL) and set(TRIGGER_LABEL.values()) <= labels
    assert followup_label(None) == "none"
    assert followup_label(FollowUpDecision("next", None, "", "done")) == "none"
    assert followup_label(FollowUpDecision("followup", "personal_role", "…", "we")) == "ask_personal_role"
    assert followup_label(FollowUpDecision("clarify", "clarify", "…", "off")) == "clarify"


# ------------------------------------------------------------------------------------- real content features


QUESTION_ZH = {**QUESTION, "language": "zh", "text": "请讲一次供应商让你失望的经历，你是怎么做的？",
               "competency": "供应商管理", "expected_points": ["供应商出了什么问题", "你本人做了什么", "最后结果如何，最好可衡量"]}


def _judge(analyzer, answer, lang="en"):  # noqa: F811
    ctx = ctx_for(analyzer, answer, lang, question=plan_question(QUESTION if lang == "en" else QUESTION_ZH))
    return ctx, asyncio.run(judge_answer(ctx, RuleBasedPolicy()))


@pytest.mark.models
@pytest.mark.parametrize("answer, lang", [(WE_EN, "en"), (WE_ZH, "zh")])
def test_we_story_asks_what_they_did_and_stays_at_level_3(analyzer, answer, lang):  # noqa: F811
    ctx, j = _judge(analyzer, answer, lang)
    assert j.decision.trigger == "personal_role" and followup_label(j.decision) == "ask_personal_role"
    assert_verbatim(j.decision.quote, answer)
    assert 2.5 <= j.score.score < 3.5
    assert any(e.feature.endswith(":team_only") for e in j.score.evidence)


@pytest.mark.models
@pytest.mark.parametrize("answer, lang", [(OWN_WORDS_EN, "en"), (OWN_ZH, "zh")])
def test_own_actions_and_a_result_in_words_reach_level_5_without_a_probe(analyzer, answer, lang):  # noqa: F811
    ctx, j = _judge(analyzer, answer, lang)
    assert ctx.features["quantified_result"]
    assert j.decision.kind == "next" and followup_label(j.decision) == "none"
    assert j.score.score >= 4.5
    for e in j.score.evidence:
        if e.quote:
            assert_verbatim(e.quote, answer)


@pytest.mark.models
def test_a_guessed_outcome_is_asked_for_and_stays_at_level_3(analyzer):  # noqa: F811
    ctx, j = _judge(analyzer, GUESSED_EN)
    assert not ctx.features["star"]["result"]["found"]
    assert followup_label(j.decision) == "ask_result"
    assert 2.5 <= j.score.score < 3.5


@pytest.mark.models
def test_judge_answer_keeps_scoring_when_the_policy_fails(analyzer):  # noqa: F811
    class Broken:
        def decide(self, ctx):
            raise RuntimeError("down")

        async def adecide(self, ctx):
            raise RuntimeError("down")

    ctx, _ = _judge(analyzer, OWN_WORDS_EN)
    j = asyncio.run(judge_answer(ctx, Broken()))
    assert j.decision is None and not j.follows
    assert j.score == score_answer(ctx.question, "en", ctx.features, ctx.quotes)


@pytest.mark.models
def test_benchmark_judges_each_answer_in_a_fresh_context(analyzer):  # noqa: F811
    answers = [{"id": "a1", "question_id": "qx", "text": WE_EN}, {"id": "a2", "question_id": "qx", "text": OWN_WORDS_EN}]
    judged = asyncio.run(judge_all({"qx": plan_question(QUESTION)}, {"qx": "en"}, answers, RuleBasedPolicy(), analyzer))
    preds = [j.prediction() for j in judged]
    assert [p["id"] for p in preds] == ["a1", "a2"]
    assert [p["followup"] for p in preds] == ["ask_personal_role", "none"]
    assert all(1 <= p["score"] <= 5 and p["evidence"] for p in preds)


@pytest.mark.models
@pytest.mark.parametrize("answer, lang", [(WE_EN, "en"), (OWN_ZH, "zh"), (GUESSED_EN, "en")])
def test_explanations_are_plain_words_in_the_interview_language(analyzer, answer, lang):  # noqa: F811
    _, j = _judge(analyzer, answer, lang)
    shown = [e.note for e in j.score.evidence] + list(j.score.uncertain)
    assert all(shown) and j.score.scored_by == "rules"
    for text in shown:
        assert "cosine" not in text and "cap:" not in text and "coverage:" not in text and "STAR" not in text
        assert not any(code in text for code in ("on_topic", "off_topic", "team_only", "quantified_result"))
    if lang == "zh":
        assert all(re.search(r"[\u4e00-\u9fff]", t) for t in shown)


OFF_TOPIC_EN = ("Last year I organised our team's summer party. I booked a venue by the river, I ordered food for "
                "forty people and I ran a quiz. Everyone said it was the best party we had had.")


@pytest.mark.models
def test_a_concrete_story_about_something_else_scores_level_1_with_a_doubt_for_the_reviewer(analyzer):  # noqa: F811
    ctx, j = _judge(analyzer, OFF_TOPIC_EN)
    rel = ctx.features["relevance"]
    assert rel["margin_over_generic"] < 0 and rel["about_something_else"]
    assert rel["label"] != "off_topic"  # a story: the interviewer does not clarify on the embedder's contrast alone
    assert j.score.score < 1.5 and any(e.feature == "cap:off_topic" for e in j.score.evidence)
    assert any("something else" in u for u in j.score.uncertain)
    on, _ = _judge(analyzer, OWN_WORDS_EN)
    assert on.features["relevance"]["margin_over_generic"] > 0 and not on.features["relevance"]["about_something_else"]


@pytest.mark.models
def test_an_example_told_in_passing_stays_at_level_2(analyzer):  # noqa: F811
    _, j = _judge(analyzer, "Yes, once a supplier was late with a delivery and I called them to complain. That is "
                            "about it, these things happen a lot in purchasing.")
    assert 1.5 <= j.score.score < 2.5


@pytest.mark.parametrize("clause, acts", [
    ("我单独找他谈了两次", True), ("我又给他家长打电话", True), ("我当场 escalate 给了主管", True),
    ("我觉得做采购最重要的是细心", False), ("我们部门对这方面一向要求很高", False), ("我平时会多检查", False),
])
def test_chinese_own_actions_are_told_events_not_views_or_habits(clause, acts):
    from analyzers.content import _zh_tagged_actions

    assert bool(_zh_tagged_actions(clause)) is acts
