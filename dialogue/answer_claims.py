"""What an answer claims that is worth checking: a self-praise claim with no example behind it, and a stated fact
(years of experience, team size, title seniority) that differs from the resume. The rule-based follow-up policy
(dialogue/followup.py) probes them; answer scoring (dialogue/scoring.py) records unsupported claims."""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from analyzers.text.numbers import EN_NUMBER_PATTERN, parse_int
from analyzers.text.script import HAN

_EN_ADJ = (
    r"great|good|excellent|strong|natural|born|outstanding|exceptional|effective|skilled|talented|gifted|"
    r"amazing|brilliant|fantastic|perfect|experienced|expert|hard[- ]working|detail[- ]oriented|"
    r"results?[- ]driven|passionate|reliable|dedicated|motivated|proactive|creative|fast learner|quick learner|"
    r"team player|people person|problem[- ]solver"
)
_CLAIM_EN = re.compile(
    rf"\bI(?:'m|’m| am)\s+(?:a\s+|an\s+)?(?:(?:very|really|extremely|highly|truly|quite|super|an?)\s+)*(?:{_EN_ADJ})"
    rf"(?:\s+(?:at|in|with|of)\s+[a-z]+|\s+(?!(?:and|but|so|because|I|who|which|that)\b)[a-z]+){{0,2}}"
    r"|\bI(?:'m|’m| am)\s+(?:(?:very|really|extremely|quite)\s+)?good at\s+[a-z]+(?:\s+[a-z]+)?"
    r"|\bmy\s+[a-z]+(?:\s+[a-z]+)?\s+skills\s+are\s+(?:(?:very|really|extremely)\s+)?(?:strong|great|excellent|"
    r"outstanding|exceptional|good)"
    r"|\bI\s+have\s+(?:very\s+|really\s+)?(?:strong|great|excellent|outstanding|exceptional)\s+[a-z]+"
    r"(?:\s+[a-z]+)?\s+(?:skills|abilities|ability)"
    r"|\bI\s+(?:excel|thrive)\s+(?:at|in|under)\s+[a-z]+(?:\s+[a-z]+)?"
    r"|\bI(?:'m|’m| am)\s+known\s+(?:for|as)\s+[a-z]+(?:\s+[a-z]+){0,2}"
    r"|\b(?:people|everyone|everybody|colleagues)\s+(?:always\s+)?(?:like|love|enjoy)\s+(?:working\s+with\s+)?me\b",
    re.I,
)
_CLAIM_ZH = re.compile(
    rf"我(?:的)?[{HAN}]{{0,6}}(?:能力|水平|技术|技能)(?:非常|很|特别|比较|十分|极|超)?(?:强|好|突出|出色|优秀|过硬)"
    rf"|我是一(?:个|名|位)?(?:非常|很|特别|十分)?(?:好|优秀|出色|合格|天生|称职)的[{HAN}]{{1,6}}"
    rf"|我(?:非常|很|特别|十分)?(?:擅长|善于)[{HAN}]{{1,6}}"
    r"|(?:大家|同事们?|领导)(?:都|一直)?(?:很)?(?:喜欢|认可|信任)(?:和)?我"
)

_EN_N = rf"(\d+|{EN_NUMBER_PATTERN})"
_ZH_N = r"(\d+|[零一二两三四五六七八九十百]+)"
_FACT_PATTERNS: dict[str, list[re.Pattern[str]]] = {
    "years_experience": [
        re.compile(rf"\b{_EN_N}\+?\s*(?:\+\s*)?years?(?:['’])?\s+(?:of\s+)?(?:[a-z-]+\s+){{0,2}}"
                   r"(?:experience|managing|leading|working|in (?:the |this )?(?:industry|field))", re.I),
        re.compile(rf"\bbeen\s+(?:working|managing|coding|leading|doing this)\s+(?:[a-z]+\s+){{0,2}}for\s+"
                   rf"(?:over\s+|about\s+|almost\s+)?{_EN_N}\s+years", re.I),
        re.compile(rf"\bexperience\s+of\s+(?:over\s+|about\s+)?{_EN_N}\s+years", re.I),
        re.compile(rf"{_ZH_N}年(?:多|以上)?(?:的)?[{HAN}]{{0,4}}?(?:经验|工作经历|从业经历)"),
        re.compile(rf"(?:工作|从业|干)了?{_ZH_N}年"),
    ],
    "team_size": [
        re.compile(rf"\bteam\s+of\s+(?:about\s+|around\s+|over\s+)?{_EN_N}\b", re.I),
        re.compile(rf"\b{_EN_N}[- ](?:person|people|member|strong)\s+team\b", re.I),
        re.compile(rf"\b(?:led|managed|lead|manage|managing|leading|supervised|had)\s+(?:about\s+|around\s+|over\s+)?"
                   rf"{_EN_N}\s+(?:engineers|developers|people|reports|direct reports|members|staff|designers)\b", re.I),
        re.compile(rf"{_ZH_N}(?:个)?(?:人|名)(?:的)?(?:团队|小组|队伍)"),
        re.compile(rf"团队(?:有|共|一共)?{_ZH_N}(?:个)?(?:人|名)"),
        re.compile(rf"(?:带|带领|管理)了?{_ZH_N}(?:个)?(?:人|名)"),
    ],
}
_SENIORITY = re.compile(
    r"\b(?:director|head|vp|vice president|cto|ceo|cfo|coo|chief|principal|manager|lead)\b|总监|总经理|经理|主管|"
    r"负责人|总裁|首席",
    re.I,
)
_TITLE_STATED = re.compile(
    r"\b(?:I was|as)\s+(?:the|a|an)\s+((?:[A-Za-z]+\s+){0,3}(?:director|head|vp|vice president|cto|ceo|chief|"
    r"principal|manager|lead)\b(?:\s+of\s+[A-Za-z]+)?)"
    rf"|(?:担任|作为|当|做)(?:了)?([{HAN}]{{0,6}}(?:总监|总经理|经理|主管|负责人|总裁|首席[{HAN}]{{1,4}}))",
    re.I,
)


def _differs(stated: float, resume: float) -> bool:
    return abs(stated - resume) > max(1.0, 0.3 * abs(resume))


def _resume_number(resume: Mapping[str, Any], key: str) -> float | None:
    v = resume.get(key)
    try:
        return None if v is None or isinstance(v, bool) else float(v)
    except (TypeError, ValueError):
        return None


def find_contradiction(sentences: Sequence[str], resume: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The first stated fact (years of experience, team size, title seniority) that differs from the resume."""
    if not resume:
        return None
    for s in sentences:
        for key, pats in _FACT_PATTERNS.items():
            expected = _resume_number(resume, key)
            if expected is None:
                continue
            for pat in pats:
                for m in pat.finditer(s):
                    n = parse_int(m.group(1))
                    if n is not None and _differs(n, expected):
                        return {"fact": key, "stated": n, "resume": expected, "sentence": s, "span": m.group(0)}
        titles = [str(t) for t in (resume.get("titles") or []) if t]
        if titles:
            for m in _TITLE_STATED.finditer(s):
                stated = (m.group(1) or m.group(2) or "").strip()
                kw = _SENIORITY.search(stated)
                if kw and not any(kw.group(0).lower() in t.lower() for t in titles):
                    return {"fact": "title", "stated": stated, "resume": ", ".join(titles), "sentence": s,
                            "span": m.group(0)}
    return None


def find_unsupported_claim(features: Mapping[str, Any]) -> dict[str, Any] | None:
    """A self-praise claim ("I am a great leader", "我沟通能力很强") with no concrete example sentence other than
    the claim itself and no quantified result."""
    sentences: list[str] = list(features.get("sentences") or [])
    claims: list[tuple[int, str]] = []
    for i, s in enumerate(sentences):
        m = _CLAIM_EN.search(s) or _CLAIM_ZH.search(s)
        if m:
            claims.append((i, m.group(0)))
    if not claims:
        return None
    claim_idx = {i for i, _ in claims}
    spec = features.get("specificity") or {}
    concrete = [i for i in spec.get("concrete_example_sentences") or [] if i not in claim_idx]
    if concrete or features.get("quantified_result"):
        return None
    i, span = claims[0]
    return {"sentence": sentences[i], "span": span}
