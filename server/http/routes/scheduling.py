"""Scheduling API: HR's availability windows and booking overview; the candidate's booking, rescheduling and
cancellation (authorised by the personal link token). Rules and messages live in ``server/recruiting/scheduling.py``."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from aiohttp import web

from server.http.api_models import scheduling as m
from server.http.api_models.common import ErrorInfo
from server.http.auth import LinkError
from server.platform.context import ServerContext
from server.http.access import CANDIDATE_LINK, RECRUITING, ReadAudit, users
from server.http.errors import ApiError, parse_body
from server.http.routes.common import api, ctx_of, interview_from_link, org_interview
from server.http.routes.guard import record_shown, user_of
from server.recruiting.scheduling import (MAX_SLOTS_PER_WINDOW, cut_window, link_valid_until, notify_targets, plan_messages,
                               start_decision, valid_zone)
from server.storage.models import Interview, Job, JobSlot, as_utc, iso_utc

MAX_FREE_SLOTS_LISTED = 500


def _slot_out(s: JobSlot) -> dict:
    return m.SlotOut(id=s.id, starts_at=iso_utc(s.starts_at), ends_at=iso_utc(s.ends_at), capacity=s.capacity,
                     booked=s.booked).model_dump()


def _free_out(s: JobSlot) -> m.FreeSlotOut:
    return m.FreeSlotOut(id=s.id, starts_at=iso_utc(s.starts_at), ends_at=iso_utc(s.ends_at), free=s.capacity - s.booked)


def _booking(iv: Interview, slot: JobSlot | None) -> dict:
    return dict(interview_id=iv.id, candidate_name=iv.candidate.name, interview_status=iv.status,
                schedule_status=iv.schedule_status, scheduled_at=iso_utc(iv.scheduled_at),
                ends_at=iso_utc(slot.ends_at) if slot else None, slot_id=iv.slot_id,
                candidate_timezone=iv.candidate_timezone)


# --- HR -----------------------------------------------------------------------------------------------------
HR_WRITES = users(RECRUITING, "Only the job's recruiters and admins change interview times.", scope="job")
JOB_TIMES = users(RECRUITING, "Only the job's recruiters and admins see its interview times.", scope="job")
INTERVIEW_TIMES = users(RECRUITING, "Only the job's recruiters and admins see and change interview times.",
                        scope="interview")
JOB_SCHEDULE_READ = ReadAudit("job_schedule.read", "job")
SCHEDULE_READ = ReadAudit("schedule.read", "interview")


async def _org_job(request: web.Request) -> Job:
    job = await ctx_of(request).store.jobs.get(request.match_info["job_id"])
    if job is None or job.org_id != user_of(request).org_id:
        raise ApiError(404, "not_found", "No such job.")
    return job


async def _job_schedule(request: web.Request, job: Job) -> dict:
    ctx = ctx_of(request)
    slots = await ctx.store.scheduling.slots(job.id)
    by_id = {s.id: s for s in slots}
    since = ctx.clock() - timedelta(days=7)
    interviews = await ctx.store.interviews.for_job(job.id)
    await record_shown(request, [iv.candidate_id for iv in interviews])
    out = m.JobScheduleOut(
        job_id=job.id, allow_immediate=job.allow_immediate, slot_minutes=job.slot_minutes,
        slots=[_slot_out(s) for s in slots if as_utc(s.ends_at) > since],
        bookings=[_booking(iv, by_id.get(iv.slot_id)) for iv in interviews])
    return out.model_dump()


@api.route("GET", "/api/v1/jobs/{job_id}/schedule", "A job's scheduling settings, slots and every interview's "
           "schedule state", "scheduling", access=JOB_TIMES, reads=JOB_SCHEDULE_READ, response=m.JobScheduleOut,
           errors=(404,))
async def get_job_schedule(request: web.Request) -> web.Response:
    job = await _org_job(request)
    return web.json_response(await _job_schedule(request, job))


@api.route("PUT", "/api/v1/jobs/{job_id}/schedule", "Set whether candidates may start at once and the slot length",
           "scheduling", access=HR_WRITES, reads=JOB_SCHEDULE_READ, body=m.JobSchedulingRequest,
           response=m.JobScheduleOut, errors=(404, 422))
async def set_job_schedule(request: web.Request) -> web.Response:
    job = await _org_job(request)
    body = await parse_body(request, m.JobSchedulingRequest)
    values = body.model_dump(exclude_none=True)
    if values:
        await ctx_of(request).store.jobs.set_scheduling(job.id, **values)
        job = await ctx_of(request).store.jobs.get(job.id)
    return web.json_response(await _job_schedule(request, job))


@api.route("POST", "/api/v1/jobs/{job_id}/windows", "Offer an availability window; it is cut into slots of the "
           "job's slot length", "scheduling", access=HR_WRITES, body=m.WindowRequest, response=m.WindowResult,
           status=201, errors=(404, 409, 422))
async def add_window(request: web.Request) -> web.Response:
    job = await _org_job(request)
    body = await parse_body(request, m.WindowRequest)
    ctx = ctx_of(request)
    starts, ends = as_utc(body.starts_at), as_utc(body.ends_at)
    if ends <= starts:
        raise ApiError(422, "invalid_window", "The window must end after it starts.")
    if starts < ctx.clock():
        raise ApiError(422, "window_in_past", "The window starts in the past; offer times from now on.")
    spans = cut_window(starts, ends, job.slot_minutes)
    if not spans:
        raise ApiError(422, "window_too_short", f"The window is shorter than one slot ({job.slot_minutes} minutes).")
    if len(spans) > MAX_SLOTS_PER_WINDOW:
        raise ApiError(422, "window_too_long", f"The window would make {len(spans)} slots; at most "
                       f"{MAX_SLOTS_PER_WINDOW} per window.")
    slots = await ctx.store.scheduling.add_slots(job.id, spans, body.capacity, user_of(request).id)
    if slots is None:
        raise ApiError(409, "overlapping_window", "This window overlaps times this job already offers. Remove those "
                       "slots first or choose another time.")
    return web.json_response(m.WindowResult(slots=[_slot_out(s) for s in slots]).model_dump(), status=201)


@api.route("DELETE", "/api/v1/jobs/{job_id}/slots/{slot_id}", "Remove a slot nobody has booked", "scheduling",
           access=HR_WRITES, status=204, errors=(404, 409))
async def delete_slot(request: web.Request) -> web.Response:
    job = await _org_job(request)
    ctx = ctx_of(request)
    slot = await ctx.store.scheduling.slot(request.match_info["slot_id"])
    if slot is None or slot.job_id != job.id:
        raise ApiError(404, "not_found", "No such slot.")
    if not await ctx.store.scheduling.delete_slot(slot.id):
        raise ApiError(409, "slot_booked", "Candidates have booked this slot; it stays until they reschedule or "
                       "cancel.")
    return web.Response(status=204)


async def _interview_schedule(request: web.Request, iv: Interview) -> dict:
    store = ctx_of(request).store
    await record_shown(request, [iv.candidate_id])
    slot = await store.scheduling.slot(iv.slot_id) if iv.slot_id else None
    reminders = [m.ReminderOut(id=r.id, kind=r.kind, channel=r.channel, recipient=r.recipient, due_at=iso_utc(r.due_at),
                               status=r.status, attempts=r.attempts, last_error=r.last_error,
                               sent_at=iso_utc(r.sent_at)) for r in await store.scheduling.reminders(iv.id)]
    return m.InterviewScheduleOut(**_booking(iv, slot), reminders=reminders).model_dump()


@api.route("GET", "/api/v1/interviews/{interview_id}/schedule", "An interview's booking and the delivery state of "
           "its confirmations and reminders", "scheduling", access=INTERVIEW_TIMES, reads=SCHEDULE_READ,
           response=m.InterviewScheduleOut, errors=(404,))
async def get_interview_schedule(request: web.Request) -> web.Response:
    iv = await org_interview(request, user_of(request), request.match_info["interview_id"])
    return web.json_response(await _interview_schedule(request, iv))


@api.route("PUT", "/api/v1/interviews/{interview_id}/no-show", "Mark a booked candidate who did not come as a "
           "no-show, or take the mark back", "scheduling",
           access=INTERVIEW_TIMES, reads=SCHEDULE_READ,
           body=m.NoShowRequest, response=m.InterviewScheduleOut, errors=(404, 409))
async def set_no_show(request: web.Request) -> web.Response:
    iv = await org_interview(request, user_of(request), request.match_info["interview_id"])
    body = await parse_body(request, m.NoShowRequest)
    ctx = ctx_of(request)
    now = ctx.clock()
    if body.no_show:
        if iv.schedule_status != "booked":
            raise ApiError(409, "not_booked", "Only a candidate with a booked time can be a no-show.")
        if iv.started_at is not None or iv.status not in ("created", "consented"):
            raise ApiError(409, "interview_started", "The candidate joined this interview.")
        result = await ctx.store.scheduling.change_booking(iv.id, iv.schedule_seq, "booked", None, None, now, [],
                                                           schedule_status="no_show")
    else:
        if iv.schedule_status != "no_show":
            raise ApiError(409, "not_no_show", "This interview is not marked as a no-show.")
        slot = await ctx.store.scheduling.slot(iv.slot_id) if iv.slot_id else None
        grace = timedelta(minutes=ctx.settings.no_show_grace_min)
        if slot is not None and as_utc(slot.ends_at) + grace > now:
            # Marked by mistake before the slot was over: the booking stands, with the reminders still ahead.
            targets = await notify_targets(ctx.store.invitations, iv, ctx.settings)
            msgs = plan_messages(None, targets, now, as_utc(slot.starts_at), as_utc(slot.ends_at),
                                 iv.candidate_timezone, None)
            result = await ctx.store.scheduling.change_booking(iv.id, iv.schedule_seq, "no_show", None, None, now, msgs,
                                                               schedule_status="booked")
        else:
            # The slot is over: the candidate may book a new time.
            result = await ctx.store.scheduling.change_booking(
                iv.id, iv.schedule_seq, "no_show", iv.slot_id, None, now, [], schedule_status="unscheduled",
                slot_id=None, scheduled_at=None)
    if result != "ok":
        raise ApiError(409, "booking_changed", "The booking changed meanwhile; reload and try again.")
    if not body.no_show:
        await ctx.queue.enqueue("reminders.send_due", {})
    return web.json_response(await _interview_schedule(request, await ctx.store.interviews.get(iv.id)))


# --- candidate ----------------------------------------------------------------------------------------------
def _link_lifetime(ctx: ServerContext, iv: Interview, token: str, booked: JobSlot | None) -> dict:
    """When the candidate's link expires and, if the booked slot outlasts it, a renewed token that lasts until the
    slot is over (the same kind of link the confirmation and reminders carry)."""
    try:
        expires = ctx.signer.read_link(token).expires_at  # checked a moment ago (by interview_from_link)
    except LinkError:  # it expired in between: the next request says so
        return {}
    out = {"link_expires_at": iso_utc(expires), "link_needed_after_slot_min": ctx.settings.no_show_grace_min}
    if iv.schedule_status == "booked" and booked is not None:
        needed = link_valid_until(booked.ends_at, ctx.settings.no_show_grace_min)
        if expires is not None and expires < needed:
            renewed = ctx.signer.link_token(iv.id, iv.link_nonce, valid_until=needed)
            out.update(renewed_token=renewed, renewed_link_expires_at=iso_utc(ctx.signer.read_link(renewed).expires_at))
    return out


async def _candidate_view(request: web.Request, iv: Interview, token: str) -> dict:
    ctx = ctx_of(request)
    now = ctx.clock()
    slots = await ctx.store.scheduling.slots(iv.job_id, ends_after=now)
    booked = await ctx.store.scheduling.slot(iv.slot_id) if iv.slot_id else None
    free = [_free_out(s) for s in slots
            if as_utc(s.starts_at) > now and s.booked < s.capacity and s.id != iv.slot_id][:MAX_FREE_SLOTS_LISTED]
    decision = start_decision(iv.job, iv, now, ctx.settings.start_grace_min)
    active = iv.schedule_status in ("booked", "no_show") and booked is not None
    out = m.CandidateSchedule(
        interview_id=iv.id, candidate_name=iv.candidate.name, job_title=iv.job.title, language=iv.language,
        interview_status=iv.status, allow_immediate=iv.job.allow_immediate, slot_minutes=iv.job.slot_minutes,
        schedule_status=iv.schedule_status, booking=_free_out(booked) if active else None,
        candidate_timezone=iv.candidate_timezone, can_start=decision.allowed,
        start_refusal=None if decision.allowed else ErrorInfo(code=decision.code, message=decision.message),
        opens_at=iso_utc(as_utc(iv.scheduled_at) - timedelta(minutes=ctx.settings.start_grace_min))
        if active and iv.scheduled_at else None,
        slots=free,
        notified_channels=sorted({c for c, _ in await notify_targets(ctx.store.invitations, iv, ctx.settings)}),
        server_time=now.isoformat(), **_link_lifetime(ctx, iv, token, booked))
    return out.model_dump()


def _check_changeable(iv: Interview) -> None:
    if iv.started_at is not None or iv.status not in ("created", "consented"):
        raise ApiError(409, "interview_started", "This interview has already started or ended; its time can no "
                       "longer change.")
    if iv.schedule_status == "no_show":
        raise ApiError(409, "missed_slot", "Your booked time has passed without the interview being joined. Please "
                       "contact the recruiter for a new time.")


async def _target_slot(request: web.Request, iv: Interview, slot_id: str) -> JobSlot:
    ctx = ctx_of(request)
    slot = await ctx.store.scheduling.slot(slot_id)
    if slot is None or slot.job_id != iv.job_id:
        raise ApiError(404, "slot_not_found", "This time is no longer offered. Please pick another.")
    if as_utc(slot.starts_at) <= ctx.clock():
        raise ApiError(422, "slot_in_past", "This time has already begun. Please pick a later one.")
    if slot.booked >= slot.capacity:
        raise ApiError(409, "slot_taken", "Someone else has just taken this time. Please pick another.")
    return slot


def _raise_for(result: str) -> None:
    if result == "slot_full":
        raise ApiError(409, "slot_taken", "Someone else has just taken this time. Please pick another.")
    if result == "changed":
        raise ApiError(409, "booking_changed", "Your booking was changed meanwhile (perhaps in another window). "
                       "Reload the page to see it.")


def _zone(name: str) -> str:
    if not valid_zone(name):
        raise ApiError(422, "invalid_timezone", f"Unknown time zone {name!r}; give an IANA name such as "
                       "Asia/Shanghai.")
    return name


@api.route("GET", "/api/v1/candidate/schedule", "The candidate's booking, the free slots and whether the "
           "interview can start now", "candidate", access=CANDIDATE_LINK, response=m.CandidateSchedule,
           query=("token",))
async def candidate_schedule(request: web.Request) -> web.Response:
    iv = await interview_from_link(request, request.query.get("token", ""))
    return web.json_response(await _candidate_view(request, iv, request.query.get("token", "")))


@api.route("POST", "/api/v1/candidate/schedule/book", "Book a slot; a confirmation goes out on the invitation's "
           "channel(s)", "candidate", access=CANDIDATE_LINK, body=m.BookRequest, response=m.CandidateSchedule,
           errors=(404, 409, 422))
async def book(request: web.Request) -> web.Response:
    body = await parse_body(request, m.BookRequest)
    iv = await interview_from_link(request, body.token)
    tz = _zone(body.timezone)
    _check_changeable(iv)
    if iv.schedule_status == "booked":
        raise ApiError(409, "already_booked", "You already have a booked time; reschedule it instead.")
    slot = await _target_slot(request, iv, body.slot_id)
    ctx = ctx_of(request)
    now = ctx.clock()
    targets = await notify_targets(ctx.store.invitations, iv, ctx.settings)
    msgs = plan_messages("confirmation", targets, now, as_utc(slot.starts_at), as_utc(slot.ends_at), tz, None)
    _raise_for(await ctx.store.scheduling.change_booking(
        iv.id, iv.schedule_seq, iv.schedule_status, None, slot.id, now, msgs, schedule_status="booked",
        slot_id=slot.id, scheduled_at=as_utc(slot.starts_at), candidate_timezone=tz))
    await ctx.queue.enqueue("reminders.send_due", {})
    return web.json_response(await _candidate_view(request, await ctx.store.interviews.get(iv.id), body.token))


@api.route("POST", "/api/v1/candidate/schedule/reschedule", "Move the booking to another slot", "candidate",
           access=CANDIDATE_LINK, body=m.BookRequest, response=m.CandidateSchedule, errors=(404, 409, 422))
async def reschedule(request: web.Request) -> web.Response:
    body = await parse_body(request, m.BookRequest)
    iv = await interview_from_link(request, body.token)
    tz = _zone(body.timezone)
    _check_changeable(iv)
    if iv.schedule_status != "booked":
        raise ApiError(409, "not_booked", "There is no booked time to move; book one instead.")
    if body.slot_id == iv.slot_id:
        raise ApiError(409, "same_slot", "This is already your booked time.")
    slot = await _target_slot(request, iv, body.slot_id)
    ctx = ctx_of(request)
    now = ctx.clock()
    old = await ctx.store.scheduling.slot(iv.slot_id) if iv.slot_id else None
    previous = (as_utc(old.starts_at), as_utc(old.ends_at)) if old else None
    targets = await notify_targets(ctx.store.invitations, iv, ctx.settings)
    msgs = plan_messages("reschedule", targets, now, as_utc(slot.starts_at), as_utc(slot.ends_at), tz, previous)
    _raise_for(await ctx.store.scheduling.change_booking(
        iv.id, iv.schedule_seq, "booked", iv.slot_id, slot.id, now, msgs, schedule_status="booked", slot_id=slot.id,
        scheduled_at=as_utc(slot.starts_at), candidate_timezone=tz))
    await ctx.queue.enqueue("reminders.send_due", {})
    return web.json_response(await _candidate_view(request, await ctx.store.interviews.get(iv.id), body.token))


@api.route("POST", "/api/v1/candidate/schedule/cancel", "Cancel the booking (a new time can be booked later)",
           "candidate", access=CANDIDATE_LINK, body=m.CancelBookingRequest, response=m.CandidateSchedule,
           errors=(409, 422))
async def cancel(request: web.Request) -> web.Response:
    body = await parse_body(request, m.CancelBookingRequest)
    iv = await interview_from_link(request, body.token)
    _check_changeable(iv)
    if iv.schedule_status != "booked":
        raise ApiError(409, "not_booked", "There is no booked time to cancel.")
    ctx = ctx_of(request)
    now = ctx.clock()
    old = await ctx.store.scheduling.slot(iv.slot_id) if iv.slot_id else None
    previous = (as_utc(old.starts_at), as_utc(old.ends_at)) if old else None
    msgs = plan_messages("cancellation", await notify_targets(ctx.store.invitations, iv, ctx.settings), now, None, None,
                         iv.candidate_timezone or "UTC", previous)
    _raise_for(await ctx.store.scheduling.change_booking(
        iv.id, iv.schedule_seq, "booked", iv.slot_id, None, now, msgs, schedule_status="cancelled", slot_id=None,
        scheduled_at=None))
    await ctx.queue.enqueue("reminders.send_due", {})
    return web.json_response(await _candidate_view(request, await ctx.store.interviews.get(iv.id), body.token))


async def schedule_redirect(request: web.Request, token: str) -> str | None:
    """Where the candidate link should lead instead of the interview page: the schedule page while the interview
    cannot start yet (a job that needs a booked time). None when the link is bad (the page shows why)."""
    try:
        iv = await interview_from_link(request, token)
    except ApiError:
        return None
    ctx = ctx_of(request)
    if start_decision(iv.job, iv, ctx.clock(), ctx.settings.start_grace_min).allowed:
        return None
    return f"/schedule/{quote(token, safe='')}"
