"""Job-description requirements: what a candidate must have and what is nice to have.

``extract_requirements(jd_text)`` reads an English or Chinese job description into a ``JobRequirements`` (a
pydantic model HR can edit and store as JSON) of ``Requirement`` items: skills, minimum years of experience,
minimum degree, spoken/written languages and management experience, each marked must-have or nice-to-have and
carrying the JD sentence it came from (``source``).

How must vs nice is decided, most specific first:

1. a cue in the clause itself ("required", "must", "need", "要求", "必须", "熟练", "精通", "至少", "及以上" vs
   "preferred", "a plus", "bonus", "nice to have", "优先", "加分");
2. a bare list fragment ("Python, Go, or Rust experience is a plus": "Python" and "Go") takes the cue of the next
   cued clause of the same sentence (skills only; a degree or years clause never borrows a cue);
3. the section it is in ("Requirements" / "任职要求" -> must; "Nice to have" / "加分项" -> nice);
4. otherwise must-have. Sentences under "Responsibilities" / "岗位职责" are not requirements and are skipped.

Skills, languages and degrees are named through analyzers/documents/requirement_vocabulary.py (shared with
:mod:`analyzers.documents.job_matching`); a skill named after "experience with" / "熟悉" etc. that is not in the
vocabulary is kept as written, and so is a name offered as the alternative of a skill ("Kafka or Redpanda",
"Kafka、RocketMQ或NATS": one requirement with alternatives). Years of a field of work ("7 years of back-end
development") are one years requirement with that subject; the field is not also a skill.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from analyzers.documents.requirement_vocabulary import (DEGREE_LEVELS, DEGREE_PATTERNS, SKILL_FILLER,
                                                        canonical_language, find_skills, languages_in,
                                                        normalise_degree, role_terms)
from analyzers.text.language import resolve_language
from analyzers.text.numbers import chinese_int
from analyzers.text.script import count_han, has_han
from analyzers.text.sentences import split_clauses, split_sentences

__all__ = [
    "JobRequirements",
    "Requirement",
    "RequirementKind",
    "extract_requirements",
    "has_requirement_headings",
    "heading_like",
    "is_list_item",
    "read_requirement_line",
]

RequirementKind = Literal["skill", "years", "degree", "language", "management"]
SectionKind = Literal["must", "nice", "skip"]

# ------------------------------------------------------------------------------------------------- the model


class Requirement(BaseModel):
    """One requirement of a job. ``value`` by kind: skill -> canonical skill name; years -> minimum years (number);
    degree -> one of ``DEGREE_LEVELS``; language -> canonical language ("english", "chinese", ...);
    management -> minimum team size led (int) or None for "some management experience"."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: str = Field(min_length=1)
    kind: RequirementKind
    text: str = Field(min_length=1)  # the requirement as written, e.g. "5+ years", "本科及以上", "Python"
    must_have: bool = True
    value: str | float | int | None = None
    source: str = ""  # the JD sentence it came from
    line: str = ""  # the requirement line of the JD as written (a bullet), shared by the items read from it
    alternatives: list[str] = Field(default_factory=list)  # skill: any of value + these satisfies ("Java or Go")
    alternatives_only: bool = False  # skill: only a named alternative satisfies (the value is a general phrase)
    subject: str | None = None  # years: of what ("产品经理", "frontend development"); None for any work
    majors: list[str] = Field(default_factory=list)  # degree: the fields of study asked for (empty: any)
    level: str | None = None  # language: "fluent"; skill: "expert" (精通 / expert / advanced)

    @model_validator(mode="after")
    def _check_value(self) -> "Requirement":
        v = self.value
        if self.kind == "years":
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or v > 60:
                raise ValueError("value: years requirement needs a number of years between 0 and 60")
        elif self.kind == "degree":
            if v not in DEGREE_LEVELS:
                raise ValueError(f"value: degree must be one of {sorted(DEGREE_LEVELS, key=DEGREE_LEVELS.get)}")
        elif self.kind == "management":
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
                raise ValueError("value: management requirement is a minimum team size (int >= 1) or null")
        elif self.kind in ("skill", "language"):
            if not isinstance(v, str) or not v.strip():
                raise ValueError(f"value: a {self.kind} requirement needs a non-empty name")
        return self


class JobRequirements(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    language: str = "en"  # the JD's main language, "en" | "zh"
    title: str | None = None
    requirements: list[Requirement] = Field(default_factory=list)

    @field_validator("requirements")
    @classmethod
    def _unique_ids(cls, reqs: list[Requirement]) -> list[Requirement]:
        seen: set[str] = set()
        for r in reqs:
            if r.id in seen:
                raise ValueError(f"duplicate requirement id {r.id!r}")
            seen.add(r.id)
        return reqs

    def get(self, requirement_id: str) -> Requirement:
        for r in self.requirements:
            if r.id == requirement_id:
                return r
        raise KeyError(requirement_id)

    @property
    def must_haves(self) -> list[Requirement]:
        return [r for r in self.requirements if r.must_have]

    @property
    def nice_to_haves(self) -> list[Requirement]:
        return [r for r in self.requirements if not r.must_have]


# ------------------------------------------------------------------------------------------------- cues

_MUST_CUES = re.compile(
    r"\brequired\b|\brequire[sd]?\b|\brequirements?\b|\bmust\b|\bneeds?\b|\bessential\b|\bmandatory\b"
    r"|\bat least\b|\bminimum\b|\bproficien(?:t|cy)\b|\bstrong\b|\bsolid\b|\bexpert(?:ise)?\b"
    r"|要求|必须|必备|需要|熟练|精通|熟悉|掌握|至少|及以上|以上学历|具备",
    re.I,
)
_NICE_CUES = re.compile(
    r"\bpreferred\b|\bprefer(?:ably|ence)?\b|\ba plus\b|\bplus\b|\bbonus\b|\bnice[- ]to[- ]have\b|\bdesirable\b"
    r"|\bideally\b|\badvantage(?:ous)?\b|\bwould be great\b|\boptional\b"
    r"|优先|加分|更佳|为佳|者佳|亦可",
    re.I,
)

_SECTION_MUST = re.compile(
    r"requirements?|qualifications?|what you need|what you(?:'ll| will)? bring|what we(?:'re| are) looking for"
    r"|who you are|about you|you have|you(?:'ll| will)? need|must[- ]haves?|skills required|required skills"
    r"|essential|mandatory|minimum|criteria|ideal candidate|you should have|you bring|your profile|your background"
    r"|person specification|what it takes|skills and experience|experience and skills"
    r"|任职要求|岗位要求|任职资格|职位要求|技能要求|基本要求|我们希望你|你需要|应聘条件|招聘要求|资格要求"
    r"|条件|希望你|你应该|我们需要|能力要求|资质要求|入职要求",
    re.I,
)
_SECTION_NICE = re.compile(
    r"nice[- ]to[- ]haves?|preferred|bonus|pluses|good to have|extra credit|would be great|a plus|desirable"
    r"|advantage|great to have|even better|would be nice|optional|not required|desired"
    r"|加分|优先|更好|更佳|为佳|锦上添花|额外|非必须|不是必须",
    re.I,
)
_SECTION_SKIP = re.compile(
    r"responsibilit|what you(?:'ll| will) do|the role|about the role|about us|who we are|job description|duties"
    r"|benefits|perks|what we offer|how to apply|compensation|salary|location"
    r"|what you(?:'ll| will) be doing|day to day|day-to-day|key tasks|your mission"
    r"|职责|你将负责|工作内容|职位描述|岗位描述|公司介绍|关于我们|福利|我们提供|薪资|工作地点|工作地址|投递"
    r"|主要工作|日常工作|工作任务|你要做的|你的工作",
    re.I,
)
# a line that is never a requirement: where, how much, how to apply
_NOT_REQUIREMENT = re.compile(r"^(?:工作地址|工作地点|地址|办公地点|简历投递|投递方式|薪资|薪酬|address|location|salary|"
                              r"how to apply|apply)\s*[:：]|^(?:薪资|薪酬|待遇|工资)|欢迎投递|简历(?:请)?(?:发送|投递)至"
                              r"|请(?:将|把)简历|send (?:your|a) (?:cv|resume)|to apply\b", re.I)

_BULLET = re.compile(r"^\s*(?:[-*•·●▪◦–—]|\d{1,2}[.)、．）]|[（(]\d{1,2}[)）]|[一二三四五六七八九十]、)\s*")
# a must cue that holds even under a nice-to-have heading (a level word such as 熟悉 / "strong" does not)
_EXPLICIT_MUST = re.compile(r"\brequired\b|\bmust\b|\bmandatory\b|\bessential\b|必须|必备", re.I)

# ------------------------------------------------------------------------------------------------ patterns


def _num(s: str) -> float:
    n = chinese_int(s)
    return float(s) if n is None else float(n)


# A number starts where a run of digits starts and takes the whole run (possessive): a long run of digits would
# otherwise be split every way the optional second number of a range allows (cubic: 1,000 digits took 10 s).
_NUMBER = r"(?<!\d)(\d++(?:\.\d++)?|十[一二三四五六七八九]?|[一两二三四五六七八九])"
_YEARS_PATTERNS = [
    re.compile(rf"(?:at least|minimum(?: of)?|min\.?|over|more than)\s*{_NUMBER}\s*\+?\s*(?:years?|yrs?)", re.I),
    re.compile(rf"{_NUMBER}\s*(?:\+|plus)?\s*(?:-|–|to)?\s*(?:\d++\s*)?\+?\s*(?:years?|yrs?)['’]?(?:\s+of)?", re.I),
    re.compile(rf"(?:至少|不少于|最少){_NUMBER}\s*年"),
    re.compile(rf"{_NUMBER}\s*(?:[-~～到至]\s*\d+\s*)?年(?:及)?以上"),
    re.compile(rf"{_NUMBER}\s*[-~～到至]\s*\d+\s*年"),
    re.compile(rf"{_NUMBER}\s*年(?:[^，。；,;]{{0,12}})经验"),
]
_YEARS_CONTEXT = re.compile(r"experience|exp\b|经验|工作|开发|从事|industry|professional|working", re.I)

_MGMT_PATTERNS = [
    re.compile(r"(?:led|lead|leading|managed|managing|manage|supervis\w+|mentor\w*)\s+(?:a\s+)?(?:team|teams|group|"
               r"engineers|people|direct reports)(?:\s+of\s+(\d+)\s*\+?)?", re.I),
    re.compile(r"(?:people|team|engineering|line)\s+management|management experience|leadership experience|"
               r"team lead(?:ership|er)?|managerial experience|manag\w+ (\d+)\+? (?:engineers|people|reports)", re.I),
    # "带领过5人以上护理团队": the kind of team (a few Han characters) may stand before 团队 / 小组 / 班组
    re.compile(r"带(?:领)?(?:过)?\s*(\d+)?\s*(?:人|名)?(?:以上|及以上)?(?:的)?[\u4e00-\u9fff]{0,6}?(?:团队|小组|班组)"
               r"|团队管理|管理经验|带团队|团队负责人|管理(\d+)(?:人|名)"),
]
_MGMT_SIZE = re.compile(r"(?:team of|teams of|带领?|管理)\s*(\d+)\s*\+?\s*(?:人|名|people|engineers|members|direct)?"
                        r"|(\d+)\s*(?:人|名)(?:以上|及以上)?(?:的)?[\u4e00-\u9fff]{0,6}?(?:团队|小组|班组)", re.I)

_LANG_LEVEL = re.compile(
    r"fluent|fluency|native|proficient|proficiency|business[- ]level|working knowledge|professional|excellent|good|"
    r"strong|written|spoken|verbal|communicat|speak|流利|熟练|良好|读写|口语|听说|六级|四级|cet|雅思|托福|ielts|toefl|精通|母语|"
    r"沟通",
    re.I,
)

_SKILL_LEAD_EN = re.compile(
    r"(?:experience (?:with|in|using)|hands-on (?:experience )?with|knowledge of|proficien(?:t|cy) (?:in|with)|"
    r"familiar(?:ity)? with|expertise in|skilled in|skills? in|expert in|fluent in|working knowledge of|"
    r"understanding of|background in)\s+(.+)",
    re.I,
)
_SKILL_LEAD_ZH = re.compile(r"(?:熟练掌握|熟练使用|熟练运用|熟悉|掌握|精通|熟练|了解|具备|具有|有)(.+)")


def _free_skills(clause: str, chinese: bool) -> list[str]:
    """Skill names after "experience with" / "熟悉" that are not in the vocabulary, kept as written."""
    m = (_SKILL_LEAD_ZH if chinese else _SKILL_LEAD_EN).search(clause)
    if not m:
        return []
    tail = m.group(1)
    parts = re.split(r"[,，、/；;（）()]|\band\b|\bor\b|和|及|与|或", tail)
    out = []
    for p in parts:
        if find_skills(p) or canonical_language(p):
            continue
        if normalise_degree(p) or any(pat.search(p) for pat in _YEARS_PATTERNS) or any(
                pat.search(p) for pat in _MGMT_PATTERNS):
            continue
        core = SKILL_FILLER.sub(" ", p)
        core = re.sub(r"\s+", " ", core).strip(" .:：-\"'")
        if not core:
            continue
        if chinese:
            if not (2 <= len(core) <= 10):
                continue
        else:
            words = core.split()
            if not (1 <= len(words) <= 3) or not re.search(r"[A-Za-z]", core):
                continue
        out.append(core)
    return out


# ------------------------------------------------------------------------------------------------ extraction


def _heading(line: str) -> tuple[str | None, str]:
    """(section kind, rest of the line) when the line is a heading like "Requirements:", "【任职要求】",
    "What we're looking for", "有以下经验者优先（加分项）"; nice is checked before must ("Preferred qualifications")."""
    if _BULLET.match(line) and not re.match(r"^\s*[一二三四五六七八九十]、", line):
        return None, line
    s = line.strip().strip("#*_ ")
    bm = re.match(r"^[【\[]([^】\]]{2,30})[】\]]\s*[:：]?\s*(.*)$", s)
    if bm:
        head, rest = bm.group(1).strip(), bm.group(2).strip()
    else:
        m = re.match(r"^([^:：]{2,40}?)\s*[:：]\s*(.*)$", s)
        head, rest = (m.group(1).strip(), m.group(2).strip()) if m else (s, "")
    head = _BULLET.sub("", head).strip("*_ ")
    short = len(head) <= 24 if has_han(head) else len(head.split()) <= 6
    if not short or re.search(r"[。.;；]$", head):
        return None, line
    for kind, pat in (("skip", _SECTION_SKIP), ("nice", _SECTION_NICE), ("must", _SECTION_MUST)):
        if pat.search(head):
            if kind == "skip" and _SECTION_MUST.search(head) and not _SECTION_SKIP.match(head):
                continue
            return kind, rest
    return None, line


def _clauses(sentence: str) -> list[str]:
    parts = [p for c in split_clauses(sentence) for p in re.split(r"\s+(?=but\b)", c)]
    return [p.strip() for p in parts if p and p.strip()]


def _cue(text: str) -> bool | None:
    nice = bool(_NICE_CUES.search(text))
    must = bool(_MUST_CUES.search(text))
    if nice:
        return False  # "Kubernetes experience is strongly preferred" / "熟悉Go者优先": nice wins
    if must:
        return True
    return None


def _is_fragment(clause: str) -> bool:
    core = SKILL_FILLER.sub(" ", clause)
    core = re.sub(r"[\s,，、.;；:：]+", " ", core).strip()
    if has_han(clause):
        return count_han(core) <= 6 and len(core.split()) <= 3
    return len(core.split()) <= 3


class _Builder:
    def __init__(self) -> None:
        self.items: list[Requirement] = []
        self.counts: dict[str, int] = {}
        self.line = ""

    def add(self, kind: str, text: str, must: bool, value: Any, source: str,
            alternatives: list[str] | None = None, **extra: Any) -> None:
        alts = [a for a in dict.fromkeys(alternatives or []) if str(a).lower() != str(value).lower()]
        for i, r in enumerate(self.items):
            same = r.kind == kind and (
                kind in ("years", "degree", "management") and r.must_have == must
                or kind in ("skill", "language") and str(r.value).lower() == str(value).lower()
                and [x.lower() for x in r.alternatives] == [x.lower() for x in alts]
            )
            if same:
                if kind in ("skill", "language") and must and not r.must_have:
                    self.items[i] = r.model_copy(update={"must_have": True, "text": text, "source": source})
                elif kind == "years" and isinstance(value, (int, float)) and value > r.value:
                    self.items[i] = r.model_copy(update={"value": value, "text": text, "source": source})
                elif kind == "degree" and DEGREE_LEVELS[value] > DEGREE_LEVELS[r.value]:
                    self.items[i] = r.model_copy(update={"value": value, "text": text, "source": source})
                return
        n = self.counts[kind] = self.counts.get(kind, 0) + 1
        self.items.append(Requirement(id=f"{kind}-{n}", kind=kind, text=text.strip(), must_have=must, value=value,
                                      source=source.strip(), line=self.line or source.strip(), alternatives=alts,
                                      **extra))


def extract_requirements(jd_text: str, language: str | None = None, *,
                         headings: Mapping[str, SectionKind] | None = None) -> JobRequirements:
    """Requirements of an English or Chinese job description (see the module doc for the must/nice rules).

    ``headings``: section headings known from elsewhere (the language model's reading), line as written -> kind;
    they stand before the rules' own reading of those lines."""
    text = jd_text or ""
    doc_language = resolve_language(language, text)
    b = _Builder()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    given = {k.strip(): v for k, v in (headings or {}).items()}

    def heading(line: str) -> tuple[str | None, str]:
        return (given[line], "") if line in given else _heading(line)

    sectioned = any(heading(ln)[0] in ("must", "nice") for ln in lines)
    section: str | None = None
    title: str | None = None
    for line in lines:
        kind, rest = heading(line)
        if kind is not None:
            section = kind
            if not rest:
                continue
            line = rest
        elif title is None and not b.items and section is None and len(line) <= 60 and not re.search(r"[.。:：]$",
                                                                                                       line):
            title = _BULLET.sub("", line).strip("#*_ ") or None
            continue  # the job title is not a requirement
        if section == "skip" or (sectioned and section is None):
            continue  # duties, company, benefits; and the lines above the first section (company, salary, place)
        line = _BULLET.sub("", line)
        if _NOT_REQUIREMENT.match(line):
            continue
        _read_line(line, section, b)
    return JobRequirements(language=doc_language, title=title, requirements=b.items)


def is_list_item(line: str) -> bool:
    """A bulleted or numbered line ("- Python", "1. 本科", "（2）熟悉SQL")."""
    return bool(_BULLET.match(line))


def heading_like(line: str) -> bool:
    """Whether a line could be a section heading by its shape (short, not a bullet, not a sentence), whatever its
    words: the lines whose meaning the language model is asked for when the rules know none of them."""
    s = line.strip().strip("#*_ ")
    if not s or (_BULLET.match(line) and not re.match(r"^\s*[一二三四五六七八九十]、", line)):
        return False
    head = re.sub(r"^[【\[]|[】\]]$", "", s.rstrip(":：").strip())
    short = len(head) <= 24 if has_han(head) else len(head.split()) <= 6
    return short and not re.search(r"[。.;；,，]$", head)


def has_requirement_headings(jd_text: str) -> bool:
    """Whether the description has a heading the rules read as must-have or nice-to-have ("Requirements",
    "任职要求", "Bonus points"); without one, must vs nice rests on cue words alone."""
    return any(_heading(ln.strip())[0] in ("must", "nice") for ln in (jd_text or "").splitlines() if ln.strip())


def read_requirement_line(line: str, must_have: bool) -> list[Requirement]:
    """The requirements one line states, as if it stood under a must-have (or nice-to-have) heading: what HR types
    when editing a job's requirements ("Java or Go", "两年以上运营经验"). Every item takes ``must_have`` (the list
    HR put it in wins over a cue in the words); a line with no recognisable requirement gives ``[]``."""
    b = _Builder()
    _read_line(_BULLET.sub("", line.strip()), "must" if must_have else "nice", b)
    return [r.model_copy(update={"must_have": must_have}) for r in b.items]


def _read_line(line: str, section: str | None, b: _Builder) -> None:
    """Add the requirements of one (bullet-less) line under ``section``."""
    b.line = line.strip().rstrip("；;。.，,").strip()
    before = len(b.items)
    for sent in split_sentences(line):
        _extract_sentence(sent, section, b)
    if len(b.items) == before and section in ("must", "nice"):
        _add_phrase(b.line, section, b)


def _extract_sentence(sentence: str, section: str | None, b: _Builder) -> None:
    default = section != "nice"
    clauses = _clauses(sentence)
    cues = [_cue(c) for c in clauses]
    if section == "nice":
        cues = [c if c is not True or _EXPLICIT_MUST.search(cl) else None for c, cl in zip(cues, clauses)]
    chinese = has_han(sentence)
    hits: list[_Hit] = []
    cursor = 0
    for i, clause in enumerate(clauses):
        own = cues[i]

        def skill_cue() -> bool:
            if own is not None:
                return own
            if _is_fragment(clause):
                nxt = next((c for c in cues[i + 1:] if c is not None), None)
                if nxt is not None:
                    return nxt
                prev = next((c for c in reversed(cues[:i]) if c is not None), None)
                if prev is not None:
                    return prev
            return default

        threshold_cue = own if own is not None else default

        # years
        years_of_work = False  # the clause asks for years of a kind of work ("5+ years of backend development")
        for pat in _YEARS_PATTERNS:
            m = pat.search(clause)
            if m and (_YEARS_CONTEXT.search(clause) or pat.pattern.startswith("(?:至少")
                      or section in ("must", "nice") and i == 0 and m.start() <= 12):
                years = _num(m.group(1))
                if 0 < years <= 40:
                    subject = _years_subject(sentence, m.group(0))
                    b.add("years", re.sub(r"\s+of$", "", m.group(0).strip()), threshold_cue, years, sentence,
                          subject=subject)
                    years_of_work = subject is not None
                break
        # degree
        deg = _degree_in(clause)
        if deg:
            b.add("degree", clause.strip(" ，,;；。."), threshold_cue, deg, sentence, majors=_majors(sentence))
        # languages (need a level/usage word so "Chinese market" is not a language requirement)
        for lang in languages_in(clause):
            if _LANG_LEVEL.search(clause) or re.search(r"英语|英文|日语|普通话|cet", clause, re.I):
                b.add("language", clause.strip(" ，,;；。."), threshold_cue, lang, sentence,
                      level="fluent" if _FLUENT.search(clause) else None)
        # management
        for pat in _MGMT_PATTERNS:
            m = pat.search(clause)
            if m:
                size_m = _MGMT_SIZE.search(clause)
                size = int(next(g for g in size_m.groups() if g)) if size_m else None
                b.add("management", m.group(0).strip(), threshold_cue, size if size and size > 0 else None, sentence)
                break
        # skills: collected with their place in the sentence, grouped below
        cue = skill_cue()
        offset = sentence.find(clause, cursor)
        offset = cursor if offset < 0 else offset
        cursor = offset + len(clause)
        for canon, s, e in find_skills(clause):
            if years_of_work and role_terms(clause[s:e])[0]:
                continue  # the field the years are of is that requirement's subject, not a skill of its own
            hits.append(_Hit(offset + s, offset + e, canon, clause[s:e], cue, True))
        for free in _free_skills(clause, chinese):
            if canonical_language(free) is None:
                at = sentence.find(free, offset)
                hits.append(_Hit(at if at >= 0 else cursor, (at if at >= 0 else cursor) + len(free), free, free,
                                 cue, False))
    if any(languages_in(c) for c in clauses):  # "普通话流利，能与客户高效沟通": the communication is in that language
        hits = [h for h in hits if h.value != "communication"]
    hits = _with_literal_alternatives(sentence, hits)
    for group in _skill_groups(sentence, hits):
        if len(group) == 1 and group[0].literal:
            continue  # a name beside a skill but not offered as its alternative ("Kafka、Pulsar"): not read as one
        first = group[0]
        expert = any(_EXPERT.search(sentence[max(0, h.start - 8):h.end + 4]) for h in group)
        b.add("skill", " / ".join(h.text for h in group) if len(group) > 1 else first.text,
              any(h.must for h in group), first.value, sentence, [h.value for h in group[1:]],
              level="expert" if expert else None)


_LEAD = re.compile(r"^(?:(?:hands-on|practical|proven|solid|strong|good|deep|some)\s+)*(?:experience\s+(?:with|in|of)\s+)?"
                   r"|^(?:有|具备|具有|熟悉|掌握|了解)", re.I)


def _add_phrase(line: str, section: str, b: _Builder) -> None:
    """A requirement line with no skill, years, degree, language or management the vocabulary names: kept as
    one requirement in its own words ("Experience running site audits"), its parenthesised examples as
    alternatives ("(fire safety, asbestos, lifting gear)"), matched by meaning."""
    spans = _paren_spans(line)
    head = line
    alts: list[str] = []
    for a, z in reversed(spans):
        inner = line[a + 1:z - 1]
        items = [re.sub(r"(?:\s*等|\s+etc\.?)$", "", x).strip(" .") for x in re.split(r"[,，、/;；]|\bor\b|或", inner)]
        items = [x for x in items if x]
        if len(items) >= 2:
            alts = items + alts
        head = head[:a] + head[z:]
    head = _LEAD.sub("", re.sub(r"\s+", " ", head).strip(" ,，.;；:：")).strip()
    if not head:
        return
    cue = _cue(line)
    must = (section != "nice") if cue is None or (section == "nice" and not _EXPLICIT_MUST.search(line)) else cue
    alts = [a for a in alts if 1 <= len(a) <= 40]
    b.add("skill", head, must, head, line, alts, alternatives_only=bool(alts))


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    value: str  # canonical name, or the free skill as written
    text: str
    must: bool
    known: bool  # in the vocabulary
    literal: bool = False  # a name joined to a skill by "or" / "或" / "、" that no rule reads (kept as written)


# a name joined to a found skill ("Kafka or Pulsar", "熟悉Kafka、Pulsar或NATS"): Latin words that start with a
# capital, a digit or carry a symbol ("Pulsar", "Apache Pulsar", "C#"), or a run of Han characters
_JOIN = r"\s*(?:[,，、/]\s*)?(?:\bor\b|或者|或是|或)?\s*"
_LATIN_NAME = r"(?:[A-Z][A-Za-z0-9.+#-]*|[a-z][A-Za-z]*[0-9+#.][A-Za-z0-9.+#-]*)"
_NAME_AFTER = re.compile(rf"^({_JOIN})({_LATIN_NAME}(?:\s+{_LATIN_NAME}){{0,2}}|[\u4e00-\u9fff]{{2,10}})")
_NAME_BEFORE = re.compile(rf"({_LATIN_NAME}|[\u4e00-\u9fff]{{2,10}})({_JOIN})$")
_GENERIC_NAME = re.compile(r"\b(?:other|others|another|similar|equivalent|related|comparable|any|etc|alike|"
                           r"experience|years?)\b|其他|其它|类似|同类|相关|同等|任意|任一|以上|经验", re.I)


def _literal_name(raw: str) -> str | None:
    """``raw`` as a skill name kept as written, or None when it is a general word, filler or another kind of
    requirement ("a similar queue", "其他语言", "English", "本科")."""
    if has_han(raw):
        core = re.split(r"等|的|者|优先|加分|经验|相关|能力|技术|工具|系统|框架|以上", raw)[0]
        core = re.sub(r"^(?:熟练掌握|熟练使用|熟悉|掌握|精通|了解|使用|具备|具有|有)", "", core)
        ok = 2 <= len(core) <= 8
    else:
        core = re.sub(r"\s+", " ", SKILL_FILLER.sub(" ", raw)).strip(" .-")
        ok = bool(core) and len(core.split()) <= 3 and core[0].isalnum()
    if not ok or _GENERIC_NAME.search(raw) or canonical_language(core) or normalise_degree(core) or find_skills(core):
        return None
    return core


def _with_literal_alternatives(sentence: str, hits: list[_Hit]) -> list[_Hit]:
    """``hits`` and the names joined to them by "or" / "或" / "或者" / "、" / "," / "/" that the vocabulary does not
    know ("Kafka or Pulsar"): each a literal hit that counts only as an alternative of its neighbour (see
    ``_extract_sentence``), matched by its text in the resume."""
    out = sorted(hits, key=lambda h: h.start)
    for _ in range(6):  # a chain "Kafka, Pulsar or NATS" grows one name per pass
        added = False
        for h in list(out):
            found = []
            m = _NAME_AFTER.match(sentence[h.end:])
            if m and m.group(1).strip():
                found.append((h.end + m.start(2), h.end + m.end(2)))
            m = _NAME_BEFORE.search(sentence[:h.start])
            if m and m.group(2).strip():
                found.append((m.start(1), m.end(1)))
            for a, z in found:
                if any(a < x.end and x.start < z for x in out):
                    continue
                name = _literal_name(sentence[a:z])
                if name is None:
                    continue
                at = sentence.find(name, a, z)
                a, z = (at, at + len(name)) if at >= 0 else (a, z)
                out.append(_Hit(a, z, name, name, h.must, False, literal=True))
                added = True
        out.sort(key=lambda h: h.start)
        if not added:
            break
    return out


_DISJUNCTION = re.compile(r"\bor\b|\beither\b|\bany of\b|或者|或|/|均可|任一|之一", re.I)
_CONJUNCTION = re.compile(r"\band\b|和|及|与|&", re.I)
_LIST_GAP = re.compile(r"^[\s,，、/]*(?:\bor\b|\band\b|或者|或|和|及|与)?[\s,，、/]*$", re.I)


def _paren_spans(sentence: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[(（][^()（）]*[)）]", sentence)]


def _skill_groups(sentence: str, hits: list[_Hit]) -> list[list[_Hit]]:
    """Skills of a sentence as requirements: a parenthesised list after a named skill gives examples of it (not
    requirements of their own: "Excel（数据透视表、函数）"); a parenthesised list after a general phrase is one
    requirement with alternatives ("automated tests (Jest, Vitest or Playwright)"); a run of skills joined by
    "or" / "或" / "/" is one requirement with alternatives ("Java or Go"); otherwise each skill is its own."""
    hits = sorted({(h.start, h.value): h for h in hits}.values(), key=lambda h: h.start)
    spans = _paren_spans(sentence)

    def paren_of(h: _Hit) -> tuple[int, int] | None:
        return next((sp for sp in spans if sp[0] <= h.start and h.end <= sp[1]), None)

    groups: list[list[_Hit]] = []
    inside: dict[tuple[int, int], list[_Hit]] = {}
    outside: list[_Hit] = []
    for h in hits:
        sp = paren_of(h)
        (inside.setdefault(sp, []) if sp else outside).append(h)
    for sp, hs in inside.items():
        head = [h for h in outside if h.end <= sp[0] and h.known and not re.search(r"[,，;；。]", sentence[h.end:sp[0]])]
        if not head:
            groups.append(hs)
    run: list[_Hit] = []
    disjunct = False
    for h in outside:
        gap = sentence[run[-1].end:h.start] if run else ""
        either = bool(_DISJUNCTION.search(gap))
        # "MySQL or PostgreSQL, and Redis" / "Java or Go, Docker": an "and", or a comma after the "or", ends the
        # alternatives ("Java, Go or Rust" stays one list: its commas come before the "or")
        if run and _LIST_GAP.match(gap) and not paren_of(h) and not _CONJUNCTION.search(gap) and (
                either or not disjunct):
            run.append(h)
            disjunct = disjunct or either
            continue
        if run:
            groups.extend([run] if disjunct else [[x] for x in run])
        run, disjunct = [h], False
    if run:
        groups.extend([run] if disjunct else [[x] for x in run])
    groups.sort(key=lambda g: g[0].start)
    # "持有执业药师证，或具备临床药学资格": a clause opening with "or" makes the clauses before it alternatives
    merged: list[list[_Hit]] = []
    for g in groups:
        if merged:
            gap = sentence[merged[-1][-1].end:g[0].start]
            if re.search(r"[,，;；]\s*(?:或者|或是|或|or|either)", gap, re.I):
                prev_clause = [m for m in merged if not re.search(r"[,，;；]", sentence[m[-1].end:merged[-1][-1].end])]
                for m in prev_clause:
                    merged.remove(m)
                merged.append([h for m in prev_clause for h in m] + g)
                continue
        merged.append(g)
    return merged


_FLUENT = re.compile(r"fluen|native|business[- ]level|professional|spoken|working language|流利|口语|工作语言|母语|"
                     r"听说", re.I)
_EXPERT = re.compile(r"精通|expert|advanced|mastery", re.I)


def _years_subject(sentence: str, years_text: str) -> str | None:
    """What the years are of: the sentence without the years phrase, remarks and filler ("产品经理",
    "server-side development"); None when nothing is left ("3年以上工作经验": any work)."""
    rest = sentence.replace(years_text, " ")
    rest = re.sub(r"[(（][^()（）]*[)）]", " ", rest)
    rest = re.split(r"[;；。，]", rest)[0]
    areas, words = role_terms(rest)
    if not areas and not words:
        return None
    rest = re.sub(r"\s+", " ", rest).strip(" ,，.;；:：")
    return re.sub(r"^(?:of|in|as)\s+", "", rest, flags=re.I) or None


def _majors(sentence: str) -> list[str]:
    """The fields of study a degree requirement names ("法学或知识产权相关专业", "degree in Computer Science or a
    related field"); empty when any is accepted ("专业不限", "any discipline")."""
    if re.search(r"专业不限|不限专业|any (?:discipline|field|major)", sentence, re.I):
        return []
    m = re.search(r"([^，,;；。]{2,40}?)(?:等)?(?:相关)?专业", sentence)
    if m:
        text = m.group(1)
    else:
        m = re.search(r"(?:degree|major|bachelor'?s?|master'?s?|b\.?s\.?c?|m\.?s\.?c?)\s+(?:in|of)\s+([^;,.()]{2,80})",
                      sentence, re.I)
        if not m:
            return []
        text = re.split(r"\bor (?:a |an )?(?:related|similar|equivalent)|\bor equivalent", m.group(1), flags=re.I)[0]
    parts = [p.strip(" 类") for p in re.split(r"[、,，/]|\bor\b|\band\b|或|及|和", text) if p.strip(" 类")]
    return [p for p in parts if 1 < len(p) <= 40]


def _degree_in(clause: str) -> str | None:
    if not re.search(r"degree|bachelor|master|ph\.?d|doctor|\bb\.?s\b|\bm\.?s\b|\bmba\b|学历|本科|硕士|博士|大专|"
                     r"专科|学士|研究生|统招|university|college", clause, re.I):
        return None
    if re.search(r"\bmaster(?:ing|ed|y)\b|\bmaster of (?:none|the)\b", clause, re.I) and not re.search(
            r"degree|master'?s", clause, re.I):
        return None
    # the lowest level that is *named* in a "Bachelor's or Master's" clause is the minimum
    levels = [lvl for pat, lvl in DEGREE_PATTERNS if pat.search(clause)]
    if not levels:
        return None
    return min(levels, key=DEGREE_LEVELS.get)
