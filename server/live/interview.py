"""One live interview on this node: the candidate's connection, speech recognition, the dialogue loop.

Everything that reaches the store or the bus goes through one ordered worker queue, so observers see events in
the order they happened and a crash loses at most the utterance being spoken. Model calls happen inside the
transcriber on the inference pool, never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import structlog

from analyzers.transcriber import (
    StreamingTranscriber,
    TranscriptUpdate,
    UtteranceDone,
    UtteranceEnded,
    UtteranceStarted,
)
from dialogue.session import DISCLOSURE, InterviewSession, PlanQuestion, Prompt, check_transition
from analyzers.inference_pool import run_inference
from analyzers.text.language import normalise_language
from dialogue.followup import FollowUpDecision, build_context
from dialogue.plan import InterviewPlanSpec
from dialogue.scoring import score_answer
from dialogue.turn_taking import AnswerEndDetector, TurnTakingConfig
from media.audio import AudioChunk
from media.peer import CandidatePeer
from analyzers.asr import SpeechModel, Word
from analyzers.scheduler import AnalysisBudget
from media.video import LatestFrameSlot
from server.live import events as ev
from server.live.analysis import InterviewAnalysis
from server.storage.models import new_id

if TYPE_CHECKING:
    from server.platform.context import ServerContext

log = structlog.get_logger(__name__)

# Every session's response times (the candidate's last voiced frame -> the next question sent, on the audio clock),
# for the process-wide figure on /api/v1/health: what the benchmark's detector latency becomes in the server.
ANSWER_TO_QUESTION_MS: deque[float] = deque(maxlen=5000)


class ConnectError(Exception):
    def __init__(self, code: str, message: str, status: int = 409):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class _Connection:
    id: str
    peer: CandidatePeer
    video: LatestFrameSlot
    transcriber: StreamingTranscriber
    tasks: list[asyncio.Task]
    base_ms: int = 0  # interview time (ms since it went live) at which this connection's media clock starts
    base_set: bool = False
    last_media_ms: int = 0
    state: str = "connecting"


@dataclass
class _QuestionState:
    """What the follow-up policy needs about the current planned question: its answers and probes so far."""

    started_ms: int
    answers: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)


class LiveInterview:
    def __init__(
        self,
        ctx: ServerContext,
        interview_id: str,
        language: str,
        plan: InterviewPlanSpec,
        speech_model: SpeechModel,
        turn_config: TurnTakingConfig | None = None,
        nonverbal_weight: float = 0.0,
        question_ids: list[str] | None = None,
    ):
        self.ctx = ctx
        self.id = interview_id
        self.language = language
        self.speech_model = speech_model
        self.turn_config = turn_config or TurnTakingConfig(intent_reasons=True)
        self.plan = plan
        self.nonverbal_weight = nonverbal_weight
        lang = normalise_language(language)
        ids = question_ids or []  # the stored question rows, in plan order (turns refer to them)
        questions = [PlanQuestion(ids[i] if i < len(ids) else None, q.text_in(lang), q.competency, q.time_limit_s,
                                  tuple(q.points_in(lang))) for i, q in enumerate(plan.questions)]
        self.session = InterviewSession(questions, language)
        self._question_state = _QuestionState(started_ms=0)
        self._answer_from_seq = 0
        self.connection: _Connection | None = None
        self.started_at: datetime | None = None
        self.status = "consented"
        self.turn_index = -1
        self.detector: AnswerEndDetector | None = None
        self._answer_closing = False
        self._interrupted_turn: int | None = None  # the turn whose spoken question the candidate talked over
        self._work: asyncio.Queue[tuple[str, Any]] = asyncio.Queue(maxsize=512)
        self._worker = asyncio.create_task(self._run_worker(), name=f"interview-{interview_id}")
        self.dropped_work = 0
        self.lock = asyncio.Lock()
        self.analysis = InterviewAnalysis(
            ctx.analyzers, interview_id, language, nonverbal_allowed=False,
            emit=lambda e: self._enqueue("publish", e, droppable=e.type == "observation"),
            budget=AnalysisBudget(cpu_cores=ctx.settings.analysis_cpu_budget))
        self._voice_tasks: set[asyncio.Task] = set()

    # --- lifecycle ---------------------------------------------------------------------------
    async def restore(self) -> None:
        """Load persisted progress (a rejoin or a server restart continues where the interview was)."""
        iv = await self.ctx.store.interviews.get(self.id)
        self.status = iv.status
        self.started_at = iv.started_at
        if self.started_at is not None and self.started_at.tzinfo is None:
            self.started_at = self.started_at.replace(tzinfo=timezone.utc)
        turns = await self.ctx.store.records.turns(self.id)
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

    def media_now_ms(self) -> int:
        """Now on the clock the turn-taking detector runs on: the newest audio frame's time (interview ms) while
        audio flows, else the wall clock. The audio clock counts samples, so it can fall behind the wall clock
        after lost packets; comparing detector times with it keeps decisions and measurements consistent."""
        conn = self.connection
        if conn is not None and conn.base_set:
            return conn.base_ms + conn.last_media_ms
        return self.interview_ms()

    @property
    def connected(self) -> bool:
        return self.connection is not None and self.connection.state in ("connecting", "connected")

    async def connect(self, offer_sdp: str, takeover: bool) -> tuple[str, str]:
        """Accept a candidate connection; returns (answer SDP, connection id)."""
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
            transcriber = StreamingTranscriber(self.speech_model, self._on_transcriber_event, language=self.language)
            peer = CandidatePeer(conn_id, lambda chunk: self._on_audio(conn_id, chunk), video,
                                 lambda state: self._on_peer_state(conn_id, state))
            answer = await peer.answer(offer_sdp)  # raises SdpError on a bad offer; nothing changed yet
            if self.status == "consented":
                check_transition(self.status, "live")
                self.started_at = datetime.now(timezone.utc)
                self.status = "live"
                await self.ctx.store.interviews.update(self.id, status="live", started_at=self.started_at)
                self._enqueue("publish", ev.InterviewStateChanged(interview_id=self.id, status="live"))
            conn = _Connection(conn_id, peer, video, transcriber, [], base_ms=self.interview_ms())
            consents = await self.ctx.store.interviews.current_consents(self.id)
            nonverbal = consents.get("face_voice_analysis")
            self.analysis.nonverbal_allowed = bool(self.ctx.settings.nonverbal_analysis and nonverbal
                                                   and nonverbal.granted)
            await self.analysis.start_video(video, self._media_ms_at)
            conn.tasks.append(asyncio.create_task(self._report_media(conn)))
            self.connection = conn
            self._enqueue("publish", ev.ConnectionStateChanged(interview_id=self.id, state="connecting",
                                                               connection_id=conn_id))
            self._enqueue("resume", None)
            return answer, conn_id

    async def _drop_connection(self, state: str) -> None:
        conn, self.connection = self.connection, None
        if conn is None:
            return
        for task in conn.tasks:
            task.cancel()
        await self.analysis.stop_video()
        await conn.transcriber.close()
        await conn.peer.close()
        self._enqueue("publish", ev.ConnectionStateChanged(interview_id=self.id, state=state, connection_id=conn.id))

    async def disconnect(self) -> None:
        async with self.lock:
            await self._drop_connection("closed")

    async def close(self) -> None:
        await self.disconnect()
        if self._voice_tasks:
            await asyncio.gather(*self._voice_tasks, return_exceptions=True)
        await self._work.join()
        await self.analysis.close()
        self._worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._worker

    # --- media -------------------------------------------------------------------------------
    def _on_audio(self, conn_id: str, chunk: AudioChunk) -> None:
        conn = self.connection
        if conn is None or conn.id != conn_id or self.status != "live":
            return
        if not conn.base_set:  # anchor the media clock to interview time at the first audio frame
            conn.base_ms, conn.base_set = self.interview_ms() - chunk.t_ms, True
        conn.last_media_ms = chunk.t_ms
        conn.transcriber.push(chunk.pcm, chunk.t_ms)
        self.analysis.audio(conn.base_ms + chunk.t_ms, chunk.pcm)
        detector = self.detector
        if detector is not None and detector.question_play is not None and self._interrupted_turn != self.turn_index:
            now = conn.base_ms + chunk.t_ms
            if detector.barge_in(now, conn.transcriber.vad.trailing_silence_ms):
                self._interrupted_turn = self.turn_index
                self._enqueue("publish", ev.QuestionInterrupted(interview_id=self.id, turn_index=self.turn_index,
                                                                media_ms=now))
        if detector is not None and not self._answer_closing:
            due = detector.due_at()
            if due is not None and conn.base_ms + chunk.t_ms >= due:
                reason = detector.check(conn.base_ms + chunk.t_ms)
                if reason:
                    self._answer_closing = True
                    self._enqueue("answer_end", (detector, reason))

    def question_playback(self, turn_index: int, playing: bool) -> None:
        """The candidate page started (``playing``) or finished speaking the question of ``turn_index``."""
        detector = self.detector
        if detector is None or turn_index != self.turn_index:
            return
        now = self.interview_ms()
        if playing:
            detector.question_playing(now)
        elif detector.question_play is not None:
            detector.question_playing(detector.question_play[0], now)

    def candidate_finished(self, turn_index: int) -> bool:
        """The candidate pressed "I have finished" for the answer to ``turn_index``: the answer ends without
        waiting out a silence (see ``AnswerEndDetector.candidate_done``). False when that turn is not open."""
        detector = self.detector
        if detector is None or turn_index != self.turn_index or self._answer_closing:
            return False
        detector.candidate_done(self.media_now_ms())
        return True

    async def _on_peer_state(self, conn_id: str, state: str) -> None:
        conn = self.connection
        if conn is None or conn.id != conn_id:
            return
        conn.state = state
        if state == "connected":
            self._enqueue("publish", ev.ConnectionStateChanged(interview_id=self.id, state=state, connection_id=conn_id))
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
            self._enqueue("publish", ev.MediaStats(
                interview_id=self.id, audio_frames=conn.peer.audio_frames, video_frames_received=v.received,
                video_frames_sampled=sampled, video_frames_dropped=max(0, v.received - sampled) if analysis else 0,
                video_fps=round(v.fps, 1), width=v.width, height=v.height, analysis=analysis), droppable=True)

    # --- recognition results -----------------------------------------------------------------
    def _on_transcriber_event(self, event: Any) -> None:
        conn = self.connection
        base = conn.base_ms if conn else 0
        conn_id = conn.id if conn else ""
        if isinstance(event, TranscriptUpdate) and not event.transcript.is_final:
            self._enqueue("partial", (event.transcript, base), droppable=True)
        else:
            self._enqueue("recognition", (event, base, conn_id))

    def _enqueue(self, kind: str, item: Any, droppable: bool = False) -> None:
        try:
            self._work.put_nowait((kind, item))
        except asyncio.QueueFull:
            self.dropped_work += 1
            if not droppable:
                log.error("interview_work_queue_full", interview_id=self.id, kind=kind)

    async def _run_worker(self) -> None:
        while True:
            kind, item = await self._work.get()
            try:
                await self._handle(kind, item)
            except Exception:
                log.exception("interview_work_failed", interview_id=self.id, kind=kind)
            finally:
                self._work.task_done()

    async def _handle(self, kind: str, item: Any) -> None:
        if kind == "publish":
            await self.publish(item)
        elif kind == "resume":
            await self._resume()
        elif kind == "partial":
            t, base = item
            if self.detector is not None:
                self.detector.partial_received(t.text)
            if t.text.strip() and self.turn_index >= 0:
                await self.publish(ev.TranscriptPartial(interview_id=self.id, turn_index=self.turn_index,
                                                        text=t.text, start_ms=base + t.start_ms, end_ms=base + t.end_ms))
        elif kind == "recognition":
            await self._handle_recognition(*item)
        elif kind == "answer_end":
            detector, reason = item
            if detector is not self.detector:
                return
            if reason == "repeat":
                await self._repeat_question()
            else:
                await self._end_answer(reason)

    async def _handle_recognition(self, event: Any, base: int, conn_id: str) -> None:
        detector = self.detector
        if isinstance(event, UtteranceStarted):
            if detector:
                detector.speech_started(base + event.t_ms)
            await self.publish(ev.SpeechStarted(interview_id=self.id, turn_index=self.turn_index,
                                                media_ms=base + event.t_ms))
        elif isinstance(event, UtteranceEnded):
            if detector:
                detector.speech_ended(base + event.t_ms)
            await self.publish(ev.SpeechEnded(interview_id=self.id, turn_index=self.turn_index,
                                              media_ms=base + event.t_ms))
        elif isinstance(event, TranscriptUpdate):
            event = event.transcript
            text = event.text.strip()
            if text:
                words = [{"text": w.text, "start_ms": base + w.start_ms, "end_ms": base + w.end_ms} for w in event.words]
                turn_index = max(self.turn_index, 0)
                seq = await self.ctx.store.records.add_segment(self.id, turn_index, text, base + event.start_ms,
                                                               base + event.end_ms, words, event.engine, conn_id)
                await self.publish(ev.TranscriptFinal(interview_id=self.id, turn_index=turn_index, seq=seq,
                                                      text=text, start_ms=base + event.start_ms,
                                                      end_ms=base + event.end_ms, words=words))
                if detector:
                    detector.final_received(text)
                task = asyncio.create_task(self.analysis.utterance_final(
                    base + event.start_ms, base + event.end_ms,
                    [Word(w["text"], w["start_ms"], w["end_ms"]) for w in words], text))
                self._voice_tasks.add(task)
                task.add_done_callback(self._voice_tasks.discard)
        elif isinstance(event, UtteranceDone):
            if detector:
                detector.utterance_done()

    # --- dialogue ------------------------------------------------------------------------------
    async def _resume(self) -> None:
        if self.status != "live":
            return
        current = self.session.current
        if current is None:
            self._question_state = _QuestionState(started_ms=self.interview_ms())
            await self._ask(self.session.resume(None), preamble=DISCLOSURE.get(self.language, DISCLOSURE["en"]))
        else:
            await self._ask(current, again=True)

    async def _ask(self, prompt: Prompt, preamble: str | None = None, again: bool = False) -> None:
        if prompt.kind == "closing":
            await self._finish(prompt)
            return
        if not again:
            self._answer_from_seq = 0
            self.turn_index = self.session.turn_count
            self.session.turn_count += 1
            await self.ctx.store.records.add_turn(self.id, self.turn_index, prompt.question_index, prompt.question_id,
                                                  prompt.kind, prompt.text, prompt.trigger, prompt.reason)
            await self.ctx.store.interviews.update(self.id, question_index=prompt.question_index)
        limit = prompt.time_limit_s * 1000 if prompt.time_limit_s else None
        previous = self.detector
        self.detector = AnswerEndDetector(self.turn_config, self.interview_ms(), limit)
        if again and previous is not None:  # a rejoin mid-answer keeps what was already said
            self.detector.text_parts = list(previous.text_parts)
        self._answer_closing = False
        self._interrupted_turn = None
        self.analysis.answer_started(self.turn_index)
        await self.publish(ev.QuestionAsked(
            interview_id=self.id, turn_index=self.turn_index, question_index=prompt.question_index,
            questions_total=self.session.questions_total, text=prompt.text, kind=prompt.kind, preamble=preamble))

    async def _repeat_question(self) -> None:
        """The candidate asked to hear the question again: put it again; the request is not part of the answer."""
        segments = await self.ctx.store.records.segments(self.id, self.turn_index)
        self._answer_from_seq = max((seg.seq for seg in segments), default=-1) + 1
        current = self.session.current
        if current is not None:
            await self.publish(ev.FollowUpChosen(interview_id=self.id, turn_index=self.turn_index,
                                                 question_index=current.question_index, kind="clarify",
                                                 trigger="repeat_request", reason="The candidate asked to hear the "
                                                 "question again", source="turn-taking"))
            self.detector = None
            await self._ask(current, again=True)
            if self.detector is not None:
                self.detector.text_parts = []

    async def _end_answer(self, reason: str) -> None:
        detector = self.detector
        self.detector = None
        spoke_until = detector.last_speech_end_ms if detector is not None and reason == "silence" else None
        # The answer is every final segment stored for this turn, across reconnections (minus a repeat request).
        segments = [seg for seg in await self.ctx.store.records.segments(self.id, self.turn_index)
                    if seg.seq >= self._answer_from_seq]
        text = " ".join(seg.text for seg in segments).strip()
        if not text and detector:
            text = detector.answer_text
        await self.ctx.store.records.end_turn(self.id, self.turn_index, text, reason)
        await self.publish(ev.AnswerEnded(interview_id=self.id, turn_index=self.turn_index, text=text, reason=reason))
        current = self.session.current
        if current is None:
            return
        prompt = await self._evaluate_and_choose(current, text)
        if prompt is None:
            prompt = self.session.next_question()
            self._question_state = _QuestionState(started_ms=self.interview_ms())
        await self._ask(prompt)
        if spoke_until is not None:
            ANSWER_TO_QUESTION_MS.append(max(0, self.media_now_ms() - spoke_until))

    async def _evaluate_and_choose(self, current: Prompt, text: str) -> Prompt | None:
        """Analyse the question's answers so far, score them live, and decide on a follow-up (None: move on)."""
        qi = min(current.question_index, len(self.plan.questions) - 1)
        spec = self.plan.questions[qi]
        state = self._question_state
        if text:
            state.answers.append(text)
        lang = normalise_language(self.language)
        try:
            analyzer = await self.analysis.content_analyzer()
            actx = await run_inference(build_context, analyzer, spec, lang, state.answers, asked=state.asked,
                                       seconds_used=(self.interview_ms() - state.started_ms) / 1000)
        except Exception:
            log.exception("answer_evaluation_failed", interview_id=self.id)
            return None
        if self._voice_tasks:  # the voice analysis of the answer's last utterance belongs in its summary
            await asyncio.wait(set(self._voice_tasks), timeout=2.0)
        nonverbal = self.analysis.answer_ended(self.turn_index, current.text, actx.features, actx.quotes,
                                               self.nonverbal_weight)
        decision = await self._decide(actx) if state.answers else None
        follows = decision is not None and decision.kind in ("followup", "clarify")
        score = score_answer(spec, lang, actx.features, actx.quotes, nonverbal, self.nonverbal_weight)
        evidence = [{"feature": e.feature, "quote": e.quote, "effect": e.effect, "note": e.note} for e in score.evidence]
        await self.ctx.store.records.add_score(self.id, self.turn_index, qi, score.competency, score.score, score.confidence,
                                               score.level_description, evidence, list(score.uncertain))
        await self.publish(ev.AnswerScored(
            interview_id=self.id, turn_index=self.turn_index, question_index=qi, competency=score.competency,
            score=score.score, confidence=score.confidence, level=score.level_description, evidence=evidence,
            uncertain=list(score.uncertain), final=not follows))
        if decision is not None:
            await self.publish(ev.FollowUpChosen(
                interview_id=self.id, turn_index=self.turn_index, question_index=qi, kind=decision.kind,
                trigger=decision.trigger, reason=decision.reason, source=decision.source))
        if not follows:
            return None
        state.asked.append(decision.trigger or decision.kind)
        left = spec.time_limit_s - (self.interview_ms() - state.started_ms) / 1000
        return self.session.follow_up(Prompt("followup", decision.text, qi, current.question_id,
                                             max(20, int(left)), trigger=decision.trigger or decision.kind,
                                             reason=decision.reason))

    async def _decide(self, actx) -> FollowUpDecision | None:
        try:
            return await self.ctx.followup_policy.adecide(actx)
        except Exception:
            log.exception("followup_policy_failed", interview_id=self.id)
            return None

    async def _finish(self, closing: Prompt) -> None:
        check_transition(self.status, "finished")
        self.status = "finished"
        await self.ctx.store.interviews.update(self.id, status="finished", ended_at=datetime.now(timezone.utc),
                                               question_index=self.session.question_index)
        await self.publish(ev.QuestionAsked(
            interview_id=self.id, turn_index=self.session.turn_count, question_index=closing.question_index,
            questions_total=self.session.questions_total, text=closing.text, kind="closing"))
        await self.publish(ev.InterviewStateChanged(interview_id=self.id, status="finished"))
        asyncio.get_running_loop().call_later(3.0, lambda: asyncio.ensure_future(self.disconnect()))

    # --- output ------------------------------------------------------------------------------
    async def publish(self, event: ev._Event) -> None:
        await self.ctx.publish_event(event)

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
