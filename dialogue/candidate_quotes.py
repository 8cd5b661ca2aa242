"""Quoting the candidate's own words: a short verbatim span of a sentence for a follow-up to quote, and whether a
quote (e.g. one a model proposes) really is the candidate's words."""

from __future__ import annotations

import re

from analyzers.text.language import is_chinese_code
from analyzers.text.script import mostly_han
from analyzers.text.sentences import split_clauses

_END_PUNCT = " \t\n.,;:!?。，；：！？、…\"'“”‘’「」"


def short_quote(sentence: str, language: str, focus: str | None = None, max_words: int = 12,
                max_chars: int = 20) -> str:
    """A verbatim span of ``sentence``: the clause/words around ``focus`` (if given and found), at most
    ``max_words`` English words or ``max_chars`` Chinese characters; a cut is marked with "…"."""
    s = (sentence or "").strip()
    if not s:
        return ""
    if is_chinese_code(language) or mostly_han(s):
        clauses = [c.strip(_END_PUNCT) for c in split_clauses(s) if c.strip(_END_PUNCT)]
        clause = next((c for c in clauses if focus and focus in c), clauses[0] if clauses else s)
        if len(clause) <= max_chars:
            return clause.strip(_END_PUNCT)
        at = clause.find(focus) if focus and focus in clause else 0
        start = max(0, min(at - max_chars // 4, len(clause) - max_chars))
        piece = clause[start : start + max_chars]
        return ("…" if start > 0 else "") + piece.strip(_END_PUNCT) + ("…" if start + max_chars < len(clause) else "")
    words = s.split()
    if len(words) <= max_words:
        return s.strip(_END_PUNCT)
    at = 0
    if focus:
        pos = s.lower().find(focus.lower())
        if pos >= 0:
            at = len(s[:pos].split())
    start = max(0, min(at - 3, len(words) - max_words))
    piece = " ".join(words[start : start + max_words]).strip(_END_PUNCT)
    return ("…" if start > 0 else "") + piece + ("…" if start + max_words < len(words) else "")


def _norm(s: str) -> str:
    return re.sub(r"[\s\"'“”‘’「」]+", " ", s).strip().lower()


def is_verbatim(quote: str, answer: str) -> bool:
    """Every part of ``quote`` (cuts marked with "…") is in ``answer``, ignoring case, spacing and quote marks."""
    a = _norm(answer)
    parts = [p.strip(_END_PUNCT) for p in re.split(r"…|\.\.\.", quote)]
    return all(_norm(p) in a for p in parts if p.strip(_END_PUNCT))


_SAME_MARKS = ["，,", "。.", "；;", "：:", "！!", "？?", "（(", "）)", "、,", "\"“”", "'‘’"]


def _char_pattern(ch: str) -> str:
    same = next((marks for marks in _SAME_MARKS if ch in marks), None)
    return f"[{re.escape(same)}]" if same else re.escape(ch)


def exact_span(quote: str, answer: str) -> str | None:
    """The answer's own text for a quote of it (pieces joined by "…"), tolerating case, spacing and the width of
    punctuation marks; None if a piece is not in the answer."""
    spans = []
    for part in filter(None, (p.strip(_END_PUNCT) for p in re.split(r"…|\.\.\.", quote))):
        pattern = r"\s*".join("".join(map(_char_pattern, word)) for word in part.split())
        found = re.search(pattern, answer, re.IGNORECASE)
        if found is None:
            return None
        spans.append(found.group(0))
    return " … ".join(spans) or None
