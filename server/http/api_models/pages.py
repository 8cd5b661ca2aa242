"""Models of the server's own pages (server/http/routes/pages.py): the health check."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class LoopLag(BaseModel):
    p50: float
    p95: float
    max: float
    samples: int


class LanguageModelStatus(BaseModel):
    state: Literal["off", "starting", "ready", "failed"]
    engine: Literal["embedded", "off", "external"]
    model: str | None
    decides: Literal["model", "rules"] = Field(description="Who scores and chooses follow-ups now: the language "
                                               "model, or the rules while it is off, starting or failed")
    error: str | None = None
    replies_in_time_share: float | None = Field(
        default=None, description="Share of this node's newest judgements of an answer's end that came within "
        "llm_decision_wait_s; once 4 of the newest 8 are timed, under a quarter means the next move does not wait for "
        "the model (None: none timed yet)")


class HealthResponse(BaseModel):
    status: Literal["ok"] = "ok"
    live_sessions: int
    connected_sessions: int
    loop_lag_ms: LoopLag
    analysis_lag_ms: LoopLag = Field(description="Video frame received -> observation ready, recent frames")
    answer_to_question_ms: LoopLag = Field(description="Candidate's last voiced frame -> next question sent, recent "
                                           "answers that ended on silence (not on a time limit)")
    language_model: LanguageModelStatus
