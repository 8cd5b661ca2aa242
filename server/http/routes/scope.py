"""What a logged-in user is responsible for, and the one check that a record is theirs (the roles and scopes are
described in server/http/access.py).

The guard admits the record a route's path names with these functions before the handler runs; a handler checks a
record named by the request body (``responsible_job(request, user, body.job_id)``) and asks what a listing may
show (``responsibility(request, user)``) here too, and the guard refuses to send a success that skipped that.
A record of another organisation, or one the user is not responsible for, is 404 either way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from server.http.access import INTERVIEW_ROLES, JOB_ROLES, WHOLE_ORG_ROLES
from server.http.errors import ApiError
from server.http.routes.common import ADMITTED_INTERVIEW_KEY, ctx_of, in_org
from server.storage.assignments import Assignments
from server.storage.models import Candidate, CandidateImport, Interview, Job, User


@dataclass(frozen=True)
class Responsibility:
    """The records of the user's organisation they are responsible for: all of them (admins), the jobs assigned to
    them and those jobs' interviews (recruiters, hiring managers), or the interviews they observe (observers)."""

    whole_org: bool
    job_ids: frozenset[str] = frozenset()
    interview_ids: frozenset[str] = frozenset()

    def job(self, job_id: str) -> bool:
        return self.whole_org or job_id in self.job_ids

    def interview(self, iv: Interview) -> bool:
        return self.whole_org or iv.job_id in self.job_ids or iv.id in self.interview_ids

    def candidate(self, links: Assignments) -> bool:
        """``links``: the jobs and interviews the candidate has (AssignmentRepository.candidate_links)."""
        return self.whole_org or bool(links.job_ids & self.job_ids or links.interview_ids & self.interview_ids)


RESPONSIBILITY_KEY = web.RequestKey("responsibility", Responsibility)
SCOPE_CHECKED_KEY = web.RequestKey("scope_checked", bool)  # the handler asked (a body-named record, a listing)


async def responsibility(request: web.Request, user: User) -> Responsibility:
    """What ``user`` is responsible for (read once per request); a listing shows only that."""
    request[SCOPE_CHECKED_KEY] = True
    if (known := request.get(RESPONSIBILITY_KEY)) is not None:
        return known
    if user.role in WHOLE_ORG_ROLES:
        resp = Responsibility(True)
    else:
        mine = await ctx_of(request).store.assignments.of_user(user.id)
        resp = Responsibility(False, mine.job_ids if user.role in JOB_ROLES else frozenset(),
                              mine.interview_ids if user.role in INTERVIEW_ROLES else frozenset())
    request[RESPONSIBILITY_KEY] = resp
    return resp


def _not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"No such {what}.")


async def responsible_job(request: web.Request, user: User, job_id: str) -> Job:
    job = in_org(await ctx_of(request).store.jobs.get(job_id), user, "job")
    if not (await responsibility(request, user)).job(job.id):
        raise _not_found("job")
    return job


async def responsible_interview(request: web.Request, user: User, interview_id: str) -> Interview:
    iv = in_org(await ctx_of(request).store.interviews.get(interview_id), user, "interview")
    if not (await responsibility(request, user)).interview(iv):
        raise _not_found("interview")
    request[ADMITTED_INTERVIEW_KEY] = iv  # the handler's org_interview need not read it again
    return iv


async def responsible_import(request: web.Request, user: User, import_id: str) -> CandidateImport:
    run = in_org(await ctx_of(request).store.imports.run(import_id), user, "import")
    if not (await responsibility(request, user)).job(run.job_id):
        raise _not_found("import")
    return run


async def responsible_candidate(request: web.Request, user: User, candidate_id: str) -> Candidate:
    store = ctx_of(request).store
    cand = in_org(await store.matching.candidate(candidate_id), user, "candidate")
    mine = await responsibility(request, user)
    if not mine.whole_org and not mine.candidate(await store.assignments.candidate_links(cand.id)):
        raise _not_found("candidate")
    return cand


async def responsible_user(request: web.Request, user: User, user_id: str) -> User:
    """A user of the caller's organisation: any of them for an admin, themselves for everyone else."""
    other = in_org(await ctx_of(request).store.accounts.user(user_id), user, "user")
    if user.role != "admin" and other.id != user.id:
        raise _not_found("user")
    return other


# the check for each scope the guard admits by the path
ADMIT: dict[str, Callable[[web.Request, User, str], Awaitable[object]]] = {
    "job": responsible_job, "interview": responsible_interview, "import": responsible_import,
    "candidate": responsible_candidate, "user": responsible_user}
