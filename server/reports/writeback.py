"""Scored interviews' reports, written back to the HR system through a database outbox (``report_syncs``).

An interview is scored when it has finished (``LiveInterview._finish`` stores status ``finished`` and
``ended_at``; every score is stored as it is given). ``writeback_settle_s`` later, so that a language model's late
refinement of the last answer's score is in, the writer (one per server process, every ``writeback_poll_s``):

1. queues the report of each newly finished interview: the ``interview.report`` event
   (``report_event.py``) once per target (``writeback_targets.py``), in one transaction, keyed by the report's
   content digest, so queuing the same report again adds nothing;
2. claims the due writes atomically (several processes share the work, each write goes to one) and sends each:
   a send is one round of quick tries (the DingTalk client's or the webhook's own backoff); a round stopped by a rate
   limit or an outage is put back with exponential backoff and jitter (tenacity's wait) for the next round, up to
   ``writeback_max_rounds``; any other refusal fails it at once, with its reason in plain words.

Nothing is lost when a process stops: queued writes are rows, and a write left ``sending`` is taken up again after
``STALE_SENDING`` (the targets treat the same idempotency key as the same write: DingTalk's ``out_id``, the webhook's
``Idempotency-Key``, and DingTalk drops a repeated identical work notice itself). HR sees every write in the sync
log (``GET /api/v1/writeback``) and can sync an interview again (``queue_interview``: its current report, and the
failed writes of that version once more).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from tenacity import RetryCallState, wait_exponential_jitter

from server.platform.periodic import PeriodicWorker
from server.platform.settings import Settings
from server.reports.interview_report import build_report
from server.reports.report_event import report_event
from server.reports.writeback_errors import explain
from server.reports.writeback_targets import WritebackTargets
from server.storage.models import ReportSync
from server.storage.store import Store

log = structlog.get_logger(__name__)

CLAIM_BATCH = 20  # writes taken per run (the rest wait for the next)
QUEUE_BATCH = 50  # finished interviews queued per run
SEND_CONCURRENCY = 4  # writes sent at once (DingTalk allows ~20 calls/s per app)
STALE_SENDING = timedelta(minutes=10)  # a write 'sending' for this long was left by a stopped process


@dataclass(frozen=True)
class Queued:
    """What queuing one interview's report did."""

    interview_id: str
    report_version: int
    added: list[ReportSync] = field(default_factory=list)  # new writes
    requeued: int = 0  # failed writes of this version sent again


class ReportWriter(PeriodicWorker):
    name = "report-writeback"

    def __init__(self, store: Store, settings: Settings, clock: Callable[[], datetime]):
        super().__init__()
        self.store, self.settings, self.clock = store, settings, clock
        self.targets = WritebackTargets(settings, store.assignments)
        self._send_slots = asyncio.Semaphore(SEND_CONCURRENCY)
        self._running = asyncio.Lock()  # one run at a time in this process (the poll, HR's "sync again")
        s = settings
        self._backoff = wait_exponential_jitter(multiplier=s.writeback_retry_initial_s, max=s.writeback_retry_max_s,
                                                jitter=s.writeback_retry_initial_s)

    def interval_s(self) -> float:
        return self.settings.writeback_poll_s

    async def tick(self) -> dict:
        async with self._running:
            # with nothing set up any more, writes still queued are drained: they fail as "not set up"
            queued = await self.queue_finished() if self.targets.any else 0
            sent = await self._send_due()
        return {"queued": queued, "processed": sent}

    # --- queue ------------------------------------------------------------------------------------------------
    async def queue_finished(self) -> int:
        """Queue the reports of interviews that finished ``writeback_settle_s`` ago (within the look-back) and were
        never queued; how many."""
        now = self.clock()
        s = self.settings
        ids = await self.store.report_syncs.unsynced_finished(now - timedelta(hours=s.writeback_lookback_h),
                                                              now - timedelta(seconds=s.writeback_settle_s),
                                                              QUEUE_BATCH)
        for interview_id in ids:
            try:
                await self.queue_interview(interview_id)
            except Exception:  # noqa: BLE001 - one interview's failure must not stop the others
                log.exception("writeback_queue_failed", interview_id=interview_id)
        return len(ids)

    async def queue_interview(self, interview_id: str, again: bool = False) -> Queued | None:
        """Queue the interview's current report for every target (a report already queued adds nothing); ``again``:
        failed writes of that version go out once more. None when the interview does not exist."""
        store = self.store
        iv = await store.interviews.get(interview_id)
        report = await build_report(store.interviews, store.records, store.jobs, interview_id)
        if iv is None or report is None:
            return None
        event = report_event(report, self.settings.resolved_base_url)
        now = self.clock()
        version, added = await store.report_syncs.enqueue(iv.org_id, iv.id, event.digest, event.versioned,
                                                          self.targets.targets_for(iv.candidate), now)
        requeued = await store.report_syncs.requeue_failed(iv.id, version, now) if again else 0
        if added or requeued:
            log.info("writeback_queued", interview_id=iv.id, report_version=version,
                     targets=[r.target for r in added], requeued=requeued)
        return Queued(iv.id, version, added, requeued)

    # --- send -------------------------------------------------------------------------------------------------
    async def send_due(self) -> int:
        """Claim and send what is due (after a run under way in this process); how many writes this call handled."""
        async with self._running:
            return await self._send_due()

    async def _send_due(self) -> int:
        total = 0
        while not self.stopping:
            now = self.clock()
            rows = await self.store.report_syncs.claim_due(now, now - STALE_SENDING, CLAIM_BATCH)
            if not rows:
                break
            await asyncio.gather(*(self._deliver(r) for r in rows))
            total += len(rows)
            if len(rows) < CLAIM_BATCH:
                break
        return total

    def next_round_at(self, rounds: int) -> datetime:
        """When round ``rounds + 1`` may start: exponential backoff with jitter (tenacity's wait strategy)."""
        state = RetryCallState(None, None, (), {})  # type: ignore[arg-type]  (the wait reads the number only)
        state.attempt_number = rounds
        return self.clock() + timedelta(seconds=self._backoff(state))

    async def _deliver(self, row: ReportSync) -> None:
        """Send one claimed write and record the outcome; never raises."""
        syncs = self.store.report_syncs
        before = row.attempts

        async def count(n: int) -> None:
            await syncs.update(row.id, attempts=before + n)

        async with self._send_slots:
            rounds = row.rounds + 1
            try:
                iv = await self.store.interviews.get(row.interview_id)
                if iv is None:
                    return  # deleted meanwhile (its writes with it)
                sent = await self.targets.send(row, iv.job_id, count)
            except Exception as exc:  # noqa: BLE001 - every failure is recorded for HR
                failure = explain(exc)
                if failure.code == "internal_error":
                    log.exception("writeback_failed", sync_id=row.id, target=row.target)
                else:
                    log.warning("writeback_failed", sync_id=row.id, target=row.target, error=str(exc))
                now = self.clock()
                if failure.retryable and rounds < self.settings.writeback_max_rounds:
                    at = self.next_round_at(rounds)
                    await syncs.update(row.id, status="pending", rounds=rounds, next_attempt_at=at, updated_at=now,
                                       error_code=failure.code, last_error=(
                                           f"{failure.words} Round {rounds} of {self.settings.writeback_max_rounds}; "
                                           f"the next try is at {at:%Y-%m-%d %H:%M:%S} UTC.")[:1000])
                else:
                    tail = (f" Gave up after {rounds} rounds; sync again later." if failure.retryable else "")
                    await syncs.update(row.id, status="failed", rounds=rounds, updated_at=now,
                                       error_code=failure.code, last_error=(failure.words + tail)[:1000])
                return
            now = self.clock()
            await syncs.update(row.id, status="sent", rounds=rounds, sent_at=now, updated_at=now, error_code="",
                               last_error="", recipient=sent.recipient[:500], external_ref=sent.external_ref[:200])
            log.info("writeback_sent", sync_id=row.id, interview_id=row.interview_id, target=row.target,
                     report_version=row.report_version)
