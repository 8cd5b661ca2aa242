"""When is an answer over? All timing knobs and their defaults live here (one place to read and tune).

Two detectors share one event interface (explicit media-clock milliseconds, no sleeps, no I/O):

* ``SilenceAnswerEndDetector`` - the first version: the answer ends after ``answer_end_silence_ms`` of silence once
  the candidate has said something and the recogniser has delivered the text of every finished utterance.
* ``AnswerEndDetector`` - content-aware (the runtime's default): the silence needed depends on what was said.
  An unfinished sentence ("... and then", "因为", a trailing comma), a listing in progress ("first ...", "第一")
  or "let me think"/"让我想想" waits long; a complete sentence after a substantial answer ends sooner; a complete
  STAR answer (a last sentence with a number or an outcome) sooner still. Short utterances are also checked for
  intents: "could you repeat the question" -> ``"repeat"``, "let me think" -> ``"thinking"`` (see ``intent()``).
  ``barge_in(now)`` says whether the candidate has started talking over a question being played.

Timing facts these defaults were chosen against (``benchmarks/turn_taking.py`` measures them): the VAD
(``analyzers/vad.py``) reports a pause after 200 ms of silence and the end of an utterance after 500 ms, both
back-dated to the last voiced frame; the recogniser decodes speculatively at the pause, so the final is in about
200 ms + one Whisper tiny.en decode (~0.5-0.7 s on one core here) after the end of speech. No decision that waits for
the final can come earlier than that; every silence below it is in practice "as soon as the final text is in".

Runtime contract (``dialogue/speech_turns.py`` is the one caller): on every 20 ms audio chunk, if ``due_at()`` is not
None and the chunk time has reached it, call ``check(now)``; a non-None reason ends the answer. ``speech_started``/
``speech_ended`` come from the VAD, ``final_received`` per final transcript, ``utterance_done`` when the recogniser
is finished with an utterance. ``partial_received`` is optional (intents and barge-in get earlier with it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analyzers.text.script import HAN_CHAR, count_han, has_han
from analyzers.text.sentences import split_sentences

# --------------------------------------------------------------------------------------------------------------
# configuration


@dataclass(frozen=True)
class TurnTakingConfig:
    """Every turn-taking knob. Silences are measured from the end of the last voiced frame (the VAD's back-dated
    end), never from when the VAD or the recogniser reported it; a decision also always waits for the final text of
    every finished utterance (or ``final_wait_max_ms``)."""

    answer_end_silence_ms: int = 3000
    """Base end-of-answer silence: used when the text gives no cue either way (no sentence end yet, a short
    answer, or a complete STAR answer with no result yet). ``SilenceAnswerEndDetector`` uses it for everything.
    Thinking pauses of 1-3 s must not be cut into, and words cannot tell "I did X. [thinks] The result was Y."
    from an answer that stops at X: so 3000. The benchmark's trade-off curve sweeps it (220 answers, 0.8-2.5 s
    pauses): 2000 cuts into 7.9 % of them, 2200 3.3 %, 2400 0.9 %, 2600 and up none; the cued ends below (p50
    0.82-0.83 s, p95 0.84 s on an idle machine, 0.88-0.94 s on a busy one) do not move with it. A p95 within
    800 ms over all answers needs 600 here, which cuts into about 47 % of the pauses."""
    no_answer_timeout_ms: int = 60000
    """With no speech at all after a question, the turn ends after this long (the candidate may be stuck)."""

    # --- content classes (AnswerEndDetector only) ---
    complete_silence_ms: int = 1000
    """A complete sentence (ends . ! ? 。！？) after a substantial answer that already stated a result earlier
    (a complete sentence with no result anywhere yet gets only the base silence: the STAR answer is unfinished)."""
    result_silence_ms: int = 700
    """A complete answer whose last sentence states a result (a number, percent, or an outcome word such as
    "reduced", "launched", "提升"), a lesson ("looking back", "这段经历让我") or a closing phrase ("that's it",
    "就这些"). The final transcript (VAD pause probe 200 ms + one Whisper decode, p50 0.2 s / p95 0.46-0.49 s on
    one core with the short encoder window) is usually there before, so this is what the cued ends wait for: the
    benchmark's second curve gives p50 0.63 s at 500, 0.73 s at 600, 0.83 s at 700 with the same cut-ins on its
    corpus (pauses there are >= 0.8 s); 700 leaves room for a real speaker's breath between two sentences."""
    unfinished_silence_ms: int = 3500
    """The last words are an unfinished clause: a conjunction/preposition/article/filler ("and", "so",
    "because", "then", "um", "the", "然后", "所以", "因为", "就是", "那个", "还有"), a trailing comma/"、"/"，" or
    "..."."""
    listing_silence_ms: int = 2500
    """A listing is in progress: "first"/"firstly"/"第一"/"首先" (or "three reasons", "三点") was said and neither
    a closing item ("finally", "lastly", "最后") nor the announced number of items has come."""
    thinking_silence_ms: int = 3500
    """The last utterance asks for time ("let me think", "give me a moment", "让我想想", "稍等")."""
    thinking_only_silence_ms: int = 20000
    """Nothing but "let me think"-type utterances so far: wait this long (the candidate is still thinking); the
    turn then ends as ``"no_answer"``."""
    substantial_words: int = 12
    """Words (a CJK character counts 1/2 word) the answer needs before a complete sentence counts as an end."""

    # --- intents ---
    intent_max_words: int = 12
    """Only utterances this short are read for intents ("could you repeat the question")."""
    intent_silence_ms: int = 300
    """Silence after a repeat request before ``check`` reports it (only with ``intent_reasons``)."""
    intent_reasons: bool = False
    """When True, ``check`` returns ``"repeat"`` for a repeat request (the runtime should then re-ask the question
    and start a fresh detector). False keeps ``check``'s reasons to the old set (``"silence"``, ``"no_answer"``,
    ``"time_limit"``) for runtimes that do not handle it; ``intent()`` reports it either way."""

    # --- recogniser safety ---
    final_wait_max_ms: int = 5000
    """If the recogniser has not delivered an utterance's final this long after its end, decide on the text
    known (partials included) instead of waiting forever."""

    # --- barge-in ---
    barge_in_min_speech_ms: int = 800
    """While a question is being played, this much candidate speech (to the last voiced frame) stops it: longer
    than a backchannel ("okay", "mm-hm" are ~300-500 ms, and the VAD's voiced span runs ~100-200 ms longer)..."""
    barge_in_min_words: int = 2
    """...or earlier, a partial transcript with this many words that are not backchannels ("ok", "yeah", "嗯")."""


# --------------------------------------------------------------------------------------------------------------
# text analysis (pure functions, usable on their own)

_EN_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?%?")
_TERMINAL = ".!?。！？"
_TRAILING_UNFINISHED_PUNCT = (",", "，", "、", ";", "；", ":", "：", "-", "—", "...", "…")

UNFINISHED_EN = frozenset(
    """and or but so because cause cuz then um uh er erm ah hmm like the a an of to for with in on at from by about
    into onto over under through after before during since until than as that which who whom whose where when while
    if although though unless whether also plus my our their his her your its this these those is was were are be
    been being am i we you they he she it well basically actually kind sort you know mean""".split()
)
"""Last words that leave an English sentence open. ("you know"/"i mean" are covered by "know"/"mean".)"""
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


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower().replace("’", "'"))


def word_count(text: str) -> float:
    """English words plus CJK characters / 2 (a rough word equivalent)."""
    t = _norm(text)
    return len(_EN_WORD.findall(HAN_CHAR.sub(" ", t))) + count_han(t) / 2


def _contains(text: str, phrases) -> bool:
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
    t = _norm(utterance)
    if not t or word_count(t) > max_words:
        return None
    if _contains(t, REPEAT_EN) or _contains(t, REPEAT_ZH):
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
    tail = _sentences(utterance)[-1]
    if detect_intent(tail, max_words) == "thinking":
        return True
    core = _norm(tail).rstrip(_TERMINAL + "，,、 …")
    if core.endswith(_PLAIN_TIME_REQUESTS):
        return True
    return any(m.end() == len(core) for m in _AMBIGUOUS_TIME_REQUEST.finditer(core))


def ends_unfinished(text: str) -> bool:
    """The text stops mid-sentence: a trailing comma/ellipsis, or a conjunction/preposition/article/filler."""
    t = _norm(text)
    if not t:
        return False
    if t.endswith(_TRAILING_UNFINISHED_PUNCT):
        return True
    core = t.rstrip(_TERMINAL + " \"'")
    if not core:
        return False
    if core.endswith(_TRAILING_UNFINISHED_PUNCT):
        return True
    if has_han(core[-1:]):
        return core.endswith(UNFINISHED_ZH)
    words = _EN_WORD.findall(core[-40:])
    return bool(words) and words[-1] in UNFINISHED_EN


def ends_complete(text: str) -> bool:
    t = text.strip().rstrip("\"'”」 ")
    return bool(t) and t[-1] in _TERMINAL and not t.endswith(("...", "…"))


def _sentences(text: str) -> list[str]:
    return split_sentences(text, soft_ends=False) or [text.strip()]


def listing_in_progress(text: str) -> bool:
    """A listing was opened ("first", "three reasons", "第一", "三点") and has not reached its last item."""
    t = _norm(text)
    opened = bool(re.search(r"\b(?:" + "|".join(map(re.escape, LIST_OPEN_EN)) + r")\b", t)) or _contains(t, LIST_OPEN_ZH)
    announced = 0
    m = _COUNT_EN.search(t)
    if m:
        announced = _COUNT_WORDS[m.group(1).split()[0]]
    m = _COUNT_ZH.search(t)
    if m:
        announced = max(announced, _COUNT_WORDS[m.group(1)])
    if not opened and not announced:
        return False
    if re.search(r"\b(?:" + "|".join(map(re.escape, LIST_CLOSE_EN)) + r")\b", t) or _contains(t, LIST_CLOSE_ZH):
        return False
    seen = [n for w, n in LIST_ITEM_EN.items() if re.search(rf"\b{w}\b", t)]
    seen += [n for w, n in LIST_ITEM_ZH.items() if w in t]
    highest = max(seen, default=0)
    return highest < (announced or 3) if announced else highest < 2


def states_result(sentence: str) -> bool:
    """A STAR result: a number or an outcome word (not counting when it happened: "two years ago"), a lesson
    learned ("looking back", "这段经历让我"), or a closing phrase ("that's it", "就这些")."""
    t = _norm(sentence)
    if _contains(t, CLOSING_EN) or _contains(t, CLOSING_ZH) or _contains(t, REFLECTION_EN) or _contains(t, REFLECTION_ZH):
        return True
    t = TIME_WHEN_ZH.sub(" ", TIME_WHEN_EN.sub(" ", t))
    return bool(RESULT_EN.search(t) or RESULT_ZH.search(t))


def classify_answer(text: str, last_utterance: str, config: TurnTakingConfig) -> str:
    """The content class of an answer so far: ``"thinking"``, ``"unfinished"``, ``"listing"``, ``"result"``,
    ``"complete"`` or ``"neutral"`` (order = precedence)."""
    if asks_for_time(last_utterance, config.intent_max_words):
        return "thinking"
    if ends_unfinished(text):
        return "unfinished"
    if listing_in_progress(text):
        return "listing"
    # A recogniser that emits no punctuation at all (common for Chinese): each utterance is taken as a sentence.
    unpunctuated = not any(c in _TERMINAL for c in text)
    if (ends_complete(text) or unpunctuated) and word_count(text) >= config.substantial_words:
        if unpunctuated:
            last = last_utterance.strip() or text
            sentences = [text[: len(text) - len(last)] if text.endswith(last) else "", last]
        else:
            sentences = _sentences(text)
        if states_result(sentences[-1]):
            return "result"
        # a STAR answer with no result anywhere yet is probably not over: only the base silence
        return "complete" if any(states_result(x) for x in sentences[:-1] if x) else "neutral"
    t = _norm(last_utterance)
    if (_contains(t, CLOSING_EN) or _contains(t, CLOSING_ZH)) and word_count(text) >= config.substantial_words:
        return "result"
    return "neutral"


def required_silence_ms(kind: str, config: TurnTakingConfig) -> int:
    base = config.answer_end_silence_ms
    if kind == "thinking":
        return config.thinking_silence_ms
    if kind == "unfinished":
        return max(base, config.unfinished_silence_ms)
    if kind == "listing":
        return max(base, config.listing_silence_ms)
    if kind == "complete":
        return min(base, config.complete_silence_ms)
    if kind == "result":
        return min(base, config.result_silence_ms)
    return base


# --------------------------------------------------------------------------------------------------------------
# detectors


class SilenceAnswerEndDetector:
    """Pure decision logic on a millisecond clock; the runtime feeds events and asks ``due_at``/``check``.
    Ends the answer after ``answer_end_silence_ms`` of silence whatever was said (the first version)."""

    def __init__(self, config: TurnTakingConfig, turn_started_ms: int, time_limit_ms: int | None = None):
        self.config = config
        self.turn_started_ms = turn_started_ms
        self.time_limit_ms = time_limit_ms
        self.speaking = False
        self.last_speech_end_ms: int | None = None
        self.pending_finals = 0
        self.text_parts: list[str] = []

    @property
    def answer_text(self) -> str:
        return " ".join(p for p in self.text_parts if p).strip()

    def speech_started(self, t_ms: int) -> None:
        self.speaking = True
        self.pending_finals += 1

    def speech_ended(self, t_ms: int) -> None:
        self.speaking = False
        self.last_speech_end_ms = t_ms

    def partial_received(self, text: str) -> None:
        """A partial transcript of the open utterance (unused by this detector)."""

    def final_received(self, text: str) -> None:
        self.text_parts.append(text.strip())

    def utterance_done(self) -> None:
        """The recogniser has delivered everything it will for one utterance (a final, or nothing)."""
        self.pending_finals = max(0, self.pending_finals - 1)

    def due_at(self) -> int | None:
        """The next media time at which ``check`` may decide something."""
        if self.speaking:
            return None
        if self.last_speech_end_ms is None:
            return self.turn_started_ms + self.config.no_answer_timeout_ms
        return self.last_speech_end_ms + self.config.answer_end_silence_ms

    def check(self, now_ms: int) -> str | None:
        """A reason string when the answer is over at ``now_ms``, else None."""
        if self.time_limit_ms is not None and now_ms - self.turn_started_ms >= self.time_limit_ms:
            if not self.speaking and self.pending_finals == 0:
                return "time_limit"
        if self.speaking:
            return None
        if self.last_speech_end_ms is None:
            if now_ms - self.turn_started_ms >= self.config.no_answer_timeout_ms:
                return "no_answer"
            return None
        if self.pending_finals > 0:
            return None
        if now_ms - self.last_speech_end_ms >= self.config.answer_end_silence_ms and self.answer_text:
            return "silence"
        return None


class AnswerEndDetector(SilenceAnswerEndDetector):
    """Content-aware end of answer (see the module docstring), same methods as ``SilenceAnswerEndDetector`` plus
    ``partial_received``, ``intent``, ``end_class``, ``question_playing``/``barge_in``.

    ``check`` reasons: ``"silence"`` (the answer is over; ``end_class`` says which rule), ``"candidate_done"``
    (after ``candidate_done``), ``"no_answer"``, ``"time_limit"``, and ``"repeat"`` only when
    ``config.intent_reasons`` is set.
    """

    def __init__(self, config: TurnTakingConfig, turn_started_ms: int, time_limit_ms: int | None = None):
        super().__init__(config, turn_started_ms, time_limit_ms)
        self.partial_text = ""
        self.utterance_texts: list[str] = []
        """Finals of the current utterance (Whisper splits > 30 s utterances into several)."""
        self.last_utterance_text = ""
        self.speech_started_ms: int | None = None
        self.question_play: tuple[int, int | None] | None = None
        self._classified: tuple[str, str] | None = None  # (text key, class) cache
        self.end_class: str | None = None
        """The content class that ended the answer (set when ``check`` returns ``"silence"``)."""
        self.done_at_ms: int | None = None
        """When the candidate said they had finished (``candidate_done``)."""

    # --- events ---
    def speech_started(self, t_ms: int) -> None:
        super().speech_started(t_ms)
        self.speech_started_ms = t_ms
        self.partial_text = ""
        self.utterance_texts = []

    def partial_received(self, text: str) -> None:
        self.partial_text = text.strip()

    def final_received(self, text: str) -> None:
        super().final_received(text)
        self.utterance_texts.append(text.strip())
        self.last_utterance_text = " ".join(self.utterance_texts)
        self.partial_text = ""

    def utterance_done(self) -> None:
        super().utterance_done()
        if self.pending_finals == 0:
            self.partial_text = ""

    # --- content ---
    def _known_text(self, with_partial: bool) -> tuple[str, str]:
        text, last = self.answer_text, self.last_utterance_text
        if with_partial and self.partial_text:
            text = (text + " " + self.partial_text).strip()
            last = self.partial_text
        return text, last

    def content_class(self, with_partial: bool = False) -> str:
        text, last = self._known_text(with_partial)
        parts = [p for p in self.text_parts if p]
        if with_partial and self.partial_text:
            parts.append(self.partial_text)
        # The key covers everything the class depends on (a partial and a final can carry the same text).
        key = "\x00".join([text, last, *parts])
        if self._classified is None or self._classified[0] != key:
            if not text:
                kind = "empty"
            elif parts and all(detect_intent(p, self.config.intent_max_words) == "thinking" for p in parts):
                kind = "thinking_only"
            else:
                kind = classify_answer(text, last, self.config)
            self._classified = (key, kind)
        return self._classified[1]

    def intent(self) -> str | None:
        """``"repeat"`` or ``"thinking"`` for the latest utterance (its partial while it is being spoken)."""
        latest = self.partial_text if (self.speaking or self.pending_finals) and self.partial_text else None
        return detect_intent(latest if latest is not None else self.last_utterance_text, self.config.intent_max_words)

    def required_silence(self, with_partial: bool = False) -> int | None:
        """Silence after the last speech that ends the answer given the text so far (None: nothing to end)."""
        kind = self.content_class(with_partial)
        if kind == "empty":
            return None
        if kind == "thinking_only":
            return self.config.thinking_only_silence_ms
        if self.config.intent_reasons and detect_intent(self._known_text(with_partial)[1],
                                                        self.config.intent_max_words) == "repeat":
            return self.config.intent_silence_ms
        return required_silence_ms(kind, self.config)

    def candidate_done(self, now_ms: int) -> None:
        """The candidate says they have finished (the page's "I have finished" button): no silence is waited out;
        ``check`` ends the answer (``"candidate_done"``) once they are not speaking and the finals of what they said
        are in, or at once with ``"no_answer"`` if they said nothing (they skip the question)."""
        if self.done_at_ms is None:
            self.done_at_ms = now_ms

    # --- decisions ---
    def due_at(self) -> int | None:
        if self.speaking:
            return None
        if self.done_at_ms is not None:
            return self.done_at_ms
        if self.last_speech_end_ms is None:
            due = self.turn_started_ms + self.config.no_answer_timeout_ms
        else:
            waiting = self.pending_finals > 0
            silence = self.required_silence(with_partial=waiting)
            # nothing recognised yet: re-check when the final is due at the latest or the no-answer timeout
            if silence is None:
                silence = self.config.final_wait_max_ms if waiting else self.config.no_answer_timeout_ms
            due = self.last_speech_end_ms + silence
        if self.time_limit_ms is not None:
            due = min(due, self.turn_started_ms + self.time_limit_ms)
        return due

    def check(self, now_ms: int) -> str | None:
        if self.time_limit_ms is not None and now_ms - self.turn_started_ms >= self.time_limit_ms:
            if not self.speaking and self.pending_finals == 0:
                return "time_limit"
        if self.speaking:
            return None
        if self.last_speech_end_ms is None:
            if self.done_at_ms is not None and now_ms >= self.done_at_ms:
                # nothing said on this connection; after a rejoin the text said before still counts
                return self._ended_by_candidate(self.content_class())
            if now_ms - self.turn_started_ms >= self.config.no_answer_timeout_ms:
                return "no_answer"
            return None
        silence_ms = now_ms - self.last_speech_end_ms
        waiting = self.pending_finals > 0
        if waiting and silence_ms < self.config.final_wait_max_ms:
            return None
        if self.done_at_ms is not None and now_ms >= self.done_at_ms:
            kind = self.content_class(with_partial=waiting)
            if kind == "empty" and waiting and silence_ms < self.config.no_answer_timeout_ms:
                return None  # words were spoken but nothing is recognised yet (a busy recogniser): wait for them
            return self._ended_by_candidate(kind)
        kind = self.content_class(with_partial=waiting)
        required = self.required_silence(with_partial=waiting)
        if required is None or silence_ms < required:
            if kind == "empty" and now_ms - self.turn_started_ms >= self.config.no_answer_timeout_ms:
                return "no_answer"  # only noise/coughs since the question
            return None
        if kind == "thinking_only":
            return "no_answer"
        if self.config.intent_reasons and self.intent() == "repeat":
            return "repeat"
        self.end_class = kind
        return "silence"

    def _ended_by_candidate(self, kind: str) -> str:
        """``check``'s reason after "I have finished": no answer if nothing but noise or "let me think" was said."""
        if kind in ("empty", "thinking_only"):
            return "no_answer"
        self.end_class = "candidate_done"
        return "candidate_done"

    # --- barge-in ---
    def question_playing(self, started_ms: int | None, ended_ms: int | None = None) -> None:
        """The runtime is playing (TTS) the question from ``started_ms`` until ``ended_ms`` (None: still playing);
        ``started_ms=None`` clears it."""
        self.question_play = None if started_ms is None else (started_ms, ended_ms)

    def barge_in(self, now_ms: int, trailing_silence_ms: int = 0) -> bool:
        """True when the candidate is talking over the question being played, so the runtime should stop it:
        ``barge_in_min_speech_ms`` of speech up to now, or a partial with ``barge_in_min_words`` real words.
        ``trailing_silence_ms`` (the VAD's, since the last voiced frame) keeps the VAD's end hangover from counting
        as speech: a short "okay" followed by silence is not a barge-in."""
        if self.question_play is None or not self.speaking or self.speech_started_ms is None:
            return False
        start, end = self.question_play
        if now_ms < start or (end is not None and now_ms >= end):
            return False
        if trailing_silence_ms < BARGE_IN_MAX_GAP_MS and (
                now_ms - trailing_silence_ms - self.speech_started_ms >= self.config.barge_in_min_speech_ms):
            return True
        return _real_words(self.partial_text) >= self.config.barge_in_min_words


BARGE_IN_MAX_GAP_MS = 200
"""Speech that has been silent this long is not "talking over" the question now (see ``barge_in``)."""

_BACKCHANNEL = frozenset("ok okay yeah yes yep uh huh um hmm mm mhm right sure alright 嗯 哦 好 对 是 啊 呃 好的".split())


def _real_words(text: str) -> int:
    t = _norm(text)
    words = [w for w in _EN_WORD.findall(HAN_CHAR.sub(" ", t)) if w not in _BACKCHANNEL]
    cjk = [c for c in HAN_CHAR.findall(t) if c not in _BACKCHANNEL]
    return len(words) + len(cjk) // 2


__all__ = [
    "TurnTakingConfig",
    "SilenceAnswerEndDetector",
    "AnswerEndDetector",
    "classify_answer",
    "detect_intent",
    "asks_for_time",
    "ends_unfinished",
    "ends_complete",
    "listing_in_progress",
    "states_result",
    "required_silence_ms",
    "word_count",
]
