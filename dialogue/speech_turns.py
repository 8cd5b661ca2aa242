"""Speech turns: one interview's speech recognition and end-of-answer decisions behind one small interface.

The runtime hands over audio frames and says when an answer begins; this component runs the streaming transcriber
(``analyzers.transcriber``) and the content-aware ``AnswerEndDetector`` and reports what happened as typed events
on the interview clock, through ``SpeechTurnHooks``. It is the one place that feeds and asks the detector:
recognition results go in as the transcriber delivers them, and ``due_at``/``check``/``barge_in`` run on every audio
frame, on the audio clock (see ``dialogue/turn_taking.py`` for the contract).

Between an end-of-answer decision and the next ``begin_answer`` (the runtime is evaluating the answer and choosing
the next question), and from a new connection until the answer reopened for it (``begin_answer(resumes=True)``),
speech is not fed to any detector: it is held and replayed into the detector of the answer that begins next, so
what the candidate says meanwhile counts for that answer.

An answer never ends while the candidate's utterance is open; one that must end although the VAD still hears them
(``AnswerEndDetector.cut_due``: "I have finished" or the time limit a bounded while ago, in a noisy room or a voice
that runs on) has that utterance cut by the transcriber: its end and words reach the detector as after a pause, and
what is heard after the cut is held for the next answer like speech after a decision.

An end decided on silence can be taken back: speech that starts within ``TurnTakingConfig.resume_grace_ms`` of the
decision (before or after the next ``begin_answer``) is offered to the runtime as ``SpeechResumed`` and held until
it answers: ``continue_answer`` reopens the ended answer's own detector (its words, its pauses: the pause that was
taken for the end now counts as one), ``release_speech`` hands the speech to the answer that begins or began next.
Hooks are called on the event loop and must not block.

Kept free of server concerns (no storage, bus, HTTP or WebRTC): frames in, typed events out, so it can be tested
and measured without a server.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass
from typing import Callable, Literal, Protocol

import numpy as np

from analyzers.asr import SpeechModel, Word
from analyzers.inference_pool import run_inference
from analyzers.speech_signal import final_pitch_change_st
from analyzers.transcriber import (
    StreamingTranscriber,
    TranscriberEvent,
    TranscriptUpdate,
    UtteranceDone,
    UtteranceEnded,
    UtteranceStarted,
)
from dialogue.turn_taking import AnswerEndDetector, TurnTakingConfig

log = logging.getLogger(__name__)

HELD_EVENTS_MAX = 512
"""Speech events held for the next answer at most (a few seconds of evaluation produce a handful)."""
TURN_AUDIO_KEEP_MS = 8400
"""Audio kept for the acoustic end-of-turn model: its 8-s window plus the silence read after the speech."""
TURN_SCORE_TAIL_MS = 200
"""Silence after the last voiced frame the acoustic model hears (it was trained on turns cut ~200 ms after the
speech, as Pipecat's VAD stop does)."""
RESUMABLE_REASONS = frozenset({"silence", "no_answer"})
"""Ends the system decided on a silence: speech right after them may continue the answer (``SpeechResumed``); not
after "I have finished" (a no_answer then means the candidate skipped the question)."""
SPEECH_START_REPORT_MS = 200
"""How long after speech really starts its ``SpeechStarted`` reaches the hooks at most (the VAD needs 3 voiced
frames of 5, then the transcriber's dispatcher): a runtime that waits out the grace window waits this much more."""
ONSET_HOLD_MAX_MS = 1000
"""A decision waits while the VAD hears voice (``hears_voice``): for as long as an utterance is open (its start reaches
the detector within ``SPEECH_START_REPORT_MS``), and at most this long for voiced frames that never make one (noise
that keeps one or two frames in every five voiced would otherwise hold a time limit or "I have finished" forever)."""
FinishState = Literal["now", "pause", "words"]
"""What "I have finished" leads to: the answer ends at once, at the candidate's next pause, or once their last words
are recognised."""


# --------------------------------------------------------------------------------------------------------------
# events (all times in interview ms: the connection's media clock anchored at its first audio frame)


@dataclass(frozen=True)
class SpeechStarted:
    at_ms: int


@dataclass(frozen=True)
class SpeechEnded:
    at_ms: int
    """The end of the last voiced frame (the VAD's back-dated end)."""


@dataclass(frozen=True)
class PartialTranscript:
    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class FinalTranscript:
    """One final segment (stripped, never empty); an utterance may have several (one per pause it was cut at)."""

    text: str
    start_ms: int
    end_ms: int
    words: tuple[Word, ...]
    engine: str
    connection_id: str


@dataclass(frozen=True)
class QuestionTalkedOver:
    """The candidate is talking over the question being played (once per answer): the page should stop it."""

    at_ms: int


@dataclass(frozen=True)
class AnswerEnded:
    """The detector decided the answer ``answer`` (the number ``begin_answer`` returned) is over."""

    answer: int
    reason: str
    """``AnswerEndDetector.check``'s reason: "silence", "candidate_done", "no_answer", "time_limit" or "repeat"."""
    last_speech_end_ms: int | None
    heard_text: str
    """The answer's text as the detector knows it (its finals)."""
    at_ms: int = 0
    """When the decision was made (the detector's clock)."""
    resumable: bool = False
    """Speech that starts within ``TurnTakingConfig.resume_grace_ms`` of ``at_ms`` will be offered back as a
    ``SpeechResumed`` (ends decided on silence; never "I have finished", a time limit or a repeat request)."""


@dataclass(frozen=True)
class SpeechResumed:
    """The candidate started speaking again ``after_end_ms`` after answer ``answer`` was decided over (within the
    grace window; negative when the speech had begun just before the decision). Their speech is held until the
    runtime says where it belongs: ``SpeechTurns.continue_answer`` (the same answer goes on) or ``release_speech``
    (it answers the question put since)."""

    answer: int
    at_ms: int
    after_end_ms: int


@dataclass(frozen=True)
class TurnScoreRequested:
    """The acoustic end-of-turn model was asked about the utterance that just ended (detector input only)."""


@dataclass(frozen=True)
class TurnScore:
    """The acoustic model's answer (detector input only): P(the candidate has finished) at the end of speech
    ``speech_end_ms`` (None if the model failed), and how the pitch moved at that end (semitones, negative:
    falling; None when too little was voiced)."""

    probability: float | None
    speech_end_ms: int
    pitch_change_st: float | None = None


@dataclass(frozen=True)
class RecognitionDone:
    """The recogniser delivered everything for one utterance (detector input only, never reported)."""


DetectorInput = (SpeechStarted | SpeechEnded | PartialTranscript | FinalTranscript | RecognitionDone
                 | TurnScoreRequested | TurnScore)


class EndOfTurnModel(Protocol):
    """An acoustic end-of-turn model (``analyzers.end_of_turn.SmartTurnModel``)."""

    def probability(self, pcm: np.ndarray) -> float:
        """P(the speaker has finished) after 16 kHz int16 ``pcm`` (its last seconds). Blocking."""
        ...


class SpeechTurnHooks(Protocol):
    """What the runtime hears from ``SpeechTurns``. Called on the event loop; implementations hand the event on
    (e.g. to a bounded queue) and return."""

    def on_speech_started(self, event: SpeechStarted) -> None: ...

    def on_speech_ended(self, event: SpeechEnded) -> None: ...

    def on_partial_transcript(self, event: PartialTranscript) -> None: ...

    def on_final_transcript(self, event: FinalTranscript) -> None: ...

    def on_question_talked_over(self, event: QuestionTalkedOver) -> None: ...

    def on_answer_ended(self, event: AnswerEnded) -> None: ...

    def on_speech_resumed(self, event: SpeechResumed) -> None:
        """Answer with ``continue_answer`` or ``release_speech``, here or later (the speech is held until then)."""
        ...


# --------------------------------------------------------------------------------------------------------------
# the component


@dataclass(frozen=True)
class _Ended:
    """An answer decided over on silence, while speech may still continue it."""

    answer: int
    detector: AnswerEndDetector
    at_ms: int


class _Listening:
    """One connection's recognition: its transcriber and where its media clock sits on the interview clock."""

    def __init__(self, connection_id: str, model: SpeechModel, language: str,
                 on_event: Callable[[_Listening, TranscriberEvent], None]) -> None:
        self.connection_id = connection_id
        self.transcriber = StreamingTranscriber(model, lambda event: on_event(self, event), language=language)
        self.base_ms = 0
        self.anchored = False
        self.last_media_ms = 0
        self.started = 0
        """The transcriber's number of the utterance that started last (the one the detector hears as open)."""


class SpeechTurns:
    """Construct inside the running event loop. ``clock``: interview ms now (wall clock)."""

    def __init__(self, model: SpeechModel, language: str, hooks: SpeechTurnHooks, config: TurnTakingConfig,
                 clock: Callable[[], int], *, end_of_turn: EndOfTurnModel | None = None,
                 on_detector_input: Callable[[DetectorInput], None] | None = None) -> None:
        """``end_of_turn``: the acoustic end-of-turn model, asked (on the inference pool) at the end of every
        utterance; None: the detector decides on silence and words alone (the server passes None while
        ``config.fusion`` gives the voice no weight; a benchmark may still record the scores, which the detector
        then does not wait for). ``on_detector_input``: called with every
        input as it is fed to the detector (a benchmark records them to replay the same recognition through
        detectors with other settings, see ``feed_detector``)."""
        self.model = model
        self.end_of_turn = end_of_turn
        self._turn_audio: deque[tuple[int, np.ndarray]] = deque(maxlen=TURN_AUDIO_KEEP_MS // 20)
        self._scoring: set[asyncio.Task] = set()
        self._on_detector_input = on_detector_input
        self.language = language
        self.config = config
        self._hooks = hooks
        self._clock = clock
        self._listening: _Listening | None = None
        self._detector: AnswerEndDetector | None = None
        self._answer = 0
        self._closing = False  # the answer-end decision is made; the next begin_answer opens the next answer
        self._resume_pending = False  # a new connection waits for the answer reopened for it
        self._talked_over = False
        self._held: deque[DetectorInput] = deque(maxlen=HELD_EVENTS_MAX)
        self._ended: _Ended | None = None  # the last end decided on silence, within its grace window
        self._offered: _Ended | None = None  # offered back (SpeechResumed): speech is held until the runtime answers
        self._cut: tuple[_Listening, int] | None = None  # the utterance cut to end the open answer (later ones of
        # that connection are held for the next answer)
        self.voice_held = False  # no decision on the newest frame: the candidate is making a sound (_holds_for_voice)
        self._onset_held_since: int | None = None

    # --- connections ---------------------------------------------------------------------------
    def attach(self, connection_id: str) -> None:
        """A new candidate connection: its audio is recognised from now on. Its speech is held for the answer the
        runtime reopens for it (``begin_answer(resumes=True)``)."""
        self._listening = _Listening(connection_id, self.model, self.language, self._on_recognition)
        self._resume_pending = True
        self._ended = self._offered = None
        self._cut = None  # the new transcriber numbers its utterances afresh

    async def detach(self) -> None:
        """The connection ended: finish its open utterance (its events still count) and stop its transcriber."""
        listening, self._listening = self._listening, None
        self._ended = None
        if listening is not None:
            await listening.transcriber.close()
        if self._scoring:
            await asyncio.gather(*self._scoring, return_exceptions=True)
        self._turn_audio.clear()

    # --- audio ---------------------------------------------------------------------------------
    def push_audio(self, pcm: np.ndarray, t_ms: int) -> int:
        """One 20 ms frame of the attached connection at its media time ``t_ms``; returns its interview time.
        Runs the detector's checks for that moment (barge-in, end of answer)."""
        listening = self._listening
        if listening is None:
            return self._clock()
        if not listening.anchored:  # anchor the media clock to interview time at the first audio frame
            listening.base_ms, listening.anchored = self._clock() - t_ms, True
        listening.last_media_ms = t_ms
        if self.end_of_turn is not None:
            self._turn_audio.append((t_ms, pcm))
        listening.transcriber.push(pcm, t_ms)
        now = listening.base_ms + t_ms
        self.voice_held = self._holds_for_voice(now, listening)
        self._check(now, listening)
        return now

    def _holds_for_voice(self, now: int, listening: _Listening) -> bool:
        """Whether no end may be decided on this frame: the VAD hears voice in the newest frames (speech that has
        just started again reaches the detector only once the VAD is sure of it, ``SPEECH_START_REPORT_MS``), within
        ``ONSET_HOLD_MAX_MS`` for voiced frames that make no utterance. An utterance cut to end the answer (steady
        noise that never pauses) holds nothing: its sound goes on by definition."""
        vad = listening.transcriber.vad
        if self._cut is not None or not vad.hears_voice or vad.in_speech:
            self._onset_held_since = None
            return self._cut is None and vad.in_speech
        if self._onset_held_since is None:
            self._onset_held_since = now
        return now - self._onset_held_since < ONSET_HOLD_MAX_MS

    def recognition_idle(self) -> bool:
        """The recogniser has nothing running or queued and every result is delivered (``StreamingTranscriber.idle``),
        and no acoustic end-of-turn score is being computed; True with no connection."""
        return not self._scoring and (self._listening is None or self._listening.transcriber.idle)

    def now_ms(self) -> int:
        """Now on the detector's clock: the newest audio frame's time while audio flows, else the wall clock. The
        audio clock counts samples, so it can fall behind the wall clock after lost packets; comparing detector
        times with it keeps decisions and measurements consistent."""
        listening = self._listening
        if listening is not None and listening.anchored:
            return listening.base_ms + listening.last_media_ms
        return self._clock()

    @property
    def speaking(self) -> bool:
        """The open answer's detector hears the candidate speaking (an utterance has started and not ended)."""
        return self._detector is not None and not self._holding() and self._detector.speaking

    # --- answers -------------------------------------------------------------------------------
    def begin_answer(self, started_ms: int, time_limit_ms: int | None, *, keep_text: bool = False,
                     resumes: bool = False, question: str = "") -> int:
        """A question was put: a fresh detector for its answer; returns the answer's number (``AnswerEnded.answer``).
        ``keep_text``: the same answer continues (a rejoin), what was already said still counts. ``resumes``: this is
        the answer reopened for the connection attached last; the speech held since then is replayed into it.
        ``question``: the question's text (the detector's context for the answer)."""
        detector = open_detector(self.config, started_ms, time_limit_ms, self._detector, keep_text, question)
        self._detector = detector
        self._answer += 1
        self._closing = False
        self._talked_over = False
        self._cut = None
        if resumes:
            self._resume_pending = False
        self._flush_held()
        return self._answer

    def continue_answer(self, answer: int) -> int | None:
        """The answer to ``SpeechResumed(answer)``: the speech continues that answer. Its own detector is reopened
        (with everything said and the pauses made so far, the one taken for the end included) and the held speech
        is fed to it; a detector opened since by ``begin_answer`` is dropped. Returns the continued answer's new
        number (``AnswerEnded.answer`` when it ends), or None when ``answer`` was not offered back."""
        offered = self._offered
        if offered is None or offered.answer != answer:
            return None
        self._offered = None
        self._detector = offered.detector
        self._answer += 1
        self._closing = False
        self._talked_over = False
        self._cut = None
        self._flush_held()
        return self._answer

    def release_speech(self) -> None:
        """The answer to ``SpeechResumed``: the speech is not a continuation; it goes to the answer that begins (or
        began) next, as any speech after a decision does."""
        self._offered = None
        self._flush_held()

    def question_playback(self, playing: bool) -> None:
        """The page started (``playing``) or finished speaking the current question."""
        detector = self._detector
        if detector is None:
            return
        now = self._clock()
        if playing:
            detector.question_playing(now)
        elif detector.question_play is not None:
            detector.question_playing(detector.question_play[0], now)

    def candidate_done(self) -> FinishState | None:
        """The candidate pressed "I have finished": the answer ends without waiting out a silence (see
        ``AnswerEndDetector.candidate_done``). Says when: ``"now"``, at their next ``"pause"`` (they are still
        speaking), or once their last ``"words"`` are recognised; None when no answer is open."""
        detector = self._detector
        if detector is None or self._holding():
            return None
        detector.candidate_done(self.now_ms())
        if detector.speaking:
            return "pause"
        return "words" if detector.pending_finals else "now"

    # --- internals -----------------------------------------------------------------------------
    def _holding(self) -> bool:
        return self._detector is None or self._closing or self._resume_pending or self._offered is not None

    def _flush_held(self) -> None:
        if not self._holding():
            while self._held:
                self._feed(self._held.popleft())

    def _offer_back(self, at_ms: int) -> None:
        """Speech starts at ``at_ms``: within the grace window of an end decided on silence, it is offered back to
        the runtime (once per end) and held until it answers."""
        ended, self._ended = self._ended, None
        if ended is None or at_ms - ended.at_ms > self.config.resume_grace_ms:
            return
        self._offered = ended
        self._hooks.on_speech_resumed(SpeechResumed(ended.answer, at_ms, at_ms - ended.at_ms))

    def _check(self, now: int, listening: _Listening) -> None:
        detector = self._detector
        if detector is None or self._holding():
            return
        trailing_silence_ms = listening.transcriber.vad.trailing_silence_ms
        if detector.question_play is not None and not self._talked_over and detector.barge_in(now, trailing_silence_ms):
            self._talked_over = True
            self._hooks.on_question_talked_over(QuestionTalkedOver(now))
        if self._cut is None and detector.cut_due(now):
            # the answer must end but its utterance goes on (noise that never pauses): end it here; what is heard
            # from now on belongs to the next answer
            self._cut = (listening, listening.started)
            listening.transcriber.cut(listening.started)
        due = detector.due_at()
        if due is not None and now >= due and not self.voice_held:  # never while the candidate makes a sound
            reason = detector.check(now)
            if reason:
                self._closing = True
                # "I have finished" is never taken back, also when nothing was said (its reason is then no_answer)
                resumable = (reason in RESUMABLE_REASONS and detector.done_at_ms is None
                             and self.config.resume_grace_ms > 0)
                self._ended = _Ended(self._answer, detector, now) if resumable else None
                self._hooks.on_answer_ended(AnswerEnded(self._answer, reason, detector.last_speech_end_ms,
                                                        detector.answer_text, now, resumable))

    def _on_recognition(self, listening: _Listening, event: TranscriberEvent) -> None:
        """A transcriber event (connection media clock): reported to the runtime, then fed to the detector."""
        base = listening.base_ms
        item: DetectorInput
        if isinstance(event, UtteranceStarted):
            listening.started = event.utterance
            item = SpeechStarted(base + event.t_ms)
            if listening is self._listening:
                self._offer_back(item.at_ms)
            self._hooks.on_speech_started(item)
        elif isinstance(event, UtteranceEnded):
            item = SpeechEnded(base + event.t_ms)
            self._hooks.on_speech_ended(item)
            if self.end_of_turn is not None and listening is self._listening:
                self._deliver(item, listening, event.utterance)
                item = TurnScoreRequested()
                self._score_turn(listening, event.t_ms, base + event.t_ms, event.utterance)
        elif isinstance(event, TranscriptUpdate) and not event.transcript.is_final:
            t = event.transcript
            item = PartialTranscript(t.text, base + t.start_ms, base + t.end_ms)
            if t.text.strip():
                self._hooks.on_partial_transcript(item)
        elif isinstance(event, TranscriptUpdate):
            t = event.transcript
            text = t.text.strip()
            if not text:
                return
            words = tuple(Word(w.text, base + w.start_ms, base + w.end_ms, w.confidence) for w in t.words)
            item = FinalTranscript(text, base + t.start_ms, base + t.end_ms, words, t.engine,
                                   listening.connection_id)
            self._hooks.on_final_transcript(item)
        elif isinstance(event, UtteranceDone):
            item = RecognitionDone()
        else:
            return
        self._deliver(item, listening, event.utterance)

    def _deliver(self, item: DetectorInput, listening: _Listening, utterance: int) -> None:
        """Feed ``item`` (of ``listening``'s ``utterance``) to the open answer's detector, or hold it for the next
        answer: while no answer is open, and for utterances after the one cut to end the open answer."""
        cut = self._cut
        if self._holding() or (cut is not None and cut[0] is listening and utterance > cut[1]):
            self._held.append(item)
        else:
            self._feed(item)

    def _score_turn(self, listening: _Listening, media_end_ms: int, speech_end_ms: int, utterance: int) -> None:
        """Ask the acoustic model, on the inference pool, whether the speech that ended at ``media_end_ms`` is the end
        of the turn (the last 8 s of audio up to ``TURN_SCORE_TAIL_MS`` after it); the answer is fed as a
        ``TurnScore``."""
        cut = media_end_ms + TURN_SCORE_TAIL_MS
        frames = [f for t, f in self._turn_audio if t < cut]
        pcm = np.concatenate(frames) if frames else np.zeros(0, np.int16)

        async def score() -> None:
            probability, pitch = None, None
            try:
                probability, pitch = await run_inference(_score_turn_audio, self.end_of_turn, pcm)
            except Exception:  # the detector then decides on silence and words
                log.exception("end-of-turn model failed")
            self._deliver(TurnScore(probability, speech_end_ms, pitch), listening, utterance)

        task = asyncio.get_running_loop().create_task(score())
        self._scoring.add(task)
        task.add_done_callback(self._scoring.discard)

    def _feed(self, item: DetectorInput) -> None:
        detector = self._detector
        if detector is not None:
            if self._on_detector_input is not None:
                self._on_detector_input(item)
            feed_detector(detector, item)


def _score_turn_audio(model: EndOfTurnModel, pcm: np.ndarray) -> tuple[float, float | None]:
    """The acoustic model's P(finished) and the pitch movement at the end of ``pcm`` (blocking: inference pool)."""
    return float(model.probability(pcm)), final_pitch_change_st(pcm)


def open_detector(config: TurnTakingConfig, started_ms: int, time_limit_ms: int | None,
                  previous: AnswerEndDetector | None, keep_text: bool, question: str) -> AnswerEndDetector:
    """The detector for the next answer: it keeps the candidate's pauses in this interview so far; with
    ``keep_text`` (the same answer continues) also the answer's words and where its speech last ended."""
    detector = AnswerEndDetector(config, started_ms, time_limit_ms, question=question)
    if previous is not None:
        detector.pauses_ms = list(previous.pauses_ms)
        if keep_text:
            detector.text_parts = list(previous.text_parts)
            detector.prior_speech_end_ms = previous.last_speech_end_ms
    return detector


def feed_detector(detector: AnswerEndDetector, item: DetectorInput) -> None:
    """Hand one recognition event to the detector (the one mapping from events to detector calls; a replay of a
    recorded event trace uses it too)."""
    match item:
        case SpeechStarted(at_ms=at_ms):
            detector.speech_started(at_ms)
        case SpeechEnded(at_ms=at_ms):
            detector.speech_ended(at_ms)
        case PartialTranscript(text=text):
            detector.partial_received(text)
        case FinalTranscript(text=text):
            detector.final_received(text)
        case RecognitionDone():
            detector.utterance_done()
        case TurnScoreRequested():
            detector.turn_score_requested()
        case TurnScore(probability=probability, speech_end_ms=speech_end_ms, pitch_change_st=pitch):
            detector.turn_scored(probability, speech_end_ms, pitch)
