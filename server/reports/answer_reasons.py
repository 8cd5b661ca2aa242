"""One score's reasons as a person reads them: the rubric level it matched, what placed it in that level, the
candidate's words that support it (with when they were said), what was missing, and what the AI is unsure about.

The scorer's feature codes and effects (``coverage:role 0.0``, ``cap:off_topic -1.3``) stay in the report's
``evidence`` for machines; nothing built here carries them. Evidence stored before notes and stances existed is
said in words from its code (dialogue/score_words.py ``legacy_note``), or left out when it cannot be.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from dialogue.score_words import legacy_note, legacy_stance

CODE_LIKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b|\b[a-z_]+:[a-z_]+\b|\([a-z_]+: [a-z_]+\)|\bcosine\b", re.IGNORECASE)
"""A machine's words: snake_case names, ``kind:value`` codes (also "(specificity: general)", as older follow-up
reasons said) and cosines; never in a sentence meant for people."""


def looks_like_code(text: str) -> bool:
    return bool(CODE_LIKE.search(text or ""))


@dataclass
class Reason:
    """What the answer has (or lacks), in words, with the candidate's words behind it and when they were said."""

    notes: list[str]
    quote: str = ""
    at: str = ""  # mm:ss into the interview; "" when not known
    text: str = ""  # the notes as one passage in the interview's language

    def said(self, lang: str) -> Reason:
        self.text = ("" if lang == "zh" else " ").join(self.notes)
        return self


@dataclass
class ScoreReasons:
    level: str  # the rubric level the score matched, in its plan's words
    level_reason: str | None  # what placed the score in that level
    supporting: list[Reason] = field(default_factory=list)
    missing: list[Reason] = field(default_factory=list)
    unsure: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _worded(evidence: dict, lang: str) -> tuple[str, str | None]:
    """(stance, note) of one stored piece of evidence; the note None when it cannot be said in words."""
    stance = evidence.get("stance") or legacy_stance(evidence.get("feature", ""), float(evidence.get("effect") or 0))
    note = (evidence.get("note") or "").strip() or legacy_note(evidence.get("feature", ""), stance, lang)
    if note and looks_like_code(note):
        note = None
    return stance, note


def _add_supporting(reasons: list[Reason], note: str, quote: str, at: str) -> None:
    """One reason per quote: what the same words of the candidate show is said together, each note once."""
    for r in reasons:
        if quote and r.quote == quote:
            if note not in r.notes:
                r.notes.append(note)
            return
        if not quote and not r.quote and note in r.notes:
            return
    reasons.append(Reason([note], quote, at))


def score_reasons(level: str, evidence: list[dict], uncertain: list[str], lang: str,
                  when: Callable[[str], str]) -> ScoreReasons:
    """``when(quote)`` is the mm:ss at which the candidate said ``quote`` ("" if not found)."""
    out = ScoreReasons(level=level if not looks_like_code(level) else "", level_reason=None)
    for e in evidence:
        stance, note = _worded(e, lang)
        if not note or stance == "fact":
            continue
        quote = (e.get("quote") or "").strip()
        if stance == "level":
            out.level_reason = note
        elif stance == "for":
            _add_supporting(out.supporting, note, quote, when(quote) if quote else "")
        elif note not in (m.notes[0] for m in out.missing):
            # what is missing needs no quote, except an expected point's closest sentence, which its note cites
            quote = quote if str(e.get("feature", "")).startswith("coverage:") else ""
            out.missing.append(Reason([note], quote, when(quote) if quote else ""))
    out.supporting.sort(key=lambda r: r.at or "99:99")  # in the order the candidate said them
    out.supporting = [r.said(lang) for r in out.supporting]
    out.missing = [r.said(lang) for r in out.missing]
    out.unsure = [u for u in uncertain if u and not looks_like_code(u)]
    return out
