"""The candidate's scheduling page in real Chromium (a phone-sized window, the browser's own time zone set):
the link leads to the schedule page, the free slots show in the candidate's zone, booking, switching the zone,
rescheduling, a slot taken meanwhile, cancelling, and the way back to the interview when it is time.

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec .venv/bin/python -m pytest -m browser tests/test_browser_scheduling.py'
"""

from __future__ import annotations

import contextlib
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
import pytest

from tests.harness import running_server, until
from tests.test_browser_interview import login_as_hr, open_area
from tests.test_scheduling import links_in, new_interview, parse, smtp_inbox

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.async_api")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
STEP_MS = 15_000
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
UTC = timezone.utc

if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed (Debian package chromium)", allow_module_level=True)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@contextlib.asynccontextmanager
async def page_in_zone(pw, zone: str, errors: list[str], phone: bool = True):
    """A page in a fresh Chromium whose time zone is ``zone`` (phone-sized unless ``phone`` is False); the page's
    script errors are collected in ``errors``."""
    size = (dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True) if phone
            else dict(viewport={"width": 1100, "height": 900}))
    browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
    try:
        context = await browser.new_context(timezone_id=zone, locale="en-US", **size)
        page = await context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page
        await context.close()
    finally:
        await browser.close()


async def _booking(h, interview_id):
    async with h.hr_client() as http:
        return await (await http.get(f"/api/v1/interviews/{interview_id}/schedule")).json()


async def test_candidate_books_sees_their_zone_reschedules_and_cancels(sqlite_url, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data", reminder_poll_s=3600) as h, \
            playwright_api.async_playwright() as pw:
        clock = Clock(datetime(2030, 3, 10, 0, 0, tzinfo=UTC))
        h.ctx.clock = clock
        h.ctx.signer.clock = clock  # links are signed and checked on the same test clock
        async with h.hr_client() as http:
            r = await http.put(f"/api/v1/jobs/{h.job_id}/schedule", json={"allow_immediate": False,
                                                                           "slot_minutes": 30})
            assert r.status == 200
            # Tuesday 12 March 2030, 09:00-10:30 in Shanghai: 01:00-02:30 UTC, Monday 21:00-22:30 in New York
            r = await http.post(f"/api/v1/jobs/{h.job_id}/windows", json={
                "starts_at": "2030-03-12T09:00:00+08:00", "ends_at": "2030-03-12T10:30:00+08:00"})
            slots = (await r.json())["slots"]
            assert len(slots) == 3
        interview_id, token = await h.create_interview("Rosa Diaz")
        _, other_token = await h.create_interview("Gina Linetti")

        async with page_in_zone(pw, "America/New_York", errors) as page:

            # The personal link leads to the schedule page: this job needs a booked time.
            await page.goto(f"{h.base_url}/i/{token}")
            await page.wait_for_url(re.compile(r"/schedule/"), timeout=STEP_MS)
            await page.locator("#picker").wait_for(state="visible", timeout=STEP_MS)
            assert "Engineer" in await page.text_content("#job-title")
            assert await page.locator("#start").is_hidden()  # not before a time is booked
            assert "America/New_York" in await page.text_content("#zone-note")
            assert "UTC-04:00" in await page.text_content("#zone-note")  # daylight saving time from 10 March
            assert await page.input_value("#tz") == "America/New_York"
            # Slots grouped by day in the browser's zone: all three on Monday evening in New York
            days = await page.locator("#days legend").all_text_contents()
            assert len(days) == 1 and "Monday" in days[0] and "11" in days[0] and "March" in days[0]
            times = await page.locator("#days .slot span").all_text_contents()
            assert times == ["21:00–21:30", "21:30–22:00", "22:00–22:30"]
            assert await page.locator("#book").is_disabled()
            await page.screenshot(path=str(ARTIFACTS / "schedule-pick.png"), full_page=True)

            # Book 21:30 (01:30 UTC)
            await page.get_by_label(re.compile(r"21:30 to 22:00")).check()
            await page.click("#book")
            await page.locator("#booked-box").wait_for(state="visible", timeout=STEP_MS)
            booked = await page.text_content("#booked-time")
            assert "21:30" in booked and "Monday" in booked and "America/New_York" in booked, booked
            assert "2030-03-12 01:30" in await page.text_content("#booked-utc")
            status = await page.text_content("#status")
            assert "Booked" in status and "confirmation" not in status  # no channel to the candidate: none promised
            assert "21:20" in await page.text_content("#opens-note")  # joining opens 10 minutes before
            state = await _booking(h, interview_id)
            assert state["schedule_status"] == "booked" and state["slot_id"] == slots[1]["id"]
            assert state["candidate_timezone"] == "America/New_York"
            assert await page.locator("#days .slot span").all_text_contents() == ["21:00–21:30", "22:00–22:30"]
            await page.screenshot(path=str(ARTIFACTS / "schedule-booked.png"), full_page=True)

            # The candidate looks at it in Shanghai time instead
            await page.select_option("#tz", "Asia/Shanghai")
            booked = await page.text_content("#booked-time")
            assert "09:30" in booked and "Tuesday" in booked and "Asia/Shanghai" in booked and "UTC+08:00" in booked
            assert await page.locator("#days .slot span").all_text_contents() == ["09:00–09:30", "10:00–10:30"]

            # Reschedule to 10:00 Shanghai time (02:00 UTC)
            await page.get_by_label(re.compile(r"10:00 to 10:30")).check()
            assert await page.text_content("#book") == "Move my interview to this time"
            await page.click("#book")
            await page.wait_for_function(
                "() => document.getElementById('status').textContent.includes('Moved')", timeout=STEP_MS)
            assert "2030, 10:00 (Asia/Shanghai, UTC+08:00) – 10:30" in await page.text_content("#booked-time")
            state = await _booking(h, interview_id)
            assert state["slot_id"] == slots[2]["id"] and state["candidate_timezone"] == "Asia/Shanghai"

            # Someone else takes the remaining slot while the page is open: booking it fails clearly
            await page.get_by_label(re.compile(r"09:30 to 10:00")).check()
            async with aiohttp.ClientSession(h.base_url) as anon:
                r = await anon.post("/api/v1/candidate/schedule/book", json={
                    "token": other_token, "slot_id": slots[1]["id"], "timezone": "Europe/Paris"})
                assert r.status == 200
            await page.click("#book")
            await page.wait_for_function(
                "() => document.getElementById('error').textContent.includes('just taken')", timeout=STEP_MS)
            await page.wait_for_function(  # the list is fresh again: 09:30 is gone
                "() => ![...document.querySelectorAll('#days .slot span')].some(s => s.textContent.startsWith('09:30'))",
                timeout=STEP_MS)
            assert (await _booking(h, interview_id))["slot_id"] == slots[2]["id"]  # unchanged

            # Cancel (with an explicit second step)
            await page.click("#cancel")
            await page.locator("#cancel-confirm").wait_for(state="visible", timeout=STEP_MS)
            await page.click("#cancel-yes")
            await page.locator("#booked-box").wait_for(state="hidden", timeout=STEP_MS)
            assert "cancelled" in await page.text_content("#status")
            assert "cancelled" in (await page.text_content("#unbooked-note")).lower()
            assert (await _booking(h, interview_id))["schedule_status"] == "cancelled"
            assert await page.locator("#start").is_hidden()

            # Chinese
            await page.click("#lang")
            assert await page.text_content("h1") == "面试时间"
            await page.click("#lang")

            # Book again; when the time comes the page leads back into the interview
            await page.get_by_label(re.compile(r"09:00 to 09:30")).check()
            await page.click("#book")
            await page.locator("#booked-box").wait_for(state="visible", timeout=STEP_MS)
            assert await page.locator("#start").is_hidden()
            clock.now = datetime(2030, 3, 12, 0, 52, tzinfo=UTC)  # 8 minutes before 09:00 in Shanghai
            await page.reload()
            await page.locator("#start").wait_for(state="visible", timeout=STEP_MS)
            await page.screenshot(path=str(ARTIFACTS / "schedule-start.png"), full_page=True)
            await page.click("#start")
            await page.wait_for_url(re.compile(r"/i/"), timeout=STEP_MS)
            await page.locator("#step-consent").wait_for(state="visible", timeout=STEP_MS)
            assert "Choose or change your interview time" in await page.text_content("#schedule-offer")
    assert not errors, errors


async def test_candidate_is_told_their_link_expires_before_the_slot_and_keeps_a_lasting_one(sqlite_url, tmp_path):
    errors: list[str] = []
    with smtp_inbox() as (inbox, port):
        async with running_server(sqlite_url, tmp_path / "data", reminder_poll_s=3600, smtp_host="127.0.0.1",
                                  smtp_port=port, mail_from="hiring@acme.test", no_show_grace_min=15) as h, \
                playwright_api.async_playwright() as pw:
            clock = Clock(datetime(2030, 3, 10, 0, 0, tzinfo=UTC))
            h.ctx.clock = clock
            h.ctx.signer.clock = clock
            async with h.hr_client() as http:
                r = await http.put(f"/api/v1/jobs/{h.job_id}/schedule", json={"allow_immediate": False})
                assert r.status == 200
                # Saturday 30 March 2030, 17:00-18:00 in Shanghai (09:00-10:00 UTC): 20 days after the link was made
                r = await http.post(f"/api/v1/jobs/{h.job_id}/windows", json={
                    "starts_at": "2030-03-30T09:00:00Z", "ends_at": "2030-03-30T10:00:00Z"})
                assert r.status == 201
                _, token = await new_interview(h, http, "Jake Peralta", "jake@example.com")
            clock.now = datetime(2030, 3, 16, tzinfo=UTC)  # day 6 of the link's 7

            async with page_in_zone(pw, "Asia/Shanghai", errors) as page:
                await page.goto(f"{h.base_url}/i/{token}")
                await page.wait_for_url(re.compile(r"/schedule/"), timeout=STEP_MS)
                await page.locator("#picker").wait_for(state="visible", timeout=STEP_MS)
                assert await page.locator("#link-note").is_hidden()  # nothing chosen yet

                # Choosing the slot: the page says the link runs out before it and the confirmation brings a new one
                await page.get_by_label(re.compile(r"17:00 to 17:30")).check()
                note = page.locator("#link-note")
                await note.wait_for(state="visible", timeout=STEP_MS)
                text = await note.text_content()
                assert "17 March 2030, 08:00 (Asia/Shanghai, UTC+08:00)" in text, text  # 00:00 UTC
                assert "before this interview would be over" in text and "confirmation" in text
                assert await page.get_attribute("#book", "aria-describedby") == "link-note"
                await page.screenshot(path=str(ARTIFACTS / "schedule-link-note.png"), full_page=True)

                await page.click("#book")
                renewed = page.locator("#renewed-note")
                await renewed.wait_for(state="visible", timeout=STEP_MS)
                text = await renewed.text_content()
                assert "Your original link expires on" in text and "17 March 2030, 08:00" in text
                assert "valid until" in text and "30 March 2030, 17:45" in text, text  # slot end + 15 min
                assert "confirmation carries it too" in text
                # the page now runs on the new link, also in the address bar
                new_token = page.url.rsplit("/", 1)[-1]
                assert "/schedule/" in page.url and new_token != token
                assert (await page.get_attribute("#start", "href")) == f"/i/{new_token}"
                await page.click("#lang")
                assert "您原来的链接将于" in await renewed.text_content()
                await page.click("#lang")
                await page.screenshot(path=str(ARTIFACTS / "schedule-link-renewed.png"), full_page=True)
                await until(lambda: len(inbox.messages) >= 1, what="the confirmation")
                join, _ = links_in(parse(inbox.messages[0][2])[1])

                # A week later the first link has run out; the page (reloaded) and the e-mailed link still work
                clock.now = datetime(2030, 3, 24, tzinfo=UTC)
                await page.reload()
                await page.locator("#booked-box").wait_for(state="visible", timeout=STEP_MS)
                assert "17:00" in await page.text_content("#booked-time")
                old = await page.context.new_page()
                await old.goto(f"{h.base_url}/schedule/{token}")
                await old.locator("#fatal").wait_for(state="visible", timeout=STEP_MS)
                assert "expired" in await old.text_content("#fatal-text")
                await old.goto(f"{h.base_url}/i/{join}")
                await old.wait_for_url(re.compile(r"/schedule/"), timeout=STEP_MS)
                await old.locator("#booked-box").wait_for(state="visible", timeout=STEP_MS)
    assert not errors, errors


async def test_hr_offers_windows_sees_bookings_and_marks_a_no_show(sqlite_url, tmp_path):
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data", reminder_poll_s=3600) as h, \
            playwright_api.async_playwright() as pw:
        clock = Clock(datetime(2030, 3, 10, 0, 0, tzinfo=UTC))
        h.ctx.clock = clock
        interview_id, token = await h.create_interview("Amy Santiago")
        async with page_in_zone(pw, "Asia/Shanghai", errors, phone=False) as page:
            await login_as_hr(page, h.base_url)
            await open_area(page, "jobs")  # the job's interview times, under its picker
            box = page.locator("#sched-box")
            await box.locator("#sched-minutes").wait_for(state="visible", timeout=STEP_MS)
            await page.wait_for_function("() => document.getElementById('sched-minutes').value === '30'",
                                         timeout=STEP_MS)
            assert "Asia/Shanghai" in await page.text_content("#win-legend")
            assert await page.is_checked("#sched-immediate")  # existing jobs keep starting at once

            # Only booked times from now on: untick, 20-minute slots, save
            await page.uncheck("#sched-immediate")
            await page.fill("#sched-minutes", "20")
            await page.click("#sched-save")
            await page.wait_for_function("() => document.getElementById('sched-status').textContent === 'Saved.'",
                                         timeout=STEP_MS)
            # A window in the HR user's own time: Tuesday 12 March 2030, 09:00-10:00 Shanghai
            await page.fill("#win-start", "2030-03-12T09:00")
            await page.fill("#win-end", "2030-03-12T10:00")
            await page.click("#win-add")
            await page.wait_for_function(
                "() => document.getElementById('sched-status').textContent.includes('3 slots')", timeout=STEP_MS)
            rows = page.locator("#sched-slots tr")
            assert await rows.count() == 3
            assert "09:00–09:20" in await rows.nth(0).text_content()
            async with h.hr_client() as http:
                sched = await (await http.get(f"/api/v1/jobs/{h.job_id}/schedule")).json()
            assert sched["allow_immediate"] is False and sched["slot_minutes"] == 20
            assert [s_["starts_at"] for s_ in sched["slots"]] == ["2030-03-12T01:00:00+00:00",
                                                                  "2030-03-12T01:20:00+00:00",
                                                                  "2030-03-12T01:40:00+00:00"]
            # The same window again overlaps: a clear message, nothing added
            await page.click("#win-add")
            await page.wait_for_function(
                "() => document.getElementById('sched-error').textContent.includes('overlaps')", timeout=STEP_MS)
            assert await rows.count() == 3
            # Remove the last slot
            await rows.nth(2).get_by_role("button").click()
            await page.wait_for_function("() => document.querySelectorAll('#sched-slots tr').length === 2",
                                         timeout=STEP_MS)

            # The candidate books the first slot; HR sees it and, after the slot, marks a no-show
            async with aiohttp.ClientSession(h.base_url) as anon:
                r = await anon.post("/api/v1/candidate/schedule/book", json={
                    "token": token, "slot_id": sched["slots"][0]["id"], "timezone": "Europe/Madrid"})
                assert r.status == 200
            await page.select_option("#job", h.job_id)
            await page.dispatch_event("#job", "change")
            booking = page.locator("#sched-bookings tr", has_text="Amy Santiago")
            await booking.get_by_role("button", name="Mark as no-show").wait_for(timeout=STEP_MS)
            text = await booking.text_content()  # HR's time, and the candidate's as they were told it
            assert "Tue 12 Mar, 09:00 (candidate's time: Tue 02:00 Europe/Madrid)" in text and "booked" in text
            assert "1/1" in await rows.nth(0).text_content()
            await booking.get_by_role("button", name="Mark as no-show").click()
            await booking.get_by_role("button", name="Take back no-show").wait_for(timeout=STEP_MS)
            assert "no-show" in await booking.text_content()
            async with h.hr_client() as http:
                state = await (await http.get(f"/api/v1/interviews/{interview_id}/schedule")).json()
            assert state["schedule_status"] == "no_show"
            await page.screenshot(path=str(ARTIFACTS / "hr-schedule.png"), full_page=True)
    assert not errors, errors
