"""Who may call a route, on what, and which personal-data read it records: declared once, when the route is
registered.

Every route says who may call it (``PUBLIC``, ``CANDIDATE_LINK``, ``ANY_USER``, ``LISTING`` or ``users(roles,
refusal, scope=...)``) and, if its answers show candidates' personal data, which audited read that is
(``ReadAudit``). The guard in ``server/http/routes/guard.py`` enforces both around the handler; the OpenAPI document
shows them.

Roles (BRIEF section 4: HR users see only their jobs' candidates, observers only the interviews they were invited
to). What a user is *responsible for* decides which of the organisation's records their role may touch:

* ``admin``: the whole organisation; assigns jobs and invites observers.
* ``recruiter``: the jobs assigned to them (or that they created), and everything of those jobs: interviews,
  resumes, imports, scheduling, reports.
* ``hiring_manager``: the jobs assigned to them, to read and rate their interviews.
* ``observer``: read-only, only the interviews they were invited to observe.

A route's ``scope`` names the record the caller must be responsible for: ``job``, ``interview``, ``import`` or
``candidate``, named by the path (checked by the guard before the handler runs) or by the JSON body (the handler
checks it with ``routes/scope.py``; the guard refuses to send a success that skipped it); ``listed`` means the
answer lists only what the caller is responsible for (the handler asks ``routes/scope.py`` what that is). A record
the caller is not responsible for answers 404, like another organisation's, so ids reveal nothing; a role the
route does not admit answers 403 whatever the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from server.storage.models import ROLES
WHOLE_ORG_ROLES = frozenset({"admin"})  # responsible for every record of their organisation
JOB_ROLES = frozenset({"recruiter", "hiring_manager"})  # responsible for the jobs assigned to them
INTERVIEW_ROLES = frozenset({"observer"})  # responsible for the interviews they were invited to

# who may do what, as the routes name it
ADMIN = ("admin",)
RECRUITING = ("admin", "recruiter")  # work on a job: candidates, imports, plans, scheduling, invitations, links
RATING = ("admin", "recruiter", "hiring_manager")  # read and rate interviews
READING = ROLES  # read interviews (observers only those they observe)

# a scope, and the path parameter (or body field) naming its record
SCOPE_PARAMS: dict[str, str] = {"job": "job_id", "interview": "interview_id", "import": "import_id",
                                "candidate": "candidate_id", "user": "user_id"}
LISTED = "listed"

# what an audited read is about, and the path parameter naming it ("org" is the user's own organisation)
SUBJECT_PARAMS: dict[str, str | None] = {"org": None, "interview": "interview_id", "job": "job_id",
                                         "import": "import_id"}


@dataclass(frozen=True)
class Access:
    """Who may call a route: anyone, the holder of a candidate's link, or a logged-in user (of some roles only,
    on the records they are responsible for)."""

    caller: Literal["public", "candidate_link", "user"]
    roles: frozenset[str] = frozenset()  # for "user": the roles allowed; empty means every logged-in user
    refusal: str = ""  # the 403 message for a user of another role
    scope: str | None = None  # job, interview, import, candidate or listed (see the module's docstring)
    scope_from: Literal["path", "body"] = "path"  # where the scoped record's id is

    def __post_init__(self) -> None:
        if self.caller != "user" and (self.roles or self.scope):
            raise ValueError("only routes for logged-in users can be limited to roles or scoped")
        if bool(self.roles) != bool(self.refusal):
            raise ValueError("a route limited to roles needs the message that refuses the others (and only then)")
        if unknown := self.roles - set(ROLES):
            raise ValueError(f"unknown roles {sorted(unknown)}")
        if self.scope is not None and self.scope != LISTED and self.scope not in SCOPE_PARAMS:
            raise ValueError(f"unknown scope {self.scope!r}")
        if self.scope_from == "body" and self.scope not in SCOPE_PARAMS:
            raise ValueError("only a record's scope can be named by the body")

    @property
    def scope_param(self) -> str | None:
        """The path parameter (or body field) naming the record the caller must be responsible for."""
        return SCOPE_PARAMS.get(self.scope or "")

    def admits(self, role: str) -> bool:
        return not self.roles or role in self.roles


PUBLIC = Access("public")
CANDIDATE_LINK = Access("candidate_link")  # the handler reads the link (interview_from_link); the guard checks it did
ANY_USER = Access("user")  # every logged-in user; the answer shows nothing of any job or interview
LISTING = Access("user", scope=LISTED)  # every logged-in user; the answer lists only what they are responsible for


def users(roles: tuple[str, ...], refusal: str = "", *, scope: str | None = None,
          scope_from: Literal["path", "body"] = "path") -> Access:
    """Logged-in users of these roles; others get 403 ``forbidden`` with ``refusal`` (none is needed when every
    role is admitted). With ``scope``, only on the records the user is responsible for (404 ``not_found`` for the
    others)."""
    if set(roles) == set(ROLES):
        return Access("user", frozenset(), "", scope, scope_from)
    return Access("user", frozenset(roles), refusal, scope, scope_from)


@dataclass(frozen=True)
class ReadAudit:
    """The audited read a route's answer is: ``action`` (one of server/compliance/audit.py's ``READ_ACTIONS``,
    checked when the app is built) about ``subject``.

    ``when_none_shown=False``: an answer that shows no candidate is not recorded (the access log itself).
    """

    action: str
    subject: str
    when_none_shown: bool = True

    def __post_init__(self) -> None:
        if self.subject not in SUBJECT_PARAMS:
            raise ValueError(f"unknown audit subject {self.subject!r}")

    @property
    def path_param(self) -> str | None:
        return SUBJECT_PARAMS[self.subject]
