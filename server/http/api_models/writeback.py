"""Models of the write-back routes (server/http/routes/writeback.py): the sync log of reports written back to the HR
system, syncing an interview again, and users' DingTalk userids."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.http.api_models.common import Strict

TARGET = Literal["dingtalk_record", "dingtalk_notice", "webhook"]
STATUS = Literal["pending", "sending", "sent", "failed", "superseded"]


class WritebackOut(BaseModel):
    id: str
    interview_id: str
    candidate_id: str
    candidate_name: str
    job_id: str
    job_title: str
    target: TARGET = Field(description="dingtalk_record: the candidate's DingTalk recruiting record; "
                           "dingtalk_notice: a work notice to the job's recruiters; webhook: the report webhook")
    recipient: str = Field(description="The DingTalk candidate id, the userids notified (once sent) or the "
                           "webhook's address (without its query)")
    report_version: int = Field(description="1, then one more each time the report's content changed")
    idempotency_key: str = Field(description="<interview_id>-v<report_version>: DingTalk's out_id, the webhook's "
                                 "Idempotency-Key")
    status: STATUS = Field(description="pending (waiting for its next try), sending, sent, failed (given up or "
                           "refused; sync again), superseded (a newer report version replaced it)")
    attempts: int = Field(description="Requests made, over all rounds")
    rounds: int = Field(description="Delivery rounds so far (each with its own quick retries)")
    error_code: str = Field(description="rate_limited, unavailable, auth_failed, refused, not_configured, "
                            "no_recipient, webhook_unavailable, webhook_refused, internal_error, superseded; "
                            "empty when sent")
    last_error: str = Field(description="What went wrong, in plain words (English)")
    external_ref: str = Field(description="The receiver's id of the write: DingTalk's data id (record) or task id "
                              "(work notice)")
    created_at: str | None
    updated_at: str | None
    next_attempt_at: str | None = Field(description="When a pending write is tried next")
    sent_at: str | None


class WritebackList(BaseModel):
    writebacks: list[WritebackOut]
    next_before: str | None = Field(description="Pass as ?before= for the next (older) page; null on the last")


class WritebackRun(BaseModel):
    interview_id: str
    report_version: int = Field(description="The version of the interview's report now queued")
    queued: int = Field(description="New writes queued (0: this report was queued before)")
    requeued: int = Field(description="Failed writes of this version sent again")
    writebacks: list[WritebackOut] = Field(description="Every write of this interview, newest first")


class DingTalkUserRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    dingtalk_userid: str | None = Field(min_length=1, max_length=64, pattern=r"^[^,\s]+$",
                                        description="The user's DingTalk userid; null removes it")


class DingTalkUserOut(BaseModel):
    user_id: str
    email: str
    role: str
    dingtalk_userid: str | None
