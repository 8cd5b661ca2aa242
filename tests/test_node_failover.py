"""Three server processes on loopback sharing PostgreSQL and Redis, started with the documented CLI: interviews are
placed across them, an observer on another node sees every live event, the node running an interview is killed
(``kill -9``) in the middle of an answer, and the candidate (aiortc) reconnects to another node, which takes the
interview over at the same question; the answer goes on from its last finalised segment and the interview
finishes. Then a node stopped with SIGTERM drains and leaves the registry."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import random
import re
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from benchmarks.synthetic_candidate import CandidateApiError, SyntheticCandidate
from benchmarks.synthetic_media import make_speech_wav
from tests.harness import free_port
from tests.observer_client import ObserverClient
from tests.services import create_pg_database, drop_pg_database, redis_url_or_skip

pytestmark = [pytest.mark.services, pytest.mark.models]

ROOT = Path(__file__).resolve().parents[1]
PART_1 = "My name is Kim and the project I am most proud of is the billing service that"
PART_2 = "we rebuilt last year and now it handles twice the traffic."


@dataclass
class Node:
    """One ``interview-server serve`` process."""

    port: int
    proc: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    node_id: str = ""
    demo_login: tuple[str, str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def read(self, ready: asyncio.Event) -> None:
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            line = raw.decode(errors="replace").rstrip()
            self.lines.append(line)
            if m := re.match(r"DEMO_LOGIN email=(\S+) password=(\S+)", line):
                self.demo_login = (m[1], m[2])
            if m := re.match(r"READY \S+ node=(\S+)", line):
                self.node_id = m[1]
                ready.set()


async def start_node(tmp: Path, name: str, db_url: str, bus_url: str, env: dict, *args: str) -> Node:
    port = free_port()
    cmd = [sys.executable, "-m", "server.platform.cli", "--log-level", "warning", "serve", "--host", "127.0.0.1",
           "--port", str(port), "--data-dir", str(tmp / name), "--database-url", db_url, "--bus-url", bus_url,
           "--ice-host", "127.0.0.1", "--llm-engine", "off", "--node-id", name, "--node-heartbeat-s", "0.5",
           "--node-ttl-s", "3", *args]
    stderr = open(tmp / f"{name}.stderr.log", "wb")  # noqa: SIM115 - kept open for the process's life
    proc = await asyncio.create_subprocess_exec(*cmd, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
                                                stderr=stderr)
    node = Node(port, proc)
    ready = asyncio.Event()
    reader = asyncio.create_task(node.read(ready))
    exited = asyncio.create_task(proc.wait())
    await asyncio.wait({asyncio.create_task(ready.wait()), exited}, timeout=120,
                       return_when=asyncio.FIRST_COMPLETED)
    if not ready.is_set():
        proc.kill()
        reader.cancel()
        raise AssertionError(f"{name} did not start: {(tmp / f'{name}.stderr.log').read_text()[-3000:]}")
    exited.cancel()
    return node


async def join(url: str, token: str, wav: Path, **kw) -> SyntheticCandidate:
    """Join through ``url`` as the page does (the page retries while the servers say so)."""
    for _ in range(40):
        cand = SyntheticCandidate(url, token, wav, None, hold_audio=True, **kw)
        try:
            await cand.start()
            return cand
        except CandidateApiError as exc:
            await cand.close()
            if exc.status != 503:
                raise
            await asyncio.sleep(0.5)
    raise AssertionError("never admitted")


async def test_a_node_killed_mid_answer_hands_the_interview_to_another_and_it_finishes(tmp_path):
    redis_base = (await redis_url_or_skip()).rsplit("/", 1)[0]
    bus_url = f"{redis_base}/{random.randint(8, 15)}"  # the nodes' registry apart from other tests' (pub/sub is not)
    db_url = await create_pg_database()
    env = dict(os.environ, PYTHONUNBUFFERED="1", INTERVIEW_SECRET_KEY="failover-secret-" + "x" * 32,
               INTERVIEW_DATA_KEYS=json.dumps({"k1": base64.b64encode(os.urandom(32)).decode()}))
    wav_1 = make_speech_wav(tmp_path / "part1.wav", [0.3, PART_1, 20.0], voice="en-us").path
    wav_2 = make_speech_wav(tmp_path / "part2.wav", [0.3, PART_2, 30.0], voice="en-us").path
    quiet = make_speech_wav(tmp_path / "quiet.wav", [5.0]).path
    nodes: list[Node] = []
    try:
        import redis.asyncio as redis

        r = redis.from_url(bus_url)
        await r.flushdb()
        # node 1 seeds the demo (and migrates the database) and takes one interview at a time
        nodes.append(await start_node(tmp_path, "n1", db_url, bus_url, env, "--demo", "--node-capacity", "1"))
        nodes += await asyncio.gather(*(start_node(tmp_path, n, db_url, bus_url, env, "--node-capacity", "2")
                                        for n in ("n2", "n3")))
        n1, n2, n3 = nodes
        assert sorted(m.decode() for m in await r.smembers("nodes")) == ["n1", "n2", "n3"]
        email, password = n1.demo_login
        async with aiohttp.ClientSession(n3.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as hr:
            async with hr.post("/api/v1/auth/login", json={"email": email, "password": password}) as resp:
                assert resp.status == 200
            async with hr.get("/api/v1/jobs") as resp:
                job = next(j for j in (await resp.json())["jobs"] if j["language"] == "en")
            created = []
            for name in ("Kim", "Lee"):
                async with hr.post("/api/v1/interviews", json={"job_id": job["id"], "candidate": {"name": name},
                                                               "language": "en"}) as resp:
                    assert resp.status == 201, await resp.text()
                    created.append(await resp.json())
            (main_id, main_token), (other_id, other_token) = ((c["interview_id"], c["token"]) for c in created)

            # both candidates join through node 1: the first is placed there, the second (node 1 is full) on
            # another node, its offer forwarded and its event stream relayed by node 1
            first = await join(n1.url, main_token, wav_1)
            other = await join(n1.url, other_token, quiet)
            await other.wait_for_type("question.asked", 30)
            owner_of_other = (await r.get(f"interview-owner:{other_id}")).decode()
            assert (await r.get(f"interview-owner:{main_id}")).decode() == "n1"
            assert owner_of_other in ("n2", "n3")
            await other.close()

            async with ObserverClient(hr, main_id) as observer:  # on node 3, which never runs this interview
                await first.wait_for_type("question.asked", 30, turn_index=0)
                first.release_audio()
                said = await observer.wait_for(lambda e: e["type"] == "transcript.final", 60)
                os.kill(n1.proc.pid, signal.SIGKILL)  # mid-answer: the first words are final, the answer open
                await n1.proc.wait()
                assert "proud" in said["text"].lower()
                assert not observer.of_type("answer.ended")
                await first.close()

                # the page reconnects through another node; it takes the interview over at the same question
                again = await join(n2.url, main_token, wav_2, takeover=True)
                asked = await again.wait_for_type("question.asked", 30)
                assert asked["turn_index"] == 0 and asked["question_index"] == 0
                assert (await r.get(f"interview-owner:{main_id}")).decode() == "n2"
                again.release_audio()
                ended = await again.wait_for_type("answer.ended", 60, turn_index=0)
                assert "proud" in ended["text"].lower() and "traffic" in ended["text"].lower()
                # the rest of the questions without an answer ("I have finished" at once), to the closing words
                seen = 0
                while True:
                    event = await again.wait_for(lambda e: e.get("type") in ("question.asked", "interview.state"),
                                                 60, since=seen)
                    seen = again.events.index(event) + 1
                    if event["type"] == "interview.state":
                        if event["status"] == "finished":
                            break
                        continue
                    if event["kind"] == "closing":
                        await again.wait_for_type("interview.state", 30, status="finished")
                        break
                    if event["turn_index"] > 0:
                        await again.send({"type": "answer.finished", "turn_index": event["turn_index"]})
                await observer.wait_for(lambda e: e["type"] == "interview.state" and e["status"] == "finished", 30)
                await again.close()

            async with hr.get(f"/api/v1/interviews/{main_id}") as resp:
                record = await resp.json()
            assert record["status"] == "finished"
            segments = [(s["turn_index"], s["seq"], s["text"]) for s in record["transcript"]]
            assert len({(t, q) for t, q, _ in segments}) == len(segments)  # every finalised segment once
            assert len({text for _, _, text in segments}) == len(segments)
            answer_0 = " ".join(text for t, _, text in segments if t == 0).lower()
            assert "proud" in answer_0 and "traffic" in answer_0
            assert answer_0.count("proud") == 1
            assert record["turns"][0]["answer"].lower().count("proud") == 1
            # the observer on node 3 saw every final, from both nodes
            finals = [(e["turn_index"], e["seq"]) for e in observer.of_type("transcript.final")]
            assert finals == [(t, q) for t, q, _ in segments]

        # a node stopped with SIGTERM drains and leaves the registry
        n3.proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(n3.proc.wait(), 60) == 0
        assert await r.get("node:n3") is None
        await r.aclose()
    finally:
        for node in nodes:
            if node.proc.returncode is None:
                node.proc.kill()
                with contextlib.suppress(Exception):
                    await node.proc.wait()
        await drop_pg_database(db_url)
