"""Group commit: many small writes that arrive together share one transaction.

A database that serialises its writers (SQLite) spends most of a one-row transaction on its overhead: beginning,
committing and, through an async driver, several hops between the event loop and the driver's thread, all while it
holds the write lock that every other writer waits for. ``GroupCommit`` writes the items that arrive while a batch
is being written together in the next batch, so a burst of N writes costs one or two transactions instead of N,
and a lone write costs what it did. Each caller still returns only once its own item is committed, and gets the
error when it was not: a batch refused for one item's data is written again one item at a time, so that item fails
alone (``ITEM_ERRORS``).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy.exc import DataError, IntegrityError

ITEM_ERRORS = (IntegrityError, DataError)
"""Errors of one item's data (a key or value the database refuses): a batch failing with one is written again one
item at a time, so that item fails alone. Any other error (the database locked or gone) fails the whole batch at once,
rather than retrying each item against a database that is not answering."""

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommitBusy(RuntimeError):
    """More items wait to be written than the writer lets wait (the write is refused, nothing is half-done)."""


def _settle(done: asyncio.Future, result=None, error: BaseException | None = None) -> None:
    if done.done():  # its caller went away (cancelled): nothing to tell
        return
    if error is not None:
        done.set_exception(error)
    else:
        done.set_result(result)


class GroupCommit(Generic[Item, Result]):
    """Writes items in batches with ``write`` (one transaction for a list of items, returning one result per item,
    in order); at most ``max_batch`` items a transaction and ``max_waiting`` waiting. Items are written in the order
    they were submitted, one batch at a time."""

    def __init__(self, write: Callable[[list[Item]], Awaitable[list[Result]]], *, name: str,
                 max_batch: int, max_waiting: int) -> None:
        self._write = write
        self.name = name
        self.max_batch = max_batch
        self.max_waiting = max_waiting
        self._waiting: list[tuple[Item, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None
        self._last: asyncio.Future | None = None  # the newest item's: once it is settled, every earlier one is
        self.batches = 0  # transactions written (a failed batch's one-by-one retries not counted)
        self.items = 0  # items committed

    @property
    def waiting(self) -> int:
        """Items submitted and not yet being written."""
        return len(self._waiting)

    async def submit(self, item: Item) -> Result:
        """Write ``item`` with the next batch; its result once committed. ``GroupCommitBusy`` when ``max_waiting``
        items already wait."""
        return await asyncio.shield(self.submit_nowait(item))  # a caller that goes away does not unsettle it

    def submit_nowait(self, item: Item) -> asyncio.Future:
        """Queue ``item`` for the next batch without waiting: the future settles with its result (or error) once it
        is committed (or not); it has failed already, with ``GroupCommitBusy``, when ``max_waiting`` items wait."""
        loop = asyncio.get_running_loop()
        if len(self._waiting) >= self.max_waiting:
            refused = loop.create_future()
            refused.set_exception(GroupCommitBusy(f"{len(self._waiting)} {self.name} are waiting to be written"))
            return refused
        done = self._last = loop.create_future()
        self._waiting.append((item, done))
        if self._writer is None or self._writer.done() or self._writer.get_loop() is not loop:
            # its own context: the writer serves every caller, its log lines carry none's request or interview
            self._writer = loop.create_task(self._write_waiting(), name=f"{self.name}-writer",
                                            context=contextvars.Context())
            self._writer.add_done_callback(self._writer_ended)
        return done

    async def flush(self) -> None:
        """Return once every item submitted so far is written or has failed (items are written in order)."""
        last = self._last
        if last is not None and not last.done() and last.get_loop() is asyncio.get_running_loop():
            await asyncio.wait([last])

    async def _write_waiting(self) -> None:
        batch: list[tuple[Item, asyncio.Future]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:self.max_batch], self._waiting[self.max_batch:]
                await self._write_batch(batch)
                batch = []
        except BaseException as exc:  # stopped (the server shuts down): nobody waits for ever
            for _, done in batch + self._waiting:
                _settle(done, error=RuntimeError(f"the {self.name} writer stopped: {exc!r}"))
            self._waiting = []
            raise

    def _writer_ended(self, writer: asyncio.Task) -> None:
        """A writer cancelled before it began leaves its items unsettled: they fail (nobody waits for ever)."""
        if writer is self._writer and writer.cancelled():
            for _, done in self._waiting:
                _settle(done, error=RuntimeError(f"the {self.name} writer stopped"))
            self._waiting = []

    async def _write_batch(self, batch: list[tuple[Item, asyncio.Future]]) -> None:
        try:
            results = await self._write([item for item, _ in batch])
        except Exception as exc:  # noqa: BLE001 - every caller gets the error
            if len(batch) == 1 or not isinstance(exc, ITEM_ERRORS):
                for _, done in batch:
                    _settle(done, error=exc)
                return
            for item, done in batch:
                try:
                    [result] = await self._write([item])
                except Exception as one:  # noqa: BLE001 - its caller gets the error
                    _settle(done, error=one)
                else:
                    self.items += 1
                    _settle(done, result)
            return
        self.batches += 1
        self.items += len(batch)
        for (_, done), result in zip(batch, results, strict=True):
            _settle(done, result)
