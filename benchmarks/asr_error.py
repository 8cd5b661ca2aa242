"""Word error rate (English) and character error rate (Chinese) of a recognised text against its reference.

Both sides are normalised the same way before they are compared, so that only what a reader would call a
recognition error counts: case, punctuation and fillers ("um", "uh", 嗯, 呃) are dropped, and numbers written as
digits are spelled out (English words, a year as "twenty nineteen"; Chinese numerals, "40%" as 百分之四十), since a
recogniser writing "40" for "forty" has heard it right. Chinese is compared character by character (a Latin word inside it counts as one
unit). The script is not normalised: a Traditional character where the reference has a Simplified one is an error,
as it is on the candidate's screen.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

EN_FILLERS = frozenset({"um", "uh", "er", "erm", "hmm", "mm", "ah"})
ZH_FILLERS = frozenset("嗯呃")
_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
         "seventeen eighteen nineteen").split()
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_ZH_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class ErrorCount:
    """Edit operations turning the reference into the hypothesis, in units (words or characters)."""

    substitutions: int = 0
    deletions: int = 0
    insertions: int = 0
    reference_units: int = 0

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def rate(self) -> float | None:
        return self.errors / self.reference_units if self.reference_units else None

    def __add__(self, other: ErrorCount) -> ErrorCount:
        return ErrorCount(self.substitutions + other.substitutions, self.deletions + other.deletions,
                          self.insertions + other.insertions, self.reference_units + other.reference_units)


def english_words(n: int) -> str:
    """``n`` spelled out ("one hundred twenty three")."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    for size, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            rest = n % size
            return f"{english_words(n // size)} {name}" + (f" {english_words(rest)}" if rest else "")
    raise AssertionError(n)


def chinese_numeral(n: int) -> str:
    """``n`` as a Chinese numeral (四十, 一百零五, 两千 is written 二千: both sides are normalised alike)."""
    if n < 10:
        return _ZH_DIGITS[n]
    if n >= 10**8:
        return chinese_numeral(n // 10**8) + "亿" + _zh_rest(n % 10**8, 10**7)
    if n >= 10**4:
        return chinese_numeral(n // 10**4) + "万" + _zh_rest(n % 10**4, 1000)
    out, started, zero = "", False, False
    for size, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // size % 10
        if digit:
            if zero:
                out += "零"
            out += ("" if (size == 10 and digit == 1 and not started) else _ZH_DIGITS[digit]) + unit
            started, zero = True, False
        elif started:
            zero = True
    return out


def _zh_rest(rest: int, lead: int) -> str:
    if not rest:
        return ""
    return ("零" if rest < lead else "") + chinese_numeral(rest)


def normalise_english(text: str) -> list[str]:
    t = unicodedata.normalize("NFKC", text).lower()
    t = t.replace("%", " percent ").replace("$", " dollars ").replace("&", " and ")
    t = re.sub(r"(?<=\d),(?=\d{3})", "", t)
    t = re.sub(r"\d+(?:\.\d+)?", lambda m: " " + _spell_en(m.group(0)) + " ", t)
    t = re.sub(r"[^a-z0-9' ]+", " ", t).replace("'", "")
    return [w for w in t.split() if w not in EN_FILLERS]


def _spell_en(number: str) -> str:
    whole, _, frac = number.partition(".")
    value = int(whole)
    if not frac and len(whole) == 4 and 1910 <= value < 2100 and value % 100 >= 10:  # a year: "twenty nineteen"
        return f"{english_words(value // 100)} {english_words(value % 100)}"
    words = english_words(value)
    return words + (" point " + " ".join(_ONES[int(c)] for c in frac) if frac else "")


def normalise_chinese(text: str) -> list[str]:
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"(\d+)%", lambda m: "百分之" + chinese_numeral(int(m.group(1))), t)
    t = re.sub(r"\d+", lambda m: _read_zh_digits(m.group(0)), t)
    units: list[str] = []
    for m in re.finditer(r"[A-Za-z]+|[\u3400-\u9fff\uf900-\ufaff]", t):
        unit = m.group(0).lower()
        if unit not in ZH_FILLERS:
            units.append(unit)
    return units


def _read_zh_digits(digits: str) -> str:
    """A year (four digits from 1900) is read digit by digit (二零一九), other numbers by value."""
    if len(digits) == 4 and digits[:2] in ("19", "20"):
        return "".join(_ZH_DIGITS[int(c)] for c in digits)
    return chinese_numeral(int(digits))


def normalise(text: str, language: str) -> list[str]:
    return normalise_chinese(text) if language.startswith("zh") else normalise_english(text)


def count_errors(reference: list[str], hypothesis: list[str]) -> ErrorCount:
    """Levenshtein alignment of unit lists, with the operations counted (ties prefer substitutions)."""
    n, m = len(reference), len(hypothesis)
    # each cell: (cost, substitutions, deletions, insertions)
    prev = [(j, 0, 0, j) for j in range(m + 1)]
    for i in range(1, n + 1):
        cur = [(i, 0, i, 0)]
        for j in range(1, m + 1):
            same = reference[i - 1] == hypothesis[j - 1]
            d = prev[j - 1]
            diag = (d[0] + (not same), d[1] + (not same), d[2], d[3])
            up = prev[j]
            dele = (up[0] + 1, up[1], up[2] + 1, up[3])
            left = cur[j - 1]
            ins = (left[0] + 1, left[1], left[2], left[3] + 1)
            cur.append(min(diag, dele, ins, key=lambda c: c[0]))
        prev = cur
    _, s, d, ins = prev[m]
    return ErrorCount(s, d, ins, n)


def error_count(reference: str, hypothesis: str, language: str) -> ErrorCount:
    return count_errors(normalise(reference, language), normalise(hypothesis, language))
