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


class AnalysisOut(BaseModel):
    kind: Literal["speech", "content", "face_voice"] = Field(description="speech: the answers are transcribed; "
                                                             "content: what they say is evaluated; face_voice: "
                                                             "observable behaviour in the video and voice")
    when: Literal["always", "with_consent", "off"] = Field(description="with_consent: only with the "
                                                           "face_voice_analysis consent; off: never on this server")


class PracticeOut(BaseModel):
    available: bool = Field(description="False once the interview's first question has been asked")
    time_limit_s: int


class CandidateSession(BaseModel):
    interview_id: str
    candidate_name: str
    job_title: str
    language: str
    status: str
    disclosure: str
    consents: list[ConsentOut]
    questions_total: int
    question_time_limits_s: list[int] = Field(description="Each planned question's answer time (follow-ups come "
                                              "out of their question's time)")
    expected_duration_s: int = Field(description="The answer times added up: how long the interview takes at most, "
                                     "about")
    analysis: list[AnalysisOut]
    practice: PracticeOut
    review_requested_at: str | None = Field(description="When the candidate asked for a human review, or null")


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
    practice: bool = Field(default=False, description="Start with the practice question (not scored, nothing of it "
                           "kept); ignored once the interview's first question has been asked")


class AnswerResponse(BaseModel):
    sdp: str
    type: Literal["answer"] = "answer"
    connection_id: str
    node: str = Field(description="The server process (node id) that runs the interview now; the media goes to "
                      "its ICE addresses, whichever node received the offer")
