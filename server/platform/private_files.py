"""The server's own files readable by its user only: the data folder 0700, the SQLite database (and the WAL and
shared-memory files SQLite creates with the database's mode), generated keys and uploads 0600. A folder or file
the operator made with wider permissions is narrowed when this process owns it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)


def _narrow(path: Path, mode: int) -> None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    if st.st_uid == os.getuid() and stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(path, mode)
        log.info("permissions_narrowed", path=str(path), mode=oct(mode))


def private_dir(path: Path) -> Path:
    """``path`` as a folder only this user may enter (made with its missing parents)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _narrow(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file only this user may read (created empty when missing, never truncated)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    _narrow(path, 0o600)
    return path


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to a new file that is private from its first byte (``path`` must not exist yet)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def private_sqlite(database_url: str) -> None:
    """The SQLite file of ``database_url`` and its folder private before SQLite opens it (nothing for other
    databases or for in-memory SQLite)."""
    if not database_url.startswith("sqlite") or ":memory:" in database_url or "///" not in database_url:
        return
    path = Path(database_url.split("///", 1)[1].split("?", 1)[0])
    if not path.parent.exists():
        private_dir(path.parent)
    private_file(path)
    for extra in ("-wal", "-shm", "-journal"):
        _narrow(path.with_name(path.name + extra), 0o600)
