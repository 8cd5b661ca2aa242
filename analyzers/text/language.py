"""The product's two languages and how any language code or name maps onto them."""

from __future__ import annotations

import re
from typing import Literal

from analyzers.text.script import mostly_han

Language = Literal["en", "zh"]

_CHINESE_CODES = frozenset({"zh", "zho", "chi", "cmn", "yue", "chinese"})


def is_chinese_code(value: object) -> bool:
    """``value`` names Chinese: "zh", "zh-CN", "zh_Hans", "cmn", "yue", "Chinese" (case-insensitive)."""
    primary = re.split(r"[-_]", str(value or "").strip().lower(), maxsplit=1)[0]
    return primary in _CHINESE_CODES


def normalise_language(value: object) -> Language:
    """"zh" for any code or name of Chinese, "en" for everything else (English, None, empty, unsupported
    languages such as "ko"): the product speaks English where it cannot speak the language asked for."""
    return "zh" if is_chinese_code(value) else "en"


def language_of_text(text: str) -> Language:
    """The language a text is written in, from its script (more Han characters than English words: Chinese)."""
    return "zh" if mostly_han(text) else "en"


def is_auto(value: object) -> bool:
    """No language was given ("", None or "auto"): decide from the text."""
    return str(value or "").strip().lower() in ("", "auto")


def resolve_language(value: object, text: str) -> Language:
    """``value`` normalised, or where it gives none (:func:`is_auto`) the language ``text`` is written in."""
    return language_of_text(text) if is_auto(value) else normalise_language(value)
