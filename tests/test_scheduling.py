"""Interview scheduling against the real server: HR's windows, the candidate's booking, rescheduling and
cancellation, confirmations and reminders read from a real SMTP inbox (aiosmtpd, with the .ics), the start gate,
no-shows, a double-booking race and two schedulers on one database. Time is a test clock on the server context.

Over 500 lines because every test drives the one scheduling feature through the same harness (the server, its test
clock and the SMTP inbox) set up at the top.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import re
from datetime import datetime, timedelta, timezone

import aiohttp
import icalendar
import pytest
from aiosmtpd.controller import Controller

from itsdangerous import URLSafeTimedSerializer

from server.http.auth import LinkClaims, LinkError, Signer, hash_password
from server.recruiting.invitations import CHANNELS, register_channel
from server.recruiting.scheduling import ReminderScheduler
from tests.harness import free_port, running_server, until
from tests.invitation_delivery import signed_webhook_receiver
from tests.test_invitations import Inbox

pytestmark = pytest.mark.unit

UTC = timezone.utc
NOW = datetime(2030, 3, 10, 0, 0, tzinfo=UTC)  # the test clock's start (a Sunday)
# A window on Tuesday 12 March 2030, 09:00-10:40 in Shanghai = 01:00-02:40 UTC = 21:00-22:40 (Mon) in New York (EDT)
WINDOW = {"starts_at": "2030-03-12T09:00:00+08:00", "ends_at": "2030-03-12T10:40:00+08:00"}
SLOT1_UTC = datetime(2030, 3, 12, 1, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@contextlib.contextmanager
def smtp_inbox():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@contextlib.asynccontextmanager
async def scheduling_server(db_url, tmp_path, smtp_port=None, **overrides):
    mail = {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "mail_from": "Acme Hiring <hiring@acme.test>"} \
        if smtp_port else {}
    async with running_server(db_url, tmp_path, reminder_poll_s=3600, **mail, **overrides) as h:
        clock = Clock(NOW)
        h.ctx.clock = clock
        h.ctx.signer.clock = clock  # links are signed and checked on the same test clock
        h.clock = clock
        yield h


def parse(raw: bytes):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    text = msg.get_body(("plain",)).get_content()
    ics = None
    for part in msg.iter_attachments():
        if part.get_content_type() == "text/calendar":
            ics = part.get_content()
            ics = ics.decode() if isinstance(ics, bytes) else ics
            assert part.get_filename() == "interview.ics"
            # iTIP over e-mail (RFC 6047): the Content-Type names the same METHOD as the calendar
            assert part.get_param("method") == str(icalendar.Calendar.from_ical(ics)["METHOD"])
            assert part.get_content_charset() == "utf-8"
    return msg, text, ics


def calendar(ics: str):
    """The calendar and its one event, parsed with icalendar the way a calendar app reads the attachment."""
    cal = icalendar.Calendar.from_ical(ics)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return cal, events[0]


def utc_field(ev, name: str) -> datetime:
    """A DTSTART/DTEND that must be written in UTC (``...Z``), as a datetime."""
    assert ev[name].to_ical().endswith(b"Z"), ev[name].to_ical()
    return ev.decoded(name)


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def links_in(text: str) -> tuple[str, str]:
    """The join link and the schedule link in a message."""
    join = re.search(r"https?://\S+/i/(\S+)", text)
    manage = re.search(r"https?://\S+/schedule/(\S+)", text)
    return (join.group(1) if join else ""), (manage.group(1) if manage else "")


async def setup_job(http, job_id, allow_immediate=True, window=WINDOW, capacity=1):
    r = await http.put(f"/api/v1/jobs/{job_id}/schedule", json={"allow_immediate": allow_immediate,
                                                                "slot_minutes": 30})
    assert r.status == 200, await r.text()
    r = await http.post(f"/api/v1/jobs/{job_id}/windows", json={**window, "capacity": capacity})
    assert r.status == 201, await r.text()
    return (await r.json())["slots"]


async def new_interview(h, http, name, mail, language="en"):
    r = await http.post("/api/v1/interviews", json={"job_id": h.job_id, "candidate": {"name": name, "email": mail},
                                                    "language": language})
    assert r.status == 201, await r.text()
    d = await r.json()
    return d["interview_id"], d["token"]


async def cand(h, path, body=None, method=None):
    async with aiohttp.ClientSession(h.base_url) as anon:
        if body is None:
            r = await anon.get(path)
        else:
            r = await anon.post(path, json=body)
        return r.status, await r.json()


async def schedule_of(h, token):
    status, data = await cand(h, f"/api/v1/candidate/schedule?token={token}")
    assert status == 200, data
    return data


# --- HR windows -----------------------------------------------------------------------------------------------
async def test_windows_are_cut_into_slots_and_bad_windows_are_refused(db_url, tmp_path):
    async with scheduling_server(db_url, tmp_path) as h, h.hr_client() as http:
        slots = await setup_job(http, h.job_id, allow_immediate=False)
        # 100 minutes at 30 minutes a slot: three slots, the 10 minutes left over are not offered
        assert [(s["starts_at"], s["ends_at"]) for s in slots] == [
            ("2030-03-12T01:00:00+00:00", "2030-03-12T01:30:00+00:00"),
            ("2030-03-12T01:30:00+00:00", "2030-03-12T02:00:00+00:00"),
            ("2030-03-12T02:00:00+00:00", "2030-03-12T02:30:00+00:00")]
        cases = [
            ({"starts_at": "2030-03-12T02:15:00Z", "ends_at": "2030-03-12T04:00:00Z"}, 409, "overlapping_window"),
            ({"starts_at": "2030-03-01T09:00:00Z", "ends_at": "2030-03-01T10:00:00Z"}, 422, "window_in_past"),
            ({"starts_at": "2030-03-13T10:00:00Z", "ends_at": "2030-03-13T09:00:00Z"}, 422, "invalid_window"),
            ({"starts_at": "2030-03-13T09:00:00Z", "ends_at": "2030-03-13T09:20:00Z"}, 422, "window_too_short"),
            ({"starts_at": "2030-03-13T09:00:00", "ends_at": "2030-03-13T10:00:00"}, 422, "invalid_request"),
            ({"starts_at": "2030-03-13T09:00:00Z", "ends_at": "2030-03-20T09:00:00Z"}, 422, "window_too_long"),
            ({"starts_at": "2030-03-13T09:00:00Z", "ends_at": "2030-03-13T10:00:00Z", "capacity": 0}, 422,
             "invalid_request"),
        ]
        for body, status, code in cases:
            r = await http.post(f"/api/v1/jobs/{h.job_id}/windows", json=body)
            data = await r.json()
            assert (r.status, data["error"]["code"]) == (status, code), (body, data)
            assert data["error"]["message"]
        sched = await (await http.get(f"/api/v1/jobs/{h.job_id}/schedule")).json()
        assert sched["allow_immediate"] is False and sched["slot_minutes"] == 30 and len(sched["slots"]) == 3
        # Removing a free slot works; afterwards its time can be offered again
        r = await http.delete(f"/api/v1/jobs/{h.job_id}/slots/{slots[2]['id']}")
        assert r.status == 204
        r = await http.post(f"/api/v1/jobs/{h.job_id}/windows", json={"starts_at": "2030-03-12T02:00:00Z",
                                                                     "ends_at": "2030-03-12T02:30:00Z",
                                                                     "capacity": 2})
        assert r.status == 201 and (await r.json())["slots"][0]["capacity"] == 2

        # Another organisation sees nothing of this job
        other = await h.ctx.store.accounts.create_org("Other")
        await h.ctx.store.accounts.create_user(other.id, "hr@other.test", hash_password("pw-other-123"), role="recruiter")
        async with h.hr_client("hr@other.test", "pw-other-123") as stranger:
            assert (await stranger.get(f"/api/v1/jobs/{h.job_id}/schedule")).status == 404
            r = await stranger.post(f"/api/v1/jobs/{h.job_id}/windows", json={"starts_at": "2030-04-01T09:00:00Z",
                                                                              "ends_at": "2030-04-01T10:00:00Z"})
            assert r.status == 404
            assert (await stranger.delete(f"/api/v1/jobs/{h.job_id}/slots/{slots[0]['id']}")).status == 404


# --- booking, messages, time zones ------------------------------------------------------------------------------
async def test_confirmation_shows_the_slot_in_each_candidates_zone_with_an_ics(sqlite_url, tmp_path):
    with smtp_inbox() as (inbox, port):
        async with scheduling_server(sqlite_url, tmp_path, smtp_port=port) as h, h.hr_client() as http:
            slots = await setup_job(http, h.job_id)
            iv_sh, tok_sh = await new_interview(h, http, "王芳", "wangfang@example.com", language="zh")
            iv_ny, tok_ny = await new_interview(h, http, "Jane Doe", "jane@example.com")
            # Jane got her link by e-mail: her confirmation goes the same way
            r = await http.post(f"/api/v1/interviews/{iv_ny}/invitations", json={"channel": "email"})
            assert r.status == 202
            await until(lambda: len(inbox.messages) >= 1, what="the invitation")

            status, data = await cand(h, "/api/v1/candidate/schedule/book",
                                      {"token": tok_sh, "slot_id": slots[0]["id"], "timezone": "Asia/Shanghai"})
            assert status == 200, data
            assert data["schedule_status"] == "booked" and data["booking"]["starts_at"] == SLOT1_UTC.isoformat()
            assert data["candidate_timezone"] == "Asia/Shanghai" and data["can_start"] is True  # immediate allowed
            # no invitation was sent to her, but she has an e-mail address and e-mail is set up
            assert data["notified_channels"] == ["email"]
            assert slots[0]["id"] not in [s["id"] for s in data["slots"]]
            status, data = await cand(h, "/api/v1/candidate/schedule/book",
                                      {"token": tok_ny, "slot_id": slots[1]["id"], "timezone": "America/New_York"})
            assert status == 200, data
            await until(lambda: len(inbox.messages) >= 3, what="two confirmations")

        by_rcpt = {rcpts[0]: raw for _, rcpts, raw in inbox.messages[1:]}
        msg, text, ics = parse(by_rcpt["wangfang@example.com"])
        assert "面试已预约" in msg["Subject"] and "2030年3月12日（周二）09:00" in msg["Subject"]
        assert "2030年3月12日（周二）09:00（Asia/Shanghai，UTC+08:00）" in text and "2030-03-12 01:00 UTC" in text
        assert re.search(r"http://127\.0\.0\.1:\d+/i/\S+", text) and "/schedule/" in text
        cal, ev = calendar(ics)
        assert str(cal["METHOD"]) == "REQUEST" and ev.decoded("sequence") == 1
        assert utc_field(ev, "DTSTART") == SLOT1_UTC and utc_field(ev, "DTEND") == SLOT1_UTC + timedelta(minutes=30)
        assert str(ev["UID"]) == f"interview-{iv_sh}@ai-interview" and str(ev["STATUS"]) == "CONFIRMED"
        assert str(ev["ATTENDEE"]) == "mailto:wangfang@example.com" and ev["ATTENDEE"].params["CN"] == "王芳"
        assert str(ev["ORGANIZER"]) == "mailto:hiring@acme.test" and ev["ORGANIZER"].params["CN"] == "Acme Hiring"
        # in the interview's language (Chinese), with the link to join
        join, _ = links_in(text)
        assert str(ev["SUMMARY"]) == "AI 面试：Engineer"
        description = str(ev["DESCRIPTION"])
        assert "职位面试已预约在 2030年3月12日（周二）09:00" in description and f"/i/{join}" in description
        assert str(ev["URL"]).endswith(f"/i/{join}")

        msg, text, ics = parse(by_rcpt["jane@example.com"])
        # 01:30 UTC on Tuesday is 21:30 on Monday in New York (daylight saving time has begun on 10 March 2030)
        assert "Mon 11 Mar 2030, 21:30 (America/New_York, UTC-04:00)" in text and "2030-03-12 01:30 UTC" in text
        assert "Mon 11 Mar 2030, 21:30" in msg["Subject"]
        cal, ev = calendar(ics)
        assert utc_field(ev, "DTSTART") == SLOT1_UTC + timedelta(minutes=30)
        assert str(ev["SUMMARY"]) == "AI interview: Engineer"
        assert "is booked for Mon 11 Mar 2030" in str(ev["DESCRIPTION"])
        assert str(ev["UID"]) == f"interview-{iv_ny}@ai-interview"  # one event per interview


async def test_reschedule_and_cancel_tell_the_candidate_and_free_the_seat(db_url, tmp_path):
    with smtp_inbox() as (inbox, port):
        async with scheduling_server(db_url, tmp_path, smtp_port=port) as h, h.hr_client() as http:
            slots = await setup_job(http, h.job_id)
            iv, tok = await new_interview(h, http, "Sam Lee", "sam@example.com")
            book = {"token": tok, "slot_id": slots[0]["id"], "timezone": "Europe/Berlin"}
            assert (await cand(h, "/api/v1/candidate/schedule/book", book))[0] == 200
            await until(lambda: len(inbox.messages) >= 1, what="confirmation")

            status, data = await cand(h, "/api/v1/candidate/schedule/reschedule", {**book, "slot_id": slots[2]["id"]})
            assert status == 200, data
            assert data["booking"]["id"] == slots[2]["id"]
            # the first slot is free again, for anyone
            assert slots[0]["id"] in [s["id"] for s in data["slots"]]
            await until(lambda: len(inbox.messages) >= 2, what="reschedule message")
            msg, text, ics = parse(inbox.messages[1][2])
            assert "moved" in msg["Subject"]
            assert "Tue 12 Mar 2030, 02:00 (Europe/Berlin, UTC+01:00)" in text  # from
            assert "Tue 12 Mar 2030, 03:00 (Europe/Berlin, UTC+01:00)" in text  # to
            first_cal, first = calendar(parse(inbox.messages[0][2])[2])
            cal, ev = calendar(ics)
            # the same event (UID) with a higher SEQUENCE: calendar apps move the entry instead of adding one
            assert str(ev["UID"]) == str(first["UID"]) == f"interview-{iv}@ai-interview"
            assert (first.decoded("sequence"), ev.decoded("sequence")) == (1, 2)
            assert str(cal["METHOD"]) == "REQUEST" and str(ev["STATUS"]) == "CONFIRMED"
            assert utc_field(ev, "DTSTART") == datetime(2030, 3, 12, 2, 0, tzinfo=UTC)
            assert utc_field(ev, "DTEND") == datetime(2030, 3, 12, 2, 30, tzinfo=UTC)
            assert "has been moved from Tue 12 Mar 2030, 02:00" in str(ev["DESCRIPTION"])

            status, data = await cand(h, "/api/v1/candidate/schedule/cancel", {"token": tok})
            assert status == 200 and data["schedule_status"] == "cancelled" and data["booking"] is None
            await until(lambda: len(inbox.messages) >= 3, what="cancellation")
            msg, text, ics = parse(inbox.messages[2][2])
            assert "cancelled" in msg["Subject"] and "Tue 12 Mar 2030, 03:00" in text
            cal, ev = calendar(ics)
            assert str(cal["METHOD"]) == "CANCEL" and str(ev["STATUS"]) == "CANCELLED" and ev.decoded("sequence") == 3
            assert str(ev["UID"]) == f"interview-{iv}@ai-interview"
            # the event being cancelled is the slot it was moved to
            assert utc_field(ev, "DTSTART") == datetime(2030, 3, 12, 2, 0, tzinfo=UTC)
            assert "is cancelled" in str(ev["DESCRIPTION"]) and "/i/" not in str(ev["DESCRIPTION"])
            assert "/schedule/" in str(ev["URL"])

            sched = await (await http.get(f"/api/v1/jobs/{h.job_id}/schedule")).json()
            assert all(s["booked"] == 0 for s in sched["slots"])
            state = await (await http.get(f"/api/v1/interviews/{iv}/schedule")).json()
            assert state["schedule_status"] == "cancelled"
            kinds = {(r["kind"], r["status"]) for r in state["reminders"]}
            assert {("confirmation", "sent"), ("reschedule", "sent"), ("cancellation", "sent")} <= kinds
            # the reminders of the two earlier bookings will never go out
            assert {r["status"] for r in state["reminders"] if r["kind"].startswith("reminder")} == {"cancelled"}

            # after cancelling, a new time can be booked
            status, data = await cand(h, "/api/v1/candidate/schedule/book", {**book, "slot_id": slots[1]["id"]})
            assert status == 200 and data["booking"]["id"] == slots[1]["id"]


async def test_only_one_of_two_simultaneous_bookings_gets_the_last_seat(db_url, tmp_path):
    async with scheduling_server(db_url, tmp_path) as h, h.hr_client() as http:
        slots = await setup_job(http, h.job_id)
        for round_ in range(3):
            slot = slots[round_]
            a = await new_interview(h, http, f"A{round_}", "")
            b = await new_interview(h, http, f"B{round_}", "")
            results = await asyncio.gather(*(cand(h, "/api/v1/candidate/schedule/book",
                                                  {"token": tok, "slot_id": slot["id"], "timezone": "UTC"})
                                             for _, tok in (a, b)))
            statuses = sorted(s for s, _ in results)
            assert statuses == [200, 409], results
            winner = next(d for s, d in results if s == 200)
            assert winner["notified_channels"] == []  # no invitation, no e-mail: told on the page only
            loser = next(d for s, d in results if s == 409)
            assert loser["error"]["code"] == "slot_taken" and "pick another" in loser["error"]["message"]
        sched = await (await http.get(f"/api/v1/jobs/{h.job_id}/schedule")).json()
        assert [s["booked"] for s in sched["slots"]] == [1, 1, 1]
        assert sum(b["schedule_status"] == "booked" for b in sched["bookings"]) == 3


async def test_candidate_mistakes_get_clear_errors_and_change_nothing(sqlite_url, tmp_path):
    async with scheduling_server(sqlite_url, tmp_path) as h, h.hr_client() as http:
        slots = await setup_job(http, h.job_id)
        iv, tok = await new_interview(h, http, "Kim", "")
        other_job = await h.ctx.store.jobs.create(h.org_id, "Other", "", "en", [{"text": "Q?"}],
                                                  member_id=h.hr_user_id)
        r = await http.post(f"/api/v1/jobs/{other_job.id}/windows", json={"starts_at": "2030-04-01T09:00:00Z",
                                                                         "ends_at": "2030-04-01T09:30:00Z"})
        foreign = (await r.json())["slots"][0]["id"]
        book = {"token": tok, "slot_id": slots[0]["id"], "timezone": "Asia/Shanghai"}
        cases = [
            ({**book, "timezone": "Mars/Olympus"}, 422, "invalid_timezone"),
            ({**book, "token": tok[:-3] + "abc"}, 403, "invalid_link"),
            ({**book, "slot_id": foreign}, 404, "slot_not_found"),
            ({**book, "slot_id": "nope"}, 404, "slot_not_found"),
            ({"token": tok}, 422, "invalid_request"),
        ]
        for body, status, code in cases:
            s, d = await cand(h, "/api/v1/candidate/schedule/book", body)
            assert (s, d["error"]["code"]) == (status, code), (body, d)
        s, d = await cand(h, "/api/v1/candidate/schedule/reschedule", book)
        assert (s, d["error"]["code"]) == (409, "not_booked")
        s, d = await cand(h, "/api/v1/candidate/schedule/cancel", {"token": tok})
        assert (s, d["error"]["code"]) == (409, "not_booked")
        assert (await schedule_of(h, tok))["schedule_status"] == "unscheduled"

        assert (await cand(h, "/api/v1/candidate/schedule/book", book))[0] == 200
        s, d = await cand(h, "/api/v1/candidate/schedule/book", {**book, "slot_id": slots[1]["id"]})
        assert (s, d["error"]["code"]) == (409, "already_booked")
        s, d = await cand(h, "/api/v1/candidate/schedule/reschedule", book)
        assert (s, d["error"]["code"]) == (409, "same_slot")
        # a slot that has begun cannot be booked
        h.clock.now = SLOT1_UTC + timedelta(minutes=31)
        s, d = await cand(h, "/api/v1/candidate/schedule/reschedule", {**book, "slot_id": slots[1]["id"]})
        assert (s, d["error"]["code"]) == (422, "slot_in_past")
        data = await schedule_of(h, tok)
        assert data["booking"]["id"] == slots[0]["id"] and slots[1]["id"] not in [x["id"] for x in data["slots"]]


# --- the start gate -------------------------------------------------------------------------------------------
async def test_a_job_that_needs_a_booking_opens_only_shortly_before_the_slot(sqlite_url, tmp_path):
    offer = {"sdp": "v=0\r\nm=audio 9 x\r\n", "type": "offer"}
    consent = {"decisions": {"ai_evaluation": True, "recording": True, "face_voice_analysis": False}}
    async with scheduling_server(sqlite_url, tmp_path) as h, h.hr_client() as http:
        slots = await setup_job(http, h.job_id, allow_immediate=False)
        iv, tok = await new_interview(h, http, "Ana", "")
        async with aiohttp.ClientSession(h.base_url) as anon:
            r = await anon.get(f"/i/{tok}", allow_redirects=False)
            assert r.status == 302 and r.headers["Location"] == f"/schedule/{tok}"
            r = await anon.get(f"/schedule/{tok}")
            assert r.status == 200 and "schedule.js" in await r.text()
            assert (await anon.post("/api/v1/candidate/consents", json={"token": tok, **consent})).status == 200
            r = await anon.post("/api/v1/candidate/offer", json={"token": tok, **offer})
            d = await r.json()
            assert r.status == 409 and d["error"]["code"] == "booking_required"
        data = await schedule_of(h, tok)
        assert data["can_start"] is False and data["start_refusal"]["code"] == "booking_required"

        s, d = await cand(h, "/api/v1/candidate/schedule/book",
                          {"token": tok, "slot_id": slots[1]["id"], "timezone": "America/New_York"})
        assert s == 200 and d["can_start"] is False and d["start_refusal"]["code"] == "too_early"
        assert d["opens_at"] == "2030-03-12T01:20:00+00:00"
        async with aiohttp.ClientSession(h.base_url) as anon:
            r = await anon.post("/api/v1/candidate/offer", json={"token": tok, **offer})
            d = await r.json()
            assert r.status == 409 and d["error"]["code"] == "too_early"
            # the message names the slot in the candidate's own time
            assert "Mon 11 Mar 2030, 21:30 (America/New_York, UTC-04:00)" in d["error"]["message"]
            assert "21:20" in d["error"]["message"]
            assert (await anon.get(f"/i/{tok}", allow_redirects=False)).status == 302

            h.clock.now = datetime(2030, 3, 12, 1, 21, tzinfo=UTC)  # 9 minutes before the slot
            r = await anon.get(f"/i/{tok}", allow_redirects=False)
            assert r.status == 200 and "interview.js" in await r.text()
        assert (await schedule_of(h, tok))["can_start"] is True

        # a job that allows an immediate start never redirects
        await http.put(f"/api/v1/jobs/{h.job_id}/schedule", json={"allow_immediate": True})
        iv2, tok2 = await new_interview(h, http, "Ben", "")
        async with aiohttp.ClientSession(h.base_url) as anon:
            assert (await anon.get(f"/i/{tok2}", allow_redirects=False)).status == 200
        assert (await schedule_of(h, tok2))["can_start"] is True


# --- link lifetime ----------------------------------------------------------------------------------------------
def test_a_link_lasts_its_max_age_or_until_the_moment_signed_into_it_and_old_links_keep_working():
    clock = Clock(datetime(2030, 1, 1, tzinfo=UTC))
    signer = Signer("s3cret", 3600, clock=clock)
    t0 = clock.now
    plain = signer.link_token("iv1", "n1")
    assert signer.read_link(plain) == LinkClaims("iv1", "n1", t0 + timedelta(hours=1))
    # a moment before the usual expiry changes nothing (the token stays as short as before)
    assert signer.link_token("iv1", "n1", valid_until=t0 + timedelta(minutes=30)) == plain
    lasting = signer.link_token("iv1", "n1", valid_until=t0 + timedelta(days=3, milliseconds=500))
    assert signer.read_link(lasting).expires_at == t0 + timedelta(days=3, seconds=1)  # rounded up, never down

    clock.now = t0 + timedelta(seconds=3601)
    with pytest.raises(LinkError) as exc:
        signer.read_link(plain)
    assert (exc.value.status, exc.value.code) == (410, "link_expired")
    assert signer.read_link(lasting).interview_id == "iv1"
    clock.now = t0 + timedelta(days=3, seconds=1)
    assert signer.read_link(lasting).nonce == "n1"
    clock.now += timedelta(seconds=1)
    with pytest.raises(LinkError) as exc:
        signer.read_link(lasting)
    assert exc.value.code == "link_expired"

    # a link signed the way the server did before links carried their own expiry (the wall clock) still works
    # for the max age, and not longer
    legacy_serializer = URLSafeTimedSerializer("s3cret", salt="interview-link")
    legacy = legacy_serializer.dumps({"i": "iv2", "n": "n2"})
    _, signed = legacy_serializer.loads(legacy, return_timestamp=True)
    clock.now = signed + timedelta(seconds=3600)
    assert signer.read_link(legacy) == LinkClaims("iv2", "n2", signed + timedelta(hours=1))
    clock.now = signed + timedelta(seconds=3601)
    with pytest.raises(LinkError) as exc:
        signer.read_link(legacy)
    assert exc.value.code == "link_expired"

    # the expiry cannot be forged: another key, or a malformed one under the right key, is not a link
    clock.now = t0
    foreign = Signer("other", 3600, clock=clock).link_token("iv1", "n1", valid_until=t0 + timedelta(days=99))
    bad_until = URLSafeTimedSerializer("s3cret", salt="interview-link").dumps({"i": "iv1", "n": "n1", "x": "never"})
    for token in (foreign, bad_until, lasting[:-2] + "xx"):
        with pytest.raises(LinkError) as exc:
            signer.read_link(token)
        assert (exc.value.status, exc.value.code) == (403, "invalid_link")


async def test_a_booking_made_late_in_the_links_life_does_not_lock_the_candidate_out(sqlite_url, tmp_path):
    """Links last 7 days. The candidate books on day 6 a slot on day 20: the link in hand and even a fresh 7-day
    link would run out before it. The confirmation and the page hand out links that work until the slot is over
    plus the no-show grace, and not longer."""
    consent = {"decisions": {"ai_evaluation": True, "recording": True, "face_voice_analysis": False}}
    with smtp_inbox() as (inbox, port):
        async with scheduling_server(sqlite_url, tmp_path, smtp_port=port, no_show_grace_min=15) as h, \
                h.hr_client() as http:
            assert h.ctx.settings.link_max_age_s == 7 * 24 * 3600
            slots = await setup_job(http, h.job_id, allow_immediate=False, window={
                "starts_at": "2030-03-30T09:00:00Z", "ends_at": "2030-03-30T10:00:00Z"})
            iv, tok = await new_interview(h, http, "Lin Mei", "linmei@example.com")  # at NOW, 10 March
            data = await schedule_of(h, tok)
            assert data["link_expires_at"] == "2030-03-17T00:00:00+00:00" and data["link_needed_after_slot_min"] == 15
            assert data["renewed_token"] is None  # nothing booked yet

            h.clock.now = datetime(2030, 3, 16, tzinfo=UTC)
            plain = h.ctx.signer.link_token(iv, (await h.ctx.store.interviews.get(iv)).link_nonce)  # a fresh 7-day link
            s, d = await cand(h, "/api/v1/candidate/schedule/book",
                              {"token": tok, "slot_id": slots[0]["id"], "timezone": "Asia/Shanghai"})
            assert s == 200, d
            assert d["link_expires_at"] == "2030-03-17T00:00:00+00:00"
            # the slot ends at 09:30; a candidate who has not come is marked a no-show 15 minutes later
            assert d["renewed_token"] and d["renewed_link_expires_at"] == "2030-03-30T09:45:00+00:00"
            page_token = d["renewed_token"]
            await until(lambda: len(inbox.messages) >= 1, what="the confirmation")
            join, manage = links_in(parse(inbox.messages[0][2])[1])
            assert join and manage

            h.clock.now = datetime(2030, 3, 24, tzinfo=UTC)
            for t in (tok, plain):  # the first link has run out, and so would any ordinary link
                s, d = await cand(h, f"/api/v1/candidate/schedule?token={t}")
                assert (s, d["error"]["code"]) == (410, "link_expired")
            for t in (join, manage, page_token):  # the confirmation's and the page's have not
                data = await schedule_of(h, t)
                assert data["schedule_status"] == "booked"
                assert data["link_expires_at"] == "2030-03-30T09:45:00+00:00" and data["renewed_token"] is None
            async with aiohttp.ClientSession(h.base_url) as anon:
                r = await anon.get(f"/i/{join}", allow_redirects=False)
                assert r.status == 302 and r.headers["Location"] == f"/schedule/{join}"
            # the candidate can still move the interview, to 09:30-10:00; the page renews the link again (a fresh
            # link now lasts 7 days, longer than the new slot)
            s, d = await cand(h, "/api/v1/candidate/schedule/reschedule",
                              {"token": manage, "slot_id": slots[1]["id"], "timezone": "Asia/Shanghai"})
            assert s == 200 and d["renewed_link_expires_at"] == "2030-03-31T00:00:00+00:00"
            await until(lambda: len(inbox.messages) >= 2, what="the reschedule message")
            moved, _ = links_in(parse(inbox.messages[1][2])[1])

            h.clock.now = datetime(2030, 3, 29, 9, 30, 30, tzinfo=UTC)  # the 24 h reminder is due
            await h.ctx.scheduler.tick()
            assert len(inbox.messages) == 3 and "tomorrow" in parse(inbox.messages[2][2])[0]["Subject"]
            reminded, _ = links_in(parse(inbox.messages[2][2])[1])

            h.clock.now = datetime(2030, 3, 30, 9, 25, tzinfo=UTC)  # the interview opens (10 minutes before)
            async with aiohttp.ClientSession(h.base_url) as anon:
                r = await anon.get(f"/i/{reminded}", allow_redirects=False)
                assert r.status == 200 and "interview.js" in await r.text()
                r = await anon.post("/api/v1/candidate/consents", json={"token": join, **consent})
                assert r.status == 200, await r.text()
            assert (await schedule_of(h, moved))["can_start"] is True

            # the confirmation's link ends with its slot (09:30) plus the grace, to the second
            h.clock.now = datetime(2030, 3, 30, 9, 45, tzinfo=UTC)
            assert (await cand(h, f"/api/v1/candidate/schedule?token={join}"))[0] == 200
            h.clock.now = datetime(2030, 3, 30, 9, 45, 1, tzinfo=UTC)
            for t in (join, manage, page_token):
                s, d = await cand(h, f"/api/v1/candidate/schedule?token={t}")
                assert (s, d["error"]["code"]) == (410, "link_expired")
            for t in (moved, reminded):  # the newer messages' links carry on
                assert (await schedule_of(h, t))["schedule_status"] == "booked"


# --- reminders and no-shows -----------------------------------------------------------------------------------
async def test_reminders_go_out_once_even_with_two_schedulers_on_one_database(db_url, tmp_path):
    with smtp_inbox() as (inbox, port):
        async with scheduling_server(db_url, tmp_path, smtp_port=port) as h, h.hr_client() as http:
            slots = await setup_job(http, h.job_id)
            iv, tok = await new_interview(h, http, "Lena", "lena@example.com")
            assert (await cand(h, "/api/v1/candidate/schedule/book",
                               {"token": tok, "slot_id": slots[0]["id"], "timezone": "Asia/Tokyo"}))[0] == 200
            await until(lambda: len(inbox.messages) >= 1, what="confirmation")
            state = await (await http.get(f"/api/v1/interviews/{iv}/schedule")).json()
            due = {r["kind"]: r["due_at"] for r in state["reminders"]}
            assert due == {"confirmation": NOW.isoformat(), "reminder_24h": "2030-03-11T01:00:00+00:00",
                           "reminder_1h": "2030-03-12T00:00:00+00:00"}

            # A second server process on the same database, with its own scheduler
            async with running_server(db_url, tmp_path / "node2", seed=False, reminder_poll_s=3600,
                                      smtp_host="127.0.0.1", smtp_port=port,
                                      mail_from="Acme Hiring <hiring@acme.test>") as node2:
                node2.ctx.clock = h.clock
                schedulers = [h.ctx.scheduler, node2.ctx.scheduler, ReminderScheduler(
                    h.ctx.store.scheduling, h.ctx.store.interviews, h.ctx.scheduler.notices, h.settings,
                    h.settings.reminder_poll_s)]

                h.clock.now = datetime(2030, 3, 11, 0, 59, tzinfo=UTC)  # a minute before the 24 h reminder
                await asyncio.gather(*(s.tick() for s in schedulers))
                assert len(inbox.messages) == 1

                h.clock.now = datetime(2030, 3, 11, 1, 0, 30, tzinfo=UTC)
                for _ in range(3):
                    await asyncio.gather(*(s.tick() for s in schedulers))
                assert len(inbox.messages) == 2
                msg, text, ics = parse(inbox.messages[1][2])
                assert "tomorrow" in msg["Subject"] and "Tue 12 Mar 2030, 10:00 (Asia/Tokyo, UTC+09:00)" in text
                assert ics is None  # reminders carry the time and the link, not another calendar entry

                h.clock.now = datetime(2030, 3, 12, 0, 0, 5, tzinfo=UTC)
                for _ in range(3):
                    await asyncio.gather(*(s.tick() for s in schedulers))
                assert len(inbox.messages) == 3
                assert "one hour" in parse(inbox.messages[2][2])[0]["Subject"]
            state = await (await http.get(f"/api/v1/interviews/{iv}/schedule")).json()
        assert {(r["kind"], r["status"], r["attempts"]) for r in state["reminders"]} == {
            ("confirmation", "sent", 1), ("reminder_24h", "sent", 1), ("reminder_1h", "sent", 1)}


async def _reminder_rows(db_url, iv):
    from server.storage.store import Store

    store = Store(db_url)
    try:
        return [(r.kind, r.status, r.attempts) for r in await store.scheduling.reminders(iv)]
    finally:
        await store.close()


async def test_no_show_is_marked_without_a_message_and_hr_can_take_it_back(db_url, tmp_path):
    with smtp_inbox() as (inbox, port):
        async with scheduling_server(db_url, tmp_path, smtp_port=port, no_show_grace_min=15) as h, \
                h.hr_client() as http:
            slots = await setup_job(http, h.job_id, allow_immediate=False)
            iv, tok = await new_interview(h, http, "Omar", "omar@example.com")
            book = {"token": tok, "slot_id": slots[0]["id"], "timezone": "UTC"}
            assert (await cand(h, "/api/v1/candidate/schedule/book", book))[0] == 200
            await until(lambda: len(inbox.messages) >= 1, what="confirmation")
            # joined in time? no: the slot (01:00-01:30) ends, plus 15 minutes of grace
            h.clock.now = datetime(2030, 3, 12, 1, 44, tzinfo=UTC)
            assert (await h.ctx.scheduler.tick())["no_shows"] == []
            # (the server "slept" through both reminders: overdue once the slot has begun, they are skipped)
            state = await (await http.get(f"/api/v1/interviews/{iv}/schedule")).json()
            assert {(x["kind"], x["status"]) for x in state["reminders"]} == {
                ("confirmation", "sent"), ("reminder_24h", "skipped"), ("reminder_1h", "skipped")}
            h.clock.now = datetime(2030, 3, 12, 1, 46, tzinfo=UTC)
            result = await h.ctx.scheduler.tick()
            assert result["no_shows"] == [iv]
            assert (await h.ctx.scheduler.tick())["no_shows"] == []  # marked once
            await asyncio.sleep(0.3)
            assert len(inbox.messages) == 1  # only the confirmation: nothing is sent about the no-show

            state = await (await http.get(f"/api/v1/interviews/{iv}/schedule")).json()
            assert state["schedule_status"] == "no_show"
            data = await schedule_of(h, tok)
            assert data["can_start"] is False and data["start_refusal"]["code"] == "missed_slot"
            s, d = await cand(h, "/api/v1/candidate/schedule/reschedule", {**book, "slot_id": slots[2]["id"]})
            assert (s, d["error"]["code"]) == (409, "missed_slot")

            # HR takes the mark back: the slot is over, so the candidate may book a new time
            r = await http.put(f"/api/v1/interviews/{iv}/no-show", json={"no_show": False})
            assert r.status == 200 and (await r.json())["schedule_status"] == "unscheduled"
            await http.post(f"/api/v1/jobs/{h.job_id}/windows", json={"starts_at": "2030-03-13T01:00:00Z",
                                                                      "ends_at": "2030-03-13T01:30:00Z"})
            later = (await schedule_of(h, tok))["slots"]  # the slots that have begun are no longer offered
            assert [x["starts_at"] for x in later] == ["2030-03-12T02:00:00+00:00", "2030-03-13T01:00:00+00:00"]
            s, d = await cand(h, "/api/v1/candidate/schedule/book", {**book, "slot_id": later[1]["id"]})
            assert s == 200 and d["schedule_status"] == "booked"

            # HR marks by hand (before the slot is even over) and takes it back: the booking and its reminders stand
            r = await http.put(f"/api/v1/interviews/{iv}/no-show", json={"no_show": True})
            assert r.status == 200 and (await r.json())["schedule_status"] == "no_show"
            state = await (await http.get(f"/api/v1/interviews/{iv}/schedule")).json()
            assert not [x for x in state["reminders"] if x["status"] == "pending"]
            r = await http.put(f"/api/v1/interviews/{iv}/no-show", json={"no_show": False})
            state = await r.json()
            assert r.status == 200 and state["schedule_status"] == "booked"
            # (the 24 h reminder's time has passed already: only the 1 h one is still ahead)
            assert [x["kind"] for x in state["reminders"] if x["status"] == "pending"] == ["reminder_1h"]
            r = await http.put(f"/api/v1/interviews/{iv}/no-show", json={"no_show": False})
            assert r.status == 409 and (await r.json())["error"]["code"] == "not_no_show"


# --- channels ---------------------------------------------------------------------------------------------------
async def test_schedule_messages_use_the_invitation_channel_webhook_and_registered_ones(sqlite_url, tmp_path):
    secret = "gateway-secret"
    pigeon: list[tuple[str, str]] = []

    class PigeonChannel:  # stands in for any channel added later (e.g. DingTalk work notices)
        enabled = True

        def __init__(self, settings):
            pass

        async def send(self, recipient, notice, on_attempt=None):
            if on_attempt:
                await on_attempt(1)
            pigeon.append((recipient, notice.content.subject))

    register_channel("pigeon", PigeonChannel)
    try:
        async with signed_webhook_receiver(secret) as hook, \
                scheduling_server(sqlite_url, tmp_path, invite_webhook_url=hook.url,
                                  invite_webhook_secret=secret) as h, h.hr_client() as http:
            slots = await setup_job(http, h.job_id)
            iv, tok = await new_interview(h, http, "Ola", "")
            r = await http.post(f"/api/v1/interviews/{iv}/invitations", json={"channel": "webhook"})
            assert r.status == 202
            await until(lambda: len(hook.received) >= 1, what="the webhook invitation")
            await h.ctx.store.invitations.add(iv, "pigeon", "loft 7", "en")
            await h.ctx.store.invitations.add(iv, "smoke", "hill", "en")  # a channel this server does not have
            s, d = await cand(h, "/api/v1/candidate/schedule/book",
                              {"token": tok, "slot_id": slots[0]["id"], "timezone": "Asia/Shanghai"})
            assert s == 200
            await until(lambda: len(hook.received) >= 2, what="the webhook confirmation")
            await until(lambda: len(pigeon) >= 1, what="the registered channel")
            event = hook.received[1]["payload"]
            assert event["event"] == "interview.schedule" and event["kind"] == "confirmation"
            assert event["starts_at"] == SLOT1_UTC.isoformat() and event["timezone"] == "Asia/Shanghai"
            assert event["local_time"] == "Tue 12 Mar 2030, 09:00 (Asia/Shanghai, UTC+08:00)"
            assert "/schedule/" in event["schedule_link"] and "/i/" in event["link"] and event["text"]
            assert hook.received[1]["key"] == event["reminder_id"]
            assert pigeon == [("loft 7", "Interview booked: Engineer, Tue 12 Mar 2030, 09:00 (Asia/Shanghai, "
                                         "UTC+08:00)")]

            async def smoke_failed():
                state = await (await http.get(f"/api/v1/interviews/{iv}/schedule")).json()
                return any(x["channel"] == "smoke" and x["status"] == "failed" for x in state["reminders"])
            await until(smoke_failed, what="the unknown channel to be marked failed")
            state = await (await http.get(f"/api/v1/interviews/{iv}/schedule")).json()
            smoke = next(x for x in state["reminders"] if x["channel"] == "smoke" and x["kind"] == "confirmation")
            assert "smoke channel is not set up" in smoke["last_error"]
    finally:
        CHANNELS.pop("pigeon", None)


# --- storage -------------------------------------------------------------------------------------------------
async def test_upgrade_to_scheduling_keeps_interviews_and_their_records(db_url):
    """0004 -> head only adds columns: no table is rebuilt, so nothing cascades away on SQLite."""
    from sqlalchemy import text

    from server.storage.store import Store
    from server.storage.migrate import move_schema
    from tests.old_schema import insert_first_schema_interview

    store = Store(db_url)
    try:
        await move_schema(store.db.engine, "0004")
        async with store.db.engine.begin() as conn:
            n = {"n": NOW}
            await insert_first_schema_interview(conn, NOW, "finished")
            await conn.execute(text("INSERT INTO turns (id, interview_id, \"index\", question_index, kind, "
                                    "question_text, answer_text, asked_at, end_reason, \"trigger\", reason) "
                                    "VALUES ('t', 'i', 0, 0, 'question', 'Q?', 'A.', :n, 'silence', '', '')"), n)
            await conn.execute(text("INSERT INTO events (interview_id, type, payload, at) "
                                    "VALUES ('i', 'interview.state', '{}', :n)"), n)
        await store.migrate()
        iv = await store.interviews.get("i")
        assert iv.schedule_status == "unscheduled" and iv.schedule_seq == 0 and iv.slot_id is None
        assert iv.job.allow_immediate is True and iv.job.slot_minutes == 30
        assert [t.answer_text for t in await store.records.turns("i")] == ["A."]
        assert len(await store.records.events("i")) == 1
    finally:
        await store.close()
