"""The HR interview list: the interviews a user is responsible for (routes/scope.py), sorted, filtered, searched and
paged by the server (storage/interview_list.py), each row with the actions the user may take on it now."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date, datetime, timedelta, timezone

from aiohttp import web
from pydantic import ValidationError

from server.http.access import LISTING, RECRUITING, ReadAudit
from server.http.api_models import interview_list as m
from server.http.errors import ApiError, validation_details
from server.http.routes.common import api, ctx_of
from server.http.routes.guard import record_shown, user_of
from server.http.routes.scope import responsibility
from server.recruiting.invitations import enabled_channels
from server.storage.interview_list import ListedInterview, ListQuery
from server.storage.models import iso_utc

ENDED = ("finished", "failed")  # no new link, no invitation
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_LISTS = ("status", "job_id")


def read_query(request: web.Request) -> m.InterviewListQuery:
    """The list's query parameters, validated (400 ``bad_query`` naming each wrong one)."""
    raw: dict[str, object] = {k: request.query[k] for k in request.query if k not in _LISTS}
    for name in _LISTS:
        raw[name] = [v.strip() for value in request.query.getall(name, []) for v in value.split(",") if v.strip()]
    try:
        return m.InterviewListQuery.model_validate(raw)
    except ValidationError as exc:
        details = validation_details(exc)
        raise ApiError(400, "bad_query", "Invalid query parameters: " + ", ".join(d["field"] for d in details),
                       details) from exc


def _moment(raw: str | None, name: str, end: bool) -> datetime | None:
    """A day (UTC; the day after it for an inclusive end) or a moment with an offset, in UTC."""
    if raw is None:
        return None
    try:
        if _DAY.fullmatch(raw):
            day = date.fromisoformat(raw)
            start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
            return start + timedelta(days=1) if end else start
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is not None:
            return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        pass
    raise ApiError(400, "bad_query", f"{name} must be a day (YYYY-MM-DD) or an ISO 8601 time with an offset.",
                   [{"field": name, "message": "not a day or a time with an offset"}])


def list_query(q: m.InterviewListQuery) -> ListQuery:
    start, before = _moment(q.date_from, "date_from", False), _moment(q.date_to, "date_to", True)
    if start is not None and before is not None and start >= before:
        raise ApiError(400, "bad_query", "date_from must come before date_to.",
                       [{"field": "date_from", "message": "after date_to"}])
    if q.score_min is not None and q.score_max is not None and q.score_min > q.score_max:
        raise ApiError(400, "bad_query", "score_min must not exceed score_max.",
                       [{"field": "score_min", "message": "above score_max"}])
    return ListQuery(sort=q.sort, descending=q.order == "desc", statuses=tuple(q.status), job_ids=tuple(q.job_id),
                     date_field=q.date_field, date_from=start, date_before=before, has_flags=q.has_flags,
                     score_min=q.score_min, score_max=q.score_max, search=(q.q or "").strip(), offset=q.offset,
                     limit=q.limit)


def row_actions(row: ListedInterview, may_act: bool, channels: Collection[str]) -> list[m.Action]:
    """What a recruiter or admin may do on the row now (the routes refuse the same cases with 409, and a resend on
    a channel this server has not set up with 503): ``channels`` are the invitation channels set up."""
    if not may_act:
        return []
    open_ = row.status not in ENDED
    actions: list[m.Action] = []
    if open_ and not row.link_revoked:
        actions.append("copy_link")
        if row.invitation is not None and row.invitation.channel in channels:
            actions.append("resend")
    if open_:
        actions.append("reissue")
        if not row.link_revoked:  # an ended interview's link stays: the candidate may still ask for a human review
            actions.append("revoke")
    return actions


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@api.route("GET", "/api/v1/interviews", "The interviews the user is responsible for (of their jobs, or those they "
           "observe; admins: all of the organisation's): sorted, filtered, searched and paged by the server, each "
           "with its figures and the actions the user may take", "interviews",
           access=LISTING, reads=ReadAudit("interviews.list", "org"), response=m.InterviewList,
           query_model=m.InterviewListQuery)
async def list_interviews(request: web.Request) -> web.Response:
    user = user_of(request)
    ctx = ctx_of(request)
    query = list_query(read_query(request))
    async with ctx.store.db.reads_together():
        mine = await responsibility(request, user)
        rows, total = await ctx.store.interview_list.page(user.org_id, None if mine.whole_org else mine.job_ids,
                                                          mine.interview_ids, query)
    await record_shown(request, [r.candidate_id for r in rows])  # those on this page: what the answer shows
    may_act = user.role in RECRUITING
    channels = enabled_channels(ctx.settings)
    out = []
    for r in rows:
        live = ctx.live.get(r.id)
        inv = r.invitation
        out.append(m.InterviewSummary(
            id=r.id, status=r.status, language=r.language, job_id=r.job_id, job_title=r.job_title,
            candidate_id=r.candidate_id, candidate_name=r.candidate_name, candidate_email=r.candidate_email,
            created_at=iso_utc(r.created_at), scheduled_at=iso_utc(r.scheduled_at), started_at=iso_utc(r.started_at),
            finished_at=iso_utc(r.finished_at), live_connected=bool(live and live.connected),
            legal_hold=r.legal_hold_at is not None, legal_hold_since=iso_utc(r.legal_hold_at),
            legal_hold_reason=r.legal_hold_reason, content_deleted=r.content_deleted, link_revoked=r.link_revoked,
            ai_score=_score(r.ai_score), human_rating=_score(r.human_rating), flags=r.flag_count,
            invitation=m.InvitationState(channel=inv.channel, status=inv.status, created_at=iso_utc(inv.created_at))
            if inv else None, actions=row_actions(r, may_act, channels)))
    return web.json_response(m.InterviewList(interviews=out, total=total, offset=query.offset,
                                             limit=query.limit).model_dump())
