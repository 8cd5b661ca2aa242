"""Rubric scores from real content features: explained by quotes, with confidence and plain-word uncertainty;
non-verbal observations carry no weight unless an organisation sets one."""

from __future__ import annotations

import pytest

from dialogue.plan import PlanQuestionSpec
from dialogue.scoring import MAX_NONVERBAL_WEIGHT, CompetencyScore, Evidence, aggregate_scores, score_answer
from tests.test_followup import (
    FULL_EN,
    FULL_ZH,
    NONUM_EN,
    NORESULT_EN,
    THIN_EN,
    THIN_ZH,
    VAGUE_EN,
    VAGUE_ZH,
    analyzer,  # noqa: F401 - the module-scoped fixture
    assert_verbatim,
)

pytestmark = pytest.mark.models

RUBRIC = [
    {"score": 1, "description": {"en": "No relevant example.", "zh": "没有相关例子。"}},
    {"score": 3, "description": {"en": "An example, but no clear result.", "zh": "有例子，但结果不清楚。"}},
    {"score": 5, "description": {"en": "Complete example with a measured result.", "zh": "完整例子，结果可量化。"}},
]


def question(points=True) -> PlanQuestionSpec:
    return PlanQuestionSpec(
        id="teamwork-1",
        competency="teamwork",
        text={"en": "Tell me about a time you worked with a difficult colleague or team.",
              "zh": "请讲一个你和难相处的同事合作的经历。"},
        expected_points={"en": ["the situation", "what you did", "the result"], "zh": ["情境", "你的做法", "结果"]}
        if points else {},
        rubric=RUBRIC,
    )


def score(analyzer, answer, lang="en", q=None, **kw) -> CompetencyScore:  # noqa: F811
    q = q or question()
    obs = analyzer.analyze_answer(q.text_in(lang), q.points_in(lang), answer, lang)
    return score_answer(q, lang, obs.values, obs.quotes, **kw)


def assert_explained(s: CompetencyScore, answer: str) -> None:
    assert s.evidence and all(isinstance(e, Evidence) for e in s.evidence)
    for e in s.evidence:
        if e.feature == "nonverbal":
            assert e.quote == ""
            continue
        assert_verbatim(e.quote, answer)
        assert e.note
    # The effects add up to the content score: the score explains itself.
    assert abs(1 + sum(e.effect for e in s.evidence if e.feature != "nonverbal") - s.content_score) < 0.1
    assert 0 < s.confidence <= 1
    assert 1 <= s.score <= 5 and round(s.score, 1) == s.score
    assert s.ai_generated


def test_complete_quantified_star_scores_clearly_higher_than_vague(analyzer):  # noqa: F811
    full, vague = score(analyzer, FULL_EN), score(analyzer, VAGUE_EN)
    assert full.score >= 4.5 and vague.score <= 2.4
    assert full.score - vague.score >= 2.0
    assert_explained(full, FULL_EN)
    assert_explained(vague, VAGUE_EN)
    feats = {e.feature for e in full.evidence}
    assert {"star:situation", "star:action", "star:result", "quantified_result"} <= feats
    assert any(e.feature == "quantified_result" and "40%" in e.quote for e in full.evidence)
    vfeats = {e.feature: e for e in vague.evidence}
    assert "cap:no_concrete_example" in vfeats or vfeats["specificity"].effect < 0.2
    assert "unsupported_claim" in vfeats and "I am a great leader" in vfeats["unsupported_claim"].quote
    assert full.level == 5 and full.level_description == "Complete example with a measured result."
    assert vague.level in (1, 3)
    assert full.competency == "teamwork" and full.question_id == "teamwork-1"


def test_partial_answers_sit_in_between(analyzer):  # noqa: F811
    full = score(analyzer, FULL_EN)
    nonum = score(analyzer, NONUM_EN)
    noresult = score(analyzer, NORESULT_EN)
    vague = score(analyzer, VAGUE_EN)
    assert full.score > nonum.score > noresult.score > vague.score
    assert nonum.score <= 4.4 and noresult.score <= 3.4
    assert any(e.feature == "result_without_numbers" for e in nonum.evidence)
    assert any(e.feature == "no_result" for e in noresult.evidence)
    for s, a in ((nonum, NONUM_EN), (noresult, NORESULT_EN)):
        assert_explained(s, a)


def test_chinese_scores(analyzer):  # noqa: F811
    full, vague = score(analyzer, FULL_ZH, "zh"), score(analyzer, VAGUE_ZH, "zh")
    assert full.score - vague.score >= 2.0
    assert_explained(full, FULL_ZH)
    assert_explained(vague, VAGUE_ZH)
    assert full.level_description == "完整例子，结果可量化。"
    assert any("我沟通能力很强" in e.quote for e in vague.evidence if e.feature == "unsupported_claim")


def test_confidence_lower_for_short_and_off_topic_answers(analyzer):  # noqa: F811
    full, thin = score(analyzer, FULL_EN), score(analyzer, THIN_EN)
    assert thin.confidence < full.confidence
    assert any("short" in u for u in thin.uncertain)
    off = score(analyzer, "My favourite hobby is hiking in the mountains with my dog on weekends, and I also "
                          "enjoy cooking Italian food for friends and family when I have time.")
    assert off.score < 2.0 and off.confidence < full.confidence
    assert any("something else" in u for u in off.uncertain)
    thin_zh = score(analyzer, THIN_ZH, "zh")
    assert thin_zh.confidence < full.confidence and thin_zh.score < 2.5


def test_no_expected_points_is_stated_as_uncertain(analyzer):  # noqa: F811
    s = score(analyzer, FULL_EN, q=question(points=False))
    assert s.score >= 4.5
    assert any("no expected points" in u for u in s.uncertain)
    assert s.confidence < score(analyzer, FULL_EN).confidence


def test_nonverbal_weight_zero_leaves_score_unchanged(analyzer):  # noqa: F811
    base = score(analyzer, NONUM_EN)
    for nv in ({"face_present_ratio": 0.0, "looking_at_screen_ratio": 0.0}, {"face_present_ratio": 1.0}):
        same = score(analyzer, NONUM_EN, nonverbal=nv, nonverbal_weight=0.0)
        assert same.score == base.score and same.confidence == base.confidence
        assert same.nonverbal_weight == 0.0
        assert all(e.feature != "nonverbal" for e in same.evidence)
    default = score(analyzer, NONUM_EN, nonverbal={"face_present_ratio": 0.0})  # the default weight is 0
    assert default.score == base.score


def test_nonverbal_weight_above_zero_changes_score(analyzer):  # noqa: F811
    base = score(analyzer, NONUM_EN)
    low = score(analyzer, NONUM_EN, nonverbal={"face_present_ratio": 0.0, "looking_at_screen_ratio": 0.0},
                nonverbal_weight=0.2)
    assert low.score < base.score and low.content_score == base.score
    assert low.nonverbal_weight == 0.2
    nv = [e for e in low.evidence if e.feature == "nonverbal"]
    assert len(nv) == 1 and nv[0].effect < 0 and "not emotions" in nv[0].note
    assert any("observable behaviour" in u for u in low.uncertain)
    assert_explained(low, NONUM_EN)
    capped = score(analyzer, NONUM_EN, nonverbal={"face_present_ratio": 0.0}, nonverbal_weight=5.0)
    assert capped.nonverbal_weight == MAX_NONVERBAL_WEIGHT


def test_aggregate_scores(analyzer):  # noqa: F811
    full, vague = score(analyzer, FULL_EN), score(analyzer, VAGUE_EN)
    other = score_answer(PlanQuestionSpec(id="q2", competency="ownership", text={"en": "Tell me about a project."}),
                         "en", {}, {})
    agg = aggregate_scores([full, vague, other])
    assert set(agg) == {"teamwork", "ownership"}
    t = agg["teamwork"]
    assert t["n"] == 2 and min(full.score, vague.score) <= t["score"] <= max(full.score, vague.score)
    assert 0 < t["confidence"] <= 1
    assert agg["ownership"] == {"score": 1.0, "confidence": 0.2, "n": 1}  # no answer
    assert aggregate_scores([]) == {}
