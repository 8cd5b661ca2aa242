"""The whole deployment of server/deploy/compose.yaml, started with Docker Compose and used as an operator and a
candidate would; prints ONE JSON object (each check with what it saw, and the times).

    python -m benchmarks.compose_check --env-file check.env [--sessions 2] [--keep]

Needs a Docker engine with the compose plugin, and ports 80, 443, 8081 and 8082 free; check.env is filled in as
server/deploy/env.example says (on a machine without Docker Hub, with the lines server/deploy/offline/build.sh
prints).
Use DOMAIN=localhost: Caddy then signs the certificate with its own local authority, which this script reads
from the proxy's container and trusts for its requests, so TLS is verified, not skipped.

What it does, in order (a failed check is recorded and the rest still run where they can), as its own Compose
project (``interview-check``: never next to a running deployment of the product, whose ports it would need):
1. ``docker compose up -d --build --wait``: images built, the schema migrated once, the model fetched, every
   service started and healthy.
2. Through the proxy (https://DOMAIN): health, the request id Caddy adds, ``/metrics`` refused; each process's
   ``/metrics`` on this machine; the language-model engine's health.
3. The first admin, as the README says: ``create-admin`` in the app1 container, the password set through the
   one-time link, a login through the proxy.
4. Live interviews through the proxy: ``benchmarks.load`` with real WebRTC candidates (aiortc, media over UDP
   straight to the containers), observers, both processes sharing PostgreSQL and Redis in containers.
5. A process killed (SIGKILL) in the middle of an answer: the candidate joins again through the proxy and the
   other process takes the interview over at the same question; the answer keeps its first words, once.
6. ``docker compose stop app2`` (SIGTERM): the time it took and its drain in its log; then started again.
7. ``docker compose down --volumes`` unless ``--keep``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "server" / "deploy"
CADDY_ROOT_CERT = "/data/caddy/pki/authorities/local/root.crt"


@dataclass
class Check:
    name: str
    ok: bool
    detail: Any = None
    seconds: float | None = None


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, ok: bool, detail: Any = None, seconds: float | None = None) -> bool:
        self.checks.append(Check(name, ok, detail, None if seconds is None else round(seconds, 1)))
        return ok


def read_env(path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip().strip("'\"")
    return env


PROJECT = "interview-check"
"""The check's own Compose project (containers, network and volumes named after it), never the operator's
``interview``: the check ends with ``down --volumes``."""


class Compose:
    def __init__(self, env_file: Path, project: str = PROJECT) -> None:
        self.base = ["docker", "compose", "-p", project, "--project-directory", str(DEPLOY),
                     "-f", str(DEPLOY / "compose.yaml"), "--env-file", str(env_file)]

    def run(self, *args: str, timeout: float = 600, check: bool = False) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.base, *args], capture_output=True, text=True, timeout=timeout, check=check)


def _request(url: str, context: ssl.SSLContext | None = None, *, data: dict | None = None,
             headers: dict | None = None, opener: urllib.request.OpenerDirector | None = None,
             ) -> tuple[int | None, Message, str]:
    """Status, headers (names in any case) and body of one request; an error status is an answer too, and no answer
    at all is status ``None`` with the reason as the body."""
    body = None if data is None else json.dumps(data).encode()
    req = urllib.request.Request(url, data=body, method="POST" if body else "GET", headers=headers or {})
    if body:
        req.add_header("Content-Type", "application/json")
    open_ = opener.open if opener else (lambda r, timeout: urllib.request.urlopen(r, timeout=timeout, context=context))
    try:
        with open_(req, timeout=20) as resp:
            return resp.status, resp.headers, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode(errors="replace")
    except OSError as exc:  # URLError included: refused, reset, timed out
        return None, Message(), str(exc)


def _until(attempt, seconds: float, done):
    """``attempt()`` again every second until ``done`` accepts its result (Caddy listens, and has made its local
    authority, a moment after its container is up), at most ``seconds``; then its last result."""
    deadline = time.monotonic() + seconds
    while not done(result := attempt()) and time.monotonic() < deadline:
        time.sleep(1)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--env-file", required=True, type=Path)
    p.add_argument("--sessions", type=int, default=2, help="live interviews at once in step 4 (default 2)")
    p.add_argument("--seconds", type=float, default=45.0, help="how long they run (default 45)")
    p.add_argument("--up-timeout", type=int, default=2400, help="seconds for build and start (default 2400)")
    p.add_argument("--keep", action="store_true", help="leave the deployment running (and its volumes)")
    args = p.parse_args(argv)

    env = read_env(args.env_file)
    domain = env.get("DOMAIN", "localhost")
    llm_port = env.get("LLM_PORT", "8090")
    compose = Compose(args.env_file.resolve())
    report = Report()
    out: dict[str, Any] = {"compose": subprocess.run(["docker", "compose", "version", "--short"], capture_output=True,
                                                     text=True).stdout.strip(), "domain": domain}
    running = subprocess.run(["docker", "ps", "-q", "--filter", "label=com.docker.compose.project=interview"],
                             capture_output=True, text=True).stdout.split()
    if running:  # it uses the same ports (80, 443, 8081, 8082): never next to the live deployment
        report.add("no deployment of the product running here", False, f"{len(running)} containers of 'interview'")
        return _finish(out, report, None, args.keep)
    work = Path(tempfile.mkdtemp(prefix="compose-check."))
    try:
        t0 = time.monotonic()
        up = compose.run("up", "-d", "--build", "--wait", "--wait-timeout", str(args.up_timeout),
                         timeout=args.up_timeout + 600)
        if not report.add("up --build --wait", up.returncode == 0, up.stderr[-2000:] if up.returncode else None,
                          time.monotonic() - t0):
            return _finish(out, report, compose, args.keep)
        ps = compose.run("ps", "-a", "--format", "json").stdout
        states = [json.loads(line) for line in ps.splitlines() if line.strip()]
        out["services"] = {s["Service"]: {"state": s.get("State"), "health": s.get("Health") or None,
                                          "exit_code": s.get("ExitCode")} for s in states}
        migrate = out["services"].get("migrate", {})
        report.add("schema migrated once (migrate exited 0)", migrate.get("state") == "exited"
                   and migrate.get("exit_code") == 0, migrate)

        # --- the proxy, TLS verified against Caddy's local authority
        cert = _until(lambda: compose.run("exec", "-T", "proxy", "cat", CADDY_ROOT_CERT), 60,
                      lambda r: r.returncode == 0 and "BEGIN CERTIFICATE" in r.stdout)
        ca = work / "caddy-root.crt"
        ca.write_text(cert.stdout)
        context = ssl.create_default_context(cafile=str(ca))
        base = f"https://{domain}"
        status, headers, body = _until(lambda: _request(f"{base}/api/v1/health", context), 60,
                                       lambda r: r[0] is not None)
        report.add("health through the proxy (TLS verified)", status == 200, {"status": status, "body": body[:200]})
        request_id = headers.get("X-Request-ID") or ""
        report.add("request id from the proxy (a UUID) in the answer",
                   bool(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", request_id)),
                   request_id)
        status, _, _ = _request(f"{base}/metrics", context)
        report.add("/metrics refused through the proxy", status == 404, status)
        for port in (8081, 8082):
            status, _, text = _request(f"http://127.0.0.1:{port}/metrics")
            report.add(f"/metrics on 127.0.0.1:{port}", status == 200 and "interview_" in text,
                       f"{status}: {len(text.splitlines())} lines")
        status, _, text = _request(f"http://127.0.0.1:{llm_port}/health")
        report.add("language-model engine healthy", status == 200, f"{status}: {text[:100]}")

        # --- the first admin, as an operator makes it
        email, password = "admin@example.com", "compose-check-" + os.urandom(6).hex()
        made = compose.run("exec", "-T", "app1", "interview-server", "create-admin", "--email", email, "--org",
                           "Compose check", "--name", "Admin")
        link = re.search(r"SET_PASSWORD_LINK (\S+)", made.stdout)
        token = re.search(r"[?&]token=([^&\s]+)", link.group(1)).group(1) if link else None
        report.add("create-admin printed a set-password link", token is not None, made.stderr[-500:] or None)
        origin = {"Origin": base}
        status, _, body = _request(f"{base}/api/v1/auth/set-password", context,
                                   data={"token": token or "", "password": password}, headers=origin)
        report.add("password set through the one-time link", status in (200, 204), {"status": status,
                                                                                  "body": body[:200]})
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(),
                                             urllib.request.HTTPSHandler(context=context))
        status, _, body = _request(f"{base}/api/v1/auth/login", context,
                                   data={"email": email, "password": password}, headers=origin, opener=opener)
        report.add("login through the proxy", status == 200, {"status": status})

        # --- live interviews through the proxy, real WebRTC to the containers
        load_json = work / "load.json"
        load = subprocess.run(
            [sys.executable, "-m", "benchmarks.load", "--url", base, "--email", email, "--password", password,
             "--sessions", str(args.sessions), "--seconds", str(args.seconds), "--json-out", str(load_json)],
            cwd=ROOT, capture_output=True, text=True, timeout=args.seconds + 600,
            env={**os.environ, "SSL_CERT_FILE": str(ca)})
        figures = json.loads(load_json.read_text()) if load_json.exists() else {}
        keys = ("sessions_started", "utterances_ended", "finals_received", "utterances_without_final",
                "video_frames_received", "answer_to_question_ms", "analysis_lag_ms", "interviews_failed",
                "peer_connections_connected_at_end", "observer_event_counts", "errors")
        out["interviews"] = {k: figures.get(k) for k in keys}
        report.add("live interviews through the proxy (WebRTC to the containers)",
                   load.returncode == 0 and figures.get("sessions_started") == args.sessions
                   and (figures.get("finals_received") or 0) > 0 and not figures.get("errors"),
                   None if load.returncode == 0 else load.stderr[-1500:])

        # --- a process killed in the middle of an answer: the interview goes on on the other
        failover = asyncio.run(_failover(compose, base, email, password, int(env.get("REDIS_PORT", "6379")),
                                         work, ca))
        out["failover"] = failover
        report.add("a process killed mid-answer: the interview goes on through the proxy on the other",
                   failover.get("ok", False), {k: v for k, v in failover.items() if k != "ok"})
        compose.run("up", "-d", "--wait", timeout=600)  # the killed process back for the next check

        # --- SIGTERM: a node drains
        t1 = time.monotonic()
        stop = compose.run("stop", "app2", timeout=180)
        stopped_s = time.monotonic() - t1
        logs = compose.run("logs", "--no-color", "app2").stdout
        drained = [line for line in logs.splitlines() if "drain" in line.lower()]
        report.add("app2 stopped with SIGTERM and drained", stop.returncode == 0 and bool(drained),
                   drained[-3:], stopped_s)
        t2 = time.monotonic()
        start = compose.run("up", "-d", "--wait", "app2", timeout=600)
        report.add("app2 started again and healthy", start.returncode == 0,
                   start.stderr[-500:] if start.returncode else None,
                   time.monotonic() - t2)
    except Exception as exc:  # noqa: BLE001 - a broken step is recorded, the deployment is still taken down
        report.add("unexpected error", False, f"{type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _finish(out, report, compose, args.keep)


PART_1 = "My name is Kim and the project I am most proud of is the billing service that"
PART_2 = "we rebuilt last year and now it handles twice the traffic."


async def _failover(compose: Compose, base: str, email: str, password: str, redis_port: int, work: Path,
                    ca: Path) -> dict[str, Any]:
    """A candidate joins through the proxy and starts an answer; once its first words are final, the process
    running the interview is killed (``docker compose kill``, SIGKILL); the page joins again through the proxy
    (takeover), and the answer must go on at the same question and end with the words of both parts, each once."""
    os.environ["SSL_CERT_FILE"] = str(ca)  # Caddy's local authority, before aiohttp makes its TLS context
    import aiohttp
    import redis.asyncio as aioredis

    from benchmarks.load_clients import HrClient
    from benchmarks.synthetic_candidate import CandidateApiError, SyntheticCandidate
    from benchmarks.synthetic_media import make_speech_wav

    part_1 = make_speech_wav(work / "part1.wav", [0.3, PART_1, 20.0], voice="en-us").path
    part_2 = make_speech_wav(work / "part2.wav", [0.3, PART_2, 30.0], voice="en-us").path

    async def join(wav: Path, **kw: Any) -> SyntheticCandidate:
        last: Exception | None = None
        for _ in range(30):  # as the page does: again while the servers are busy or one is being left out
            cand = SyntheticCandidate(base, token, wav, None, hold_audio=True, **kw)
            try:
                await cand.start()
                return cand
            except (CandidateApiError, aiohttp.ClientError) as exc:
                last = exc
                await cand.close()
                await asyncio.sleep(1)
        raise RuntimeError(f"never admitted: {last}")

    result: dict[str, Any] = {"ok": False}
    hr = HrClient(base)
    bus = aioredis.from_url(f"redis://127.0.0.1:{redis_port}/0")

    async def running_on(interview_id: str) -> str | None:
        """The compose service whose process owns the interview (the node registry in Redis: its owner's URL)."""
        owner = (await bus.get(f"interview-owner:{interview_id}") or b"").decode()
        url = json.loads(await bus.get(f"node:{owner}") or "{}").get("url", "")
        return {8081: "app1", 8082: "app2"}.get(urllib.parse.urlsplit(url).port)
    first = again = None
    try:
        await hr.login(email, password)
        job_id = await hr.create_load_job("en", questions=2)
        created = await hr.create_interview(job_id, 99, "en")
        interview_id, token = created["interview_id"], created["token"]
        first = await join(part_1)
        await first.wait_for_type("question.asked", 60, turn_index=0)
        service = result["ran_on"] = await running_on(interview_id)
        if service is None:
            result["error"] = "the interview's owner is neither app1 nor app2"
            return result
        first.release_audio()
        for _ in range(80):  # until the first part's words are final (stored), the answer still open
            record = await hr.request("GET", f"/api/v1/interviews/{interview_id}")
            if any("proud" in seg["text"].lower() for seg in record["transcript"]):
                break
            await asyncio.sleep(0.5)
        else:
            result["error"] = "the first part's words never became final"
            return result
        t_kill = time.monotonic()
        killed = await asyncio.to_thread(compose.run, "kill", service)
        result["killed"] = killed.returncode == 0
        await first.close()
        again = await join(part_2, takeover=True)
        asked = await again.wait_for_type("question.asked", 60)
        result["rejoined_s"] = round(time.monotonic() - t_kill, 1)
        result["same_question"] = asked["turn_index"] == 0
        result["now_on"] = await running_on(interview_id)
        again.release_audio()
        ended = await again.wait_for_type("answer.ended", 90, turn_index=0)
        text = ended["text"].lower()
        result["answer"] = ended["text"]
        record = await hr.request("GET", f"/api/v1/interviews/{interview_id}")
        answer_0 = " ".join(s["text"] for s in record["transcript"] if s["turn_index"] == 0).lower()
        result["ok"] = (result["killed"] and result["same_question"] and result["now_on"] not in (None, service)
                        and "proud" in text and "traffic" in text and answer_0.count("proud") == 1)
    except Exception as exc:  # noqa: BLE001 - recorded as this check's failure
        result["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        for cand in (first, again):
            if cand is not None:
                await cand.close()
        await hr.close()
        await bus.aclose()
    return result


def _finish(out: dict[str, Any], report: Report, compose: Compose | None, keep: bool) -> int:
    if compose is not None and not keep:
        try:
            down = compose.run("down", "--volumes", "--remove-orphans", timeout=600)
            report.add("down --volumes", down.returncode == 0, down.stderr[-500:] if down.returncode else None)
        except subprocess.TimeoutExpired:
            report.add("down --volumes", False, "timed out after 600 s")
    out["checks"] = [asdict(c) for c in report.checks]
    out["ok"] = all(c.ok for c in report.checks)
    print(json.dumps(out, indent=2, ensure_ascii=False))
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
