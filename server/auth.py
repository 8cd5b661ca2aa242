"""Passwords (Argon2id), HR login sessions and candidate interview links (signed, expiring tokens)."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

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


class LinkError(Exception):
    """A candidate link that cannot be used; ``code`` is the API error code."""

    def __init__(self, code: str, message: str, status: int):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class LinkClaims:
    interview_id: str
    nonce: str


class Signer:
    """Signs candidate links and login sessions with the server's secret, each under its own salt."""

    def __init__(self, secret: str, link_max_age_s: int, session_max_age_s: int):
        self._links = URLSafeTimedSerializer(secret, salt="interview-link")
        self._sessions = URLSafeTimedSerializer(secret, salt="hr-session")
        self.link_max_age_s = link_max_age_s
        self.session_max_age_s = session_max_age_s

    def link_token(self, interview_id: str, nonce: str) -> str:
        return self._links.dumps({"i": interview_id, "n": nonce})

    def read_link(self, token: str) -> LinkClaims:
        try:
            data = self._links.loads(token, max_age=self.link_max_age_s)
        except SignatureExpired as exc:
            raise LinkError("link_expired", "This interview link has expired. Ask the recruiter for a new one.", 410) from exc
        except BadSignature as exc:
            raise LinkError("invalid_link", "This interview link is not valid.", 403) from exc
        if not isinstance(data, dict) or not isinstance(data.get("i"), str) or not isinstance(data.get("n"), str):
            raise LinkError("invalid_link", "This interview link is not valid.", 403)
        return LinkClaims(data["i"], data["n"])

    def session_token(self, user_id: str) -> str:
        return self._sessions.dumps({"u": user_id})

    def read_session(self, token: str) -> str | None:
        try:
            data = self._sessions.loads(token, max_age=self.session_max_age_s)
        except BadSignature:
            return None
        return data.get("u") if isinstance(data, dict) else None
