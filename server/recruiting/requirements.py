"""A job's requirements as HR sees and edits them: the set HR saved, else read from the job's description.

Reading a description (or a line HR types) is document parsing, so it runs on the parsing pool of
server/recruiting/imports.py, never on the event loop, in a child process of its own within a time and memory bound
(a description of 20,000 characters is read in well under a second; one that takes longer is refused with 422
``text_unreadable`` instead of holding the pool).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Callable, Literal, TypeVar

import structlog

from analyzers.bounded_process import LimitExceeded
from analyzers.documents.job_requirements import (JobRequirements, Requirement, extract_requirements,
                                                  read_requirement_line)
from analyzers.documents.model_fill import fill_requirements, requirements_unsure
from analyzers.llm_client import LlmClient
from server.http.errors import ApiError
from server.recruiting.imports import off_loop_bounded
from server.storage.matching import MatchingRepository
from server.storage.models import Job

log = structlog.get_logger(__name__)
T = TypeVar("T")


READ_TIMEOUT_S = 10.0
READ_MEMORY_BYTES = 256 * 2**20


async def _read(fn: Callable[..., T], *args) -> T:
    try:
        return await off_loop_bounded(fn, *args, timeout_s=READ_TIMEOUT_S, memory_bytes=READ_MEMORY_BYTES)
    except LimitExceeded as exc:
        raise ApiError(422, "text_unreadable", f"Reading the text {exc.message}; shorten it or split its long "
                       "lines.") from None


async def read_description(description: str, language: str | None) -> JobRequirements:
    """The requirements a job description states (must-have and nice-to-have), read off the event loop."""
    return await _read(extract_requirements, description or "", language)


@dataclass(frozen=True)
class DescriptionReading:
    """A new job's requirements and who read its must/nice sections: the rules, or the language model's headings."""

    requirements: JobRequirements
    read_by: Literal["rules", "model"]


async def read_new_description(description: str, language: str | None, llm: LlmClient | None,
                               wait_s: float) -> DescriptionReading:
    """The rules' reading; when they are unsure of it (no section heading they know, or no must-have) and the
    language model is ready, the reading again with the headings the model recognised, if that finds a must-have
    within ``wait_s`` seconds. The caller saves a model reading: the rules alone would not read it that way again."""
    rules = await read_description(description, language)
    if llm is None or not llm.ready or wait_s <= 0 or not requirements_unsure(description or "", rules):
        return DescriptionReading(rules, "rules")
    try:
        reqs, report = await asyncio.wait_for(fill_requirements(llm, description, rules, timeout_s=wait_s), wait_s)
    except asyncio.TimeoutError:
        log.info("description_model_timeout", wait_s=wait_s)
        return DescriptionReading(rules, "rules")
    if "requirements" not in report.filled:
        return DescriptionReading(rules, "rules")
    return DescriptionReading(reqs, "model")


async def job_requirements(matching: MatchingRepository, job: Job) -> JobRequirements:
    """HR's saved set for the job; until HR saves one, the requirements read from the job's description."""
    stored = await matching.requirements(job.id)
    if stored:
        return JobRequirements.model_validate(stored)
    return await read_description(job.description or "", job.language)


async def read_line(text: str, must_have: bool) -> list[Requirement]:
    """The requirements of one line HR typed, each with a fresh id (so it never takes over an older item's HR
    overrides). A line the reader finds nothing in is kept as HR wrote it, as a skill to look for."""
    found = await _read(read_requirement_line, text, must_have)
    if not found:
        clean = text.strip()
        found = [Requirement(id="skill", kind="skill", text=clean, must_have=must_have, value=clean, line=clean)]
    return [r.model_copy(update={"id": f"{r.kind}-{uuid.uuid4().hex[:10]}"}) for r in found]
