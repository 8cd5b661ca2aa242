"""A bulk import's uploaded files, kept in the shared database while the import is unfinished, so that any node can
run it and another can resume it (server/recruiting/imports.py).

Each file is stored in parts of at most ``PART_BYTES`` (one part is all a query moves at a time, on either engine),
as base64 in an encrypted text column (server/compliance/crypto.py: the column types take text; key rotation
rewrites it like every other encrypted column). The parts are deleted when the run ends, and with their run.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select

from server.storage.database import Repository
from server.storage.models import CandidateImport, ImportUpload, new_id, utcnow

PART_BYTES = 1 << 20
UNFINISHED = ("pending", "running")


@dataclass(frozen=True)
class StoredFile:
    index: int  # the file's place in the upload
    filename: str
    content_type: str
    size: int
    parts: int


class ImportUploadRepository(Repository):
    async def add_part(self, import_id: str, index: int, part: int, filename: str, content_type: str,
                       data: bytes) -> None:
        """Store one part (at most ``PART_BYTES``) of the upload's ``index``-th file."""
        if len(data) > PART_BYTES:
            raise ValueError(f"a stored part holds at most {PART_BYTES} bytes, not {len(data)}")
        async with self.db.transaction() as s:  # a core insert: the session keeps no copy of the data
            await s.execute(insert(ImportUpload).values(
                id=new_id(), import_id=import_id, file_index=index, part=part, filename=filename[:300],
                content_type=content_type[:100], size=len(data), data=base64.b64encode(data).decode("ascii"),
                created_at=utcnow()))

    async def files(self, import_id: str) -> list[StoredFile]:
        """The run's stored files in upload order ([] when none are kept: a run from before 0022, or ended)."""
        async with self.db.session() as s:
            rows = await s.execute(
                select(ImportUpload.file_index, func.min(ImportUpload.filename), func.min(ImportUpload.content_type),
                       func.sum(ImportUpload.size), func.count())
                .where(ImportUpload.import_id == import_id)
                .group_by(ImportUpload.file_index).order_by(ImportUpload.file_index))
            return [StoredFile(int(i), name, ctype, int(size), int(n)) for i, name, ctype, size, n in rows.all()]

    async def part(self, import_id: str, index: int, part: int) -> bytes:
        """One stored part's bytes; KeyError when it is not there."""
        async with self.db.session() as s:
            data = (await s.execute(select(ImportUpload.data).where(
                ImportUpload.import_id == import_id, ImportUpload.file_index == index,
                ImportUpload.part == part))).scalar_one_or_none()
        if data is None:
            raise KeyError(f"import {import_id}: file {index} part {part} is not stored")
        return base64.b64decode(data)

    async def drop(self, import_id: str) -> int:
        """Delete the run's stored files; returns how many parts."""
        async with self.db.transaction() as s:
            res = await s.execute(delete(ImportUpload).where(ImportUpload.import_id == import_id))
            return res.rowcount or 0

    async def drop_finished(self) -> int:
        """Delete the files of runs that ended without deleting them (e.g. marked interrupted by a sweep)."""
        finished = select(CandidateImport.id).where(CandidateImport.status.not_in(UNFINISHED))
        async with self.db.session() as s:  # a plain read first: usually there is nothing to delete
            if (await s.execute(select(ImportUpload.id).where(ImportUpload.import_id.in_(finished))
                                .limit(1))).first() is None:
                return 0
        async with self.db.transaction() as s:
            res = await s.execute(delete(ImportUpload).where(ImportUpload.import_id.in_(finished)))
            return res.rowcount or 0
