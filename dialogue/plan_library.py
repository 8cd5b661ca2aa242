"""The default plan library: ready-made bilingual plans for common roles, shipped in :mod:`dialogue.plans`.

Each plan is one YAML file, ``dialogue/plans/<id>.yaml``; files are read through :mod:`importlib.resources`
so the library also works from an installed wheel or zip.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

from dialogue.plan import InterviewPlanSpec
from dialogue.plan_io import load_plan

__all__ = ["list_library", "library_plan"]

_PACKAGE = "dialogue.plans"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _files() -> dict[str, Any]:
    out = {}
    for entry in resources.files(_PACKAGE).iterdir():
        name = entry.name
        if entry.is_file() and name.endswith((".yaml", ".yml")):
            out[name.rsplit(".", 1)[0]] = entry
    return dict(sorted(out.items()))


@lru_cache(maxsize=None)
def _load(plan_id: str) -> InterviewPlanSpec:
    entry = _files().get(plan_id)
    if entry is None:
        raise KeyError(plan_id)
    return load_plan(entry.read_bytes(), "yaml")


def list_library() -> list[dict[str, Any]]:
    """``[{"id": "software-engineer", "title": {"en": ..., "zh": ...}, "role": "Software Engineer"}, ...]``."""
    out = []
    for plan_id in _files():
        plan = _load(plan_id)
        out.append({"id": plan_id, "title": dict(plan.title), "role": plan.role})
    return out


def library_plan(plan_id: str) -> InterviewPlanSpec:
    """A fresh copy of one library plan; ``KeyError`` for an unknown id."""
    if not isinstance(plan_id, str) or not _ID.match(plan_id):
        raise KeyError(f"no library plan {plan_id!r}")
    try:
        return _load(plan_id).model_copy(deep=True)
    except KeyError:
        raise KeyError(f"no library plan {plan_id!r}") from None
