"""Who may call a route and which personal-data read it records: declared once, when the route is registered.

Every route says who may call it (``PUBLIC``, ``CANDIDATE_LINK``, ``ANY_USER`` or ``users(roles, refusal)``) and,
if its answers show candidates' personal data, which audited read that is (``ReadAudit``). The guard in
``server/http/routes/guard.py`` enforces both around the handler; the OpenAPI document shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# what an audited read is about, and the path parameter naming it ("org" is the user's own organisation)
SUBJECT_PARAMS: dict[str, str | None] = {"org": None, "interview": "interview_id", "job": "job_id",
                                         "import": "import_id"}


@dataclass(frozen=True)
class Access:
    """Who may call a route: anyone, the holder of a candidate's link, or a logged-in user (of some roles only)."""

    caller: Literal["public", "candidate_link", "user"]
    roles: frozenset[str] = frozenset()  # for "user": the roles allowed; empty means every logged-in user
    refusal: str = ""  # the 403 message for a user of another role

    def __post_init__(self) -> None:
        if self.caller != "user" and self.roles:
            raise ValueError("only routes for logged-in users can be limited to roles")
        if bool(self.roles) != bool(self.refusal):
            raise ValueError("a route limited to roles needs the message that refuses the others (and only then)")


PUBLIC = Access("public")
CANDIDATE_LINK = Access("candidate_link")  # the handler reads the link (interview_from_link); the guard checks it did
ANY_USER = Access("user")


def users(roles: tuple[str, ...], refusal: str) -> Access:
    """Logged-in users of these roles; others get 403 ``forbidden`` with ``refusal``."""
    return Access("user", frozenset(roles), refusal)


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
