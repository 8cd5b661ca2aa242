"""A job's interview plan as the dialogue engine uses it, whether it was imported whole or made of plain questions;
an uploaded plan document read off the event loop."""

from __future__ import annotations

import structlog
from pydantic import ValidationError

from analyzers.text.language import normalise_language
from analyzers.thread_pool import BoundedThreadPool
from dialogue.plan import CompetencyNames, InterviewPlanSpec, PlanQuestionSpec
from dialogue.plan_io import load_plan
from server.storage.models import Job
from server.storage.jobs import JobRepository

log = structlog.get_logger(__name__)


async def plan_for_job(jobs: JobRepository, job: Job) -> InterviewPlanSpec:
    plan_id = await jobs.latest_plan_id(job.id)
    return await plan_by_id(jobs, plan_id, job.title, job.language)


async def plan_by_id(jobs: JobRepository, plan_id: str, title: str, language: str) -> InterviewPlanSpec:
    """The stored spec; for plans created from plain questions, a spec built from them (no rubric, no rules)."""
    spec = await jobs.plan_spec(plan_id)
    if spec:
        return InterviewPlanSpec.model_validate(spec)
    lang = normalise_language(language)
    questions = [
        PlanQuestionSpec(id=f"q{q.position + 1}", competency=q.competency or "general", text={lang: q.text},
                         expected_points={lang: list(q.expected_points)} if q.expected_points else {},
                         time_limit_s=max(20, q.time_limit_s))
        for q in await jobs.plan_questions(plan_id)
    ]
    return InterviewPlanSpec(title={lang: title}, languages=[lang], questions=questions)


def competency_names(spec: dict | None) -> CompetencyNames:
    """The competency names of a stored plan (``QuestionPlan.spec``): {} for a plan made of plain questions, and for
    a stored plan that no longer reads (its readers then see the keys rather than an error)."""
    if not spec:
        return {}
    try:
        return InterviewPlanSpec.model_validate(spec).competency_names()
    except ValidationError as exc:
        log.warning("stored_plan_unreadable", errors=exc.error_count())
        return {}


_reading = BoundedThreadPool("plan-read", 1)


async def read_plan(text: str) -> InterviewPlanSpec:
    """An uploaded plan (YAML or JSON text, at most ``dialogue.plan_io.MAX_PLAN_BYTES``) read on a thread of its own:
    PyYAML reads in Python, about 2 ms per KB, which would stall live interviews on the loop. Raises PlanError."""
    return await _reading.run(load_plan, text)
