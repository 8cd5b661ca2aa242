"""The language model's late refinement of a turn's score, as durable work on the shared queue (``scoring.refine``).

When the model's judgement of an answer comes after the next move was decided, the rules' score is stored and the
interview's own task replaces it with the model-informed one when the model replies (the fast path,
``server/live/interview.py``). That task dies with its node, or is dropped when the interview moves to another node,
so the same refinement is also queued, due once the fast path has had its time (``due_after_s``: the judge's timeout
per ask it makes, plus ``llm_refine_margin_s``). Whichever node runs the job:

- finds the turn's stored score already model-informed (the fast path did it): nothing to do;
- finds the turn's answers changed since (the candidate went on with the answer; its new end is scored, and refined,
  on its own) or the score gone (a withdrawn turn, an interview deleted): nothing to do;
- otherwise rebuilds the rules' analysis from the stored turns, asks the model and keeps the refined score exactly as
  the fast path does (``server/live/turn_score.py``: the row replaced, ``answer.scored`` on the bus for every node).

No model on this node (off, still starting, or unreachable) raises, so the job is retried, here or on another node,
and after ``job_max_attempts`` it is ``failed`` with that reason: the rules' score stays, the documented fallback.
The payload holds ids and what cannot be looked up again: which answers were judged (a digest), the time used,
the control questions' odds from the last pause, and the non-verbal summary when a weight applies to it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Protocol

import structlog
from pydantic import BaseModel, ValidationError

from analyzers.inference_pool import run_inference
from analyzers.llm_client import LlmClient, LlmReplyError
from analyzers.text.language import normalise_language
from dialogue.followup import FollowUpPolicyV2
from dialogue.model_relevance import ask_model_relevance, control_questions
from dialogue.score_words import model_scored
from server.live import events as ev
from server.live.turn_score import ScoredTurn, TurnScores, analyse_answers, answer_words
from server.platform.work_queue import PermanentJobError, WorkQueue, handler
from server.recruiting.plans import plan_by_id
from server.storage.models import BackgroundJob, Turn
from server.storage.store import Store

log = structlog.get_logger(__name__)

KIND = "scoring.refine"


class RefineRequest(BaseModel):
    """The ``scoring.refine`` payload."""

    interview_id: str
    turn_index: int
    question_index: int
    """The plan question's index."""
    final: bool
    """No follow-up to the question came after this answer (``answer.scored``'s ``final``)."""
    answers_digest: str
    """``digest`` of the question's answers as judged (this turn's and the question's earlier ones)."""
    seconds_used: float = 0.0
    known_controls: list[float] | None = None
    """The control questions' odds from the last pause (None: the model is asked them too)."""
    nonverbal: dict[str, float] | None = None
    """The answer's non-verbal summary, only when a non-zero weight lets it count in the score."""
    nonverbal_weight: float = 0.0

    @property
    def key(self) -> str:
        """One job per judged answer of a turn: an answer that went on and ended again is another."""
        return f"{KIND}:{self.interview_id}:{self.turn_index}:{self.answers_digest}"


def digest(answers: Sequence[str]) -> str:
    return hashlib.sha256("\x1f".join(answers).encode("utf-8")).hexdigest()[:32]


def nonverbal_payload(summary: dict[str, Any], weight: float) -> dict[str, float] | None:
    """What of the non-verbal summary the score can use: its numbers, and only when a weight applies to them
    (``dialogue/scoring.py``: with weight 0 they never change the score)."""
    if weight <= 0:
        return None
    return {k: float(v) for k, v in summary.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def due_after_s(request: RefineRequest, judge_timeout_s: float, margin_s: float) -> float:
    """Seconds until the queued refinement may run: the longest the fast path may still take (one ask per question
    it asks the model, each within the judge's timeout) plus ``margin_s``."""
    asks = 1 if request.known_controls is not None else 1 + len(control_questions("en"))  # as many in zh
    return asks * judge_timeout_s + margin_s


async def queue_refinement(queue: WorkQueue, request: RefineRequest, *, after_s: float,
                           org_id: str | None = None) -> BackgroundJob:
    return await queue.enqueue(KIND, request.model_dump(mode="json"), idempotency_key=request.key,
                               run_after=queue.clock() + timedelta(seconds=after_s), org_id=org_id)


class ModelUnavailable(RuntimeError):
    """No language model on this node now: the job is retried (another node, or later)."""


class RefineServices(Protocol):
    """What the handler uses of the server context."""

    store: Store
    followup_policy: FollowUpPolicyV2

    @property
    def analyzers(self) -> Any: ...

    @property
    def language_model(self) -> Any: ...  # its ``client``: the judge

    async def publish_event(self, event: ev.InterviewEvent) -> None: ...


def question_turns(turns: Sequence[Turn], turn_index: int) -> list[Turn] | None:
    """The turns of ``turn_index``'s question up to it (the answers judged with it), or None when it is gone."""
    this = next((t for t in turns if t.index == turn_index), None)
    if this is None:
        return None
    return [t for t in turns if t.question_index == this.question_index and t.index <= turn_index]


def answered(turns: Sequence[Turn]) -> list[str]:
    """The answers the live interview judged with these turns (``LiveInterview.restore`` reads them the same way)."""
    return [t.answer_text for t in turns if t.answer_ended_at is not None and t.answer_text]


async def _still_rules(store: Store, request: RefineRequest) -> bool:
    scores = [s for s in await store.records.scores(request.interview_id) if s.turn_index == request.turn_index]
    return bool(scores) and not any(model_scored(s.scored_by) for s in scores)


@handler(KIND)
async def refine_queued_score(services: RefineServices, payload: dict) -> None:
    try:
        request = RefineRequest.model_validate(payload)
    except ValidationError as e:
        raise PermanentJobError(f"not a scoring.refine payload: {e.errors()[0]['msg']}") from e
    store, ids = services.store, {"interview_id": request.interview_id, "turn_index": request.turn_index}
    if not await _still_rules(store, request):
        log.info("score_refinement_not_needed", **ids)  # refined already (the fast path), or the score is gone
        return
    turns = question_turns(await store.records.turns(request.interview_id), request.turn_index)
    answers = answered(turns or [])
    if turns is None or digest(answers) != request.answers_digest:
        log.info("score_refinement_outdated", **ids)  # the answer went on: its new end has its own score
        return
    judge: LlmClient = services.language_model.client
    if not judge.ready:
        raise ModelUnavailable(judge.unavailable_reason)
    iv = await store.interviews.get(request.interview_id)
    if iv is None:
        return
    plan = await plan_by_id(store.jobs, iv.plan_id, iv.job.title, iv.language)
    spec = plan.questions[min(request.question_index, len(plan.questions) - 1)]
    lang = normalise_language(iv.language)
    try:
        relevance = await ask_model_relevance(
            judge, spec.text_in(lang), lang, answer_words(answers),
            known_controls=tuple(request.known_controls) if request.known_controls is not None else None)
    except LlmReplyError as e:  # the same question gets the same unusable reply: the rules' score stays
        raise PermanentJobError(f"the model gave no usable judgement: {e}") from e
    analyzer = await run_inference(services.analyzers.content)
    actx = await analyse_answers(analyzer, spec, lang, answers, seconds_used=request.seconds_used,
                                 asked=[t.trigger for t in turns if t.kind == "followup" and t.trigger])
    if not await _still_rules(store, request):  # the fast path finished meanwhile
        log.info("score_refinement_not_needed", **ids)
        return
    turn = ScoredTurn(request.interview_id, request.turn_index, request.question_index, request.final)
    scored = await TurnScores(store.records, services.publish_event, services.followup_policy,
                              plan.competency_names()).refine(
        turn, actx, relevance, nonverbal=request.nonverbal, nonverbal_weight=request.nonverbal_weight)
    log.info("score_refined_by_queue", scored_by=scored.score.scored_by, score=scored.score.score, **ids)
