"""The live interview loop end to end without Whisper or WebRTC: a scripted speech model, a stand-in peer that
hands the test its audio callback, a real store on SQLite, the real dialogue. Audio plays ten times faster than
real time, so a two-question interview takes about two seconds."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest
from prometheus_client import REGISTRY

from analyzers.content import ContentAnalyzer
from analyzers.llm_client import LlmClient, LlmEndpoint
from dialogue.decision_wait import DecisionWait
from dialogue.followup import RuleBasedPolicy
from dialogue.model_relevance import CONTROL_QUESTIONS
from dialogue.plan import InterviewPlanSpec, PlanQuestionSpec
from dialogue.speech_turns import PartialTranscript
from media.audio import AudioChunk
from server.live import events as ev
from server.live.analysis import AnalyzerFactory
from server.live.interview import ANSWER_TO_QUESTION_MS, LiveInterview, LiveInterviewDeps
from server.live.live_feed import LiveFeed
from server.recruiting.plans import plan_by_id
from server.storage.store import Store
from tests.fake_openai import FakeOpenAI
from tests.fake_speech import FRAME_SAMPLES, ScriptedSpeechModel, scripted_turns, speak
from tests.harness import until
from tests.test_content import BagOfWordsEmbedder

pytestmark = pytest.mark.unit

REALTIME_FACTOR = 0.1
QUESTIONS = [
    {"text": "Tell me about a project you improved.", "competency": "results", "expected_points": ["the result"]},
    {"text": "What are you proud of?", "competency": "drive", "expected_points": ["why"]},
]
ANSWER_1A = "On the reporting project I improved I started by measuring where the time was going and then"
ANSWER_1B = "I rewrote the slowest queries and we cut the load time by forty percent."
ANSWER_2 = "I am proud that last year we shipped the billing project two weeks ahead of schedule and saved money."
TWO_ANSWERS = (300, (ANSWER_1B, 3000), 3500, (ANSWER_2, 3500), 3000)  # one answer to each question


class ModelFreeAnalyzers(AnalyzerFactory):
    def content(self):
        return ContentAnalyzer(BagOfWordsEmbedder())


class StandInPeer:
    """What the interview needs of ``CandidatePeer``; the test pushes audio through ``on_audio``."""

    last: StandInPeer | None = None

    def __init__(self, connection_id, on_audio, video, on_state) -> None:
        self.connection_id, self.on_audio, self.on_state = connection_id, on_audio, on_state
        self.audio_frames = 0
        StandInPeer.last = self

    async def answer(self, offer_sdp: str) -> str:
        return "v=0 stand-in answer"

    async def close(self) -> None:
        pass

    async def play(self, pcm: np.ndarray, from_ms: int = 0, to_ms: int | None = None) -> None:
        """The script's frames in [from_ms, to_ms), at their script times on this connection's media clock."""
        for i in range(from_ms // 20, len(pcm) // FRAME_SAMPLES if to_ms is None else to_ms // 20):
            self.audio_frames += 1
            self.on_audio(AudioChunk(pcm[i * FRAME_SAMPLES:(i + 1) * FRAME_SAMPLES], i * 20))
            await asyncio.sleep(0.02 * REALTIME_FACTOR)


async def new_interview(store: Store, script, publish=None, spec: dict | None = None,
                        **deps_extra) -> tuple[LiveInterview, list[ev.BaseEvent]]:
    """``spec``: the job's plan document (None: the plain QUESTIONS)."""
    org = await store.accounts.create_org("Acme")
    job = await store.jobs.create(org.id, "Engineer", "", "en", QUESTIONS, spec=spec)
    iv = await store.interviews.create(org.id, job.id, "Kim", "", "en")
    await store.interviews.update(iv.id, status="consented")
    published: list[ev.BaseEvent] = []

    async def keep(event) -> None:
        published.append(event)

    deps = LiveInterviewDeps(**{"interviews": store.interviews, "records": store.records, "publish": publish or keep,
                                "analyzers": ModelFreeAnalyzers(), "followup_policy": RuleBasedPolicy(),
                                "nonverbal_analysis": False, "analysis_cpu_budget": 0.1, "open_peer": StandInPeer,
                                **deps_extra})
    plan = await plan_by_id(store.jobs, iv.plan_id, "Engineer", "en")
    question_ids = [q.id for q in await store.jobs.plan_questions(iv.plan_id)]
    live = LiveInterview(deps, iv.id, "en", plan, ScriptedSpeechModel(script), question_ids=question_ids,
                         turn_config=scripted_turns())
    await live.restore()
    return live, published


def of(published: list, kind: type) -> list:
    return [e for e in published if isinstance(e, kind)]


async def answer_every_question(live: LiveInterview, published: list, script) -> None:
    """Join, play ``script`` and wait for the interview to finish; the interview is closed."""
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    await StandInPeer.last.play(script.audio())
    await until(lambda: live.status == "finished", 5, "the interview to finish")
    await live.close()


async def test_answers_end_on_silence_not_in_a_thinking_pause_and_the_interview_moves_on(store):
    # the second answer starts ~3 s after the first one is decided over (the 2 s pause makes it wait ~1.6 s):
    # past the grace window, in which it would continue the first answer
    script = speak(300, (ANSWER_1A, 2500), 2000, (ANSWER_1B, 3000), 4500, (ANSWER_2, 3500), 3000)
    live, published = await new_interview(store, script)
    ANSWER_TO_QUESTION_MS.clear()
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    await StandInPeer.last.play(script.audio())
    await until(lambda: live.status == "finished", 5, "the interview to finish")
    await live.close()

    asked = [(q.turn_index, q.kind) for q in of(published, ev.QuestionAsked)]
    assert asked == [(0, "question"), (1, "question"), (2, "closing")], asked
    ended = of(published, ev.AnswerEnded)
    # the 2 s pause after "and then" did not end the first answer; each answer ended on silence after its words
    assert [(a.turn_index, a.reason, a.text) for a in ended] == [
        (0, "silence", f"{ANSWER_1A} {ANSWER_1B}"), (1, "silence", ANSWER_2)]
    turns = await store.records.turns(live.id)
    assert [(t.answer_text, t.end_reason) for t in turns] == [(a.text, "silence") for a in ended]
    segments = await store.records.segments(live.id)
    assert [s.text for s in segments] == [ANSWER_1A, ANSWER_1B, ANSWER_2]
    # answer end -> next question on the audio clock: never sooner than the silence that ends an answer (the
    # closing after the last answer is not measured when the candidate's audio stopped before it was sent)
    assert 1 <= len(ANSWER_TO_QUESTION_MS) <= 2, ANSWER_TO_QUESTION_MS
    assert min(ANSWER_TO_QUESTION_MS) >= scripted_turns().min_end_silence_ms, ANSWER_TO_QUESTION_MS
    assert [s.final for s in of(published, ev.AnswerScored)] == [True, True]

    # On the bus, per turn: speech started, partials, the finals, the answer's end, then the next question.
    types = [type(e) for e in published]
    for turn in (0, 1):
        in_turn = [e for e in published if getattr(e, "turn_index", None) == turn]
        kinds = [type(e) for e in in_turn]
        first_final = kinds.index(ev.TranscriptFinal)
        assert kinds.index(ev.SpeechStarted) < kinds.index(ev.TranscriptPartial) < first_final
        assert first_final < kinds.index(ev.AnswerEnded)
        assert all(k is not ev.TranscriptPartial for k in kinds[kinds.index(ev.AnswerEnded):])
    assert types.index(ev.AnswerEnded) < [i for i, t in enumerate(types) if t is ev.QuestionAsked][1]
    finals = of(published, ev.TranscriptFinal)
    assert [f.seq for f in finals] == sorted(f.seq for f in finals)
    assert all(f.start_ms < f.end_ms <= g.start_ms for f, g in zip(finals, finals[1:]))


async def test_observers_read_each_score_under_its_competencys_names_from_the_plan(store):
    """answer.scored carries the plan's names of the competency (the page shows the one in its language); a
    competency the plan does not name comes with none, and the page shows its key."""
    named = {"en": "Delivering results", "zh": "交付成果"}
    plan = InterviewPlanSpec(title={"en": "Engineer"}, questions=[
        PlanQuestionSpec(id=f"q{i}", competency=q["competency"], text={"en": q["text"]},
                         expected_points={"en": q["expected_points"]},
                         competency_name=named if q["competency"] == "results" else None)
        for i, q in enumerate(QUESTIONS)])
    script = speak(300, (ANSWER_1A + " " + ANSWER_1B, 5000), 4500, (ANSWER_2, 3500), 3000)
    live, published = await new_interview(store, script, spec=plan.model_dump(mode="json"))
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    await StandInPeer.last.play(script.audio())
    await until(lambda: live.status == "finished", 5, "the interview to finish")
    await live.close()
    scored = of(published, ev.AnswerScored)
    assert [(s.competency, s.competency_name) for s in scored] == [("results", named), ("drive", {})]
    assert scored[0].model_dump(mode="json")["competency_name"] == named  # as observers receive and the timeline keeps
    assert [s.competency for s in await store.records.scores(live.id)] == ["results", "drive"]  # stored by key


async def test_i_have_finished_ends_the_answer_at_once(store):
    script = speak(300, ("I led a team of five engineers", 1500), 8000)
    live, published = await new_interview(store, script)
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    playing = asyncio.create_task(StandInPeer.last.play(script.audio()))
    await until(lambda: of(published, ev.TranscriptFinal), 5, "the final")
    assert not live.candidate_finished(turn_index=1)  # not the open turn
    assert live.candidate_finished(turn_index=0)
    await until(lambda: of(published, ev.AnswerEnded), 2, "the answer's end")
    assert not playing.done()  # long before the base silence (3 s) would have ended it
    assert of(published, ev.AnswerEnded)[0].reason == "candidate_done"
    await playing
    await live.close()


async def test_a_rejoin_mid_answer_puts_the_question_again_and_keeps_what_was_said(store):
    first = "Last year I improved a project, the migration of our billing system"
    second = "and as a result we cut the monthly costs by forty percent."
    script = speak(300, (first, 2500), 1000, (second, 3000), 3000)
    live, published = await new_interview(store, script)
    pcm = script.audio()
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    await StandInPeer.last.play(pcm, 0, 3600)
    await until(lambda: of(published, ev.TranscriptFinal), 5, "the first words")
    await live.disconnect()  # the connection drops mid-answer

    await live.connect("v=0 offer", takeover=False)
    await until(lambda: len(of(published, ev.QuestionAsked)) == 2, 5, "the question again")
    await StandInPeer.last.play(pcm, 3600)
    await until(lambda: len(of(published, ev.QuestionAsked)) == 3, 5, "the next question")
    await live.close()

    asked = [(q.turn_index, q.kind) for q in of(published, ev.QuestionAsked)]
    assert asked == [(0, "question"), (0, "question"), (1, "question")], asked
    ended = of(published, ev.AnswerEnded)
    assert [(a.turn_index, a.reason, a.text) for a in ended] == [(0, "silence", f"{first} {second}")]
    segments = await store.records.segments(live.id)
    assert len({s.connection_id for s in segments}) == 2


async def test_a_full_queue_drops_partials_and_counts_them(store):
    gate = asyncio.Event()

    async def stuck(event) -> None:
        await gate.wait()

    live, _ = await new_interview(store, speak(100), publish=stuck)
    live._enqueue(ev.InterviewStateChanged(interview_id=live.id, status="live"))  # the worker waits on this one
    await asyncio.sleep(0.01)
    for i in range(600):
        live.on_partial_transcript(PartialTranscript(f"word {i}", i, i + 1))
    assert live._work.qsize() == live._work.maxsize == 512
    assert live.dropped_work == 600 - 512
    gate.set()
    await live.close()


async def test_observations_reach_observers_while_the_worker_waits(store):
    """The HR panel's observations do not queue behind the worker: while it waits (here on publishing an event that
    is kept, as it may wait on the database), an observation of the candidate still goes out at once."""
    gate = asyncio.Event()
    published: list[ev.BaseEvent] = []

    async def publish(event) -> None:
        if event.type not in ev.TRANSIENT_EVENT_TYPES:
            await gate.wait()
        published.append(event)

    live, _ = await new_interview(store, speak(100), publish=publish)
    live._enqueue(ev.InterviewStateChanged(interview_id=live.id, status="live"))  # the worker waits on this one
    await asyncio.sleep(0.01)
    observation = ev.ObservationEvent(interview_id=live.id, analyzer="face", turn_index=0, t_ms=40,
                                      values={"gaze_on_screen": 0.9})
    live.analysis._emit(observation)
    await until(lambda: observation in published, 2, "the observation published")
    assert not of(published, ev.InterviewStateChanged)  # the worker is still waiting
    gate.set()
    await live.close()
    assert of(published, ev.InterviewStateChanged)


async def test_the_live_feed_drops_the_oldest_when_observers_are_slow():
    """Bounded: when publishing is slower than observations come, the oldest waiting ones are dropped and counted;
    the one being published and the newest go out, in order."""
    gate = asyncio.Event()
    published: list[int] = []

    async def publish(event) -> None:
        await gate.wait()
        published.append(event.t_ms)

    dropped_before = REGISTRY.get_sample_value("interview_live_feed_dropped_total") or 0
    feed = LiveFeed(publish, capacity=3)
    for t in range(1, 7):
        feed.offer(ev.ObservationEvent(interview_id="iv", analyzer="face", turn_index=0, t_ms=t, values={}))
        await asyncio.sleep(0)
    gate.set()
    await feed.close()
    assert published == [1, 4, 5, 6] and feed.dropped == 2
    assert REGISTRY.get_sample_value("interview_live_feed_dropped_total") - dropped_before == 2  # operators see it


def _judge(fake) -> LlmClient:
    """A judge whose model finds every answer fits a control question (another kind of event) far better than the
    one asked."""
    control = CONTROL_QUESTIONS["en"][0]
    fake.odds_for = lambda body: ({"Yes": 0.97, "No": 0.03} if control in body["messages"][1]["content"]
                                  else {"Yes": 0.6, "No": 0.4})
    return LlmClient(LlmEndpoint(fake.base_url, "judge-1"), timeout_s=10)


@pytest.fixture
async def fake_openai():
    srv = FakeOpenAI()
    await srv.start()
    yield srv
    await srv.stop()


async def test_the_model_is_asked_at_pauses_and_its_judgement_decides_and_is_recorded(store, fake_openai):
    script = speak(300, (ANSWER_1A, 2500), 2000, (ANSWER_1B, 3000), 8000)
    live, published = await new_interview(store, script, judge=_judge(fake_openai), decision_wait=DecisionWait(5))
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    await StandInPeer.last.play(script.audio())
    await until(lambda: of(published, ev.FollowUpChosen), 10, "the next move")
    await live.close()

    asked = [r["messages"][1]["content"] for r in fake_openai.requests]
    assert any(ANSWER_1A in a and ANSWER_1B not in a for a in asked)  # at the pause, on the words so far
    chosen = of(published, ev.FollowUpChosen)[0]
    assert chosen.kind == "clarify"  # the model found the answer to be about something else
    scored = of(published, ev.AnswerScored)[0]
    assert scored.scored_by == "judge-1 + rules" and scored.score <= 1.5
    assert [s.scored_by for s in await store.records.scores(live.id)] == ["judge-1 + rules"]


async def test_a_model_that_has_been_late_is_not_waited_for_and_its_reply_is_still_timed(store, fake_openai):
    """The node's recent replies all came after the wait: the next move does not wait for this one either (a 10-s
    wait would have taken the model's 3-s reply as the decision), the late reply refines the score, and its time
    is counted, so waiting can resume."""
    wait = DecisionWait(10.0, window=10)
    for _ in range(6):
        wait.observe(20.0, replied=True)
    assert wait.seconds() == 0
    script = speak(300, (ANSWER_2, 3500), 8000)
    live, published = await new_interview(store, script, judge=_judge(fake_openai), decision_wait=wait)
    fake_openai.mode = "slow"  # 3 s a reply
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    await StandInPeer.last.play(script.audio())
    await until(lambda: len(of(published, ev.QuestionAsked)) > 1, 5, "the next question")
    assert of(published, ev.FollowUpChosen)[0].source == "rules"
    await until(lambda: of(published, ev.AnswerScored), 5, "the rules' score")  # kept once the question is out
    assert of(published, ev.AnswerScored)[0].scored_by == "rules"
    fake_openai.mode = "good"  # the asks still to come (one per control question) answer at once
    await until(lambda: len(of(published, ev.AnswerScored)) > 1, 20, "the model's refined score")
    await live.close()
    assert of(published, ev.AnswerScored)[1].scored_by == "judge-1 + rules"
    assert wait.in_time_share == round(1 / 7, 2)  # timed, and within the 10-s wait: one of the seven newest


async def test_a_slow_model_does_not_hold_the_next_question_and_refines_the_score_later(store, fake_openai):
    script = speak(300, (ANSWER_2, 3500), 8000)
    live, published = await new_interview(store, script, judge=_judge(fake_openai), decision_wait=DecisionWait(0.2))
    fake_openai.mode = "slow"  # 3 s a reply
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    await StandInPeer.last.play(script.audio())
    await until(lambda: len(of(published, ev.QuestionAsked)) > 1, 5, "the next question")
    first = await until(lambda: of(published, ev.AnswerScored), 5, "the rules' score")  # kept once the question is out
    assert first[0].scored_by == "rules" and of(published, ev.FollowUpChosen)[0].source == "rules"
    fake_openai.mode = "good"  # the model catches up (the asks still to come: one per control question)
    await until(lambda: len(of(published, ev.AnswerScored)) > 1, 20, "the model's refined score")
    await live.close()
    refined = of(published, ev.AnswerScored)[1]
    assert refined.turn_index == first[0].turn_index and refined.scored_by == "judge-1 + rules"
    stored = await store.records.scores(live.id)
    assert [(s.turn_index, s.scored_by) for s in stored] == [(0, "judge-1 + rules")]  # replaced, not added


async def test_the_next_question_is_put_before_the_answers_score_is_stored(store):
    # storing a score is not something the candidate waits for: with its write held up, the next question still goes
    # out (and the interview's place is stored with it); the score follows once the write goes through
    script = speak(300, (ANSWER_2, 3500), 3000)
    release = asyncio.Event()
    add_score = store.records.add_score

    async def held_add_score(*args, **kwargs):
        await release.wait()
        await add_score(*args, **kwargs)
    store.records.add_score = held_add_score
    live, published = await new_interview(store, script)
    ANSWER_TO_QUESTION_MS.clear()
    try:
        await live.connect("v=0 offer", takeover=False)
        await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
        await StandInPeer.last.play(script.audio())
        await until(lambda: len(of(published, ev.QuestionAsked)) > 1, 5, "the next question")
        assert not of(published, ev.AnswerScored) and await store.records.scores(live.id) == []
        assert (await store.interviews.get(live.id)).question_index == 1
        # the wait measured is the candidate's: up to the question, not the score's write after it
        await until(lambda: ANSWER_TO_QUESTION_MS, 5, "the answer-to-question time")
    finally:
        release.set()
    await until(lambda: of(published, ev.AnswerScored), 5, "the score")
    await live.close()
    assert [s.turn_index for s in await store.records.scores(live.id)] == [0]
    types = [type(e) for e in published]
    assert types.index(ev.FollowUpChosen) < types.index(ev.QuestionAsked, types.index(ev.AnswerEnded))


async def test_every_answer_is_scored_before_the_interview_finishes(store):
    # the last answer's score is kept before the closing words: a finished interview's figures are complete
    script = speak(*TWO_ANSWERS)
    scores_at_finish: list[int] = []
    published: list[ev.BaseEvent] = []

    async def keep(event) -> None:
        published.append(event)
        if isinstance(event, ev.InterviewStateChanged) and event.status == "finished":
            scores_at_finish.append(len(await store.records.scores(event.interview_id)))
    live, _ = await new_interview(store, script, publish=keep)
    await answer_every_question(live, published, script)
    assert [q.kind for q in of(published, ev.QuestionAsked)] == ["question", "question", "closing"]
    assert scores_at_finish == [2]


async def test_the_content_analyzer_loads_as_the_candidate_joins_not_at_the_first_answers_end(store):
    class CountingAnalyzers(ModelFreeAnalyzers):
        loads = 0

        def content(self):
            CountingAnalyzers.loads += 1
            return super().content()
    script = speak(300, (ANSWER_2, 3500), 3000)
    live, published = await new_interview(store, script, analyzers=CountingAnalyzers())
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: CountingAnalyzers.loads == 1, 5, "the content analyzer")
    await live.close()


async def test_interviews_that_want_the_content_analyzer_at_once_share_one_load():
    started = threading.Event()
    finish = threading.Event()

    class SlowAnalyzers(ModelFreeAnalyzers):
        loads = 0

        def content(self):
            SlowAnalyzers.loads += 1
            started.set()
            finish.wait(5)
            return super().content()
    factory = SlowAnalyzers()
    waiting = [asyncio.ensure_future(factory.content_analyzer()) for _ in range(4)]
    await asyncio.to_thread(started.wait, 5)
    await asyncio.sleep(0.05)
    finish.set()
    analyzers = await asyncio.gather(*waiting)
    assert SlowAnalyzers.loads == 1 and all(a is analyzers[0] for a in analyzers)
    assert await factory.content_analyzer() is analyzers[0]


async def test_a_score_that_cannot_be_stored_does_not_stop_the_interview(store):
    script = speak(*TWO_ANSWERS)
    tries: list[int] = []

    async def failing_add_score(*args, **kwargs):
        tries.append(args[1])
        raise RuntimeError("disk full")
    store.records.add_score = failing_add_score
    live, published = await new_interview(store, script)
    await answer_every_question(live, published, script)
    assert [q.kind for q in of(published, ev.QuestionAsked)] == ["question", "question", "closing"]
    assert len(of(published, ev.AnswerEnded)) == 2 and not of(published, ev.AnswerScored)
    assert tries == [0, 1]  # both answers were evaluated; only their writes failed


async def test_an_answer_that_goes_on_after_its_evaluation_withdraws_the_models_late_judgement(store, fake_openai):
    # the answer ends, is evaluated with the model late, and goes on before its next question opens: that judgement
    # is not waited for nor used any more (the whole answer is judged at its real end), so its ask is withdrawn
    from tests.test_answer_resume import ANSWER, MORE, play_until
    script = speak(300, (ANSWER, 4000), 1500, (MORE, 3000), 8000)
    held, release = asyncio.Event(), asyncio.Event()
    published: list[ev.BaseEvent] = []

    async def publish(event) -> None:
        published.append(event)
        if isinstance(event, ev.FollowUpChosen) and not release.is_set():
            held.set()  # the next question waits here while the candidate goes on
            await release.wait()
    live, _ = await new_interview(store, script, publish=publish, judge=_judge(fake_openai),
                                  decision_wait=DecisionWait(0.2))
    fake_openai.mode = "slow"  # 3 s a reply: later than the 0.2-s wait
    replies: list[str] = []
    time_reply = live._time_reply
    live._time_reply = lambda ended, asked: (replies.append("withdrawn" if asked.cancelled() else "came"),
                                             time_reply(ended, asked))
    pcm = script.audio()
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    at = await play_until(pcm, 0, lambda: bool(of(published, ev.AnswerEnded)))
    await until(lambda: held.is_set(), 5, "the follow-up's choice")
    await play_until(pcm, at, lambda: bool(of(published, ev.AnswerResumed)))
    release.set()
    await until(lambda: replies, 5, "the late judgement's end")
    await live.close()
    assert replies[0] == "withdrawn"
    assert not live._refining and not of(published, ev.AnswerScored)
