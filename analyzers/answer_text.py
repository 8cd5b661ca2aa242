"""Reading an answer's text before any model sees it: its sentences (long ASR runs cut into pieces), its words (jieba
for Chinese), and the quantities it states ("35%", "$2M", "3x", "千万级", "10人"). The content analyzer
(analyzers/content.py) builds its features on these.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass

from analyzers.text.language import is_auto, is_chinese_code
from analyzers.text.script import LATIN_WORD, count_han, has_han, mostly_han
from analyzers.text.sentences import split_clauses, split_sentences

__all__ = ["Quantity", "answer_sentences", "find_quantities", "is_chinese_answer", "jieba_module", "tokenize"]

# ------------------------------------------------------------------------------------------------ segmentation

_jieba_lock = threading.Lock()
_jieba = None


def jieba_module():
    """jieba, initialised once per process (loading its dictionary takes a second or two)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def is_chinese_answer(language: str | None, text: str) -> bool:
    """Whether to read the text as Chinese: the interview language says so, or the text is mostly Chinese."""
    if is_chinese_code(language):
        return True
    if not is_auto(language):
        return mostly_han(text, ratio=2)  # a Chinese answer in an EN interview
    return mostly_han(text)


def tokenize(text: str, chinese: bool) -> list[str]:
    """Words: jieba segmentation for Chinese (punctuation dropped), letters/digits runs for English."""
    if chinese:
        return [t for t in jieba_module().lcut(text) if t.strip() and (has_han(t) or LATIN_WORD.search(t))]
    return LATIN_WORD.findall(text)


def answer_sentences(text: str, chinese: bool | None = None) -> list[str]:
    """The answer's sentences (:func:`analyzers.text.sentences.split_sentences`); over-long runs (ASR text
    without punctuation) are cut at commas, then into windows of ~40 characters / ~30 words."""
    text = (text or "").strip()
    if not text:
        return []
    if chinese is None:
        chinese = mostly_han(text)
    out: list[str] = []
    for s in split_sentences(text):
        out.extend(_split_long(s, chinese))
    return [s for s in out if has_han(s) or LATIN_WORD.search(s)]


def _split_long(s: str, chinese: bool) -> list[str]:
    size = count_han(s) if chinese else len(LATIN_WORD.findall(s))
    limit = 80 if chinese else 60
    if size <= limit:
        return [s]
    clauses = split_clauses(s, list_commas=True)
    target = 40 if chinese else 30
    out: list[str] = []
    cur = ""
    for c in clauses:
        cand = cur + ("" if chinese else " ") + c if cur else c
        n = count_han(cand) if chinese else len(LATIN_WORD.findall(cand))
        if cur and n > target:
            out.append(cur)
            cur = c
        else:
            cur = cand
    if cur:
        out.append(cur)
    final: list[str] = []
    for c in out:  # still too long (no punctuation at all): fixed windows
        if chinese and len(c) > 2 * target:
            final.extend(c[i : i + target] for i in range(0, len(c), target))
        elif not chinese and len(c.split()) > 2 * target:
            w = c.split()
            final.extend(" ".join(w[i : i + target]) for i in range(0, len(w), target))
        else:
            final.append(c)
    return final


# -------------------------------------------------------------------------------------------------- quantities


@dataclass(frozen=True)
class Quantity:
    text: str
    kind: str  # percent | money | multiplier | magnitude | count | score | ratio | number
    start: int
    end: int


_NUM = r"\d+(?:[.,]\d+)*"
_ZH_NUM = r"[零一二两三四五六七八九十百千万亿几数上]+"
_QUANTITY_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("percent", re.compile(rf"[+\-±]?\s?{_NUM}\s?(?:%|％|percent\b|per cent\b|个百分点|pp\b|percentage points?\b)", re.I)),
    ("percent", re.compile(rf"百分之{_ZH_NUM}(?:点{_ZH_NUM})?|百分之{_NUM}")),
    ("money", re.compile(rf"[$€£¥￥]\s?{_NUM}(?:\s?(?:k|m|bn|million|billion|thousand)\b)?", re.I)),
    ("money", re.compile(
        rf"(?:{_NUM}|{_ZH_NUM})\s?(?:万|亿|千|百万|千万)?\s?(?:元|块钱|美元|美金|人民币|欧元)"
        rf"|{_NUM}\s?(?:k|m|bn|million|billion|thousand)?\s?(?:dollars|usd|euros?|rmb|yuan)\b", re.I)),
    ("multiplier", re.compile(
        rf"{_NUM}\s?(?:x|×|times)\b|(?:{_NUM}|{_ZH_NUM})\s?倍|翻(?:了)?(?:一|两|三|{_NUM})?(?:倍|番)"
        r"|\b(?:doubled|tripled|quadrupled|halved|twice as|three times|tenfold|10-fold)\b", re.I)),
    ("magnitude", re.compile(
        rf"(?:{_NUM}|{_ZH_NUM})?[十百千万亿]+(?:级|量级)|{_NUM}\s?(?:万|亿|千万|百万)(?!元)"
        rf"|{_ZH_NUM}?(?:千万|百万|上亿|数亿|几亿|亿)(?:级|用户|人|次|条|行)?"
        r"|\b(?:millions|billions|thousands|hundreds) of\b", re.I)),
    ("count", re.compile(
        rf"{_NUM}\s?(?:人|名|位|个|项|次|家|天|周|个月|月|年|小时|分钟|秒|毫秒|台|条|行|款|套|起|件|单|箱|票|公里|米|度)"
        # not an ordinal (第二天) and not a vague "几" alone (几次: "a few times")
        rf"|(?<![一第])(?:[二两三四五六七八九十百千][二两三四五六七八九十百千几]*|[一二两三四五六七八九]?十[一二三四五六七八九几]?)"
        rf"(?:人|名|位|天|周|个月|年|小时|分钟|台|款|起|件|单|箱|票|公里|次)"
        rf"|{_NUM}\s?(?:ms|s|h|hours?|days?|weeks?|months?|years?|minutes?|seconds?|milliseconds?|people|"
        r"engineers|developers|members|users|customers|clients|requests|servers|services|teams?|projects?)\b"
        r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
        r"a hundred|hundred|dozens? of)\s+(?:ms|hours?|days?|weeks?|months?|years?|minutes?|seconds?|milliseconds?|"
        r"people|engineers|developers|members|users|customers|clients|requests|servers|services|teams?|projects?)\b",
        re.I)),
    ("score", re.compile(  # a mark, rating or score: 九十二分, 三点五分, 4.2分 (not 十分 "very", not 分钟)
        rf"(?:{_NUM}|[零一二两三四五六七八九十百几]{{2,}}|[零一二两三四五六七八九十]+点[零一二三四五六七八九]+"
        rf"|(?<![零一二两三四五六七八九十百千万几点])[二两三四五六七八九])分(?![钟之])")),
    ("ratio", re.compile(  # a ratio or an end value in words: "about half", "a third", "to zero", 一半, 三分之一, 翻了一番
        r"\b(?:(?:by |to |about |roughly |almost |nearly |over |more than |less than )?(?:a |one )?half\b(?! an? )"
        r"|(?:a|one|two) (?:third|quarter|fifth)s?\b(?!-)|three quarters\b|twice\b|double[ds]?\b(?!-)|zero\b"
        r"|not (?:a )?single\b)"
        r"|[一二三四五六七八九十]分之[一二三四五六七八九十]|一半|减半|翻了?[一两]?番|(?:是|为|到|至|成)零(?![一二三四五六七八九十点])"
        r"|没有一[个位起件单例次]",
        re.I)),
    ("number", re.compile(rf"(?<![\w.]){_NUM}(?![\w.])")),
]
_YEAR = re.compile(r"^(?:19|20)\d{2}$")


def find_quantities(text: str) -> list[Quantity]:
    """Quantities in text order; overlapping matches keep the first pattern kind (most specific) and longest."""
    found: list[Quantity] = []
    for kind, pat in _QUANTITY_PATTERNS:
        for m in pat.finditer(text):
            s, e = m.start(), m.end()
            while s < e and text[s].isspace():
                s += 1
            if s >= e:
                continue
            if any(not (e <= q.start or s >= q.end) for q in found):
                continue
            t = text[s:e].strip()
            if kind == "number" and _YEAR.match(t):
                continue  # a year is a date, not a quantity
            found.append(Quantity(t, kind, s, e))
    return sorted(found, key=lambda q: q.start)
