"""Replay one recorded answer through the live speech path on its audio clock, and the recorded recognition through
detectors with other settings.

``replay_live`` runs ``dialogue.speech_turns.SpeechTurns`` (the real VAD, the real ``StreamingTranscriber`` with
the server's speech model on the inference pool, the real ``AnswerEndDetector``) on a WAV's 20 ms frames. The clock
is the audio's: frame ``t`` is pushed at ``t`` ms. Time runs ahead of the wall clock only while the recogniser is
idle (``SpeechTurns.recognition_idle``: nothing running, queued or undelivered); while it works, frames are pushed
no faster than real time, so a transcript comes back at the audio time it would in a live interview on this
machine (decode time included). A 20-minute corpus takes as long as its recognition does, not 20 minutes.

After each decision the same answer continues (``begin_answer(keep_text=True)``): a wrong decision in a pause does
not stop the replay, so every pause is judged, as the scorer expects (every decision before the true end is a
cut-in).

Every detector input is recorded with the audio time it was fed at, so ``replay_trace`` can re-run the detector
alone (it is pure logic on that clock) with other settings; at the live settings it reproduces the live decisions,
which the benchmark checks.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import numpy as np

from analyzers.asr import SpeechModel
from analyzers.vad import FRAME_MS, FRAME_SAMPLES
from dialogue.speech_turns import (
    AnswerEnded,
    DetectorInput,
    EndOfTurnModel,
    FinalTranscript,
    SpeechTurns,
    feed_detector,
    open_detector,
)
from dialogue.turn_taking import TurnTakingConfig

PACE_SLEEP_S = 0.004
"""How often a paced replay looks at the wall clock while the recogniser works."""


@dataclass
class Decision:
    t_ms: int
    """When the decision was made: the end of the frame it was made on (that frame has fully arrived)."""
    reason: str
    end_class: str | None = None


@dataclass
class LiveReplay:
    decisions: list[Decision]
    trace: list[tuple[int, DetectorInput]]
    """(audio ms when it was fed, input) for every detector input."""
    finals: list[str]
    duration_ms: int
    wall_s: float
    inference_s: float
    voiced_ms: frozenset[int] = frozenset()
    """Frames (audio ms) on which ``SpeechTurns`` held any decision because the VAD heard voice (``voice_held``).
    Replays recorded before it existed have none, so they replay without that hold."""


@dataclass
class _Hooks:
    """``SpeechTurnHooks`` that keep the decisions and the final texts."""

    turns: SpeechTurns | None = None
    decisions: list[Decision] = field(default_factory=list)
    finals: list[str] = field(default_factory=list)
    ended: bool = False

    def on_speech_started(self, event) -> None: ...

    def on_speech_ended(self, event) -> None: ...

    def on_partial_transcript(self, event) -> None: ...

    def on_question_talked_over(self, event) -> None: ...

    def on_speech_resumed(self, event) -> None:
        """Each decision is judged as made (a pause cut into stays a cut-in); the same answer goes on anyway."""
        if self.turns is not None:
            self.turns.release_speech()

    def on_final_transcript(self, event: FinalTranscript) -> None:
        self.finals.append(event.text)

    def on_answer_ended(self, event: AnswerEnded) -> None:
        detector = self.turns._detector if self.turns else None  # noqa: SLF001 - only for the decision's class
        self.decisions.append(Decision(self.turns.now_ms() + FRAME_MS, event.reason,
                                       getattr(detector, "end_class", None)))
        self.ended = True


async def replay_live(pcm: np.ndarray, model: SpeechModel, language: str, config: TurnTakingConfig,
                      question: str = "", end_of_turn: EndOfTurnModel | None = None) -> LiveReplay:
    """Replay 16 kHz mono int16 ``pcm`` through ``SpeechTurns`` as the live interview feeds it (see the module
    docstring). Run inside an event loop; one answer at a time per call."""
    now_ms = 0
    trace: list[tuple[int, DetectorInput]] = []
    hooks = _Hooks()
    turns = SpeechTurns(model, language, hooks, config, clock=lambda: now_ms, end_of_turn=end_of_turn,
                        on_detector_input=lambda item: trace.append((now_ms, item)))
    hooks.turns = turns
    turns.attach("replay")
    turns.begin_answer(0, None, resumes=True, question=question)
    transcriber = turns._listening.transcriber  # noqa: SLF001 - stats and the VAD's state only
    voiced: set[int] = set()
    n = pcm.size // FRAME_SAMPLES
    wall0 = time.perf_counter()
    anchor_wall, anchor_ms = wall0, 0
    for i in range(n):
        t = i * FRAME_MS
        while True:  # the audio clock may run ahead of the wall clock only while recognition is idle
            wall = time.perf_counter()
            if turns.recognition_idle():
                anchor_wall, anchor_ms = wall, t
                break
            due = anchor_wall + (t - anchor_ms) / 1000
            if wall >= due:
                break
            await asyncio.sleep(min(PACE_SLEEP_S, due - wall))
        now_ms = t
        turns.push_audio(pcm[i * FRAME_SAMPLES:(i + 1) * FRAME_SAMPLES], t)
        if turns.voice_held:
            voiced.add(t)
        if hooks.ended:  # the candidate goes on: the same answer continues, what was said still counts
            hooks.ended = False
            turns.begin_answer(t, None, keep_text=True, question=question)
        await asyncio.sleep(0)
    now_ms = n * FRAME_MS
    stats = transcriber.stats
    await turns.detach()
    return LiveReplay(hooks.decisions, trace, hooks.finals, n * FRAME_MS, time.perf_counter() - wall0,
                      stats.inference_s, frozenset(voiced))


def replay_trace(trace: list[tuple[int, DetectorInput]], duration_ms: int, config: TurnTakingConfig,
                 question: str = "", voiced_ms: frozenset[int] = frozenset()) -> list[Decision]:
    """The decisions a detector with ``config`` makes on a recorded trace, called as ``SpeechTurns`` calls it: on
    each frame ``t`` the inputs fed after the previous frame, then ``due_at``/``check`` at ``t`` unless the VAD
    heard voice there (``voiced_ms``); after a decision the same answer continues, as in ``replay_live``."""
    detector = open_detector(config, 0, None, None, False, question)
    decisions: list[Decision] = []
    k = 0
    for t in range(0, duration_ms, FRAME_MS):
        while k < len(trace) and trace[k][0] < t:
            feed_detector(detector, trace[k][1])
            k += 1
        due = detector.due_at()
        if due is not None and t >= due and t not in voiced_ms:
            reason = detector.check(t)
            if reason:
                decisions.append(Decision(t + FRAME_MS, reason, detector.end_class))
                detector = open_detector(config, t, None, detector, True, question)
    return decisions
