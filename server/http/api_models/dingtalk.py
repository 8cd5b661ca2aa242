"""Models of the DingTalk routes (server/http/routes/dingtalk.py): the ATS import and the integrations on offer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.http.api_models.common import Strict


class DingTalkImportRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    ats_job_id: str = Field(min_length=1, max_length=128, description="The job's id in DingTalk recruiting (ATS)")
    since_days: int = Field(default=365, ge=1, le=3650, description="Candidates whose application changed in the "
                            "last N days")


class Integrations(BaseModel):
    invitation_channels: list[Literal["email", "webhook", "dingtalk"]] = Field(
        description="Invitation channels set up on this server (POST /api/v1/interviews/{id}/invitations)")
    dingtalk_import: bool = Field(description="Candidates can be imported from DingTalk recruiting "
                                  "(POST /api/v1/jobs/{job_id}/imports/dingtalk)")
