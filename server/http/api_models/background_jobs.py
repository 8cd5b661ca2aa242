"""Models of the background-work route (server/http/routes/background_jobs.py)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class JobCountOut(BaseModel):
    kind: str
    state: str = Field(description="queued | running | done | failed")
    count: int


class BackgroundJobOut(BaseModel):
    id: str
    kind: str = Field(description="e.g. invitation.send, import.run, reminders.tick, retention.sweep")
    state: str = Field(description="queued | running | done | failed")
    attempts: int = Field(description="Runs started so far")
    max_attempts: int
    run_after: str | None = Field(description="When it runs (next), for a queued job")
    locked_by: str | None = Field(description="The node running it (host:pid:id)")
    locked_until: str | None = Field(description="Its lease; past this, another node runs it again")
    last_error: str = Field(description="The last failed run's error (empty once it succeeded)")
    created_at: str | None
    updated_at: str | None
    finished_at: str | None


class BackgroundJobList(BaseModel):
    counts: list[JobCountOut] = Field(description="Jobs per kind and state")
    jobs: list[BackgroundJobOut] = Field(description="The most recently changed jobs (filtered), newest first")
