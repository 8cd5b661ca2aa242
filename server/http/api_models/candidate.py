"""Models of the candidate's routes (server/http/routes/candidate.py): the session, consent, the WebRTC offer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.http.api_models.common import Strict


class ConsentOut(BaseModel):
    kind: str
    version: str
    text: str
    required: bool
    granted: bool | None = None


class CandidateSession(BaseModel):
    interview_id: str
    candidate_name: str
    job_title: str
    language: str
    status: str
    disclosure: str
    consents: list[ConsentOut]
    questions_total: int


class ConsentDecisions(Strict):
    ai_evaluation: bool
    recording: bool
    face_voice_analysis: bool


class ConsentRequest(Strict):
    token: str = Field(max_length=2000)
    decisions: ConsentDecisions
    language: Literal["en", "zh", "ko"] | None = None


class ConsentResponse(BaseModel):
    status: str
    consents: list[ConsentOut]


class OfferRequest(Strict):
    token: str = Field(max_length=2000)
    sdp: str
    type: Literal["offer"]
    takeover: bool = False


class AnswerResponse(BaseModel):
    sdp: str
    type: Literal["answer"] = "answer"
    connection_id: str
    node: str = Field(description="The server process (node id) that runs the interview now; the media goes to "
                      "its ICE addresses, whichever node received the offer")
