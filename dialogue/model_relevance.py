"""Does the answer answer this question, or tell a story about something else? The language model's judgement,
as a contrast rather than a verdict.

The rules' relevance (``analyzers/content.py``) compares embeddings, and an answer from the same field about
another kind of event (a cost-cutting project told to "a delivery that went wrong") is as close to the question as
an answer to it. A small model asked "does this answer the question?" says yes to nearly every fluent story, but
its *probability* of yes is informative: we ask the same yes/no question about the question asked and about each
of a few fixed control questions, the standard kinds of behavioural-interview question, and call the answer
off-topic only when the best-fitting control fits it clearly better: its odds of "yes" are at least
``OFF_TOPIC_ODDS`` times those of the real question. Each ask generates one token.

The controls (``CONTROL_QUESTIONS``; chosen from general interviewing practice before any measurement, and not
to be changed to suit a data set) are the usual taxonomy's kinds:

1. an achievement or project you are proud of / 一个你引以为豪的成就或项目;
2. a disagreement or conflict with a colleague / 一次和同事意见不合或发生冲突;
3. a mistake you made or a time you failed / 一次你犯了错或失败;
4. a time you led a team / 一次你带领团队;
5. a difficult customer / 一次你应对难缠的客户;
6. learning something new quickly / 一次你需要很快学会新东西;
7. a tight deadline or working under pressure / 一次你在很紧的期限或压力下完成工作.

A control that is the same kind of question as the one asked (the real question asks about a conflict, or a
mistake) needs no special case: the contrast is against the real question, which is the more specific of the two,
so an answer to it fits it at least as well as the broader control, and a same-kind control cannot reach twice its
odds (checked on our own fixtures in en and zh, one of them in tests/test_llm_engine.py: for questions about a
disagreement, a mistake, an angry customer, learning quickly and leading a team, the same-kind control fitted an
answer to them at most about as well as the question did, never near twice the odds). A story about another kind of event fits some control (most work
stories are one of these kinds) much better than the question asked. Taking the best of several controls raises
the ratio of on-topic answers a little too (the 1.5B model says "yes" with 0.8-0.95 to most fluent stories), so
the rule stays at twice the odds, not lower.

The prompt puts the answer first and the question last, so every ask about the same answer reuses the engine's
cache for it (only the question and the instruction are new), and a call on a longer version of the same answer
(asked at each pause while the candidate speaks, then at the end) reuses it for the words already seen. At the end
of an answer only the real question is asked again: the controls' odds come from the last pause (what kind of event
a story tells rarely changes with its last sentence), so the next move waits for one ask; a pause costs one ask
per control more than before.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from analyzers.llm_client import LlmClient
from analyzers.text.language import is_chinese_code

OFF_TOPIC_ODDS = 2.0
"""How many times better the best control question must fit (odds of "yes") before the answer counts as being
about something else: twice the odds, a clear preference and not a flip of a near tie."""

CONTROL_QUESTIONS: dict[str, tuple[str, ...]] = {
    "en": ("Tell me about an achievement or a project you are proud of.",
           "Tell me about a disagreement or conflict with a colleague.",
           "Tell me about a mistake you made or a time you failed.",
           "Tell me about a time you led a team.",
           "Tell me about a time you dealt with a difficult customer.",
           "Tell me about a time you had to learn something new quickly.",
           "Tell me about a time you worked to a tight deadline or under pressure."),
    "zh": ("请讲一个你引以为豪的成就或项目。",
           "请讲一次你和同事意见不合或发生冲突的经历。",
           "请讲一次你犯了错或失败的经历。",
           "请讲一次你带领团队的经历。",
           "请讲一次你应对难缠客户的经历。",
           "请讲一次你需要很快学会新东西的经历。",
           "请讲一次你在很紧的期限或压力下完成工作的经历。"),
}
"""The fixed contrast set, in the same order in both languages (see the module docstring)."""

_SYSTEM = {"en": "You check whether an interview answer answers the question that was asked.",
           "zh": "你判断面试回答是否回答了所提的问题。"}


def control_questions(language: str) -> tuple[str, ...]:
    return CONTROL_QUESTIONS["zh" if is_chinese_code(language) else "en"]


def relevance_messages(answer: str, question: str, language: str) -> list[dict[str, str]]:
    """The yes/no question, answer first (a cached prefix as the answer grows), the question last."""
    if is_chinese_code(language):
        ask = (f"候选人的回答：\n{answer.strip()}\n\n问题：{question}\n"
               "这个回答讲的是这个问题所问的那类经历吗？只回答“是”或“否”。")
        return [{"role": "system", "content": _SYSTEM["zh"]}, {"role": "user", "content": ask}]
    ask = (f"Candidate's answer:\n{answer.strip()}\n\nQuestion: {question}\n"
           "Does the answer tell about the kind of situation this question asks about? Answer Yes or No.")
    return [{"role": "system", "content": _SYSTEM["en"]}, {"role": "user", "content": ask}]


def _log_odds(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class ModelRelevance:
    """The model's contrast for one answer."""

    p_question: float
    """Probability of "yes, it answers the question asked"."""
    p_controls: tuple[float, ...]
    """Probability of "yes" for each control question, in ``CONTROL_QUESTIONS`` order."""
    model: str
    seconds: float

    @property
    def best_control(self) -> int:
        """The index of the control question that fits the answer best."""
        return max(range(len(self.p_controls)), key=lambda i: self.p_controls[i])

    @property
    def control_odds_ratio(self) -> float:
        """How many times the best control's odds exceed the real question's (above 1: it fits better)."""
        if not self.p_controls:
            return 0.0
        return math.exp(_log_odds(self.p_controls[self.best_control]) - _log_odds(self.p_question))

    @property
    def off_topic(self) -> bool:
        return self.control_odds_ratio >= OFF_TOPIC_ODDS


async def ask_model_relevance(client: LlmClient, question: str, language: str, answer: str, *,
                              timeout_s: float | None = None,
                              known_controls: tuple[float, ...] | None = None) -> ModelRelevance:
    """The contrast for ``answer``; raises ``LlmError`` (unavailable, timeout, no usable reply) for the caller to
    keep the rules' relevance. The asks run one after the other so each reuses the cache of the answer.

    ``known_controls``: the controls' probabilities for this answer as heard at the last pause. At the answer's end
    they stand in for the control asks, so the next question waits for one ask, not one per control."""
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    asked = await client.yes_odds(relevance_messages(answer, question, language), timeout_s=timeout_s)
    p_controls = known_controls
    if p_controls is None:
        found = []
        for control in control_questions(language):
            left = None if timeout_s is None else max(0.1, timeout_s - (loop.time() - t0))
            found.append((await client.yes_odds(relevance_messages(answer, control, language),
                                                timeout_s=left)).value.p_yes)
        p_controls = tuple(found)
    return ModelRelevance(asked.value.p_yes, p_controls, asked.model, loop.time() - t0)
