"""Models of the invitation routes (server/http/routes/invitations.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, EmailStr, Field

from server.http.api_models.common import Strict


class InvitationRequest(Strict):
    channel: Literal["email", "webhook", "dingtalk"] = "email"
    email: EmailStr | None = Field(default=None, description="Defaults to the candidate's e-mail")
    dingtalk_userid: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[^,\s]+$",
                                        description="The candidate's DingTalk userid (channel dingtalk)")


class InvitationOut(BaseModel):
    id: str
    channel: str
    recipient: str
    status: str
    attempts: int
    last_error: str
    created_at: str | None
    sent_at: str | None


class InvitationList(BaseModel):
    invitations: list[InvitationOut]


class ResendRequest(Strict):
    invitation_id: str | None = Field(default=None, max_length=64, description="The invitation to send again (its "
                                      "channel and recipient); the latest one if omitted")
