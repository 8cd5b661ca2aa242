"""Numbers written in Chinese characters or digits ("十五", "两百", "12"), shared by the text analyzers."""

from __future__ import annotations

ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_int(s: str) -> int | None:
    """The value of digits or a Chinese numeral up to the hundreds; None if ``s`` is neither."""
    if s.isdigit():
        return int(s)
    total, cur = 0, 0
    for ch in s:
        if ch in ZH_DIGITS:
            cur = ZH_DIGITS[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            return None
    return total + cur
