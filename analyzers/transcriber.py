"""Per-interview streaming transcription: VAD on the event loop, recognition on the inference pool.

``push`` is cheap and synchronous (called for every 20 ms frame). Recognizer calls run one at a time per interview
in order (start, audio batches, finish) on a worker task; while a call is in flight new audio accumulates into the
next batch, and the pending audio is bounded (excess is dropped and counted, never queued without limit).

Events are delivered in order through one dispatcher task. ``UtteranceStarted``/``UtteranceEnded`` are sent as soon
as the VAD decides (turn-taking wants them early), so an ``UtteranceEnded`` usually arrives before that utterance's
final transcript; match them by ``utterance``. For one utterance, partials always come before its final.

Pauses: at a VAD ``SpeechPause`` (200 ms of silence) the utterance so far is decoded speculatively. If the pause
becomes the utterance's end, that decode is its final (no second decode after the VAD's 500 ms); if the candidate
speaks on, it is sent as a final segment and the recogniser continues from the pause. So an utterance may have
several finals (one per pause), and each decode reads only the audio since the last pause.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import Awaitable, Callable

import numpy as np

from analyzers.asr import SAMPLE_RATE, RecognizerStream, SpeechModel, Transcript
from analyzers import inference_pool
from analyzers.inference_pool import run_inference
from analyzers.metrics import SPEECH_DECODE_SECONDS
from analyzers.vad import SpeechEnd, SpeechPause, SpeechStart, VadConfig, VoiceActivityDetector

log = logging.getLogger(__name__)


PARTIAL_QUIET_MS = 40
"""No partial decode is started after this much trailing silence (two unvoiced frames): a partial in flight at
the pause would delay its speculative decode by a whole decode. See ``StreamingTranscriber._partial_useful``."""


@dataclass(frozen=True)
class UtteranceStarted:
    utterance: int
    t_ms: int


@dataclass(frozen=True)
class UtteranceEnded:
    utterance: int
    t_ms: int


@dataclass(frozen=True)
class TranscriptUpdate:
    """A partial or final (``transcript.is_final``) of one utterance. Utterances over Whisper's 30 s window
    yield several finals."""

    utterance: int
    transcript: Transcript


@dataclass(frozen=True)
class UtteranceDone:
    """The recognizer has delivered everything it will for this utterance (its final, or nothing at all)."""

    utterance: int


TranscriberEvent = UtteranceStarted | UtteranceEnded | TranscriptUpdate | UtteranceDone
EventCallback = Callable[[TranscriberEvent], Awaitable[None] | None]


@dataclass
class TranscriberStats:
    frames: int = 0
    utterances: int = 0
    inference_calls: int = 0
    inference_s: float = 0.0
    dropped_audio_ms: int = 0
    dropped_partials: int = 0
    skipped_partials: int = 0
    """Audio batches for which partial decoding was skipped (machine saturated, a pause or end queued, or the
    candidate quiet: see ``_partial_useful``)."""
    speculative_decodes: int = 0
    """Decodes at a pause (see ``VadConfig.pause_probe_ms``): each becomes the utterance's final or a final segment."""
    errors: int = 0
    max_backlog_ms: int = 0
    last_final_latency_ms: float | None = None
    """Wall time from the VAD's end decision to the final transcript being ready."""


@dataclass
class _Start:
    utterance: int
    start_ms: int


@dataclass
class _Audio:
    chunks: list[np.ndarray]
    samples: int


@dataclass
class _Pause:
    utterance: int
    mark: int  # the pause's voiced end: its _End has the same t_ms if no speech comes between


@dataclass
class _Commit:
    utterance: int
    mark: int  # the pause the candidate spoke on after: its speculative decode becomes a final segment


@dataclass
class _End:
    utterance: int
    t_ms: int
    decided_at: float
    after_pause: bool  # no speech since the last pause: a speculative decode there is the final


@dataclass
class _Barrier:
    done: asyncio.Future


def _timed_decode(model_id: str, fn: Callable, *args):
    """``fn(*args)`` on the inference thread, its time recorded by model and step (the method's name)."""
    t0 = time.perf_counter()
    try:
        return fn(*args)
    finally:
        SPEECH_DECODE_SECONDS.labels(model_id, getattr(fn, "__name__", "call")).observe(time.perf_counter() - t0)


class StreamingTranscriber:
    """Construct inside the running event loop (it starts its worker and dispatcher tasks)."""

    def __init__(
        self,
        model: SpeechModel,
        on_event: EventCallback,
        *,
        language: str | None = None,
        vad_config: VadConfig | None = None,
        batch_ms: int = 160,
        max_backlog_ms: int = 10_000,
        max_pending_events: int = 256,
    ) -> None:
        self.model = model
        self.language = language
        self.vad = VoiceActivityDetector(vad_config)
        self.stats = TranscriberStats()
        self._on_event = on_event
        self._batch_samples = batch_ms * SAMPLE_RATE // 1000
        self._max_backlog = max_backlog_ms * SAMPLE_RATE // 1000
        self._max_pending_events = max_pending_events
        self._stream: RecognizerStream | None = None
        self._ops: deque[_Start | _Audio | _Pause | _Commit | _End | _Barrier] = deque()
        self._last_pause: int | None = None
        self._pending_samples = 0
        self._utterance = 0  # last utterance the VAD opened
        self._current = 0  # utterance the recognizer is on
        self._wake = asyncio.Event()
        self._events: asyncio.Queue[TranscriberEvent] = asyncio.Queue()
        self._closed = False
        self._in_call = False
        self._delivering = False
        self._worker = asyncio.create_task(self._work(), name="transcriber-worker")
        self._dispatcher = asyncio.create_task(self._dispatch(), name="transcriber-events")

    # -- event-loop side -------------------------------------------------------------------------------------
    def push(self, frame: np.ndarray, t_ms: int) -> None:
        """One 20 ms frame (320 int16 samples) starting at media time ``t_ms``."""
        if self._closed:
            return
        self.stats.frames += 1
        started = False
        for ev in self.vad.push(frame, t_ms):
            if isinstance(ev, SpeechStart):
                started = True
                self._open_utterance(ev)
            elif isinstance(ev, SpeechPause):
                self._pause_utterance(ev)
            else:
                self._end_utterance(ev)
        if self.vad.in_speech and not started:
            self._append_audio(frame)
            if self._last_pause is not None and self.vad.last_voiced_end > self._last_pause:
                # the candidate went on after the pause: what was said before it becomes a final segment
                self._ops.append(_Commit(self._utterance, self._last_pause))
                self._last_pause = None
                self._wake.set()

    def _open_utterance(self, ev: SpeechStart) -> None:
        self._utterance += 1
        self.stats.utterances += 1
        self._emit(UtteranceStarted(self._utterance, ev.t_ms))
        self._ops.append(_Start(self._utterance, ev.audio_start_ms))
        self._append_audio(ev.audio)
        self._wake.set()

    def _pause_utterance(self, ev: SpeechPause) -> None:
        """Decode speculatively at a pause (unless the machine is saturated): if the pause becomes the end, that
        decode is the final, ready ~300 ms sooner; if the candidate goes on, it becomes a final segment of its own
        (``_Commit``), so no decode is wasted and later ones only read the audio after the pause."""
        if inference_pool.saturated():
            return
        self._last_pause = ev.t_ms
        self._ops.append(_Pause(self._utterance, ev.t_ms))
        self._wake.set()

    def _end_utterance(self, ev: SpeechEnd) -> None:
        self._ops.append(_End(self._utterance, ev.t_ms, time.perf_counter(), self._last_pause == ev.t_ms))
        self._last_pause = None
        self._emit(UtteranceEnded(self._utterance, ev.t_ms))
        self._wake.set()

    def _append_audio(self, pcm: np.ndarray) -> None:
        n = pcm.size
        if self._pending_samples + n > self._max_backlog:
            self.stats.dropped_audio_ms += n * 1000 // SAMPLE_RATE
            return
        last = self._ops[-1] if self._ops else None
        if isinstance(last, _Audio):  # the deque's tail is never in flight: the worker pops before it calls
            last.chunks.append(pcm)
            last.samples += n
        else:
            last = _Audio([pcm], n)
            self._ops.append(last)
        self._pending_samples += n
        self.stats.max_backlog_ms = max(self.stats.max_backlog_ms, self._pending_samples * 1000 // SAMPLE_RATE)
        if last.samples >= self._batch_samples:
            self._wake.set()

    def _emit(self, event: TranscriberEvent) -> None:
        if (
            isinstance(event, TranscriptUpdate)
            and not event.transcript.is_final
            and self._events.qsize() >= self._max_pending_events
        ):
            self.stats.dropped_partials += 1  # a slow consumer loses partials, never finals or boundaries
            return
        self._events.put_nowait(event)

    def cut(self, utterance: int) -> bool:
        """End utterance ``utterance`` now if it is still open, as if the speaker had paused (the answer must end
        while the VAD still hears speech, e.g. steady noise): it is decoded as after a pause and gets its
        ``UtteranceEnded``, final and ``UtteranceDone``; sound after this opens a new utterance. False when that
        utterance is not the open one (it has ended already, its end on its way)."""
        if self._closed or not self.vad.in_speech or self._utterance != utterance:
            return False
        for ev in self.vad.flush():
            self._end_utterance(ev)
        return True

    async def flush(self) -> None:
        """Finalize an open utterance (e.g. the candidate disconnected) and wait until every event is delivered."""
        if self._worker.done():
            return
        for ev in self.vad.flush():
            self._end_utterance(ev)
        done = asyncio.get_running_loop().create_future()
        self._ops.append(_Barrier(done))
        self._wake.set()
        await done
        await self._events.join()

    async def close(self) -> None:
        if self._closed:
            return
        await self.flush()
        self._closed = True
        self._worker.cancel()
        self._dispatcher.cancel()
        await asyncio.gather(self._worker, self._dispatcher, return_exceptions=True)
        if self._stream is not None:
            await run_inference(self._stream.close)
            self._stream = None

    @property
    def idle(self) -> bool:
        """No recognizer call is running or ready to start and every event is delivered: the transcriber will do
        nothing more until more audio comes. A replay on a simulated audio clock (``benchmarks/turn_taking.py``)
        may skip ahead only while this holds; while it does not, audio must flow at real time so recognition
        results arrive at the audio time they would live."""
        return not self._in_call and not self._ready() and self._events.empty() and not self._delivering

    # -- worker: one recognizer call at a time ---------------------------------------------------------------
    def _ready(self) -> bool:
        if not self._ops:
            return False
        head = self._ops[0]
        return not isinstance(head, _Audio) or len(self._ops) > 1 or head.samples >= self._batch_samples

    async def _work(self) -> None:
        while True:
            while not self._ready():
                self._wake.clear()
                await self._wake.wait()
            op = self._ops.popleft()
            if isinstance(op, _Barrier):
                if not op.done.done():
                    op.done.set_result(None)
                continue
            if isinstance(op, _Audio):
                self._pending_samples -= op.samples
            self._in_call = True
            try:
                await self._run_op(op)
            except Exception:  # a model failure loses this call's result, not the interview
                self.stats.errors += 1
                log.exception("speech recognizer call failed")
            finally:
                self._in_call = False
            if isinstance(op, _End):
                self._emit(UtteranceDone(op.utterance))

    async def _run_op(self, op: _Start | _Audio | _Pause | _Commit | _End) -> None:
        if isinstance(op, _Start):
            if self._stream is None:
                self._stream = await self._call(self.model.open_stream, self.language)
            await self._call(self._stream.start_utterance, op.start_ms)
            self._current = op.utterance
        elif isinstance(op, _Audio):
            if self._stream is None:
                return
            pcm = op.chunks[0] if len(op.chunks) == 1 else np.concatenate(op.chunks)
            self._stream.partials_allowed = self._partial_useful()
            if not self._stream.partials_allowed:
                self.stats.skipped_partials += 1
            transcript = await self._call(self._stream.accept, pcm)
            if transcript is not None:
                self._emit(TranscriptUpdate(self._current, transcript))
        elif isinstance(op, _Pause):
            if self._stream is None or self._end_already_queued(op):
                return
            await self._call(self._stream.speculate, op.mark)
            self.stats.speculative_decodes += 1
        elif isinstance(op, _Commit):
            if self._stream is None:
                return
            transcript = await self._call(self._stream.commit_speculation, op.mark)
            if transcript is not None:
                self._emit(TranscriptUpdate(op.utterance, transcript))
        else:
            if self._stream is None:
                return
            if op.after_pause:
                transcript = await self._call(self._stream.finish_speculated, op.t_ms)
            else:
                transcript = await self._call(self._stream.finish_utterance)
            self.stats.last_final_latency_ms = (time.perf_counter() - op.decided_at) * 1000
            if transcript is not None:
                self._emit(TranscriptUpdate(op.utterance, transcript))

    def _end_already_queued(self, op: _Pause) -> bool:
        """The utterance's end is already queued: a speculative decode would only delay its final."""
        return any(isinstance(o, _End) and o.utterance == op.utterance for o in self._ops)

    def _partial_useful(self) -> bool:
        """A partial re-decodes the whole utterance; skip it when it would only delay what matters more: the
        machine is saturated, a pause, commit or end is already queued (its decode supersedes it), or the candidate has
        gone quiet (a pause, whose speculative decode must not wait behind a partial, is probably coming)."""
        if inference_pool.cores_busy():
            return False
        if any(isinstance(o, (_Pause, _Commit, _End)) for o in self._ops):
            return False
        return self.vad.trailing_silence_ms < PARTIAL_QUIET_MS

    async def _call(self, fn, *args):
        t0 = time.perf_counter()
        try:
            return await run_inference(_timed_decode, self.model.model_id, fn, *args)
        finally:
            self.stats.inference_calls += 1
            self.stats.inference_s += time.perf_counter() - t0

    # -- dispatcher ------------------------------------------------------------------------------------------
    async def _dispatch(self) -> None:
        while True:
            event = await self._events.get()
            self._delivering = True
            try:
                result = self._on_event(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("transcriber event callback failed")
            finally:
                self._delivering = False
                self._events.task_done()
