"""Answer-content features of one interview answer, in English or Chinese, each with the words that support it.

``ContentAnalyzer(embedder).analyze_answer(question, expected_points, answer, language)`` returns an
``Observation("content", ...)`` whose ``values`` hold:

* ``relevance``: cosine between the whole answer and the question, and between it and the question's rubric (its
  competency and expected points); the label takes the better of the two, and a low cosine makes off-topic only an
  answer that tells no story. ``about_something_else``: the answer is no closer to the question than to a generic
  "tell me about a time at work" (``GENERIC_QUESTION``) and none of its sentences addresses the question: a story,
  but about something else (the closest sentence is quoted);
* ``coverage``: for each expected point, the best-matching answer sentence with its cosine, its lexical overlap
  with the point, STAR/cue evidence when the point names one (e.g. "result", "结果", "role", "团队规模"), and a
  label ``met`` / ``partly`` / ``missing``; the sentence is the quote;
* ``star``: situation, task, action, result found from English/Chinese lexical cues plus sentence position, each
  with its supporting sentence (one sentence per part where possible);
* ``quantities`` / ``quantified`` / ``quantified_result``: numbers, percentages, money, multipliers, magnitudes
  ("35%", "+35 %", "$2M", "3x", "翻倍", "千万级", "10人");
* ``specificity``: concrete example (first-person past-tense actions, named specifics) vs generalities ("always",
  "usually", "一般", "通常", "I would"), labelled ``concrete`` / ``mixed`` / ``general`` / ``unclear``;
* ``ownership``: how often the candidate ("I", 我) and a group ("we", 我们, 大家) act, and whether only the group
  does (``team_only``; a sentence of the group's is quoted as ``ownership:team``);
* ``length`` (words, or characters for Chinese, and sentences) and ``coherence`` (mean cosine of consecutive
  sentences; the weakest transition is quoted).

These are descriptive features for a human reviewer and for a rubric scorer that must cite them; nothing here
judges the person. Quotes are keyed ``feature`` or ``feature:detail`` (e.g. ``coverage:<point>``, ``star:result``).
The answer's sentences, words and quantities come from analyzers/answer_text.py.

Over 500 lines because its detectors (relevance, coverage, STAR, specificity) share one set of English and Chinese
cue lexicons and one embedding pass; split apart, each would need all of them.
"""

from __future__ import annotations

import itertools
import re
from typing import Any, Sequence

import numpy as np

from analyzers.answer_text import answer_sentences, find_quantities, is_chinese_answer, jieba_module, tokenize
from analyzers.embeddings import SentenceEmbedder, cosine_matrix
from analyzers.observation import Observation
from analyzers.text.ownership import first_person_subjects
from analyzers.text.script import LATIN_WORD, count_han, has_han

__all__ = [
    "COVERAGE_MET",
    "COVERAGE_PARTLY",
    "ContentAnalyzer",
]

# Cosine thresholds for the multilingual USE (measured: EN-ZH paraphrases ~0.76; a sentence that addresses a
# rubric-style point 0.22-0.6; unrelated -0.12-0.17; question vs on-topic answer 0.16-0.34, off-topic 0.03-0.07).
COVERAGE_MET = 0.45
COVERAGE_PARTLY = 0.25
RELEVANCE_ON_TOPIC = 0.2
RELEVANCE_PARTLY = 0.12
# Any work story is somewhat similar to any behavioural question. An answer that is no closer to the question asked
# than to this generic one tells a story about something else (the off-topic check's reference point).
GENERIC_QUESTION = {"en": "Tell me about a time at work. What happened, and what did you do?",
                    "zh": "请讲一次你工作中的经历。当时发生了什么，你做了什么？"}

# ---------------------------------------------------------------------------------------------------- lexicons

_PAST_IRREGULAR = (
    "led|built|made|ran|wrote|set|took|did|met|began|drove|spoke|brought|found|chose|taught|went|got|gave|told|"
    "sold|kept|sent|spent|won|paid|put|cut|held|left|lost|saw|thought|understood|rebuilt|rewrote|broke|fought|"
    "sought|hit|hired|became|grew|knew|felt|stood|split|shut|read|caught|dealt|meant|overcame|undertook|oversaw"
)
_EN_ACTION = re.compile(
    r"\b(?:I|we)\s+(?:(?:then|also|first|finally|personally|immediately|eventually|quickly|just|later|"
    r"actually|initially|carefully|together|myself|\w+ly)\s+)?"
    rf"(?:{_PAST_IRREGULAR}|(?!(?:need|used to|seemed|liked|loved|wanted|hoped|tried to)\b)[a-z]+ed)\b",
    re.I,
)
_ZH_ACTION_VERBS = (
    "带领|组织|设计|实现|推动|制定|开发|分析|协调|沟通|搭建|优化|引入|重构|说服|安排|召集|梳理|编写|写了|做了|建立|"
    "调研|排查|定位|修复|提出|采用|部署|培训|改造|主导|牵头|对接|拆分|重写|上线|发布|迁移|整理|调整|解决|完成|"
    "找到|联系|约了|开会|讨论|申请|争取|招聘|指导|复盘|测试|监控|统计|设立|推进|落地|负责了"
)
_ZH_ADVERBS = r"(?:首先|先|然后|接着|随后|就|又|还|也|主动|亲自|立即|马上|直接|一起|带头|主要|自己|重新|专门|当时|最后|便)"
_ZH_ACTION = re.compile(
    rf"我们?{_ZH_ADVERBS}{{0,2}}(?:{_ZH_ACTION_VERBS})|我们?[^，。！？；,.!?;]{{0,4}}?(?:{_ZH_ACTION_VERBS})了"
    rf"|(?:于是|随后|接着|然后)我们?{_ZH_ADVERBS}{{0,2}}(?:{_ZH_ACTION_VERBS}|[^\s，。]{{1,3}}了)"
)
# A clause that starts with an action verb, in a sentence whose subject is 我/我们 ("我在A公司担任经理，带领10人团队…").
_ZH_CLAUSE_ACTION = re.compile(rf"(?<=[，,；;：:])\s*{_ZH_ADVERBS}{{0,2}}(?:{_ZH_ACTION_VERBS})")


# Verbs that follow 我 without telling an action: opinions, modals, being and having.
_ZH_NOT_ACTION = frozenset("是 有 觉得 认为 想 想到 会 要 能 能够 可以 应该 希望 记得 知道 感觉 觉着 估计 喜欢 相信 算 管".split())
# Adverbs that put an action in a told sequence ("我就…", "我又…", "我先…"): narration, not a habit or a view.
_ZH_SEQUENCE = frozenset("就 又 先 马上 立刻 立即 当场 随后 接着 便 再 亲自 单独 专门 直接 赶紧 连夜 当即".split())
# Clause ends: punctuation, or a pause (a space between two Chinese characters; spaces around English words in
# code-mixed speech are not pauses).
_ZH_CLAUSE_END = re.compile(r"[，。！？；,.!?;：:]+|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def _zh_tagged_actions(s: str) -> list[str]:
    """Clauses where 我/我们 does something, told as a past event: the first verb after the subject (jieba's
    part-of-speech tags) is an action, and the clause marks it as done (了/过) or as a step in a sequence (我就…,
    我又…). An opinion or modal first ("我觉得…", "我会…") means the clause tells no action; general wording
    ("一般", "平时") likewise. "我又检查了一遍货单" -> "我…检查"."""
    if "我" not in s:
        return []
    from jieba import posseg  # loaded with jieba_module(); the tagger is part of jieba

    hits = []
    for clause in _ZH_CLAUSE_END.split(s):
        if "我" not in clause or _GENERAL_ZH.search(clause):
            continue
        done = bool(re.search(r"了|过", clause))
        subject, told = None, False
        for tok in posseg.cut(clause):
            if tok.word in ("我", "我们"):
                subject, told = tok.word, False
            elif subject and tok.word in _ZH_SEQUENCE:
                told = True
            elif subject and (tok.flag[:1] in ("v", "l") or tok.flag == "eng"):  # "我马上 escalate 了"
                if tok.word not in _ZH_NOT_ACTION and (done or told):
                    hits.append(f"{subject}…{tok.word}")
                subject = None
    return hits


def _zh_actions(s: str) -> list[str]:
    hits = [m.group(0) for m in _ZH_ACTION.finditer(s)]
    if re.search(r"我", s):
        hits += [m.group(0).strip() for m in _ZH_CLAUSE_ACTION.finditer(s)]
        if not hits:
            hits = _zh_tagged_actions(s)
    return hits


_ZH_TIME_ANCHOR = re.compile(r"当时|那时候?|那次|有一次|去年|前年|上个月|上周|上半年|下半年|(?:19|20)\d{2}年|之前在|在上一家")

_GENERAL_EN = re.compile(
    r"\b(?:always|usually|generally|normally|typically|often|tend to|in general|as a rule|every time|whenever|"
    r"I would|I'd|we would|I try to|I like to|I always|hard[- ]working|team player|I am (?:a|very) \w+ person)\b",
    re.I,
)
_GENERAL_ZH = re.compile(r"一般|通常|总是|经常|往往|一向|平时|向来|每次|一直都|我会|尽量|基本上")

_STAR_CUES: dict[str, dict[str, re.Pattern[str]]] = {
    "en": {
        "situation": re.compile(
            r"\b(?:when I was|at my (?:previous|last|former|old|current)|in my (?:previous|last|former|old|current|"
            r"first) (?:role|job|company|position|team)|last (?:year|month|quarter|summer|winter|spring)|"
            r"(?:a|one) time|back (?:then|in)|there was|there were|we had|we were (?:facing|dealing|working)|"
            r"faced|facing|the (?:problem|issue|challenge|situation|context|background) was|"
            r"(?:our|the) (?:team|company|client|customer|system|service|product|project) (?:was|were|had)|"
            r"in (?:19|20)\d{2}|a few (?:years|months) ago|\d+ (?:years|months) ago|at the time|context)\b",
            re.I,
        ),
        "task": re.compile(
            r"\b(?:my (?:task|job|goal|role|responsibility|assignment|mission|objective) (?:was|is)|"
            r"I was (?:responsible|asked|tasked|assigned|in charge|expected|hired)|I (?:needed|had) to|"
            r"we (?:needed|had) to|the (?:goal|task|objective|aim|target|requirement|deadline) was|"
            r"(?:my manager|my boss|the client|leadership) (?:asked|wanted|needed)|I was supposed to|"
            r"I owned|I took (?:on|ownership)|responsible for|in charge of|to make sure)\b",
            re.I,
        ),
        "action": re.compile(
            r"\b(?:so I|I decided|I started|I began|I proposed|I set up|I reached out|I talked|I organi[sz]ed|"
            r"I implemented|I built|I wrote|I created|I designed|I introduced|I led|I ran|I analy[sz]ed|"
            r"I worked with|I convinced|I migrated|I automated|I refactored|I profiled|I added|I scheduled|"
            r"first,? I|then,? I|next,? I|after that,? I|we (?:then|decided|started|built|implemented|added))\b",
            re.I,
        ),
        "result": re.compile(
            r"\b(?:as a result|in the end|eventually|finally|the result|the outcome|resulted in|led to|"
            r"which (?:meant|led|resulted|saved|cut|reduced|increased)|increased|decreased|reduced|improved|"
            r"cut|saved|grew|doubled|tripled|halved|dropped|fell|rose|went (?:up|down)|achieved|delivered|launched|"
            r"shipped|won|successfully|on time|ahead of schedule|feedback|promoted|adopted|now (?:use|uses)|"
            r"asked for|praised|recogni[sz]ed|"
            # an end state or a change over time: where things stood afterwards
            r"went (?:from|to)|(?:down|up) (?:to|by|from)|(?:after|since) (?:that|then)|afterwards|by the end|"
            r"(?:the )?(?:next|following) (?:day|week|month|quarter|year|audit|review)|(?:days?|weeks?|months?|years?) "
            r"(?:after|later)|no longer|never again|stable|recovered|came back|was (?:fine|resolved|fixed)|"
            r"took (?:under|less than|about|only)|(?:now|then) (?:takes?|loads?|runs?)|fewer|lower|higher|faster)\b",
            re.I,
        ),
    },
    "zh": {
        "situation": re.compile(
            r"当时|那时候?|之前在|在上一家|在之前的|在我之前|去年|前年|有一次|曾经|背景|情况是|面临|遇到了?|出现了|"
            r"的时候|(?:19|20)\d{2}年|那次|公司(?:的|有|在)|项目(?:出现|遇到|面临)"
        ),
        "task": re.compile(
            r"我的任务|任务是|目标是|我负责|负责|需要(?:在|把|将|我)?|要求(?:我|在)|被安排|职责|领导让我|要我|"
            r"必须|目标|指标是|交给我|让我"
        ),
        "action": re.compile(
            rf"于是|首先|接着|随后|采取了?|着手|我们?{_ZH_ADVERBS}{{0,2}}(?:{_ZH_ACTION_VERBS})"
            rf"|我们?[^，。！？；,.!?;]{{0,4}}?(?:{_ZH_ACTION_VERBS})了"
        ),
        "result": re.compile(
            r"结果|最终|最后|终于|成功|提升|提高|降低|减少|节省|增长|增加|上线|翻倍|达到|实现了|获得|赢得|按时|"
            r"提前|好评|完成|下降|缩短|效果|收益|认可|"
            # an end state or a change over time: where things stood afterwards
            r"之后|以后|后来|此后|从此|降到|降至|降为|提到|升到|涨到|变成|回到|恢复|稳定|再也没|没有再|没再|少了|多了|"
            r"从[^，。；]{1,12}到|只用了|控制在|考了|后面[一两三几半]?(?:年|个月|月|周|天|次)"
        ),
    },
}
_STAR_ORDER = ("situation", "task", "action", "result")
# Words that make an outcome a guess: the speaker does not know how it ended.
_HEDGED_OUTCOME = re.compile(
    r"\b(?:I think|I guess|I suppose|I assume|I believe|probably|maybe|not (?:really |totally |entirely )?sure|"
    r"(?:don't|do not|didn't) (?:really )?know|no idea)\b|吧|好像|应该(?:是|还是|也)|可能|不太清楚|记不(?:太)?清|不知道|"
    r"说不好|不好说",
    re.I,
)

# Point keywords that name a STAR part or a common rubric concept: the point is checked with that detector too.
_POINT_CONCEPTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?:the )?(?:situation|context|background|scenario)s?$|^情境$|^情景$|^背景$|^情况$", re.I), "star:situation"),
    (re.compile(r"^(?:the )?(?:task|goal|objective|challenge)s?$|^任务$|^目标$", re.I), "star:task"),
    (re.compile(r"^(?:the )?(?:actions?|steps?( taken)?|approach|what (?:they|you) did)$|^行动$|^做法$|^措施$|^行为$", re.I),
     "star:action"),
    (re.compile(r"^(?:the )?(?:results?|outcomes?|impact|effect)$|^结果$|^成果$|^影响$|^效果$", re.I), "star:result"),
    (re.compile(r"\b(?:metrics?|numbers?|quantif\w*|measur\w*)\b|数据|指标|量化", re.I), "quantity"),
    (re.compile(r"^(?:the )?(?:team size|size of (?:the )?team|headcount)$|团队规模|团队人数|人数", re.I), "team_size"),
    (re.compile(r"^(?:own |personal |individual )?(?:contribution|role|responsibilit(?:y|ies))$|^my role$|职责|角色|个人贡献|贡献",
                re.I), "role"),
]
_ROLE_CUES = re.compile(
    r"\b(?:as (?:the|a|an)|my role|I was (?:the|a|an|responsible|in charge)|responsible for|in charge of|I led|"
    r"I owned|I personally|my (?:part|contribution))\b|担任|负责|作为|主导|牵头|我的角色|我亲自|我个人",
    re.I,
)
_TEAM_SIZE = re.compile(
    r"(?:\d+|[二两三四五六七八九十几]+)\s?(?:人|名|位)(?:的)?(?:团队|小组)?|团队(?:有)?(?:\d+|[二两三四五六七八九十几]+)"
    r"|\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty)\s+(?:engineers|developers|people|"
    r"members|reports|designers|analysts)\b|team of (?:\d+|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty)",
    re.I,
)

_EN_STOP = set(
    "a an the and or but of to in on at for with by from as is are was were be been being it its this that these "
    "those i me my we our you your he she they them their what which who whom how when where why do does did have "
    "has had can could would should will shall may might must not no so if then than there here about into over "
    "under up down out any some all each every more most other such only own same very just also answer describe "
    "describes explain explains mention mentions talk talks candidate".split()
)
_ZH_STOP = set("的 了 和 与 及 或 在 是 有 我 我们 你 他 她 它 这 那 一个 就 都 也 很 把 被 对 从 为 等 说明 描述 提到 谈到 候选人".split())


def _stem(w: str) -> str:
    w = w.lower().replace("’", "'")
    for suf in ("ational", "ization", "isation", "ations", "ation", "ments", "ment", "ingly", "ings", "ing", "ies",
                "ied", "ers", "ed", "es", "er", "ly", "s", "e"):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            return w[: -len(suf)] + ("y" if suf in ("ies", "ied") else "")
    return w


def _content_terms(text: str, chinese: bool) -> list[str]:
    if chinese or has_han(text):
        toks = jieba_module().lcut(text)
        terms = [t for t in toks if t.strip() and t not in _ZH_STOP and (has_han(t) or LATIN_WORD.search(t))]
        return [_stem(t) if LATIN_WORD.fullmatch(t) else t for t in terms]
    return [_stem(t) for t in LATIN_WORD.findall(text) if t.lower() not in _EN_STOP]


def _lexical_overlap(point_terms: list[str], sentence: str, chinese: bool) -> tuple[float, list[str]]:
    if not point_terms:
        return 0.0, []
    sent_terms = set(_content_terms(sentence, chinese))
    hits = []
    for t in dict.fromkeys(point_terms):
        if t in sent_terms or (has_han(t) and t in sentence) or (
            len(t) >= 5 and any(s.startswith(t[:5]) for s in sent_terms)
        ):
            hits.append(t)
    return len(hits) / len(dict.fromkeys(point_terms)), hits


# ---------------------------------------------------------------------------------------------------- analyzer


def _r(v: float | None, nd: int = 3) -> float | None:
    return None if v is None or not np.isfinite(v) else round(float(v), nd)


class ContentAnalyzer:
    """Content features of single answers. Stateless apart from the shared embedder; thread-safe."""

    name = "content"

    def __init__(self, embedder: SentenceEmbedder) -> None:
        self.embedder = embedder

    def warm_up(self) -> None:
        """Load jieba's dictionary (~0.6 s) and run the embedder once, so the first answer is not slow."""
        jieba_module()
        self.embedder.embed(["warm up", "预热"])

    def analyze_answer(
        self,
        question: str,
        expected_points: Sequence[str],
        answer: str,
        language: str,
        *,
        competency: str = "",
        t_ms: int = 0,
    ) -> Observation:
        answer = (answer or "").strip()
        points = [p.strip() for p in (expected_points or []) if p and p.strip()]
        chinese = is_chinese_answer(language, answer or question)
        sentences = answer_sentences(answer, chinese)
        quotes: dict[str, str] = {}

        # One embedding call for everything; the rubric (competency and expected points) is the last text.
        rubric = " ".join(t for t in (competency.strip(), *points) if t)
        texts = [question or "", answer, *points, *sentences, GENERIC_QUESTION["zh" if chinese else "en"], rubric]
        emb = self.embedder.embed(texts) if answer else np.zeros((len(texts), 1), np.float32)
        q_vec, a_vec = emb[0:1], emb[1:2]
        p_vecs = emb[2 : 2 + len(points)]
        s_vecs = emb[2 + len(points) : 2 + len(points) + len(sentences)]
        r_vec, g_vec = emb[-1:], emb[-2:-1]

        # Relevance: to the question, and to what the question is about (its competency and expected points).
        # A short question shares few words with a good answer (on-topic answers reach only 0.1-0.3 against the
        # question alone), so the answer is on topic when it addresses either.
        rel_q = float(cosine_matrix(q_vec, a_vec)[0, 0]) if answer and question else None
        rel_r = float(cosine_matrix(r_vec, a_vec)[0, 0]) if answer and rubric else None
        rel = max((v for v in (rel_q, rel_r) if v is not None), default=None)
        # How much closer the answer is to this question than to a generic "tell me about a time at work".
        rel_g = float(cosine_matrix(g_vec, a_vec)[0, 0]) if answer else None
        margin = rel_q - rel_g if rel_q is not None and rel_g is not None else None
        q_sent = cosine_matrix(q_vec, s_vecs)[0] if sentences and question else np.zeros(0)
        best_q = int(np.argmax(q_sent)) if q_sent.size else None
        rel_best = float(q_sent[best_q]) if best_q is not None else None
        relevance = {
            "cosine": _r(rel),
            "question_cosine": _r(rel_q),
            "rubric_cosine": _r(rel_r),
            "margin_over_generic": _r(margin),
            "best_sentence_cosine": _r(rel_best),
            "best_sentence_index": best_q,
            "label": None,  # set below, once it is known whether the answer tells a story
        }
        if best_q is not None:
            quotes["relevance"] = sentences[best_q]

        # STAR, quantities, specificity (lexical, per sentence).
        star = self._star(sentences, chinese)
        for part in _STAR_ORDER:
            if star[part]["found"]:
                quotes[f"star:{part}"] = star[part]["sentence"]

        quantities = []
        result_cue = _STAR_CUES["zh" if chinese else "en"]["result"]
        result_cue_other = _STAR_CUES["en" if chinese else "zh"]["result"]
        quantified_result_sentences: list[int] = []
        for i, s in enumerate(sentences):
            qs = find_quantities(s)
            for q in qs:
                quantities.append({"text": q.text, "kind": q.kind, "sentence_index": i})
            after_actions = star["first_action_index"] is None or i >= star["first_action_index"]
            if qs and after_actions and (result_cue.search(s) or result_cue_other.search(s)
                                         or star["result"].get("sentence_index") == i
                                         or any(q.kind == "ratio" for q in qs)):
                quantified_result_sentences.append(i)
        quantified = bool(quantities)
        if quantified:
            idx = sorted({q["sentence_index"] for q in quantities})
            quotes["quantities"] = " … ".join(sentences[i] for i in idx[:3])
        if quantified_result_sentences:
            quotes["quantified_result"] = " … ".join(sentences[i] for i in quantified_result_sentences[:2])

        specificity = self._specificity(sentences, chinese, quantities)
        relevance["label"] = self._relevance_label(rel, rel_best, margin,
                                                   story=specificity["label"] in ("concrete", "mixed"))
        # No closer to the question than to any work story, and no sentence addresses it: a story about something
        # else: the score is bounded (a human reviews it) and the interviewer asks once to clarify.
        relevance["about_something_else"] = bool(
            margin is not None and margin < 0 and (rel_best is None or rel_best < RELEVANCE_ON_TOPIC))
        for key in ("concrete_example", "generalities"):
            idx = specificity.get(f"{key}_sentences") or []
            if idx:
                quotes[f"specificity:{key}"] = " … ".join(sentences[i] for i in idx[:2])

        # Who acted: the candidate or a group ("we" throughout leaves the candidate's own part unknown).
        ownership = first_person_subjects(answer, chinese)
        if ownership.team_only:
            team = next((x for x in sentences if first_person_subjects(x, chinese).plural), "")
            if team:
                quotes["ownership:team"] = team

        # Coverage of expected points.
        coverage = []
        cos_ps = cosine_matrix(p_vecs, s_vecs) if points and sentences else np.zeros((len(points), 0))
        for k, point in enumerate(points):
            item = self._cover(point, k, cos_ps, sentences, chinese, star, quantities)
            coverage.append(item)
            if item["sentence"]:
                quotes[f"coverage:{point}"] = item["sentence"]
        weights = {"met": 1.0, "partly": 0.5, "missing": 0.0}
        coverage_score = _r(sum(weights[c["label"]] for c in coverage) / len(coverage)) if coverage else None

        # Length and coherence.
        n_words = len(tokenize(answer, chinese)) if answer else 0
        n_chars = count_han(answer)
        length = {
            "unit": "characters" if chinese else "words",
            "value": n_chars + len(LATIN_WORD.findall(answer)) if chinese else n_words,
            "words": n_words,
            "characters": n_chars if chinese else len(answer),
            "sentences": len(sentences),
        }
        coherence: dict[str, Any] = {"mean_consecutive_cosine": None, "weakest_pair_index": None, "weakest_cosine": None}
        if len(sentences) >= 2:
            consec = np.sum(s_vecs[:-1] * s_vecs[1:], axis=1)
            w = int(np.argmin(consec))
            coherence = {
                "mean_consecutive_cosine": _r(float(np.mean(consec))),
                "weakest_pair_index": w,
                "weakest_cosine": _r(float(consec[w])),
            }
            quotes["coherence"] = f"{sentences[w]} ⟶ {sentences[w + 1]}"

        values: dict[str, Any] = {
            "language": "zh" if chinese else "en",
            "relevance": relevance,
            "coverage": coverage,
            "coverage_score": coverage_score,
            "star": star,
            "star_parts_found": sum(1 for p in _STAR_ORDER if star[p]["found"]),
            "star_complete": all(star[p]["found"] for p in _STAR_ORDER),
            "quantities": quantities,
            "quantified": quantified,
            "quantified_result": bool(quantified_result_sentences),
            "specificity": specificity,
            "ownership": ownership.to_dict(),
            "length": length,
            "coherence": coherence,
            "sentences": sentences,
            "embedder": getattr(self.embedder, "model_id", type(self.embedder).__name__),
            "thresholds": {"coverage_met": COVERAGE_MET, "coverage_partly": COVERAGE_PARTLY,
                           "relevance_on_topic": RELEVANCE_ON_TOPIC},
        }
        return Observation(analyzer=self.name, t_ms=int(t_ms), values=values, quotes=quotes)

    # -- features ---------------------------------------------------------------------------------------------
    @staticmethod
    def _relevance_label(rel: float | None, best: float | None, margin: float | None, story: bool) -> str | None:
        """on_topic / partly / off_topic from the cosines. A low cosine makes off-topic only an answer that tells
        no story: a story's cosine is weak evidence (see ``about_something_else`` for the contrast)."""
        if rel is None:
            return None
        if rel >= RELEVANCE_ON_TOPIC or (best is not None and best >= RELEVANCE_ON_TOPIC + 0.1):
            return "on_topic"  # the whole answer, or one sentence clearly, addresses the question
        if rel >= RELEVANCE_PARTLY or (story and margin is not None):
            return "partly"  # a story's low cosine is weak evidence; for a story the contrast above decides
        return "off_topic"

    @staticmethod
    def _sentence_cues(s: str, chinese: bool) -> dict[str, list[str]]:
        """STAR cue words found in one sentence (both languages' cues apply: mixed speech is common)."""
        found: dict[str, list[str]] = {}
        for lang in ("zh", "en") if chinese else ("en", "zh"):
            for part, pat in _STAR_CUES[lang].items():
                hits = [m.group(0) for m in pat.finditer(s)]
                if part == "action":
                    hits += [m.group(0) for m in _EN_ACTION.finditer(s)] if lang == "en" else _zh_actions(s)
                if hits:
                    found.setdefault(part, []).extend(hits)
        quantities = find_quantities(s)
        if "result" in found and not quantities and _HEDGED_OUTCOME.search(s):
            del found["result"]  # "I guess it worked out in the end": a guessed outcome is not a stated one
        strong = [q.text for q in quantities if q.kind in ("percent", "multiplier", "money", "ratio")]
        if strong and "result" in found:  # a changed number next to a result word
            found["result"].extend(strong)
        for part in found:
            found[part] = list(dict.fromkeys(found[part]))
        return found

    def _star(self, sentences: list[str], chinese: bool) -> dict[str, Any]:
        n = len(sentences)
        cues = [self._sentence_cues(s, chinese) for s in sentences]
        # Score of sentence i for part p: cue count (capped) + a position prior (S early, R late).
        def score(i: int, part: str) -> float:
            c = cues[i].get(part)
            if not c:
                return 0.0
            pos = i / max(1, n - 1) if n > 1 else 0.5
            prior = {"situation": 1 - pos, "task": 1 - abs(pos - 0.3), "action": 1 - abs(pos - 0.6), "result": pos}[part]
            return min(len(c), 3) + 0.5 * prior

        cands = {p: sorted((i for i in range(n) if cues[i].get(p)), key=lambda i: -score(i, p))[:4] for p in _STAR_ORDER}
        # An outcome is what came of the actions: once an action is told, a result cue before it is not the result.
        first_action = min((i for i in range(n) if cues[i].get("action")), default=None)
        if first_action is not None:
            cands["result"] = [i for i in cands["result"] if i >= first_action]
        best, best_val = None, -1e9
        for combo in itertools.product(*[[None, *cands[p]] for p in _STAR_ORDER]):
            chosen = [c for c in combo if c is not None]
            val = 10.0 * len(chosen) + sum(score(c, p) for c, p in zip(combo, _STAR_ORDER) if c is not None)
            val -= 6.0 * (len(chosen) - len(set(chosen)))  # prefer one sentence per part
            val += 0.5 * sum(1 for a, b in zip(chosen, chosen[1:]) if a <= b)  # S, T, A, R in order
            if val > best_val:
                best, best_val = combo, val
        out: dict[str, Any] = {}
        roles: list[str | None] = [None] * n
        for part, idx in zip(_STAR_ORDER, best or (None,) * 4):
            if idx is None:
                out[part] = {"found": False, "sentence": None, "sentence_index": None, "cues": []}
            else:
                out[part] = {"found": True, "sentence": sentences[idx], "sentence_index": idx, "cues": cues[idx][part][:5]}
                roles[idx] = roles[idx] or part
        out["sentence_roles"] = roles
        out["first_action_index"] = first_action
        return out

    @staticmethod
    def _specificity(sentences: list[str], chinese: bool, quantities: list[dict[str, Any]]) -> dict[str, Any]:
        action_idx, general_idx, specifics = [], [], []
        general_terms: list[str] = []
        action_terms: list[str] = []
        for i, s in enumerate(sentences):
            acts = [m.group(0) for m in _EN_ACTION.finditer(s)] + _zh_actions(s)
            if _ZH_TIME_ANCHOR.search(s) and re.search(r"我们?", s) and re.search(r"了|过", s):
                acts.append(_ZH_TIME_ANCHOR.search(s).group(0))
            if acts:
                action_idx.append(i)
                action_terms.extend(acts[:2])
            gens = [m.group(0) for m in _GENERAL_EN.finditer(s)] + [m.group(0) for m in _GENERAL_ZH.finditer(s)]
            if gens:
                general_idx.append(i)
                general_terms.extend(gens)
            # Named specifics: capitalised words inside a sentence (not "I"), tech tokens, dates, Latin words in
            # Chinese, quoted names.
            toks = re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][A-Za-z0-9+#.-]*[A-Za-z0-9+#]|\b[A-Za-z]+\d+[A-Za-z0-9]*\b", s)
            toks = [t for t in toks if t not in ("I", "I'm", "I'd", "I've", "OK")]
            if chinese:
                toks += re.findall(r"[A-Za-z][A-Za-z0-9+#.-]+", s)
            toks += re.findall(r"《[^》]+》|“[^”]+”|「[^」]+」", s)
            toks += [m.group(0) for m in _ZH_TIME_ANCHOR.finditer(s)]
            toks += re.findall(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
                               r"December|(?:19|20)\d{2})\b", s)
            specifics.extend(dict.fromkeys(toks))
        specifics = list(dict.fromkeys(specifics))
        n_quant = sum(1 for q in quantities if q["kind"] != "number") + sum(1 for q in quantities if q["kind"] == "number") // 2
        concrete = len(action_idx) + 0.5 * min(len(specifics) + n_quant, 4)
        general = float(len(general_terms))
        if not action_idx and general >= 1:
            label = "general"
        elif action_idx and concrete >= general + 1:
            label = "concrete"
        elif action_idx or general:
            label = "general" if general > concrete else "mixed"
        else:
            label = "unclear"
        return {
            "label": label,
            "concrete_score": _r(concrete, 2),
            "general_score": _r(general, 2),
            "first_person_actions": action_terms[:10],
            "named_specifics": specifics[:10],
            "general_markers": general_terms[:10],
            "concrete_example_sentences": action_idx,
            "generalities_sentences": general_idx,
        }

    def _cover(
        self,
        point: str,
        k: int,
        cos_ps: np.ndarray,
        sentences: list[str],
        chinese: bool,
        star: dict[str, Any],
        quantities: list[dict[str, Any]],
    ) -> dict[str, Any]:
        item: dict[str, Any] = {"point": point, "label": "missing", "cosine": None, "lexical_overlap": 0.0,
                                "matched_terms": [], "evidence": None, "sentence_index": None, "sentence": None}
        if not sentences:
            return item
        cos = cos_ps[k]
        p_terms = _content_terms(point, chinese)
        lex = [_lexical_overlap(p_terms, s, chinese) for s in sentences]
        # Concept evidence for keyword points ("result", "团队规模", "role"...).
        concept_idx: int | None = None
        short = count_han(point) <= 6 and len(LATIN_WORD.findall(point)) <= 3
        concept = next((c for pat, c in _POINT_CONCEPTS if pat.search(point.strip())), None) if short else None
        if concept and concept.startswith("star:"):
            part = star[concept[5:]]
            concept_idx = part["sentence_index"] if part["found"] else None
        elif concept == "quantity" and quantities:
            concept_idx = next((q["sentence_index"] for q in quantities if q["kind"] != "number"),
                               quantities[0]["sentence_index"])
        elif concept == "team_size":
            concept_idx = next((i for i, s in enumerate(sentences) if _TEAM_SIZE.search(s)), None)
        elif concept == "role":
            concept_idx = next((i for i, s in enumerate(sentences) if _ROLE_CUES.search(s)), None)
        # Best sentence: cosine plus lexical overlap (a sentence repeating the point's words) plus concept.
        combined = cos + 0.35 * np.array([l for l, _ in lex])
        if concept_idx is not None:
            combined[concept_idx] += 0.5
        i = int(np.argmax(combined))
        c, (l, terms) = float(cos[i]), lex[i]
        if c >= COVERAGE_MET or (l >= 0.5 and c >= COVERAGE_PARTLY) or (concept_idx == i):
            label, evidence = "met", "concept cue" if concept_idx == i and c < COVERAGE_MET else "similarity"
        elif c >= COVERAGE_PARTLY or l >= 0.5:
            label, evidence = "partly", "similarity" if c >= COVERAGE_PARTLY else "shared words"
        else:
            label, evidence = "missing", None
        if l > 0 and evidence == "similarity" and c < COVERAGE_MET:
            evidence = "similarity and shared words"
        item.update(label=label, cosine=_r(c), lexical_overlap=_r(l), matched_terms=terms, evidence=evidence)
        if concept:
            item["concept"] = concept
        if label != "missing":
            item.update(sentence_index=i, sentence=sentences[i])
        else:
            item["closest_sentence_index"] = i
        return item
