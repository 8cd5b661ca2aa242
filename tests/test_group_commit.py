"""Group commit (server/storage/group_commit.py): batching, each caller's own result, and who fails when."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from server.storage.group_commit import GroupCommit, GroupCommitBusy

pytestmark = pytest.mark.unit


def _writer(calls: list, gate: asyncio.Event | None = None):
    async def write(items: list[str]) -> list[str]:
        calls.append(list(items))
        if gate is not None:
            await gate.wait()
        if "duplicate" in items:
            raise IntegrityError("INSERT", {}, Exception("unique key"))
        if "database down" in items:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return [item.upper() for item in items]
    return write


async def test_one_refused_item_fails_alone_and_a_database_error_fails_the_batch_at_once():
    calls: list = []
    writes = GroupCommit(_writer(calls), name="things", max_batch=10, max_waiting=10)
    results = await asyncio.gather(writes.submit("a"), writes.submit("duplicate"), writes.submit("c"),
                                   return_exceptions=True)
    assert results[0] == "A" and results[2] == "C" and isinstance(results[1], IntegrityError)
    assert calls == [["a", "duplicate", "c"], ["a"], ["duplicate"], ["c"]]  # the batch, then each alone
    calls.clear()
    results = await asyncio.gather(writes.submit("database down"), writes.submit("d"), return_exceptions=True)
    assert all(isinstance(r, OperationalError) for r in results)
    assert calls == [["database down", "d"]]  # not tried again item by item against a database not answering


async def test_items_arriving_during_a_write_share_the_next_and_flush_waits_for_all():
    calls: list = []
    gate = asyncio.Event()
    writes = GroupCommit(_writer(calls, gate), name="things", max_batch=2, max_waiting=4)
    first = asyncio.ensure_future(writes.submit("a"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)  # the writer has taken "a"
    later = [writes.submit_nowait(x) for x in "bcd"]
    leaving = asyncio.ensure_future(writes.submit("z"))  # its caller goes away: it is still written
    await asyncio.sleep(0)
    leaving.cancel()
    flushed = asyncio.ensure_future(writes.flush())
    await asyncio.sleep(0.01)
    assert not flushed.done()
    gate.set()
    await flushed
    assert await first == "A" and [f.result() for f in later] == ["B", "C", "D"]
    assert calls == [["a"], ["b", "c"], ["d", "z"]] and writes.items == 5  # in order, at most 2 a transaction
    queued = [writes.submit_nowait(x) for x in "vwxyz"]
    assert isinstance(queued[-1].exception(), GroupCommitBusy)  # bounded: the fifth waiting is refused at once
    await writes.flush()
    assert [f.result() for f in queued[:-1]] == ["V", "W", "X", "Y"]
