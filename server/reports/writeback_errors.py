"""Why a write-back did not go through, in plain words for HR, and whether trying again later can help.

``error_code`` is for pages to say it in their own language: rate_limited, unavailable, auth_failed, refused,
not_configured, no_recipient, webhook_unavailable, webhook_refused, internal_error (and superseded, set when a newer
report version replaced a write that had not gone out).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp

from server.recruiting.connectors import dingtalk
from server.recruiting.invitations import RetryableDeliveryError
from server.reports.writeback_targets import NoRecipient


@dataclass(frozen=True)
class Failure:
    code: str
    words: str
    retryable: bool  # a later round may get through (rate limits, outages); else it failed for good


def explain(exc: BaseException) -> Failure:
    """What ``exc`` (raised by a target's send, after its quick retries) means."""
    if isinstance(exc, dingtalk.DingTalkRateLimited):
        return Failure("rate_limited", f"DingTalk answered that this app calls it too often (error {exc}).", True)
    if isinstance(exc, dingtalk.DingTalkUnavailable):
        return Failure("unavailable", f"DingTalk could not be reached or had a server error ({exc}).", True)
    if isinstance(exc, (dingtalk.DingTalkAuthError, dingtalk.DingTalkTokenError)):
        return Failure("auth_failed", f"DingTalk refused the app's credentials ({exc}); check "
                       "INTERVIEW_DINGTALK_APP_KEY and _APP_SECRET, then sync again.", False)
    if isinstance(exc, dingtalk.DingTalkError):
        return Failure("refused", f"DingTalk refused the write ({exc}).", False)
    if isinstance(exc, dingtalk.DingTalkNotConfigured):
        return Failure("not_configured", f"Not sent: {exc}.", False)
    if isinstance(exc, NoRecipient):
        return Failure("no_recipient", "No recruiter of this job has a DingTalk userid and no operator account is "
                       "set up (INTERVIEW_DINGTALK_OPERATOR_USERID): an admin gives the recruiter's userid "
                       "(PUT /api/v1/users/{id}/dingtalk), then sync again.", False)
    if isinstance(exc, (RetryableDeliveryError, aiohttp.ClientError, OSError, asyncio.TimeoutError)):
        detail = str(exc) or type(exc).__name__
        return Failure("webhook_unavailable", f"The report webhook could not be reached or answered with an error "
                       f"({detail}).", True)
    if isinstance(exc, RuntimeError) and str(exc).startswith("HTTP "):  # WebhookSender: a 4xx answer
        return Failure("webhook_refused", f"The report webhook refused the event ({exc}).", False)
    return Failure("internal_error", "The server could not send it (an internal error; see the server log).", False)
