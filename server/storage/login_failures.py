"""Counts of recent wrong passwords per key (an account or an address, hashed by the caller) and their locks.

The count is raised in one statement, so logins running at once on several server processes each see their own
number.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, or_, select, update

from server.storage.database import Repository
from server.storage.models import LoginFailures


class LoginFailureRepository(Repository):
    async def get(self, keys: list[str]) -> dict[str, LoginFailures]:
        async with self.db.session() as s:
            rows = (await s.execute(select(LoginFailures).where(LoginFailures.key.in_(keys)))).scalars()
            return {row.key: row for row in rows}

    async def add_failure(self, key: str, now: datetime, forget_before: datetime) -> int:
        """Count one more wrong password for ``key`` (starting again at 1 when the last one was before
        ``forget_before``); the count after it."""
        stale = LoginFailures.last_failure_at < forget_before
        async with self.db.transaction() as s:
            await s.execute(self.db.insert_ignoring_duplicates(LoginFailures)
                            .values(key=key, failures=0, last_failure_at=now))
            await s.execute(update(LoginFailures).where(LoginFailures.key == key).values(
                failures=case((stale, 1), else_=LoginFailures.failures + 1),
                locked_until=case((stale, None), else_=LoginFailures.locked_until),
                last_failure_at=now))
            return int((await s.execute(select(LoginFailures.failures).where(LoginFailures.key == key)))
                       .scalar_one())

    async def lock(self, key: str, until: datetime) -> None:
        async with self.db.transaction() as s:
            await s.execute(update(LoginFailures).where(LoginFailures.key == key).values(locked_until=until))

    async def clear(self, key: str) -> None:
        async with self.db.transaction() as s:
            await s.execute(delete(LoginFailures).where(LoginFailures.key == key))

    async def forget(self, before: datetime, now: datetime) -> None:
        """Drop the counts whose last wrong password was before ``before`` and whose lock (if any) is over."""
        async with self.db.transaction() as s:
            await s.execute(delete(LoginFailures).where(
                LoginFailures.last_failure_at < before,
                or_(LoginFailures.locked_until.is_(None), LoginFailures.locked_until <= now)))
