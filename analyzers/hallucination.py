"""What a Whisper decode says that was not said: the same phrase over and over.

Whisper's decoder can fall into a loop and write one phrase many times ("I led the team. I led the team. I led
the team."), most often on a short clip or at the end of one. People do repeat themselves, but not a phrase of
three or more words (three Han characters) twice in a row, nor a short word five times: such runs are kept
once. Units are English words and Han characters (``analyzers.text.script``), compared without case and
punctuation, so one rule serves both languages.
"""

from __future__ import annotations

import re
from typing import Sequence

from analyzers.text.script import HAN

MIN_PHRASE_UNITS = 3
"""A phrase this long (words or Han characters) said twice in a row is a decoder loop."""
MIN_SHORT_COPIES = 5
"""A shorter phrase ("no", "对") counts as a loop only from this many copies in a row ("对对对对" is speech)."""
MAX_PHRASE_TOKENS = 48
"""Longest phrase looked for (a long sentence); bounds the search to O(tokens x this)."""

_UNIT = re.compile(rf"[{HAN}]|[^\s{HAN}]+")
_KEY_DROP = re.compile(r"[^\w]+")
_HAN_CHAR = re.compile(f"[{HAN}]")


def _key(token: str) -> str:
    return _KEY_DROP.sub("", token.lower())


def _units(key: str) -> int:
    """A token's weight: its Han characters, or 1 for a word without any."""
    han = len(_HAN_CHAR.findall(key))
    return han if han else (1 if key else 0)


def repeat_runs(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """Index ranges ``[a, b)`` of ``tokens`` that only repeat the phrase just before them (the copies after the
    first), in order and not overlapping. Tokens that are only punctuation are skipped when comparing."""
    idx = [i for i, t in enumerate(tokens) if _key(t)]
    keys = [_key(tokens[i]) for i in idx]
    runs: list[tuple[int, int]] = []
    i, n = 0, len(keys)
    while i < n:
        found = None
        for size in range(1, min(MAX_PHRASE_TOKENS, (n - i) // 2) + 1):
            phrase = keys[i : i + size]
            copies = 1
            while keys[i + copies * size : i + (copies + 1) * size] == phrase:
                copies += 1
            if copies < 2:
                continue
            weight = sum(_units(k) for k in phrase)
            if weight >= MIN_PHRASE_UNITS or copies >= MIN_SHORT_COPIES:
                found = (size, copies)
                break
        if found is None:
            i += 1
            continue
        size, copies = found
        first, last = i + size, i + copies * size  # the copies after the first, in ``keys`` positions
        end = idx[last] if last < n else len(tokens)
        runs.append((idx[first], end))
        i = last
    return runs


def kept_indices(tokens: Sequence[str]) -> list[int]:
    """Indices of ``tokens`` left after dropping repeated copies (``repeat_runs``)."""
    drop = set()
    for a, b in repeat_runs(tokens):
        drop.update(range(a, b))
    return [i for i in range(len(tokens)) if i not in drop]


def collapse_repeats(text: str) -> str:
    """``text`` with every phrase that a decoder loop repeated kept once (its first copy, with its punctuation)."""
    spans = [(m.start(), m.end()) for m in _UNIT.finditer(text)]
    runs = repeat_runs([text[a:b] for a, b in spans])
    if not runs:
        return text
    out, pos = [], 0
    for a, b in runs:
        out.append(text[pos : spans[a][0]])
        pos = spans[b][0] if b < len(spans) else len(text)
    out.append(text[pos:])
    return "".join(out).strip()


def has_repeats(text: str) -> bool:
    return bool(repeat_runs(_UNIT.findall(text)))
