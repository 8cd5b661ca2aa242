"""How long the next move waits for the language model's judgement after an answer's end.

Waiting pays only when the reply comes within the wait. When the engine is shared by many interviews, or given
too little CPU, nearly every reply comes late. Each next question would then come the whole wait later for
nothing: the rules decide in the end anyway, and the late reply still refines the score
(server/live/score_refinement.py). So a node waits only while its recent replies came in time often enough.

Every reply is timed from its answer's end, late ones too, because they are still awaited for the score. Waiting
resumes by itself once the engine catches up. A reply that never came (an error, the call's own time budget spent)
counts as late; an ask withdrawn because the candidate went on counts as nothing.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from dialogue.answer_judgement import DECISION_WAIT_S

__all__ = ["DecisionWait"]


@dataclass
class DecisionWait:
    """One per process: the engine is shared by the interviews a node holds, so their replies' timing is shared."""

    wait_s: float = DECISION_WAIT_S
    """The wait while the model comes in time (``Settings.llm_decision_wait_s``)."""
    window: int = 8
    """How many of the newest replies are counted."""
    min_in_time_share: float = 0.25
    """Below this share of the newest replies in time, the next move does not wait (at a quarter, three next
    questions in four would come the whole wait later for no judgement)."""
    _in_time: deque[bool] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._in_time = deque(maxlen=max(1, self.window))

    def seconds(self) -> float:
        """The wait for the next move: ``wait_s``, or 0 while too few of the newest replies came in time (with
        fewer than half a window of replies timed, ``wait_s``)."""
        if len(self._in_time) * 2 < self._in_time.maxlen:
            return self.wait_s
        return self.wait_s if self._share() >= self.min_in_time_share else 0.0

    def observe(self, after_end_s: float, replied: bool) -> None:
        """A reply (``replied``) or a failed ask came ``after_end_s`` seconds after its answer's end."""
        self._in_time.append(replied and after_end_s <= self.wait_s)

    @property
    def in_time_share(self) -> float | None:
        """Share of the newest replies that came in time (None before any), for the health page and the load
        benchmark."""
        return round(self._share(), 2) if self._in_time else None

    def _share(self) -> float:
        return sum(self._in_time) / len(self._in_time)
