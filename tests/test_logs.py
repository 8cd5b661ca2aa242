"""Log lines as an operator's collector reads them (``log_format=json``): every line one JSON object, each request's
lines carrying its id (also sent back as X-Request-ID), lines about an interview naming it, and no line holding a
link token, a password, an e-mail address or a candidate's name."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import aiohttp
import pytest
import structlog

from server.platform.logs import configure_logging, interview_context
from tests.harness import HR_EMAIL, HR_PASSWORD, running_server

pytestmark = pytest.mark.unit

CANDIDATE = "Ottoline Varnsworth"


@pytest.fixture
def log_lines():
    """Log output captured as the server writes it (JSON); the logging set-up is undone afterwards."""
    stream = io.StringIO()
    handler = configure_logging("info", "json", stream=stream)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

    yield lines
    logging.getLogger().removeHandler(handler)
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


def access_line(lines: list[dict], method: str, target_prefix: str) -> dict:
    found = [x for x in lines if x.get("event") == "http" and x["method"] == method
             and x["target"].startswith(target_prefix)]
    assert len(found) == 1, (target_prefix, found)
    return found[0]


async def test_json_lines_carry_request_and_interview_ids_and_no_personal_data(sqlite_url, tmp_path, log_lines):
    async with running_server(sqlite_url, tmp_path) as h:
        async with h.hr_client() as hr:
            async with hr.post("/api/v1/interviews", json={"job_id": h.job_id, "language": "en",
                                                           "candidate": {"name": CANDIDATE,
                                                                         "email": "ottoline@example.com"}}) as r:
                assert r.status == 201
                created = await r.json()
            interview_id, token = created["interview_id"], created["token"]
            async with hr.get(f"/api/v1/interviews/{interview_id}") as r:
                assert r.status == 200
                read_id = r.headers["X-Request-ID"]
            new_password = HR_PASSWORD + " changed"
            async with hr.post("/api/v1/auth/password", json={"current_password": HR_PASSWORD,
                                                             "new_password": new_password}) as r:
                assert r.status == 200, await r.text()
                change_id = r.headers["X-Request-ID"]
        async with aiohttp.ClientSession(h.base_url) as http:
            async with http.get("/api/v1/candidate/session", params={"token": token}) as r:
                assert r.status == 200
                candidate_id = r.headers["X-Request-ID"]
            async with http.get(f"/i/{token}") as r:
                assert r.status == 200
    lines = log_lines()  # every line parsed as JSON, or the test fails here
    assert lines and all({"event", "level", "timestamp", "logger"} <= set(x) for x in lines)

    read = access_line(lines, "GET", f"/api/v1/interviews/{interview_id}")
    assert read["request_id"] == read_id and read["interview_id"] == interview_id and read["status"] == 200
    session = access_line(lines, "GET", "/api/v1/candidate/session")
    assert session["request_id"] == candidate_id and session["interview_id"] == interview_id
    assert session["target"] == "/api/v1/candidate/session?token=***"
    assert access_line(lines, "GET", "/i/")["target"] == "/i/***"
    changed = [x for x in lines if x["event"] == "password_changed"]
    assert len(changed) == 1 and changed[0]["request_id"] == change_id  # a line written inside the handler
    assert len({x["request_id"] for x in lines if x["event"] == "http"}) == len(
        [x for x in lines if x["event"] == "http"])  # one id per request

    text = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines)
    for secret in (token, CANDIDATE, "ottoline@example.com", HR_EMAIL, HR_PASSWORD, new_password):
        assert secret not in text


async def test_a_request_id_is_taken_only_from_a_trusted_proxy(sqlite_url, tmp_path, log_lines):
    given = "proxy-request-0123456789"
    async with running_server(sqlite_url, tmp_path, seed=False) as h:
        async with aiohttp.ClientSession(h.base_url) as http:
            async with http.get("/api/v1/health", headers={"X-Request-ID": given}) as r:
                assert r.headers["X-Request-ID"] != given  # any client could write anything into the log
    async with running_server(sqlite_url, tmp_path, seed=False, trusted_proxies=["127.0.0.1"]) as h:
        async with aiohttp.ClientSession(h.base_url) as http:
            async with http.get("/api/v1/health", headers={"X-Request-ID": given}) as r:
                assert r.headers["X-Request-ID"] == given
            async with http.get("/api/v1/health", headers={"X-Request-ID": "bad id with spaces {}"}) as r:
                assert r.headers["X-Request-ID"] not in ("", "bad id with spaces {}")
    assert [x["request_id"] for x in log_lines() if x.get("event") == "http"].count(given) == 1


async def test_work_outliving_a_request_names_its_interview_not_the_request(log_lines):
    log = structlog.get_logger("live-test")
    structlog.contextvars.bind_contextvars(request_id="req-that-started-it")

    async def interview_work() -> None:
        log.info("worker_line")

    await asyncio.get_running_loop().create_task(interview_work(), context=interview_context("iv-123"))
    log.info("request_line")
    by_event = {x["event"]: x for x in log_lines()}
    assert by_event["worker_line"]["interview_id"] == "iv-123" and "request_id" not in by_event["worker_line"]
    assert by_event["request_line"]["request_id"] == "req-that-started-it"
    assert "interview_id" not in by_event["request_line"]


def test_standard_library_lines_are_json_too_and_secrets_are_masked(log_lines):
    logging.getLogger("analyzers.some_module").warning("decoder %s failed", "vp8")
    structlog.get_logger("x").info("reported", email="someone@example.com", password="hunter2",
                                   api_key="sk-123", user_id="u1")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        structlog.get_logger("x").exception("failed_with_trace")
    lines = {x["event"]: x for x in log_lines()}
    assert lines["decoder vp8 failed"]["level"] == "warning"
    assert lines["decoder vp8 failed"]["logger"] == "analyzers.some_module"
    reported = lines["reported"]
    assert (reported["email"], reported["password"], reported["api_key"], reported["user_id"]) == (
        "***", "***", "***", "u1")
    assert "RuntimeError: boom" in lines["failed_with_trace"]["exception"]


def test_the_default_is_readable_lines_for_development():
    stream = io.StringIO()
    handler = configure_logging("info", stream=stream)
    try:
        structlog.get_logger("x").info("started", port=8080)
    finally:
        logging.getLogger().removeHandler(handler)
        structlog.reset_defaults()
    line = stream.getvalue().strip()
    assert "started" in line and "port=8080" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)
