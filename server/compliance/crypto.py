"""Field encryption at rest: AES-256-GCM with key ids, for the free text candidates produce (BRIEF section 4).

A stored value is ``enc:v1:<key id>:<base64(nonce | ciphertext+tag)>``; the column's name is the associated data,
so a value copied into another column does not decrypt (one swapped with another row's value in the same column
does). The plaintext is padded to a multiple of 32 bytes first, so short answers (a self-identification category)
cannot be told apart by their length. Key ids let keys rotate: new values use the current key,
older ones keep naming theirs, and ``interview-server db rotate-keys`` re-encrypts every row under the current key
(and encrypts rows stored before encryption was on, which read back as they are). A value naming a key this process
does not have fails loudly (``DataKeyMissing``), never silently.

The keys come from the settings (``INTERVIEW_DATA_KEYS``: JSON ``{"<id>": "<base64 of 32 bytes>"}``, and
``INTERVIEW_DATA_KEY_ID`` for the current one); with none configured the server generates one key on first start
and keeps it in ``data_dir/data-keys.json`` (0600). Every node of one deployment needs the same keys.

The columns (``EncryptedText`` / ``EncryptedJSON`` in ``server/storage/models.py``) read the process-wide keyring
below, which the server context installs at start: SQLAlchemy column types have no other way to reach settings.
Names and e-mail addresses are not encrypted: duplicate detection and invitations look them up by equality.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import JSON, Text
from sqlalchemy.types import TypeDecorator

PREFIX = "enc:v1:"
PAD_TO = 32
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class DataKeyMissing(RuntimeError):
    """A stored value names a key this process was not given."""


class DataDecryptError(RuntimeError):
    """A stored value does not decrypt (altered, or moved from another column)."""


def key_id_for(key: bytes) -> str:
    """A key's id: the start of its SHA-256, so every node derives the same id from the same key."""
    return hashlib.sha256(key).hexdigest()[:12]


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


@dataclass
class Keyring:
    keys: dict[str, bytes] = field(default_factory=dict)
    current: str | None = None

    def add(self, keys: dict[str, bytes], current: str) -> None:
        """Add keys (a union: two servers in one test process keep reading each other's rows)."""
        for kid, key in keys.items():
            if not KEY_ID.match(kid):
                raise ValueError(f"data key id {kid!r}: use 1-40 letters, digits, '_' or '-'")
            if len(key) != 32:
                raise ValueError(f"data key {kid!r} must be 32 bytes (AES-256), not {len(key)}")
            if self.keys.get(kid, key) != key:
                raise ValueError(f"data key id {kid!r} is already in use for another key")
            self.keys[kid] = key
        if current not in self.keys:
            raise ValueError(f"the current data key id {current!r} is not among the keys given")
        self.current = current

    def encrypt(self, plaintext: str, column: str) -> str:
        if self.current is None:
            return plaintext  # no keyring installed (a bare Store in a script): stored as given
        nonce = os.urandom(12)
        data = plaintext.encode() + b"\x80"  # ISO/IEC 7816-4 padding to a multiple of PAD_TO
        data += b"\x00" * (-len(data) % PAD_TO)
        ct = AESGCM(self.keys[self.current]).encrypt(nonce, data, column.encode())
        return f"{PREFIX}{self.current}:{base64.b64encode(nonce + ct).decode()}"

    def decrypt(self, stored: str, column: str) -> str:
        if not stored.startswith(PREFIX):
            return stored  # written before encryption was on
        kid, _, blob = stored[len(PREFIX):].partition(":")
        key = self.keys.get(kid)
        if key is None:
            raise DataKeyMissing(f"{column} is encrypted with data key {kid!r}, which this server was not given "
                                 "(INTERVIEW_DATA_KEYS)")
        raw = base64.b64decode(blob)
        try:
            return AESGCM(key).decrypt(raw[:12], raw[12:], column.encode()).rstrip(b"\x00")[:-1].decode()
        except InvalidTag as exc:
            raise DataDecryptError(f"{column}: a stored value does not decrypt (altered or misplaced)") from exc

    @staticmethod
    def key_id_of(stored: Any) -> str | None:
        if isinstance(stored, str) and stored.startswith(PREFIX):
            return stored[len(PREFIX):].partition(":")[0]
        return None


KEYRING = Keyring()


class EncryptedText(TypeDecorator):
    """Text stored encrypted; the empty string stays empty (so "no answer yet" can be queried)."""

    impl = Text
    cache_ok = True

    def __init__(self, column: str):
        super().__init__()
        self.column = column

    def process_bind_param(self, value, dialect):
        if value is None or value == "":
            return value
        return KEYRING.encrypt(value, self.column)

    def process_result_value(self, value, dialect):
        if value is None or value == "":
            return value
        return KEYRING.decrypt(value, self.column)


class EncryptedJSON(TypeDecorator):
    """A JSON value stored as an encrypted JSON string (still valid JSON for the column's type)."""

    impl = JSON
    cache_ok = True

    def __init__(self, column: str):
        super().__init__()
        self.column = column

    def process_bind_param(self, value, dialect):
        if value is None:
            return value
        return KEYRING.encrypt(json.dumps(value, ensure_ascii=False), self.column) if KEYRING.current else value

    def process_result_value(self, value, dialect):
        if isinstance(value, str) and value.startswith(PREFIX):
            return json.loads(KEYRING.decrypt(value, self.column))
        return value  # written before encryption was on
