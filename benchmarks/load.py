"""Load test: N synthetic WebRTC candidates against one server, one observer per interview; prints ONE JSON object.

    python -m benchmarks.load --sessions 4 --seconds 60
    python -m benchmarks.load --sessions 4 --seconds 60 --url http://127.0.0.1:8080 --email E --password P
    python -m benchmarks.load --sweep --seconds 60          # 1, 2, 4 and 8 sessions in turn

Without ``--url`` the server is started as a subprocess on a free loopback port with a temporary data dir
(``python -m server.platform.cli serve --host 127.0.0.1 --port P --data-dir D --ice-host 127.0.0.1 --demo``); its stdout
must carry ``DEMO_LOGIN email=<e> password=<p>`` and ``READY <url>``. Everything it starts is stopped at the end.

Flow: log in as HR (cookie), create N interviews for the first job, open one observer WebSocket per interview,
start the candidates (staggered). Each candidate streams a synthetic face video and a looping English WAV
(answers separated by 3 s silences); its audio is held silent until the first ``question.asked`` arrives.
After all candidates are up, resources are measured over a window of ``--seconds``; then observers keep
listening ``--drain`` seconds so the last utterances' finals can arrive.

Figures:
* ``server_cpu_cores``: CPU seconds of the server process and all its descendants over the window / window wall
  time (psutil; processes that exit keep their last sample).
* ``server_cpu_s_per_session_minute``: the same CPU seconds per minute of one session, and
  ``sessions_per_core_from_cpu`` = 1 / (cores per session). CPU time does not depend on what else the machine runs
  (wall-clock figures do), but it only counts the work done: read it with ``analyzers.*.share_of_nominal_rate``
  (frames analysed in the window per session / the analyzer's own rate). The server lowers rates when analysis lags
  or exceeds its budget; ``--server-arg=--analysis-cpu-budget --server-arg=10`` lifts the budget.
  ``benchmarks/session_cpu.py`` gives the analysis's share by component at the nominal rates;
  ``server_cpu_s_per_session_minute_by_process`` splits it by process (the server, the embedded language-model
  engine ``llama-server`` that checks answers at pauses, worker processes).
* ``server_rss_mb``: the largest sampled sum of RSS over the process tree (shared pages of forked workers count
  once per process).
* ``transcript_latency_ms``: for utterances whose end was sent inside the window, end of the utterance sent by
  the candidate's audio track (wall time the frame with its last sample left the track) -> the
  ``transcript.final`` covering it received by the observer. The final is the first one after the end whose
  words overlap the utterance's last four words (else the first one before the next utterance ends; counted in
  ``finals_matched_by_fallback``); none within 15 s counts in ``utterances_without_final``.
  ``transcript_latency_server_ms`` uses the event's own ``at`` instead (server clock, same host).
* ``finals_received``: every ``transcript.final`` the observers got (ramp, window and drain).
* ``client_cpu_cores``: this load generator's own CPU (VP8/Opus encoding, ~0.09 core per candidate at 640x480);
  on a small machine it competes with the server, so read ``server_cpu_cores`` with it.
* ``dropped_frame_share``: from each interview's last ``media.stats``: sum(video_frames_dropped) /
  sum(video_frames_received).
* ``event_loop_lag_ms``: from ``GET /api/v1/health`` at the end (``p95``), and the largest p95/max sampled
  every 2 s during the window.
* ``answer_to_question_ms``: from ``GET /api/v1/health`` at the end: each answer that ended on silence, the
  candidate's last voiced frame -> the next question sent (the synthetic answers stop without a stated result
  and 3 s silences follow them, so most wait the base silence).

Over 500 lines because it is one script: the server process, the resource monitor, the HR client and observers
and the latency matching exist only for this run and are read together (the candidate is synthetic_candidate.py).
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import logging
import os
import platform
import re
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections import defaultdict, Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import numpy as np
import psutil

from benchmarks.media_tracks import SpeechEndSent
from benchmarks.synthetic_candidate import (
    CandidateApiError,
    ReceivedEvent,
    SyntheticCandidate,
    raise_for_api_error,
)
from benchmarks.synthetic_media import SpeechTimeline, default_answer_script, make_face_video, make_speech_wav

log = logging.getLogger("benchmarks.load")

REPO_ROOT = Path(__file__).resolve().parent.parent
READY_RE = re.compile(r"\bREADY\s+(https?://\S+)")
DEMO_RE = re.compile(r"\bDEMO_LOGIN\s+email=(\S+)\s+password=(\S+)")
MAX_LATENCY_S = 15.0
NOMINAL_FPS = {"face": 5.0, "pose": 2.0, "hands": 2.0}  # the analyzers' own rates (their default_fps)  # a final later than this after an utterance's end is not counted for it


# ------------------------------------------------------------------------------------------------------- helpers


class LoadTestError(Exception):
    """A set-up problem of the load test (bad arguments, server did not start, no jobs, ...)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def percentiles(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"p50": None, "p95": None, "max": None, "n": 0}
    arr = np.asarray(values, dtype=float)
    return {
        "p50": round(float(np.percentile(arr, 50)), 1),
        "p95": round(float(np.percentile(arr, 95)), 1),
        "max": round(float(arr.max()), 1),
        "n": int(arr.size),
    }


def analyzed_between(stats: list[ReceivedEvent], t0: float, t1: float) -> dict[str, int]:
    """Frames each analyzer analysed between ``t0`` and ``t1`` (wall clock), from one interview's ``media.stats``
    events (cumulative counts): the last event at or before ``t1`` minus the last one at or before ``t0``."""
    def at(t: float) -> dict[str, int]:
        before = [e for e in stats if e.received_at <= t]
        if not before:
            return {}
        return {name: int(run.get("analyzed") or 0) for name, run in (before[-1].get("analysis") or {}).items()}

    start, end = at(t0), at(t1)
    return {name: max(0, n - start.get(name, 0)) for name, n in end.items()}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


# ------------------------------------------------------------------------------------------------ server process


class ServerProcess:
    """The server as a subprocess; stdout is parsed for READY/DEMO_LOGIN and then drained (kept as a tail)."""

    def __init__(self, data_dir: Path, python: str, port: int, extra_args: list[str], *, demo: bool = True,
                 env: dict[str, str] | None = None, python_args: list[str] | None = None):
        """``env``: added to this process's environment; ``python_args``: before ``-m server.platform.cli`` (e.g. a
        profiler's ``-m pyinstrument -o FILE``)."""
        self.data_dir = data_dir
        self.python = python
        self.port = port
        self.extra_args = extra_args
        self.demo = demo
        self.env = env or {}
        self.python_args = python_args or []
        self.proc: asyncio.subprocess.Process | None = None
        self.url: str | None = None
        self.demo_login: tuple[str, str] | None = None
        self.stdout_tail: list[str] = []
        self.stderr_path = data_dir.parent / "server.stderr.log"
        self._stderr_file = None
        self._reader: asyncio.Task | None = None
        self._ready = asyncio.Event()
        self._login_seen = asyncio.Event()
        self.descendants: dict[int, float] = {}  # pid -> create_time of every descendant seen (for clean-up)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self, ready_timeout: float, need_login: bool) -> None:
        cmd = [
            self.python, *self.python_args, "-m", "server.platform.cli", "serve",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--data-dir", str(self.data_dir), "--ice-host", "127.0.0.1", *(["--demo"] if self.demo else []),
            *self.extra_args,
        ]
        env = dict(os.environ, PYTHONUNBUFFERED="1", **self.env)
        self._stderr_file = open(self.stderr_path, "wb")
        log.info("starting server: %s", " ".join(cmd))
        self.proc = await asyncio.create_subprocess_exec(
            *cmd, cwd=str(REPO_ROOT), env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=self._stderr_file,
        )
        self._reader = asyncio.create_task(self._read_stdout())
        waiter = asyncio.create_task(self._ready.wait())
        exited = asyncio.create_task(self.proc.wait())
        try:
            done, _ = await asyncio.wait({waiter, exited}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            if not exited.done():
                exited.cancel()
        if exited in done and not self._ready.is_set():
            raise LoadTestError(f"server exited with {self.proc.returncode} before READY\n{self.diagnostics()}")
        if not self._ready.is_set():
            raise LoadTestError(f"server not READY within {ready_timeout} s\n{self.diagnostics()}")
        if need_login and self.demo_login is None:
            try:
                await asyncio.wait_for(self._login_seen.wait(), 5.0)
            except asyncio.TimeoutError:
                raise LoadTestError(f"server printed no DEMO_LOGIN line\n{self.diagnostics()}") from None

    async def _read_stdout(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while True:
            raw = await self.proc.stdout.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip()
            self.stdout_tail.append(line)
            del self.stdout_tail[:-200]
            if self.url is None and (m := READY_RE.search(line)):
                self.url = m.group(1).rstrip("/")
                self._ready.set()
            if self.demo_login is None and (m := DEMO_RE.search(line)):
                self.demo_login = (m.group(1), m.group(2))
                self._login_seen.set()

    def diagnostics(self, lines: int = 30) -> str:
        err = ""
        try:
            err = "\n".join(self.stderr_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            pass
        return "--- server stdout (tail) ---\n" + "\n".join(self.stdout_tail[-lines:]) + \
            "\n--- server stderr (tail) ---\n" + err

    def note_descendants(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        try:
            for child in psutil.Process(self.proc.pid).children(recursive=True):
                try:
                    self.descendants.setdefault(child.pid, child.create_time())
                except psutil.Error:
                    pass
        except psutil.Error:
            pass

    async def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, then SIGKILL after ``timeout``; then end any descendant it left behind (by pid + start time)."""
        if self.proc is None:
            return None
        self.note_descendants()
        if self.proc.returncode is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except asyncio.TimeoutError:
                log.warning("server did not stop within %s s; killing pid %s", timeout, self.proc.pid)
                self.proc.kill()
                await self.proc.wait()
        for pid, created in self.descendants.items():
            try:
                p = psutil.Process(pid)
                if abs(p.create_time() - created) < 0.01:
                    log.warning("ending leftover server child pid %s", pid)
                    p.terminate()
                    try:
                        p.wait(5)
                    except psutil.TimeoutExpired:
                        p.kill()
            except psutil.Error:
                pass
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 5)
            except (asyncio.TimeoutError, Exception):
                self._reader.cancel()
        if self._stderr_file is not None:
            self._stderr_file.close()
        return self.proc.returncode


class ProcessTreeMonitor:
    """CPU seconds and RSS of a process and all its descendants; processes that exit keep their last sample."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self._cpu: dict[tuple[int, float], float] = {}
        self._names: dict[tuple[int, float], str] = {}
        self.max_rss_mb = 0.0
        self.max_processes = 0

    def sample(self) -> float:
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            procs = []
        rss = 0
        alive = 0
        for p in procs:
            try:
                with p.oneshot():
                    t = p.cpu_times()
                    key = (p.pid, p.create_time())
                    self._cpu[key] = t.user + t.system
                    if key not in self._names:
                        self._names[key] = "server" if p.pid == self.root.pid else p.name()
                    rss += p.memory_info().rss
                    alive += 1
            except psutil.Error:
                pass
        self.max_rss_mb = max(self.max_rss_mb, rss / (1024 * 1024))
        self.max_processes = max(self.max_processes, alive)
        return sum(self._cpu.values())

    def by_name(self) -> dict[str, float]:
        """CPU seconds so far per process name (the server itself as "server"; e.g. "llama-server", the embedded
        language-model engine)."""
        out: dict[str, float] = defaultdict(float)
        for key, cpu in self._cpu.items():
            out[self._names.get(key, "?")] += cpu
        return dict(out)


# -------------------------------------------------------------------------------------------------- HR + observer


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

    async def health(self) -> dict | None:
        try:
            return await self.request("GET", "/api/v1/health")
        except Exception as exc:
            log.debug("health failed: %s", exc)
            return None

    async def logout(self) -> None:
        try:
            await self.request("POST", "/api/v1/auth/logout")
        except Exception:
            pass

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
        except Exception as exc:
            self.error = repr(exc)

    def of(self, type_: str, until: float | None = None) -> list[ReceivedEvent]:
        return [e for e in self.events if e.type == type_ and (until is None or e.received_at <= until)]

    async def close(self) -> None:
        if self._ws is not None and not self._ws.closed:
            try:
                await asyncio.wait_for(self._ws.close(), 5)
            except Exception:
                pass
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


# ------------------------------------------------------------------------------------------------------ analysis


@dataclass
class LatencyResult:
    observer_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    utterances: int = 0
    without_final: int = 0
    matched_by_fallback: int = 0


def match_finals(
    ends: list[SpeechEndSent], finals: list[ReceivedEvent], since: float, until: float, out: LatencyResult
) -> None:
    """Pair every utterance end sent in [since, until] with the transcript.final that covers it (finals of
    earlier utterances are paired too, so that they are not mistaken for later ones, but not counted)."""
    finals = sorted(finals, key=lambda e: e.received_at)
    used: set[int] = set()
    ends = sorted(ends, key=lambda s: s.sent_at)
    for k, end in enumerate(ends):
        if end.sent_at > until:
            break
        counted = end.sent_at >= since
        out.utterances += counted
        next_end = ends[k + 1].sent_at if k + 1 < len(ends) else float("inf")
        tail = set(_words(end.text)[-4:])
        window = [
            (i, f) for i, f in enumerate(finals)
            if i not in used and end.sent_at <= f.received_at <= end.sent_at + MAX_LATENCY_S
        ]
        chosen = next(((i, f) for i, f in window if tail & set(_words(str(f.get("text", ""))))), None)
        if chosen is None:
            chosen = next(((i, f) for i, f in window if f.received_at < next_end), None)
            if chosen is not None:
                out.matched_by_fallback += counted
        if chosen is None:
            out.without_final += counted
            continue
        i, f = chosen
        # Finals of the same utterance received before the chosen one (earlier segments) are consumed too.
        for j, g in window:
            if g.received_at <= f.received_at:
                used.add(j)
        if not counted:
            continue
        out.observer_ms.append((f.received_at - end.sent_at) * 1000)
        at = f.get("at")
        if isinstance(at, (int, float)):
            out.server_ms.append((at - end.sent_at) * 1000)


# ---------------------------------------------------------------------------------------------------------- run


async def _release_on_first_question(c: SyntheticCandidate, timeout: float, counts: Counter) -> None:
    try:
        await c.wait_for(lambda d: d.get("type") == "question.asked", timeout)
        c.release_audio(delay=0.3)
        counts["audio_released_on_question"] += 1
    except (TimeoutError, asyncio.TimeoutError, ConnectionError):
        c.release_audio()
        counts["audio_released_without_question"] += 1


async def run(args: argparse.Namespace) -> dict:
    t_begin = time.time()
    tmp = Path(tempfile.mkdtemp(prefix="interview-load-"))
    server: ServerProcess | None = None
    hr: HrClient | None = None
    observers: list[Observer] = []
    candidates: list[SyntheticCandidate] = []
    side_tasks: list[asyncio.Task] = []
    errors: list[str] = []
    counts: Counter = Counter()
    try:
        # --- server
        if args.url:
            base_url = args.url.rstrip("/")
            email, password = args.email, args.password
            if not (email and password):
                raise LoadTestError("--url needs --email and --password")
        else:
            python = args.server_python or str(REPO_ROOT / ".venv" / "bin" / "python")
            if not Path(python).exists():
                python = sys.executable
            server = ServerProcess(tmp / "data", python, free_port(), args.server_arg or [])
            await server.start(args.ready_timeout, need_login=not (args.email and args.password))
            base_url = server.url or f"http://127.0.0.1:{server.port}"
            email, password = (args.email, args.password) if args.email and args.password else server.demo_login
        if not is_loopback_url(base_url):
            raise LoadTestError(f"refusing a non-loopback server URL: {base_url} (the load test is loopback-only)")

        # --- media
        timeline: SpeechTimeline = make_speech_wav(tmp / "answers.wav", default_answer_script(pause_s=4.5))
        video: Path | None = None
        if not args.no_video:
            w, h = (int(x) for x in args.video_size.lower().split("x"))
            video = make_face_video(tmp / "face.y4m", seconds=4.0, fps=args.video_fps, size=(w, h))

        # --- HR: login, interviews, observers
        hr = HrClient(base_url)
        await hr.login(email, password)
        job_id = await hr.create_load_job(args.language, questions=50)
        interviews = [await hr.create_interview(job_id, i, args.language) for i in range(args.sessions)]
        for iv in interviews:
            obs = Observer(hr, str(iv["interview_id"]))
            await obs.start()
            observers.append(obs)

        # --- monitors
        monitor = ProcessTreeMonitor(server.pid) if server else None
        me = psutil.Process()
        health_samples: list[dict] = []
        stop_sampling = asyncio.Event()

        async def sample_resources() -> None:
            while not stop_sampling.is_set():
                if monitor:
                    monitor.sample()
                if server:
                    server.note_descendants()
                try:
                    await asyncio.wait_for(stop_sampling.wait(), 0.5)
                except asyncio.TimeoutError:
                    pass

        side_tasks.append(asyncio.create_task(sample_resources()))

        # --- candidates, staggered
        for i, iv in enumerate(interviews):
            if i:
                await asyncio.sleep(args.stagger)
            c = SyntheticCandidate(
                base_url, str(iv["token"]), timeline.path, video, loop_audio=True,
                timeline=timeline, hold_audio=True, question_speak_s=args.question_speak_s,
            )
            candidates.append(c)
            try:
                await asyncio.wait_for(c.start(), 45)
                side_tasks.append(asyncio.create_task(_release_on_first_question(c, args.first_question_timeout, counts)))
                counts["candidates_started"] += 1
            except Exception as exc:
                errors.append(f"candidate {i + 1}: {exc!r}")
        ramp_s = time.time() - t_begin

        # --- measurement window
        async def sample_health() -> None:
            while not stop_sampling.is_set():
                h = await hr.health()
                if h:
                    health_samples.append(h)
                try:
                    await asyncio.wait_for(stop_sampling.wait(), 2.0)
                except asyncio.TimeoutError:
                    pass

        cpu0 = monitor.sample() if monitor else None
        by_name0 = monitor.by_name() if monitor else {}
        me_cpu0 = sum(me.cpu_times()[:2])
        w0 = time.time()
        side_tasks.append(asyncio.create_task(sample_health()))
        await asyncio.sleep(args.seconds)
        w1 = time.time()
        cpu1 = monitor.sample() if monitor else None
        by_name1 = monitor.by_name() if monitor else {}
        me_cpu1 = sum(me.cpu_times()[:2])
        final_health = await hr.health()
        # Let the finals of utterances that ended inside the window arrive.
        await asyncio.sleep(args.drain)
        stop_sampling.set()
        window = w1 - w0

        # --- figures
        lat = LatencyResult()
        finals_received = 0
        stats_received = stats_dropped = 0
        have_stats = False
        live_at_end = 0
        analyzer_runs: dict[str, list[dict]] = defaultdict(list)
        analyzed_in_window: dict[str, int] = defaultdict(int)
        for c, obs in zip(candidates, observers):
            for name, count in analyzed_between(obs.of("media.stats"), w0, w1).items():
                analyzed_in_window[name] += count
            finals = obs.of("transcript.final")
            finals_received += len(finals)
            match_finals(c.speech_ends, finals, w0, w1, lat)
            stats = obs.of("media.stats", until=w1) or c.events_of("media.stats")
            if stats:
                have_stats = True
                last = stats[-1]
                stats_received += int(last.get("video_frames_received") or 0)
                stats_dropped += int(last.get("video_frames_dropped") or 0)
                for name, run in (last.get("analysis") or {}).items():
                    analyzer_runs[name].append(run)
            for e in obs.events:
                counts[f"events.{e.type}"] += 1
            states = [e.get("status") for e in obs.of("interview.state")]
            if states and states[-1] in ("finished", "failed"):
                counts[f"interviews_{states[-1]}"] += 1
            if c.connection_state == "connected":
                live_at_end += 1
            if obs.error:
                errors.append(f"observer {obs.interview_id}: {obs.error}")

        lag_p95 = lag_max = None
        if health_samples:
            p95s = [h.get("loop_lag_ms", {}).get("p95") for h in health_samples]
            maxs = [h.get("loop_lag_ms", {}).get("max") for h in health_samples]
            p95s = [x for x in p95s if isinstance(x, (int, float))]
            maxs = [x for x in maxs if isinstance(x, (int, float))]
            lag_p95 = max(p95s) if p95s else None
            lag_max = max(maxs) if maxs else None
        final_lag = (final_health or {}).get("loop_lag_ms") or {}
        analysis_lag = (final_health or {}).get("analysis_lag_ms") or {}
        analyzers = {
            name: {
                "rate_fps_mean": round(float(np.mean([r["rate_fps"] for r in runs])), 2),
                "cost_ms_mean": round(float(np.mean([r["cost_ms"] for r in runs])), 2),
                "analyzed": sum(r["analyzed"] for r in runs),
                "skipped": sum(r["skipped"] for r in runs),
                "lag_ms_p95_max": max(r["lag_ms"]["p95"] for r in runs),
            }
            for name, runs in sorted(analyzer_runs.items())
        }

        started = max(1, counts["candidates_started"])
        for name, figures in analyzers.items():
            achieved = analyzed_in_window.get(name, 0) / started / window
            figures["achieved_fps_per_session"] = round(achieved, 2)
            if name in NOMINAL_FPS:
                figures["share_of_nominal_rate"] = round(achieved / NOMINAL_FPS[name], 3)
        cpu_s = (cpu1 - cpu0) if monitor else None
        load1, load5, load15 = os.getloadavg()
        result = {
            "sessions": args.sessions,
            "sessions_started": counts["candidates_started"],
            "duration_s": round(window, 2),
            "ramp_s": round(ramp_s, 2),
            "server_cpu_cores": round((cpu1 - cpu0) / window, 3) if monitor else None,
            "server_cpu_cores_per_session": (
                round((cpu1 - cpu0) / window / max(1, counts["candidates_started"]), 3) if monitor else None
            ),
            # process CPU seconds (server and its children) per minute of one live session: independent of how
            # busy the machine is with other work, unlike wall-clock figures
            "server_cpu_s_per_session_minute": (round(cpu_s / window * 60 / started, 2) if monitor else None),
            # 1 / the cores one session takes (CPU time): what one core carries if it did nothing else
            "sessions_per_core_from_cpu": (round(started * window / cpu_s, 2) if monitor and cpu_s else None),
            # the same split by process: the server and what it started (the language-model engine, workers)
            "server_cpu_s_per_session_minute_by_process": {
                name: round((cpu - by_name0.get(name, 0.0)) / window * 60 / started, 2)
                for name, cpu in sorted(by_name1.items())} if monitor else None,
            "server_rss_mb": round(monitor.max_rss_mb, 1) if monitor else None,
            "server_processes_max": monitor.max_processes if monitor else None,
            "client_cpu_cores": round((me_cpu1 - me_cpu0) / window, 3),
            "transcript_latency_ms": percentiles(lat.observer_ms),
            "transcript_latency_server_ms": percentiles(lat.server_ms),
            # server publishes an event -> the observer's WebSocket receives it (same host, same clock)
            "observer_delivery_ms": percentiles([
                (e.received_at - float(e.data["at"])) * 1000
                for o in observers for e in o.events if isinstance(e.data.get("at"), (int, float))
            ]),
            "utterances_ended": lat.utterances,
            "utterances_without_final": lat.without_final,
            "finals_matched_by_fallback": lat.matched_by_fallback,
            "finals_received": finals_received,
            "dropped_frame_share": (
                round(stats_dropped / stats_received, 4) if have_stats and stats_received else None
            ),
            "video_frames_received": stats_received if have_stats else None,
            "event_loop_lag_ms": {
                "p50": final_lag.get("p50"),
                "p95": final_lag.get("p95"),
                "max": final_lag.get("max"),
                "p95_max_sampled": lag_p95,
                "max_sampled": lag_max,
                "samples": len(health_samples),
            },
            # video frame received -> observation ready, recent frames of all sessions (server's own figure)
            "analysis_lag_ms": {k: analysis_lag.get(k) for k in ("p50", "p95", "max", "samples")},
            "answer_to_question_ms": {k: ((final_health or {}).get("answer_to_question_ms") or {}).get(k)
                                      for k in ("p50", "p95", "max", "samples")},
            "analyzers": analyzers,
            "live_sessions_server": (final_health or {}).get("live_sessions"),
            "peer_connections_connected_at_end": live_at_end,
            "audio_released_on_question": counts["audio_released_on_question"],
            "audio_released_without_question": counts["audio_released_without_question"],
            "interviews_finished": counts["interviews_finished"],
            "interviews_failed": counts["interviews_failed"],
            "observer_event_counts": {k[len("events."):]: v for k, v in sorted(counts.items())
                                      if k.startswith("events.")},
            "video": None if args.no_video else args.video_size,
            "machine": {
                "cpu_count": os.cpu_count(),
                "load_avg": [round(load1, 2), round(load5, 2), round(load15, 2)],
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "server_url": base_url,
            "errors": errors,
        }
        return result
    finally:
        for t in side_tasks:
            t.cancel()
        await asyncio.gather(*side_tasks, return_exceptions=True)
        await asyncio.gather(*(c.close() for c in candidates), return_exceptions=True)
        await asyncio.gather(*(o.close() for o in observers), return_exceptions=True)
        if hr is not None:
            await hr.logout()
            await hr.close()
        if server is not None:
            code = await server.stop()
            if code not in (0, -signal.SIGTERM, None):
                log.warning("server exited with %s\n%s", code, server.diagnostics(15))
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log.warning("kept %s", tmp)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, default=2, help="concurrent candidates (default 2)")
    p.add_argument("--seconds", type=float, default=60.0, help="measurement window once all are up (default 60)")
    p.add_argument("--url", help="an already running server (loopback only); default: start one")
    p.add_argument("--email", help="HR login (default: the server's DEMO_LOGIN)")
    p.add_argument("--password")
    p.add_argument("--language", default="en")
    p.add_argument("--stagger", type=float, default=1.0, help="seconds between candidate starts (default 1)")
    p.add_argument("--drain", type=float, default=5.0, help="seconds to wait for late finals after the window")
    p.add_argument("--video-size", default="640x480", help="candidate camera size WxH (default 640x480)")
    p.add_argument("--video-fps", type=int, default=5,
                   help="camera frames per second sent (default 5: what web_client/interview.js asks the browser for)")
    p.add_argument("--no-video", action="store_true", help="audio-only candidates")
    p.add_argument("--question-speak-s", type=float, default=0.0,
                   help="delay before a candidate acknowledges question.asked with question.spoken")
    p.add_argument("--first-question-timeout", type=float, default=20.0,
                   help="start speaking anyway if no question.asked arrives within this many seconds")
    p.add_argument("--ready-timeout", type=float, default=180.0, help="seconds to wait for the server's READY")
    p.add_argument("--server-python", help="python for the server subprocess (default .venv/bin/python)")
    p.add_argument("--server-arg", action="append", help="extra argument for `server.platform.cli serve` (repeatable)")
    p.add_argument("--json-out", help="also write the JSON result to this file")
    p.add_argument("--sweep", nargs="?", const="1,2,4,8",
                   help="comma-separated session counts to run in turn (--sweep alone: 1,2,4,8)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (media, server data, logs)")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    if args.sessions < 1 or args.seconds <= 0:
        p.error("--sessions >= 1 and --seconds > 0")
    if args.url and not is_loopback_url(args.url):
        p.error(f"refusing a non-loopback server URL: {args.url} (the load test is loopback-only)")
    if args.url and not (args.email and args.password):
        p.error("--url needs --email and --password")
    return args


async def sweep(args: argparse.Namespace, sizes: list[int]) -> dict:
    """Run the load test at each size in turn; report where analysis lag p95 stays under 500 ms."""
    runs = []
    for n in sizes:
        one = argparse.Namespace(**{**vars(args), "sessions": n})
        runs.append(await run(one))
    ok = [r for r in runs if (r.get("analysis_lag_ms") or {}).get("p95") is not None
          and r["analysis_lag_ms"]["p95"] < 500 and r.get("sessions_started") == r.get("sessions")]
    best = max(ok, key=lambda r: r["sessions"]) if ok else None
    return {
        "sweep": [{k: r.get(k) for k in ("sessions", "server_cpu_cores", "server_cpu_cores_per_session",
                                          "server_cpu_s_per_session_minute", "sessions_per_core_from_cpu",
                                          "server_cpu_s_per_session_minute_by_process",
                                          "server_rss_mb", "client_cpu_cores", "transcript_latency_ms",
                                          "analysis_lag_ms", "event_loop_lag_ms", "dropped_frame_share",
                                          "observer_delivery_ms", "analyzers", "machine")} for r in runs],
        "max_sessions_with_analysis_lag_p95_under_500ms": best["sessions"] if best else None,
        # sessions one server core carries at that size (server CPU only; the load generator runs beside it)
        "sessions_per_server_core": (round(best["sessions"] / best["server_cpu_cores"], 2)
                                     if best and best.get("server_cpu_cores") else None),
        "machine": runs[-1].get("machine") if runs else None,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.sweep:
        sizes = [int(x) for x in args.sweep.split(",") if x.strip()]
        result = asyncio.run(sweep(args, sizes))
        print(json.dumps(result), flush=True)
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(result) + "\n")
        return 0
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("aioice", "aiortc"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Hard bound: start-up, ramp (each candidate start is bounded to 45 s), window, drain and clean-up.
    bound = args.ready_timeout + args.sessions * (args.stagger + 50) + args.seconds + args.drain + 120
    try:
        result = asyncio.run(asyncio.wait_for(run(args), bound))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        print(json.dumps({"error": repr(exc)}), flush=True)
        print(str(exc), file=sys.stderr)
        return 1
    text = json.dumps(result)
    print(text, flush=True)
    if args.json_out:
        Path(args.json_out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
