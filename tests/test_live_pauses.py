"""Thinking pauses in a live interview: an aiortc candidate plays generated answers with pauses of the three kinds
(after an unfinished clause, between sentences, after "let me think"; 0.9-1.5 s) through the real server, speech
recognition and end-of-answer detector (its defaults: the fused model of dialogue/end_fusion.py with the dev set's
weights, the acoustic model asked at every pause). No pause may be taken for the end of an answer, even for a moment,
and every answer must get its next question before the next answer starts."""

from __future__ import annotations

import pytest

from benchmarks.answer_corpus import TAIL_S, build_corpus
from benchmarks.synthetic_candidate import SyntheticCandidate
from benchmarks.synthetic_media import make_speech_wav
from dialogue.plan_io import load_plan
from tests.harness import running_server

pytestmark = [pytest.mark.models]

ANSWER_IDS = ("en004", "en005", "en009", "en010")
"""The turn-taking benchmark's generated answers (seed 7) with pauses: one after "let me think", two between
sentences, three after an unfinished clause ("because...", "so...")."""

PLAN = """
version: 1
title: {en: Engineer}
questions:
""" + "".join(f"""  - id: q{i}
    competency: delivering results
    text: {{en: 'Tell me about a piece of work you are proud of ({i}).'}}
    max_follow_ups: 0
""" for i in range(len(ANSWER_IDS)))


async def test_no_thinking_pause_is_taken_for_the_end_and_every_answer_gets_its_next_question(sqlite_url, tmp_path):
    answers = [a for a in build_corpus(12, 0, seed=7) if a.id in ANSWER_IDS]
    assert [a.id for a in answers] == list(ANSWER_IDS) and sum(len(a.pauses) for a in answers) == 6
    script = [part for a in answers for part in a.script]
    timeline = make_speech_wav(tmp_path / "answers.wav", script, voice="en-us")
    spoken = [sum(isinstance(p, str) for p in a.script) for a in answers]  # spoken parts per answer
    async with running_server(sqlite_url, tmp_path / "data") as h:
        await h.use_plan(load_plan(PLAN), "Engineer")
        _, token = await h.create_interview("Lee")
        async with SyntheticCandidate(h.base_url, token, timeline.path, None, timeline=timeline,
                                      hold_audio=True) as cand:
            await cand.wait_for_type("question.asked", 30)
            cand.release_audio()
            await cand.wait_for_type("interview.state", 60 + timeline.duration_s * 2, status="finished")
            events = cand.events
            ends_sent = cand.speech_end_times

    # wall time each spoken part started and ended leaving the candidate's microphone
    offset = ends_sent[0] - timeline.parts[0].end_s
    starts = [offset + p.start_s for p in timeline.parts]
    ends = [offset + p.end_s for p in timeline.parts]
    first_part = [sum(spoken[:i]) for i in range(len(answers))]
    last_part = [first_part[i] + spoken[i] - 1 for i in range(len(answers))]

    ended = [e for e in events if e.type == "answer.ended"]
    asked = [e for e in events if e.type == "question.asked"]
    assert [e.type for e in events if e.type == "answer.resumed"] == []  # no end had to be taken back either
    assert [e["turn_index"] for e in ended] == list(range(len(answers))), [e.data for e in ended]
    assert [e["reason"] for e in ended] == ["silence"] * len(answers)
    for i, end in enumerate(ended):
        # not in a pause: after the answer's last words (the 6-s silence after it is the only end)
        assert end.received_at > ends[last_part[i]], (answers[i].id, end.received_at - ends[last_part[i]])
        assert end.received_at < ends[last_part[i]] + TAIL_S, (answers[i].id, end.received_at - ends[last_part[i]])
        # its next question (or the closing) came before the candidate's next answer began
        following = next(q for q in asked if q["turn_index"] == i + 1)
        assert following.received_at > end.received_at
        if i + 1 < len(answers):
            assert following.received_at < starts[first_part[i + 1]], answers[i].id
    assert [q["kind"] for q in asked] == ["question"] * len(answers) + ["closing"]
