"""Typed, versioned events: what the pipeline publishes, the store keeps and the WebSocket streams carry.

Every event is a pydantic model with a ``type`` tag and ``v`` (schema version). Observers and the candidate page
receive them as JSON objects ``{"v": 1, "type": ..., "interview_id": ..., "at": ..., ...}``.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, TypeAdapter

SCHEMA_VERSION = 1


class BaseEvent(BaseModel):
    """What every event carries."""

    v: int = SCHEMA_VERSION
    interview_id: str
    at: float = Field(default_factory=time.time, description="Unix time the server produced the event")


class InterviewStateChanged(BaseEvent):
    type: Literal["interview.state"] = "interview.state"
    status: Literal["created", "consented", "live", "finished", "failed"]
    reason: str | None = None


class ConnectionStateChanged(BaseEvent):
    type: Literal["connection.state"] = "connection.state"
    state: Literal["connecting", "connected", "disconnected", "failed", "closed", "replaced"]
    connection_id: str


class QuestionAsked(BaseEvent):
    type: Literal["question.asked"] = "question.asked"
    turn_index: int
    question_index: int
    questions_total: int
    text: str
    kind: Literal["question", "followup", "closing", "practice"] = Field(
        default="question", description="practice: the optional practice question, sent to the candidate's page "
        "only (turn_index and question_index -1, bus channel candidate_only_channel)")
    preamble: str | None = Field(default=None, description="Said before the question (the AI disclosure)")
    time_limit_s: int | None = Field(default=None, description="The answer ends (reason time_limit) this many "
                                     "seconds after the question was sent; each asking (a rejoin, a repeat) starts "
                                     "it again. None: no limit (the closing words)")


class QuestionInterrupted(BaseEvent):
    """The candidate talked over the question being spoken: the page stops speaking it (the AI never talks over
    the candidate). Sent once per turn, after ``TurnTakingConfig.barge_in_min_speech_ms`` of continuous speech or
    a partial with ``barge_in_min_words`` words that are not backchannels ("ok", "嗯")."""

    type: Literal["question.interrupted"] = "question.interrupted"
    turn_index: int
    media_ms: int


class SpeechStarted(BaseEvent):
    type: Literal["speech.started"] = "speech.started"
    turn_index: int
    media_ms: int


class SpeechEnded(BaseEvent):
    type: Literal["speech.ended"] = "speech.ended"
    turn_index: int
    media_ms: int


class WordTiming(BaseModel):
    text: str
    start_ms: int
    end_ms: int


class TranscriptPartial(BaseEvent):
    type: Literal["transcript.partial"] = "transcript.partial"
    turn_index: int
    text: str
    start_ms: int
    end_ms: int


class TranscriptFinal(BaseEvent):
    type: Literal["transcript.final"] = "transcript.final"
    turn_index: int
    seq: int
    text: str
    start_ms: int
    end_ms: int
    words: list[WordTiming] = []


class AnswerEnded(BaseEvent):
    type: Literal["answer.ended"] = "answer.ended"
    turn_index: int
    text: str
    reason: str


class AnswerFinishing(BaseEvent):
    """The candidate pressed "I have finished" while still speaking (``waiting_for="pause"``: the answer ends at
    their next pause) or while their last words were still being recognised (``"words"``: it ends when they are).
    The page tells them so; ``answer.ended`` follows."""

    type: Literal["answer.finishing"] = "answer.finishing"
    turn_index: int
    waiting_for: Literal["pause", "words"]


class AnswerResumed(BaseEvent):
    """The candidate spoke again within the grace window after their answer was taken as over
    (``TurnTakingConfig.resume_grace_ms``, 1 s): the answer of ``turn_index`` goes on. Its ``answer.ended`` no
    longer holds; its words so far stay and the whole answer is scored when it ends (a second ``answer.ended``).
    The question of that turn is shown again; ``withdrawn_turn_index`` names the question sent since and taken back
    (the page stops speaking it; its turn no longer exists), None when none had been sent."""

    type: Literal["answer.resumed"] = "answer.resumed"
    turn_index: int
    question_index: int
    questions_total: int
    text: str = Field(description="The question of the answer that goes on")
    kind: Literal["question", "followup", "closing"] = "question"
    media_ms: int = Field(description="When the candidate spoke again (interview clock)")
    withdrawn_turn_index: int | None = None


class MediaStats(BaseEvent):
    type: Literal["media.stats"] = "media.stats"
    audio_frames: int
    video_frames_received: int
    video_frames_sampled: int
    video_frames_dropped: int
    video_fps: float
    width: int | None = None
    height: int | None = None
    analysis: dict[str, dict[str, Any]] = {}


class ConsentsRecorded(BaseEvent):
    type: Literal["consent.recorded"] = "consent.recorded"
    version: str
    decisions: dict[str, bool]


class ObservationEvent(BaseEvent):
    """A current measurement of observable behaviour (face, posture, hands, voice); no emotions are inferred."""

    type: Literal["observation"] = "observation"
    analyzer: str
    turn_index: int
    t_ms: int
    values: dict[str, Any]
    quotes: dict[str, str] = {}
    lag_ms: float | None = None


class FlagRaised(BaseEvent):
    """A proctoring flag: evidence for a human to look at, never an automatic decision."""

    type: Literal["flag.raised"] = "flag.raised"
    analyzer: str
    kind: str
    since_ms: int
    detail: str = ""


class AnswerSummary(BaseEvent):
    type: Literal["answer.summary"] = "answer.summary"
    turn_index: int
    question: str
    content: dict[str, Any] = {}
    content_quotes: dict[str, str] = {}
    voice: dict[str, Any] = {}
    nonverbal: dict[str, dict[str, Any]] = {}
    nonverbal_weight: float = 0.0


class AnswerScored(BaseEvent):
    """The AI's score of the current question so far (updated after each follow-up), with its evidence."""

    type: Literal["answer.scored"] = "answer.scored"
    turn_index: int
    question_index: int
    competency: str = Field(description="The competency's key in the plan (ratings and weights use it)")
    competency_name: dict[str, str] = Field(
        default_factory=dict, description="The competency's name per language ({'en': ..., 'zh': ...}) as the plan "
        "gives it; a page shows the one in its language, else the key. Empty when the plan names none; added to "
        "version 1")
    score: float
    confidence: float
    level: str
    evidence: list[dict[str, Any]] = []
    uncertain: list[str] = []
    final: bool = Field(description="False while a follow-up to this question is still coming")
    scored_by: str = Field(default="rules", description="Which path scored it: 'rules', or '<model> + rules' when "
                           "the language model's relevance check took part. A score the model refines after the "
                           "next question was asked comes as a second answer.scored for the same turn_index")
    relevance: str | None = Field(default=None, description="The relevance label the score used ('on_topic', "
                                  "'off_topic', …): it can differ from answer.summary's when the language model "
                                  "found the answer to be about something else")


class FollowUpChosen(BaseEvent):
    type: Literal["followup.chosen"] = "followup.chosen"
    turn_index: int
    question_index: int
    kind: Literal["followup", "clarify", "next"]
    trigger: str | None = None
    reason: str = ""
    reason_code: str | None = None  # the reason as a code pages say in their language (dialogue/followup.py)
    source: str = "rules"


class ErrorEvent(BaseEvent):
    type: Literal["error"] = "error"
    code: str
    message: str


InterviewEvent = Annotated[
    Union[
        InterviewStateChanged,
        ConnectionStateChanged,
        QuestionAsked,
        QuestionInterrupted,
        SpeechStarted,
        SpeechEnded,
        TranscriptPartial,
        TranscriptFinal,
        AnswerEnded,
        AnswerFinishing,
        AnswerResumed,
        MediaStats,
        ConsentsRecorded,
        ObservationEvent,
        FlagRaised,
        AnswerSummary,
        AnswerScored,
        FollowUpChosen,
        ErrorEvent,
    ],
    Field(discriminator="type"),
]

event_adapter: TypeAdapter[InterviewEvent] = TypeAdapter(InterviewEvent)



def candidate_only_channel(interview_id: str) -> str:
    """The bus channel of events for the candidate's page alone (the practice question's): observers never
    subscribe to it and nothing on it is kept in the timeline."""
    return f"{interview_id}:candidate"


# Events too frequent or too transient to keep in the timeline table.
TRANSIENT_EVENT_TYPES = frozenset({"transcript.partial", "media.stats", "observation"})


def parse_event(data: str | bytes | dict) -> InterviewEvent:
    if isinstance(data, dict):
        return event_adapter.validate_python(data)
    return event_adapter.validate_json(data)
