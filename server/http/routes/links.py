"""The candidate's link, for HR: copy it again, issue a new one or withdraw it. A link is valid only with the
interview's current link nonce and while HR has not withdrawn it, so reissuing or withdrawing stops every link
given out before at once (a leaked link, a wrong recipient).

Copying signs a fresh token for the current nonce (nothing is stored: a copy of the database yields no working
link without the server's secret). It leaves every link given out before working, so the link in the candidate's
invitation keeps working; each copy works for ``link_max_age_s`` from now (for a booked slot: until the slot is
over, like the booking messages' links). Only the job's recruiters and admins may copy one, and each copy is
recorded in the access log (``link.copy``) as a disclosure of the candidate's interview: whoever holds the link can
act as the candidate. A withdrawn link is not copied (409 ``link_revoked``): HR issues a new one on purpose. An ended
interview's link is neither reissued nor withdrawn (409 ``interview_finished``): the candidate still uses it to ask
for a human review of the interview.
"""

from __future__ import annotations

from aiohttp import web

from server.http.access import RECRUITING, ReadAudit, users
from server.http.api_models import hr as m
from server.http.api_models.interview_list import CandidateLinkOut
from server.http.errors import ApiError
from server.http.routes.common import api, ctx_of, org_interview
from server.http.routes.guard import record_shown, user_of
from server.platform.context import ServerContext
from server.recruiting.scheduling import link_valid_until
from server.storage.models import Interview, iso_utc

LINKS = users(RECRUITING, "Only the job's recruiters and admins issue and withdraw candidate links.",
              scope="interview")
ENDED = ("finished", "failed")


def ensure_link_usable(iv: Interview) -> None:
    """409 when the interview takes no (new) link: it has ended, or HR withdrew its link."""
    if iv.status in ENDED:
        raise ApiError(409, "interview_finished", "This interview has already ended.")
    if iv.link_revoked_at is not None:
        raise ApiError(409, "link_revoked", "HR withdrew this candidate's link; issue a new one first "
                       "(POST /api/v1/interviews/{id}/link).")


async def current_link(ctx: ServerContext, iv: Interview) -> tuple[str, str]:
    """(token, link) for the interview's current nonce, signed now; for a booked slot valid until it is over."""
    booked = await ctx.store.scheduling.slot(iv.slot_id) if iv.slot_id and iv.schedule_status == "booked" else None
    token = ctx.signer.link_token(iv.id, iv.link_nonce,
                                  valid_until=link_valid_until(booked.ends_at if booked else None,
                                                               ctx.settings.no_show_grace_min))
    return token, f"{ctx.settings.resolved_base_url}/i/{token}"


async def _new_link(request: web.Request, revoke: bool) -> tuple[str, str]:
    """(interview id, new nonce). A candidate connected on this node with the old link is disconnected (they may
    rejoin only with a new link)."""
    ctx = ctx_of(request)
    iv = await org_interview(request, user_of(request), request.match_info["interview_id"])
    if iv.status in ENDED:  # withdrawn, the link would also take the candidate's request for a human review
        raise ApiError(409, "interview_finished", "This interview has already ended; its link is not withdrawn "
                       "(the candidate may still use it to ask for a human review)." if revoke
                       else "This interview has already ended; it needs no new link.")
    nonce = await ctx.store.interviews.new_link(iv.id, ctx.clock() if revoke else None)
    if (live := ctx.live.get(iv.id)) is not None:
        await live.disconnect()
    return iv.id, nonce


@api.route("GET", "/api/v1/interviews/{interview_id}/link", "Copy the candidate's link again: the current link, "
           "signed now; every link given before keeps working (recorded in the access log)", "interviews",
           access=LINKS, reads=ReadAudit("link.copy", "interview"), response=CandidateLinkOut, errors=(404, 409))
async def copy_link(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    iv = await org_interview(request, user_of(request), request.match_info["interview_id"])
    ensure_link_usable(iv)
    await record_shown(request, [iv.candidate_id])  # before the link leaves
    token, link = await current_link(ctx, iv)
    expires = ctx.signer.read_link(token).expires_at
    return web.json_response(CandidateLinkOut(interview_id=iv.id, link=link, token=token,
                                              expires_at=iso_utc(expires) or "").model_dump())


@api.route("POST", "/api/v1/interviews/{interview_id}/link", "Issue a new candidate link; every link given before "
           "stops working at once (send it with POST .../invitations)", "interviews", access=LINKS,
           response=m.CreateInterviewResponse, errors=(404, 409))
async def reissue_link(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    interview_id, nonce = await _new_link(request, revoke=False)
    token = ctx.signer.link_token(interview_id, nonce)
    return web.json_response(m.CreateInterviewResponse(interview_id=interview_id, token=token,
                                                       link=f"{ctx.settings.resolved_base_url}/i/{token}").model_dump())


@api.route("DELETE", "/api/v1/interviews/{interview_id}/link", "Withdraw the candidate link: it stops working at "
           "once, and no link works until a new one is issued (not once the interview has ended)", "interviews",
           access=LINKS, status=204, errors=(404, 409))
async def revoke_link(request: web.Request) -> web.Response:
    await _new_link(request, revoke=True)
    return web.Response(status=204)
