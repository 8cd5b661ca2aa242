"""Where sentences end, in English, Chinese and text that mixes both.

A sentence ends after a run of 。！？!? (and, unless ``soft_ends`` is off, ；;…), with any closing quotes or
brackets that follow; after a full stop that is followed by white space and then something that starts a new
sentence (a capital, a digit, an opening quote or bracket, a Han character) or by the end of the text; and at
a line break. So "1,200", "3.5", "1.2万", "v2.1" and "e.g. Python" stay whole, and so does "No. 5".
Clauses end after the commas, semicolons and colons inside a sentence as well, but never inside a number
("1,200", "10:30").
"""

from __future__ import annotations

import re

from analyzers.text.script import HAN

_CLOSERS = "\"'”’」』）)》"
_HARD_ENDS = "。！？!?"
_SOFT_ENDS = "；;…"
_NEW_SENTENCE = rf"[A-Z0-9\"'“‘(（{HAN}]"


def _boundary(ends: str) -> re.Pattern[str]:
    return re.compile(
        rf"[{ends}]+[{_CLOSERS}]*\s*"  # CJK or ! ? ends, any spacing after them
        rf"|(?<![.])\.+[{_CLOSERS}]*(?:\s+(?={_NEW_SENTENCE})|\s*$)"  # a full stop before a new sentence
        r"|\s*\n\s*"
    )


_BOUNDARY = _boundary(_HARD_ENDS + _SOFT_ENDS)
_HARD_BOUNDARY = _boundary(_HARD_ENDS)
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|mr|mrs|ms|dr|prof|inc|ltd|approx)$", re.IGNORECASE)
_NUMBER_ABBREVIATION = re.compile(r"\bno$", re.IGNORECASE)  # "No. 5"


def _is_abbreviation(before: str, after: str) -> bool:
    return bool(_ABBREVIATION.search(before) or (_NUMBER_ABBREVIATION.search(before) and after[:1].isdigit()))


def split_sentences(text: str, *, soft_ends: bool = True) -> list[str]:
    """The sentences of ``text``, stripped, in order; nothing but white space is dropped. With ``soft_ends``
    off, semicolons and ellipses do not end a sentence (for finding the sentence an utterance ends with)."""
    text = text or ""
    out: list[str] = []
    start = 0
    for m in (_BOUNDARY if soft_ends else _HARD_BOUNDARY).finditer(text):
        if m.group(0).startswith(".") and _is_abbreviation(text[start : m.start()], text[m.end() :]):
            continue
        if text[start : m.end()].strip():
            out.append(text[start : m.end()].strip())
        start = m.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


_CLAUSE_MARKS = "，,；;：:"
_DIGIT_SEPARATORS = ",:"  # "1,200", "10:30": no clause ends here


def split_clauses(text: str, *, list_commas: bool = False) -> list[str]:
    """The clauses of ``text``, each with the mark that ends it, stripped. With ``list_commas`` the
    enumeration comma 、 ends a clause too (to cut a long run anywhere it can be cut)."""
    marks = _CLAUSE_MARKS + _HARD_ENDS + _SOFT_ENDS + ("、" if list_commas else "")
    out: list[str] = []
    start = 0
    for i, ch in enumerate(text or ""):
        if ch not in marks:
            continue
        if ch in _DIGIT_SEPARATORS and text[i - 1 : i].isdigit() and text[i + 1 : i + 2].isdigit():
            continue
        if text[i + 1 : i + 2] in marks and text[i + 1 : i + 2]:
            continue  # a run of marks ("?!", "……") ends one clause
        if text[start : i + 1].strip():
            out.append(text[start : i + 1].strip())
        start = i + 1
    if (text or "")[start:].strip():
        out.append(text[start:].strip())
    return out
