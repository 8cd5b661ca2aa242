"""The speech-turns component with a scripted speech model (no Whisper): the real VAD, transcriber and end-of-answer
detector, audio played ten times faster than real time. Each test takes well under a second."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from dialogue.speech_turns import (
    AnswerEnded,
    FinalTranscript,
    PartialTranscript,
    QuestionTalkedOver,
    SpeechEnded,
    SpeechResumed,
    SpeechStarted,
    SpeechTurns,
    TURN_AUDIO_KEEP_MS,
)
from dialogue.end_fusion import EndSignals
from dialogue.turn_taking import TurnTakingConfig, end_silence_ms
from tests.fake_speech import FRAME_SAMPLES, Script, ScriptedSpeechModel, scripted_turns, speak

pytestmark = pytest.mark.unit

CONFIG = scripted_turns()
RESULT_MS = end_silence_ms(EndSignals("result"), CONFIG)

REALTIME_FACTOR = 0.1


class Recorder:
    """``SpeechTurnHooks`` that keep every event with the detector-clock time it was reported at. Speech offered back
    after an end (``SpeechResumed``) continues that answer when ``go_on``, else goes to the next answer."""

    def __init__(self, go_on: bool = False) -> None:
        self.turns: SpeechTurns | None = None
        self.events: list[tuple[int, object]] = []
        self.go_on = go_on
        self.continued: list[int | None] = []

    def _add(self, event: object) -> None:
        self.events.append((self.turns.now_ms() if self.turns else 0, event))

    on_speech_started = on_speech_ended = on_partial_transcript = _add
    on_final_transcript = on_question_talked_over = on_answer_ended = _add

    def on_speech_resumed(self, event: SpeechResumed) -> None:
        self._add(event)
        if self.go_on:
            self.continued.append(self.turns.continue_answer(event.answer))
        else:
            self.turns.release_speech()

    def of(self, kind: type) -> list:
        return [e for _, e in self.events if isinstance(e, kind)]

    def at(self, kind: type) -> list[int]:
        return [t for t, e in self.events if isinstance(e, kind)]


class Clock:
    """Interview ms on the wall clock, as the runtime's."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()

    def __call__(self) -> int:
        return int((time.monotonic() - self.t0) * 1000)


async def listening(script: Script, go_on: bool = False, config: TurnTakingConfig | None = None,
                    **model_options) -> tuple[SpeechTurns, Recorder, ScriptedSpeechModel]:
    recorder = Recorder(go_on)
    model = ScriptedSpeechModel(script, **model_options)
    turns = SpeechTurns(model, "en", recorder, config or CONFIG, Clock())
    recorder.turns = turns
    turns.attach("conn-1")
    turns.begin_answer(0, None, resumes=True)
    return turns, recorder, model


async def play(turns: SpeechTurns, pcm: np.ndarray, from_ms: int = 0, to_ms: int | None = None) -> None:
    """Push the script's 20 ms frames in [from_ms, to_ms) at ``REALTIME_FACTOR`` times real time."""
    last = len(pcm) // FRAME_SAMPLES if to_ms is None else to_ms // 20
    for i in range(from_ms // 20, last):
        turns.push_audio(pcm[i * FRAME_SAMPLES:(i + 1) * FRAME_SAMPLES], i * 20)
        await asyncio.sleep(0.02 * REALTIME_FACTOR)


def media_base(turns: SpeechTurns) -> int:
    """Interview ms of media time 0 (the clock is anchored at the first frame)."""
    listening = turns._listening
    assert listening is not None and listening.anchored
    return listening.base_ms


async def test_a_complete_answer_ends_on_silence_and_events_come_in_order():
    first, second = "Last year I led the migration of our billing system.", "As a result we cut the costs by forty percent."
    script = speak(300, (first, 2000), 400, (second, 2000), 3000)
    turns, rec, model = await listening(script)
    await play(turns, script.audio())
    base = media_base(turns)
    await turns.detach()

    assert model.opened_languages == ["en"]  # the interview's language reached the stream
    ended = rec.of(AnswerEnded)
    assert [(e.answer, e.reason) for e in ended] == [(1, "silence")]
    assert ended[0].heard_text == f"{first} {second}"
    spoke_until = ended[0].last_speech_end_ms - base
    assert 4700 <= spoke_until <= 4850, spoke_until  # the VAD's back-dated end of the last voiced frame
    # a stated result ends the answer after its short silence (decided on the audio clock)
    waited = rec.at(AnswerEnded)[0] - ended[0].last_speech_end_ms
    assert RESULT_MS == 700 and RESULT_MS <= waited <= RESULT_MS + 200, waited
    # one utterance (the 400 ms gap is a pause, not an end), cut into one final per sentence at the pause
    kinds = [type(e) for _, e in rec.events]
    assert kinds.count(SpeechStarted) == 1 and kinds.count(SpeechEnded) == 1
    assert [f.text for f in rec.of(FinalTranscript)] == [first, second]
    assert kinds.index(SpeechStarted) < kinds.index(PartialTranscript) < kinds.index(FinalTranscript)
    assert all(f.connection_id == "conn-1" and f.words for f in rec.of(FinalTranscript))
    assert rec.of(FinalTranscript)[0].start_ms - base >= 0  # on the interview clock


async def test_a_thinking_pause_after_an_unfinished_clause_does_not_end_the_answer():
    first = "I started by measuring where the time was going and then"
    second = "I rewrote the slowest queries and we cut the load time by forty percent."
    script = speak(300, (first, 2500), 2000, (second, 2500), 3000)  # after a 2 s pause the end waits longer
    turns, rec, _ = await listening(script)
    await play(turns, script.audio())
    base = media_base(turns)
    await turns.detach()

    assert [e.reason for e in rec.of(AnswerEnded)] == ["silence"]
    assert rec.at(AnswerEnded)[0] - base > 300 + 2500 + 2000 + 2500  # after the last words, not in the pause
    assert rec.of(AnswerEnded)[0].heard_text == f"{first} {second}"


async def test_i_have_finished_ends_the_answer_without_waiting_out_the_silence():
    script = speak(300, ("I led a team of five engineers", 1500), 6000)
    turns, rec, _ = await listening(script)
    pcm = script.audio()
    await play(turns, pcm, 0, 2600)
    assert rec.of(AnswerEnded) == []  # a short answer without a cue waits the base silence (3 s)...
    assert turns.candidate_done()
    await play(turns, pcm, 2600)
    base = media_base(turns)
    await turns.detach()

    ended = rec.of(AnswerEnded)
    assert [e.reason for e in ended] == ["candidate_done"]  # ...the button does not
    assert rec.at(AnswerEnded)[0] - base < 2700
    assert not turns.candidate_done()  # nothing open any more


ANSWER = "Last year I led the migration of our billing system and we cut the costs by forty percent."
MORE = "We also saved two whole weeks on every single release after the change."


async def test_speech_after_the_decision_counts_for_the_next_answer():
    """While the runtime evaluates the answer, what the candidate says is reported at once but held for the
    detector of the next answer, which then decides on it (here the runtime does not take the end back when the
    speech is offered to it)."""
    answer, more = ANSWER, MORE
    script = speak(300, (answer, 3000), 1500, (more, 2500), 3000)
    turns, rec, _ = await listening(script)
    pcm = script.audio()
    await play(turns, pcm, 0, 4400)
    assert [(e.answer, e.heard_text) for e in rec.of(AnswerEnded)] == [(1, answer)]
    await play(turns, pcm, 4400, 8000)  # the second utterance ends (VAD) before the next question is put
    await asyncio.sleep(0.05)
    assert len(rec.of(AnswerEnded)) == 1 and [f.text for f in rec.of(FinalTranscript)] == [answer, more]
    assert turns.begin_answer(turns.now_ms(), None) == 2
    await play(turns, pcm, 8000)
    await turns.detach()

    second = rec.of(AnswerEnded)[1]
    assert (second.answer, second.reason, second.heard_text) == (2, "silence", more)
    assert [e.answer for e in rec.of(SpeechResumed)] == [1]  # offered back (0.8 s after the end), and released


async def test_speech_soon_after_the_decision_continues_the_same_answer():
    """The candidate speaks again 0.8 s after their answer was taken as over: the same answer goes on, with its
    words so far, and ends once they are done; the pause that was taken for the end now counts as one of theirs
    (the pause history), so this end waits longer than a stated result alone would."""
    script = speak(300, (ANSWER, 3000), 1500, (MORE, 2500), 4000)
    turns, rec, _ = await listening(script, go_on=True)
    await play(turns, script.audio())
    await turns.detach()

    ended = rec.of(AnswerEnded)
    assert [(e.answer, e.reason, e.resumable) for e in ended] == [(1, "silence", True), (2, "silence", True)]
    offered = rec.of(SpeechResumed)
    assert [e.answer for e in offered] == [1] and 0 < offered[0].after_end_ms <= 1000, offered
    assert rec.continued == [2]
    assert ended[1].heard_text == f"{ANSWER} {MORE}"
    pause = rec.of(SpeechStarted)[1].at_ms - rec.of(SpeechEnded)[0].at_ms
    waited = rec.at(AnswerEnded)[1] - ended[1].last_speech_end_ms
    assert waited >= end_silence_ms(EndSignals("result", longest_pause_ms=pause), CONFIG) > RESULT_MS + 500


async def test_speech_soon_after_the_next_question_was_put_still_continues_the_answer():
    """The runtime had already opened the next answer (its question was put) when the candidate spoke again
    within the grace window: the detector of that answer is dropped and the first answer goes on."""
    script = speak(300, (ANSWER, 3000), 1500, (MORE, 2500), 4000)
    turns, rec, _ = await listening(script, go_on=True)
    pcm = script.audio()
    await play(turns, pcm, 0, 4400)
    assert [e.answer for e in rec.of(AnswerEnded)] == [1]
    assert turns.begin_answer(turns.now_ms(), None) == 2
    await play(turns, pcm, 4400)
    await turns.detach()

    assert rec.continued == [3]
    assert [(e.answer, e.heard_text) for e in rec.of(AnswerEnded)] == [(1, ANSWER), (3, f"{ANSWER} {MORE}")]


@pytest.mark.parametrize("late_ms", [0, 20, 40, 60])
async def test_no_end_is_decided_while_the_candidate_has_just_started_speaking_again(late_ms):
    """The candidate starts again just as a stated result's silence runs out: the VAD hears the voice at once but
    reports the start only after a few voiced frames. Nothing is decided in between, so the answer is not taken
    as over while they talk, and it ends once, after everything they said. (0 and 20 ms fail without the hold;
    40 and 60 ms, where the start is already reported, check that holding changes nothing there.)"""
    first_end = 300 + 3000
    probe = speak(300, (ANSWER, 3000), 4000)  # where the end falls after the result alone
    turns, rec, _ = await listening(probe)
    await play(turns, probe.audio())
    base = media_base(turns)
    await turns.detach()
    decided = rec.at(AnswerEnded)[0] - base
    assert first_end + RESULT_MS <= decided <= first_end + RESULT_MS + 200, decided

    # the same answer, now going on from the last frames before that decision
    pause = decided - first_end - 20 - late_ms
    script = speak(300, (ANSWER, 3000), pause, (MORE, 2500), 3000)
    turns, rec, _ = await listening(script)
    await play(turns, script.audio())
    base = media_base(turns)
    await turns.detach()
    ended = rec.of(AnswerEnded)
    assert [(e.answer, e.heard_text) for e in ended] == [(1, f"{ANSWER} {MORE}")], [
        (t - base, e.heard_text) for t, e in rec.events if isinstance(e, AnswerEnded)]
    assert rec.at(AnswerEnded)[0] - base > first_end + pause + 2500


async def test_without_a_grace_window_speech_after_the_decision_is_not_offered_back():
    script = speak(300, (ANSWER, 3000), 1500, (MORE, 2500), 4000)
    turns, rec, _ = await listening(script, go_on=True, config=scripted_turns(resume_grace_ms=0))
    await play(turns, script.audio())
    await turns.detach()
    assert rec.of(SpeechResumed) == [] and [e.resumable for e in rec.of(AnswerEnded)] == [False]


async def test_i_have_finished_while_still_speaking_ends_the_answer_at_the_pause():
    script = speak(300, ("I joined the payments team and started by reading the old billing code", 3000), 6000)
    turns, rec, _ = await listening(script, go_on=True)
    pcm = script.audio()
    await play(turns, pcm, 0, 1500)
    assert turns.candidate_done() == "pause"  # the page says it moves on when they pause
    await play(turns, pcm, 1500)
    base = media_base(turns)
    await turns.detach()

    ended = rec.of(AnswerEnded)
    assert [(e.reason, e.resumable) for e in ended] == [("candidate_done", False)]  # not taken back
    assert 3300 <= rec.at(AnswerEnded)[0] - base < 3300 + 1000  # at the pause, no silence waited out


async def test_talking_over_the_question_is_reported_once_and_not_for_a_backchannel():
    script = speak(300, ("Okay.", 400), 1000, ("Last year I led the migration of our billing system.", 2500), 3000)
    turns, rec, _ = await listening(script)
    turns.question_playback(True)
    await play(turns, script.audio())
    base = media_base(turns)
    await turns.detach()

    talked_over = rec.of(QuestionTalkedOver)
    assert len(talked_over) == 1
    answer_start = 300 + 400 + 1000
    assert answer_start < talked_over[0].at_ms - base < answer_start + 1500


class FixedVoice:
    """An acoustic end-of-turn model that hears the same thing at every pause; it keeps what it was given."""

    def __init__(self, probability: float) -> None:
        self.value = probability
        self.heard: list[int] = []

    def probability(self, pcm: np.ndarray) -> float:
        self.heard.append(pcm.size)
        return self.value


async def _ended_after_result(voice: FixedVoice) -> tuple[int, int]:
    """(ms from the end of speech to the decision, the answer-end count) for a clear STAR result."""
    text = "Last year I led the migration of our billing system and we cut the costs by forty percent."
    script = speak(300, (text, 3000), 5000)
    recorder = Recorder()
    turns = SpeechTurns(ScriptedSpeechModel(script), "en", recorder, CONFIG, Clock(), end_of_turn=voice)
    recorder.turns = turns
    turns.attach("conn-1")
    turns.begin_answer(0, None, resumes=True)
    await play(turns, script.audio())
    await turns.detach()
    ended = recorder.of(AnswerEnded)
    return recorder.at(AnswerEnded)[0] - ended[0].last_speech_end_ms, len(ended)


async def test_the_voice_is_asked_at_the_end_of_speech_and_can_hold_a_result_sounding_answer_open():
    agrees, unfinished = FixedVoice(0.9), FixedVoice(0.1)
    quick, n_quick = await _ended_after_result(agrees)
    slow, n_slow = await _ended_after_result(unfinished)
    assert n_quick == n_slow == 1
    assert agrees.heard and all(0 < n <= 16 * TURN_AUDIO_KEEP_MS for n in agrees.heard)  # the last seconds only
    # words and voice agree: no later than the words alone (here, as soon as the final is in); the voice sounds
    # unfinished: about half a second more
    assert quick <= RESULT_MS < slow and slow - RESULT_MS >= 500, (quick, slow)


RUN_ON = " ".join(f"word{i}" for i in range(60))
"""Sixty words over 30 s of steady voice: what the VAD hears in a noisy room (or a voice that never pauses)."""


async def test_in_a_noisy_room_i_have_finished_and_the_time_limit_still_end_the_answer_in_bounded_time():
    """The VAD hears speech that never pauses. "I have finished" ends the answer ``finish_max_wait_ms`` after the
    press, with the words said until then; what is heard after that goes to the next answer, which the time limit
    ends ``time_limit_grace_ms`` after it ran out. No word is lost or counted twice."""
    script = speak(300, (RUN_ON, 30_000), 2000)
    turns, rec, _ = await listening(script)
    pcm = script.audio()
    await play(turns, pcm, 0, 3000)
    base = media_base(turns)
    assert turns.candidate_done() == "pause"
    pressed = turns.now_ms()
    await play(turns, pcm, 3000, 9000)
    ended = rec.of(AnswerEnded)
    assert [e.reason for e in ended] == ["candidate_done"], ended
    assert pressed + CONFIG.finish_max_wait_ms <= rec.at(AnswerEnded)[0] < pressed + CONFIG.finish_max_wait_ms + 300
    cut_ms = rec.of(SpeechEnded)[0].at_ms - base
    said = [w.text for w in script.words() if (w.start_ms + w.end_ms) // 2 < cut_ms]
    assert ended[0].heard_text == " ".join(said) and len(said) >= 12

    assert turns.begin_answer(turns.now_ms(), 3000) == 2  # the next question, with a 3 s limit
    assert turns.speaking  # the noise goes on: its utterance is this answer's (the page enables "I have finished")
    asked = turns.now_ms()
    await play(turns, pcm, 9000)
    await turns.detach()
    ended = rec.of(AnswerEnded)
    assert [e.reason for e in ended] == ["candidate_done", "time_limit"]
    limit_end = asked + 3000 + CONFIG.time_limit_grace_ms
    assert limit_end <= rec.at(AnswerEnded)[1] < limit_end + 300
    second_cut = rec.of(SpeechEnded)[1].at_ms - base
    more = [w.text for w in script.words() if cut_ms <= (w.start_ms + w.end_ms) // 2 < second_cut]
    assert ended[1].heard_text == " ".join(more) and more


async def test_i_have_finished_over_noise_without_words_skips_the_question_for_good():
    """Noise and no words: "I have finished" ends the answer as no_answer (the candidate skips the question), and
    sound right after that is not offered back as the same answer going on: a press is never taken back."""
    script = speak(300, ("", 6680), 400, ("", 5000), 2000)  # the noise stops for 0.4 s just as the answer is cut
    turns, rec, _ = await listening(script, go_on=True)
    pcm = script.audio()
    await play(turns, pcm, 0, 3000)
    assert turns.candidate_done() == "pause"
    await play(turns, pcm, 3000, 9000)
    ended = rec.of(AnswerEnded)
    assert [(e.reason, e.resumable) for e in ended] == [("no_answer", False)]
    assert rec.at(SpeechStarted)[-1] - rec.at(AnswerEnded)[0] < CONFIG.resume_grace_ms  # sound within the window...
    assert rec.of(SpeechResumed) == [] and rec.continued == []  # ...is not the skipped answer going on
    await turns.detach()


async def test_voiced_frames_that_open_no_utterance_hold_a_decision_only_for_a_while():
    """Noise that keeps a voiced frame or two in every five never opens an utterance: it holds an end for at most
    ONSET_HOLD_MAX_MS, so a time limit or "I have finished" still ends the answer; an open utterance holds it for as
    long as it lasts (its start reaches the detector), and an utterance cut to end the answer holds nothing."""
    from dialogue.speech_turns import ONSET_HOLD_MAX_MS

    class Vad:
        hears_voice, in_speech = True, False

    turns, _, _ = await listening(speak(300, 1000))
    listening_now = turns._listening
    real_vad, listening_now.transcriber.vad = listening_now.transcriber.vad, Vad()
    try:
        held = [turns._holds_for_voice(t, listening_now) for t in (0, 500, ONSET_HOLD_MAX_MS - 20, ONSET_HOLD_MAX_MS)]
        assert held == [True, True, True, False]
        Vad.in_speech = True  # an utterance: held however long it lasts
        assert all(turns._holds_for_voice(t, listening_now) for t in (2000, 9000))
        turns._cut = (listening_now, 1)  # cut to end the answer: nothing held
        assert not turns._holds_for_voice(9020, listening_now)
    finally:
        turns._cut = None
        listening_now.transcriber.vad = real_vad
        await turns.detach()
