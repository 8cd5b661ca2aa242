"""Models of the login routes (server/http/routes/login.py, routes/sessions.py): password change, open logins."""

from __future__ import annotations

from pydantic import BaseModel, Field

from server.http.api_models.common import Strict

MIN_PASSWORD_LENGTH = 10


class PasswordChangeRequest(Strict):
    current_password: str = Field(max_length=1000)
    new_password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1000,
                              description=f"At least {MIN_PASSWORD_LENGTH} characters")


class SessionsEnded(BaseModel):
    ended: int = Field(description="Logins that were ended")


class SignedInUser(BaseModel):
    id: str
    email: str
    display_name: str
    role: str
    sessions: int = Field(description="Logins still open (on any device)")
    last_seen_at: str | None = Field(description="When one of them was last used (UTC, to the minute)")


class SignedInList(BaseModel):
    users: list[SignedInUser]
