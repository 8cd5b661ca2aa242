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
from server.http.routes.links import current_link, ensure_link_usable
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
    ensure_link_usable(iv)
    if body.channel == "dingtalk":
        recipient = body.dingtalk_userid or ""
    elif body.channel == "email":
        recipient = str(body.email or iv.candidate.email or "")
    else:
        recipient = ""  # the webhook's URL
    return await _send(request, iv, body.channel, recipient, again=False)


@api.route("POST", "/api/v1/interviews/{interview_id}/invitations/resend", "Send an invitation again: the same "
           "channel and recipient as the one named (default: the latest), with the candidate's current link; no new "
           "interview, earlier links keep working. A DingTalk notice still on its way is answered with 200, not "
           "doubled", "invitations", access=INVITERS, reads=ReadAudit("invitation.send", "interview"),
           body=m.ResendRequest, response=m.InvitationOut, status=202, errors=(404, 409, 422, 503))
async def resend_invitation(request: web.Request) -> web.Response:
    iv = await org_interview(request, user_of(request), request.match_info["interview_id"])
    body = await parse_body(request, m.ResendRequest) if await request.read() else m.ResendRequest()
    ensure_link_usable(iv)
    sent = await ctx_of(request).store.invitations.for_interview(iv.id)
    if body.invitation_id is not None:
        previous = next((inv for inv in sent if inv.id == body.invitation_id), None)
        if previous is None:
            raise ApiError(404, "not_found", "No such invitation of this interview.")
    elif sent:
        previous = sent[-1]
    else:
        raise ApiError(409, "no_invitation", "No invitation was sent for this interview yet; send one first "
                       "(POST /api/v1/interviews/{id}/invitations).")
    return await _send(request, iv, previous.channel, previous.recipient, again=True)


async def _send(request: web.Request, iv, channel: str, recipient: str, again: bool) -> web.Response:
    """Queue one invitation on ``channel`` with the candidate's current link (``again``: a resend, see
    _send_dingtalk) and answer 202 with it."""
    ctx = ctx_of(request)
    sender = {"dingtalk": DingTalkSender, "webhook": WebhookSender, "email": Mailer}[channel](ctx.settings)
    if not sender.enabled:
        raise ApiError(503, f"{channel}_not_configured", NOT_CONFIGURED[channel])
    if not recipient and channel != "webhook":
        raise ApiError(422, "no_recipient", NO_RECIPIENT[channel])
    await record_shown(request, [iv.candidate_id])  # before anything is sent
    token, link = await current_link(ctx, iv)
    expires = ctx.signer.read_link(token).expires_at or datetime.now(timezone.utc)
    lang = normalise_language(iv.language)
    if channel == "dingtalk":
        return await _send_dingtalk(ctx, iv, sender, recipient, link, expires, lang, again)
    if channel == "webhook":
        inv = await ctx.store.invitations.add(iv.id, "webhook", sender.url, lang)
        payload = {"event": "interview.invitation", "v": 1, "invitation_id": inv.id, "interview_id": iv.id,
                   "candidate": {"name": iv.candidate.name, "email": iv.candidate.email}, "job": iv.job.title,
                   "language": lang, "link": link, "expires_at": expires.isoformat()}
        await _queue(ctx, iv, send_job(inv.id, "webhook", body=payload))
        return web.json_response(_out(inv), status=202)
    content = render_invitation(lang, iv.candidate.name, iv.job.title, link, expires)
    inv = await ctx.store.invitations.add(iv.id, "email", recipient, lang)
    await _queue(ctx, iv, send_job(inv.id, "email", recipient=recipient, content=content))
    return web.json_response(_out(inv), status=202)


NOT_CONFIGURED = {
    "email": "E-mail is not set up on this server (INTERVIEW_SMTP_HOST).",
    "webhook": "No invitation webhook is set up on this server (INTERVIEW_INVITE_WEBHOOK_URL and _SECRET).",
    "dingtalk": "DingTalk is not set up on this server (INTERVIEW_DINGTALK_APP_KEY, _APP_SECRET and _AGENT_ID).",
}
NO_RECIPIENT = {"email": "The candidate has no e-mail address; give one.",
                "dingtalk": "Give the candidate's DingTalk userid (dingtalk_userid)."}


# --- DingTalk work notices ----------------------------------------------------------------------------------------
IN_FLIGHT = timedelta(minutes=15)  # a pending invitation older than this was lost (e.g. a restart): may be resent


async def _send_dingtalk(ctx, iv, sender: DingTalkSender, userid: str, link: str, expires: datetime, lang: str,
                         again: bool) -> web.Response:
    """A work notice to ``userid``, unless one is on its way (or, first time, was already sent: DingTalk would
    drop a repeat anyway); a resend (``again``) sends one after a sent one too."""
    now = datetime.now(timezone.utc)
    for inv in await ctx.store.invitations.for_interview(iv.id):
        created = inv.created_at.replace(tzinfo=inv.created_at.tzinfo or timezone.utc) if inv.created_at else now
        if (inv.channel == "dingtalk" and inv.recipient == userid
                and ((inv.status == "sent" and not again) or (inv.status == "pending" and now - created < IN_FLIGHT))):
            return web.json_response(_out(inv), status=200)  # already sent or on its way: never a second notice
    content = render_invitation(lang, iv.candidate.name, iv.job.title, link, expires)
    inv = await ctx.store.invitations.add(iv.id, "dingtalk", userid, lang)
    await _queue(ctx, iv, send_job(inv.id, "dingtalk", userid=userid, notice=work_notice(content, lang, link)))
    return web.json_response(_out(inv), status=202)


@api.route("GET", "/api/v1/interviews/{interview_id}/invitations", "Invitations and their delivery state",
           "invitations", access=INVITERS, reads=ReadAudit("invitations.read", "interview"), response=m.InvitationList,
           errors=(404,))
async def list_invitations(request: web.Request) -> web.Response:
    iv = await shown_interview(request)
    invitations = await ctx_of(request).store.invitations.for_interview(iv.id)
    return web.json_response({"invitations": [_out(i) for i in invitations]})
