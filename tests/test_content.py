"""Answer-content features (English and Chinese), each with its supporting quote; multilingual USE embeddings."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from analyzers.answer_text import answer_sentences, find_quantities
from analyzers.content import ContentAnalyzer
from analyzers.embeddings import SentenceEmbedder

QUESTION_EN = "Tell me about a time you improved the performance of a slow system."
POINTS_EN = [
    "what the performance problem was",
    "the technical changes, such as caching or query optimisation",
    "the measurable result",
]
GOOD_EN = (
    "Last year our checkout API at Acme had a serious performance problem: it timed out during sales peaks. "
    "My task was to bring the p99 latency under one second before Black Friday. "
    "I profiled the service and found two slow database queries, so I added a Redis cache and rewrote the queries "
    "with proper indexes. As a result, p99 latency dropped from 4 seconds to 300 milliseconds and conversion went "
    "up by 12%."
)
OFF_EN = "I really enjoy working with people and I think communication is the most important skill. My hobbies are hiking."

QUESTION_ZH = "请讲一个你提升系统性能的经历。"
POINTS_ZH = ["遇到的性能问题", "采取的技术改进，例如缓存或查询优化", "可量化的结果"]
GOOD_ZH = (
    "去年我们的下单接口在大促期间经常超时，性能问题很严重。我的任务是在双十一之前把延迟降到一秒以内。"
    "我做了性能分析，发现两个慢查询，于是我引入了Redis缓存，并为这两个查询加了索引。"
    "最终延迟从4秒降到300毫秒，转化率提升了12%。"
)
OFF_ZH = "我很喜欢和人打交道，我觉得沟通是团队里最重要的能力。我的爱好是爬山和看书。"


class BagOfWordsEmbedder:
    """Model-free stand-in for the lexical tests: hashed words/characters, L2-normalised."""

    model_id = "test-bow"
    dim = 256

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, t in enumerate(texts):
            for tok in re.findall(r"[A-Za-z]+|[\u4e00-\u9fff]", t.lower()):
                out[i, int(hashlib.md5(tok.encode()).hexdigest(), 16) % self.dim] += 1
        n = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(n, 1e-12)


@pytest.fixture(scope="module")
def muse():
    from analyzers.embeddings import load_multilingual_use

    return load_multilingual_use()


@pytest.fixture(scope="module")
def content(muse):
    analyzer = ContentAnalyzer(muse)
    analyzer.warm_up()
    return analyzer


@pytest.fixture(scope="module")
def lexical():
    return ContentAnalyzer(BagOfWordsEmbedder())


def _labels(obs) -> list[str]:
    return [c["label"] for c in obs.values["coverage"]]


@pytest.mark.models
@pytest.mark.parametrize(
    "question,points,good,off,lang",
    [(QUESTION_EN, POINTS_EN, GOOD_EN, OFF_EN, "en"), (QUESTION_ZH, POINTS_ZH, GOOD_ZH, OFF_ZH, "zh")],
    ids=["en", "zh"],
)
def test_coverage_of_expected_points(content, question, points, good, off, lang):
    g = content.analyze_answer(question, points, good, lang)
    o = content.analyze_answer(question, points, off, lang)
    assert g.analyzer == "content" and g.values["language"] == lang
    assert g.values["coverage_score"] >= 0.6 > 0.2 >= o.values["coverage_score"], (_labels(g), _labels(o))
    assert "missing" not in _labels(g) and set(_labels(o)) == {"missing"}
    for item in g.values["coverage"]:  # each covered point quotes the sentence that covers it
        assert g.quotes[f"coverage:{item['point']}"] == item["sentence"]
        assert item["sentence"] in g.values["sentences"]
    cached, result = g.values["coverage"][1]["sentence"], g.values["coverage"][2]["sentence"]
    assert "Redis" in cached and ("12%" in result)
    assert not any(k.startswith("coverage:") for k in o.quotes)
    # Relevance to the question: the answer is on topic, the hobbies are not.
    assert g.values["relevance"]["cosine"] > o.values["relevance"]["cosine"] + 0.1
    assert o.values["relevance"]["label"] == "off_topic" and g.values["relevance"]["label"] != "off_topic"
    assert g.quotes["relevance"] in g.values["sentences"]


@pytest.mark.models
def test_cross_lingual_paraphrase_similarity(muse):
    en = "I led a team of five engineers to rebuild the billing system."
    zh = "我带领五名工程师重建了计费系统。"
    unrelated = ["The weather is nice today and I like to go hiking.", "今天天气很好，我们去公园散步吧。"]
    e = muse.embed([en, zh, *unrelated])
    assert e.shape == (4, 512) and np.allclose(np.linalg.norm(e, axis=1), 1, atol=1e-4)
    assert e[0] @ e[1] > 0.6  # measured 0.76
    assert max(e[0] @ e[2], e[0] @ e[3], e[1] @ e[2], e[1] @ e[3]) < 0.25  # measured 0.03-0.09
    assert isinstance(muse, SentenceEmbedder)
    assert muse.embed([]).shape == (0, 512) and not muse.embed([""]).any()


@pytest.mark.models
def test_coherence_and_length(content):
    g = content.analyze_answer(QUESTION_EN, POINTS_EN, GOOD_EN, "en").values
    assert g["length"]["unit"] == "words" and g["length"]["value"] == len(GOOD_EN.split()) == 73 and g["length"]["sentences"] == 4
    assert g["coherence"]["mean_consecutive_cosine"] > 0.05
    z = content.analyze_answer(QUESTION_ZH, POINTS_ZH, GOOD_ZH, "zh").values
    assert z["length"]["unit"] == "characters" and 90 <= z["length"]["value"] <= 110 and z["length"]["sentences"] == 4


STAR_EN = (
    "At my previous company our mobile app had a crash rate of 5% after every release. "
    "I was responsible for making releases stable within one quarter. "
    "I set up automated crash reporting and introduced a staged rollout with feature flags. "
    "As a result, the crash rate fell to 0.5% and app store ratings went up."
)
STAR_ZH = "当时我们的App每次发版后崩溃率都很高。我负责在一个季度内把崩溃率降下来。于是我搭建了自动化崩溃监控，并推动灰度发布。最终崩溃率下降了90%。"


@pytest.mark.parametrize("answer,lang", [(STAR_EN, "en"), (STAR_ZH, "zh")], ids=["en", "zh"])
def test_star_structure_with_quotes(lexical, answer, lang):
    obs = lexical.analyze_answer("Tell me about a difficult release.", ["situation", "actions", "result"], answer, lang)
    star = obs.values["star"]
    sentences = answer_sentences(answer)
    assert obs.values["star_complete"] and obs.values["star_parts_found"] == 4
    for i, part in enumerate(("situation", "task", "action", "result")):
        assert star[part]["sentence_index"] == i and star[part]["cues"]
        assert obs.quotes[f"star:{part}"] == sentences[i]
    # Keyword points naming a STAR part are covered by that part's sentence.
    cov = {c["point"]: c for c in obs.values["coverage"]}
    assert cov["result"]["label"] == "met" and cov["result"]["sentence"] == sentences[3]
    assert cov["actions"]["sentence"] == sentences[2] and cov["situation"]["sentence"] == sentences[0]


def test_incomplete_star(lexical):
    obs = lexical.analyze_answer("Tell me about teamwork.", [], "I think teamwork matters a lot.", "en")
    assert not obs.values["star_complete"] and not any(k.startswith("star:") for k in obs.quotes)


@pytest.mark.parametrize(
    "answer,lang,expected",
    [
        ("We increased revenue by 35% in two quarters.", "en", {"35%"}),
        ("带领10人团队完成千万级项目。", "zh", {"10人", "千万级"}),
        ("Growth was +35 % and costs fell by $2.5M.", "en", {"+35 %", "$2.5M"}),
        ("用户量翻倍，节省了200万元。", "zh", {"翻倍", "200万元"}),
    ],
)
def test_quantified_results(lexical, answer, lang, expected):
    obs = lexical.analyze_answer("What did you achieve?", [], answer, lang)
    v = obs.values
    assert v["quantified"] and v["quantified_result"]
    assert expected <= {q["text"] for q in v["quantities"]}
    assert obs.quotes["quantified_result"] == answer


def test_unquantified_and_years():
    assert find_quantities("In 2021 I joined the team.") == []
    kinds = {q.text: q.kind for q in find_quantities("latency dropped 3x, we saved ¥50万 and 12 engineers joined")}
    assert kinds["3x"] == "multiplier" and kinds["12 engineers"] == "count"


@pytest.mark.parametrize(
    "answer,lang,label",
    [
        ("I always work hard and usually help people.", "en", "general"),
        ("我一般都很努力，通常会帮助同事。", "zh", "general"),
        ("In March I migrated our Jenkins jobs to GitHub Actions and cut build time to 8 minutes.", "en", "concrete"),
        ("去年我带领团队把订单系统迁移到Kafka，上线后延迟降低了一半。", "zh", "concrete"),
    ],
)
def test_concrete_vs_general(lexical, answer, lang, label):
    obs = lexical.analyze_answer("Tell me how you work.", [], answer, lang)
    spec = obs.values["specificity"]
    assert spec["label"] == label, spec
    key = "specificity:generalities" if label == "general" else "specificity:concrete_example"
    assert obs.quotes[key] == answer_sentences(answer)[0]
    if label == "general":
        assert spec["general_markers"] and not spec["first_person_actions"]


def test_sentence_splitting():
    assert answer_sentences("I used e.g. Redis. It was 3.5 times faster! Then we shipped") == [
        "I used e.g. Redis.", "It was 3.5 times faster!", "Then we shipped"]
    assert answer_sentences("我们上线了！效果很好。对吗？好；还有") == ["我们上线了！", "效果很好。", "对吗？", "好；", "还有"]
    long_zh = "，".join(["我们做了很多事情"] * 20)  # ASR text without full stops is cut into windows
    assert len(answer_sentences(long_zh)) >= 3


def test_empty_answer(lexical):
    v = lexical.analyze_answer("Question?", ["point"], "", "en").values
    assert v["coverage"][0]["label"] == "missing" and v["length"]["value"] == 0 and v["relevance"]["cosine"] is None
