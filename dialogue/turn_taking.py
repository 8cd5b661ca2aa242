"""When is an answer over? All timing knobs and their defaults live here (one place to read and tune).

What the words say (a request for time, an unfinished clause, a stated result) is read by
``dialogue/answer_cues.py``; this module turns it into the silence an answer needs. Two detectors share one event
interface (explicit media-clock milliseconds, no sleeps, no I/O):

* ``SilenceAnswerEndDetector`` - the first version: the answer ends after ``answer_end_silence_ms`` of silence once
  the candidate has said something and the recogniser has delivered the text of every finished utterance.
* ``AnswerEndDetector`` - the runtime's default: the answer ends at the first moment the fusion of its signals
  (``dialogue/end_fusion.py``: the words' class from ``classify_answer``, a closing phrase, the acoustic end-of-turn
  score and pitch at the end of the speech, the candidate's longest earlier pause) with the silence so far gives
  P(end) above the threshold ``answer_end_silence_ms`` stands for (``end_silence_ms``). "Let me think" alone waits
  ``thinking_only_silence_ms``. Short utterances are also checked for intents: "could you repeat the question" ->
  ``"repeat"``, "let me think" -> ``"thinking"`` (see ``intent()``). ``barge_in(now)`` says whether the candidate has
  started talking over a question being played.

Timing facts these defaults were chosen against (``benchmarks/turn_taking_generated.py`` measures them on generated
answers, ``benchmarks/turn_taking.py`` through the live transcriber on any labelled corpus): the VAD
(``analyzers/vad.py``) reports a pause after 200 ms of silence and the end of an utterance after 500 ms, both
back-dated to the last voiced frame; the recogniser decodes speculatively at the pause, so the final is in about
200 ms + one Whisper tiny.en decode (~0.5-0.7 s on one core here) after the end of speech. No decision that waits for
the final can come earlier than that; every silence below it is in practice "as soon as the final text is in".

Runtime contract (``dialogue/speech_turns.py`` is the one caller): on every 20 ms audio chunk, if ``due_at()`` is not
None, the chunk time has reached it and the VAD hears no voice in the newest frames (``hears_voice``: speech that
has just started again is reported a few frames late; voiced frames that open no utterance hold it at most
``ONSET_HOLD_MAX_MS``, and an utterance cut to end the answer not at all), call ``check(now)``; a non-None reason
ends the answer. ``speech_started``/
``speech_ended`` come from the VAD, ``final_received`` per final transcript, ``utterance_done`` when the recogniser
is finished with an utterance. ``partial_received`` is optional (intents and barge-in get earlier with it). While
an utterance is open no answer ends, so an utterance that never ends (a noisy room: the VAD hears speech that never
pauses) is cut by the runtime once ``cut_due(now)`` (``finish_max_wait_ms`` after "I have finished", or
``time_limit_grace_ms`` after the time limit): it ends the utterance there, and its end and words come as after a pause.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzers.text.script import HAN_CHAR
from dialogue.answer_cues import (
    CLOSING_EN,
    CLOSING_ZH,
    EN_WORD,
    TERMINAL,
    asks_for_time,
    contains_phrase,
    detect_intent,
    ends_complete,
    ends_unfinished,
    listing_in_progress,
    normalised,
    sentences_of,
    states_result,
    word_count,
)
from dialogue.end_fusion import DEFAULT_FUSION, EndSignals, FusionWeights, silence_needed_ms

# --------------------------------------------------------------------------------------------------------------
# configuration


@dataclass(frozen=True)
class TurnTakingConfig:
    """Every turn-taking knob. Silences are measured from the end of the last voiced frame (the VAD's back-dated
    end), never from when the VAD or the recogniser reported it; a decision also always waits for the final text of
    every finished utterance (or ``final_wait_max_ms``)."""

    answer_end_silence_ms: int = 3400
    """The neutral silence: how long an answer whose signals give no cue either way waits for its end (the fusion's
    operating point, ``dialogue/end_fusion.py``; ``SilenceAnswerEndDetector`` uses it for everything). Each signal
    moves an answer's silence from it; the trade-off curve of ``benchmarks/turn_taking.py`` sweeps it. 3400 is the
    shortest that cuts at most 3 % of the dev set's thinking pauses (0.6-3.5 s, eight of them 3 s or longer) in each
    language; no signal measured there tells a long pause from an end well enough to go shorter. For the product's
    range of thinking pauses alone (0.8-2.5 s) the same rule gives 2950."""
    no_answer_timeout_ms: int = 60000
    """With no speech at all after a question, the turn ends after this long (the candidate may be stuck)."""

    # --- the fusion of the signals (AnswerEndDetector only; dialogue/end_fusion.py) ---
    fusion: FusionWeights = field(default_factory=lambda: DEFAULT_FUSION)
    """The fitted logistic combination of the words' class, a closing phrase, Smart Turn, the pitch at the end and the
    candidate's longest earlier pause with the silence so far: P(end | signals, silence). The answer ends at the first
    moment P reaches the threshold that ``answer_end_silence_ms`` stands for (``end_silence_ms``); the weights and
    the evidence for each are with ``DEFAULT_FUSION``."""
    min_end_silence_ms: int = 600
    """No silence shorter than this ends an answer, whatever the signals say: a speaker's breath between two sentences
    is 0.3-0.5 s (the VAD ends an utterance after 500 ms), and the final transcript is rarely in sooner anyway (VAD
    pause probe 200 ms + one Whisper decode)."""
    max_end_silence_ms: int = 8000
    """...and no answer waits longer than this for its end once something was said (the thinking-only rule aside)."""
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

    # --- acoustic end-of-turn model and pause history ---
    pause_min_ms: int = 600
    """A silence the candidate speaks on after counts as a pause of theirs from this long (the VAD ends an utterance
    after 500 ms; a voice's own gaps between sentences stay under ~0.5 s)."""
    turn_score_wait_max_ms: int = 2000
    """Decisions wait for the acoustic model's score of the newest speech at most this long after it ended."""
    # --- an end taken back ---
    resume_grace_ms: int = 1000
    """Speech that starts this long or less after an answer was decided over on silence continues that answer: its
    words join the same transcript and score, and the question chosen meanwhile is taken back unless the page has
    already finished speaking it (``dialogue/speech_turns.py`` offers the speech back, the runtime decides). 0 turns
    it off. 1 s is the product's requirement: someone who speaks again that soon was still on their answer (a
    question put at the decision has barely begun to play), and the next question is not held back for the window,
    so it costs no latency. Ends after "I have finished", a time limit or a repeat request are never taken back."""

    # --- an answer that must end while the candidate is still heard ---
    finish_max_wait_ms: int = 4000
    """After "I have finished" the answer ends at the candidate's next pause (the end of their utterance), or this long
    after the press while the VAD still hears them (a fan, traffic or a TV never pauses; nor does a voice that runs
    on): the runtime then cuts the utterance there (``cut_due``), its words are recognised and kept, and the answer
    ends as after a pause. 4 s is longer than the sentence a candidate finishes after pressing, short enough that
    nobody wonders whether the press counted."""
    time_limit_grace_ms: int = 5000
    """When the question's time runs out while the candidate is speaking, the answer ends at their next pause, or
    this long after the time ran out at the latest (the utterance cut as above): time to finish a sentence, never an
    answer that outlives its time limit by more."""

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
    unpunctuated = not any(c in TERMINAL for c in text)
    if (ends_complete(text) or unpunctuated) and word_count(text) >= config.substantial_words:
        if unpunctuated:
            last = last_utterance.strip() or text
            sentences = [text[: len(text) - len(last)] if text.endswith(last) else "", last]
        else:
            sentences = sentences_of(text)
        if states_result(sentences[-1]):
            return "result"
        # a STAR answer with no result anywhere yet is probably not over: only the base silence
        return "complete" if any(states_result(x) for x in sentences[:-1] if x) else "neutral"
    t = normalised(last_utterance)
    if (contains_phrase(t, CLOSING_EN) or contains_phrase(t, CLOSING_ZH)) and word_count(text) >= config.substantial_words:
        return "result"
    return "neutral"


def end_silence_ms(signals: EndSignals, config: TurnTakingConfig) -> int:
    """The silence that ends an answer given what is known (``EndSignals``): where the fusion's P(end | signals,
    silence) reaches the threshold ``answer_end_silence_ms`` stands for, within ``min_end_silence_ms`` and
    ``max_end_silence_ms``. With no acoustic score (no model, or its score late) the voice's terms are 0."""
    needed = silence_needed_ms(signals, config.fusion, config.answer_end_silence_ms)
    return max(config.min_end_silence_ms, min(config.max_end_silence_ms, needed))


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

    def cut_due(self, now_ms: int) -> bool:
        """The answer must end although the candidate is still heard (their utterance has not ended; see
        ``cut_at``). The runtime then ends the utterance where it stands (its words are recognised as after a pause)
        and ``check`` decides as usual: ``check`` itself never ends an answer while an utterance is open."""
        cut = self.cut_at()
        return cut is not None and now_ms >= cut

    def cut_at(self) -> int | None:
        """While the candidate is heard, when their utterance is cut if it has not ended by then: the time limit
        plus ``time_limit_grace_ms`` (None: not speaking, or no time limit)."""
        if not self.speaking or self.time_limit_ms is None:
            return None
        return self.turn_started_ms + self.time_limit_ms + self.config.time_limit_grace_ms

    def _time_is_up(self, now_ms: int) -> bool:
        """The question's time limit has passed and nothing is still being said or recognised (a final not in
        ``final_wait_max_ms`` after the speech ended is not waited for longer: the time ran out, whatever ends the
        answer then, and the reason says so)."""
        if self.time_limit_ms is None or now_ms - self.turn_started_ms < self.time_limit_ms or self.speaking:
            return False
        return self.pending_finals == 0 or (self.last_speech_end_ms is not None
                                            and now_ms - self.last_speech_end_ms >= self.config.final_wait_max_ms)

    def _waited_for_an_answer(self, now_ms: int) -> bool:
        """As long as a candidate may take to start answering has passed since the question."""
        return now_ms - self.turn_started_ms >= self.config.no_answer_timeout_ms

    def check(self, now_ms: int) -> str | None:
        """A reason string when the answer is over at ``now_ms``, else None."""
        if self._time_is_up(now_ms):
            return "time_limit"
        if self.speaking:
            return None
        if self.last_speech_end_ms is None:
            return self._check_before_speech(now_ms)
        return self._check_after_speech(now_ms)

    def _check_before_speech(self, now_ms: int) -> str | None:
        """``check`` while nothing has been said since the question."""
        return "no_answer" if self._waited_for_an_answer(now_ms) else None

    def _check_after_speech(self, now_ms: int) -> str | None:
        """``check`` in a silence after speech."""
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

    def __init__(self, config: TurnTakingConfig, turn_started_ms: int, time_limit_ms: int | None = None,
                 question: str = ""):
        super().__init__(config, turn_started_ms, time_limit_ms)
        self.question = question
        """The question this answer is to (context; the rules read only the answer's own words so far)."""
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
        self.turn_probability: float | None = None
        """The acoustic end-of-turn model's P(finished) at the end of the newest speech (None: not asked or not in)."""
        self.turn_pitch_change_st: float | None = None
        """How the pitch moved at the end of the newest speech, in semitones (negative: falling)."""
        self.turn_scores_pending = 0
        self.pauses_ms: list[int] = []
        """Silences the candidate spoke on after (this interview's pauses so far, ``pause_min_ms`` and longer)."""
        self.prior_speech_end_ms: int | None = None
        """The same answer continues after a decision: where its speech last ended (so that pause is counted)."""

    # --- events ---
    def speech_started(self, t_ms: int) -> None:
        previous_end = self.last_speech_end_ms if self.last_speech_end_ms is not None else self.prior_speech_end_ms
        if previous_end is not None and t_ms - previous_end >= self.config.pause_min_ms:
            self.pauses_ms.append(t_ms - previous_end)
        super().speech_started(t_ms)
        self.turn_probability = self.turn_pitch_change_st = None
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

    def turn_score_requested(self) -> None:
        """The acoustic end-of-turn model was asked about the speech that just ended: decisions wait for it (at most
        ``turn_score_wait_max_ms`` after the speech) while the fusion gives the voice a weight."""
        self.turn_scores_pending += 1

    def turn_scored(self, probability: float | None, speech_end_ms: int, pitch_change_st: float | None = None) -> None:
        """The acoustic score of the speech that ended at ``speech_end_ms`` (ignored if more speech came since)."""
        self.turn_scores_pending = max(0, self.turn_scores_pending - 1)
        if speech_end_ms == self.last_speech_end_ms and not self.speaking:
            self.turn_probability = probability
            self.turn_pitch_change_st = pitch_change_st

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
        return end_silence_ms(self.end_signals(with_partial), self.config)

    def end_signals(self, with_partial: bool = False) -> EndSignals:
        """What the fusion reads now (``dialogue/end_fusion.py``): the words' class and closing phrase, the voice's
        score and pitch at the end of the newest speech, the longest pause so far."""
        last = normalised(self._known_text(with_partial)[1])
        closing = contains_phrase(last, CLOSING_EN) or contains_phrase(last, CLOSING_ZH)
        return EndSignals(self.content_class(with_partial), closing, self.turn_probability, self.turn_pitch_change_st,
                          max(self.pauses_ms, default=0))

    def candidate_done(self, now_ms: int) -> None:
        """The candidate says they have finished (the page's "I have finished" button): no silence is waited out;
        ``check`` ends the answer (``"candidate_done"``) once they are not speaking and the finals of what they said
        are in, or at once with ``"no_answer"`` if they said nothing (they skip the question)."""
        if self.done_at_ms is None:
            self.done_at_ms = now_ms

    def cut_at(self) -> int | None:
        """``SilenceAnswerEndDetector.cut_at``, or ``finish_max_wait_ms`` after "I have finished" if sooner."""
        limit = super().cut_at()
        if not self.speaking or self.done_at_ms is None:
            return limit
        done = self.done_at_ms + self.config.finish_max_wait_ms
        return done if limit is None else min(done, limit)

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

    def _check_before_speech(self, now_ms: int) -> str | None:
        if self.done_at_ms is not None and now_ms >= self.done_at_ms:
            # nothing said on this connection; after a rejoin the text said before still counts
            return self._ended_by_candidate(self.content_class())
        return super()._check_before_speech(now_ms)

    def _check_after_speech(self, now_ms: int) -> str | None:
        silence_ms = now_ms - self.last_speech_end_ms
        waiting = self.pending_finals > 0
        if waiting and silence_ms < self.config.final_wait_max_ms:
            return None
        if (self.turn_scores_pending and self.config.fusion.hears_voice
                and silence_ms < self.config.turn_score_wait_max_ms):
            return None  # a score that weighs nothing is not waited for
        if self.done_at_ms is not None and now_ms >= self.done_at_ms:
            kind = self.content_class(with_partial=waiting)
            if kind == "empty" and waiting and silence_ms < self.config.no_answer_timeout_ms:
                return None  # words were spoken but nothing is recognised yet (a busy recogniser): wait for them
            return self._ended_by_candidate(kind)
        kind = self.content_class(with_partial=waiting)
        required = self.required_silence(with_partial=waiting)
        if required is None or silence_ms < required:
            if kind == "empty" and self._waited_for_an_answer(now_ms):
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
    t = normalised(text)
    words = [w for w in EN_WORD.findall(HAN_CHAR.sub(" ", t)) if w not in _BACKCHANNEL]
    cjk = [c for c in HAN_CHAR.findall(t) if c not in _BACKCHANNEL]
    return len(words) + len(cjk) // 2


__all__ = [
    "TurnTakingConfig",
    "SilenceAnswerEndDetector",
    "AnswerEndDetector",
    "classify_answer",
    "end_silence_ms",
]
