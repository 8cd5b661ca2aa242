"""Roles on the HR page in real Chromium: an admin assigns a job to a recruiter and invites an observer to one
interview; the recruiter then sees only that job and its interview, the observer only that interview (and nothing
to change). The admin also gives a candidate a new link and withdraws it. Screenshots of the team section and the
interview list, in English and Chinese, at laptop and phone widths, go to test-artifacts/roles/.

Run inside a loopback-only network namespace, as CI does::

    unshare -n bash -c 'ip link set lo up && exec .venv/bin/python -m pytest -p no:cacheprovider -m browser tests/test_browser_roles.py'
"""

from __future__ import annotations

import aiohttp
import pytest

from server.http.auth import hash_password
from tests.harness import running_server
from tests.test_browser_interview import ARTIFACTS, STEP_TIMEOUT_MS, hr_page, open_area, playwright_api

pytestmark = pytest.mark.browser

PW = "roles-pw-123"
SHOTS = ARTIFACTS / "roles"
LAPTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


async def _rows(page) -> list[str]:
    return [t.strip() for t in await page.locator("#rows tr td:first-child").all_text_contents()]


async def _shoot(page, locator, name: str) -> None:
    """``locator`` at laptop and phone width; the page must not scroll sideways on the phone."""
    for size, tag in ((LAPTOP, "1366"), (PHONE, "390")):
        await page.set_viewport_size(size)
        await locator.screenshot(path=str(SHOTS / f"{name}-{tag}.png"))
        if tag == "390":
            assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
    await page.set_viewport_size(LAPTOP)


async def test_admin_assigns_a_job_and_invites_an_observer_who_then_see_only_that(sqlite_url, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    async with running_server(sqlite_url, tmp_path / "data") as h, playwright_api.async_playwright() as pw:
        store = h.ctx.store
        for email, role, name in (("admin@acme.test", "admin", "Ada Admin"), ("rita@acme.test", "recruiter",
                                  "Rita Recruiter"), ("omar@acme.test", "observer", "Omar Observer"),
                                  ("hana@acme.test", "hiring_manager", "Hana Manager")):
            await store.accounts.create_user(h.org_id, email, hash_password(PW), role=role, name=name)
        sales = await store.jobs.create(h.org_id, "Sales lead", "", "en", [{"text": "Tell me about a deal you won."}])
        stores = await store.jobs.create(h.org_id, "门店经理", "", "zh", [{"text": "请介绍您管理过的团队。"}])
        sam = await store.interviews.create(h.org_id, sales.id, "Sam Sales", "", "en")
        await store.interviews.create(h.org_id, sales.id, "Sue Second", "", "en")
        await store.interviews.create(h.org_id, stores.id, "王芳", "", "zh")
        await h.create_interview("Eli Engineer")  # the harness recruiter's job

        async with hr_page(pw, tmp_path / "admin", h.base_url, errors, "admin@acme.test", PW) as page:
            await page.set_viewport_size(LAPTOP)
            await open_area(page, "settings/team")
            await page.get_by_role("region", name="Team: who is responsible for what").wait_for(timeout=STEP_TIMEOUT_MS)
            team = page.locator("#team-box")
            rita = team.locator("#team-rows tr", has_text="Rita Recruiter")
            await rita.get_by_text("nothing yet").wait_for(timeout=STEP_TIMEOUT_MS)
            await rita.get_by_role("combobox", name="Job to assign to Rita Recruiter").select_option(label="Sales lead")
            await rita.get_by_role("button", name="Assign job").click()
            await team.get_by_text("Rita Recruiter is now responsible for Sales lead.").wait_for(timeout=STEP_TIMEOUT_MS)
            await rita.get_by_role("button", name="Take Sales lead back from Rita Recruiter").wait_for()
            assert (await store.assignments.of_user(await _id(store, "rita@acme.test"))).job_ids == {sales.id}

            omar = team.locator("#team-rows tr", has_text="Omar Observer")
            await omar.get_by_role("combobox", name="Interview for Omar Observer to observe").select_option(
                label="Sam Sales · Sales lead")
            await omar.get_by_role("button", name="Invite to observe").click()
            await omar.get_by_text("Sam Sales · Sales lead").first.wait_for(timeout=STEP_TIMEOUT_MS)
            await team.get_by_text("Omar Observer may now observe Sam Sales · Sales lead.").wait_for()
            hana = team.locator("#team-rows tr", has_text="Hana Manager")
            await hana.get_by_role("combobox", name="Job to assign to Hana Manager").select_option(label="Sales lead")
            await hana.get_by_role("button", name="Assign job").click()
            await hana.get_by_role("button", name="Take Sales lead back from Hana Manager").wait_for()
            await team.locator("#team-rows tr", has_text="Ada Admin").get_by_text(
                "everything in the organisation").wait_for()
            await _shoot(page, team, "team-en")

            # a candidate's new link, then the link withdrawn (server/http/routes/links.py)
            await open_area(page, "interviews")
            wang = page.locator("#rows tr", has_text="王芳")
            await wang.get_by_role("button", name="New link for 王芳").click()
            await page.get_by_role("dialog").get_by_role("button", name="Issue a new link").click()  # asked first
            issued = wang.get_by_text("New link (earlier links no longer work):")
            await issued.wait_for(timeout=STEP_TIMEOUT_MS)
            link = await issued.get_by_role("link").get_attribute("href")
            token = link.rsplit("/i/", 1)[1]
            async with aiohttp.ClientSession(h.base_url) as candidate:
                async with candidate.get("/api/v1/candidate/session", params={"token": token}) as r:
                    assert r.status == 200
                await _shoot(page, page.locator("#list-box"), "interviews-en")
                await wang.get_by_role("button", name="Withdraw the link of 王芳").click()
                await page.get_by_role("dialog").get_by_role("button", name="Withdraw", exact=True).click()
                await wang.get_by_text("link withdrawn").wait_for(timeout=STEP_TIMEOUT_MS)
                async with candidate.get("/api/v1/candidate/session", params={"token": token}) as r:
                    assert r.status == 403 and (await r.json())["error"]["code"] == "invalid_link"

            await page.click("#lang")  # 中文
            await open_area(page, "settings/team")
            await page.get_by_role("region", name="团队：谁负责什么").wait_for(timeout=STEP_TIMEOUT_MS)
            await rita.get_by_role("button", name="收回 Rita Recruiter 的 Sales lead").wait_for()
            await team.get_by_text("Hana Manager 现在负责 Sales lead。").wait_for()  # the last change, in Chinese
            assert await rita.locator("td").nth(1).text_content() == "招聘专员"
            await _shoot(page, team, "team-zh")
            await open_area(page, "interviews")
            await wang.get_by_text("链接已撤回").wait_for(timeout=STEP_TIMEOUT_MS)
            await _shoot(page, page.locator("#list-box"), "interviews-zh")
            await page.click("#lang")  # back to English for the next browsers (the choice is per profile anyway)

        async with hr_page(pw, tmp_path / "rita", h.base_url, errors, "rita@acme.test", PW) as page:
            await page.set_viewport_size(LAPTOP)
            await page.locator("#rows tr", has_text="Sam Sales").wait_for(timeout=STEP_TIMEOUT_MS)
            assert sorted(await _rows(page)) == ["Sam Sales", "Sue Second"]  # the job's interviews, no one else's
            assert [o.strip() for o in await page.locator("#job option").all_text_contents()] == ["Sales lead"]
            assert await page.locator("#team-box").is_hidden() and await page.locator("#access-box").is_hidden()
            assert await page.text_content("#list-h") == "Interviews of your jobs"
            assert (await page.text_content("#who")).endswith("· recruiter")
            await _shoot(page, page.locator("header.top"), "recruiter-header-en")
            await _shoot(page, page.locator("#list-box"), "recruiter-interviews-en")
            await page.click("#lang")
            await page.get_by_text("您负责的职位的面试").wait_for(timeout=STEP_TIMEOUT_MS)
            assert (await page.text_content("#who")).endswith("· 招聘专员")
            await _shoot(page, page.locator("header.top"), "recruiter-header-zh")
            await _shoot(page, page.locator("#list-box"), "recruiter-interviews-zh")

        async with hr_page(pw, tmp_path / "omar", h.base_url, errors, "omar@acme.test", PW) as page:
            await page.set_viewport_size(PHONE)
            sam_row = page.locator("#rows tr", has_text="Sam Sales")
            await sam_row.wait_for(timeout=STEP_TIMEOUT_MS)
            assert await _rows(page) == ["Sam Sales"]
            assert await page.text_content("#list-h") == "Interviews you are invited to observe"
            for section in ("#create", "#jd-form", "#req-box", "#plan-form", "#import-box", "#cands-box", "#sched-box",
                            "#bias-box", "#team-box", "#access-box", "#retention-box"):
                assert await page.locator(section).is_hidden(), section
            assert await sam_row.get_by_role("button").count() == 0  # nothing to send, change or withdraw
            await sam_row.get_by_role("link", name="Watch").wait_for()
            await _shoot(page, page.locator("main"), "observer-en")
            await page.click("#lang")
            await page.get_by_text("邀请您观看的面试").wait_for(timeout=STEP_TIMEOUT_MS)
            await _shoot(page, page.locator("main"), "observer-zh")
            api = page.request  # the page's own session: Sam's record, no job's candidates
            assert (await api.get(f"{h.base_url}/api/v1/interviews/{sam.id}")).status == 200
            assert (await api.get(f"{h.base_url}/api/v1/jobs/{sales.id}/matches")).status == 403
    assert not errors, errors


async def _id(store, email: str) -> str:
    return (await store.accounts.user_by_email(email)).id
