"""Key rotation for encryption at rest (server/compliance/crypto.py): every encrypted value under the current key."""

from __future__ import annotations

import json

from sqlalchemy import Text, and_, cast, select, type_coerce, update

from server.compliance.crypto import KEYRING, EncryptedJSON, EncryptedText
from server.storage.database import Repository
from server.storage.models import Base


class KeyRotation(Repository):
    """Rewrites encrypted columns of every table."""

    async def reencrypt(self, batch: int = 200) -> dict[str, int]:
        """Write every encrypted value again under the current data key (values under older keys, and values
        stored before encryption was on). A value changed or deleted meanwhile is left to its writer (compare and
        swap on the stored text). Returns how many values each column had rewritten."""
        done: dict[str, int] = {}
        for table in Base.metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            for col in table.columns:
                if not isinstance(col.type, (EncryptedText, EncryptedJSON)):
                    continue
                stored = cast(type_coerce(col, Text), Text)  # the text the database holds (JSON included)
                async with self.db.session() as s:
                    raw = (await s.execute(select(*pk, stored))).all()
                stale = [(r[:len(pk)], r[-1]) for r in raw if _needs_current_key(r[-1])]
                rewritten = 0
                for i in range(0, len(stale), batch):
                    async with self.db.transaction() as s:
                        for key, before in stale[i:i + batch]:
                            where = and_(*(c == v for c, v in zip(pk, key)))
                            value = (await s.execute(select(col).where(where, stored == before))).first()
                            if value is None:
                                continue  # changed or deleted since it was read
                            moved = await s.execute(update(table).where(where, stored == before)
                                                    .values({col.name: value[0]}))
                            rewritten += moved.rowcount or 0
                done[f"{table.name}.{col.name}"] = rewritten
        return done


def _needs_current_key(raw: str | None) -> bool:
    """Whether a stored value (as the database holds it) is not yet under the current key."""
    if raw is None or raw in ("", "null") or KEYRING.current is None:
        return False
    token = raw
    if raw.startswith('"'):  # a JSON column holds the token as a JSON string
        try:
            token = json.loads(raw)
        except ValueError:
            pass
    return KEYRING.key_id_of(token) != KEYRING.current
