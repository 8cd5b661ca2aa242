"""The candidate's link, for HR: issue a new one or withdraw it. A link is valid only with the interview's current
link nonce, so either stops every link given out before at once (a leaked link, a wrong recipient)."""

from __future__ import annotations

from aiohttp import web

from server.http.access import RECRUITING, users
from server.http.api_models import hr as m
from server.http.errors import ApiError
from server.http.routes.common import api, ctx_of, org_interview
from server.http.routes.guard import user_of

LINKS = users(RECRUITING, "Only the job's recruiters and admins issue and withdraw candidate links.",
              scope="interview")


async def _new_link(request: web.Request, revoke: bool) -> tuple[str, str]:
    """(interview id, new nonce). A candidate connected on this node with the old link is disconnected (they may
    rejoin only with a new link)."""
    ctx = ctx_of(request)
    iv = await org_interview(request, user_of(request), request.match_info["interview_id"])
    if not revoke and iv.status in ("finished", "failed"):
        raise ApiError(409, "interview_finished", "This interview has already ended; it needs no new link.")
    nonce = await ctx.store.interviews.new_link(iv.id, ctx.clock() if revoke else None)
    if (live := ctx.live.get(iv.id)) is not None:
        await live.disconnect()
    return iv.id, nonce


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
           "once, and no link works until a new one is issued", "interviews", access=LINKS, status=204,
           errors=(404,))
async def revoke_link(request: web.Request) -> web.Response:
    await _new_link(request, revoke=True)
    return web.Response(status=204)
