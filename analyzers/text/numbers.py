"""Whole numbers written as digits, Chinese numerals ("十五", "两百", "三千二百", "一万二千") or English words
("twelve", "twenty-five")."""

from __future__ import annotations

ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_SECTIONS = {"万": 10_000, "亿": 100_000_000}

EN_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "a dozen": 12,
}
_EN_TENS = ("twenty", "thirty", "forty", "fifty")
EN_NUMBER_PATTERN = (rf"(?:{'|'.join(_EN_TENS)})-(?:one|two|three|four|five|six|seven|eight|nine)|"
                     + "|".join(sorted(EN_NUMBER_WORDS, key=len, reverse=True)))
"""A regex alternation of every word :func:`english_int` reads, longest first (embed it in a group)."""


def chinese_int(s: str) -> int | None:
    """The value of digits or a Chinese numeral ("十二" 12, "三十二" 32, "两百" 200, "一万二千" 12000); a
    run of bare digits is read digit by digit ("二零二一" 2021). None if ``s`` is neither."""
    s = (s or "").strip()
    if not s:
        return None
    if s.isdecimal():
        return int(s)
    if all(ch in ZH_DIGITS for ch in s):
        return int("".join(str(ZH_DIGITS[ch]) for ch in s))
    total, section, digit = 0, 0, 0
    for ch in s:
        if ch in ZH_DIGITS:
            digit = ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            section += (digit or 1) * _ZH_UNITS[ch]
            digit = 0
        elif ch in _ZH_SECTIONS:
            total += (section + digit or 1) * _ZH_SECTIONS[ch]
            section, digit = 0, 0
        else:
            return None
    return total + section + digit


def english_int(s: str) -> int | None:
    """The value of an English number word up to fifty ("nine", "a dozen", "twenty-five"); None otherwise."""
    s = " ".join((s or "").lower().split())
    if s in EN_NUMBER_WORDS:
        return EN_NUMBER_WORDS[s]
    tens, _, unit = s.partition("-")
    if tens in _EN_TENS and EN_NUMBER_WORDS.get(unit, 10) < 10:
        return EN_NUMBER_WORDS[tens] + EN_NUMBER_WORDS[unit]
    return None


def parse_int(s: str) -> int | None:
    """Digits, an English number word or a Chinese numeral; None if ``s`` is none of them."""
    value = english_int(s)
    return value if value is not None else chinese_int(s)
