"""What the words of an answer say about whether it is over: requests for time or a repeat, an unfinished clause, a
listing not yet at its last item, a stated result, a closing phrase (English and Chinese). Pure functions over text;
``dialogue/turn_taking.py`` turns them into the silence an answer needs before it ends."""

from __future__ import annotations

import re

from analyzers.text.script import HAN_CHAR, count_han, has_han
from analyzers.text.sentences import split_sentences


EN_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?%?")
TERMINAL = ".!?。！？"
_TRAILING_UNFINISHED_PUNCT = (",", "，", "、", ";", "；", ":", "：", "-", "—", "...", "…")

UNFINISHED_EN = frozenset(
    """and or but so because cause cuz then um uh er erm ah hmm like the a an of to for with in on at from by about
    into onto over under through after before during since until than as that which who whom whose where when while
    if although though unless whether also plus my our their his her your its this these those is was were are be
    been being am i we you they he she it well basically actually kind sort you know mean""".split()
)
"""Last words that leave an English sentence open. ("you know"/"i mean" are covered by "know"/"mean".)"""
CAN_END_SENTENCE_EN = frozenset(
    """in on at by about over under through after before since is was were are be been being am it you her well
    basically actually""".split()
)
"""Words of ``UNFINISHED_EN`` that also end complete sentences: particles ("we moved on.", "they stopped by."), forms
of "be" ("that's all it is."), object pronouns ("agree on a date to review it.", "I told her."), "went well.".
After them, a sentence end the recogniser wrote (. ! ?) is believed. Conjunctions, articles, fillers, possessives
and words that usually announce more ("and then", "so", "the", "um", "our", "that", "you know", "kind of") leave the
sentence open whatever punctuation follows (recognisers put full stops where speech merely pauses)."""
UNFINISHED_ZH = (
    "然后", "所以", "因为", "就是", "那个", "还有", "而且", "但是", "不过", "并且", "或者", "以及", "比如", "例如",
    "首先", "其次", "接着", "另外", "同时", "如果", "虽然", "这个", "嗯", "呃", "啊", "额", "和", "跟", "与", "及",
    "或", "把", "被", "对", "在", "从", "的话", "然后呢", "就是说", "也就是",
)
"""Endings that leave a Chinese sentence open."""

THINKING_EN = (
    "let me think", "let me see", "let me recall", "let me remember", "give me a moment", "give me a second",
    "give me a sec", "give me a minute", "one moment", "one second", "just a moment", "just a second", "hold on",
    "bear with me", "how do i put this", "let me gather my thoughts", "i need to think", "thinking about it",
)
THINKING_ZH = ("让我想想", "让我想一想", "让我想一下", "我想想", "我想一想", "我想一下", "稍等", "等一下", "等等",
               "容我想", "想一想", "思考一下")
REPEAT_EN = (
    "repeat the question", "repeat that", "repeat it", "say that again", "say it again", "what was the question",
    "what is the question", "what's the question", "rephrase the question", "rephrase that", "come again",
    "didn't catch", "did not catch", "didn't hear", "did not hear", "ask that again", "ask again", "pardon",
    "one more time", "the question again",
)
REPEAT_ZH = ("再说一遍", "再说一次", "再讲一遍", "再讲一次", "重复一下", "重复一遍", "重复问题", "没听清", "没听清楚",
             "问题是什么", "什么问题", "再问一遍", "再念一遍", "能再说")
CLOSING_EN = ("that's it", "that is it", "that's all", "that is all", "that's about it", "so yeah", "yeah that's",
              "that's my answer", "i think that's", "that sums it up")
CLOSING_ZH = ("就这些", "就是这样", "这就是", "我的回答", "大概就是这样", "差不多就是这样", "以上")
LIST_OPEN_EN = ("first", "firstly", "first of all", "to begin with", "to start with", "number one")
LIST_ITEM_EN = {"first": 1, "firstly": 1, "second": 2, "secondly": 2, "third": 3, "thirdly": 3, "fourth": 4,
                "fifth": 5}
LIST_CLOSE_EN = ("finally", "lastly", "last but not least", "last of all", "in the end", "to sum up", "overall",
                 "in summary", "in short", "all in all")
LIST_OPEN_ZH = ("第一", "首先", "一是", "其一")
LIST_ITEM_ZH = {"第一": 1, "首先": 1, "第二": 2, "其次": 2, "第三": 3, "第四": 4, "第五": 5}
LIST_CLOSE_ZH = ("最后", "总之", "总的来说", "总结", "综上", "总而言之")
_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "couple": 2, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5}
_COUNT_EN = re.compile(r"\b(two|three|four|five|couple of)\s+(?:main\s+|key\s+|big\s+|important\s+)?"
                       r"(reasons|things|points|steps|parts|ways|aspects|lessons|challenges|factors|areas|goals)\b")
_COUNT_ZH = re.compile(r"([两二三四五])(?:个|点|方面|步|件事|条)")
# "one" is left out: mostly a pronoun or article ("the one", "one of them", a misheard "on call" -> "one call").
RESULT_EN = re.compile(
    r"\d|%|\bpercent\b|\b(?:two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|hundred|"
    r"thousand|million|half|double|doubled|tripled|twice)\b|\b(?:result|results|resulted|outcome|reduced|reduce|"
    r"increased|increase|improved|improve|saved|save|cut|grew|grow|dropped|decreased|launched|shipped|delivered|"
    r"won|achieved|succeeded|success|successful|completed|finished|on time|ahead of schedule|under budget|"
    r"promoted|learned|praised|adopted|fixed|solved|resolved)\b"
)
# A Chinese count is a result ("三个月", "两倍", "一半"), but "一个" alone is the article "a" ("优化一个很慢的服务").
RESULT_ZH = re.compile(r"\d|百分之|倍|(?<![一二三四五六七八九十百千万两半])(?!一个)"
                       r"[一二三四五六七八九十百千万两半]+(?:个|天|周|月|年|小时|分钟|秒|万|人|倍|成)|"
                       r"结果|最终|成功|提升|提高|降低|减少|增加|节省|缩短|上线|完成|达到|获得|赢得|解决|改善|学到")


TIME_WHEN_EN = re.compile(
    r"\b(?:\w+\s+){0,2}(?:years?|months?|weeks?|days?)\s+ago\b|\b(?:last|this|next)\s+(?:year|month|week|quarter)\b|"
    r"\bin\s+(?:19|20)\d\d\b|\b(?:19|20)\d\d\b|"
    r"\bfor\s+(?:a|an|one|two|three|four|five|six|a\s+few|several|\d+)\s+(?:hours?|days?|weeks?|months?|years?)\b")
TIME_WHEN_ZH = re.compile(r"[\d一二三四五六七八九十两几半]+个?(?:年|月|周|星期|天)(?:前|以前|之前)|去年|前年|今年|上个?月|"
                          r"(?:19|20)\d\d年|(?<![\d一二三四五六七八九十百千万两几])一个?(?:小时|天|周|星期|月|年)")
"""When something happened or how long it went on ("two years ago", "两年前", "in 2023", "for a week", "结对了一周")
is scene-setting, not a result."""
REFLECTION_EN = ("looking back", "in hindsight", "in retrospect", "taught me", "i learned", "i learnt", "lesson",
                 "made me much more", "made me more", "next time i would", "if i did it again", "i would do it",
                 "i still use", "since then i")
REFLECTION_ZH = ("回头看", "回过头看", "回想起来", "教会了我", "学到了", "这段经历让我", "这件事让我", "让我养成",
                 "养成了", "下次我会", "如果再来一次", "现在每个", "从那以后")
"""The lesson a STAR answer often closes with (STAR-L): like a stated result, it marks a complete answer."""


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower().replace("’", "'"))


def word_count(text: str) -> float:
    """English words plus CJK characters / 2 (a rough word equivalent)."""
    t = normalised(text)
    return len(EN_WORD.findall(HAN_CHAR.sub(" ", t))) + count_han(t) / 2


def contains_phrase(text: str, phrases) -> bool:
    return any(p in text for p in phrases)


THINKING_SUFFIX_EXCLUDED = ("one moment", "one second", "just a second", "thinking about it", "等等")
"""Phrases that are ordinary words too ("responds in one second", "Python、Java等等" = "etc."): a request for time
only where ``_AMBIGUOUS_TIME_REQUEST`` finds them asking for it."""
_AMBIGUOUS_TIME_REQUEST = re.compile(
    r"(?:^|[,.!?;，。！？；]\s*|\b(?:give me|wait|sorry|hold on|please|ok|okay|um|uh|er|hmm|well|so|just|still)\s+)"
    r"(?:(?:just\s+)?(?:one|a)\s+(?:moment|second|sec)\b|(?:i'm\s+|i am\s+)?thinking about it\b)"
    r"|(?:^|[，,。.!！?？、\s]|那个|嗯|呃)等等(?=$|[，,。.!！?？\s])")
"""Where an ambiguous phrase asks for time: at the start of a clause or after "give me"/"wait"/"sorry"/a filler
("Give me one second.", "Sorry, just a second.", "那个，等等"), never after "in"/"within" or a list ("Java等等")."""
_PLAIN_TIME_REQUESTS = tuple(p for p in THINKING_EN + THINKING_ZH if p not in THINKING_SUFFIX_EXCLUDED)


def detect_intent(utterance: str, max_words: int = 12) -> str | None:
    """``"repeat"`` / ``"thinking"`` for a short utterance that asks for the question again / for time."""
    t = normalised(utterance)
    if not t or word_count(t) > max_words:
        return None
    if contains_phrase(t, REPEAT_EN) or contains_phrase(t, REPEAT_ZH):
        return "repeat"
    if _asks_for_time_words(t):
        return "thinking"
    return None


def _asks_for_time_words(t: str) -> bool:
    """``t`` (normalised) holds a request for time (the ambiguous phrases only where they ask for it)."""
    if any(p in t for p in _PLAIN_TIME_REQUESTS):
        return True
    return _AMBIGUOUS_TIME_REQUEST.search(t) is not None


def asks_for_time(utterance: str, max_words: int = 12) -> bool:
    """The utterance is, or ends with, a request for time ("... so. Let me think.", "嗯，让我想一想"), also when
    a recogniser without punctuation runs it into the sentence before ("…每次发布都不满意让我想想")."""
    if detect_intent(utterance, max_words) == "thinking":
        return True
    tail = sentences_of(utterance)[-1]
    if detect_intent(tail, max_words) == "thinking":
        return True
    core = normalised(tail).rstrip(TERMINAL + "，,、 …")
    if core.endswith(_PLAIN_TIME_REQUESTS):
        return True
    return any(m.end() == len(core) for m in _AMBIGUOUS_TIME_REQUEST.finditer(core))


def ends_unfinished(text: str) -> bool:
    """The text stops mid-sentence: a trailing comma/ellipsis, or a conjunction/preposition/article/filler."""
    t = normalised(text)
    if not t:
        return False
    if t.endswith(_TRAILING_UNFINISHED_PUNCT):
        return True
    core = t.rstrip(TERMINAL + " \"'")
    if not core:
        return False
    if core.endswith(_TRAILING_UNFINISHED_PUNCT):
        return True
    if has_han(core[-1:]):
        return core.endswith(UNFINISHED_ZH)
    words = EN_WORD.findall(core[-40:])
    if not words or words[-1] not in UNFINISHED_EN:
        return False
    terminated = len(core) < len(t.rstrip(" \"'"))  # the recogniser wrote . ! ? after the last word
    return not (terminated and words[-1] in CAN_END_SENTENCE_EN)


def ends_complete(text: str) -> bool:
    t = text.strip().rstrip("\"'”」 ")
    return bool(t) and t[-1] in TERMINAL and not t.endswith(("...", "…"))


def sentences_of(text: str) -> list[str]:
    return split_sentences(text, soft_ends=False) or [text.strip()]


def listing_in_progress(text: str) -> bool:
    """A listing was opened ("first", "three reasons", "第一", "三点") and has not reached its last item."""
    t = normalised(text)
    opened = bool(re.search(r"\b(?:" + "|".join(map(re.escape, LIST_OPEN_EN)) + r")\b", t)) or contains_phrase(t, LIST_OPEN_ZH)
    announced = 0
    m = _COUNT_EN.search(t)
    if m:
        announced = _COUNT_WORDS[m.group(1).split()[0]]
    m = _COUNT_ZH.search(t)
    if m:
        announced = max(announced, _COUNT_WORDS[m.group(1)])
    if not opened and not announced:
        return False
    if re.search(r"\b(?:" + "|".join(map(re.escape, LIST_CLOSE_EN)) + r")\b", t) or contains_phrase(t, LIST_CLOSE_ZH):
        return False
    seen = [n for w, n in LIST_ITEM_EN.items() if re.search(rf"\b{w}\b", t)]
    seen += [n for w, n in LIST_ITEM_ZH.items() if w in t]
    highest = max(seen, default=0)
    return highest < (announced or 3) if announced else highest < 2


def states_result(sentence: str) -> bool:
    """A STAR result: a number or an outcome word (not counting when it happened: "two years ago"), a lesson
    learned ("looking back", "这段经历让我"), or a closing phrase ("that's it", "就这些")."""
    t = normalised(sentence)
    if contains_phrase(t, CLOSING_EN) or contains_phrase(t, CLOSING_ZH) or contains_phrase(t, REFLECTION_EN) or contains_phrase(t, REFLECTION_ZH):
        return True
    t = TIME_WHEN_ZH.sub(" ", TIME_WHEN_EN.sub(" ", t))
    return bool(RESULT_EN.search(t) or RESULT_ZH.search(t))
