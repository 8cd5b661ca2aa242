"""Retention with automatic hard deletion, legal hold, and erasure on request (BRIEF section 4; GDPR Art. 5(1)(e)
and 17, PIPL Art. 19 and 47).

Two periods per organisation (``retention_policies``, else the server's defaults):

* ``interview_content_days`` after a finished (or failed) interview ended: its transcript, the answers' text, the
  follow-up questions (they quote the candidate), the evidence quotes of its scores and its timeline of events and
  observations are deleted. The scores, the plan and the fact that the interview happened stay; the report says
  the content was deleted. An interview that never started holds no content and may still take place.
* ``candidate_days`` after a candidate's last activity (added, resume uploaded, interview created, booked or
  ended): everything about the candidate is deleted (see ``RetentionRepository.erase_candidate``), and bulk-import
  results older than that, which name people, go too.

A bulk upload's files are not kept for either period: they are in ``import_uploads`` only while the run is
unfinished (so any node can run or resume it) and are deleted when it ends (server/recruiting/imports.py), or with
the run.

A candidate on legal hold is skipped by both and cannot be erased until the hold is lifted. Every deletion leaves a
``data_deletions`` row (ids and counts, never the data). A sweep is the shared queue's periodic job
``retention.sweep``, enqueued by every node with a key per ``retention_sweep_s`` period, so one node runs each
period's sweep (sweeps are idempotent anyway: a sweep re-run after a node died deletes only what is still due).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from server.platform.work_queue import handler
from server.storage.accounts import AccountRepository
from server.storage.retention import RetentionRepository

log = structlog.get_logger(__name__)

BATCH = 100


@dataclass(frozen=True)
class Periods:
    interview_content_days: int
    candidate_days: int
    is_default: bool


async def _in_batches(due: Callable[[], Awaitable[list[str]]], delete: Callable[[str], Awaitable[bool]],
                      stop: Callable[[], bool]) -> int:
    """Delete what ``due()`` lists, a batch at a time, until it lists less than a batch; returns how many were
    deleted. A batch in which nothing could be deleted ends it too (the next query would list the same ids)."""
    deleted = 0
    while not stop():
        ids = await due()
        done_now = 0
        for item_id in ids:
            done_now += bool(await delete(item_id))
        deleted += done_now
        if len(ids) < BATCH or not done_now:
            break
    return deleted


class RetentionSweeper:
    """Deletes in every organisation what its periods (else ``defaults``) say is due. Runs as the queue's periodic
    job ``retention.sweep`` every ``interval_s`` (once per period across the nodes).

    ``is_open(interview_id)``: the interview is open on this node (a rejoin may still come), so its content is
    left for a later sweep."""

    def __init__(self, retention: RetentionRepository, accounts: AccountRepository, defaults: Periods,
                 interval_s: float, clock: Callable[[], datetime], is_open: Callable[[str], bool]):
        self.retention, self.accounts, self.defaults = retention, accounts, defaults
        self.interval_s, self.clock, self.is_open = interval_s, clock, is_open
        self.stopping = False  # set when the server stops: a sweep in progress ends after its current batch

    async def periods(self, org_id: str) -> Periods:
        row = await self.retention.policy(org_id)
        if row is None:
            return self.defaults
        return Periods(row.interview_content_days, row.candidate_days, False)

    async def sweep_org(self, org_id: str, stop: Callable[[], bool] = lambda: False) -> dict[str, int]:
        """Delete what this organisation's periods say is due; returns what was deleted."""
        periods = await self.periods(org_id)
        now = self.clock()
        content_cutoff = now - timedelta(days=periods.interview_content_days)
        candidate_cutoff = now - timedelta(days=periods.candidate_days)
        retention = self.retention

        async def delete_content(interview_id: str) -> bool:
            if self.is_open(interview_id):  # open on this node (a rejoin may still come): not now
                return False
            return await retention.delete_interview_content(interview_id, "retention", now) is not None

        async def erase(candidate_id: str) -> bool:
            return isinstance(await retention.erase_candidate(candidate_id, "retention", now), dict)

        done = {
            "interviews_content_deleted": await _in_batches(
                lambda: retention.interviews_past_content_retention(org_id, content_cutoff, BATCH), delete_content,
                stop),
            "candidates_deleted": await _in_batches(
                lambda: retention.candidates_past_retention(org_id, candidate_cutoff, BATCH), erase, stop),
            "import_results_deleted": await retention.delete_import_runs_before(org_id, candidate_cutoff, now),
        }
        if any(done.values()):
            log.info("retention_sweep", org_id=org_id, **done)
        return done

    async def tick(self) -> dict:
        totals: dict[str, int] = {}
        for org_id in await self.accounts.org_ids():
            if self.stopping:
                break
            for k, v in (await self.sweep_org(org_id, lambda: self.stopping)).items():
                totals[k] = totals.get(k, 0) + v
        return totals


@handler("retention.sweep")
async def run_retention_sweep(services, payload: dict) -> None:
    """One period's sweep over every organisation (``services.retention``)."""
    totals = await services.retention.tick()
    if any(totals.values()):
        log.info("retention_swept", **totals)
