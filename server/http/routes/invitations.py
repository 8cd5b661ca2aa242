"""Invitations: HR sends the candidate's personal link; delivery state per channel is visible to HR."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from aiohttp import web

from analyzers.text.language import normalise_language
from server.http.api_models import invitations as m
from server.http.access import RECRUITING, ReadAudit, users
from server.http.errors import ApiError, parse_body
from server.recruiting.invitations import (SEND_KIND, DingTalkSender, Mailer, WebhookSender, render_invitation,
                                          send_job, work_notice)
from server.http.routes.common import api, ctx_of, org_interview
from server.http.routes.guard import record_shown, shown_interview, user_of

INVITERS = users(RECRUITING, "Only the job's recruiters and admins invite candidates.", scope="interview")


async def _queue(ctx, iv, payload: dict) -> None:
    """Sending goes on the shared queue (any node sends it; once per invitation)."""
    await ctx.queue.enqueue(SEND_KIND, payload, f"invitation:{payload['invitation_id']}", org_id=iv.org_id)


def _out(inv) -> dict:
    return m.InvitationOut(id=inv.id, channel=inv.channel, recipient=inv.recipient, status=inv.status,
                           attempts=inv.attempts, last_error=inv.last_error,
                           created_at=inv.created_at.isoformat() if inv.created_at else None,
                           sent_at=inv.sent_at.isoformat() if inv.sent_at else None).model_dump()


@api.route("POST", "/api/v1/interviews/{interview_id}/invitations", "Send the candidate their interview link "
           "(e-mail over SMTP, signed webhook, or DingTalk work notice); answers at once, delivery runs with retries. "
           "A DingTalk invitation already sent (or on its way) to the same userid is answered with 200, not resent", "invitations",
           access=INVITERS, reads=ReadAudit("invitation.send", "interview"), body=m.InvitationRequest,
           response=m.InvitationOut, status=202, errors=(404, 409, 422, 503))
async def send_invitation(request: web.Request) -> web.Response:
    iv = await org_interview(request, user_of(request), request.match_info["interview_id"])
    body = await parse_body(request, m.InvitationRequest)
    ctx = ctx_of(request)
    if iv.status in ("finished", "failed"):
        raise ApiError(409, "interview_finished", "This interview has already ended.")
    await record_shown(request, [iv.candidate_id])  # before anything is sent
    link = f"{ctx.settings.resolved_base_url}/i/{ctx.signer.link_token(iv.id, iv.link_nonce)}"
    expires = datetime.now(timezone.utc) + timedelta(seconds=ctx.settings.link_max_age_s)
    lang = normalise_language(iv.language)
    if body.channel == "dingtalk":
        return await _send_dingtalk(ctx, iv, body, link, expires, lang)
    if body.channel == "webhook":
        hook = WebhookSender(ctx.settings)
        if not hook.enabled:
            raise ApiError(503, "webhook_not_configured", "No invitation webhook is set up on this server "
                           "(INTERVIEW_INVITE_WEBHOOK_URL and _SECRET).")
        inv = await ctx.store.invitations.add(iv.id, "webhook", hook.url, lang)
        payload = {"event": "interview.invitation", "v": 1, "invitation_id": inv.id, "interview_id": iv.id,
                   "candidate": {"name": iv.candidate.name, "email": iv.candidate.email}, "job": iv.job.title,
                   "language": lang, "link": link, "expires_at": expires.isoformat()}
        await _queue(ctx, iv, send_job(inv.id, "webhook", body=payload))
        return web.json_response(_out(inv), status=202)
    mailer = Mailer(ctx.settings)
    if not mailer.enabled:
        raise ApiError(503, "email_not_configured", "E-mail is not set up on this server (INTERVIEW_SMTP_HOST).")
    recipient = str(body.email or iv.candidate.email or "")
    if not recipient:
        raise ApiError(422, "no_recipient", "The candidate has no e-mail address; give one.")
    content = render_invitation(lang, iv.candidate.name, iv.job.title, link, expires)
    inv = await ctx.store.invitations.add(iv.id, "email", recipient, lang)
    await _queue(ctx, iv, send_job(inv.id, "email", recipient=recipient, content=content))
    return web.json_response(_out(inv), status=202)


# --- DingTalk work notices ----------------------------------------------------------------------------------------
IN_FLIGHT = timedelta(minutes=15)  # a pending invitation older than this was lost (e.g. a restart): may be resent


async def _send_dingtalk(ctx, iv, body: m.InvitationRequest, link: str, expires: datetime, lang: str) -> web.Response:
    sender = DingTalkSender(ctx.settings)
    if not sender.enabled:
        raise ApiError(503, "dingtalk_not_configured", "DingTalk is not set up on this server "
                       "(INTERVIEW_DINGTALK_APP_KEY, _APP_SECRET and _AGENT_ID).")
    if not body.dingtalk_userid:
        raise ApiError(422, "no_recipient", "Give the candidate's DingTalk userid (dingtalk_userid).")
    now = datetime.now(timezone.utc)
    for inv in await ctx.store.invitations.for_interview(iv.id):
        created = inv.created_at.replace(tzinfo=inv.created_at.tzinfo or timezone.utc) if inv.created_at else now
        if (inv.channel == "dingtalk" and inv.recipient == body.dingtalk_userid
                and (inv.status == "sent" or (inv.status == "pending" and now - created < IN_FLIGHT))):
            return web.json_response(_out(inv), status=200)  # already sent or on its way: never a second notice
    content = render_invitation(lang, iv.candidate.name, iv.job.title, link, expires)
    inv = await ctx.store.invitations.add(iv.id, "dingtalk", body.dingtalk_userid, lang)
    await _queue(ctx, iv, send_job(inv.id, "dingtalk", userid=body.dingtalk_userid,
                                   notice=work_notice(content, lang, link)))
    return web.json_response(_out(inv), status=202)


@api.route("GET", "/api/v1/interviews/{interview_id}/invitations", "Invitations and their delivery state",
           "invitations", access=INVITERS, reads=ReadAudit("invitations.read", "interview"), response=m.InvitationList,
           errors=(404,))
async def list_invitations(request: web.Request) -> web.Response:
    iv = await shown_interview(request)
    invitations = await ctx_of(request).store.invitations.for_interview(iv.id)
    return web.json_response({"invitations": [_out(i) for i in invitations]})
