"""When is an answer over? All timing knobs and their defaults live here (one place to read and tune).

This first version ends an answer after a long enough silence once the candidate has said something and the
recogniser has delivered the text of every finished utterance. The content-aware detector (unfinished
sentences, "let me think", listing in progress) replaces ``AnswerEndDetector`` behind the same methods.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TurnTakingConfig:
    answer_end_silence_ms: int = 1800
    """Silence after the last speech that ends an answer (thinking pauses shorter than this are waited out)."""
    no_answer_timeout_ms: int = 60000
    """With no speech at all after a question, the turn ends after this long (the candidate may be stuck)."""


class AnswerEndDetector:
    """Pure decision logic on a millisecond clock; the runtime feeds events and asks ``due_at``/``check``."""

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
