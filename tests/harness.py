"""A real server on a free loopback port, seeded with an organisation, an HR user (a recruiter) and a job assigned
to them."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator

import aiohttp
from aiohttp import web

from dialogue.plan import InterviewPlanSpec
from dialogue.plan_io import plan_to_questions
from server.http.access_log import MaskedAccessLogger
from server.http.app import create_app
from server.http.auth import hash_password
from server.platform.context import ServerContext
from server.http.routes.common import CTX_KEY
from server.platform.settings import Settings

HR_EMAIL = "hr@acme.test"
HR_PASSWORD = "correct horse battery staple"

TEST_QUESTIONS = [
    {"text": "Tell me about a team you led.", "competency": "leadership", "expected_points": ["team", "result"]},
    {"text": "What result are you most proud of?", "competency": "results", "expected_points": ["numbers"]},
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Harness:
    base_url: str
    ctx: ServerContext
    settings: Settings
    org_id: str
    job_id: str
    hr_user_id: str = ""  # the recruiter responsible for the harness's jobs

    @property
    def ws_base(self) -> str:
        return self.base_url.replace("http://", "ws://")

    @contextlib.asynccontextmanager
    async def hr_client(self, email: str = HR_EMAIL, password: str = HR_PASSWORD) -> AsyncIterator[aiohttp.ClientSession]:
        async with aiohttp.ClientSession(self.base_url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.post("/api/v1/auth/login", json={"email": email, "password": password}) as r:
                assert r.status == 200, await r.text()
            yield http

    async def use_plan(self, plan: InterviewPlanSpec, title: str, language: str = "en") -> None:
        """A new job interviewing by ``plan`` becomes this harness's job (the HR user's too)."""
        job = await self.ctx.store.jobs.create(self.org_id, title, "", language, plan_to_questions(plan, language),
                                               spec=plan.model_dump(mode="json"), member_id=self.hr_user_id or None)
        self.job_id = job.id

    async def create_interview(self, name: str = "Test Candidate", language: str = "en") -> tuple[str, str]:
        """(interview id, link token)"""
        async with self.hr_client() as http:
            async with http.post("/api/v1/interviews", json={"job_id": self.job_id, "candidate": {"name": name},
                                                             "language": language}) as r:
                assert r.status == 201, await r.text()
                data = await r.json()
        return data["interview_id"], data["token"]


@contextlib.asynccontextmanager
async def running_server(db_url: str, data_dir: Path, questions: list[dict] | None = None, seed: bool = True,
                         **overrides) -> AsyncIterator[Harness]:
    """``seed=False`` starts another node on an already seeded database (org_id and job_id are then empty)."""
    port = free_port()
    settings = Settings(host="127.0.0.1", port=port, data_dir=data_dir, database_url=db_url,
                        ice_host_addresses=["127.0.0.1"],
                        **{"secret_key": "test-secret-" + "x" * 32, "llm_engine": "off",  # the engine's own tests
                           **overrides})                                                # start it
    app = create_app(settings)
    runner = web.AppRunner(app, shutdown_timeout=2, access_log_class=MaskedAccessLogger)  # as the server logs
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    ctx = app[CTX_KEY]
    try:
        if not seed:
            yield Harness(f"http://127.0.0.1:{port}", ctx, settings, "", "")
            return
        org = await ctx.store.accounts.create_org("Acme")
        hr = await ctx.store.accounts.create_user(org.id, HR_EMAIL, hash_password(HR_PASSWORD), role="recruiter")
        job = await ctx.store.jobs.create(org.id, "Engineer", "Builds things", "en", questions or TEST_QUESTIONS,
                                          member_id=hr.id)
        yield Harness(f"http://127.0.0.1:{port}", ctx, settings, org.id, job.id, hr.id)
    finally:
        await runner.cleanup()


async def until(predicate, timeout=15.0, what="condition"):
    """Wait until ``predicate()`` (plain or async) is true; its value is returned."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        ok = predicate()
        if inspect.isawaitable(ok):
            ok = await ok
        if ok:
            return ok
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
