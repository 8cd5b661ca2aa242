"""Users' logins kept on the server (the browser holds only a random token; rows are keyed by its hash)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select, update

from server.storage.account_changes import ChangedBy, record_change_of
from server.storage.database import Repository
from server.storage.models import LoginSession, User, as_utc


@dataclass(frozen=True)
class SignedIn:
    """A user of the organisation and their open logins (for the admin's list)."""

    user: User
    sessions: int
    last_seen_at: datetime | None


class LoginSessionRepository(Repository):
    async def add(self, token_hash: str, user_id: str, now: datetime, address: str) -> None:
        async with self.db.transaction() as s:
            s.add(LoginSession(token_hash=token_hash, user_id=user_id, created_at=now, last_seen_at=now,
                               address=address[:64]))

    async def get(self, token_hash: str) -> LoginSession | None:
        """The login with its user (loaded with it)."""
        async with self.db.session() as s:
            return await s.get(LoginSession, token_hash)

    async def touch(self, token_hash: str, now: datetime) -> None:
        async with self.db.transaction() as s:
            await s.execute(update(LoginSession).where(LoginSession.token_hash == token_hash)
                            .values(last_seen_at=now))

    async def delete(self, token_hash: str) -> None:
        async with self.db.transaction() as s:
            await s.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash))

    async def delete_for_user(self, user_id: str, by: ChangedBy | None = None) -> int:
        """End every login of the user; how many there were. ``by``: the admin who ended them, recorded in the
        account log when any were open (server/storage/account_changes.py)."""
        async with self.db.transaction() as s:
            result = await s.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
            ended = max(0, result.rowcount or 0)
            if ended:
                await record_change_of(s, by, "user.signed_out_everywhere", user_id, {"logins_ended": ended})
        return ended

    async def delete_expired(self, seen_before: datetime, created_before: datetime) -> int:
        async with self.db.transaction() as s:
            result = await s.execute(delete(LoginSession).where(or_(LoginSession.last_seen_at < seen_before,
                                                                    LoginSession.created_at < created_before)))
        return result.rowcount or 0

    async def signed_in(self, org_id: str, seen_since: datetime, created_since: datetime) -> list[SignedIn]:
        """Every user of the organisation with the number of their logins still open (seen since ``seen_since``
        and started since ``created_since``) and when one was last used."""
        open_login = and_(LoginSession.user_id == User.id, LoginSession.last_seen_at >= seen_since,
                          LoginSession.created_at >= created_since)
        query = (select(User, func.count(LoginSession.token_hash), func.max(LoginSession.last_seen_at))
                 .outerjoin(LoginSession, open_login).where(User.org_id == org_id)
                 .group_by(User.id).order_by(User.email))
        async with self.db.session() as s:
            rows = (await s.execute(query)).all()
        return [SignedIn(user, int(count), as_utc(last)) for user, count, last in rows]
