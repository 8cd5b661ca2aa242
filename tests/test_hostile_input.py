"""Input a fuzzer sends, kept as regression cases: NUL characters anywhere (PostgreSQL stores no text with NUL),
deeply nested JSON on a WebSocket, offers the WebRTC stack refuses, oversized plans. Each gets a clear 4xx or an
error event, never a server error, and leaves nothing behind."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from server.http.auth import hash_password
from tests.harness import HR_EMAIL, HR_PASSWORD, running_server
from tests.test_imports import finished

pytestmark = pytest.mark.unit

RESUME = ("Jane Example\njane@example.com  +1 415 555 0134\nExperience\n2019 - 2024  Acme Corp  Backend Engineer\n"
          "Built payment services in Python.\n")
ALL_CONSENTS = {"ai_evaluation": True, "recording": True, "face_voice_analysis": True}


def _multipart(filename_header: str, data: bytes, content_type: str = "text/plain",
               field: str = "files") -> tuple[bytes, dict]:
    body = (f"--b\r\nContent-Disposition: form-data; name=\"{field}\"; {filename_header}\r\n"
            f"Content-Type: {content_type}\r\n\r\n").encode() + data + b"\r\n--b--\r\n"
    return body, {"Content-Type": "multipart/form-data; boundary=b"}


async def _status(resp: aiohttp.ClientResponse) -> tuple[int, str]:
    body = await resp.json()
    return resp.status, (body.get("error") or {}).get("code", "")


async def test_nul_characters_get_a_clear_400_on_postgresql(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        interview_id, token = await h.create_interview()
        async with aiohttp.ClientSession(h.base_url) as anon:  # without logging in
            r = await anon.post("/api/v1/auth/login", json={"email": "hr\x00@acme.test", "password": "x"})
            assert await _status(r) == (400, "nul_character")
            r = await anon.post("/api/v1/auth/login", json={"email": HR_EMAIL, "password": HR_PASSWORD + "\x00"})
            assert await _status(r) == (400, "nul_character")
            r = await anon.post("/api/v1/auth/login", data=json.dumps({"email": "a\x00b", "password": "x"}),
                                headers={"Content-Type": "text/plain"})
            assert await _status(r) == (400, "nul_character")
            r = await anon.get("/api/v1/candidate/session", params={"token": token + "\x00"})
            assert await _status(r) == (400, "nul_character")
            r = await anon.post("/api/v1/candidate/consents", json={"token": "\x00", "decisions": ALL_CONSENTS})
            assert await _status(r) == (400, "nul_character")
        async with h.hr_client() as http:
            r = await http.get(f"/api/v1/interviews/{interview_id}%00")
            assert await _status(r) == (400, "nul_character")
            r = await http.get(f"/api/v1/jobs/{h.job_id}\x00/matches")
            assert await _status(r) == (400, "nul_character")
            r = await http.post("/api/v1/interviews", json={"job_id": h.job_id, "candidate": {"name": "Ada\x00"}})
            assert await _status(r) == (400, "nul_character")
            # a backslash followed by "u0000" is text, not a NUL
            r = await http.post("/api/v1/interviews", data=b'{"job_id": "%s", "candidate": {"name": "Ada \\\\u0000"}}'
                                % h.job_id.encode(), headers={"Content-Type": "application/json"})
            assert r.status == 201, await r.text()
            iv = await h.ctx.store.interviews.get((await r.json())["interview_id"])
            assert iv.candidate.name == "Ada \\u0000"
        await h.ctx.store.accounts.create_user(h.org_id, "admin@acme.test", hash_password("pw-admin"), role="admin")
        async with h.hr_client("admin@acme.test", "pw-admin") as http:
            r = await http.get("/api/v1/audit/reads", params={"candidate_id": "c\x00"})
            assert await _status(r) == (400, "nul_character")

            # a part whose headers hold a NUL: refused as unreadable
            body, headers = _multipart('filename="cv.txt"', RESUME.encode(), "text/plain\x00")
            r = await http.post(f"/api/v1/jobs/{h.job_id}/resumes", data=body, headers=headers)
            assert await _status(r) == (400, "bad_request")
            # an uploaded file's name with NUL (percent-encoded): the file is read, its name kept without the NUL
            for header in ('filename="cv%00.txt"', "filename*=UTF-8''c%00v.txt"):
                body, headers = _multipart(header, RESUME.encode())
                r = await http.post(f"/api/v1/jobs/{h.job_id}/resumes", data=body, headers=headers)
                assert r.status == 200, await r.text()
                result = (await r.json())["results"][0]
                assert "\x00" not in result["filename"] and result["filename"].endswith(".txt")
            stored = await h.ctx.store.matching.resumes(h.job_id)
            assert [(resume.filename, cand.name) for resume, cand in stored] == [("cv.txt", "Jane Example")]

            # a bulk import: a CSV with NUL in its name and its cells (near its start it reads as a binary file)
            rows = ["name,email,phone,resume", "Al Ma,al@example.com,,Worked at Acme 2019-2024 as engineer. "
                    + "Shipped features. " * 250, "Bo\x00 Li,bo\x00@example.com,,Worked at Initech 2018-2023"]
            for csv, status in (("\n".join(rows[:1] + rows[2:]), 415), ("\n".join(rows), 202)):
                body, headers = _multipart('filename="list%00.csv"', csv.encode(), "text/csv", field="file")
                r = await http.post(f"/api/v1/jobs/{h.job_id}/imports", data=body, headers=headers)
                assert r.status == status, await r.text()
            run = await finished(http, (await r.json())["id"])
            assert run["status"] == "done" and "\x00" not in run["filename"]
            assert [(i["status"], i["name"]) for i in run["items"]] == [("created", "Al Ma"), ("created", "Bo Li")]


async def test_a_deeply_nested_websocket_message_gets_an_error_and_the_stream_stays(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        interview_id, token = await h.create_interview()
        async with aiohttp.ClientSession(h.base_url) as http:
            async with http.ws_connect(f"/ws/v1/candidate?token={token}") as ws:
                assert (await ws.receive_json(timeout=5))["type"] == "snapshot"
                for nested in ("[" * 30000 + "]" * 30000, '{"a":' * 10000 + "1" + "}" * 10000):
                    await ws.send_str(nested)
                    assert (await ws.receive_json(timeout=5))["code"] == "bad_message"
                await ws.send_str('{"type": "ping"}')
                assert (await ws.receive_json(timeout=5))["type"] == "pong"
        async with h.hr_client() as http:
            async with http.ws_connect(f"/ws/v1/interviews/{interview_id}/observe") as ws:
                assert (await ws.receive_json(timeout=5))["type"] == "snapshot"
                await ws.send_str("[" * 60000)  # unclosed too
                assert (await ws.receive_json(timeout=5))["code"] == "bad_message"
                await ws.send_str('{"type": "ping"}')
                assert (await ws.receive_json(timeout=5))["type"] == "pong"


def _interview_tasks(interview_id: str) -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if not t.done() and interview_id in t.get_name()]


async def test_a_refused_offer_leaves_nothing_running(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        interview_id, token = await h.create_interview()
        async with aiohttp.ClientSession(h.base_url) as http:
            await (await http.post("/api/v1/candidate/consents",
                                   json={"token": token, "decisions": ALL_CONSENTS})).release()
            for sdp in ("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=garbage\r\n",
                        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"):
                for _ in range(3):
                    r = await http.post("/api/v1/candidate/offer", json={"token": token, "sdp": sdp, "type": "offer"})
                    assert await _status(r) == (400, "bad_sdp")
        assert interview_id not in h.ctx.live  # the interview's runtime (recogniser, worker) was closed
        assert _interview_tasks(interview_id) == []
        assert (await h.ctx.store.interviews.get(interview_id)).status == "consented"


async def test_plans_are_read_off_the_event_loop_and_bounded(sqlite_url, tmp_path, monkeypatch):
    import threading

    from dialogue.plan_io import MAX_PLAN_BYTES, dump_plan
    from dialogue.plan_library import library_plan
    from server.recruiting import plans

    read_on: list[str] = []
    original = plans.load_plan

    def recording(text):
        read_on.append(threading.current_thread().name)
        return original(text)

    monkeypatch.setattr(plans, "load_plan", recording)
    plan_yaml = dump_plan(library_plan("software-engineer"), "yaml")
    async with running_server(sqlite_url, tmp_path) as h, h.hr_client() as http:
        r = await http.post("/api/v1/jobs/import", json={"plan": plan_yaml, "language": "en"})
        assert r.status == 201, await r.text()
        r = await http.put(f"/api/v1/jobs/{h.job_id}/plan", json={"plan": plan_yaml, "language": "en"})
        assert r.status == 200, await r.text()
        assert len(read_on) == 2 and threading.main_thread().name not in read_on, read_on
        # a plan far larger than any interview needs (the finding: 250 KB) is refused before it is read
        padded = plan_yaml + "#" + "x" * 250_000 + "\n"
        r = await http.post("/api/v1/jobs/import", json={"plan": padded, "language": "en"})
        assert r.status in (413, 422) and (await r.json())["error"]["code"] in ("too_large", "invalid_request")
        assert len(read_on) == 2
        largest = plan_yaml + "#" + "x" * (MAX_PLAN_BYTES - len(plan_yaml.encode()) - 100) + "\n"
        r = await http.post("/api/v1/jobs/import", json={"plan": largest, "language": "en"})
        assert r.status == 201, await r.text()


async def test_a_long_run_of_digits_in_a_job_description_is_read(sqlite_url, tmp_path):
    # the years pattern split a run of digits every way a range allows: 1,000 digits took 10 s, 20,000 forever
    async with running_server(sqlite_url, tmp_path) as h, h.hr_client() as http:
        for text in ("1" * 20000, "5 years of Python; " + "2" * 19000):
            r = await http.post("/api/v1/jobs/from-description", json={
                "title": "Engineer", "description": text, "language": "en", "library_plan": "software-engineer"})
            assert r.status == 201, await r.text()
        r = await http.post(f"/api/v1/jobs/{h.job_id}/requirements/read", json={"text": "3" * 500})
        assert r.status == 200, await r.text()
