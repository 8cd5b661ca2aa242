"""The load test's interviews: each created by HR, joined by a synthetic candidate through the load's base URL (node
1 of a cluster: placement puts it on a node with room, forwarding relays its calls), and watched by one observer
(on another node than the one running it, with a cluster). With churn, an interview that ends is replaced by a new
one, so the number of sessions stays what was asked."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks.load_clients import HrClient, Observer
from benchmarks.load_cluster import Cluster
from benchmarks.synthetic_candidate import CandidateApiError, SyntheticCandidate
from benchmarks.synthetic_media import SpeechTimeline

JOIN_BOUND_S = 45.0
"""A candidate's join (consents, WebSocket, offer), retries on 503 servers_busy included."""
MAX_ERROR_MESSAGES = 100


@dataclass(frozen=True)
class CandidateMedia:
    timeline: SpeechTimeline
    video: Path | None
    question_speak_s: float
    first_question_timeout: float


@dataclass
class LoadSession:
    number: int
    """1-based, in the order the interviews were created."""
    interview_id: str
    token: str
    observer: Observer | None = None
    candidate: SyntheticCandidate | None = None
    node: str | None = None
    """The node that ran it (cluster only)."""
    observer_node: str | None = None
    joined_at: float | None = None
    ended_at: float | None = None
    outcome: str | None = None
    """finished | failed | lost (the candidate's connection ended first); None: live at the end, or never joined."""

    def live_seconds(self, t0: float, t1: float) -> float:
        """Seconds of [t0, t1] this session was joined and not yet ended."""
        if self.joined_at is None:
            return 0.0
        end = self.ended_at if self.ended_at is not None else t1
        return max(0.0, min(end, t1) - max(self.joined_at, t0))


def _loss_story(s: LoadSession) -> str:
    """What ended first, in seconds after the candidate joined: the WebSocket's close and each peer state change."""
    c = s.candidate
    if c is None:
        return "no candidate"
    t0 = s.joined_at or c.started_at or 0.0
    parts = [f"peer {c.connection_state}"]
    parts += [f"{state} at {t - t0:.1f} s" for t, state in c.pc_states]
    if c.ws_closed_at is not None:
        parts.append(f"websocket closed at {c.ws_closed_at - t0:.1f} s ({c.ws_close_reason})")
    return ", ".join(parts)


def _ended(data: dict) -> bool:
    return data.get("type") == "interview.state" and data.get("status") in ("finished", "failed")


class SessionLauncher:
    """Creates interviews for ``job_id`` and joins their candidates; ``counts`` and the error list are the run's."""

    def __init__(self, hr: HrClient, job_id: str, language: str, base_url: str, media: CandidateMedia,
                 counts: Counter, errors: list[str], cluster: Cluster | None = None,
                 hr_by_node: dict[str, HrClient] | None = None):
        self.hr = hr
        self.job_id = job_id
        self.language = language
        self.base_url = base_url
        self.media = media
        self.counts = counts
        self.errors = errors
        self.cluster = cluster
        self.hr_by_node = hr_by_node or {}
        self.sessions: list[LoadSession] = []
        self._tasks: list[asyncio.Task] = []

    def error(self, message: str) -> None:
        self.counts["errors"] += 1
        if len(self.errors) < MAX_ERROR_MESSAGES:
            self.errors.append(message)

    async def create(self) -> LoadSession:
        """The interview; without a cluster its observer connects now, before the candidate (as always did)."""
        number = len(self.sessions) + 1
        iv = await self.hr.create_interview(self.job_id, number - 1, self.language)
        s = LoadSession(number, str(iv["interview_id"]), str(iv["token"]))
        self.sessions.append(s)
        if self.cluster is None:
            s.observer = Observer(self.hr, s.interview_id)
            await s.observer.start()
        return s

    async def join(self, s: LoadSession) -> bool:
        """The candidate joins (asked to try again while the servers are busy, as the page is); with a cluster the
        observer then connects to another node than the one the interview was placed on."""
        deadline = time.monotonic() + JOIN_BOUND_S
        m = self.media
        while True:
            c = SyntheticCandidate(self.base_url, s.token, m.timeline.path, m.video, loop_audio=True,
                                   timeline=m.timeline, hold_audio=True, question_speak_s=m.question_speak_s)
            s.candidate = c
            try:
                await asyncio.wait_for(c.start(), max(1.0, deadline - time.monotonic()))
                break
            except CandidateApiError as exc:
                await c.close()
                if exc.status == 503 and time.monotonic() < deadline - 2:
                    self.counts["offers_refused_busy"] += 1
                    await asyncio.sleep(1.0)
                    continue
                self.error(f"candidate {s.number}: {exc!r}")
                return False
            except Exception as exc:  # noqa: BLE001 - any failure of one candidate is a figure of the run
                await c.close()
                self.error(f"candidate {s.number}: {exc!r}")
                return False
        s.joined_at = time.time()
        self._tasks.append(asyncio.create_task(self._release_on_first_question(c)))
        self.counts["candidates_started"] += 1
        if self.cluster is not None:
            s.node = await self.cluster.owner(s.interview_id)
            other = self.cluster.other_than(s.node)
            s.observer_node = other.id
            s.observer = Observer(self.hr_by_node[other.id], s.interview_id)
            try:
                await s.observer.start()
            except Exception as exc:  # noqa: BLE001 - the interview goes on unobserved; the error is reported
                self.error(f"observer {s.interview_id} on {other.id}: {exc!r}")
        return True

    async def _release_on_first_question(self, c: SyntheticCandidate) -> None:
        try:
            await c.wait_for(lambda d: d.get("type") == "question.asked", self.media.first_question_timeout)
            c.release_audio(delay=0.3)
            self.counts["audio_released_on_question"] += 1
        except (TimeoutError, ConnectionError):
            c.release_audio()
            self.counts["audio_released_without_question"] += 1

    # -- churn

    async def wait_end(self, s: LoadSession, until: float) -> str | None:
        """finished | failed (the interview's state), lost (the candidate's connection ended first), or None when
        ``until`` came first."""
        c = s.candidate
        assert c is not None
        while (remaining := until - time.time()) > 0:
            try:
                return (await c.wait_for(_ended, min(5.0, remaining)))["status"]
            except TimeoutError:
                if c.connection_state in ("failed", "closed"):
                    return "lost"
            except ConnectionError:
                return "lost"
        return None

    async def retire(self, s: LoadSession, outcome: str) -> None:
        """Record how it ended and close its candidate and observer (after the observer got the end, 5 s at most)."""
        s.ended_at, s.outcome = time.time(), outcome
        self.counts[f"interviews_ended_{outcome}"] += 1
        if outcome == "lost":
            self.error(f"candidate {s.number}: connection lost before the interview ended ({_loss_story(s)})")
        if s.observer is not None and outcome != "lost":
            for _ in range(25):
                if any(e.get("status") == outcome for e in s.observer.of("interview.state")):
                    break
                await asyncio.sleep(0.2)
        if s.candidate is not None:
            await s.candidate.close()
        if s.observer is not None:
            await s.observer.close()

    async def keep_going(self, first: LoadSession, until: float) -> None:
        """One seat of the load until ``until``: whenever its interview ends, a new one is created and joined."""
        s: LoadSession | None = first
        while True:
            if s is not None and s.joined_at is not None:
                outcome = await self.wait_end(s, until)
                if outcome is None:
                    return
                await self.retire(s, outcome)
            if time.time() >= until:
                return
            try:
                s = await self.create()
            except Exception as exc:  # noqa: BLE001 - reported; the seat tries again
                self.error(f"creating an interview: {exc!r}")
                s = None
                await asyncio.sleep(5.0)
                continue
            if not await self.join(s):
                await asyncio.sleep(5.0)

    def state(self) -> dict[str, int]:
        """The counts a soak sample records."""
        connected = sum(1 for s in self.sessions if s.outcome is None and s.candidate is not None
                        and s.candidate.connection_state == "connected")
        return {"candidates_connected": connected,
                "interviews_started": self.counts["candidates_started"],
                "interviews_finished": self.counts["interviews_ended_finished"],
                "interviews_failed": self.counts["interviews_ended_failed"],
                "candidates_lost": self.counts["interviews_ended_lost"]}

    async def close(self) -> None:
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await asyncio.gather(*(s.candidate.close() for s in self.sessions if s.candidate), return_exceptions=True)
        await asyncio.gather(*(s.observer.close() for s in self.sessions if s.observer), return_exceptions=True)
