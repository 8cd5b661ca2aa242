"""One live interview on this node: the candidate's connection, speech turns, the dialogue loop.

Speech recognition and end-of-answer decisions live in ``dialogue.speech_turns.SpeechTurns``, which reports to the
interview through its hooks (``SpeechTurnHooks``, implemented here). Every hand-off, and everything that reaches
the store or the bus, goes through one bounded, ordered worker queue of typed items handled by type, so observers
see events in the order they happened and a crash loses at most the utterance being spoken, the score of an
answer whose next question had just gone out (the score is stored after it, ``_Move``) and the timeline records
of the events published in the last moment (they are group-committed behind the bus, ``publish_event``). Two
exceptions to the order: the captions of an answer that goes on while the worker is still closing it
(``server/live/captions.py``), and observations and media statistics, which are not kept and go out beside the
worker (``server/live/live_feed.py``). Model calls happen inside the transcriber on the inference pool, never on
the event loop.

An answer decided over on silence can be taken back for ``TurnTakingConfig.resume_grace_ms`` (``_GraceWindow``):
speech that starts again that soon continues the same turn (same transcript, re-scored when it ends), and the
question chosen meanwhile is never sent, or is withdrawn if the page has not finished speaking it.

Over 500 lines because the hooks, the worker and the dialogue steps all read and change one interview's state
(turn, answer, connection); speech, analysis and storage already live in their own modules.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Protocol, TypeVar

import structlog

from dialogue import speech_turns as speech
from dialogue.session import DISCLOSURE, PRACTICE_INTRO, PRACTICE_OVER, InterviewSession, PlanQuestion, Prompt, \
    check_transition
from analyzers.text.language import normalise_language
from analyzers.llm_client import LlmClient, LlmError
from dialogue.answer_judgement import judge_answer
from dialogue.decision_wait import DecisionWait
from dialogue.model_relevance import ModelRelevance, ask_model_relevance
from dialogue.followup import AnswerContext, FollowUpDecision, FollowUpPolicyV2
from dialogue.plan import InterviewPlanSpec
from dialogue.turn_taking import TurnTakingConfig
from media.audio import AudioChunk
from media.peer import CandidatePeer
from analyzers.asr import SpeechModel
from analyzers.video_scheduler import AnalysisBudget
from media.video import LatestFrameSlot
from server.live import events as ev
from server.live.captions import CaptionsAtOnce
from server.live.live_feed import LiveFeed
from server.live.analysis import AnalyzerFactory, InterviewAnalysis
from server.live.practice import PRACTICE_TURN, PracticeTurn, TellCandidate
from server.live.score_refinement import RefineRequest, digest, nonverbal_payload
from server.live.turn_score import ScoredTurn, TurnScores, analyse_answers, answer_words
from server.platform.metrics import ANSWER_TO_QUESTION_SECONDS
from server.storage.models import new_id
from server.storage.interview_records import InterviewRecordRepository
from server.storage.interviews import InterviewRepository

log = structlog.get_logger(__name__)
_T = TypeVar("_T")

# Every session's response times (the candidate's last voiced frame -> the next question sent, on the audio clock),
# for the process-wide figure on /api/v1/health: what the benchmark's detector latency becomes in the server.
ANSWER_TO_QUESTION_MS: deque[float] = deque(maxlen=5000)


class ConnectError(Exception):
    def __init__(self, code: str, message: str, status: int = 409):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class MediaPeer(Protocol):
    """The candidate's media connection as the interview uses it (``media.peer.CandidatePeer``)."""

    audio_frames: int

    async def answer(self, offer_sdp: str) -> str: ...

    async def close(self) -> None: ...


PeerFactory = Callable[[str, Callable[[AudioChunk], None], LatestFrameSlot, Callable[[str], Awaitable[None]]],
                       MediaPeer]
"""(connection id, on_audio, video slot, on_state) -> a peer; ``CandidatePeer`` in the server."""


@dataclass(frozen=True)
class LiveInterviewDeps:
    """What a live interview needs from its process, and nothing more (not the whole server context)."""

    interviews: InterviewRepository
    records: InterviewRecordRepository
    publish: Callable[[ev.InterviewEvent], Awaitable[None]]
    """Send an event to every observer and keep it in the timeline (``ServerContext.publish_event``)."""
    analyzers: AnalyzerFactory
    followup_policy: FollowUpPolicyV2
    nonverbal_analysis: bool
    """The deployment allows face/voice analysis at all (``Settings.nonverbal_analysis``); the candidate's consent
    decides per interview."""
    analysis_cpu_budget: float
    open_peer: PeerFactory = CandidatePeer
    judge: LlmClient | None = None
    """The language model's client (``server/platform/language_model.py``); None or not ready: the rules alone."""
    decision_wait: DecisionWait = field(default_factory=DecisionWait)
    """How long after an answer's end the next move waits for the model's judgement: the process's one, which
    times the replies of all its interviews (``dialogue/decision_wait.py``)."""
    tell_candidate: TellCandidate | None = None
    """Send an event to the candidate's page alone (``ServerContext.tell_candidate``); None: no practice question."""
    queue_refinement: Callable[[RefineRequest], Awaitable[object]] | None = None
    """Queue a late model judgement's refinement of a score as durable work, run on any node if this one cannot
    (``ServerContext.queue_refinement``, ``server/live/score_refinement.py``); None: only this node's own task."""


@dataclass
class _Connection:
    id: str
    peer: MediaPeer
    video: LatestFrameSlot
    tasks: list[asyncio.Task]
    state: str = "connecting"


@dataclass(frozen=True)
class _Resume:
    """Put the current question again, or the first one (a connection was made)."""


@dataclass
class _QuestionState:
    """What the follow-up policy needs about the current planned question: its answers and probes so far."""

    started_ms: int
    answers: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    def copy(self) -> _QuestionState:
        return _QuestionState(self.started_ms, list(self.answers), list(self.asked))


@dataclass
class _GraceWindow:
    """An answer just decided over on silence, as the interview stood before it moved on: what taking the end back
    (the candidate spoke again within the grace window) restores."""

    answer: int
    """The speech-turns number of the ended answer (``SpeechResumed.answer``)."""
    turn_index: int
    current: Prompt | None
    question_index: int
    turn_count: int
    finished: bool
    question_state: _QuestionState
    heard: list[str]
    answer_from_seq: int
    next_turn: int | None = None
    """The turn opened for the question chosen next (None: not yet)."""
    next_answer: int | None = None
    next_sent: bool = False
    """Its ``question.asked`` went out."""
    next_spoken: bool = False
    """The page finished speaking it (``question.spoken``): speech after that answers it."""
    ended_notice: asyncio.Future | None = None
    """The publishing of its ``answer.ended`` (the page was told)."""
    resumed_notice: asyncio.Future | None = None
    """The publishing of its ``answer.resumed``, when it went out ahead of the worker."""


@dataclass(frozen=True)
class _TakeBack:
    """Withdraw the question asked after ``grace``'s answer: the candidate went on with that answer at ``at_ms``."""

    grace: _GraceWindow
    at_ms: int


@dataclass
class _Move:
    """An evaluated answer's next move, and its score to keep once the move is made."""

    decision: FollowUpDecision | None
    """The policy's decision (None: it failed, the interview moves on)."""
    follow_up: Prompt | None
    """The follow-up to put (None: the next question)."""
    keep_score: Callable[[], Awaitable[None]]
    """Store the score, show it to observers and, when the model's judgement is late, leave its refinement to come:
    database writes the candidate need not wait for, so they run after the next question is out."""
    late_judgement: asyncio.Task | None = None
    """The model's judgement the refinement would wait for (None: it came in time, or there is no model)."""

    def drop(self) -> None:
        """The answer went on after all: its score is not kept, and the model's late judgement is not needed."""
        if self.late_judgement is not None:
            self.late_judgement.cancel()

_WorkItem = (ev.BaseEvent | _Resume | _TakeBack | speech.SpeechStarted | speech.SpeechEnded
             | speech.PartialTranscript | speech.FinalTranscript | speech.AnswerEnded)
"""What the worker queue carries: events to publish as they are, and speech-turn events to act on."""


class LiveInterview:
    """Implements ``SpeechTurnHooks``: its ``SpeechTurns`` reports through the ``on_*`` methods."""

    def __init__(
        self,
        deps: LiveInterviewDeps,
        interview_id: str,
        language: str,
        plan: InterviewPlanSpec,
        speech_model: SpeechModel,
        turn_config: TurnTakingConfig | None = None,
        nonverbal_weight: float = 0.0,
        question_ids: list[str] | None = None,
        end_of_turn: speech.EndOfTurnModel | None = None,
    ):
        """``end_of_turn``: the acoustic end-of-turn model the answer-end detector also listens to (None: silence
        and words only)."""
        self.deps = deps
        self.interviews = deps.interviews
        self.records = deps.records
        self.id = interview_id
        self.language = language
        self.plan = plan
        self.nonverbal_weight = nonverbal_weight
        self.scores = TurnScores(deps.records, self.publish, deps.followup_policy, plan.competency_names())
        lang = normalise_language(language)
        ids = question_ids or []  # the stored question rows, in plan order (turns refer to them)
        questions = [PlanQuestion(ids[i] if i < len(ids) else None, q.text_in(lang), q.competency, q.time_limit_s,
                                  tuple(q.points_in(lang))) for i, q in enumerate(plan.questions)]
        self.session = InterviewSession(questions, language)
        self._question_state = _QuestionState(started_ms=0)
        self._answer_from_seq = 0
        self._heard: list[str] = []  # final segments of the open answer, for the model's judgement at pauses
        self._preparing: asyncio.Task | None = None  # the model's judgement of the words so far (one at a time)
        self._heard_judged: ModelRelevance | None = None  # the latest such judgement of this question's answers
        self._refining: dict[asyncio.Task, int] = {}  # scores the model refines after the next question, by turn
        self.connection: _Connection | None = None
        self.started_at: datetime | None = None
        self.status = "consented"
        self.turn_index = -1
        self.speech_turns = speech.SpeechTurns(speech_model, language, self,
                                               turn_config or TurnTakingConfig(intent_reasons=True),
                                               self.interview_ms, end_of_turn=end_of_turn)
        self._answer = 0  # the speech-turns number of the open answer (its AnswerEnded carries it)
        self._grace: _GraceWindow | None = None  # the last answer ended on silence, while it may still go on
        self._went_on = asyncio.Event()  # set when the answer being evaluated goes on (cuts the evaluation's waits)
        self._went_on_at = 0
        self._ending = False  # the worker is closing an answer (storing, scoring it, choosing the next move)
        self._resumed: tuple[int, asyncio.Future | None] | None = None  # the turn that went on, and its notice
        self._captions = CaptionsAtOnce(self.publish)  # captions of that speech, not queued behind the worker
        self._feed = LiveFeed(self.publish)  # observations and media statistics, not queued behind the worker
        self._work: asyncio.Queue[_WorkItem] = asyncio.Queue(maxsize=512)
        self._worker = asyncio.create_task(self._run_worker(), name=f"interview-{interview_id}")
        self.dropped_work = 0
        self.lock = asyncio.Lock()
        self.analysis = InterviewAnalysis(
            deps.analyzers, interview_id, language, nonverbal_allowed=False,
            emit=lambda e: self._feed.offer(e) if e.type in ev.TRANSIENT_EVENT_TYPES else self._enqueue(e),
            budget=AnalysisBudget(cpu_cores=deps.analysis_cpu_budget))
        self._voice_tasks: set[asyncio.Task] = set()
        self._practice: PracticeTurn | None = None  # the optional practice question (server/live/practice.py)

    # --- lifecycle ---------------------------------------------------------------------------
    async def restore(self) -> None:
        """Load persisted progress (a rejoin or a server restart continues where the interview was)."""
        iv = await self.interviews.get(self.id)
        self.status = iv.status
        self.started_at = iv.started_at
        if self.started_at is not None and self.started_at.tzinfo is None:
            self.started_at = self.started_at.replace(tzinfo=timezone.utc)
        turns = await self.records.turns(self.id)
        self.session.question_index = iv.question_index
        self.session.turn_count = len(turns)
        self.turn_index = len(turns) - 1
        qi = iv.question_index
        this_question = [t for t in turns if t.question_index == qi]
        self._question_state = _QuestionState(
            started_ms=self._ms_since_start(this_question[0].asked_at) if this_question else 0,
            answers=[t.answer_text for t in this_question if t.answer_ended_at is not None and t.answer_text],
            asked=[t.trigger for t in this_question if t.kind == "followup" and t.trigger])
        open_turn = turns[-1] if turns and turns[-1].answer_ended_at is None else None
        if open_turn is not None:
            q = self.session.questions[min(open_turn.question_index, len(self.session.questions) - 1)]
            self.session.current = Prompt(open_turn.kind, open_turn.question_text, open_turn.question_index, q.id,
                                          q.time_limit_s)

    def _ms_since_start(self, when: datetime | None) -> int:
        if when is None or self.started_at is None:
            return 0
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return int((when - self.started_at).total_seconds() * 1000)

    def interview_ms(self) -> int:
        if self.started_at is None:
            return 0
        return int((datetime.now(timezone.utc) - self.started_at).total_seconds() * 1000)

    @property
    def connected(self) -> bool:
        return self.connection is not None and self.connection.state in ("connecting", "connected")

    async def connect(self, offer_sdp: str, takeover: bool, practice: bool = False) -> tuple[str, str]:
        """Accept a candidate connection; returns (answer SDP, connection id). ``practice``: the candidate asked for
        the practice question first (kept to while no planned question has been asked; False drops one running)."""
        async with self.lock:
            if self.status in ("finished", "failed"):
                raise ConnectError("interview_finished", "This interview has already ended.")
            if self.connected and not takeover:
                raise ConnectError(
                    "already_connected",
                    "This interview is already open on another device or tab. Continue here to move it.",
                )
            if self.connection is not None:
                await self._drop_connection("replaced")
            conn_id = new_id()
            video = LatestFrameSlot()
            peer = self.deps.open_peer(conn_id, lambda chunk: self._on_audio(conn_id, chunk), video,
                                       lambda state: self._on_peer_state(conn_id, state))
            answer = await peer.answer(offer_sdp)  # raises SdpError on a bad offer; nothing changed yet
            self.analysis.prepare_content()
            if self.status == "consented":
                check_transition(self.status, "live")
                self.started_at = datetime.now(timezone.utc)
                self.status = "live"
                await self.interviews.update(self.id, status="live", started_at=self.started_at)
                self._enqueue(ev.InterviewStateChanged(interview_id=self.id, status="live"))
            conn = _Connection(conn_id, peer, video, [])
            consents = await self.interviews.current_consents(self.id)
            nonverbal = consents.get("face_voice_analysis")
            self.analysis.nonverbal_allowed = bool(self.deps.nonverbal_analysis and nonverbal and nonverbal.granted)
            self._choose_practice(practice)
            if not self._practising:  # the practice is never analysed: the video waits for the first question
                await self.analysis.start_video(video, self._media_ms_at)
            conn.tasks.append(asyncio.create_task(self._report_media(conn)))
            self.speech_turns.attach(conn_id)  # its speech is held for the answer the resume reopens
            self._grace = None
            self.connection = conn
            self._enqueue(ev.ConnectionStateChanged(interview_id=self.id, state="connecting", connection_id=conn_id))
            self._enqueue(_Resume())
            return answer, conn_id

    def _choose_practice(self, wanted: bool) -> None:
        if self.session.current is not None or self.session.turn_count or self.deps.tell_candidate is None:
            return  # the interview has begun (or cannot tell the page): no practice any more
        if wanted and not self._practising:
            self._practice = PracticeTurn(self.id, self.language, self.deps.tell_candidate)
        elif not wanted:
            self._practice = None

    @property
    def _practising(self) -> bool:
        return self._practice is not None and self._practice.running

    async def _drop_connection(self, state: str) -> None:
        conn, self.connection = self.connection, None
        if conn is None:
            return
        for task in conn.tasks:
            task.cancel()
        await self.analysis.stop_video()
        await self.speech_turns.detach()
        await conn.peer.close()
        self._enqueue(ev.ConnectionStateChanged(interview_id=self.id, state=state, connection_id=conn.id))

    async def disconnect(self) -> None:
        async with self.lock:
            await self._drop_connection("closed")

    async def close(self) -> None:
        await self.disconnect()
        if self._voice_tasks:
            await asyncio.gather(*self._voice_tasks, return_exceptions=True)
        if self._preparing is not None:
            self._preparing.cancel()
        await self._work.join()  # (a score kept there may leave a refinement to wait for)
        if self._refining:  # a refined score is kept even when the interview ends first (bounded by the budget)
            await asyncio.gather(*self._refining, return_exceptions=True)
        await self._captions.close()
        await self.analysis.close()
        await self._feed.close()
        self._worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._worker

    # --- media -------------------------------------------------------------------------------
    def _on_audio(self, conn_id: str, chunk: AudioChunk) -> None:
        conn = self.connection
        if conn is None or conn.id != conn_id or self.status != "live":
            return
        now = self.speech_turns.push_audio(chunk.pcm, chunk.t_ms)
        self.analysis.audio(now, chunk.pcm)

    def question_playback(self, turn_index: int, playing: bool) -> None:
        """The candidate page started (``playing``) or finished speaking the question of ``turn_index``."""
        if turn_index == self.turn_index:
            self.speech_turns.question_playback(playing)
        grace = self._grace
        if not playing and grace is not None and grace.next_turn == turn_index:
            grace.next_spoken = True

    def candidate_finished(self, turn_index: int) -> bool:
        """The candidate pressed "I have finished" for the answer to ``turn_index``: the answer ends without
        waiting out a silence; while they are still speaking (or their last words are being recognised) the page
        is told so (``answer.finishing``). False when that turn is not open."""
        if turn_index != self.turn_index:
            return False
        when = self.speech_turns.candidate_done()
        if when in ("pause", "words"):
            self._enqueue(ev.AnswerFinishing(interview_id=self.id, turn_index=turn_index, waiting_for=when))
        return when is not None

    async def _on_peer_state(self, conn_id: str, state: str) -> None:
        conn = self.connection
        if conn is None or conn.id != conn_id:
            return
        conn.state = state
        if state == "connected":
            self._enqueue(ev.ConnectionStateChanged(interview_id=self.id, state=state, connection_id=conn_id))
        elif state in ("failed", "closed"):
            asyncio.create_task(self._drop_if_current(conn_id, state))

    async def _drop_if_current(self, conn_id: str, state: str) -> None:
        async with self.lock:
            if self.connection is not None and self.connection.id == conn_id:
                await self._drop_connection(state)

    def _media_ms_at(self, monotonic_s: float) -> int:
        """Interview time of a moment given on the monotonic clock (e.g. when a video frame arrived)."""
        return self.interview_ms() - int((time.monotonic() - monotonic_s) * 1000)

    async def _report_media(self, conn: _Connection) -> None:
        while True:
            await asyncio.sleep(2.0)
            v = conn.video
            analysis = self.analysis.video_stats()
            sampled = max((a["analyzed"] for a in analysis.values()), default=0)
            self._feed.offer(ev.MediaStats(
                interview_id=self.id, audio_frames=conn.peer.audio_frames, video_frames_received=v.received,
                video_frames_sampled=sampled, video_frames_dropped=max(0, v.received - sampled) if analysis else 0,
                video_fps=round(v.fps, 1), width=v.width, height=v.height, analysis=analysis))

    # --- speech turns (SpeechTurnHooks) --------------------------------------------------------
    def on_speech_started(self, event: speech.SpeechStarted) -> None:
        self._enqueue(event)

    def on_speech_ended(self, event: speech.SpeechEnded) -> None:
        self._enqueue(event)

    def on_partial_transcript(self, event: speech.PartialTranscript) -> None:
        resumed = self._resumed
        if self._ending and self._went_on.is_set() and resumed is not None:
            # the answer goes on while the worker is still closing it: its words reach the page at once
            turn, notice = resumed
            self._captions.offer(ev.TranscriptPartial(interview_id=self.id, turn_index=turn, text=event.text,
                                                      start_ms=event.start_ms, end_ms=event.end_ms), after=notice)
            return
        self._captions.handed_to_worker()
        self._enqueue(event, droppable=True)

    def on_final_transcript(self, event: speech.FinalTranscript) -> None:
        self._captions.handed_to_worker()
        self._enqueue(event)

    def on_question_talked_over(self, event: speech.QuestionTalkedOver) -> None:
        self._enqueue(ev.QuestionInterrupted(interview_id=self.id, turn_index=self.turn_index, media_ms=event.at_ms))

    def on_answer_ended(self, event: speech.AnswerEnded) -> None:
        self._enqueue(event)

    def on_speech_resumed(self, event: speech.SpeechResumed) -> None:
        """The candidate spoke again within the grace window of an end decided on silence: decided here, at once,
        so that a question not yet sent is never sent. The answer goes on unless the page has already finished
        speaking the question asked since (then the speech answers that question)."""
        grace = self._grace
        if self.status == "live" and event.answer == self._answer:  # nothing asked yet: the evaluation stops short
            resumed = self.speech_turns.continue_answer(event.answer)
            if resumed is not None:
                self._answer, self._went_on_at = resumed, event.at_ms
                self._went_on.set()
                if grace is not None and grace.answer == event.answer and grace.ended_notice is not None:
                    # the page was told the answer ended: it hears at once that it goes on (the worker may still be
                    # busy with the evaluation it no longer needs)
                    grace.resumed_notice = asyncio.ensure_future(self._tell_resumed(grace, event.at_ms, None))
                turn = grace.turn_index if grace is not None and grace.answer == event.answer else self.turn_index
                self._resumed = (turn, grace.resumed_notice if grace is not None else None)
                return
        elif (self.status == "live" and grace is not None and grace.answer == event.answer
              and grace.next_answer == self._answer and not grace.next_spoken):
            resumed = self.speech_turns.continue_answer(event.answer)
            if resumed is not None:
                self._answer = resumed
                self._enqueue(_TakeBack(grace, event.at_ms))
                return
        self.speech_turns.release_speech()

    # --- the worker ----------------------------------------------------------------------------
    @property
    def work_backlog(self) -> tuple[int, int]:
        """(items waiting for the worker, the queue's bound)."""
        return self._work.qsize(), self._work.maxsize

    @property
    def feed_backlog(self) -> tuple[int, int]:
        """(observations and media statistics waiting to be published, the live feed's bound)."""
        return self._feed.waiting, self._feed.capacity

    def _enqueue(self, item: _WorkItem, droppable: bool = False) -> None:
        try:
            self._work.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped_work += 1
            if not droppable:
                log.error("interview_work_queue_full", interview_id=self.id, kind=type(item).__name__)

    async def _run_worker(self) -> None:
        while True:
            item = await self._work.get()
            try:
                await self._handle(item)
            except Exception:
                log.exception("interview_work_failed", interview_id=self.id, kind=type(item).__name__)
            finally:
                self._work.task_done()

    async def _handle(self, item: _WorkItem) -> None:
        if self._practice is not None and self._practice.owns(item):
            await self._practice.handle(item)
            return
        match item:
            case ev.BaseEvent():
                await self.publish(item)
            case _Resume():
                await self._resume()
            case _TakeBack(grace=grace, at_ms=at_ms):
                await self._go_on(grace, at_ms, withdraw=True)
            case speech.SpeechStarted(at_ms=at_ms):
                await self.publish(ev.SpeechStarted(interview_id=self.id, turn_index=self.turn_index, media_ms=at_ms))
            case speech.SpeechEnded(at_ms=at_ms):
                await self.publish(ev.SpeechEnded(interview_id=self.id, turn_index=self.turn_index, media_ms=at_ms))
            case speech.PartialTranscript():
                if self.turn_index >= 0:
                    await self.publish(ev.TranscriptPartial(interview_id=self.id, turn_index=self.turn_index,
                                                            text=item.text, start_ms=item.start_ms,
                                                            end_ms=item.end_ms))
            case speech.FinalTranscript():
                await self._keep_final(item)
            case speech.AnswerEnded():
                if item.answer != self._answer:
                    return
                if self._practising:
                    await self._end_practice(item)
                elif item.reason == "repeat":
                    await self._repeat_question()
                else:
                    self._ending, self._resumed = True, None
                    try:
                        ended = await self._end_answer(item)
                    finally:
                        self._ending = False
                    if ended is not None:  # the next question is out: the ended answer's score is kept now
                        await self._keep_score(ended)

    async def _keep_final(self, final: speech.FinalTranscript) -> None:
        """Store and publish a final segment of the open turn; its voice analysis starts alongside."""
        words = [{"text": w.text, "start_ms": w.start_ms, "end_ms": w.end_ms} for w in final.words]
        turn_index = max(self.turn_index, 0)
        seq = await self.records.add_segment(self.id, turn_index, final.text, final.start_ms, final.end_ms, words,
                                                   final.engine, final.connection_id)
        await self.publish(ev.TranscriptFinal(interview_id=self.id, turn_index=turn_index, seq=seq, text=final.text,
                                              start_ms=final.start_ms, end_ms=final.end_ms, words=words))
        task = asyncio.create_task(self.analysis.utterance_final(final.start_ms, final.end_ms, list(final.words),
                                                                 final.text))
        self._voice_tasks.add(task)
        task.add_done_callback(self._voice_tasks.discard)
        if self.turn_index >= 0 and final.text.strip():
            self._heard.append(final.text.strip())
            self._prepare_judgement()

    def _prepare_judgement(self) -> None:
        """At a pause, ask the model about the words so far, so that at the answer's end only the last words are
        new to it (its cache holds the rest; a repeated ask joins the one in flight). One ask at a time: a pause
        while one runs is covered by the next pause or the end."""
        judge, current = self.deps.judge, self.session.current
        if judge is None or not judge.ready or current is None or (self._preparing and not self._preparing.done()):
            return
        spec = self.plan.questions[min(current.question_index, len(self.plan.questions) - 1)]
        lang = normalise_language(self.language)
        words = " ".join([*self._question_state.answers, *self._heard])
        self._preparing = asyncio.create_task(self._relevance(spec.text_in(lang), lang, words))
        self._preparing.add_done_callback(self._remember_heard_judgement)

    def _remember_heard_judgement(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is None and task.result() is not None:
            self._heard_judged = task.result()

    # --- dialogue ------------------------------------------------------------------------------
    async def _resume(self) -> None:
        if self.status != "live":
            return
        if self._practising:
            await self._ask_practice(resumes=True)
            return
        current = self.session.current
        if current is None:
            self._question_state = _QuestionState(started_ms=self.interview_ms())
            # the AI disclosure opens the interview (it opened the practice, if there was one)
            said = PRACTICE_OVER if self._practice is not None else DISCLOSURE
            await self._ask(self.session.resume(None), preamble=said.get(self.language, said["en"]), resumes=True)
        else:  # a rejoin mid-answer keeps what was already said
            await self._ask(current, again=True, keep_text=True, resumes=True)

    async def _ask(self, prompt: Prompt, preamble: str | None = None, again: bool = False, keep_text: bool = False,
                   resumes: bool = False, after: int | None = None) -> bool:
        """Put ``prompt`` (``again``: the open turn's question once more) and open its answer; ``keep_text`` and
        ``resumes`` as in ``SpeechTurns.begin_answer``. ``after``: the ended answer this prompt follows. True when the
        prompt went out; False when the candidate went on with that answer first (it was not opened, or was taken
        back before it was sent)."""
        if after is not None and self._answer != after:
            return False
        if prompt.kind == "closing":
            await self._finish(prompt)
            return True
        if not keep_text:
            self._heard = []
        if not again:
            self._answer_from_seq = 0
            self.turn_index = self.session.turn_count
            self.session.turn_count += 1
        limit = prompt.time_limit_s * 1000 if prompt.time_limit_s else None
        # the answer opens before the awaits below: speech from now on is the answer to this question, or (within
        # the grace window) offered back to the answer before it, which withdraws this question
        answer = self._answer = self.speech_turns.begin_answer(self.interview_ms(), limit, keep_text=keep_text,
                                                               resumes=resumes, question=prompt.text)
        grace = self._grace if not again else None
        if grace is not None and grace.next_turn is None:
            grace.next_turn, grace.next_answer = self.turn_index, answer
        self.analysis.answer_started(self.turn_index)
        if not again:
            await self.records.add_turn(self.id, self.turn_index, prompt.question_index, prompt.question_id,
                                        prompt.kind, prompt.text, prompt.trigger, prompt.reason)
        if self._answer != answer:
            return False  # the candidate went on with their answer before this question was sent: it never is
        await self.publish(ev.QuestionAsked(
            interview_id=self.id, turn_index=self.turn_index, question_index=prompt.question_index,
            questions_total=self.session.questions_total, text=prompt.text, kind=prompt.kind, preamble=preamble,
            time_limit_s=prompt.time_limit_s or None))
        if grace is not None and grace.next_turn == self.turn_index:
            grace.next_sent = True
        await self._still_speaking(self.publish, self.turn_index)
        return True

    async def _still_speaking(self, send: TellCandidate, turn_index: int) -> None:
        """The answer just opened hears speech that began before its question (a noisy room, a voice that went on):
        the page hears of it for this turn too, so "I have finished" is usable now (its ``speech.started`` went out
        with the turn before)."""
        if self.speech_turns.speaking:
            await send(ev.SpeechStarted(interview_id=self.id, turn_index=turn_index,
                                        media_ms=self.speech_turns.now_ms()))

    async def _ask_practice(self, resumes: bool) -> None:
        """Put the practice question: its answer goes through the same turn-taking and ends up nowhere."""
        practice = self._practice
        prompt = practice.prompt
        self._heard = []
        self._answer = self.speech_turns.begin_answer(self.interview_ms(), prompt.time_limit_s * 1000,
                                                      resumes=resumes, question=prompt.text)
        lang = normalise_language(self.language)
        await practice.asked(self.session.questions_total, f"{DISCLOSURE[lang]} {PRACTICE_INTRO[lang]}"
                             if resumes else None)
        await self._still_speaking(practice.tell, PRACTICE_TURN)

    async def _end_practice(self, ended: speech.AnswerEnded) -> None:
        """The practice answer ended: the page is told, the video analysis starts, the first question is asked (a
        repeat request puts the practice question again)."""
        if ended.reason == "repeat":
            await self._ask_practice(resumes=False)
            return
        await self._practice.ended(ended)
        async with self.lock:  # not while a connection is being made or dropped
            if self.connection is not None:
                await self.analysis.start_video(self.connection.video, self._media_ms_at)
        await self._resume()

    async def _repeat_question(self) -> None:
        """The candidate asked to hear the question again: put it again; the request is not part of the answer."""
        segments = await self.records.segments(self.id, self.turn_index)
        self._answer_from_seq = max((seg.seq for seg in segments), default=-1) + 1
        self._heard = []
        current = self.session.current
        if current is not None:
            await self.publish(ev.FollowUpChosen(interview_id=self.id, turn_index=self.turn_index,
                                                 question_index=current.question_index, kind="clarify",
                                                 trigger="repeat_request", reason="The candidate asked to hear the "
                                                 "question again", reason_code="repeat_request", source="turn-taking"))
            await self._ask(current, again=True)  # a fresh answer: the request is not part of it

    async def _end_answer(self, ended: speech.AnswerEnded) -> _Move | None:
        """Close the answer and put what follows it; returns the move made, whose score the caller keeps (None:
        nothing to keep)."""
        reason = ended.reason
        spoke_until = ended.last_speech_end_ms if reason == "silence" else None
        grace = self._grace = self._open_grace(ended) if ended.resumable else None
        self._went_on.clear()
        # The answer is every final segment stored for this turn, across reconnections (minus a repeat request).
        segments = [seg for seg in await self.records.segments(self.id, self.turn_index)
                    if seg.seq >= self._answer_from_seq]
        text = " ".join(seg.text for seg in segments).strip() or ended.heard_text
        await self.records.end_turn(self.id, self.turn_index, text, reason)
        if grace is not None and self._answer != ended.answer:  # gone on before anyone was told it had ended
            await self._go_on(grace, self._went_on_at, withdraw=False)
            return None
        notice = asyncio.ensure_future(self.publish(ev.AnswerEnded(interview_id=self.id, turn_index=self.turn_index,
                                                                   text=text, reason=reason)))
        if grace is not None:
            grace.ended_notice = notice
        current = self.session.current
        try:
            move = None if current is None else await self._evaluate_and_choose(current, text)  # while it is told
        finally:
            await notice
        if current is None:
            return None
        moves_on = move is None or move.follow_up is None
        last = moves_on and self.session.question_index + 1 >= self.session.questions_total
        if grace is not None and last and self._answer == ended.answer:
            # nothing is waiting for the closing words: the window is waited out, so a last answer is never cut
            grace_ms = self.speech_turns.config.resume_grace_ms + speech.SPEECH_START_REPORT_MS
            left_ms = ended.at_ms + grace_ms - self.speech_turns.now_ms()
            if left_ms > 0:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._went_on.wait(), left_ms / 1000)
        if grace is not None and self._answer != ended.answer:
            if move is not None:
                move.drop()
            await self._go_on(grace, self._went_on_at, withdraw=False)
            return None
        prompt: Prompt | None = None
        if move is not None:
            decision, prompt = move.decision, move.follow_up
            if decision is not None:
                await self.publish(ev.FollowUpChosen(
                    interview_id=self.id, turn_index=self.turn_index, question_index=current.question_index,
                    kind=decision.kind, trigger=decision.trigger, reason=decision.reason,
                    reason_code=decision.reason_code, source=decision.source))
            if prompt is not None:
                self._question_state.asked.append(prompt.trigger)
                prompt = self.session.follow_up(prompt)
        if prompt is None:
            prompt = self.session.next_question()
            self._question_state = _QuestionState(started_ms=self.interview_ms())
        if move is not None and prompt.kind == "closing":  # the interview's figures are complete when it finishes
            await self._keep_score(move)
            move = None
        if not await self._ask(prompt, after=ended.answer if grace is not None else None):
            if move is not None:  # the answer went on: not over, not scored yet
                move.drop()
            if grace is not None and grace.next_turn is None:  # it never opened: the candidate went on first
                await self._go_on(grace, self._went_on_at, withdraw=False)
            return None  # (opened, then taken back before it was sent: the _TakeBack queued meanwhile restores)
        waited_ms = None if spoke_until is None else self.speech_turns.now_ms() - spoke_until
        if waited_ms is not None and waited_ms > 0:  # not when the audio clock stopped first (the peer is gone)
            ANSWER_TO_QUESTION_MS.append(waited_ms)
            ANSWER_TO_QUESTION_SECONDS.observe(waited_ms / 1000)
        return move

    async def _keep_score(self, move: _Move) -> None:
        """Keep the ended answer's score; a failed write is logged and the interview goes on (it is not held up
        by its record)."""
        try:
            await move.keep_score()
        except Exception:
            log.exception("answer_score_not_kept", interview_id=self.id)

    def _open_grace(self, ended: speech.AnswerEnded) -> _GraceWindow:
        """The interview as it stands at an end decided on silence, before anything moves on."""
        session = self.session
        return _GraceWindow(ended.answer, self.turn_index, session.current, session.question_index,
                            session.turn_count, session.finished, self._question_state.copy(), list(self._heard),
                            self._answer_from_seq)

    async def _go_on(self, grace: _GraceWindow, at_ms: int, *, withdraw: bool) -> None:
        """The candidate went on with the answer of ``grace`` at ``at_ms``: the turn is open again as it was before
        its end (its words so far stay; the model's late refinement of the ended part is dropped, the whole answer is
        scored when it ends), and with ``withdraw`` the question asked since is taken back."""
        if self._grace is grace:
            self._grace = None
        for task, turn in list(self._refining.items()):
            if turn == grace.turn_index:
                task.cancel()
        session = self.session
        session.current, session.question_index = grace.current, grace.question_index
        session.turn_count, session.finished = grace.turn_count, grace.finished
        self._question_state = grace.question_state.copy()
        self._heard, self._answer_from_seq = list(grace.heard), grace.answer_from_seq
        self.turn_index = grace.turn_index
        self.analysis.answer_resumed(grace.turn_index)
        withdrawn = grace.next_turn if withdraw else None
        if withdrawn is not None:
            await self.records.delete_turn(self.id, withdrawn)
            await self.interviews.update(self.id, question_index=grace.question_index)
        await self.records.reopen_turn(self.id, grace.turn_index)
        if grace.resumed_notice is not None:
            await grace.resumed_notice
        elif grace.ended_notice is not None:
            await self._tell_resumed(grace, at_ms, withdrawn if grace.next_sent else None)

    async def _tell_resumed(self, grace: _GraceWindow, at_ms: int, withdrawn: int | None) -> None:
        """Publish ``answer.resumed`` for ``grace``'s answer, after its ``answer.ended`` (never before it)."""
        current = grace.current
        if current is None:
            return
        if grace.ended_notice is not None:
            await asyncio.shield(grace.ended_notice)
        await self.publish(ev.AnswerResumed(
            interview_id=self.id, turn_index=grace.turn_index, question_index=current.question_index,
            questions_total=self.session.questions_total, text=current.text, kind=current.kind, media_ms=at_ms,
            withdrawn_turn_index=withdrawn))

    async def _evaluate_and_choose(self, current: Prompt, text: str) -> _Move | None:
        """Analyse the question's answers so far, score them live, and decide on a follow-up; None when the
        evaluation failed (move on). Nothing moves and nothing is stored here: the caller puts the follow-up, after
        checking that the candidate has not gone on with their answer, and then keeps the score (``_Move``).

        With a language model, its judgement (asked at the pauses already) is asked on the whole answer alongside
        the rules' analysis; the next move waits for it at most ``decision_wait.seconds()`` after the answer's end
        (none while the node's recent replies came late: dialogue/decision_wait.py), else the rules decide alone and
        the model refines the score when it replies (``_refine_later``: here, or by the queued ``scoring.refine`` job
        on any node when this one cannot)."""
        ended = time.monotonic()
        qi = min(current.question_index, len(self.plan.questions) - 1)
        spec = self.plan.questions[qi]
        state = self._question_state
        if text:
            state.answers.append(text)
        lang = normalise_language(self.language)
        judge = self.deps.judge
        heard, self._heard_judged = self._heard_judged, None
        asked = (asyncio.create_task(self._relevance(spec.text_in(lang), lang, answer_words(state.answers),
                                                     known_controls=heard.p_controls if heard else None))
                 if judge is not None and judge.ready and state.answers else None)
        if asked is not None:
            asked.add_done_callback(functools.partial(self._time_reply, ended))
        seconds_used = (self.interview_ms() - state.started_ms) / 1000

        async def analyse():
            return await analyse_answers(await self.analysis.content_analyzer(), spec, lang, state.answers,
                                         asked=state.asked, seconds_used=seconds_used)
        try:
            actx = await self._unless_went_on(analyse())
        except Exception:
            log.exception("answer_evaluation_failed", interview_id=self.id)
            return None
        if actx is not None and self._voice_tasks:  # the voice analysis of the last utterance belongs in its summary
            await self._unless_went_on(asyncio.wait(set(self._voice_tasks)), 2.0)
        if actx is None or self._went_on.is_set():  # the candidate went on: the whole answer is evaluated at its end
            if asked is not None:
                asked.cancel()
            return None
        nonverbal = self.analysis.answer_ended(self.turn_index, current.text, actx.features, actx.quotes,
                                               self.nonverbal_weight)
        relevance = None
        if asked is not None:
            left = self.deps.decision_wait.seconds() - (time.monotonic() - ended)
            relevance = await self._unless_went_on(asyncio.shield(asked), max(0.0, left))
            if self._went_on.is_set():
                asked.cancel()
                return None
        judgement = await judge_answer(actx, self.deps.followup_policy, nonverbal=nonverbal,
                                       nonverbal_weight=self.nonverbal_weight, relevance=relevance)
        decision, follows = judgement.decision, judgement.follows
        turn = ScoredTurn(self.id, self.turn_index, qi, final=not follows)
        refine = None
        if asked is not None and relevance is None:  # the score may be refined after the next question is asked
            refine = RefineRequest(
                interview_id=self.id, turn_index=turn.turn_index, question_index=qi, final=turn.final,
                answers_digest=digest(state.answers), seconds_used=seconds_used,
                known_controls=list(heard.p_controls) if heard else None,
                nonverbal=nonverbal_payload(nonverbal, self.nonverbal_weight), nonverbal_weight=self.nonverbal_weight)

        async def keep_score() -> None:
            await self.scores.keep(turn, judgement)
            if refine is not None:  # after the rules' score is kept, so the model's never comes before it
                await self._refine_later(turn, asked, actx, nonverbal, refine)
        late = asked if refine is not None else None
        if not follows:
            return _Move(decision, None, keep_score, late)
        left = spec.time_limit_s - (self.interview_ms() - state.started_ms) / 1000
        return _Move(decision, Prompt("followup", decision.text, qi, current.question_id, max(20, int(left)),
                                      trigger=decision.trigger or decision.kind, reason=decision.reason), keep_score,
                     late)

    def _time_reply(self, ended: float, asked: asyncio.Task) -> None:
        """The model's reply to an answer's end came (or failed): when, for the process's decision wait. An ask the
        candidate's going on withdrew tells nothing."""
        if not asked.cancelled():
            self.deps.decision_wait.observe(time.monotonic() - ended, asked.exception() is None and
                                            asked.result() is not None)

    async def _refine_later(self, turn: ScoredTurn, asked: asyncio.Task, actx: AnswerContext,
                            nonverbal: dict[str, Any], request: RefineRequest) -> None:
        """The model's judgement of ``turn`` is late: this node's task keeps the model-informed score when the model
        replies (the fast path), and the same refinement is queued as durable work, due after that task's time, for
        when this node cannot finish it (it dies, or the interview moves to another node)."""
        async def refine() -> None:
            if (late := await asked) is not None:
                await self.scores.refine(turn, actx, late, nonverbal=nonverbal, nonverbal_weight=self.nonverbal_weight)
        task = asyncio.create_task(refine())
        self._refining[task] = turn.turn_index
        task.add_done_callback(lambda t: self._refining.pop(t, None))
        if self.deps.queue_refinement is None:
            return
        try:
            await self.deps.queue_refinement(request)
        except Exception:  # the interview goes on; only this node's task refines the score
            log.exception("score_refinement_not_queued", interview_id=self.id, turn_index=turn.turn_index)

    async def _unless_went_on(self, work: Awaitable[_T], timeout: float | None = None) -> _T | None:
        """``work``'s result, or None when the answer being evaluated goes on after all (the candidate spoke again
        within the grace window) or ``timeout`` s pass first: nothing then waits for it (it finishes on its own and
        its result is not used). Its exception, if it comes in time, is raised here."""
        task = asyncio.ensure_future(work)
        went_on = asyncio.ensure_future(self._went_on.wait())
        try:
            await asyncio.wait({task, went_on}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            went_on.cancel()
        if task.done():
            return task.result()
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # finished alone: nobody reads it
        return None

    async def _relevance(self, question: str, lang: str, words: str,
                         known_controls: tuple[float, ...] | None = None) -> ModelRelevance | None:
        """The model's relevance contrast for ``words``, or None (no model, timeout, unusable reply: the rules)."""
        judge = self.deps.judge
        if judge is None:
            return None
        try:
            return await ask_model_relevance(judge, question, lang, words, known_controls=known_controls)
        except LlmError as e:
            log.info("model_judgement_unavailable", interview_id=self.id, error=str(e))
            return None
        except Exception:  # never let the model's side take the interview down: the rules decide
            log.exception("model_judgement_failed", interview_id=self.id)
            return None

    async def _finish(self, closing: Prompt) -> None:
        check_transition(self.status, "finished")
        self.status = "finished"
        await self.interviews.update(self.id, status="finished", ended_at=datetime.now(timezone.utc),
                                           question_index=self.session.question_index)
        await self.publish(ev.QuestionAsked(
            interview_id=self.id, turn_index=self.session.turn_count, question_index=closing.question_index,
            questions_total=self.session.questions_total, text=closing.text, kind="closing"))
        await self.publish(ev.InterviewStateChanged(interview_id=self.id, status="finished"))
        asyncio.get_running_loop().call_later(3.0, lambda: asyncio.ensure_future(self.disconnect()))

    # --- output ------------------------------------------------------------------------------
    async def publish(self, event: ev.BaseEvent) -> None:
        await self.deps.publish(event)

    def snapshot(self) -> dict[str, Any]:
        current = self.session.current
        return {
            "status": self.status,
            "connected": self.connected,
            "connection_state": self.connection.state if self.connection else "disconnected",
            "turn_index": self.turn_index,
            "question": None if current is None else {"text": current.text, "kind": current.kind,
                                                      "question_index": current.question_index},
            "questions_total": self.session.questions_total,
        }
