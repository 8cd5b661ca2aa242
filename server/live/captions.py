"""Captions that must not wait behind the interview's worker: the newest partial transcript, published at once.

The worker publishes events in order, one item after the other; while it closes an answer (storing it, scoring it,
choosing the next move) the candidate may already be speaking again. When that speech continues the answer, its
captions go out through ``CaptionsAtOnce`` instead: one slot (the newest partial replaces an unpublished older one,
so nothing queues up) and one task that publishes it. A caption is dropped rather than published late: if a final
or another caption was handed to the worker after it, the page already has (or will have) newer words.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Awaitable, Callable

from server.live import events as ev


class CaptionsAtOnce:
    def __init__(self, publish: Callable[[ev.BaseEvent], Awaitable[None]]) -> None:
        self._publish = publish
        self._latest: tuple[ev.TranscriptPartial, int, asyncio.Future | None] | None = None
        self._task: asyncio.Task | None = None
        self._handed_on = 0

    def handed_to_worker(self) -> None:
        """A partial or final of the candidate's speech went to the worker's queue (it is newer than any caption
        offered before)."""
        self._handed_on += 1

    def offer(self, caption: ev.TranscriptPartial, after: asyncio.Future | None = None) -> None:
        """Publish ``caption`` now (once ``after``, e.g. the page being told the answer goes on, is done)."""
        self._latest = (caption, self._handed_on, after)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        while self._latest is not None:
            caption, handed_on, after = self._latest
            if after is not None:
                with contextlib.suppress(Exception):
                    await asyncio.shield(after)
                if self._latest is None or self._latest[0] is not caption:
                    continue  # a newer caption came meanwhile
            self._latest = None
            if handed_on == self._handed_on:
                await self._publish(caption)

    async def close(self) -> None:
        self._latest = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
