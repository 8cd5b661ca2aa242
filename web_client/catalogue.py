"""Every user-visible string of the pages and of the server-written reports, in English and Chinese.

The strings live in ``web_client/strings/<area>.json`` (``{"key": {"en": "...", "zh": "..."}}``), one file per area
so that work on different pages does not edit the same file. A key is unique across all files (``load`` refuses a
second one). The pages get the whole catalogue as one script (``script()``, served at ``/static/strings.js``, which
calls ``I18N.add`` once); the report and the PDF call ``text(key, lang, **values)``.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

STRINGS_DIR = Path(__file__).parent / "strings"
LANGUAGES = ("en", "zh")

Entry = dict[str, str]  # {"en": ..., "zh": ...}


class CatalogueError(ValueError):
    """A key defined twice, or an entry without both languages."""


def load(directory: Path = STRINGS_DIR) -> dict[str, Entry]:
    """All areas' strings merged into one catalogue, each key with the file it came from checked unique."""
    merged: dict[str, Entry] = {}
    origin: dict[str, str] = {}
    for path in sorted(directory.glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        for key, entry in entries.items():
            if key in merged:
                raise CatalogueError(f"{key!r} is in both {origin[key]} and {path.name}")
            if not isinstance(entry, dict) or set(entry) != set(LANGUAGES):
                raise CatalogueError(f"{path.name}: {key!r} needs exactly {LANGUAGES}")
            merged[key], origin[key] = entry, path.name
    return merged


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Entry]:
    return load()


def language(lang: str | None) -> str:
    """The catalogue's language for an interview or page language ("zh-CN" is "zh"; anything else English)."""
    return "zh" if (lang or "").lower().startswith("zh") else "en"


def text(key: str, lang: str | None, **values: object) -> str:
    """The string ``key`` in ``lang`` with each ``{name}`` replaced, as the pages' ``I18N.t`` does. An unknown key
    raises KeyError: the server never shows a key name to a reader."""
    out = catalogue()[key][language(lang)]
    for name, value in values.items():
        out = out.replace("{" + name + "}", str(value))
    return out


def has(key: str) -> bool:
    return key in catalogue()


@lru_cache(maxsize=1)
def script() -> bytes:
    """The page script that adds the whole catalogue to ``I18N`` (web_client/i18n.js) in one call."""
    cat = catalogue()
    tables = [json.dumps({k: v[lang] for k, v in cat.items()}, ensure_ascii=False, separators=(",", ":"))
              for lang in LANGUAGES]
    return (f"// Generated from web_client/strings/*.json by web_client/catalogue.py.\nI18N.add({tables[0]},\n"
            f"{tables[1]});\n").encode("utf-8")


@lru_cache(maxsize=1)
def etag() -> str:
    return '"' + hashlib.sha256(script()).hexdigest()[:32] + '"'
