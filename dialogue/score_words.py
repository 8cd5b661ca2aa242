"""What a score says to people, in the interview's language: one plain sentence per piece of evidence, per rung of
the anchored ladder and per doubt. No feature codes, cosines or weights: those stay in ``Evidence.feature`` and
``Evidence.effect`` for the record, and what a reviewer reads is ``Evidence.note`` and ``uncertain``."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["legacy_note", "legacy_stance", "model_scored", "reword", "say", "scored_by_words"]

MODEL_WITH_RULES = " + rules"
"""How ``CompetencyScore.scored_by`` names a score the language model took part in: "<model> + rules"."""


def model_scored(scored_by: str) -> bool:
    """The language model's judgement took part in the score ``scored_by`` names (else the rules alone)."""
    return scored_by.endswith(MODEL_WITH_RULES)


WORDS: dict[str, dict[str, str]] = {
    # evidence
    "no_answer": {"en": "No answer was transcribed for this question.", "zh": "这个问题没有转写到回答。"},
    "coverage:met": {"en": "Covers the expected point: {point}.", "zh": "涉及了要点：{point}。"},
    "coverage:partly": {"en": "Touches on the expected point: {point}.", "zh": "部分涉及了要点：{point}。"},
    "coverage:missing": {"en": "Does not seem to cover: {point} (the closest sentence is quoted).",
                         "zh": "似乎没有涉及：{point}（引用的是最接近的一句）。"},
    "star:situation": {"en": "Describes the situation.", "zh": "讲了当时的情境。"},
    "star:task": {"en": "States their own responsibility or goal.", "zh": "讲了本人的职责或目标。"},
    "star:action": {"en": "Describes what was done.", "zh": "讲了采取的行动。"},
    "star:result": {"en": "States an outcome.", "zh": "讲了结果。"},
    "quantified_result": {"en": "The outcome is measured.", "zh": "结果有可衡量的数字。"},
    "result_without_numbers": {"en": "An outcome is stated, but nothing in it is measured.",
                               "zh": "讲了结果，但没有可衡量的数字。"},
    "no_result": {"en": "No outcome of the example is stated.", "zh": "没有讲这个例子的结果。"},
    "specificity:concrete": {"en": "Tells a specific example with the actions taken.", "zh": "讲了具体的例子和采取的行动。"},
    "specificity:general": {"en": "Stays general; no specific example.", "zh": "停留在泛泛而谈，没有具体的例子。"},
    "unsupported_claim": {"en": "Claims a quality (\"{span}\") without an example that shows it; a claim alone adds "
                                "nothing.",
                          "zh": "只是自我评价（“{span}”），没有例子支撑；这类说法本身不加分。"},
    "relevance:on_topic": {"en": "Addresses the question.", "zh": "回答针对了问题。"},
    "relevance:partly": {"en": "Only partly addresses the question.", "zh": "只部分回答了问题。"},
    "relevance:off_topic": {"en": "Does not seem to address the question.", "zh": "似乎没有回答这个问题。"},
    "length": {"en": "{words} words (the question asks for at least {minimum}).",
               "zh": "约 {words} 个词（该问题至少需要 {minimum} 个）。"},
    "nonverbal": {"en": "The organisation weighs observable behaviour on video ({weight}); not emotions or personality.",
                  "zh": "机构为视频中可观察的行为设定了权重（{weight}）；不涉及情绪或性格。"},
    # the anchored ladder (what placed the score in its level)
    "anchor:off_topic": {"en": "The answer does not address the question, so it stays at level 1.",
                         "zh": "回答没有针对这个问题，因此停留在第 1 级。"},
    "anchor:no_answer": {"en": "A very short answer without an example stays at level 1.",
                         "zh": "回答很短，也没有具体例子，因此停留在第 1 级。"},
    "anchor:no_concrete_example": {"en": "Without a specific past situation the answer stays at level 2.",
                                   "zh": "没有讲到一次具体的亲身经历，因此停留在第 2 级。"},
    "anchor:too_short": {"en": "A one-line example without detail stays at level 2.",
                         "zh": "例子只是一两句带过，没有细节，因此停留在第 2 级。"},
    "anchor:team_only": {"en": "The example is told as \"we\" throughout; what the candidate did personally is not "
                               "clear, so it stays at level 3.",
                         "zh": "例子里一直在说“我们”，看不出候选人本人做了什么，因此停留在第 3 级。"},
    "anchor:no_result": {"en": "The outcome of the example is missing or vague, so it stays at level 3.",
                         "zh": "例子的结果缺失或含糊，因此停留在第 3 级。"},
    "anchor:no_quantified_result": {"en": "The outcome is stated but nothing in it is measured, so it stays at level 4.",
                                    "zh": "讲了结果，但没有可衡量的数字，因此停留在第 4 级。"},
    "anchor:quantified_result": {"en": "A specific situation, the candidate's own actions and a measured outcome: "
                                       "level 5.",
                                 "zh": "有具体情境、本人的行动和可衡量的结果：第 5 级。"},
    # doubts, for the reviewer
    "doubt:nonverbal": {"en": "Part of this score comes from observable behaviour on video, which says little about "
                              "the competency; a reviewer should weigh it carefully.",
                        "zh": "这个分数有一部分来自视频中可观察的行为，它与该能力关系不大，请复核人员谨慎看待。"},
    "doubt:no_transcript": {"en": "No answer was transcribed; the candidate may have answered without being heard "
                                  "(check the recording).",
                            "zh": "没有转写到回答；候选人可能回答了但没有被识别（请查看录音）。"},
    "doubt:short": {"en": "The answer is short ({words} words); there is little to judge from.",
                    "zh": "回答较短（约 {words} 个词），可供判断的内容不多。"},
    "doubt:partly_relevant": {"en": "It is not clear that the answer addresses the question.",
                              "zh": "不确定回答是否针对了这个问题。"},
    "doubt:off_topic": {"en": "The answer seems to be about something else than the question; the candidate may have "
                              "misunderstood it, or the transcript may be wrong.",
                        "zh": "回答似乎在讲别的事情；候选人可能误解了问题，也可能是转写有误。"},
    "doubt:no_points": {"en": "The question lists no expected points, so coverage could not be checked.",
                        "zh": "这个问题没有列出要点，因此无法检查要点覆盖情况。"},
    "doubt:hypothetical": {"en": "Story elements were found but the wording is general; the example may be "
                                 "hypothetical.",
                           "zh": "回答里有故事的成分，但措辞笼统，这个例子可能是假设的。"},
    "doubt:few_points": {"en": "A concrete example was given but it covers few of the expected points; it may be a "
                               "different kind of example than the question asked for.",
                         "zh": "有具体例子，但涉及的要点很少；可能和问题要的不是同一类例子。"},
    "doubt:points_without_relevance": {"en": "Expected points seem covered although overall relevance is weak.",
                                       "zh": "要点似乎都涉及了，但整体上和问题的关联不强。"},
    "doubt:numbers_not_result": {"en": "Numbers are mentioned, but not as part of the result; a reviewer may read "
                                       "them differently.",
                                 "zh": "回答里提到了数字，但不是结果的一部分；复核人员可能有不同理解。"},
    "doubt:partly_covered": {"en": "Only partly covered: {points}.", "zh": "只部分涉及：{points}。"},
    "doubt:missing_points": {"en": "Not found in the answer (it may have been said in other words): {points}.",
                             "zh": "回答中没有找到（也可能换了说法）：{points}。"},
    "doubt:model_off_topic": {"en": "The language model finds the answer fits another kind of question (\"{control}\") "
                                    "better than this one: it seems to tell a different kind of event.",
                              "zh": "语言模型认为这个回答更像在回答另一类问题（“{control}”），而不是这个问题：讲的似乎是另一类事情。"},
    # which path scored it
    "scored_by:rules": {"en": "Scored by the rules (no language model).", "zh": "由规则评分（未使用语言模型）。"},
    "scored_by:model": {"en": "Scored by the rules, with the language model ({model}) checking that the answer "
                              "addresses the question.",
                        "zh": "由规则评分，语言模型（{model}）核对了回答是否针对问题。"},
    "doubt:incoherent": {"en": "The answer jumps between topics; the transcript may be fragmented.",
                         "zh": "回答在不同话题间跳跃，转写可能不完整。"},
}


def say(key: str, lang: str, **values: object) -> str:
    """The sentence for ``key`` in ``lang`` (English when the language has none), with ``values`` filled in."""
    texts = WORDS[key]
    return (texts.get(lang) or texts["en"]).format(**values)


@lru_cache(maxsize=4)
def _patterns(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    """Each sentence of ``lang`` as a pattern that gives back its values (``{point}`` -> a named group)."""
    out = []
    for key, texts in WORDS.items():
        if lang not in texts:
            continue
        parts = re.split(r"\{(\w+)\}", texts[lang])
        pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        out.append((key, re.compile(pattern, re.DOTALL)))
    return out


def reword(text: str, said_in: str, lang: str) -> str:
    """A stored sentence of this module (said in ``said_in``, the interview's language) in ``lang``, its values (a
    point of the plan, the candidate's words, a number) kept as they are; any other text (a model's note, a
    reason stored before these sentences) unchanged. Scores keep what was said when they were made; a reader of
    another language reads the same sentence in theirs."""
    if not text or said_in == lang:
        return text
    for key, pattern in _patterns(said_in):
        found = pattern.fullmatch(text)
        if found:
            return say(key, lang, **found.groupdict())
    return text


def scored_by_words(scored_by: str, lang: str) -> str:
    """Which path scored an answer, in words: the rules alone, or the rules with the model's relevance check."""
    if model_scored(scored_by):
        return say("scored_by:model", lang, model=scored_by[: -len(MODEL_WITH_RULES)])
    return say("scored_by:rules", lang)


# --- evidence stored before notes and stances existed: words from the feature code, or nothing ---------------------

_ALWAYS_AGAINST = {"no_answer", "no_result", "result_without_numbers", "unsupported_claim"}
_FOR_FROM = {"specificity": 0.4, "relevance": 0.35}
"""The effect from which a stored ``specificity`` or ``relevance`` item was a point for the answer: concrete or
mixed specificity adds 0.48 or more, general or unclear at most 0.27; on-topic relevance adds 0.4 or more, partly
at most 0.27 (dialogue/scoring.py's weights, with and without expected points)."""


def legacy_stance(feature: str, effect: float) -> str:
    """The stance of a piece of evidence stored without one (see ``dialogue.scoring.STANCES``)."""
    kind = feature.split(":", 1)[0]
    if kind in ("cap", "anchor"):
        return "level"
    if feature in _ALWAYS_AGAINST:
        return "against"
    if feature in ("length", "nonverbal"):
        return "fact"
    if feature in _FOR_FROM:
        return "for" if effect >= _FOR_FROM[feature] else "against"
    if kind in ("star", "quantified_result"):
        return "for"
    return "for" if effect > 0 else "against"


def legacy_note(feature: str, stance: str, lang: str) -> str | None:
    """Words for a piece of evidence stored without a note, from its feature code and stance; None when the code
    cannot be said in words (a reader then sees nothing rather than the code)."""
    kind, _, rest = feature.partition(":")
    if kind in ("cap", "anchor") and f"anchor:{rest}" in WORDS:
        return say(f"anchor:{rest}", lang)
    if kind == "coverage" and rest:
        return say("coverage:met" if stance == "for" else "coverage:missing", lang, point=rest)
    if kind == "star" and feature in WORDS:
        return say(feature, lang)
    if feature in ("no_answer", "no_result", "result_without_numbers", "quantified_result"):
        return say(feature, lang)
    if feature == "specificity":
        return say("specificity:concrete" if stance == "for" else "specificity:general", lang)
    if feature == "relevance":
        return say("relevance:on_topic" if stance == "for" else "relevance:partly", lang)
    return None
