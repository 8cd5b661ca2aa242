"""Filler words in a transcript, English and Chinese: hesitation sounds (um, uh, 嗯, 呃) apart from discourse
markers (like, you know, 那个, 就是, 然后). Markers are also ordinary words, so they count only where they stand
apart, and their counts are an upper bound to be read with the quote (``text_around``). Used by the voice analyzer
(analyzers/voice.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

__all__ = ["FillerHit", "count_fillers", "text_around"]



@dataclass(frozen=True)
class FillerHit:
    term: str  # normalised filler, e.g. "um", "you know", "嗯"
    kind: str  # "hesitation" | "discourse_marker"
    start: int  # character offsets in the text
    end: int


# English: hesitation sounds always count; discourse markers only where they stand apart (comma, sentence edge),
# so "I like Python" or "you know the answer" are not counted.
_EN_HESITATION = re.compile(r"\b(u+m+|u+h+m*|e+r+m+|e+r+|a+h+|h+m+|m+h*m+)\b", re.IGNORECASE)
_EN_DISCOURSE = re.compile(
    r"(?:\b(?P<a>like|you know|i mean|basically|you see)\b(?=\s*,))"
    r"|(?:(?:^|(?<=[,.;:!?—–]))\s*\b(?P<b>like|you know|i mean|you see)\b(?=\s*[.;:!?—–]|\s*$))"
    r"|(?:(?<![Ww]hat )(?<![Tt]his )(?<![Tt]hat )(?<![Aa] )(?<![Aa]ny )(?<![Ss]ome )(?<![Tt]he )(?<![Ww]hich )"
    r"(?<![Ee]very )(?<![Ss]ame )\b(?P<c>kind of|sort of)\b)",
    re.IGNORECASE,
)
# Chinese: hesitation sounds; discourse markers longest first (就是说 before 就是). 这个/额/啊 count only when set
# off by punctuation or repeated, since they are also ordinary words (这个项目, 金额, sentence-final 啊).
_ZH_HESITATION = re.compile(r"嗯+|呃+|(?:(?<=^)|(?<=[，。！？；、,.!?;\s]))(?:额+|啊+|唔+)(?=[，。！？；、,.!?;\s]|$)")
_ZH_DISCOURSE = re.compile(r"怎么说呢|就是说|那个|就是|然后|这个(?=[，,、]|这个)|(?<=这个)这个")


def count_fillers(text: str, language: str | None = None) -> list[FillerHit]:
    """Filler words in ``text`` (English and Chinese patterns both apply to mixed speech), in text order."""
    hits: list[FillerHit] = []
    for m in _EN_HESITATION.finditer(text):
        term = m.group(1).lower()
        norm = "um" if term.startswith("u") and "m" in term else "uh" if term.startswith("u") else (
            "er" if term.startswith("e") else "hmm" if term.startswith(("h", "m")) else "ah")
        hits.append(FillerHit(norm, "hesitation", m.start(1), m.end(1)))
    for m in _EN_DISCOURSE.finditer(text):
        name = next(g for g in ("a", "b", "c") if m.group(g))
        hits.append(FillerHit(m.group(name).lower(), "discourse_marker", m.start(name), m.end(name)))
    for m in _ZH_HESITATION.finditer(text):
        hits.append(FillerHit(m.group(0)[0], "hesitation", m.start(), m.end()))
    for m in _ZH_DISCOURSE.finditer(text):
        hits.append(FillerHit(m.group(0), "discourse_marker", m.start(), m.end()))
    hits.sort(key=lambda h: (h.start, -h.end))
    out: list[FillerHit] = []
    for h in hits:  # drop overlaps (a pattern matched inside an earlier, longer hit)
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out


def text_around(text: str, spans: Sequence[tuple[int, int]], context: int) -> str:
    """The text around each span (merged where they overlap), joined with an ellipsis."""
    if not spans:
        return ""
    windows: list[list[int]] = []
    for s, e in sorted(spans):
        a, b = max(0, s - context), min(len(text), e + context)
        if windows and a <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], b)
        else:
            windows.append([a, b])
    parts = []
    for a, b in windows:
        piece = text[a:b].strip()
        parts.append(("…" if a > 0 else "") + piece + ("…" if b < len(text) else ""))
    return " ".join(parts)
