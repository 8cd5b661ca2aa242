"""Models of the bulk candidate import routes (server/http/routes/imports.py; DingTalk imports share ImportOut)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.http.api_models.common import ErrorInfo


class ImportItemOut(BaseModel):
    position: int
    filename: str = Field(description="Path inside the zip, 'people.csv row 3' for a CSV row, or the candidate's "
                          "id in DingTalk")
    status: Literal["pending", "created", "duplicate", "failed", "updated", "unchanged"] = Field(
        description="updated / unchanged: a DingTalk candidate imported before (changed or not since)")
    candidate_id: str | None = Field(default=None, description="The new candidate, or the existing one for a duplicate")
    name: str = ""
    error: ErrorInfo | None = Field(default=None, description="Why the file failed (the parser's kind: scanned, "
                                    "broken_file, unsupported_type, empty, too_large, ...) or whom it duplicates")


class ImportOut(BaseModel):
    id: str
    job_id: str
    status: Literal["pending", "running", "done", "interrupted", "failed"] = Field(
        description="pending: waiting for a server (also after its server stopped, until another continues it); "
        "running; done; failed (error says why); interrupted: its server stopped and no server can continue it")
    source: str = Field(description="zip, csv, csv+zip or dingtalk")
    filename: str = Field(description="The uploaded files, or 'DingTalk: <job name> (<ATS job id>)'")
    total: int = Field(description="Items so far (a DingTalk import's grow once its candidates are listed)")
    done: int
    created: int
    duplicate: int
    failed: int
    updated: int = Field(default=0, description="DingTalk imports: candidates imported before whose record changed")
    unchanged: int = Field(default=0, description="DingTalk imports: candidates imported before, unchanged")
    error: ErrorInfo | None = Field(default=None, description="Why the run failed or was interrupted; on a done "
                                    "DingTalk run, code 'truncated' when DingTalk listed more than one import takes")
    created_at: str | None
    started_at: str | None
    finished_at: str | None
    items: list[ImportItemOut] | None = Field(default=None, description="Per-file results (not in lists)")


class ImportList(BaseModel):
    imports: list[ImportOut]
