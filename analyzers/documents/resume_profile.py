"""The typed profile a resume is parsed into; every value keeps the source text it came from.

Field names follow the DingTalk ATS resume fields (name, mobile, email, city, education, work experience, skills,
certificates, languages) so a profile maps onto an ATS record without renaming.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Sourced(Generic[T]):
    """A parsed value and the exact text of the resume it was read from."""

    value: T
    source: str


@dataclass(frozen=True)
class Education:
    school: Sourced[str]
    degree: Sourced[str] | None = None  # normalised: "associate", "bachelor", "master", "phd", or as written
    major: Sourced[str] | None = None
    start: str | None = None  # "YYYY-MM" or "YYYY"
    end: str | None = None  # "YYYY-MM", "YYYY" or "present"


@dataclass(frozen=True)
class WorkExperience:
    company: Sourced[str]
    title: Sourced[str] | None = None
    start: str | None = None
    end: str | None = None
    description: str = ""
    kind: str = "full_time"  # "full_time" | "internship" | "part_time" (the last two do not count towards years)


@dataclass(frozen=True)
class ResumeProfile:
    language: str  # "en" | "zh" (the resume's main language)
    name: Sourced[str] | None = None
    mobile: Sourced[str] | None = None  # E.164, e.g. "+8613812345678"
    email: Sourced[str] | None = None
    city: Sourced[str] | None = None
    education: list[Education] = field(default_factory=list)
    work_experience: list[WorkExperience] = field(default_factory=list)
    skills: list[Sourced[str]] = field(default_factory=list)
    certificates: list[Sourced[str]] = field(default_factory=list)
    languages: list[Sourced[str]] = field(default_factory=list)
    # the facts a recruiter looks for
    years_experience: Sourced[float] | None = None
    team_size_led: Sourced[int] | None = None
    quantified_results: list[Sourced[str]] = field(default_factory=list)
    industries: list[Sourced[str]] = field(default_factory=list)
    text: str = ""  # the whole extracted text, for evidence look-ups
