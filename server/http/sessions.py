"""HR logins kept on the server: the cookie carries a random token, the database its hash and when it was started
and last used. A login ends when it is deleted (logout, a password change, an admin's "sign out everywhere" or
deactivation), when its user is deactivated, or when it was unused for ``idle_s`` or started more than ``max_age_s``
ago, whichever comes first.

Kept in the database rather than Redis: every server process already shares it (Redis only carries the event bus
and is optional), and a login must survive a restart.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from server.storage.account_changes import ChangedBy
from server.storage.login_sessions import LoginSessionRepository, SignedIn
from server.storage.models import User, as_utc

# when a login was last used is written at most this often (the HR page asks every few seconds)
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionBook:
    def __init__(self, logins: LoginSessionRepository, idle_s: int, max_age_s: int, clock: Callable[[], datetime]):
        self._logins = logins
        self._idle = timedelta(seconds=idle_s)
        self._max_age = timedelta(seconds=max_age_s)
        self._clock = clock

    async def start(self, user_id: str, address: str) -> str:
        """A new login for the user; the token for its cookie. (Logins that have ended by time are cleared now.)"""
        now = self._clock()
        await self._logins.delete_expired(now - self._idle, now - self._max_age)
        token = secrets.token_urlsafe(32)
        await self._logins.add(token_hash(token), user_id, now, address)
        return token

    async def user(self, token: str) -> User | None:
        """The user logged in with ``token``, or None when it is unknown or has ended (an ended one is deleted)."""
        key = token_hash(token)
        login = await self._logins.get(key)
        if login is None:
            return None
        now = self._clock()
        last_seen = as_utc(login.last_seen_at)
        if (last_seen <= now - self._idle or as_utc(login.created_at) <= now - self._max_age
                or not login.user.active):  # deactivated: their logins ended when it happened; this one too
            await self._logins.delete(key)
            return None
        if now - last_seen >= LAST_SEEN_RESOLUTION:
            await self._logins.touch(key, now)
        return login.user

    async def end(self, token: str) -> None:
        await self._logins.delete(token_hash(token))

    async def end_all(self, user_id: str, by: ChangedBy | None = None) -> int:
        """End every login of the user (on every device); how many were open or not yet cleared. ``by``: an admin
        ending them (recorded in the account log); None when it follows from another change (a password set anew, a
        deactivation), which is recorded itself."""
        return await self._logins.delete_for_user(user_id, by)

    async def signed_in(self, org_id: str) -> list[SignedIn]:
        now = self._clock()
        return await self._logins.signed_in(org_id, now - self._idle, now - self._max_age)
