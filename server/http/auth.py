"""Passwords (Argon2id, checked off the event loop) and candidate interview links (signed, expiring tokens).
HR logins are kept on the server (server/http/sessions.py).

A candidate link is valid for ``link_max_age_s`` after it was signed, or, when it was signed with ``valid_until``
(the links in booking confirmations and reminders: until the booked slot is over), until that moment, whichever is
later. Links without it (all links signed before per-link expiry existed) keep the plain max-age rule.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


class PasswordsBusy(Exception):
    """More password checks are waiting than the server lets wait."""


class PasswordWorker:
    """Argon2id off the event loop: hashes run on their own threads (never the inference pool), and at most
    ``max_waiting`` callers wait for one (``PasswordsBusy`` beyond), so a storm of logins neither stalls the loop
    nor queues without bound.

    A caller takes a ``turn()`` and checks or hashes inside it; what it does around the hash in its turn (the login
    throttle's check and count) is therefore never interleaved with another turn on this process."""

    def __init__(self, threads: int, max_waiting: int):
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="password-hash")
        self._turns = asyncio.Semaphore(threads)
        self._max_waiting = max_waiting
        self._waiting = 0

    @property
    def waiting(self) -> int:
        """Logins waiting for their turn now (at most ``max_waiting``)."""
        return self._waiting

    @property
    def max_waiting(self) -> int:
        return self._max_waiting

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        if self._waiting >= self._max_waiting:
            raise PasswordsBusy()
        self._waiting += 1
        try:
            await self._turns.acquire()
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._turns.release()

    async def verify(self, password_hash: str, password: str) -> bool:
        return await asyncio.get_running_loop().run_in_executor(self._pool, verify_password, password_hash, password)

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._pool, hash_password, password)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class LinkError(Exception):
    """A candidate link that cannot be used; ``code`` is the API error code."""

    def __init__(self, code: str, message: str, status: int):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class LinkClaims:
    interview_id: str
    nonce: str
    expires_at: datetime | None = None  # when this link stops working


def wall_clock() -> datetime:
    return datetime.fromtimestamp(time.time(), tz=timezone.utc)


class _ClockedTimestampSigner(TimestampSigner):
    """itsdangerous' timestamp signer, with "now" taken from the given clock (tests move time without sleeping)."""

    def __init__(self, *args, clock: Callable[[], datetime], **kwargs):
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock().timestamp())


class Signer:
    """Signs candidate links with the server's secret."""

    def __init__(self, secret: str, link_max_age_s: int, clock: Callable[[], datetime] | None = None):
        # "now" for signing and checking candidate links; replaceable (tests set the server's test clock here)
        self.clock: Callable[[], datetime] = clock or wall_clock
        self._links = URLSafeTimedSerializer(secret, salt="interview-link", signer=_ClockedTimestampSigner,
                                             signer_kwargs={"clock": lambda: self.clock()})
        self.link_max_age_s = link_max_age_s

    def link_token(self, interview_id: str, nonce: str, valid_until: datetime | None = None) -> str:
        """A candidate link; with ``valid_until`` it stays valid until then if that is later than the usual
        ``link_max_age_s`` from now (the moment is signed into the token)."""
        payload: dict = {"i": interview_id, "n": nonce}
        if valid_until is not None:
            if valid_until.tzinfo is None:  # naive times are UTC here, as in the store
                valid_until = valid_until.replace(tzinfo=timezone.utc)
            until = math.ceil(valid_until.timestamp())
            if until > int(self.clock().timestamp()) + self.link_max_age_s:
                payload["x"] = until
        return self._links.dumps(payload)

    def read_link(self, token: str) -> LinkClaims:
        try:
            data, signed_at = self._links.loads(token, return_timestamp=True)
        except BadSignature as exc:
            raise LinkError("invalid_link", "This interview link is not valid.", 403) from exc
        if not isinstance(data, dict) or not isinstance(data.get("i"), str) or not isinstance(data.get("n"), str):
            raise LinkError("invalid_link", "This interview link is not valid.", 403)
        until = data.get("x")
        if until is not None and (not isinstance(until, int) or isinstance(until, bool)):
            raise LinkError("invalid_link", "This interview link is not valid.", 403)
        expires = int(signed_at.timestamp()) + self.link_max_age_s
        if until is not None:
            expires = max(expires, until)
        if int(self.clock().timestamp()) > expires:
            raise LinkError("link_expired", "This interview link has expired. Ask the recruiter for a new one.", 410)
        return LinkClaims(data["i"], data["n"], datetime.fromtimestamp(expires, tz=timezone.utc))
