"""Audit log of personal-data reads (BRIEF section 4: every read of personal data is audited).

Every HTTP response or stream that shows a user candidates' personal data (names, contact details, resumes,
transcripts, scores, live media analysis) records who read it, what, which candidates it disclosed, when and from
where, before the data is sent. If the record cannot be written the read is refused (503 ``audit_unavailable``):
an unaudited disclosure is worse than a retry. Organisation admins read the log at ``GET /api/v1/audit/reads``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import structlog

from server.http.errors import ApiError
from server.storage.audit_log import AuditRepository
from server.storage.models import User

log = structlog.get_logger(__name__)

# action -> what the user saw (the HR page shows these in its own words, in Chinese and English)
READ_ACTIONS: dict[str, str] = {
    "interviews.list": "an interview list: those the user is responsible for (candidate names and e-mail)",
    "interview.read": "one interview: transcript, consents, events",
    "interview.observe": "an interview live on the observer panel",
    "report.read": "an evaluation report",
    "report.download": "an evaluation report as a PDF",
    "invitations.read": "an interview's invitations (e-mail address, phone)",
    "schedule.read": "an interview's booking",
    "job_schedule.read": "a job's bookings (candidate names)",
    "matches.read": "a job's candidates ranked by resume match (names, e-mail, resume evidence)",
    "import.read": "a bulk import's per-file results (candidate names)",
    "match.override": "one candidate's resume match, after an HR decision on it",
    "resume.duplicate": "the name of a candidate already stored, on uploading the same person again",
    "invitation.send": "an interview's invitation (the candidate's e-mail address as recipient)",
    "link.copy": "an interview's candidate link, copied again (whoever holds it can act as the candidate)",
    "audit.read": "the access log (candidate names)",
    "candidates.list": "the organisation's candidate list (names)",
    "writeback.read": "the log of reports written back to the HR system (candidate names)",
    "outcomes.read": "a job's hiring outcomes (candidate names, decisions, performance ratings)",
}


async def audit_read(reads: AuditRepository, user: User, action: str, subject_kind: str, subject_id: str,
                     candidate_ids: Iterable[str], ip: str, now: datetime, coalesce_s: int) -> None:
    """Record that ``user`` is about to be shown ``candidate_ids``' data; raises 503 if that cannot be recorded."""
    if action not in READ_ACTIONS:
        raise ValueError(f"unknown audited action {action!r}")
    try:
        await reads.record_read(user.org_id, user.id, user.email, action, subject_kind, subject_id,
                                list(candidate_ids), ip, now, coalesce_s)
    except Exception as exc:  # noqa: BLE001 - whatever failed, the data is not shown unaudited
        log.error("audit_write_failed", action=action, subject=subject_id, error=repr(exc))
        raise ApiError(503, "audit_unavailable",
                       "This data cannot be shown right now because its access cannot be recorded. Try again "
                       "shortly.") from exc
