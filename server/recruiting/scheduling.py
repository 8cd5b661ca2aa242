"""Interview scheduling: slots cut from HR's windows, the start gate, booking messages and the reminder scheduler.

A booking change (book, reschedule, cancel) is one transaction (``SchedulingRepository.change_booking``) that also
queues its messages in the ``reminders`` table: the confirmation at once, reminders 24 h and 1 h before the slot. The
``ReminderScheduler`` runs as background jobs on the shared queue (server/platform/work_queue.py) and claims due rows
atomically, so with several processes on one database every message is sent by exactly one of them, on the channel(s) the candidate's invitation used. Each message carries a freshly signed link that stays valid until
the booked slot is over (``link_valid_until``), however close to its expiry the candidate's first link was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog
from icalendar import Calendar, Event, vCalAddress, vText

from analyzers.text.language import normalise_language
from server.http.errors import ApiError
from server.http.auth import Signer
from server.recruiting.invitations import Attachment, InvitationContent, Notice, channel_for
from server.platform.work_queue import handler
from server.platform.settings import Settings
from server.storage.interviews import InterviewRepository
from server.storage.invitations import InvitationRepository
from server.storage.models import Interview, Job, Reminder, as_utc
from server.storage.scheduling import SchedulingRepository

log = structlog.get_logger(__name__)

CHANGE_KINDS = ("confirmation", "reschedule", "cancellation")
REMINDER_KINDS = {"reminder_24h": timedelta(hours=24), "reminder_1h": timedelta(hours=1)}
MAX_SLOTS_PER_WINDOW = 200
CLAIM_BATCH = 50  # messages taken per scheduler run (the rest wait for the next run)
SEND_CONCURRENCY = 8
STALE_SENDING = timedelta(minutes=15)


# --- time zones and formatting ----------------------------------------------------------------------------
def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


_WEEKDAYS = {"en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], "zh": ["一", "二", "三", "四", "五", "六", "日"]}
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _offset(local: datetime) -> str:
    off = local.utcoffset() or timedelta(0)
    sign = "+" if off >= timedelta(0) else "-"
    minutes = abs(int(off.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_local(when: datetime, tz_name: str, lang: str) -> str:
    """``Tue 1 Dec 2026, 09:00 (Asia/Shanghai, UTC+08:00)`` / ``2026年12月1日（周二）09:00（Asia/Shanghai，UTC+08:00）``"""
    tz = zone(tz_name)
    local = as_utc(when).astimezone(tz)
    name = tz.key
    if lang == "zh":
        return (f"{local.year}年{local.month}月{local.day}日（周{_WEEKDAYS['zh'][local.weekday()]}）"
                f"{local:%H:%M}（{name}，{_offset(local)}）")
    return (f"{_WEEKDAYS['en'][local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}, "
            f"{local:%H:%M} ({name}, {_offset(local)})")


def format_utc(when: datetime) -> str:
    return f"{as_utc(when):%Y-%m-%d %H:%M} UTC"


# --- slots ---------------------------------------------------------------------------------------------------
def cut_window(starts: datetime, ends: datetime, minutes: int) -> list[tuple[datetime, datetime]]:
    """Consecutive slots of ``minutes`` inside the window; a remainder shorter than a slot is left out."""
    step = timedelta(minutes=minutes)
    spans, at = [], starts
    while at + step <= ends:
        spans.append((at, at + step))
        at += step
    return spans


# --- may the candidate start now? ------------------------------------------------------------------------------
@dataclass(frozen=True)
class StartDecision:
    allowed: bool
    code: str = ""
    message: str = ""
    opens_at: datetime | None = None


def start_decision(job: Job, iv: Interview, now: datetime, grace_min: int) -> StartDecision:
    if iv.started_at is not None or iv.status not in ("created", "consented") or job.allow_immediate:
        return StartDecision(True)
    if iv.schedule_status == "booked" and iv.scheduled_at is not None:
        opens = as_utc(iv.scheduled_at) - timedelta(minutes=grace_min)
        if now >= opens:
            return StartDecision(True, opens_at=opens)
        tz = iv.candidate_timezone or "UTC"
        return StartDecision(False, "too_early",
                             f"Your interview is booked for {format_local(iv.scheduled_at, tz, 'en')}. You can join "
                             f"from {format_local(opens, tz, 'en')}, {grace_min} minutes before it starts.", opens)
    if iv.schedule_status == "no_show":
        return StartDecision(False, "missed_slot", "Your booked time has passed without the interview being joined. "
                             "Please contact the recruiter for a new time.")
    return StartDecision(False, "booking_required", "This interview needs a booked time. Please choose a time first.")


def ensure_may_start(iv: Interview, now: datetime, grace_min: int) -> None:
    """Refuses (409, with the slot's local time) to start an interview before its booked slot opens."""
    decision = start_decision(iv.job, iv, now, grace_min)
    if not decision.allowed:
        raise ApiError(409, decision.code, decision.message)


# --- messages ------------------------------------------------------------------------------------------------
TEXTS = {
    "en": {
        "confirmation": ("Interview booked: {job}, {local}",
                         "Hello {name},\n\nYour interview for {job} is booked for {local}, that is {utc}. It lasts "
                         "about {minutes} minutes and is conducted by an AI interviewer; people at the company "
                         "review the results."),
        "reschedule": ("Interview moved: {job}, now {local}",
                       "Hello {name},\n\nYour interview for {job} has been moved from {previous} to {local}, that is "
                       "{utc}."),
        "cancellation": ("Interview cancelled: {job}",
                         "Hello {name},\n\nYour interview for {job} on {previous} is cancelled. You can choose a "
                         "new time with the link below."),
        "reminder_24h": ("Reminder: your interview for {job} is tomorrow, {local}",
                         "Hello {name},\n\nA reminder: your interview for {job} starts {local}, that is {utc}."),
        "reminder_1h": ("Your interview for {job} starts in one hour",
                        "Hello {name},\n\nYour interview for {job} starts in one hour: {local}, that is {utc}. "
                        "Please use a browser with a camera and microphone."),
        "join": "Open the interview (from {opens}):", "manage": "Choose another time or cancel:",
        "join_button": "Open the interview", "manage_button": "Change the time",
        "ics_summary": "AI interview: {job}",
    },
    "zh": {
        "confirmation": ("面试已预约：{job}，{local}",
                         "{name}，您好：\n\n您的「{job}」职位面试已预约在 {local}（即 {utc}）。面试约 {minutes} 分钟，由 AI "
                         "面试官进行，公司人员会审阅结果。"),
        "reschedule": ("面试时间已更改：{job}，新时间 {local}",
                       "{name}，您好：\n\n您的「{job}」职位面试已由 {previous} 改到 {local}（即 {utc}）。"),
        "cancellation": ("面试已取消：{job}",
                         "{name}，您好：\n\n您原定于 {previous} 的「{job}」职位面试已取消。您可以通过下面的链接重新选择时间。"),
        "reminder_24h": ("提醒：您的「{job}」面试在明天 {local}",
                         "{name}，您好：\n\n提醒您：「{job}」职位面试将于 {local}（即 {utc}）开始。"),
        "reminder_1h": ("您的「{job}」面试将在一小时后开始",
                        "{name}，您好：\n\n您的「{job}」职位面试将在一小时后开始：{local}（即 {utc}）。请使用带有摄像头和麦克风的浏览器。"),
        "join": "进入面试（{opens} 起可进入）：", "manage": "更改时间或取消：",
        "join_button": "进入面试", "manage_button": "更改时间",
        "ics_summary": "AI 面试：{job}",
    },
}


def make_ics(uid: str, seq: int, starts: datetime, ends: datetime, summary: str, description: str, url: str,
             organizer: tuple[str, str], attendee: tuple[str, str], now: datetime, cancelled: bool = False) -> bytes:
    """An iTIP calendar entry (RFC 5545/5546) for one booking. The UID stays the same for the interview and
    SEQUENCE grows with every change, so calendar apps update (REQUEST) or remove (CANCEL) the one event.
    ``organizer`` and ``attendee`` are (name, address) pairs."""
    cal = Calendar()
    cal.add("prodid", "-//AI Interview//Scheduling//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if cancelled else "REQUEST")
    ev = Event()
    ev.add("uid", uid)
    ev.add("sequence", seq)
    ev.add("dtstamp", as_utc(now))
    ev.add("dtstart", as_utc(starts))
    ev.add("dtend", as_utc(ends))
    ev.add("summary", summary)
    ev.add("description", description)
    ev.add("url", url)
    ev.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    ev.add("transp", "OPAQUE")
    org = vCalAddress(f"mailto:{organizer[1]}")
    if organizer[0]:
        org.params["CN"] = vText(organizer[0])
    ev.add("organizer", org)
    att = vCalAddress(f"mailto:{attendee[1]}")
    if attendee[0]:
        att.params["CN"] = vText(attendee[0])
    att.params["ROLE"] = vText("REQ-PARTICIPANT")
    att.params["PARTSTAT"] = vText("NEEDS-ACTION")
    att.params["RSVP"] = vText("FALSE")
    ev.add("attendee", att)
    cal.add_component(ev)
    return cal.to_ical()


def link_valid_until(ends: datetime | None, no_show_grace_min: int) -> datetime | None:
    """How long a link handed out for a booked slot must work: until the slot is over and a latecomer would be
    marked a no-show (so a booking made near the end of the link's life never locks the candidate out)."""
    return as_utc(ends) + timedelta(minutes=no_show_grace_min) if ends else None


@dataclass(frozen=True)
class BookingNotices:
    """What the messages a booking queues are made of: signed links, the sender, the start and no-show margins."""

    signer: Signer
    base_url: str
    mail_from: str
    start_grace_min: int
    no_show_grace_min: int
    clock: Callable[[], datetime]


def render_notice(notices: BookingNotices, iv: Interview, r: Reminder) -> Notice:
    """The message for one queued reminder, from the booking as it was when the change was made."""
    lang = normalise_language(iv.language)
    t = TEXTS[lang]
    d = r.details or {}
    tz = d.get("timezone") or "UTC"
    starts = datetime.fromisoformat(d["starts_at"]) if d.get("starts_at") else None
    ends = datetime.fromisoformat(d["ends_at"]) if d.get("ends_at") else None
    previous = datetime.fromisoformat(d["previous_starts_at"]) if d.get("previous_starts_at") else None
    # a fresh link; for a booked slot it stays valid until the slot is over, however old the first link is
    token = notices.signer.link_token(iv.id, iv.link_nonce,
                                     valid_until=link_valid_until(ends, notices.no_show_grace_min))
    base = notices.base_url
    link, manage = f"{base}/i/{token}", f"{base}/schedule/{token}"
    values = {"name": iv.candidate.name, "job": iv.job.title,
              "local": format_local(starts, tz, lang) if starts else "",
              "utc": format_utc(starts) if starts else "",
              "previous": format_local(previous, tz, lang) if previous else "",
              "minutes": int((ends - starts).total_seconds() // 60) if starts and ends else ""}
    subject_t, body_t = t[r.kind]
    subject, body = subject_t.format(**values), body_t.format(**values)
    paragraphs = [body]
    buttons = []
    if r.kind != "cancellation" and starts:
        opens = format_local(starts - timedelta(minutes=notices.start_grace_min), tz, lang)
        paragraphs.append(f"{t['join'].format(opens=opens)}\n{link}")
        buttons.append((t["join_button"], link))
    paragraphs.append(f"{t['manage']}\n{manage}")
    buttons.append((t["manage_button"], manage))
    text = "\n\n".join(paragraphs) + "\n"
    html_body = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in body.split("\n\n"))
    html_buttons = "".join(
        f'<p><a href="{escape(url)}" style="display:inline-block;padding:10px 18px;background:#1f5fd1;color:#fff;'
        f'text-decoration:none;border-radius:6px">{escape(label)}</a><br><span style="color:#666;font-size:12px">'
        f'{escape(url)}</span></p>' for label, url in buttons)
    html = f'<!doctype html><html lang="{lang}"><body style="font-family:sans-serif">{html_body}{html_buttons}</body></html>'
    attachments: tuple[Attachment, ...] = ()
    if r.kind in CHANGE_KINDS and r.channel == "email":
        cancelled = r.kind == "cancellation"
        ev_start = previous if cancelled else starts
        ev_end = ends
        if cancelled:
            ev_end = datetime.fromisoformat(d["previous_ends_at"]) if d.get("previous_ends_at") else None
        if ev_start and ev_end:
            org_name, org_addr = parseaddr(notices.mail_from)
            # the message without its greeting: what happened, when, and the link(s)
            description = "\n\n".join(paragraphs).split("\n\n", 1)[-1]
            ics = make_ics(f"interview-{iv.id}@ai-interview", r.booking_seq, ev_start, ev_end,
                           t["ics_summary"].format(job=iv.job.title), description, manage if cancelled else link,
                           (org_name, org_addr or "no-reply@localhost"), (iv.candidate.name, r.recipient),
                           notices.clock(), cancelled)
            attachments = (Attachment("interview.ics", "text/calendar", ics,
                                      (("method", "CANCEL" if cancelled else "REQUEST"), ("charset", "utf-8"))),)
    payload = {"event": "interview.schedule", "v": 1, "kind": r.kind, "reminder_id": r.id, "interview_id": iv.id,
               "candidate": {"name": iv.candidate.name, "email": iv.candidate.email}, "job": iv.job.title,
               "language": lang, "starts_at": d.get("starts_at"), "ends_at": d.get("ends_at"),
               "previous_starts_at": d.get("previous_starts_at"), "timezone": tz,
               "local_time": values["local"] or values["previous"], "link": link, "schedule_link": manage,
               "text": text}
    return Notice(key=r.id, content=InvitationContent(subject, text, html, attachments), payload=payload)


async def notify_targets(invitations: InvitationRepository, iv: Interview,
                         settings: Settings) -> list[tuple[str, str]]:
    """(channel, recipient) pairs: the newest not-failed invitation per channel; e-mail to the candidate's address
    when no invitation was sent (HR handed the link over another way) and e-mail is set up (``settings``)."""
    latest: dict[str, str] = {}
    for inv in await invitations.for_interview(iv.id):
        if inv.status != "failed":
            latest[inv.channel] = inv.recipient
    if not latest and iv.candidate.email:
        ch = channel_for("email", settings)
        if ch is not None and ch.enabled:
            latest["email"] = iv.candidate.email
    return list(latest.items())


def plan_messages(kind: str | None, targets: list[tuple[str, str]], now: datetime, starts: datetime | None,
                  ends: datetime | None, tz: str, previous: tuple[datetime, datetime] | None) -> list[dict]:
    """The rows a change queues: the change message (``kind``) now, and the reminders still ahead of the slot."""
    details = {"timezone": tz, "starts_at": starts.isoformat() if starts else None,
               "ends_at": ends.isoformat() if ends else None,
               "previous_starts_at": previous[0].isoformat() if previous else None,
               "previous_ends_at": previous[1].isoformat() if previous else None}
    rows = []
    for channel, recipient in targets:
        if kind:
            rows.append({"kind": kind, "channel": channel, "recipient": recipient, "due_at": now,
                         "details": details})
        if starts is None:
            continue
        for rkind, before in REMINDER_KINDS.items():
            due = starts - before
            if due > now:
                rows.append({"kind": rkind, "channel": channel, "recipient": recipient, "due_at": due,
                             "details": details})
    return rows


# --- the background scheduler --------------------------------------------------------------------------------
class ReminderScheduler:
    """Marks no-shows, then sends the due messages it could claim, on the channels ``channel_settings`` sets up.
    Runs as the queue's periodic job ``reminders.tick`` (every ``poll_s``, once per period across the nodes) and as
    ``reminders.send_due`` when a booking change queued a message for now."""

    def __init__(self, scheduling: SchedulingRepository, interviews: InterviewRepository, notices: BookingNotices,
                 channel_settings: Settings, poll_s: float):
        self.scheduling, self.interviews, self.notices = scheduling, interviews, notices
        self.channel_settings, self.poll_s = channel_settings, poll_s
        self._send_slots = asyncio.Semaphore(SEND_CONCURRENCY)
        self.stopping = False  # set when the server stops: a run in progress ends after its current batch

    async def tick(self) -> dict:
        now = self.notices.clock()
        stale = await self.scheduling.fail_stale_reminders(now - STALE_SENDING)
        grace = timedelta(minutes=self.notices.no_show_grace_min)
        no_shows = await self.scheduling.mark_no_shows(now - grace)
        if no_shows:
            log.info("no_shows_marked", interviews=no_shows)
        sent = await self.send_due()
        return {"no_shows": no_shows, "processed": sent, "stale": stale}

    async def send_due(self) -> int:
        """Claim and send what is due; returns how many messages this call handled."""
        total = 0
        while not self.stopping:
            rows = await self.scheduling.claim_due_reminders(self.notices.clock(), CLAIM_BATCH)
            if not rows:
                break
            await asyncio.gather(*(self._deliver(r) for r in rows))
            total += len(rows)
            if len(rows) < CLAIM_BATCH:
                break
        return total

    async def _deliver(self, r: Reminder) -> None:
        """Send one claimed message and record the outcome; never raises."""
        scheduling = self.scheduling
        async with self._send_slots:
            try:
                iv = await self.interviews.get(r.interview_id)
                if iv is None:
                    return
                if r.kind in REMINDER_KINDS:
                    why = ""
                    if iv.schedule_seq != r.booking_seq or iv.schedule_status != "booked":
                        why = "the booking changed"
                    elif iv.scheduled_at is None or self.notices.clock() >= as_utc(iv.scheduled_at):
                        why = "the slot has already started"
                    elif iv.started_at is not None or iv.status not in ("created", "consented"):
                        why = "the interview has already taken place"
                    if why:
                        await scheduling.update_reminder(r.id, status="skipped", last_error=why)
                        return
                ch = channel_for(r.channel, self.channel_settings)
                if ch is None or not ch.enabled:
                    await scheduling.update_reminder(r.id, status="failed",
                                                     last_error=f"the {r.channel} channel is not set up on this server")
                    return
                notice = render_notice(self.notices, iv, r)

                async def count(n: int) -> None:
                    await scheduling.update_reminder(r.id, attempts=n)

                await ch.send(r.recipient, notice, on_attempt=count)
            except Exception as exc:  # noqa: BLE001 - recorded for HR, never sent again automatically
                log.warning("reminder_failed", reminder_id=r.id, kind=r.kind, channel=r.channel, error=str(exc))
                await scheduling.update_reminder(r.id, status="failed",
                                                 last_error=f"{type(exc).__name__}: {exc}"[:500])
                return
            await scheduling.update_reminder(r.id, status="sent", sent_at=self.notices.clock(), last_error="")


@handler("reminders.tick")
async def run_reminders_tick(services, payload: dict) -> None:
    """The periodic run: no-shows, then every due message (``services.scheduler``)."""
    await services.scheduler.tick()


@handler("reminders.send_due")
async def run_reminders_send_due(services, payload: dict) -> None:
    """A booking change queued a message for now: send what is due without waiting for the next period."""
    await services.scheduler.send_due()
