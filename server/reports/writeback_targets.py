"""Where a scored interview's report is written back, and how one stored event reaches each target.

* ``dingtalk_record``: the candidate's DingTalk recruiting record, for candidates imported from DingTalk
  (``storage/external_candidates.py`` keeps their DingTalk id) when the recruiting data push is set up
  (``INTERVIEW_DINGTALK_ATS_PLUGIN_CODE`` and ``_ATS_SCHEMA_ID``);
* ``dingtalk_notice``: otherwise, with DingTalk set up, a work notice (asyncsend_v2) to the job's recruiters (their
  DingTalk userids, set by an admin), or to the operator account (``INTERVIEW_DINGTALK_OPERATOR_USERID``) when no
  recruiter has one;
* ``webhook``: the same event, signed like invitations, to the report webhook (or the invitation webhook).

Token caching, rate-limit retries and DingTalk's error codes are the connector's
(``server/recruiting/connectors/dingtalk.py``); the webhook's retries and signature are the invitation sender's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from server.platform.settings import Settings
from server.recruiting.connectors import dingtalk
from server.recruiting.invitations import WebhookSender
from server.reports.report_event import recruiting_record, work_notice
from server.storage.assignments import AssignmentRepository
from server.storage.models import Candidate, ReportSync

RECORD = "dingtalk_record"
NOTICE = "dingtalk_notice"
WEBHOOK = "webhook"
TARGETS = (RECORD, NOTICE, WEBHOOK)
MAX_NOTICE_USERS = 100  # asyncsend_v2 takes at most 100 userids per notice


class NoRecipient(Exception):
    """No one to send the work notice to."""


@dataclass(frozen=True)
class Sent:
    recipient: str  # who received it (DingTalk candidate id, userids, webhook URL)
    external_ref: str  # the receiver's name for it (DingTalk's data id or task id), if any


class WritebackTargets:
    def __init__(self, settings: Settings, assignments: AssignmentRepository):
        self.settings, self.assignments = settings, assignments
        self.webhook = WebhookSender(settings, url=settings.report_webhook_url, secret=settings.report_webhook_secret)

    @property
    def dingtalk(self) -> bool:
        return dingtalk.enabled(self.settings)

    @property
    def record_push(self) -> bool:
        s = self.settings
        return self.dingtalk and bool(s.dingtalk_ats_plugin_code and s.dingtalk_ats_schema_id)

    @property
    def any(self) -> bool:
        return self.dingtalk or self.webhook.enabled

    def targets_for(self, candidate: Candidate) -> list[tuple[str, str]]:
        """(target, recipient) pairs a report of this candidate goes to; a notice's recipients are read when sent."""
        out: list[tuple[str, str]] = []
        if self.dingtalk:
            if self.record_push and candidate.external_source == "dingtalk" and candidate.external_id:
                out.append((RECORD, candidate.external_id))
            else:
                out.append((NOTICE, ""))
        if self.webhook.enabled:
            out.append((WEBHOOK, self.webhook.url or ""))
        return out

    async def notice_recipients(self, job_id: str) -> list[str]:
        """The job's recruiters' DingTalk userids, else the operator account's."""
        ids = [u.dingtalk_userid for u in await self.assignments.job_recruiters(job_id) if u.dingtalk_userid]
        if not ids and self.settings.dingtalk_operator_userid:
            ids = [self.settings.dingtalk_operator_userid]
        return ids[:MAX_NOTICE_USERS]

    async def send(self, row: ReportSync, job_id: str, on_attempt: Callable[[int], Awaitable[None]]) -> Sent:
        """Write ``row``'s event to its target once (with the target's quick retries); raises what stopped it."""
        event = row.payload
        if row.target == WEBHOOK:
            if not self.webhook.enabled:
                raise dingtalk.DingTalkNotConfigured("the report webhook is no longer set up")
            await self.webhook.send(row.idempotency_key, event, on_attempt=on_attempt)
            return Sent(self.webhook.url or "", "")
        if row.target == RECORD:
            if not self.record_push:
                raise dingtalk.DingTalkNotConfigured("the DingTalk recruiting data push is no longer set up")
            s = self.settings
            async with dingtalk.DingTalkClient.connect(s) as client:
                ref = await client.push_ats_data(s.dingtalk_ats_plugin_code or "", s.dingtalk_ats_schema_id or "",
                                                 row.idempotency_key, recruiting_record(event, row.recipient),
                                                 on_attempt=on_attempt)
            return Sent(row.recipient, ref)
        if row.target == NOTICE:
            if not self.dingtalk:
                raise dingtalk.DingTalkNotConfigured("DingTalk is no longer set up")
            userids = await self.notice_recipients(job_id)
            if not userids:
                raise NoRecipient("no recipient")
            async with dingtalk.DingTalkClient.connect(self.settings) as client:
                task_id = await client.send_work_notice(",".join(userids), work_notice(event), on_attempt=on_attempt)
            return Sent(",".join(userids), str(task_id or ""))
        raise ValueError(f"unknown write-back target {row.target!r}")
