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

The skill vocabulary (``SKILL_ALIASES``) maps English and Chinese names and abbreviations onto one canonical
name ("K8s" -> "Kubernetes", "机器学习" -> "machine learning"); a skill named after "experience with" / "熟悉"
etc. that is not in the vocabulary is kept as written. :mod:`analyzers.documents.job_matching` uses the same table.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from analyzers.text.language import resolve_language
from analyzers.text.numbers import chinese_int
from analyzers.text.script import count_han, has_han
from analyzers.text.sentences import split_clauses, split_sentences

__all__ = [
    "DEGREE_LEVELS",
    "JobRequirements",
    "Requirement",
    "RequirementKind",
    "SKILL_ALIASES",
    "canonical_language",
    "extract_requirements",
    "find_skills",
    "normalise_degree",
    "skill_aliases",
]

RequirementKind = Literal["skill", "years", "degree", "language", "management"]

DEGREE_LEVELS: dict[str, int] = {"none": 0, "associate": 1, "bachelor": 2, "master": 3, "phd": 4}

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


# -------------------------------------------------------------------------------------------- vocabularies

# canonical -> aliases (matched case-insensitively on word boundaries; see _CASE_SENSITIVE)
SKILL_ALIASES: dict[str, list[str]] = {
    "Python": ["python", "python3"],
    "Java": ["java"],
    "Go": ["Go", "golang"],
    "C++": ["c++", "cpp"],
    "C#": ["c#", ".net"],
    "C": ["C语言"],
    "JavaScript": ["javascript", "js", "ecmascript"],
    "TypeScript": ["typescript"],
    "Rust": ["rust"],
    "Scala": ["scala"],
    "Kotlin": ["kotlin"],
    "Swift": ["swift"],
    "PHP": ["php"],
    "R": ["R语言"],
    "SQL": ["sql"],
    "MySQL": ["mysql"],
    "PostgreSQL": ["postgresql", "postgres"],
    "MongoDB": ["mongodb", "mongo"],
    "Redis": ["redis"],
    "Elasticsearch": ["elasticsearch", "elastic search", "ES"],
    "Kafka": ["kafka"],
    "RabbitMQ": ["rabbitmq"],
    "Spark": ["spark", "pyspark"],
    "Hadoop": ["hadoop", "hdfs"],
    "Flink": ["flink"],
    "Hive": ["hive"],
    "Airflow": ["airflow"],
    "Docker": ["docker", "容器化"],
    "Kubernetes": ["kubernetes", "k8s"],
    "Terraform": ["terraform"],
    "AWS": ["aws", "amazon web services"],
    "Azure": ["azure"],
    "GCP": ["gcp", "google cloud"],
    "Linux": ["linux"],
    "Git": ["git"],
    "CI/CD": ["ci/cd", "cicd", "continuous integration", "持续集成"],
    "React": ["react", "react.js", "reactjs"],
    "Vue": ["vue", "vue.js", "vuejs"],
    "Angular": ["angular"],
    "Node.js": ["node.js", "nodejs"],
    "Django": ["django"],
    "Flask": ["flask"],
    "FastAPI": ["fastapi"],
    "Spring": ["spring", "spring boot", "springboot"],
    "HTML/CSS": ["html", "css", "html5"],
    "GraphQL": ["graphql"],
    "REST API": ["rest api", "restful", "rest apis"],
    "microservices": ["microservices", "microservice", "微服务"],
    "distributed systems": ["distributed systems", "distributed system", "分布式系统", "分布式"],
    "TensorFlow": ["tensorflow"],
    "PyTorch": ["pytorch", "torch"],
    "scikit-learn": ["scikit-learn", "sklearn"],
    "pandas": ["pandas"],
    "NumPy": ["numpy"],
    "machine learning": ["machine learning", "ml", "机器学习"],
    "deep learning": ["deep learning", "深度学习"],
    "NLP": ["nlp", "natural language processing", "自然语言处理"],
    "computer vision": ["computer vision", "计算机视觉"],
    "LLM": ["llm", "llms", "large language model", "large language models", "大模型", "大语言模型"],
    "recommender systems": ["recommender systems", "recommendation systems", "recommender system", "推荐系统",
                            "推荐算法"],
    "data analysis": ["data analysis", "data analytics", "数据分析"],
    "data warehouse": ["data warehouse", "data warehousing", "数仓", "数据仓库"],
    "ETL": ["etl"],
    "big data": ["big data", "大数据"],
    "statistics": ["statistics", "统计学"],
    "A/B testing": ["a/b testing", "ab testing", "a/b test", "ab测试", "a/b测试"],
    "Excel": ["excel"],
    "Tableau": ["tableau"],
    "Power BI": ["power bi", "powerbi"],
    "iOS": ["ios"],
    "Android": ["android", "安卓"],
    "DevOps": ["devops"],
    "automated testing": ["automated testing", "test automation", "自动化测试"],
    "data structures and algorithms": ["data structures and algorithms", "algorithms and data structures",
                                       "数据结构与算法", "数据结构和算法", "数据结构"],
    "agile": ["agile", "scrum", "敏捷开发"],
    "project management": ["project management", "项目管理"],
    "product management": ["product management", "产品管理"],
    "communication": ["communication skills", "communication", "沟通能力", "沟通"],
    "teamwork": ["teamwork", "team player", "团队合作", "团队协作"],
    "cloud computing": ["cloud computing", "云计算"],
    "backend development": ["backend development", "back-end development", "后端开发"],
    "frontend development": ["frontend development", "front-end development", "前端开发"],
}
_CASE_SENSITIVE = {"Go", "ES", "R语言", "C语言"}  # "go", "es" are ordinary words

_LATIN = r"A-Za-z0-9"


def _alias_pattern(alias: str) -> re.Pattern[str]:
    flags = 0 if alias in _CASE_SENSITIVE else re.IGNORECASE
    return re.compile(rf"(?<![{_LATIN}+#.-]){re.escape(alias)}(?![{_LATIN}+#]|\.[A-Za-z])", flags)


_ALIAS_INDEX: list[tuple[re.Pattern[str], str, str]] = sorted(
    ((_alias_pattern(a), canon, a) for canon, aliases in SKILL_ALIASES.items() for a in {canon, *aliases}
     if not (canon in ("C", "R") and a == canon)),
    key=lambda t: -len(t[2]),
)
_CANON_LOWER = {c.lower(): c for c in SKILL_ALIASES}
for _canon, _aliases in SKILL_ALIASES.items():
    for _a in _aliases:
        _CANON_LOWER.setdefault(_a.lower(), _canon)


def skill_aliases(canonical: str) -> list[str]:
    return [canonical, *SKILL_ALIASES.get(canonical, [])]


def find_skills(text: str) -> list[tuple[str, int, int]]:
    """Vocabulary skills in ``text`` as (canonical, start, end), longest alias first, no overlaps."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[str, int, int]] = []
    for pat, canon, _alias in _ALIAS_INDEX:
        for m in pat.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            found.append((canon, s, e))
    found.sort(key=lambda t: t[1])
    return found


def canonical_skill(name: str) -> str | None:
    key = name.strip().lower()
    if key in _CANON_LOWER:
        return _CANON_LOWER[key]
    hits = find_skills(name)
    if len(hits) == 1:
        canon, s, e = hits[0]
        rest = (name[:s] + name[e:]).strip()
        if len(_SKILL_FILLER.sub("", rest)) <= 1:
            return canon
    return None


_LANGUAGES: dict[str, list[str]] = {
    "english": ["english", "英语", "英文", "cet-6", "cet-4", "cet6", "cet4", "ielts", "toefl", "雅思", "托福"],
    "chinese": ["chinese", "mandarin", "中文", "普通话", "汉语"],
    "cantonese": ["cantonese", "粤语"],
    "japanese": ["japanese", "日语", "日文"],
    "korean": ["korean", "韩语"],
    "german": ["german", "德语"],
    "french": ["french", "法语"],
    "spanish": ["spanish", "西班牙语"],
}
_LANG_PATTERNS = [(re.compile(rf"(?<![{_LATIN}]){re.escape(a)}(?![{_LATIN}])", re.IGNORECASE), canon)
                  for canon, aliases in _LANGUAGES.items() for a in aliases]


def canonical_language(text: str) -> str | None:
    for pat, canon in _LANG_PATTERNS:
        if pat.search(text):
            return canon
    return None


def languages_in(text: str) -> list[str]:
    out: list[str] = []
    for pat, canon in _LANG_PATTERNS:
        if pat.search(text) and canon not in out:
            out.append(canon)
    return out


_DEGREE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"ph\.?\s?d|doctor(?:ate|al)?\b|博士", re.I), "phd"),
    (re.compile(r"master'?s?\b|\bm\.?s\.?c?\b(?=\s|$|,|/)|\bmba\b|\bm\.?eng\b|硕士|研究生", re.I), "master"),
    (re.compile(r"bachelor'?s?|\bb\.?s\.?c?\b(?=\s|$|,|/|\sdegree)|\bb\.?a\.?\b(?=\s|$|,|/)|\bb\.?eng\b|undergraduate"
                r"|university degree|college degree|本科|学士|统招", re.I), "bachelor"),
    (re.compile(r"associate'?s? degree|diploma|大专|专科", re.I), "associate"),
]


def normalise_degree(text: str | None) -> str | None:
    """"Bachelor of Science" / "本科" -> "bachelor"; None when no degree is named. Highest level named wins."""
    if not text:
        return None
    t = text.strip().lower()
    if t in DEGREE_LEVELS:
        return t
    for pat, level in _DEGREE_PATTERNS:
        if pat.search(text):
            return level
    return None


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
    r"^(?:requirements?|qualifications?|basic qualifications|minimum qualifications|required qualifications"
    r"|required skills|must[- ]haves?|what you need|what we(?:'re| are) looking for|who you are|about you"
    r"|skills(?: required)?|任职要求|岗位要求|任职资格|职位要求|技能要求|基本要求|我们希望你|你需要)$",
    re.I,
)
_SECTION_NICE = re.compile(
    r"^(?:nice[- ]to[- ]haves?|preferred(?: qualifications| skills)?|bonus(?: points)?|pluses|good to have"
    r"|extra credit|加分项|优先条件|优先考虑|加分条件|加分)$",
    re.I,
)
_SECTION_SKIP = re.compile(
    r"^(?:responsibilities|key responsibilities|what you(?:'ll| will) do|the role|about the role|about us"
    r"|job description|duties|benefits|perks|what we offer|岗位职责|工作职责|职位描述|工作内容|岗位描述|公司介绍"
    r"|福利待遇|我们提供)$",
    re.I,
)

_BULLET = re.compile(r"^\s*(?:[-*•·●▪◦]|\d{1,2}[.)、．]|[（(]\d{1,2}[)）]|[一二三四五六七八九十]、)\s*")

# ------------------------------------------------------------------------------------------------ patterns


def _num(s: str) -> float:
    n = chinese_int(s)
    return float(s) if n is None else float(n)


_NUMBER = r"(\d+(?:\.\d+)?|十[一二三四五六七八九]?|[一两二三四五六七八九])"
_YEARS_PATTERNS = [
    re.compile(rf"(?:at least|minimum(?: of)?|min\.?|over|more than)\s*{_NUMBER}\s*\+?\s*(?:years?|yrs?)", re.I),
    re.compile(rf"{_NUMBER}\s*(?:\+|plus)?\s*(?:-|–|to)?\s*(?:\d+\s*)?\+?\s*(?:years?|yrs?)['’]?(?:\s+of)?", re.I),
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
    re.compile(r"带(?:领)?(?:过)?\s*(\d+)?\s*人?(?:以上)?(?:的)?团队|团队管理|管理经验|带团队|团队负责人|管理(\d+)人"),
]
_MGMT_SIZE = re.compile(r"(?:team of|teams of|带领?|管理)\s*(\d+)\s*\+?\s*(?:人|people|engineers|members|direct)?"
                        r"|(\d+)\s*人(?:以上|及以上)?(?:的)?(?:研发|技术)?团队", re.I)

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
_SKILL_FILLER = re.compile(
    r"\b(?:and|or|the|a|an|etc|such as|e\.g\.?|including|similar|related|technologies|technology|frameworks?|"
    r"tools?|languages?|programming|experience|is|are|a plus|plus|preferred|required|strongly|highly|skills?|"
    r"knowledge|proficiency|proficient|in|with|of|using|strong|solid|deep|good|hands-on|modern|one|more|at least|"
    r"years?|must|bonus|ideally|desirable|nice to have)\b"
    r"|等|者优先|优先|经验|相关|的|开发|技术|框架|工具|语言|能力|使用|者|加分|以上|之一|一种|一门|及|或|和|等等|"
    r"常用|主流|至少|熟练|掌握|熟悉|精通|编程|项目|熟练度|有|具备|要求|必须|\d+\s*年|[+]",
    re.I,
)


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
        core = _SKILL_FILLER.sub(" ", p)
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
    """(section kind, rest of the line) when the line starts with a heading like "Requirements:" / "【任职要求】"."""
    s = _BULLET.sub("", line).strip().strip("#*_ ")
    bm = re.match(r"^[【\[]([^】\]]{2,30})[】\]]\s*[:：]?\s*(.*)$", s)
    if bm:  # "【任职资格】..." / "[Requirements] ..."
        head, rest = bm.group(1).strip(), bm.group(2).strip()
        for kind, pat in (("skip", _SECTION_SKIP), ("nice", _SECTION_NICE), ("must", _SECTION_MUST)):
            if pat.match(head):
                return kind, rest
    m = re.match(r"^[【\[]?([^:：】\]]{2,40}?)[】\]]?\s*(?:[:：]\s*(.*))?$", s)
    if not m:
        return None, line
    head = m.group(1).strip().strip("*_ ").rstrip(":：").strip()
    rest = (m.group(2) or "").strip()
    bracketed = s.startswith(("【", "["))
    if not (rest or s.endswith((":", "：")) or bracketed or len(head) <= 30):
        return None, line
    if _SECTION_SKIP.match(head):
        return "skip", rest
    if _SECTION_NICE.match(head):
        return "nice", rest
    if _SECTION_MUST.match(head):
        return "must", rest
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
    core = _SKILL_FILLER.sub(" ", clause)
    core = re.sub(r"[\s,，、.;；:：]+", " ", core).strip()
    if has_han(clause):
        return count_han(core) <= 6 and len(core.split()) <= 3
    return len(core.split()) <= 3


class _Builder:
    def __init__(self) -> None:
        self.items: list[Requirement] = []
        self.counts: dict[str, int] = {}

    def add(self, kind: str, text: str, must: bool, value: Any, source: str) -> None:
        for i, r in enumerate(self.items):
            same = r.kind == kind and (
                kind in ("years", "degree", "management") and r.must_have == must
                or kind in ("skill", "language") and str(r.value).lower() == str(value).lower()
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
                                      source=source.strip()))


def extract_requirements(jd_text: str, language: str | None = None) -> JobRequirements:
    """Requirements of an English or Chinese job description (see the module doc for the must/nice rules)."""
    text = jd_text or ""
    doc_language = resolve_language(language, text)
    b = _Builder()
    section: str | None = None
    title: str | None = None
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        kind, rest = _heading(line)
        if kind is not None:
            section = kind
            if not rest:
                continue
            line = rest
        elif title is None and not b.items and section is None and len(line) <= 60 and not re.search(r"[.。:：]$",
                                                                                                       line):
            title = _BULLET.sub("", line).strip("#*_ ") or None
            continue  # the job title is not a requirement
        if section == "skip":
            continue
        line = _BULLET.sub("", line)
        for sent in split_sentences(line):
            _extract_sentence(sent, section, b)
    return JobRequirements(language=doc_language, title=title, requirements=b.items)


def _extract_sentence(sentence: str, section: str | None, b: _Builder) -> None:
    default = section != "nice"
    clauses = _clauses(sentence)
    cues = [_cue(c) for c in clauses]
    chinese = has_han(sentence)
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
        for pat in _YEARS_PATTERNS:
            m = pat.search(clause)
            if m and (_YEARS_CONTEXT.search(clause) or pat.pattern.startswith("(?:至少")):
                years = _num(m.group(1))
                if 0 < years <= 40:
                    b.add("years", re.sub(r"\s+of$", "", m.group(0).strip()), threshold_cue, years, sentence)
                break
        # degree
        deg = _degree_in(clause)
        if deg:
            b.add("degree", clause.strip(" ，,;；。."), threshold_cue, deg, sentence)
        # languages (need a level/usage word so "Chinese market" is not a language requirement)
        for lang in languages_in(clause):
            if _LANG_LEVEL.search(clause) or re.search(r"英语|英文|日语|普通话|cet", clause, re.I):
                b.add("language", clause.strip(" ，,;；。."), threshold_cue, lang, sentence)
        # management
        for pat in _MGMT_PATTERNS:
            m = pat.search(clause)
            if m:
                size_m = _MGMT_SIZE.search(clause)
                size = int(next(g for g in size_m.groups() if g)) if size_m else None
                b.add("management", m.group(0).strip(), threshold_cue, size if size and size > 0 else None, sentence)
                break
        # skills
        cue = skill_cue()
        for canon, s, e in find_skills(clause):
            b.add("skill", clause[s:e], cue, canon, sentence)
        for free in _free_skills(clause, chinese):
            if canonical_language(free) is None:
                b.add("skill", free, cue, free, sentence)


def _degree_in(clause: str) -> str | None:
    if not re.search(r"degree|bachelor|master|ph\.?d|doctor|\bb\.?s\b|\bm\.?s\b|\bmba\b|学历|本科|硕士|博士|大专|"
                     r"专科|学士|研究生|统招|university|college", clause, re.I):
        return None
    if re.search(r"\bmaster(?:ing|ed|y)\b|\bmaster of (?:none|the)\b", clause, re.I) and not re.search(
            r"degree|master'?s", clause, re.I):
        return None
    # the lowest level that is *named* in a "Bachelor's or Master's" clause is the minimum
    levels = [lvl for pat, lvl in _DEGREE_PATTERNS if pat.search(clause)]
    if not levels:
        return None
    return min(levels, key=DEGREE_LEVELS.get)
