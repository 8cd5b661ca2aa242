"""A resume's match against a job: the per-requirement results, the score, and HR's overrides.

Score (0-100): each requirement earns credit met 1, partly 0.5, missing 0, weighted ``MUST_WEIGHT`` (3) for
must-haves and ``NICE_WEIGHT`` (1) for nice-to-haves; score = 100 * sum(weight * credit) / sum(weight). A
missing must-have caps the score at ``MISSING_MUST_CAP`` (40) minus ``MISSING_MUST_STEP`` (10) per further
missing must-have (floor 0), so a candidate lacking a must-have never outranks one who has all must-haves at
least partly and a raw score above 40. ``MatchResult.raw_score`` keeps the uncapped value and ``cap`` says why.

HR overrides: ``apply_override(result, requirement_id, status, note, by=...)`` returns a new result with that
requirement's status replaced (the automatic status, who, why and when are kept on the item and in
``result.overrides``) and the score recomputed with the same rule. ``job_matching.rank(..., overrides=...)``
applies stored overrides (``with_override``) before sorting.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, Field

__all__ = [
    "MISSING_MUST_CAP",
    "MUST_WEIGHT",
    "NICE_WEIGHT",
    "MatchResult",
    "Override",
    "REASONS",
    "Reason",
    "RequirementMatch",
    "apply_override",
    "compute_score",
    "scored_result",
    "why",
    "with_override",
]

Status = Literal["met", "partly", "missing"]
CREDIT: dict[str, float] = {"met": 1.0, "partly": 0.5, "missing": 0.0}
MUST_WEIGHT = 3.0
NICE_WEIGHT = 1.0
MISSING_MUST_CAP = 40.0
MISSING_MUST_STEP = 10.0


class Override(BaseModel):
    requirement_id: str
    status: Status
    note: str = ""
    by: str | None = None
    at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    previous_status: Status | None = None  # the status before this override


# Why a verdict was given, one message per kind of reason, in words a recruiter reads: ``explanation`` is these in
# English, ``reasons`` the codes with their values, so a page can say the same in its own language
# (web_client/strings/hr.json, ``rs_<code>``; tests/test_job_matching.py checks every code is there). The
# requirement itself is shown beside its reason, so a reason does not repeat it; a resume's words are quoted.
REASONS: dict[str, str] = {
    "skill_listed": "found in the resume: “{found}”",
    "skill_alias": "the resume lists “{found}”, which counts as {skill}",
    "skill_in_text": "mentioned in the resume's text",
    "skill_implied": "the resume lists “{found}”, which implies {skill}",
    "skill_similar": "not named as such; the closest in the resume is “{found}” (similarity {cosine:.2f} of 1)",
    "skill_closest": "not in the resume; the closest skill it lists is “{found}” (similarity {cosine:.2f} of 1)",
    "skill_not_found": "not found in the resume",
    "one_of": "one of the options asked for: {names}",
    "none_of": "none of {names} is named in the resume",
    "country_elsewhere": "asked for in {country_name}, but the resume shows it only in {elsewhere_names}",
    "below_expert": "the resume says “{found}”, a lower level than the expert use asked for",
    "years_in": "{have:.1f} of {total:.1f} years of work were in {subject} (internships and part-time not counted); "
                "{need:g} required",
    "years_in_any": "{have:.1f} of {total:.1f} years of work were in the kind of work asked for (internships and "
                    "part-time not counted); {need:g} required",
    "no_years": "the resume states no years of experience and no dated jobs",
    "years": "{have:.1f} years of experience; {need:g} required",
    "no_degree": "the resume states no degree",
    "degree": "highest degree: {have_level}; {need_level} or higher required",
    "major_in": "studied {major}, one of: {majors}",
    "major_not_in": "studied {major}, which is not one of: {majors}",
    "major_unknown": "field of study not stated; required: {majors}",
    "resume_language": "inferred from the resume's language: it is written in {language} (no level stated)",
    "language_working": "the resume states {language} at a working level",
    "language_not_fluent": "{language} is mentioned, but not at a fluent or working level (an exam certificate or a "
                           "basic level is not fluency)",
    "language_missing": "{language} is not mentioned in the resume",
    "language_listed": "listed under languages: {found}",
    "language_in_text": "the resume's text states {language} ability",
    "team": "led a team of {size}",
    "team_vs": "led a team of {size}; {need} required",
    "management_title": "held a management title: “{title}”",
    "management_title_no_size": "held a management title (“{title}”) but states no team size; {need} required",
    "no_management": "the resume shows no team led and no management title",
}


class Reason(BaseModel):
    code: str  # a key of REASONS
    values: dict[str, str | float | int] = Field(default_factory=dict)


def why(*parts: tuple[str, dict]) -> dict:
    """``explanation`` (the parts in English, joined by "; ") and ``reasons`` for a RequirementMatch: pass
    ``("code", {values})`` pairs."""
    return {"explanation": "; ".join(REASONS[code].format(**values) for code, values in parts),
            "reasons": [Reason(code=code, values=values) for code, values in parts]}


class RequirementMatch(BaseModel):
    requirement_id: str
    kind: str
    requirement: str  # the requirement's text
    must_have: bool
    status: Status
    auto_status: Status  # what the matcher decided (differs from status after an override)
    evidence: list[str] = Field(default_factory=list)  # resume text, verbatim
    method: str = "none"  # alias | normalised | embedding | numeric | work_history | ordinal | title | ...
    similarity: float | None = None  # the cosine when method == "embedding"
    explanation: str = ""  # why, in English (``reasons`` says the same as message codes)
    reasons: list[Reason] = Field(default_factory=list)
    override: Override | None = None


class MatchResult(BaseModel):
    candidate_id: str | None = None
    score: float  # 0-100, after the must-have cap
    raw_score: float  # before the cap
    cap: str | None = None  # why the score was capped
    must_haves_met: int = 0
    must_haves_total: int = 0
    items: list[RequirementMatch] = Field(default_factory=list)
    overrides: list[Override] = Field(default_factory=list)  # the audit trail, oldest first

    def item(self, requirement_id: str) -> RequirementMatch:
        for it in self.items:
            if it.requirement_id == requirement_id:
                return it
        raise KeyError(requirement_id)


# --------------------------------------------------------------------------------------------------- scoring


def compute_score(items: list[RequirementMatch]) -> tuple[float, float, str | None, int, int]:
    """(score, raw score, cap reason, must-haves met or partly, must-haves total) by the module-doc rule."""
    total = sum(MUST_WEIGHT if it.must_have else NICE_WEIGHT for it in items)
    got = sum((MUST_WEIGHT if it.must_have else NICE_WEIGHT) * CREDIT[it.status] for it in items)
    raw = round(100.0 * got / total, 1) if total else 0.0
    musts = [it for it in items if it.must_have]
    missing = [it for it in musts if it.status == "missing"]
    score, cap = raw, None
    if missing:
        limit = max(0.0, MISSING_MUST_CAP - MISSING_MUST_STEP * (len(missing) - 1))
        if raw > limit:
            score = limit
        names = ", ".join(it.requirement for it in missing)
        cap = f"{len(missing)} must-have(s) missing ({names}): score capped at {limit:g}"
    return score, raw, cap, len(musts) - len(missing), len(musts)


def scored_result(items: list[RequirementMatch], candidate_id: str | None, overrides: list[Override]) -> MatchResult:
    """The result of these per-requirement matches, scored by the module-doc rule."""
    score, raw, cap, met, total = compute_score(items)
    return MatchResult(candidate_id=candidate_id, score=score, raw_score=raw, cap=cap, must_haves_met=met,
                       must_haves_total=total, items=items, overrides=overrides)


def apply_override(result: MatchResult, requirement_id: str, status: str, note: str = "",
                   by: str | None = None) -> MatchResult:
    """A new result with HR's status for one requirement, the score recomputed and the override recorded."""
    if status not in CREDIT:
        raise ValueError(f"status must be one of {list(CREDIT)}, not {status!r}")
    return with_override(result, Override(requirement_id=requirement_id, status=status, note=note, by=by))


def with_override(result: MatchResult, ov: Override) -> MatchResult:
    """A new result with a (stored) override applied: its own timestamp and author are kept."""
    items = list(result.items)
    for i, it in enumerate(items):
        if it.requirement_id == ov.requirement_id:
            ov = ov.model_copy(update={"previous_status": it.status})
            items[i] = it.model_copy(update={"status": ov.status, "override": ov})
            return scored_result(items, result.candidate_id, [*result.overrides, ov])
    raise KeyError(f"no requirement {ov.requirement_id!r} in this match result")
