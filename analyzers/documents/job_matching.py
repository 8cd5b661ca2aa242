"""Match a parsed resume (``ResumeProfile``) against a job's requirements (``JobRequirements``).

Per requirement the result says met / partly / missing, cites the resume text that decided it (``evidence``:
the ``source`` of a ``Sourced`` value, or a sentence of the profile's full text) and how it was decided
(``method``):

* skills: ``alias`` (both sides name the same canonical skill via ``SKILL_ALIASES`` (requirement_vocabulary.py):
  "K8s" ~ "Kubernetes", "机器学习" ~ "machine learning", "Python熟练" ~ "proficient in Python"; or a listed resume
  skill implies it via ``SKILL_IMPLIES``: "MySQL" -> "SQL", "PyTorch" -> "deep learning"), ``normalised`` (same
  text once case, spacing and filler words are dropped, for skills outside the vocabulary), else ``embedding``: the
  multilingual USE cosine between the requirement's value and each resume skill (short vs short: met >=
  ``SKILL_MET``, partly >= ``SKILL_PARTLY``) and each resume sentence (met >= ``SENTENCE_MET``, partly >=
  ``SENTENCE_PARTLY``); a missing skill names its closest resume item only when both are vocabulary skills
  and related (>= ``SKILL_RELATED``), never a sentence, city, heading or title;
* years: ``numeric`` (``years_experience``, or the union of the work-history date ranges: ``work_history``);
  partly when short by at most ``max(1, 25%)`` of the minimum; years of a kind of work ("两年以上运营工作经验",
  "6+ years of server-side development") count the full-time roles whose titles belong to that field
  (``ROLE_AREAS``), bounded by the resume's own total, and say so ("8.0 years of work, 2.9 of them in ...");
* degree: ``ordinal`` on associate < bachelor < master < phd (below the minimum is missing); when the job names
  fields of study ("法学或知识产权相关专业", "degree in Computer Science"), a major outside them is missing;
* language: ``alias`` on the profile's languages (fluency words "basic" / "一般" make it partly), else a mention
  in the text, else ``resume_language`` (the resume is written in it: met, nothing quoted, the reason says it is
  inferred); a fluent / spoken / working requirement needs a stated fluency or the resume written in it (an exam
  certificate such as CET-6 is not);
* management: ``numeric`` on ``team_size_led`` (smaller team than asked: missing), else ``title`` (a lead /
  manager / 经理 / 主管 title: met when no team size is asked, else missing).
* skills with alternatives ("Java or Go") are met by the best one; a general phrase with examples ("automated
  tests (Jest, Vitest or Playwright)") only by a named example; "精通" / "expert" is not met by "熟悉" / "basic".

The result, its score and HR's overrides: analyzers/documents/match_result.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

import numpy as np

from analyzers.documents.job_requirements import JobRequirements, Requirement
from analyzers.documents.match_result import MatchResult, Override, RequirementMatch, scored_result, why, with_override
from analyzers.documents.requirement_vocabulary import (
    DEGREE_LEVELS,
    canonical_language,
    canonical_skill,
    find_skills,
    languages_in,
    normalise_degree,
    role_terms,
)
from analyzers.documents.requirement_vocabulary import AREA_PARENTS
from analyzers.documents.resume_profile import ResumeProfile
from analyzers.documents.work_months import month_index, union_months
from analyzers.documents.country_scope import COUNTRY_EN, elsewhere_only, without_country
from analyzers.text.script import count_han, has_han
from analyzers.text.sentences import split_sentences

__all__ = [
    "SKILL_IMPLIES",
    "match",
    "rank",
    "skill_similarity",
]


# multilingual USE cosines (measured: "Python熟练"~"proficient in Python" 0.80, "机器学习"~"machine learning" 0.86,
# "PostgreSQL"~"MySQL" 0.65, "Python"~"Java" 0.57, "Python"~"JavaScript" 0.50, unrelated skills 0.2-0.46;
# skill vs a resume sentence that uses it 0.35-0.5, vs an unrelated sentence < 0.1)
SKILL_MET = 0.72
SKILL_PARTLY = 0.62
SENTENCE_MET = 0.6
SENTENCE_PARTLY = 0.45
# a listed vocabulary skill this close to a missing one is a related skill worth naming ("Go not found; closest
# 'Java'"): related skills measure 0.5-0.65, unrelated ones 0.2-0.46 (above). Other texts (sentences, titles,
# terms outside the vocabulary) are not named: their cosines to a skill mix topic and language.
SKILL_RELATED = 0.5


# a resume skill that implies a requirement's skill ("MySQL" on a resume satisfies "SQL"); never the reverse
SKILL_IMPLIES: dict[str, set[str]] = {
    "MySQL": {"SQL"},
    "PostgreSQL": {"SQL"},
    "Hive": {"SQL"},
    "Spring": {"Java"},
    "Django": {"Python"},
    "Flask": {"Python"},
    "FastAPI": {"Python"},
    "pandas": {"Python"},
    "PyTorch": {"deep learning"},
    "TensorFlow": {"deep learning"},
    "deep learning": {"machine learning"},
    "NLP": {"machine learning"},
    "computer vision": {"machine learning"},
    "recommender systems": {"machine learning"},
    "scikit-learn": {"machine learning"},
    "Kubernetes": {"Docker"},
    "React": {"JavaScript"},
    "Vue": {"JavaScript"},
    "Angular": {"TypeScript"},
    "TypeScript": {"JavaScript"},
    "Spark": {"big data"},
    "Hadoop": {"big data"},
    "Flink": {"big data"},
}


def _implied(canonicals: set[str]) -> set[str]:
    out = set(canonicals)
    todo = list(canonicals)
    while todo:
        for c in SKILL_IMPLIES.get(todo.pop(), ()):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


# ------------------------------------------------------------------------------------------ resume snippets

class _Snippets:
    """The resume texts a requirement can be matched against, each with the verbatim text to cite."""

    def __init__(self, profile: ResumeProfile) -> None:
        self.profile = profile
        # short items (a skill, a certificate, a title): (value to compare, evidence)
        self.items: list[tuple[str, str]] = []
        for s in [*profile.skills, *profile.certificates, *profile.industries]:
            self.items.append((str(s.value), s.source or str(s.value)))
        for w in profile.work_experience:
            if w.title:
                self.items.append((str(w.title.value), w.title.source))
        for e in profile.education:
            if e.major:
                self.items.append((str(e.major.value), e.major.source))
        # sentences of the full text (and descriptions / results that are not in it)
        self.sentences: list[str] = []
        seen: set[str] = set()
        sources = [profile.text] + [w.description for w in profile.work_experience] + [
            q.source for q in profile.quantified_results]
        for block in sources:
            for s in _split(block):
                if s not in seen:
                    seen.add(s)
                    self.sentences.append(s)
        self._vecs: dict[str, np.ndarray] = {}

    def embed(self, embedder, texts: list[str]) -> None:
        todo = [t for t in dict.fromkeys(texts) if t not in self._vecs]
        if todo:
            for t, v in zip(todo, embedder.embed(todo)):
                self._vecs[t] = v

    def vec(self, t: str) -> np.ndarray:
        return self._vecs[t]


def _split(text: str) -> list[str]:
    """Sentences, and the items of lines that separate them with " | " or " • "."""
    parts = [p for s in split_sentences(text) for p in re.split(r"\s[|•·]\s", s)]
    return [p.strip(" \t-•*·") for p in parts if p and len(p.strip()) > 1]


def _norm(s: str) -> str:
    s = s.lower()
    s = re.sub(r"\b(?:proficient|proficiency|in|with|experience|knowledge|of|skills?|strong|familiar|expert|"
               r"advanced|basic|hands-on)\b|熟练|精通|熟悉|掌握|经验|使用|了解", " ", s)
    return re.sub(r"[\s\-_.,，、:：()（）]+", "", s)


# ------------------------------------------------------------------------------------------------ skills


def skill_similarity(a: str, b: str, embedder=None) -> tuple[float, str]:
    """How alike two skill phrases are: (1.0, "alias") / (1.0, "normalised") or (cosine, "embedding")."""
    ca = {c for c, _, _ in find_skills(a)} or ({canonical_skill(a)} - {None})
    cb = {c for c, _, _ in find_skills(b)} or ({canonical_skill(b)} - {None})
    if ca and cb and ca & cb:
        return 1.0, "alias"
    if _norm(a) and _norm(a) == _norm(b):
        return 1.0, "normalised"
    if embedder is None:
        return 0.0, "none"
    v = embedder.embed([a, b])
    return float(np.clip(v[0] @ v[1], -1.0, 1.0)), "embedding"


def _listed(found: str, skill: str) -> tuple[str, dict]:
    """The reason for a listed resume item that names the skill: "found" when its words hold the skill's ("Advanced
    Excel" for Excel), else "counts as" ("Scrum" for agile, "K8s" for Kubernetes). Wording only: both are met."""
    same = _norm(skill) and _norm(skill) in _norm(found)
    return ("skill_listed" if same else "skill_alias"), {"found": found, "skill": skill}


def _match_skill(req: Requirement, snip: _Snippets, embedder) -> RequirementMatch:
    name = str(req.value)
    canon = canonical_skill(name) or next((c for c, _, _ in find_skills(name)), None)
    base = dict(requirement_id=req.id, kind=req.kind, requirement=req.text, must_have=req.must_have)
    # 1. lexical: the same canonical skill in a listed skill, then in a sentence
    if canon:
        for value, ev in snip.items:
            if any(c == canon for c, _, _ in find_skills(value)) or canonical_skill(value) == canon:
                return RequirementMatch(**base, status="met", auto_status="met", evidence=[ev], method="alias",
                                        **why(_listed(value, canon)))
        for s in snip.sentences:
            if any(c == canon for c, _, _ in find_skills(s)):
                return RequirementMatch(**base, status="met", auto_status="met", evidence=[s], method="alias",
                                        **why(("skill_in_text", {"skill": canon})))
        for value, ev in snip.items:  # a more specific skill that implies it ("MySQL" -> "SQL")
            held = {c for c, _, _ in find_skills(value)}
            if canon in _implied(held) - held:
                return RequirementMatch(**base, status="met", auto_status="met", evidence=[ev], method="alias",
                                        **why(("skill_implied", {"found": value, "skill": canon})))
    key = _norm(name)
    if key and len(key) >= 2:
        for value, ev in snip.items:
            if _norm(value) == key:
                return RequirementMatch(**base, status="met", auto_status="met", evidence=[ev], method="normalised",
                                        **why(("skill_listed", {"found": value, "skill": name})))
        for s in snip.sentences:
            if key in _norm(s) and (len(key) >= 4 or has_han(key)):
                return RequirementMatch(**base, status="met", auto_status="met", evidence=[s], method="normalised",
                                        **why(("skill_in_text", {"skill": name})))
    # 2. embeddings: the value vs each listed skill, then vs each sentence
    if embedder is not None and (snip.items or snip.sentences):
        queries = [name] + ([req.text] if req.text != name else [])
        snip.embed(embedder, queries + [v for v, _ in snip.items] + snip.sentences)
        best: tuple[float, str, str, bool] | None = None  # cosine, evidence, compared text, is_item
        for q in queries:
            qv = snip.vec(q)
            for value, ev in snip.items:
                c = float(qv @ snip.vec(value))
                if best is None or _grade(c, True) > _grade(best[0], best[3]) or (
                        _grade(c, True) == _grade(best[0], best[3]) and c > best[0]):
                    best = (c, ev, value, True)
            for s in snip.sentences:
                c = float(qv @ snip.vec(s))
                if best is None or _grade(c, False) > _grade(best[0], best[3]) or (
                        _grade(c, False) == _grade(best[0], best[3]) and c > best[0]):
                    best = (c, s, s, False)
        if best is not None:
            c, ev, value, is_item = best
            status = ("met", "partly", "missing")[2 - _grade(c, is_item)]
            if status != "missing":
                return RequirementMatch(**base, status=status, auto_status=status, evidence=[ev], method="embedding",
                                        similarity=round(c, 3),
                                        **why(("skill_similar", {"skill": name, "found": value,
                                                                 "cosine": round(c, 2)})))
            reason = (("skill_closest", {"found": value, "cosine": round(c, 2)}) if _near_miss(name, value, c, is_item)
                      else ("skill_not_found", {"skill": name}))
            return RequirementMatch(**base, status="missing", auto_status="missing", method="embedding",
                                    similarity=round(c, 3), **why(reason))
    return RequirementMatch(**base, status="missing", auto_status="missing", method="alias",
                            **why(("skill_not_found", {"skill": name})))


def _match_any_skill(req: Requirement, snip: _Snippets, embedder) -> RequirementMatch:
    """A skill requirement with alternatives ("Java or Go") is met by the best of them."""
    best: RequirementMatch | None = None
    if req.alternatives_only:  # "automated tests (Jest, Vitest or Playwright)": one of the named ones, as written
        for name in req.alternatives:
            m = _match_skill(req.model_copy(update={"value": name}), snip, None)
            if m.status == "met":
                one_of = why(("one_of", {"names": ", ".join(req.alternatives)}))
                return m.model_copy(update={"explanation": f"{m.explanation} ({one_of['explanation']})",
                                            "reasons": [*m.reasons, *one_of["reasons"]]})
        return RequirementMatch(requirement_id=req.id, kind=req.kind, requirement=req.text, must_have=req.must_have,
                                status="missing", auto_status="missing", method="alias",
                                **why(("none_of", {"names": ", ".join(req.alternatives)})))
    for name in [req.value, *req.alternatives]:
        one = req if name == req.value else req.model_copy(update={"value": name})
        m = _match_skill(one, snip, embedder)
        if best is None or _RANK[m.status] > _RANK[best.status] or (
                _RANK[m.status] == _RANK[best.status] and (m.similarity or 1.0) > (best.similarity or 1.0)):
            best = m
        if best.status == "met" and best.method != "embedding":
            break
    if req.level == "expert" and best.status != "missing" and any(_WEAK_SKILL.search(ev) for ev in best.evidence):
        ev = next(e for e in best.evidence if _WEAK_SKILL.search(e))
        return best.model_copy(update={"status": "missing", "auto_status": "missing",
                                       **why(("below_expert", {"found": ev}))})
    return best


_WEAK_SKILL = re.compile(r"熟悉|了解|一般|入门|familiar|basic|beginner|elementary|working knowledge", re.I)


_RANK = {"missing": 0, "partly": 1, "met": 2}


def _near_miss(skill: str, found: str, c: float, is_item: bool) -> bool:
    """Whether the closest resume text to a missing skill is worth showing: a listed item that names another skill
    of the vocabulary, related by meaning ("Go" ~ "Java"); never a sentence, a city, a heading or a title, whose
    cosine to a skill says nothing of the candidate's skills."""
    return is_item and c >= SKILL_RELATED and None not in (canonical_skill(skill), canonical_skill(found))


def _grade(c: float, is_item: bool) -> int:
    met, partly = (SKILL_MET, SKILL_PARTLY) if is_item else (SENTENCE_MET, SENTENCE_PARTLY)
    return 2 if c >= met else 1 if c >= partly else 0


def _country_apart(req: Requirement) -> Requirement:
    """The skill compared without the country that scopes it ("中国增值税申报" as "增值税申报"); ``_in_country``
    checks the country."""
    value = without_country(str(req.value))
    alternatives = [without_country(a) for a in req.alternatives]
    if value == req.value and alternatives == req.alternatives:
        return req
    return req.model_copy(update={"value": value, "alternatives": alternatives})


def _in_country(req: Requirement, result: RequirementMatch, profile: ResumeProfile) -> RequirementMatch:
    """A skill tied to one country by its JD line is missing when the resume names only other countries (see
    ``country_scope``): one country's tax returns or standards are not another's, however alike they read."""
    if result.status == "missing":
        return result
    found = elsewhere_only(req.line or req.text, profile.text)
    if found is None:
        return result
    country, elsewhere = found
    values = {"skill": without_country(str(req.value)), "country": country, "elsewhere": ",".join(elsewhere),
              "country_name": COUNTRY_EN[country], "elsewhere_names": ", ".join(COUNTRY_EN[c] for c in elsewhere)}
    return result.model_copy(update=dict(status="missing", auto_status="missing", evidence=[],
                                         **why(("country_elsewhere", values))))


# ------------------------------------------------------------------------------------------------- years


def _work_years(profile: ResumeProfile, today: date) -> tuple[float, list[str]]:
    spans, evidence = [], []
    for w in profile.work_experience:
        a, b = month_index(w.start, today), month_index(w.end, today, end=True)
        if a is None or b is None or b < a:
            continue
        spans.append((a, b + 1))
        evidence.append(w.company.source)
    return union_months(spans) / 12.0, evidence


_ENGINEERING = re.compile(r"engineer|engineering|技术|工程师", re.I)


def _relevant(subject_areas: set[str], subject_words: set[str], text: str) -> bool:
    """``text`` (a job title, a major) belongs to the subject: a shared field of work, else a shared word."""
    areas, words = role_terms(text)
    areas |= {AREA_PARENTS[a] for a in areas if a in AREA_PARENTS}  # a frontend title is software work too
    if subject_areas:
        if "software" in subject_areas and not areas and _ENGINEERING.search(text):
            return True  # "Engineering Manager", "技术负责人": engineering of no other named field
        return bool(subject_areas & areas)
    low = text.lower()
    if any(w in low for w in subject_words):
        return True
    # a field the vocabulary does not name: words of one stem ("nursing" / "Nurse", "surveying" / "Surveyor"),
    # or a shared pair of Han characters ("园林设计" / "园林工程师")
    title_words = re.findall(r"[a-z]{4,}", low)
    for w in subject_words:
        if has_han(w):
            pairs = {w[i:i + 2] for i in range(len(w) - 1)} - _GENERIC_PAIRS
            if any(pr in low for pr in pairs if re.fullmatch(r"[\u4e00-\u9fff]{2}", pr)):
                return True
        elif len(w) >= 4 and any(_same_stem(w, t) for t in title_words):
            return True
    return False


# pairs of Han characters any title may hold (rank, function): no sign of a field
_GENERIC_PAIRS = {"管理", "经理", "主管", "高级", "资深", "专员", "助理", "负责", "工程", "技术", "业务", "工作", "主任", "总监"}


def _same_stem(a: str, b: str) -> bool:
    """Two words of one stem: a common beginning of at least four letters that leaves at most three of the
    shorter word ("nursing" / "nurse", "engineering" / "engineer", "teaching" / "teacher")."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n >= max(4, min(len(a), len(b)) - 3)


def _match_years_of(req: Requirement, profile: ResumeProfile, today: date) -> RequirementMatch | None:
    """Years of a kind of work ("两年以上运营工作经验", "6+ years of server-side development"): the full-time months
    of the roles whose titles belong to it (internships and part-time jobs excluded), against the minimum."""
    areas, words = role_terms(req.subject or "")
    if not areas and not words:
        return None
    base = dict(requirement_id=req.id, kind=req.kind, requirement=req.text, must_have=req.must_have)
    need = float(req.value)
    spans, total_spans, evidence = [], [], []
    for w in profile.work_experience:
        a, b = month_index(w.start, today), month_index(w.end, today, end=True)
        if a is None or b is None or b < a or w.kind != "full_time":
            continue
        total_spans.append((a, b + 1))
        if w.title and _relevant(areas, words, str(w.title.value)):
            spans.append((a, b + 1))
            evidence.append(w.title.source)
    have, total = union_months(spans) / 12.0, union_months(total_spans) / 12.0
    method = "work_history"
    stated = profile.years_experience
    if stated is not None and float(stated.value) < have:  # the author's own total bounds any part of it
        have, total, method = float(stated.value), float(stated.value), "numeric"
        evidence = [stated.source, *evidence]
    status = "met" if have >= need - 1e-9 else "missing"
    values = {"total": round(total, 1), "have": round(have, 1), "need": need, "status": status}
    reason = ("years_in", {**values, "subject": req.subject}) if req.subject else ("years_in_any", values)
    return RequirementMatch(**base, status=status, auto_status=status, evidence=evidence, method=method,
                            **why(reason))


def _match_years(req: Requirement, profile: ResumeProfile, today: date) -> RequirementMatch:
    if req.subject and profile.work_experience:
        of = _match_years_of(req, profile, today)
        if of is not None:
            return of
    base = dict(requirement_id=req.id, kind=req.kind, requirement=req.text, must_have=req.must_have)
    need = float(req.value)
    if profile.years_experience is not None:
        have, evidence, method = float(profile.years_experience.value), [profile.years_experience.source], "numeric"
    else:
        have, evidence, method = *_work_years(profile, today), "work_history"
        if not evidence:
            return RequirementMatch(**base, status="missing", auto_status="missing", method="numeric",
                                    **why(("no_years", {})))
    status = "met" if have >= need else "partly" if have >= need - max(1.0, 0.25 * need) else "missing"
    return RequirementMatch(**base, status=status, auto_status=status, evidence=evidence, method=method,
                            **why(("years", {"have": round(have, 1), "need": need})))


# ------------------------------------------------------------------------------------------------ degree


def _match_degree(req: Requirement, profile: ResumeProfile) -> RequirementMatch:
    base = dict(requirement_id=req.id, kind=req.kind, requirement=req.text, must_have=req.must_have)
    need = DEGREE_LEVELS[str(req.value)]
    best: tuple[int, str, str] | None = None
    for e in profile.education:
        src = e.degree if e.degree is not None else None
        level = normalise_degree(str(src.value)) if src else None
        if level is None and src is not None:
            level = normalise_degree(src.source)
        if level is None:
            continue
        if best is None or DEGREE_LEVELS[level] > best[0]:
            best = (DEGREE_LEVELS[level], level, src.source)
    if best is None:
        return RequirementMatch(**base, status="missing", auto_status="missing", method="ordinal",
                                **why(("no_degree", {})))
    have, level, ev = best
    status = "met" if have >= need else "missing"  # a minimum: one level below it is not met
    parts = [("degree", {"have_level": level, "need_level": str(req.value)})]
    if req.majors and status != "missing":
        areas, words = role_terms(" ".join(req.majors))
        majors = [e.major for e in profile.education if e.major is not None]
        fit = next((m for m in majors if _relevant(areas, words, str(m.value))), None)
        asked = "/".join(req.majors)
        if fit is not None:
            ev = fit.source
            parts.append(("major_in", {"major": str(fit.value), "majors": asked}))
        else:
            status = "missing"
            named = ", ".join(str(m.value) for m in majors)
            parts.append(("major_not_in", {"major": named, "majors": asked}) if named
                         else ("major_unknown", {"majors": asked}))
    return RequirementMatch(**base, status=status, auto_status=status, evidence=[ev], method="ordinal",
                            **why(*parts))


# ---------------------------------------------------------------------------------------------- language

_WEAK_LEVEL = re.compile(r"\bbasic\b|\belementary\b|\bbeginner\b|\blimited\b|一般|基础|入门|初级", re.I)


_FLUENT_EVIDENCE = re.compile(r"fluen|native|bilingual|business|professional|full working|母语|流利|熟练|精通|工作语言|"
                              r"专业八级|tem-?8|商务", re.I)
_SCORE = re.compile(r"(?:ielts|雅思)\s*(\d(?:\.\d)?)|(?:toefl|托福)\s*(\d{2,3})", re.I)


def _written_in(base: dict, profile: ResumeProfile, lang: str) -> RequirementMatch:
    """A language requirement met because the resume itself is written in that language: whoever wrote it uses
    the language at a working level (the labelled sets count it so, for fluent / spoken / working requirements
    too). No line says so: the quote is a sentence the candidate wrote in it (never the first line, which is
    usually the name), or nothing, and the reason says it is inferred."""
    sentence = _prose_sentence(profile, lang)
    return RequirementMatch(**base, status="met", auto_status="met", evidence=[sentence] if sentence else [],
                            method="resume_language", **why(("resume_language", {"language": lang})))


def _prose_sentence(profile: ResumeProfile, lang: str) -> str | None:
    """The first sentence of the resume that is prose in ``lang`` (six words or more / twelve Han characters or
    more, work descriptions first): something the candidate wrote, not a name, a heading or a contact line."""
    blocks = [w.description for w in profile.work_experience if w.description] + [profile.text]
    for block in blocks:
        for s in _split(block):
            s = s.strip(" –—")
            if lang == "chinese" and count_han(s) >= 12 or lang == "english" and not has_han(s) and len(
                    re.findall(r"[A-Za-z]+", s)) >= 6:
                return s
    return None


def _fluency(req: Requirement, profile: ResumeProfile, lang: str) -> RequirementMatch | None:
    """A fluent / spoken / working-language requirement: a stated fluency (native, fluent, 工作语言, TEM-8, IELTS
    6.5+, TOEFL 90+), else the resume written in the language; an exam certificate alone (CET-4/6) is not."""
    base = dict(requirement_id=req.id, kind=req.kind, requirement=req.text, must_have=req.must_have)
    lines = []  # the part of each line that names the language ("普通话(母语)、英语(四级)": "英语(四级)")
    for ln in profile.text.splitlines():
        masked = re.sub(r"[(（][^()（）]*[)）]", lambda m: m.group(0).replace(",", "\x01").replace("，", "\x02")
                        .replace("、", "\x03").replace(";", "\x04").replace("；", "\x05"), ln)
        for part in re.split(r"[;；、,，|]", masked):
            part = part.translate({1: ",", 2: "，", 3: "、", 4: ";", 5: "；"}).strip()
            if lang in languages_in(part):
                lines.append(part)
    for ln in lines:
        score = _SCORE.search(ln)
        strong = score and (float(score.group(1)) >= 6.5 if score.group(1) else int(score.group(2)) >= 90)
        if strong or _FLUENT_EVIDENCE.search(ln):
            return RequirementMatch(**base, status="met", auto_status="met", evidence=[ln], method="alias",
                                    **why(("language_working", {"language": lang})))
    if {"en": "english", "zh": "chinese"}.get(profile.language) == lang:
        return _written_in(base, profile, lang)  # a stated level, when there is one, is the better quote (above)
    if lines:
        return RequirementMatch(**base, status="missing", auto_status="missing", evidence=[lines[0]], method="alias",
                                **why(("language_not_fluent", {"language": lang})))
    return RequirementMatch(**base, status="missing", auto_status="missing", method="alias",
                            **why(("language_missing", {"language": lang})))


def _match_language(req: Requirement, profile: ResumeProfile) -> RequirementMatch:
    base = dict(requirement_id=req.id, kind=req.kind, requirement=req.text, must_have=req.must_have)
    lang = canonical_language(str(req.value)) or str(req.value).lower()
    if req.level == "fluent":
        return _fluency(req, profile, lang)
    for s in profile.languages:
        if lang in languages_in(f"{s.value} {s.source}"):
            status = "partly" if _WEAK_LEVEL.search(f"{s.value} {s.source}") else "met"
            return RequirementMatch(**base, status=status, auto_status=status, evidence=[s.source or str(s.value)],
                                    method="alias", **why(("language_listed", {"found": str(s.value)})))
    for s in _split(profile.text):
        if lang in languages_in(s) and re.search(r"fluent|native|proficient|cet|ielts|toefl|流利|熟练|六级|四级|母语|"
                                                 r"雅思|托福|良好", s, re.I):
            return RequirementMatch(**base, status="met", auto_status="met", evidence=[s], method="alias",
                                    **why(("language_in_text", {"language": lang})))
    if {"en": "english", "zh": "chinese"}.get(profile.language) == lang:
        return _written_in(base, profile, lang)
    return RequirementMatch(**base, status="missing", auto_status="missing", method="alias",
                            **why(("language_missing", {"language": lang})))


# -------------------------------------------------------------------------------------------- management

_LEAD_TITLE = re.compile(
    r"\blead\b|\bleader\b|\bmanager\b|\bhead of\b|\bdirector\b|\bvp\b|\bvice president\b|\bcto\b|\bchief\b|"
    r"\bsupervisor\b|经理|主管|组长|负责人|总监|leader|架构师负责人|部长|主任|首席",
    re.I,
)
_TEAM_TEXT = re.compile(r"(?:led|managed|leading|managing)\s+(?:a\s+)?team\s+of\s+(\d+)|带领\s*(\d+)\s*人|"
                        r"管理\s*(\d+)\s*人", re.I)


def _match_management(req: Requirement, profile: ResumeProfile) -> RequirementMatch:
    base = dict(requirement_id=req.id, kind=req.kind, requirement=req.text, must_have=req.must_have)
    need = req.value if isinstance(req.value, int) else None
    size, ev = None, None
    if profile.team_size_led is not None and profile.team_size_led.value:
        size, ev = int(profile.team_size_led.value), profile.team_size_led.source
    else:
        for s in _split(profile.text):
            m = _TEAM_TEXT.search(s)
            if m:
                size, ev = int(next(g for g in m.groups() if g)), s
                break
    if size:
        status = "met" if need is None or size >= need else "missing"
        return RequirementMatch(**base, status=status, auto_status=status, evidence=[ev], method="numeric",
                                **why(("team_vs", {"size": size, "need": need}) if need else ("team", {"size": size})))
    for w in profile.work_experience:
        if w.title and _LEAD_TITLE.search(str(w.title.value)):
            status = "met" if need is None else "missing"  # a team size is asked and none is stated
            return RequirementMatch(**base, status=status, auto_status=status, evidence=[w.title.source],
                                    method="title", **why(("management_title", {"title": str(w.title.value)})
                                                          if need is None else ("management_title_no_size", {
                                                              "title": str(w.title.value), "need": need})))
    return RequirementMatch(**base, status="missing", auto_status="missing", method="numeric",
                            **why(("no_management", {})))


# ----------------------------------------------------------------------------------------------- public


def match(profile: ResumeProfile, requirements: JobRequirements, embedder=None, *,
          candidate_id: str | None = None, today: date | None = None) -> MatchResult:
    """Match one profile; ``embedder`` (``load_multilingual_use()``) may be None for lexical-only matching.
    ``today`` is the month "present" counts to (default: today)."""
    snip = _Snippets(profile)
    today = today or date.today()
    items: list[RequirementMatch] = []
    for req in requirements.requirements:
        if req.kind == "skill":
            items.append(_in_country(req, _match_any_skill(_country_apart(req), snip, embedder), profile))
        elif req.kind == "years":
            items.append(_match_years(req, profile, today))
        elif req.kind == "degree":
            items.append(_match_degree(req, profile))
        elif req.kind == "language":
            items.append(_match_language(req, profile))
        elif req.kind == "management":
            items.append(_match_management(req, profile))
    return scored_result(items, candidate_id, [])


def rank(profiles_with_ids: Iterable[tuple[str, ResumeProfile]], requirements: JobRequirements, embedder=None, *,
         overrides: Mapping[str, Iterable[Override]] | None = None, today: date | None = None) -> list[MatchResult]:
    """Match every (candidate id, profile), apply HR's stored overrides, best first (score, then must-haves met
    or partly, then raw score, then id)."""
    results = []
    for cid, profile in profiles_with_ids:
        r = match(profile, requirements, embedder, candidate_id=cid, today=today)
        for ov in (overrides or {}).get(cid, []):
            r = with_override(r, ov)  # keeps HR's original timestamp
        results.append(r)
    results.sort(key=lambda r: (-r.score, -r.must_haves_met, -r.raw_score, r.candidate_id or ""))
    return results
