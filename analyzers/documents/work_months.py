"""Months of work: a resume date as a month index, and the months a set of spans covers with overlaps once.

The resume reader (a resume's own years of experience) and the matcher (years of a kind of work) count the same
way: start and end months inclusive, "present" closed at ``today`` — the date the caller says it is, so that a
benchmark's labels "as of" a month and the HR page's "now" are both honoured.
"""

from __future__ import annotations

import re
from datetime import date

_PRESENT = ("present", "now", "current", "至今", "今")
_DATE = re.compile(r"(\d{4})(?:[-./年](\d{1,2}))?")


def month_index(value: str | None, today: date, end: bool = False) -> int | None:
    """``year * 12 + month - 1`` of "YYYY-MM", "YYYY.MM", "YYYY年M月", "YYYY" (January, or December when ``end``)
    or "present" (``today``'s month); None for anything else."""
    if not value:
        return None
    v = value.strip()
    if v.lower() in _PRESENT:
        return today.year * 12 + today.month - 1
    m = _DATE.match(v)
    if not m:
        return None
    month = int(m.group(2)) if m.group(2) else (12 if end else 1)
    if not 1 <= month <= 12:
        return None
    return int(m.group(1)) * 12 + month - 1


def union_months(spans: list[tuple[int, int]]) -> int:
    """The months covered by half-open ``(first, last + 1)`` spans, each month once."""
    months, cur = 0, None
    for a, b in sorted(spans):
        if cur is None or a > cur[1]:
            if cur:
                months += cur[1] - cur[0]
            cur = [a, b]
        else:
            cur[1] = max(cur[1], b)
    return months + (cur[1] - cur[0] if cur else 0)
