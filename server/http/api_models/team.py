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


class Team(BaseModel):
    users: list[TeamMember]
