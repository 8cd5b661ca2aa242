"""Models of the account routes (server/http/routes/users.py): creating users, their roles and whether they may log
in, and the set-password link."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.http.api_models.common import NonBlank, Strict
from server.http.api_models.sessions import MIN_PASSWORD_LENGTH
from server.http.api_models.team import TeamMember

Role = Literal["admin", "recruiter", "hiring_manager", "observer"]
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class UserCreate(Strict):
    email: str = Field(min_length=3, max_length=320, pattern=EMAIL_PATTERN, description="Unique: one account per "
                       "e-mail address (the login name)")
    display_name: NonBlank = Field(max_length=200, description="The user's name as colleagues see it (not only "
                                   "spaces; stored trimmed)")
    role: Role
    language: Literal["en", "zh"] = Field(default="en", description="The language of the e-mail with the link")


class RoleChange(Strict):
    role: Role


class ActiveChange(Strict):
    active: bool = Field(description="false: the user's logins end at once and they cannot log in (their records "
                         "stay); true: they may log in again")


class LinkRequest(Strict):
    language: Literal["en", "zh"] = Field(default="en", description="The language of the e-mail with the link")


class PasswordLinkOut(BaseModel):
    user: TeamMember
    set_password_link: str = Field(description="Give it to the user: it works once, until expires_at; shown only "
                                   "in this answer")
    expires_at: str = Field(description="UTC")
    emailed: bool = Field(description="The link is also being sent to the user's e-mail (SMTP is configured)")


class TokenRequest(Strict):
    token: str = Field(min_length=1, max_length=1000)


class SetPasswordRequest(Strict):
    token: str = Field(min_length=1, max_length=1000)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1000,
                          description=f"At least {MIN_PASSWORD_LENGTH} characters")


class PasswordLinkInfo(BaseModel):
    email: str = Field(description="The account the link sets the password of (its login name)")
    display_name: str
