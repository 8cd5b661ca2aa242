"""The load test's HR side: an HR client with a session cookie (on any node: the cookie is valid on every node of
a cluster) and one observer WebSocket per interview, each event with its local receive time."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp

from benchmarks.load_server import LoadTestError
from benchmarks.synthetic_candidate import CandidateApiError, ReceivedEvent, raise_for_api_error

log = logging.getLogger("benchmarks.load")



class HrClient:
    """HR side of the contract with a session cookie (sent explicitly: aiohttp's jar drops IP-host cookies)."""

    def __init__(self, base_url: str, timeout_s: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.http = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout_s), cookie_jar=aiohttp.DummyCookieJar()
        )
        self.cookie_header = ""

    def _headers(self) -> dict[str, str]:
        h = {"Origin": self.base_url}
        if self.cookie_header:
            h["Cookie"] = self.cookie_header
        return h

    async def request(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(method, self.base_url + path, json=body, headers=self._headers()) as resp:
            await raise_for_api_error(resp)
            if resp.status == 204:
                return None
            text = await resp.text()
            return json.loads(text) if text else None

    async def login(self, email: str, password: str) -> dict:
        url = self.base_url + "/api/v1/auth/login"
        async with self.http.post(url, json={"email": email, "password": password}, headers=self._headers()) as resp:
            await raise_for_api_error(resp)
            body = await resp.json(content_type=None)
            cookies = {k: m.value for k, m in resp.cookies.items()}
        if not cookies:
            raise LoadTestError("login answered without a session cookie")
        self.cookie_header = "; ".join(f"{k}={v}" for k, v in cookies.items())
        return body

    async def create_load_job(self, language: str, questions: int) -> str:
        """A job whose plan outlasts the measurement window, so every session stays live throughout."""
        job = await self.request("POST", "/api/v1/jobs", {
            "title": "Load test", "language": language,
            "questions": [{"text": f"Load test question {i + 1}: tell me about a project you worked on."}
                          for i in range(questions)],
        })
        return str(job["id"])

    async def create_interview(self, job_id: str, index: int, language: str) -> dict:
        return await self.request("POST", "/api/v1/interviews", {
            "job_id": job_id,
            "candidate": {"name": f"Load Candidate {index + 1}", "email": f"load-candidate-{index + 1}@example.com"},
            "language": language,
        })

    def on_node(self, base_url: str) -> HrClient:
        """The same login on another node of the cluster (logins live in the shared database)."""
        other = HrClient(base_url)
        other.cookie_header = self.cookie_header
        return other

    async def metrics(self) -> str | None:
        """The node's ``/metrics`` text (served to loopback callers without a login), or None."""
        try:
            async with self.http.get(self.base_url + "/metrics") as resp:
                return await resp.text() if resp.status == 200 else None
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.debug("metrics failed: %s", exc)
            return None

    async def health(self) -> dict | None:
        try:
            return await self.request("GET", "/api/v1/health")
        except (aiohttp.ClientError, TimeoutError, CandidateApiError, ValueError) as exc:
            log.debug("health failed: %s", exc)
            return None

    async def logout(self) -> None:
        try:
            await self.request("POST", "/api/v1/auth/logout")
        except (aiohttp.ClientError, TimeoutError, CandidateApiError) as exc:
            log.debug("logout failed: %s", exc)

    async def close(self) -> None:
        await self.http.close()


class Observer:
    """One observer WebSocket: the snapshot, then every live event, each with its local receive time."""

    def __init__(self, hr: HrClient, interview_id: str):
        self.hr = hr
        self.interview_id = interview_id
        self.events: list[ReceivedEvent] = []
        self.snapshot: dict | None = None
        self.error: str | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        url = self.hr.base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        url += f"/ws/v1/interviews/{self.interview_id}/observe"
        try:
            self._ws = await self.hr.http.ws_connect(url, headers=self.hr._headers(), heartbeat=20.0)
        except aiohttp.WSServerHandshakeError as exc:
            raise CandidateApiError(exc.status, None, f"observer WebSocket refused: {exc.message}", url) from exc
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for msg in self._ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                now = time.time()
                try:
                    data = json.loads(msg.data)
                except ValueError:
                    continue
                if not isinstance(data, dict):
                    continue
                if self.snapshot is None and data.get("type") == "snapshot":
                    self.snapshot = data
                    continue
                self.events.append(ReceivedEvent(now, data))
        except Exception as exc:  # noqa: BLE001 - whatever ended the stream is reported with the figures
            self.error = repr(exc)

    def of(self, type_: str, until: float | None = None) -> list[ReceivedEvent]:
        return [e for e in self.events if e.type == type_ and (until is None or e.received_at <= until)]

    async def close(self) -> None:
        if self._ws is not None and not self._ws.closed:
            try:
                await asyncio.wait_for(self._ws.close(), 5)
            except (aiohttp.ClientError, TimeoutError, RuntimeError) as exc:
                log.debug("observer close failed: %s", exc)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

