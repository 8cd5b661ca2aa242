"""A job's candidates matched against its requirements: the ranked, explained list HR reads and the analytics'
match-score figures both come from here."""

from __future__ import annotations

from analyzers.documents.job_matching import rank
from analyzers.documents.match_result import MatchResult, Override
from analyzers.embeddings import load_multilingual_use
from analyzers.inference_pool import run_inference
from server.recruiting.imports import PROFILE
from server.recruiting.requirements import job_requirements
from server.storage.matching import MatchingRepository
from server.storage.models import Job


async def ranked_candidates(matching: MatchingRepository, job: Job) -> list[MatchResult]:
    """Every resume of the job matched against its requirements (with HR's overrides), best first; the embedding
    model and the matching run on the inference pool."""
    reqs = await job_requirements(matching, job)
    profiles = [(cand.id, PROFILE.validate_python(resume.profile)) for resume, cand in await matching.resumes(job.id)]
    if not profiles:
        return []
    overrides: dict[str, list[Override]] = {}
    for o in await matching.overrides(job.id):
        overrides.setdefault(o.candidate_id, []).append(
            Override(requirement_id=o.requirement_id, status=o.status, note=o.note, by=o.by, at=o.at))
    embedder = await run_inference(load_multilingual_use)
    return await run_inference(rank, profiles, reqs, embedder, overrides=overrides)
