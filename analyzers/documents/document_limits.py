"""What an uploaded document may unpack to: an Office file (DOCX, XLSX: a zip of XML parts) or a zip of resumes is
judged by its inside before anything is parsed, and a resume by the length of its text before it is stored.

A zip's directory declares each member's packed and unpacked size, and Python's zipfile never reads a member past
its declared size (a member that holds more fails its CRC check), so the declared sizes bound what a parser can
get out of it. A member that unpacks to much more than it takes packed (XML compresses 5-35x in Word's own files;
a zip bomb 1000x) is refused when it is large enough to matter.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import BinaryIO, Iterable

__all__ = ["MAX_RESUME_BYTES", "DocumentLimits", "member_count", "unpack_problem"]

MAX_RESUME_BYTES = 10 * 2**20
"""Largest resume file parsed by default (10 MiB; the import_max_file_bytes setting's default)."""


@dataclass(frozen=True)
class DocumentLimits:
    unpacked_bytes: int = 32 * 2**20
    """What all the members of an Office file may unpack to together (images included)."""
    xml_bytes: int = 8 * 2**20
    """What its XML parts (what the parser reads) may unpack to together."""
    ratio: float = 100.0
    """Largest unpacked/packed ratio of a member that unpacks to more than ``ratio_from_bytes``."""
    ratio_from_bytes: int = 2**20
    members: int = 2000
    """Most members an Office file may hold (Word writes about 20)."""
    text_chars: int = 100_000
    """Longest resume text stored (about 30 pages; resumes run to 2,000-6,000 characters); longer ones are refused,
    not cut (the parser's cost and every later match listing grow with it)."""


def _mb(n: float) -> str:
    return f"{n / 2**20:,.1f} MB"


def member_count(fh: BinaryIO) -> int | None:
    """The member count the zip's end record declares, read before zipfile builds its directory in memory (None
    when it cannot be read; zipfile then judges the archive)."""
    try:
        end = zipfile._EndRecData(fh)  # noqa: SLF001 - the only reader of the end record without the directory
    except Exception:  # noqa: BLE001
        end = None
    finally:
        fh.seek(0)
    return None if not end else int(end[zipfile._ECD_ENTRIES_TOTAL])  # noqa: SLF001


def unpack_problem(infos: Iterable[zipfile.ZipInfo], limits: DocumentLimits, *,
                   total_limit: int | None = None, office: bool = True) -> str | None:
    """Why these members may not be unpacked (for people), or None. ``total_limit`` replaces the limits' own (a zip
    of resumes has its own); ``office=False``: the members are whole files, not XML parts to count."""
    total = xml = 0
    total_limit = limits.unpacked_bytes if total_limit is None else total_limit
    for info in infos:
        total += info.file_size
        if info.filename.lower().endswith((".xml", ".rels")):
            xml += info.file_size
        if info.file_size > limits.ratio_from_bytes and info.file_size > limits.ratio * max(1, info.compress_size):
            return (f"{info.filename} unpacks to {_mb(info.file_size)} from {_mb(info.compress_size)} "
                    f"({info.file_size / max(1, info.compress_size):,.0f} times; at most {limits.ratio:,.0f} times "
                    "is accepted)")
    if total > total_limit:
        return f"it unpacks to {_mb(total)}; the limit is {_mb(total_limit)}"
    if office and xml > limits.xml_bytes:
        return f"its text parts unpack to {_mb(xml)}; the limit is {_mb(limits.xml_bytes)}"
    return None
