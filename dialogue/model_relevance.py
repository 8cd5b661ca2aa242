"""Does the answer answer this question, or tell a story about something else? The language model's judgement,
as a contrast rather than a verdict.

The rules' relevance (``analyzers/content.py``) compares embeddings, and an answer from the same field about
another kind of event (a cost-cutting project told to "a delivery that went wrong") is as close to the question as
an answer to it. A small model asked "does this answer the question?" says yes to nearly every fluent story, but
its *probability* of yes is informative: we ask the same yes/no question twice, once with the question asked and
once with a generic question about any work story (``GENERIC_QUESTION``, the contrast the rules use too), and call
the answer off-topic only when the generic question fits it clearly better: its odds of "yes" are at least
``OFF_TOPIC_ODDS`` times those of the real question. Each ask generates one token.

The prompt puts the answer first and the question last, so a call on a longer version of the same answer (asked
at each pause while the candidate speaks, then at the end) reuses the engine's cache for the words already seen,
and the second ask reuses the first one's cache for the whole answer: at the end of an answer only the last words
and a short question are new.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from analyzers.content import GENERIC_QUESTION
from analyzers.llm_client import LlmClient
from analyzers.text.language import is_chinese_code

OFF_TOPIC_ODDS = 2.0
"""How many times better the generic question must fit (odds of "yes") before the answer counts as being about
something else: twice the odds, a clear preference and not a flip of a near tie."""

_SYSTEM = {"en": "You check whether an interview answer answers the question that was asked.",
           "zh": "你判断面试回答是否回答了所提的问题。"}


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
    p_generic: float
    """Probability of "yes, it answers a generic question about any work story"."""
    model: str
    seconds: float

    @property
    def generic_odds_ratio(self) -> float:
        """How many times the generic question's odds exceed the real question's (above 1: fits it better)."""
        return math.exp(_log_odds(self.p_generic) - _log_odds(self.p_question))

    @property
    def off_topic(self) -> bool:
        return self.generic_odds_ratio >= OFF_TOPIC_ODDS


async def ask_model_relevance(client: LlmClient, question: str, language: str, answer: str, *,
                              timeout_s: float | None = None) -> ModelRelevance:
    """The contrast for ``answer``; raises ``LlmError`` (unavailable, timeout, no usable reply) for the caller to
    keep the rules' relevance. The two asks run one after the other so the second reuses the first's cache."""
    generic = GENERIC_QUESTION["zh" if is_chinese_code(language) else "en"]
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    asked = await client.yes_odds(relevance_messages(answer, question, language), timeout_s=timeout_s)
    left = None if timeout_s is None else max(0.1, timeout_s - (loop.time() - t0))
    control = await client.yes_odds(relevance_messages(answer, generic, language), timeout_s=left)
    return ModelRelevance(asked.value.p_yes, control.value.p_yes, asked.model, loop.time() - t0)
