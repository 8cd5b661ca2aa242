"""An answer taken as over too early can be continued: the live loop (scripted speech model, stand-in peer, real
store and dialogue, audio ten times faster than real time) when the candidate speaks again within the grace window
after the end was decided, and when "I have finished" is pressed while they are still speaking."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from dialogue.decision_wait import DecisionWait
from dialogue.followup import RuleBasedPolicy
from media.audio import AudioChunk
from server.live import events as ev
from tests.fake_speech import FRAME_SAMPLES, speak
from tests.harness import until
from tests.test_live_loop import ANSWER_2, REALTIME_FACTOR, StandInPeer, _judge, new_interview, of

pytestmark = pytest.mark.unit

ANSWER = "On the reporting project I improved we rewrote the slowest queries and cut the load time by forty percent."
MORE = "We also trained the support team so that the change would stick."


async def play_until(pcm: np.ndarray, from_ms: int, done=lambda: False) -> int:
    """Play the script's frames from ``from_ms`` until ``done()`` (checked every frame) or the end; returns where
    it stopped. While nothing is played the candidate's clock stands still, as a test of timing needs."""
    peer = StandInPeer.last
    i = from_ms // 20
    while i < len(pcm) // FRAME_SAMPLES and not done():
        peer.audio_frames += 1
        peer.on_audio(AudioChunk(pcm[i * FRAME_SAMPLES:(i + 1) * FRAME_SAMPLES], i * 20))
        await asyncio.sleep(0.02 * REALTIME_FACTOR)
        i += 1
    return i * 20


def kinds(published: list) -> list[tuple[str, int]]:
    """(type, turn) of the events that tell the candidate where the interview is."""
    keep = ("question.asked", "answer.ended", "answer.resumed", "answer.finishing")
    return [(e.type, e.turn_index) for e in published if e.type in keep]


async def test_speech_right_after_the_end_continues_the_answer_and_takes_the_next_question_back(store):
    """The next question was already sent (the page had not spoken it) when the candidate went on 0.7 s after
    the end: it is withdrawn, the same turn goes on, and the whole answer is ended, stored and scored."""
    script = speak(300, (ANSWER, 4000), 1500, (MORE, 3000), 5000, (ANSWER_2, 3500), 4000)
    live, published = await new_interview(store, script)
    pcm = script.audio()
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    # the end is decided in the 1.5 s pause and the next question goes out while the candidate's clock stands still
    at = await play_until(pcm, 0, lambda: len(of(published, ev.QuestionAsked)) == 2)
    assert at < 300 + 4000 + 1500
    await play_until(pcm, at)
    await until(lambda: live.status == "finished", 10, "the interview to finish")
    await live.close()

    assert kinds(published) == [
        ("question.asked", 0), ("answer.ended", 0), ("question.asked", 1),  # taken as over: the next question...
        ("answer.resumed", 0),                                                # ...is taken back when they go on
        ("answer.ended", 0), ("question.asked", 1), ("answer.ended", 1), ("question.asked", 2)]
    resumed = of(published, ev.AnswerResumed)[0]
    assert (resumed.withdrawn_turn_index, resumed.text, resumed.kind) == (1, "Tell me about a project you improved.",
                                                                         "question")
    assert [a.text for a in of(published, ev.AnswerEnded)] == [ANSWER, f"{ANSWER} {MORE}", ANSWER_2]
    turns = await store.records.turns(live.id)
    assert [(t.index, t.question_index, t.answer_text) for t in turns] == [
        (0, 0, f"{ANSWER} {MORE}"), (1, 1, ANSWER_2)]  # one row per turn: the withdrawn one is gone
    assert {s.turn_index for s in await store.records.segments(live.id) if MORE in s.text} == {0}
    # the answer was scored again once it ended for good; the stored score is that one
    after = published.index(resumed)
    rescored = [s for s in of(published[after:], ev.AnswerScored) if s.turn_index == 0]
    assert rescored and [s.turn_index for s in await store.records.scores(live.id)] == [0, 1]


async def test_speech_while_the_answer_is_evaluated_means_the_next_question_is_never_sent(store, fake_openai):
    """The next move waits for a (slow) language model when the candidate goes on: the wait stops, nothing is
    sent, and the page is told the answer continues."""
    script = speak(300, (ANSWER, 4000), 1500, (MORE, 3000), 8000)
    live, published = await new_interview(store, script, judge=_judge(fake_openai), decision_wait=DecisionWait(5))
    fake_openai.mode = "slow"
    pcm = script.audio()
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    at = await play_until(pcm, 0, lambda: bool(of(published, ev.AnswerEnded)))
    at = await play_until(pcm, at, lambda: bool(of(published, ev.AnswerResumed)))
    assert kinds(published) == [("question.asked", 0), ("answer.ended", 0), ("answer.resumed", 0)]
    assert of(published, ev.AnswerResumed)[0].withdrawn_turn_index is None
    fake_openai.mode = "good"
    await play_until(pcm, at)
    await until(lambda: len(of(published, ev.QuestionAsked)) == 2, 10, "the next question")
    await live.close()
    assert [a.text for a in of(published, ev.AnswerEnded)] == [ANSWER, f"{ANSWER} {MORE}"]
    assert [t.index for t in await store.records.turns(live.id)] == [0, 1]


class DeliberatePolicy(RuleBasedPolicy):
    """Takes its time over the next move (as a language model choosing the follow-up would); says when it is."""

    def __init__(self) -> None:
        super().__init__()
        self.deciding = False

    async def adecide(self, ctx):
        self.deciding = True
        try:
            await asyncio.sleep(3)
            return await super().adecide(ctx)
        finally:
            self.deciding = False


async def test_captions_of_an_answer_that_goes_on_do_not_wait_for_its_evaluation(store):
    """The candidate goes on while the next move is still being chosen: the page is told at once and sees the new
    words as they are recognised, not once the choice is made; no question is sent and the whole answer ends."""
    script = speak(300, (ANSWER, 4000), 1500, (MORE, 3000), 6000)
    policy = DeliberatePolicy()
    captions_while_deciding: list[tuple[int, str]] = []

    async def page(event) -> None:
        published.append(event)
        if isinstance(event, ev.TranscriptPartial) and policy.deciding:
            captions_while_deciding.append((event.turn_index, event.text))

    live, published = await new_interview(store, script, publish=page, followup_policy=policy)
    pcm = script.audio()
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    at = await play_until(pcm, 0, lambda: policy.deciding)
    at = await play_until(pcm, at, lambda: any(MORE.split()[2] in text for _, text in captions_while_deciding))
    assert policy.deciding, "the words came only once the next move was chosen"
    assert kinds(published) == [("question.asked", 0), ("answer.ended", 0), ("answer.resumed", 0)]
    assert {turn for turn, _ in captions_while_deciding} == {0}
    await play_until(pcm, at)
    await until(lambda: len(of(published, ev.QuestionAsked)) == 2, 15, "the next question")
    await live.close()
    assert [a.text for a in of(published, ev.AnswerEnded)] == [ANSWER, f"{ANSWER} {MORE}"]
    # every word of the answer reached the page as a final too, and no caption came after its final
    finals = [e for e in published if isinstance(e, ev.TranscriptFinal)]
    assert [f.text for f in finals] == [ANSWER, MORE]
    last_final = published.index(finals[-1])
    assert not [e for e in published[last_final:] if isinstance(e, ev.TranscriptPartial) and e.turn_index == 0]


async def test_speech_after_the_page_spoke_the_next_question_answers_it(store):
    """A question the page has finished speaking is not taken back: what follows is its answer."""
    script = speak(300, (ANSWER, 4000), 1500, (MORE, 3000), 6000)

    async def page(event) -> None:  # the page speaks each question at once and says so
        published.append(event)
        if isinstance(event, ev.QuestionAsked):
            live.question_playback(event.turn_index, playing=True)
            live.question_playback(event.turn_index, playing=False)

    live, published = await new_interview(store, script, publish=page)
    pcm = script.audio()
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    at = await play_until(pcm, 0, lambda: len(of(published, ev.QuestionAsked)) == 2)
    await play_until(pcm, at)
    await until(lambda: len(of(published, ev.QuestionAsked)) == 3, 10, "the closing")
    await live.close()
    assert of(published, ev.AnswerResumed) == []
    assert [(a.turn_index, a.text) for a in of(published, ev.AnswerEnded)] == [(0, ANSWER), (1, MORE)]


async def test_the_last_answer_can_go_on_before_the_interview_closes(store):
    """Nothing waits for the closing words, so they wait out the grace window: the last answer is never cut."""
    last_more = "I am proud of it because the whole team made it happen."
    script = speak(300, (ANSWER, 4000), 5000, (ANSWER_2, 3500), 1500, (last_more, 2500), 5000)
    live, published = await new_interview(store, script)
    pcm = script.audio()
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    at = await play_until(pcm, 0, lambda: len(of(published, ev.AnswerEnded)) == 2)
    await asyncio.sleep(0.3)  # (the candidate's clock stands still: the window stays open)
    assert live.status == "live" and len(of(published, ev.QuestionAsked)) == 2
    await play_until(pcm, at)
    await until(lambda: live.status == "finished", 10, "the interview to finish")
    await live.close()
    assert kinds(published)[-4:] == [("answer.ended", 1), ("answer.resumed", 1), ("answer.ended", 1),
                                     ("question.asked", 2)]
    assert of(published, ev.AnswerEnded)[-1].text == f"{ANSWER_2} {last_more}"


async def test_i_have_finished_while_speaking_tells_the_page_it_ends_at_the_pause(store):
    script = speak(300, ("I joined the payments team and started by reading the old billing code", 3000), 6000)
    live, published = await new_interview(store, script)
    pcm = script.audio()
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    at = await play_until(pcm, 0, lambda: bool(of(published, ev.SpeechStarted)))
    assert live.candidate_finished(turn_index=0)
    await until(lambda: of(published, ev.AnswerFinishing), 2, "the page to be told")
    assert of(published, ev.AnswerFinishing)[0].waiting_for == "pause" and not of(published, ev.AnswerEnded)
    await play_until(pcm, at)
    await until(lambda: len(of(published, ev.QuestionAsked)) == 2, 5, "the next question")
    await live.close()
    assert [(a.reason, a.text) for a in of(published, ev.AnswerEnded)] == [
        ("candidate_done", "I joined the payments team and started by reading the old billing code")]
