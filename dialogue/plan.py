"""Interview plans: the structured, comparable part of every interview.

A plan is an ordered list of questions, each tied to a competency, with the points a good answer covers, an
anchored rating scale (1-5, what each level looks like), follow-up rules and a time limit. Texts are given per
language (``{"en": ..., "zh": ...}``) so one plan serves Chinese and English interviews alike.

A question's ``competency`` is a stable key: scores, people's ratings, ``competency_weights``, analytics and
outcomes are kept under it, so it never changes with the reader's language. What a reader sees is the
competency's ``competency_name`` in their language (``competency_name_in``), the key where the plan gives none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from analyzers.text.language import Language

LocalText = dict[Language, str]
CompetencyNames = dict[str, LocalText]  # competency key -> its name per language
MAX_COMPETENCY_CHARS = 100  # a key, and a name in one language
FollowUpTrigger = Literal[
    "missing_result",  # no outcome stated
    "no_example",  # general statements, no concrete instance
    "personal_role",  # "we" throughout: the candidate's own part cannot be told apart
    "vague_claim",  # a claim without evidence ("I am a great leader")
    "missing_numbers",  # a result without any quantity
    "resume_contradiction",  # differs from the resume (years, titles, team size)
    "too_short",  # fewer words than the question's minimum
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _non_empty(text: LocalText, field: str) -> LocalText:
    if not text:
        raise ValueError(f"{field} needs a text in at least one language (en or zh)")
    for lang, value in text.items():
        if not value or not value.strip():
            raise ValueError(f"{field}.{lang} is empty")
    return text


class RubricLevel(_Strict):
    score: int = Field(ge=1, le=5)
    description: LocalText

    @field_validator("description")
    @classmethod
    def _desc(cls, v: LocalText) -> LocalText:
        return _non_empty(v, "description")


class FollowUpRule(_Strict):
    trigger: FollowUpTrigger
    template: LocalText = Field(
        description="What to ask; may use {quote} (the candidate's own words) and {point} (a missing point)"
    )

    @field_validator("template")
    @classmethod
    def _tpl(cls, v: LocalText) -> LocalText:
        return _non_empty(v, "template")


class PlanQuestionSpec(_Strict):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    competency: str = Field(min_length=1, max_length=MAX_COMPETENCY_CHARS,
                            description="The competency's stable key (scores, ratings, weights and analytics use it)")
    competency_name: LocalText | None = Field(
        default=None, description="The competency's name per language, as readers see it; absent: the key")
    text: LocalText
    expected_points: dict[Language, list[str]] = Field(default_factory=dict)
    rubric: list[RubricLevel] = Field(default_factory=list)
    follow_ups: list[FollowUpRule] = Field(default_factory=list)
    max_follow_ups: int = Field(default=2, ge=0, le=5)
    time_limit_s: int = Field(default=180, ge=20, le=1800)
    min_answer_words: int = Field(default=15, ge=0, le=500)

    @field_validator("text")
    @classmethod
    def _text(cls, v: LocalText) -> LocalText:
        return _non_empty(v, "text")

    @field_validator("competency_name")
    @classmethod
    def _competency_name(cls, v: LocalText | None) -> LocalText | None:
        if v is None:
            return None
        _non_empty(v, "competency_name")
        for lang, name in v.items():
            if len(name) > MAX_COMPETENCY_CHARS:
                raise ValueError(f"competency_name.{lang} is too long (at most {MAX_COMPETENCY_CHARS} characters)")
        return v

    @field_validator("rubric")
    @classmethod
    def _rubric(cls, v: list[RubricLevel]) -> list[RubricLevel]:
        scores = [level.score for level in v]
        if len(scores) != len(set(scores)):
            raise ValueError("rubric levels must have different scores")
        if v and (1 not in scores or 5 not in scores):
            raise ValueError("a rubric must anchor at least the lowest (1) and the highest (5) level")
        return sorted(v, key=lambda level: level.score)

    def text_in(self, language: str) -> str:
        return self.text.get(language) or self.text.get("en") or next(iter(self.text.values()))

    def points_in(self, language: str) -> list[str]:
        return self.expected_points.get(language) or self.expected_points.get("en") or []


class InterviewPlanSpec(_Strict):
    """The exchange format (YAML or JSON) of a plan."""

    version: Literal[1] = 1
    title: LocalText
    role: str = Field(default="", max_length=100)
    languages: list[Language] = Field(default_factory=lambda: ["en"], min_length=1)
    questions: list[PlanQuestionSpec] = Field(min_length=1, max_length=50)
    competency_weights: dict[str, float] = Field(
        default_factory=dict,
        description="How much each competency counts in the interview's overall score (relative weights, each "
        ">= 0, naming every competency of the questions); empty: all count equally")

    @field_validator("title")
    @classmethod
    def _title(cls, v: LocalText) -> LocalText:
        return _non_empty(v, "title")

    def competency_names(self) -> CompetencyNames:
        """The names the questions give their competencies, per key and language (one question naming a competency
        names it for all of its questions)."""
        names: CompetencyNames = {}
        for q in self.questions:
            if q.competency_name:
                names.setdefault(q.competency, {}).update(q.competency_name)
        return names

    @model_validator(mode="after")
    def _consistent(self) -> InterviewPlanSpec:
        ids = [q.id for q in self.questions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"question ids must be unique; repeated: {', '.join(dupes)}")
        for i, q in enumerate(self.questions):
            missing = [lang for lang in self.languages if lang not in q.text]
            if missing:
                raise ValueError(f"questions[{i}] ({q.id}) has no text in {', '.join(missing)}, "
                                 f"which the plan lists in languages")
        if clash := name_clashes([(q.competency, q.competency_name) for q in self.questions]):
            i, lang, message = clash[0]
            raise ValueError(f"questions[{i}] ({self.questions[i].id}).competency_name.{lang}: {message}")
        if self.competency_weights:
            competencies = {q.competency for q in self.questions}
            if unknown := sorted(set(self.competency_weights) - competencies):
                raise ValueError(f"competency_weights names competencies no question has: {', '.join(unknown)}")
            if missing := sorted(competencies - set(self.competency_weights)):
                raise ValueError(f"competency_weights must weigh every competency; missing: {', '.join(missing)}")
            if any(not 0 <= w <= 1000 for w in self.competency_weights.values()):
                raise ValueError("competency weights must be between 0 and 1000")
            if sum(self.competency_weights.values()) <= 0:
                raise ValueError("at least one competency weight must be above 0")
        return self


def name_clashes(named: list[tuple[object, object]]) -> list[tuple[int, str, str]]:
    """Where the questions' ``(competency, competency_name)`` pairs disagree, as ``(question index, language,
    message)``: a competency has one name per language, and two competencies never share a name (a reader could not
    tell them apart). Entries that are not a text key with a mapping of texts are left to the field checks."""
    problems: list[tuple[int, str, str]] = []
    name_of: dict[tuple[str, str], tuple[str, int]] = {}  # (key, language) -> (name, first question)
    key_of: dict[tuple[str, str], tuple[str, int]] = {}  # (language, name) -> (key, first question)
    for i, (key, names) in enumerate(named):
        if not isinstance(key, str) or not isinstance(names, Mapping):
            continue
        for lang, name in names.items():
            if not isinstance(lang, str) or not isinstance(name, str) or not name.strip():
                continue
            said, first = name_of.setdefault((key, lang), (name, i))
            if said != name:
                problems.append((i, lang, (f"the competency {key!r} is named {said!r} in {lang} by "
                                           f"questions[{first}]; one competency has one name per language")))
            other, first = key_of.setdefault((lang, name.strip().casefold()), (key, i))
            if other != key:
                problems.append((i, lang, (f"{name!r} already names the competency {other!r} (questions[{first}]); "
                                           "each competency needs a name of its own")))
    return problems


def competency_name_in(names: Mapping[str, Mapping[str, str]], competency: str, language: str) -> str:
    """What a reader of ``language`` ("en", "zh") sees for ``competency``: the plan's name in that language, else the
    key itself (a plan without names, a competency it does not name, or a language it has no name in)."""
    return (names.get(competency) or {}).get(language) or competency
