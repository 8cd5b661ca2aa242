"""One interview's analyzers: what runs, on what input, and what reaches the live panel.

Face, posture, hands and voice run only with the candidate's face/voice analysis consent (PIPL treats them as
biometrics); answer content (the words) is covered by the AI evaluation consent. Per-frame observations reach
observers at most twice a second per analyzer; flags and per-answer summaries are kept in the timeline.
Non-verbal values are shown beside the answer and carry no weight in scores (``nonverbal_weight`` 0).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import structlog

from analyzers.asr import Word
from analyzers.inference_pool import run_inference, run_vision
from analyzers.observation import Observation
from analyzers.video_scheduler import AnalysisBudget, VideoAnalysisScheduler
from media.video import LatestFrameSlot
from server.live import events as ev

log = structlog.get_logger(__name__)

AUDIO_RING_S = 60
PUBLISH_INTERVAL_S = 0.5


class AnalyzerFactory:
    """Creates analyzers; models are loaded once per process by the analyzer modules themselves."""

    def __init__(self) -> None:
        self._content: asyncio.Future | None = None

    def frame_analyzers(self) -> list:
        from analyzers.body import HandsAnalyzer, PoseAnalyzer
        from analyzers.face import FaceAnalyzer

        pose = PoseAnalyzer()
        # the hand model runs only while the body model sees a hand in the picture (body.py: HandsAnalyzer gate)
        return [FaceAnalyzer(), pose, HandsAnalyzer(gate=pose.hands_in_view)]

    def voice(self):
        from analyzers.voice import VoiceAnalyzer

        return VoiceAnalyzer()

    def content(self):
        """A content analyzer, loaded and warmed up (blocking: call it on the inference pool)."""
        from analyzers.content import ContentAnalyzer
        from analyzers.embeddings import load_multilingual_use

        content = ContentAnalyzer(load_multilingual_use())
        content.warm_up()
        return content

    def prepare_content(self) -> asyncio.Future:
        """Start loading the process's content analyzer, once, on the inference pool (a failed load is logged and
        tried again by the next caller); returns the load."""
        loading = self._content
        if loading is None or (loading.done() and (loading.cancelled() or loading.exception() is not None)):
            loading = self._content = asyncio.ensure_future(run_inference(self.content))
            loading.add_done_callback(_log_failed_load)
        return loading

    async def content_analyzer(self):
        """The process's content analyzer; every interview that wants it while it loads waits here, on the event
        loop, rather than holding an inference thread."""
        return await asyncio.shield(self.prepare_content())


@dataclass
class _TurnAggregate:
    """Means of numeric values and shares of true booleans, per analyzer, over one answer."""

    sums: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(float)))
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    flags: list[dict] = field(default_factory=list)

    def add(self, obs: Observation) -> None:
        for key, value in obs.values.items():
            if isinstance(value, bool):
                self.sums[obs.analyzer][key + "_share"] += float(value)
                self.counts[obs.analyzer][key + "_share"] += 1
            elif isinstance(value, (int, float)) and value is not None and np.isfinite(value):
                self.sums[obs.analyzer][key] += float(value)
                self.counts[obs.analyzer][key] += 1
        for flag in obs.flags:
            self.flags.append({"analyzer": obs.analyzer, "kind": flag.kind, "since_ms": flag.since_ms})

    def result(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for analyzer, sums in self.sums.items():
            out[analyzer] = {k: round(v / self.counts[analyzer][k], 3) for k, v in sums.items()
                             if self.counts[analyzer][k]}
            out[analyzer]["samples"] = max(self.counts[analyzer].values(), default=0)
        if self.flags:
            out["flags"] = {"list": self.flags}
        return out


class InterviewAnalysis:
    def __init__(self, factory: AnalyzerFactory, interview_id: str, language: str, nonverbal_allowed: bool,
                 emit: Callable[[ev.BaseEvent], None], budget: AnalysisBudget | None = None):
        self.factory = factory
        self.interview_id = interview_id
        self.language = language
        self.nonverbal_allowed = nonverbal_allowed
        self.budget = budget or AnalysisBudget()
        self._emit = emit
        self._frame_analyzers: list | None = None
        self._voice = None
        self._scheduler: VideoAnalysisScheduler | None = None
        self._audio: deque[tuple[int, np.ndarray]] = deque(maxlen=AUDIO_RING_S * 50)
        self._last_published: dict[str, float] = {}
        self._turn = _TurnAggregate()
        self.turn_index = 0
        self._previous: tuple[int, _TurnAggregate] | None = None  # the answer before the open one (see answer_resumed)

    # --- video ---------------------------------------------------------------------------------
    async def start_video(self, slot: LatestFrameSlot, media_ms: Callable[[float], int]) -> None:
        if not self.nonverbal_allowed:
            return
        if self._frame_analyzers is None:
            self._frame_analyzers = await run_vision(self.factory.frame_analyzers)
        self._scheduler = VideoAnalysisScheduler(self._frame_analyzers, slot, self._on_observation, media_ms,
                                                 self.budget)
        self._scheduler.start()

    async def stop_video(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            await scheduler.close(close_analyzers=False)  # the analyzers live on for a rejoin

    def video_stats(self) -> dict[str, dict]:
        return self._scheduler.stats() if self._scheduler else {}

    def _on_observation(self, obs: Observation, lag_ms: float | None) -> None:
        self._turn.add(obs)
        for flag in obs.flags:
            self._emit(ev.FlagRaised(interview_id=self.interview_id, analyzer=obs.analyzer, kind=flag.kind,
                                     since_ms=flag.since_ms, detail=flag.detail))
        now = time.monotonic()
        if now - self._last_published.get(obs.analyzer, 0.0) >= PUBLISH_INTERVAL_S or obs.flags:
            self._last_published[obs.analyzer] = now
            self._emit(ev.ObservationEvent(interview_id=self.interview_id, analyzer=obs.analyzer,
                                           turn_index=self.turn_index, t_ms=obs.t_ms, values=_jsonable(obs.values),
                                           quotes=obs.quotes, lag_ms=None if lag_ms is None else round(lag_ms, 1)))

    # --- voice -----------------------------------------------------------------------------------
    def audio(self, t_ms: int, pcm: np.ndarray) -> None:
        """Keep the last minute of 16 kHz audio (interview clock) for per-utterance voice analysis."""
        if self.nonverbal_allowed:
            self._audio.append((t_ms, pcm))

    async def utterance_final(self, start_ms: int, end_ms: int, words: list[Word], text: str) -> None:
        if not self.nonverbal_allowed or not text.strip():
            return
        chunks = [pcm for t, pcm in self._audio if start_ms <= t < end_ms]
        if not chunks:
            return
        if self._voice is None:
            self._voice = self.factory.voice()
        pcm = np.concatenate(chunks)
        try:
            obs = await run_inference(self._voice.analyze_utterance, pcm, start_ms, words, text, self.language,
                                      answer_id=str(self.turn_index))
        except Exception:
            log.exception("voice_analysis_failed", interview_id=self.interview_id)
            return
        self._turn.add(obs)
        self._emit(ev.ObservationEvent(interview_id=self.interview_id, analyzer="voice", turn_index=self.turn_index,
                                       t_ms=obs.t_ms, values=_jsonable(obs.values), quotes=obs.quotes))

    # --- answers ---------------------------------------------------------------------------------
    def answer_started(self, turn_index: int) -> None:
        self._previous = (self.turn_index, self._turn)
        self.turn_index = turn_index
        self._turn = _TurnAggregate()

    def answer_resumed(self, turn_index: int) -> None:
        """The answer of ``turn_index`` goes on after its end was taken back: its observations keep adding up (those
        of an answer opened for it meanwhile are dropped)."""
        previous = self._previous
        if self.turn_index != turn_index and previous is not None and previous[0] == turn_index:
            self.turn_index, self._turn = previous
        self._previous = None

    def answer_ended(self, turn_index: int, question: str, content: dict[str, Any], quotes: dict[str, str],
                     nonverbal_weight: float) -> dict[str, Any]:
        """Publish the answer's summary: content (analysed by the caller) with its quotes, voice and non-verbal
        aggregates beside it. Returns the non-verbal aggregates."""
        aggregate = self._turn.result()
        voice = aggregate.pop("voice", {})
        self._emit(ev.AnswerSummary(interview_id=self.interview_id, turn_index=turn_index, question=question,
                                    content=_jsonable(content), content_quotes=dict(quotes), voice=voice,
                                    nonverbal=aggregate, nonverbal_weight=nonverbal_weight))
        return aggregate

    async def content_analyzer(self):
        return await self.factory.content_analyzer()

    def prepare_content(self) -> None:
        """Start loading the content analyzer as the candidate joins: the first answer's end then finds it ready
        rather than waiting seconds for the embedding model and jieba."""
        self.factory.prepare_content()

    async def close(self) -> None:
        await self.stop_video()
        for analyzer in self._frame_analyzers or []:
            try:
                await run_vision(analyzer.close)
            except Exception:
                log.exception("analyzer_close_failed")
        if self._voice is not None:
            self._voice.close()


def _log_failed_load(task: asyncio.Future) -> None:
    if not task.cancelled() and task.exception() is not None:  # the next caller tries again
        log.warning("content_analyzer_not_loaded", error=repr(task.exception()))


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in values.items():
        if isinstance(v, (np.floating, np.integer)):
            v = v.item()
        if isinstance(v, float) and not np.isfinite(v):
            v = None
        if isinstance(v, (tuple, np.ndarray)):
            v = list(np.asarray(v).tolist()) if isinstance(v, np.ndarray) else list(v)
        out[k] = v
    return out
