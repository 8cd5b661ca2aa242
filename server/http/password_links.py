"""Set-password links: signed, expiring and single-use, for a new account (or one whose admin issued a new link).

The token carries the user's id and a random nonce, signed with the server's secret (like candidate links,
server/http/auth.py) and valid for ``password_link_max_age_s``. The nonce is also stored on the user
(``users.password_link_nonce``): setting the password clears it, so a link works once, and issuing a new link
replaces it, so only the newest works. The link itself names nothing but ids: the e-mail shown on the page is read
from the database.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from server.http.auth import LinkError, _ClockedTimestampSigner, wall_clock

PATH = "/set-password"


@dataclass(frozen=True)
class PasswordLink:
    user_id: str
    nonce: str


@dataclass(frozen=True)
class IssuedLink:
    url: str
    nonce: str
    expires_at: datetime


class PasswordLinks:
    def __init__(self, secret: str, max_age_s: int, base_url: str, clock: Callable[[], datetime] | None = None):
        self.clock: Callable[[], datetime] = clock or wall_clock
        self._tokens = URLSafeTimedSerializer(secret, salt="set-password", signer=_ClockedTimestampSigner,
                                              signer_kwargs={"clock": lambda: self.clock()})
        self.max_age_s = max_age_s
        self._base_url = base_url.rstrip("/")

    def issue(self, user_id: str) -> IssuedLink:
        """A new link for the user; store its ``nonce`` on them for it to work."""
        nonce = secrets.token_hex(16)
        token = self._tokens.dumps({"u": user_id, "n": nonce})
        return IssuedLink(f"{self._base_url}{PATH}?token={token}", nonce,
                          self.clock() + timedelta(seconds=self.max_age_s))

    def read(self, token: str) -> PasswordLink:
        """The link's claims; ``LinkError`` when it is not one of ours (400) or has expired (410)."""
        try:
            data = self._tokens.loads(token, max_age=self.max_age_s)
        except BadSignature as exc:
            if isinstance(exc, SignatureExpired):
                raise LinkError("link_expired", "This set-password link has expired. Ask your organisation's admin "
                                "for a new one.", 410) from exc
            raise LinkError("invalid_link", "This set-password link is not valid.", 400) from exc
        if not isinstance(data, dict) or not isinstance(data.get("u"), str) or not isinstance(data.get("n"), str):
            raise LinkError("invalid_link", "This set-password link is not valid.", 400)
        return PasswordLink(data["u"], data["n"])


def used_link() -> LinkError:
    return LinkError("link_used", "This set-password link was used already or replaced by a newer one. Ask your "
                     "organisation's admin for a new one.", 410)
