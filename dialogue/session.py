"""The interview session state machine: which question comes next, and when the interview ends.

Follow-ups are decided by ``dialogue.followup`` (its policy sees the answer's content); the session only puts a
chosen follow-up (``follow_up``) or moves on to the next planned question (``next_question``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from analyzers.text.language import normalise_language

STATUSES = ("created", "consented", "live", "finished", "failed")
_ALLOWED = {
    "created": {"consented", "failed"},
    "consented": {"consented", "live", "failed"},
    "live": {"live", "finished", "failed"},
    "finished": set(),
    "failed": set(),
}


class InvalidTransition(Exception):
    pass


def check_transition(current: str, new: str) -> None:
    if new not in _ALLOWED.get(current, set()):
        raise InvalidTransition(f"interview cannot go from {current} to {new}")


@dataclass(frozen=True)
class PlanQuestion:
    id: str | None
    text: str
    competency: str = ""
    time_limit_s: int = 180
    expected_points: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prompt:
    """Something the interviewer says: a planned question, a follow-up, the closing words, or the optional practice
    question before the first one (``practice_prompt``)."""

    kind: Literal["question", "followup", "closing", "practice"]
    text: str
    question_index: int
    question_id: str | None = None
    time_limit_s: int | None = None
    trigger: str = ""
    reason: str = ""


CLOSING = {
    "en": "Thank you, that was the last question. The interview is finished; you may close this page.",
    "zh": "谢谢，这是最后一个问题。面试已经结束，您可以关闭此页面。",
}
DISCLOSURE = {
    "en": "Hello, I am an AI interviewer. I will ask you a few questions; a person at the company reviews the "
    "results, and you can ask for a human review at any time.",
    "zh": "您好，我是 AI 面试官。我会问您几个问题；公司的工作人员会审阅结果，您可以随时要求人工复核。",
}

# The optional practice question: a neutral one any candidate can answer, to try the microphone, the camera and the
# turn-taking before the interview. Its answer is not scored and not kept; it is no planned question
# (question_index -1) and never moves the session.
PRACTICE_TIME_LIMIT_S = 60
PRACTICE = {
    "en": "What do you like to do on a free weekend?",
    "zh": "周末有空的时候，您喜欢做些什么？",
}
PRACTICE_INTRO = {
    "en": "Let us start with a practice question. It is not scored and nothing of it is kept.",
    "zh": "我们先做一道练习题。练习题不评分，也不会保存任何内容。",
}
PRACTICE_OVER = {
    "en": "Thank you, that was the practice. Now the interview begins.",
    "zh": "谢谢，练习结束了。现在正式开始面试。",
}


def practice_prompt(language: str) -> Prompt:
    lang = normalise_language(language)
    return Prompt("practice", PRACTICE.get(lang, PRACTICE["en"]), -1, None, PRACTICE_TIME_LIMIT_S)


class InterviewSession:
    def __init__(
        self,
        questions: list[PlanQuestion],
        language: str = "en",
        question_index: int = 0,
        turn_count: int = 0,
    ):
        if not questions:
            raise ValueError("an interview plan needs at least one question")
        self.questions = questions
        self.language = normalise_language(language)
        self.question_index = question_index
        self.turn_count = turn_count
        self.current: Prompt | None = None
        self.finished = False

    @property
    def questions_total(self) -> int:
        return len(self.questions)

    def _question_prompt(self, index: int) -> Prompt:
        q = self.questions[index]
        return Prompt("question", q.text, index, q.id, q.time_limit_s)

    def resume(self, current_turn: Prompt | None) -> Prompt:
        """The prompt to put (again) to a candidate who (re)joins."""
        if current_turn is not None:
            self.current = current_turn
            return current_turn
        if self.question_index >= len(self.questions):
            self.finished = True
            self.current = Prompt("closing", CLOSING[self.language], self.question_index)
            return self.current
        self.current = self._question_prompt(self.question_index)
        return self.current

    def follow_up(self, prompt: Prompt) -> Prompt:
        """Put a follow-up (or clarification) to the current question instead of moving on."""
        self.current = prompt
        return prompt

    def next_question(self) -> Prompt:
        """Move on: the next planned question, or the closing after the last one."""
        self.question_index += 1
        if self.question_index >= len(self.questions):
            self.finished = True
            self.current = Prompt("closing", CLOSING[self.language], self.question_index)
        else:
            self.current = self._question_prompt(self.question_index)
        return self.current
