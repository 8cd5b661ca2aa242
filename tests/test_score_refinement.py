"""A score the language model's late judgement refines is durable work: the interview's node refines it itself when
the model replies (the fast path), and the same refinement is queued (``scoring.refine``), so when that node dies
first another node stores the model-informed score and every observer sees it; when the fast path did it, the job
changes nothing; with no model anywhere the job is retried, then fails visibly, and the rules' score stays.

Node A is a live interview on the loop of tests/test_live_loop.py (scripted speech, a stand-in peer) whose judge is
the scripted OpenAI-compatible server; node B is a whole server process on the same database (its own queue worker,
bus and judge client). Time for the queue is one test clock: no waiting for backoffs."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import timedelta

import pytest

from dialogue.answer_judgement import judge_answer
from dialogue.decision_wait import DecisionWait
from dialogue.followup import RuleBasedPolicy, build_context
from dialogue.model_relevance import CONTROL_QUESTIONS, ModelRelevance
from server.live import events as ev
from server.live.interview import LiveInterview
from server.live.score_refinement import (
    KIND,
    RefineRequest,
    digest,
    due_after_s,
    queue_refinement,
)
from server.live.turn_score import ScoredTurn, TurnScores
from server.platform.work_queue import WorkQueue
from server.recruiting.plans import plan_by_id
from server.storage.models import as_utc, utcnow
from server.storage.store import Store
from tests.fake_speech import speak
from tests.harness import running_server, until
from tests.test_live_loop import (
    ANSWER_2,
    ModelFreeAnalyzers,
    StandInPeer,
    _judge,
    new_interview,
    of,
)
from tests.test_work_queue import Clock

pytestmark = pytest.mark.unit

MARGIN_S = 5.0  # llm_refine_margin_s's default
JUDGE = "judge-1 + rules"


@contextlib.asynccontextmanager
async def node_b(store: Store, data_dir, clock: Clock, **overrides):
    """Another server process on the interview's database, its queue on the test clock, its content analysis the
    same as node A's (no embedding model)."""
    async with running_server(store.db.url, data_dir, seed=False, job_poll_s=0.2, **overrides) as h:
        h.ctx.queue.clock = clock
        h.ctx.analyzers = ModelFreeAnalyzers()
        yield h


async def late_scored_interview(store: Store, fake, clock: Clock, max_attempts: int = 5):
    """Node A: an answer whose judgement is late (the model takes 3 s a reply; the next move waits 0.2 s), so the
    rules' score is stored and the refinement is queued. Returns the interview, what it published and the job."""
    judge = _judge(fake)
    queue = WorkQueue(store.background, max_attempts, clock)

    async def queue_it(request) -> None:  # as ServerContext.queue_refinement does
        await queue_refinement(queue, request, after_s=due_after_s(request, judge.timeout_s, MARGIN_S))

    script = speak(300, (ANSWER_2, 3500), 8000)
    live, published = await new_interview(store, script, judge=judge, decision_wait=DecisionWait(0.2),
                                          queue_refinement=queue_it)
    fake.mode = "slow"
    await live.connect("v=0 offer", takeover=False)
    await until(lambda: of(published, ev.QuestionAsked), 5, "the first question")
    await StandInPeer.last.play(script.audio())
    await until(lambda: len(of(published, ev.QuestionAsked)) > 1, 5, "the next question")
    first = await until(lambda: of(published, ev.AnswerScored), 5, "the rules' score")  # kept once the question is out
    assert [s.scored_by for s in first] == ["rules"]
    jobs = await until(lambda: store.background.listing(kind=KIND), 5, "the queued refinement")
    return live, published, jobs[0]


async def node_dies(live: LiveInterview) -> None:
    """What a killed process leaves of the interview: nothing of it runs on, its own refinement included."""
    tasks = [*live._refining, live._worker, *([live._preparing] if live._preparing else [])]
    assert live._refining, "the interview's own refinement was waiting for the model"
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def model_informed_score(store: Store, interview_id: str) -> float:
    """The score the fast path would store for ANSWER_2 with the scripted model's judgement (it finds the answer
    to fit the first control question far better than the question asked)."""
    iv = await store.interviews.get(interview_id)
    spec = (await plan_by_id(store.jobs, iv.plan_id, iv.job.title, iv.language)).questions[0]
    ctx = build_context(ModelFreeAnalyzers().content(), spec, "en", [ANSWER_2])
    controls = (0.97,) + (0.6,) * (len(CONTROL_QUESTIONS["en"]) - 1)
    judged = await judge_answer(ctx, RuleBasedPolicy(), relevance=ModelRelevance(0.6, controls, "judge-1", 0.0))
    return judged.score.score


async def test_a_late_judgement_whose_node_died_is_stored_by_another_node_and_shown(store, fake_openai, tmp_path):
    clock = Clock(utcnow())
    async with node_b(store, tmp_path / "b", clock, llm_engine=fake_openai.base_url, llm_model="judge-1") as b:
        live, published, job = await late_scored_interview(store, fake_openai, clock)
        rules = of(published, ev.AnswerScored)[0]
        await node_dies(live)
        assert ANSWER_2 not in json.dumps(job.payload)  # ids and what cannot be looked up again
        watching = b.ctx.bus.subscribe(live.id)  # an observer on node B

        clock.now += timedelta(seconds=_judge(fake_openai).timeout_s)
        b.ctx.worker.wake()
        await asyncio.sleep(0.5)
        assert (await store.background.get(job.id)).state == "queued"  # node A's own refinement may still come
        fake_openai.mode = "good"
        clock.now = as_utc(job.run_after)
        b.ctx.worker.wake()
        done = await until(lambda: _state(store, job.id, "done"), 20, "node B to run the refinement")

        assert done.attempts == 1 and done.locked_by is None
        stored = await store.records.scores(live.id)
        expected = await model_informed_score(store, live.id)
        assert [(s.turn_index, s.scored_by, s.score) for s in stored] == [(0, JUDGE, expected)]
        assert expected < rules.score  # the model found the answer to be about something else: a lower score
        seen = await asyncio.wait_for(watching.queue.get(), 5)
        assert (seen["type"], seen["turn_index"], seen["scored_by"], seen["score"], seen["final"]) == (
            "answer.scored", 0, JUDGE, expected, rules.final)
        await b.ctx.store.records.flush()  # node B's timeline row (written behind its publish)
        kept = await store.records.events(live.id, types=["answer.scored"])
        assert [(e.payload["scored_by"], e.payload["score"]) for e in kept] == [(JUDGE, expected)]  # the timeline


async def test_when_the_interview_refined_its_score_itself_the_job_changes_nothing(store, fake_openai, tmp_path):
    clock = Clock(utcnow())
    async with node_b(store, tmp_path / "b", clock, llm_engine=fake_openai.base_url, llm_model="judge-1") as b:
        live, published, job = await late_scored_interview(store, fake_openai, clock)
        fake_openai.mode = "good"  # the model catches up while node A still runs the interview
        await until(lambda: len(of(published, ev.AnswerScored)) > 1, 30, "the interview's own refinement")
        await live.close()
        expected = await model_informed_score(store, live.id)
        assert of(published, ev.AnswerScored)[1].score == expected
        before = await store.records.scores(live.id)
        asked = len(fake_openai.requests)
        watching = b.ctx.bus.subscribe(live.id)

        clock.now = as_utc(job.run_after)
        b.ctx.worker.wake()
        done = await until(lambda: _state(store, job.id, "done"), 20, "node B to run the job")

        assert done.attempts == 1 and not done.last_error
        after = await store.records.scores(live.id)
        assert [(s.scored_by, s.score, s.evidence) for s in after] == [(s.scored_by, s.score, s.evidence)
                                                                       for s in before]
        assert [(s.scored_by, s.score) for s in after] == [(JUDGE, expected)]
        assert len(fake_openai.requests) == asked  # the model was not asked again
        assert watching.queue.empty()  # no second answer.scored
        assert await store.records.events(live.id, types=["answer.scored"]) == []


async def test_with_no_model_the_job_is_retried_then_fails_and_the_rules_score_stays(store, fake_openai, tmp_path):
    clock = Clock(utcnow())
    async with node_b(store, tmp_path / "b", clock, llm_engine="off", job_retry_base_s=1) as b:
        live, published, job = await late_scored_interview(store, fake_openai, clock, max_attempts=2)
        rules = of(published, ev.AnswerScored)[0]
        await node_dies(live)
        watching = b.ctx.bus.subscribe(live.id)

        clock.now = as_utc(job.run_after)
        b.ctx.worker.wake()
        retried = await until(lambda: _state(store, job.id, "queued", attempts=1), 20, "the first run")
        assert "the language model is off" in retried.last_error
        assert as_utc(retried.run_after) == clock.now + timedelta(seconds=1)  # after the backoff
        clock.now += timedelta(seconds=1)
        b.ctx.worker.wake()
        failed = await until(lambda: _state(store, job.id, "failed"), 20, "the job to fail")

        assert failed.attempts == 2 and failed.last_error.startswith("ModelUnavailable: the language model is off")
        listed = await store.background.listing(state="failed", kind=KIND)
        assert [j.id for j in listed] == [job.id]  # what admins see at /api/v1/background-jobs
        stored = await store.records.scores(live.id)
        assert [(s.turn_index, s.scored_by, s.score) for s in stored] == [(0, "rules", rules.score)]
        assert watching.queue.empty()


async def _state(store: Store, job_id: str, state: str, attempts: int | None = None):
    row = await store.background.get(job_id)
    if row.state == state and (attempts is None or row.attempts == attempts):
        return row
    return None


@pytest.mark.models
async def test_the_embedded_engine_refines_a_queued_score(store, tmp_path):
    """The job on a server whose own llama.cpp engine serves the judge model (scripts/setup.sh installs both; a
    worktree without them: INTERVIEW_MODEL_CACHE_DIR). A few real asks: about a minute on 2 cores."""
    question = "Tell me about a time you made a slow system faster."
    answer = ("Last year I ran our team's move to a new office. I booked the movers, labelled every desk and had the "
              "network up by Monday morning, so nobody lost a working day.")
    clock = Clock(utcnow())
    async with node_b(store, tmp_path / "b", clock, llm_engine="embedded", llm_timeout_s=60) as b:
        assert await b.ctx.language_model.wait_ready(), b.ctx.language_model.status()
        org = await store.accounts.create_org("Acme")
        job = await store.jobs.create(org.id, "Engineer", "", "en", [{"text": question, "competency": "results"}])
        iv = await store.interviews.create(org.id, job.id, "Kim", "", "en")
        spec = (await plan_by_id(store.jobs, iv.plan_id, "Engineer", "en")).questions[0]
        await store.records.add_turn(iv.id, 0, 0, None, "question", question)
        await store.records.end_turn(iv.id, 0, answer, "silence")
        turn = ScoredTurn(iv.id, 0, 0, final=True)
        actx = build_context(ModelFreeAnalyzers().content(), spec, "en", [answer])
        await TurnScores(store.records, b.ctx.publish_event, RuleBasedPolicy()).keep(
            turn, await judge_answer(actx, RuleBasedPolicy()))  # the rules' score, as the interview kept it
        await b.ctx.queue_refinement(RefineRequest(interview_id=iv.id, turn_index=0, question_index=0, final=True,
                                                   answers_digest=digest([answer])), org_id=org.id)
        (queued,) = await store.background.listing(kind=KIND)
        watching = b.ctx.bus.subscribe(iv.id)

        clock.now = as_utc(queued.run_after)
        b.ctx.worker.wake()
        done = await until(lambda: _state(store, queued.id, "done"), 300, "the refinement with the real model")

        model = b.ctx.language_model.client.model
        assert done.attempts == 1
        assert [s.scored_by for s in await store.records.scores(iv.id)] == [f"{model} + rules"]
        seen = await asyncio.wait_for(watching.queue.get(), 5)
        assert (seen["type"], seen["scored_by"]) == ("answer.scored", f"{model} + rules")
