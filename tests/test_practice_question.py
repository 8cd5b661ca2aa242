"""The optional practice question in the live loop (scripted speech, stand-in peer, SQLite; see test_live_loop.py):
the candidate's page alone hears about it, and nothing of it reaches the records, scores or observers."""

from __future__ import annotations

import json

import pytest

from dialogue.session import PRACTICE, PRACTICE_OVER, PRACTICE_TIME_LIMIT_S
from server.live import events as ev
from server.live.practice import PRACTICE_TURN
from tests.fake_speech import speak
from tests.harness import until
from tests.test_live_loop import ANSWER_2, QUESTIONS, StandInPeer, new_interview, of

pytestmark = pytest.mark.unit

PRACTICE_ANSWER = "On a free weekend I go hiking with my sister near the lake."
ANSWER_1 = "On the reporting project I rewrote the slowest queries and we cut the load time by forty percent."


async def practice_interview(store, script):
    told: list[ev.BaseEvent] = []

    async def tell(event) -> None:
        told.append(event)

    live, published = await new_interview(store, script, tell_candidate=tell)
    return live, published, told


def _text_of(events) -> str:
    return json.dumps([e.model_dump(mode="json") for e in events])


async def test_the_practice_answer_goes_through_turn_taking_and_is_kept_nowhere(store):
    # practice answer, then (each past the previous end and its grace window) the two real answers
    script = speak(300, (PRACTICE_ANSWER, 3000), 5000, (ANSWER_1, 3500), 5000, (ANSWER_2, 3500), 3000)
    live, published, told = await practice_interview(store, script)
    await live.connect("v=0 offer", takeover=False, practice=True)
    await until(lambda: of(told, ev.QuestionAsked), 5, "the practice question")
    practice = of(told, ev.QuestionAsked)[0]
    assert (practice.kind, practice.turn_index, practice.question_index) == ("practice", PRACTICE_TURN, -1)
    assert practice.text == PRACTICE["en"] and practice.time_limit_s == PRACTICE_TIME_LIMIT_S
    assert "AI interviewer" in practice.preamble and "not scored" in practice.preamble  # the disclosure comes first
    assert not of(published, ev.QuestionAsked)  # observers see no question yet
    assert live.turn_index == PRACTICE_TURN  # "I have finished" and the question's playback speak of this turn

    await StandInPeer.last.play(script.audio())
    await until(lambda: live.status == "finished", 10, "the interview to finish")
    await live.close()

    # The page heard its own words and the end of the practice answer (on silence, like any answer) ...
    assert PRACTICE_ANSWER in " ".join(f.text for f in of(told, ev.TranscriptFinal))
    assert all(e.turn_index == PRACTICE_TURN for e in told if hasattr(e, "turn_index"))
    assert [(a.turn_index, a.reason) for a in of(told, ev.AnswerEnded)] == [(PRACTICE_TURN, "silence")]
    assert of(told, ev.SpeechStarted) and of(told, ev.TranscriptPartial)

    # ... then the interview ran as without it: its first question says the practice is over
    asked = of(published, ev.QuestionAsked)
    assert [(q.turn_index, q.kind) for q in asked] == [(0, "question"), (1, "question"), (2, "closing")]
    assert asked[0].preamble == PRACTICE_OVER["en"] and asked[0].time_limit_s == QUESTIONS[0].get("time_limit_s", 180)
    assert [(a.turn_index, a.text) for a in of(published, ev.AnswerEnded)] == [(0, ANSWER_1), (1, ANSWER_2)]

    # Nothing of the practice on the observers' stream, in the stored turns, transcript or scores
    assert "hiking" not in _text_of(published) and PRACTICE["en"] not in _text_of(published)
    assert not [e for e in published if getattr(e, "turn_index", 0) < 0]
    turns = await store.records.turns(live.id)
    assert [(t.index, t.question_text) for t in turns] == [(0, QUESTIONS[0]["text"]), (1, QUESTIONS[1]["text"])]
    segments = await store.records.segments(live.id)
    assert [s.text for s in segments] == [ANSWER_1, ANSWER_2]
    scores = await store.records.scores(live.id)
    assert [s.turn_index for s in scores] == [0, 1]
    assert "hiking" not in json.dumps([[s.evidence, s.uncertain] for s in scores])


@pytest.mark.parametrize("speaking", [False, True])
async def test_skipping_the_practice_starts_the_interview(store, speaking):
    # "Skip the practice" ends its answer as "I have finished" does: at once when the candidate is silent, at their
    # next pause while they speak (their words then belong to the practice, never to the first question)
    script = speak(300, (PRACTICE_ANSWER, 3000), 6000) if speaking else speak(300, 6000)
    live, published, told = await practice_interview(store, script)
    await live.connect("v=0 offer", takeover=False, practice=True)
    await until(lambda: of(told, ev.QuestionAsked), 5, "the practice question")
    await StandInPeer.last.play(script.audio(), 0, 1500)
    if speaking:
        await until(lambda: of(told, ev.SpeechStarted), 5, "speech")
    assert live.candidate_finished(PRACTICE_TURN)  # the page's skip button
    await StandInPeer.last.play(script.audio(), 1500)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    await live.close()
    ended = of(told, ev.AnswerEnded)
    assert [(a.turn_index, a.reason) for a in ended] == [(PRACTICE_TURN, "candidate_done" if speaking
                                                          else "no_answer")]
    assert bool(of(told, ev.AnswerFinishing)) == speaking  # the page heard it ends at the next pause
    first = of(published, ev.QuestionAsked)[0]
    assert (first.turn_index, first.text, first.preamble) == (0, QUESTIONS[0]["text"], PRACTICE_OVER["en"])
    assert not await store.records.segments(live.id) and not await store.records.scores(live.id)
    assert "hiking" not in _text_of(published)
    assert [t.index for t in await store.records.turns(live.id)] == [0]


async def test_a_rejoin_keeps_to_the_practice_and_it_is_never_offered_once_the_interview_began(store):
    script = speak(300, 6000)
    live, published, told = await practice_interview(store, script)
    await live.connect("v=0 offer", takeover=False, practice=True)
    await until(lambda: of(told, ev.QuestionAsked), 5, "the practice question")
    await live.disconnect()
    await live.connect("v=0 offer", takeover=False, practice=True)  # the page reconnects during the practice
    await until(lambda: len(of(told, ev.QuestionAsked)) == 2, 5, "the practice question again")
    assert not of(published, ev.QuestionAsked)

    await live.disconnect()
    await live.connect("v=0 offer", takeover=False)  # the page no longer wants it: the interview begins
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    first = of(published, ev.QuestionAsked)[0]
    assert "AI interviewer" in first.preamble  # the disclosure is said again: the practice never ended

    await live.disconnect()
    await live.connect("v=0 offer", takeover=False, practice=True)  # too late for a practice
    await until(lambda: len(of(published, ev.QuestionAsked)) == 2, 5, "the first question again")
    await live.close()
    assert len(of(told, ev.QuestionAsked)) == 2
    assert [q.turn_index for q in of(published, ev.QuestionAsked)] == [0, 0]


async def test_without_a_way_to_tell_the_page_there_is_no_practice(store):
    live, published = await new_interview(store, speak(300, 2000))
    await live.connect("v=0 offer", takeover=False, practice=True)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    await live.close()
    assert of(published, ev.QuestionAsked)[0].kind == "question"
