"""Login throttling, per account and per address: after a few wrong passwords each further try has to wait
(doubling per wrong password), after more the logins are locked for a while. Refused tries are not counted and
check no password, so hammering a locked account costs the server one query.

The account key is the typed-in e-mail (known or not: the answer is the same, so the throttle tells no one which
accounts exist); keys are stored as HMACs under the server's secret, so the table keeps no e-mail or address.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.platform.settings import Settings
from server.storage.login_failures import LoginFailureRepository
from server.storage.models import LoginFailures, as_utc


@dataclass(frozen=True)
class Limits:
    backoff_after: int  # wrong passwords after which each further try waits
    lock_after: int  # wrong passwords that lock


@dataclass(frozen=True)
class ThrottlePolicy:
    account: Limits
    address: Limits
    backoff_s: float
    backoff_max_s: float
    lock_s: float
    forget_s: float

    @classmethod
    def from_settings(cls, s: Settings) -> ThrottlePolicy:
        return cls(Limits(s.login_backoff_after, s.login_lock_after),
                   Limits(s.login_address_backoff_after, s.login_address_lock_after),
                   s.login_backoff_s, s.login_backoff_max_s, s.login_lock_s, s.login_forget_s)

    def wait_after(self, failures: int, limits: Limits) -> float:
        """Seconds the next try waits after the last of ``failures`` wrong passwords (0: none)."""
        if failures < limits.backoff_after:
            return 0.0
        return min(self.backoff_s * 2 ** min(failures - limits.backoff_after, 32), self.backoff_max_s)


class LoginRefused(Exception):
    """A try refused before its password was checked: ``code`` is ``login_wait`` (back-off) or ``login_locked``."""

    def __init__(self, code: str, retry_after_s: int):
        super().__init__(code)
        self.code, self.retry_after_s = code, retry_after_s


class LoginThrottle:
    def __init__(self, failures: LoginFailureRepository, policy: ThrottlePolicy, secret: str,
                 clock: Callable[[], datetime]):
        self._failures = failures
        self._policy = policy
        self._secret = secret.encode()
        self._clock = clock

    def _keys(self, email: str, address: str) -> list[tuple[str, Limits]]:
        def key(kind: str, value: str) -> str:
            return hmac.new(self._secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

        return [(key("account", email.strip().lower()), self._policy.account),
                (key("address", address), self._policy.address)]

    async def check(self, email: str, address: str) -> None:
        """Raise ``LoginRefused`` when this account or address is locked or still has to wait."""
        keys = self._keys(email, address)
        rows = await self._failures.get([k for k, _ in keys])
        now = self._clock()
        refusals = [r for k, limits in keys if (row := rows.get(k)) and (r := self._refusal(row, limits, now))]
        if refusals:  # the lock before the wait; the longer of two
            raise max(refusals, key=lambda r: (r.code == "login_locked", r.retry_after_s))

    def _refusal(self, row: LoginFailures, limits: Limits, now: datetime) -> LoginRefused | None:
        locked_until = as_utc(row.locked_until)
        if locked_until is not None and locked_until > now:
            return LoginRefused("login_locked", math.ceil((locked_until - now).total_seconds()))
        last = as_utc(row.last_failure_at)
        if last <= now - timedelta(seconds=self._policy.forget_s):
            return None
        ready = last + timedelta(seconds=self._policy.wait_after(row.failures, limits))
        if ready > now:
            return LoginRefused("login_wait", math.ceil((ready - now).total_seconds()))
        return None

    async def failed(self, email: str, address: str) -> None:
        """Count a wrong password for the account and the address, locking either at its limit."""
        now = self._clock()
        forget_before = now - timedelta(seconds=self._policy.forget_s)
        await self._failures.forget(forget_before, now)
        for key, limits in self._keys(email, address):
            if await self._failures.add_failure(key, now, forget_before) >= limits.lock_after:
                await self._failures.lock(key, now + timedelta(seconds=self._policy.lock_s))

    async def succeeded(self, email: str) -> None:
        """The right password: the account's count starts again (the address's does not, so one account of one's
        own cannot reset the count of guesses at others)."""
        await self._failures.clear(self._keys(email, "")[0][0])
