"""Models of the team routes (server/http/routes/team.py): who is responsible for which job and interview."""

from __future__ import annotations

from pydantic import BaseModel, Field


class TeamMember(BaseModel):
    id: str
    email: str
    display_name: str
    role: str = Field(description="admin, recruiter, hiring_manager or observer")
    job_ids: list[str] = Field(description="The jobs assigned to them (recruiters and hiring managers)")
    interview_ids: list[str] = Field(description="The interviews they were invited to observe (observers)")
    dingtalk_userid: str | None = Field(default=None, description="Their DingTalk userid: the reports of the jobs "
                                        "they recruit for reach them as work notices (PUT /api/v1/users/{id}/dingtalk)")
    active: bool = Field(default=True, description="false: deactivated, cannot log in (their records stay)")
    last_login_at: str | None = Field(default=None, description="When they last logged in (UTC), if known")


class Team(BaseModel):
    users: list[TeamMember]
