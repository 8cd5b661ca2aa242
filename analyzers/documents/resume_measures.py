"""Measured claims in a resume's lines: the largest team its author led (``team_size_led``) and its quantified
results (``quantified_results``), each result quoted as the shortest span that carries its number and what the
number measures ("月结周期由8天缩短至5天", "pipeline from $3.4M to $9.1M", "600+ Cypress tests").

What is not a result: team sizes and people mentored, trained or taught (the first has its own field), years of
experience and other spans of years ("其中7年…", "in two years"), dates, exam levels (CET-6, IELTS), versions and
identifiers ("ISO 9001", "Vue 2", "5S", "P6", "NY-ONC-301").

How a span is cut, in words:
* clauses end at sentence and list punctuation, colons, table cells, " - " and "and / which / that / with"
  (not at a thousands separator, and not at the "and" of "15 retail and wholesale clients");
* a count with its noun after it stands alone ("Wrote 600+ Cypress tests" -> "600+ Cypress tests"); a bare
  amount or rate takes what it measures from before it ("Kept drawer accuracy at 99.9%" -> "drawer accuracy at
  99.9%"), without the leading verb unless the verb is the change itself ("Reduced churn by 20%");
* a participle just before the number is what it measures ("covering 1,400 scenarios", "used by 4 teams");
* the tail after the last number stops at a preposition that only says how, when or where ("in React",
  "by moving spend", "at peak"), except when the number stands alone ("$2m in new revenue").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from analyzers.documents.resume_experience import ROLE_NOUNS_EN, SINCE_RE
from analyzers.documents.resume_profile import Sourced
from analyzers.documents.resume_vocabulary import RANGE_RE
from analyzers.text.numbers import EN_NUMBER_PATTERN, parse_int
from analyzers.text.script import count_han, has_han

__all__ = ["quantified_results", "quantity_tokens", "team_size"]

# --------------------------------------------------------------------------------------------------------------------
# team led

_LEAD_VERB = (r"(?:led|lead|leading|run|runs|ran|running|managed|managing|manage|manages|supervised|supervising|supervise|"
              r"supervises|headed|head|heads|oversaw|oversee|oversees|overseeing|directed|direct|directs|built and led|"
              r"grew and led|grew)")
# collective nouns for the people someone leads, and whom a team is made of: any plural role noun
# ("physiotherapists", "SDRs") or a word for people in general
_GROUP = (r"(?:team|teams|group|staff|organi[sz]ation|crew|brigade|squad|desk|department|unit|shift|org|pod|cell|"
          r"ward|division|section|branch|office|workforce|platoon|practice|function|studio|kitchen|line|faculty)")
_PEOPLE = (r"(?:people|staff|employees|reports|workers|members|colleagues|personnel|volunteers|contractors|"
           rf"[\w-]*(?:{'|'.join(ROLE_NOUNS_EN)})s|(?-i:[A-Z]{{2,5}}s))")


def team_size(text: str) -> Sourced[int] | None:
    """The largest team the resume says its author led or managed (mentoring, training and teaching are not)."""
    num = r"(\d+|[一二两三四五六七八九十百]+)"
    en = rf"(\d+|{EN_NUMBER_PATTERN})"
    pats = [
        rf"\b{_LEAD_VERB}\s+(?:and\s+\w+\s+)?(?:a|an|the|my|our)?\s*(?:[\w-]+\s+){{0,2}}?{_GROUP}\s+of\s+{en}\b",
        rf"\b{_LEAD_VERB}\s+(?:a|an|the)?\s*{en}[-\s](?:person|member|people|engineer|strong)s?\s*(?:[\w-]+\s+){{0,2}}?"
        rf"{_GROUP}",
        rf"\b{_LEAD_VERB}\s+(?:a\s+(?:team|staff)\s+of\s+)?{en}\s+(?:[\w-]+\s+){{0,1}}?{_PEOPLE}\b",
        r"(\d+)\s+direct reports",
        rf"(?:带领|领导|管理|带|负责|组建|统筹)(?:了)?\s*(?:一支|一个)?\s*{num}\s*(?:人|名)(?:\S{{0,4}}?)?(?:团队|小组|组)?",
        rf"(?:团队|小组)(?:规模)?\s*[:：]?\s*{num}\s*人",
        rf"(?:带领|领导|管理)(?:一支|一个)?\s*{num}\s*(?:余)?(?:人|名)",
    ]
    best = None
    for p in pats:
        for m in re.finditer(p, text, re.I):
            n = parse_int(m.group(1).lower())
            if n and 1 < n < 100000 and (best is None or n > best.value):
                best = Sourced(n, m.group(0))
    return best


# --------------------------------------------------------------------------------------------------------------------
# quantities

_QUANT_RES = [
    r"[+\-]?\d+(?:\.\d+)?\s*%",
    r"百分之[一二三四五六七八九十百\d]+",
    r"[$¥￥€£]\s?\d+(?:[.,]\d+)?\s*(?:[kmb](?![a-z])|million|billion|万|亿)?\+?",
    r"\d+(?:\.\d+)?\s*(?:万|亿)\+?\s*(?:元|美元|人民币|用户|日活|月活|DAU|MAU|订单|单)?",
    r"(?:百万|千万|亿|十亿|百亿|万)级",
    r"\d+(?:\.\d+)?\s*(?:million|billion|[MBK])\+?\s*(?:users|customers|dollars|requests|downloads|DAU|MAU|in revenue|ARR)?(?![a-z])",
    r"\d+(?:\.\d+)?\s*(?:x|倍)(?![a-z])",
]
_QUANT_RE = re.compile("|".join(f"(?:{p})" for p in _QUANT_RES), re.I)


def quantity_tokens(s: str) -> list[str]:
    """The normalised quantities in a phrase ("35%", "$2m", "千万级"), for matching results."""
    out = []
    for m in _QUANT_RE.finditer(s):
        t = re.sub(r"\s+", "", m.group(0)).lower().lstrip("+")
        t = re.sub(r"(?<=[0-9mbk])(?:users|customers|dollars|requests|downloads|dau|mau|inrevenue|arr)$", "", t)
        out.append(t.rstrip("+"))
    return out


_CN_NUM = "两三四五六七八九十百千"
_CN_COUNTER = "个家项次场条款份篇本届台套例张所座"
# a number that measures: not glued to letters ("Vue 2" aside: "H5", "P6", "K/3", "U8", "B2B", "NY-ONC-301", "5S",
# "4G"), though a word may follow a hyphen ("9-week", "5-star"); a Chinese numeral before a counter ("三项", not
# "第三", "二标段"); a streak of years ("连续三年")
_QUANT_ANY = re.compile(
    r"(?<![A-Za-z\d./\-])[$¥€£~]?\d[\d,]*(?:\.\d+)?\s*(?:%|[kKmMbB](?![a-z])|万|亿|x\b|倍|\+)?"
    r"(?![A-Za-z]\d|\d|/[A-Za-z\d]|-(?![a-z]{2,})[A-Za-z\d]|(?<=\d)[A-Z](?![a-z]))"
    r"|(?:百万|千万|十亿|百亿|亿|万)级"
    rf"|(?<![第一{_CN_NUM}])[{_CN_NUM}][一{_CN_NUM}]*(?=[{_CN_COUNTER}])"
    rf"|连续[{_CN_NUM}\d]+\s*(?:年|个月|季度)")
# spans of years are durations, not results ("其中7年…", "10+ years", "in two years"), unless a streak ("连续3年")
_YEARS = re.compile(rf"(?<![\d.连续])(?:\d{{1,2}}(?:\.\d)?|[一{_CN_NUM}]+)\s*\+?\s*[多余]?\s*年(?![度级\d])"
                    rf"|(?<![\w.])(?:\d{{1,2}}|{EN_NUMBER_PATTERN})\+?[-\s]*(?:years?|yrs?)\b(?!\s+(?:over|in a row))",
                    re.I)
# a standard's or product's number ("ISO 9001", "NEC 2023", "WCAG 2.1", "从 Vue 2 迁移"): an identifier, not a measure
_VERSIONED = re.compile(r"\b[A-Z]{2,6}[- ]?\d+(?:\.\d+)*(?![\d.%+xkKmM万亿倍])"
                        r"|\b[A-Z][a-z]+\s\d{1,2}(?:\.\d+)?(?![\d,.%+])(?=\s*(?:[\u4e00-\u9fff]|[;；)）]|$))")
# phone numbers ("158 0000 7316", "(303) 555-0172", "+44 113 496 0581")
_PHONE = re.compile(r"(?<![\d,.])(?:\+\d{1,3}[\s-]?)?(?:\(\d{2,4}\)|\d{2,4})\)?[\s.-]\d{3,4}[\s.-]\d{3,4}(?![\d,.])"
                    r"|(?<!\d)1[3-9]\d{9}(?!\d)")
# a calendar year ("May–Aug 2025", "2025年"), not a count of something ("2000 users")
_YEAR = re.compile(r"(?<![\d,.$¥€£])(?:19|20)\d{2}(?![\d,.%+]|\s*(?:[万亿倍]|[A-Za-z]))")
_NOT_RESULT = re.compile(rf"\b{_GROUP} of\s+(?:\d|{EN_NUMBER_PATTERN})|带领|mentor|带教|培训|train|teach|taught|"
                         r"\d+\s+of\s+them\b|"
                         r"\bstudents\b|\bmentees\b|学员|年(?:以上)?(?:的)?\S{0,12}经验|CET|IELTS|TOEFL|雅思|托福", re.I)


def _measures(clause: str) -> bool:
    """Whether a clause holds a number that measures something (not a date, version, identifier or span of years)."""
    for pattern in (RANGE_RE, SINCE_RE, _PHONE, _VERSIONED, _YEARS, _YEAR):
        clause = pattern.sub(" ", clause)
    return bool(_QUANT_ANY.search(clause))


# --------------------------------------------------------------------------------------------------------------------
# clauses

_CLAUSE_END = re.compile(r"[;；。!！?？]|(?<!\d)[,，]|[,，](?!\d)|\s[-–—]\s|\s\|\s|[:：](?!\d)"
                         r"|(?:(?<=[a-z]{3})|(?<=[\d%)]))\.(?=\s)|\s(?:and|while|which|that|whereas|with)\s", re.I)
# "15 retail and wholesale clients", "11 publishers and agencies": one count of two kinds, not two clauses
_COUNTED_PAIR = re.compile(r"\d[\d,.]*\+?\s+[a-z][\w-]*\s*$")


def _verb_next(text: str) -> bool:
    """Whether ``text`` starts with a verb ("and cut costs by 9%": a second clause, not a second kind of thing)."""
    w = re.match(r"\s*([A-Za-z]+)", text)
    return bool(w) and bool(_CHANGE_VERB.match(w.group(1)) or _EN_VERB.match(w.group(1).capitalize())
                            or re.fullmatch(r"[a-z]{3,}ed", w.group(1)))


def _clauses(line: str) -> list[str]:
    out, pos = [], 0
    for m in list(_CLAUSE_END.finditer(line)) + [None]:
        end = m.start() if m else len(line)
        if m and m.group(0).strip().lower() == "and" and _COUNTED_PAIR.search(line[pos:end]) \
                and not _verb_next(line[m.end():]):
            continue
        if m and m.group(0).strip().lower() == "with" and not (_measures(line[pos:end])
                                                                and _measures(line[m.end():])):
            continue  # "with" parts two results, not a result and its means
        out.append(line[pos:end])
        pos = m.end() if m else len(line)
    return out


# --------------------------------------------------------------------------------------------------------------------
# spans

_STOP_AFTER = re.compile(r"\s+(?:in|by|with|using|through|after|across|on|for|at|during|via|from|into|than|over|to|"
                         r"under|as|per cent|year\s+over\s+year|since|when|because)\b.*$|[(（].*$", re.I)
_STOP_AFTER_ALONE = re.compile(r"\s+(?:by|with|using|through|after|across|on|for|at|during|via|from|into|than|over|"
                               r"to|under|as|year\s+over\s+year|since|when|because)\b.*$|\s+in\s+(?:19|20)\d\d.*$|[(（].*$",
                               re.I)
_VERB_LIKE = re.compile(r"^(?:[\w-]+ed|the|a|an|our|my|its|their|grew|cut|raised|brought|kept|ran|built|took|won|"
                        r"led|made|set|drove|lifted|full|overall|total|average|mean|median)$", re.I)
# the first word of an English bullet that is its verb ("Wrote", "Own", "Ship"), and the verbs that are the change
# a number measures ("Reduced X by 27%"), which stay
_EN_VERB = re.compile(r"^(?:[A-Z][a-z]+ed|Own|Owns|Run|Runs|Ran|Led|Lead|Leads|Kept|Keep|Keeps|Wrote|Write|Writes|"
                      r"Built|Build|Builds|Ship|Ships|Made|Make|Won|Took|Brought|Bring|Set|Drove|Oversaw|Oversee|"
                      r"Manage|Manages|Handle|Handles|Deliver|Delivers|Support|Supports|Supervise|Supervises|"
                      r"Coordinate|Coordinates|Maintain|Maintains|Serve|Serves|Process|Processes|Sold|Sell|Sells|"
                      r"Hit|Met|Grew|Grow|Cut|Cuts|Held|Hold|Holds|Spent|Gave)$")
_CHANGE_VERB = re.compile(r"^(?:cut|cuts|reduced|reduces|increased|increases|grew|grow|raised|raises|lowered|"
                          r"boosted|improved|improves|decreased|doubled|tripled|halved|saved|saves|lifted|shortened|"
                          r"accelerated|trimmed|slashed)$", re.I)
_DETERMINER = re.compile(r"^(?:a|an|the|our|my|its|their|his|her)$", re.I)
_PREP_BEFORE = re.compile(r"^(?:for|in|across|within|among)$", re.I)
_QUALIFIER = re.compile(r"(?:\b(?:up to|over|more than|nearly|almost|about|around|approximately|some|roughly)\s+)$",
                        re.I)
_PARTICIPLE = re.compile(r"(?:\b[a-z]+ing|\b(?:used|adopted|trusted|relied|shared|read|followed)\s+(?:by|on|in|across))"
                         r"(?:\s+(?:a|an|the|up to|over|more than|nearly|some))?\s*$")
# the lead verbs and adverbs of a Chinese bullet; 完成/达成 only before an amount ("完成回款额约500万元": the amount is
# what is measured; in "完成施工约4公里" the work done is)
_ZH_LEAD = re.compile(r"^(?:负责|主导|推动|参与|通过|实现|帮助|协助|统筹|牵头|独立|共(?=\S)|带领\S{0,4}?"
                      r"|(?:完成|达成|达到)(?=[\u4e00-\u9fff]{0,6}(?:额|率|量|收入|营收|利润)\s*约?\s*\d))+")
# "上线后…", "优化后…": the step before the result, not what it measures
_ZH_AFTER = re.compile(r"^[^\d]*?(?:上线|实施|优化|改造|落地|运营|推行|推广|改版|重构|引入|接入|完成)后")


def _zh_span(clause: str) -> str | None:
    span = re.sub(r"[(（][^)）]*[)）]?$", "", clause).strip()
    ident = list(_VERSIONED.finditer(span))
    if ident and _measures(span[ident[-1].end():]):
        span = re.sub(r"^[\sA-Z]*", "", span[ident[-1].end():])  # "按 WCAG 2.1 AA 修复…": the standard is context
    span = _ZH_LEAD.sub("", span)
    after = _ZH_AFTER.match(span)
    if after and _measures(span[after.end():]):
        span = span[after.end():]
    about = re.search(r"约\s*\d", span)
    if about and not re.search(r"\d", span[:about.start()]) \
            and re.search(r"^[\d,.]*\s*[余多]?\s*[名人个家张条项位](?!次)[\u4e00-\u9fff]", span[about.end() - 1:]):
        span = span[about.start():]  # "支持…约650名员工": a count with its noun after it stands alone
    m = re.search(r"的[^\d]*$", span)  # "仓库面积2.8万平方米的跨境电商仓": the measure ends before 的
    if m and _QUANT_ANY.search(span[:m.start()]):
        span = span[:m.start()]
    return span.strip() or None


def _from_to_span(clause: str, words_from: re.Match) -> str | None:
    before = clause[:words_from.start()].split()
    keep: list[str] = []
    for w in reversed(before):
        if _VERB_LIKE.match(w) or len(keep) == 3 and not re.fullmatch(r"[A-Z]{2,6}", w):
            break  # three words name the measure, or four with an acronym ("GCSE pass rate")
        keep.insert(0, w)
    return " ".join(keep + [words_from.group(0)]).strip() or None


_NOT_A_NOUN = re.compile(r"\s*(?:in|by|with|of|per|a|an|the|at|to|from|on|for|and|or|than|over|under|year|years|"
                         r"down|up|off|higher|lower|more|less|fewer|faster|ahead|below|above|behind|into|across|each|"
                         r"worth|vs|versus|while|after|before|during|through|via|using|since|when|which|that|\w+ly)\b", re.I)


def _en_start(clause: str, first: re.Match) -> tuple[int, bool]:
    """Where an English span starts (at the count when its noun follows it, else where what it measures begins),
    and whether the number is a count with its noun after it."""
    lead = clause[:first.start()]
    after = clause[first.end():]
    counted = bool(re.match(r"(?:-[a-z]{2,}|\s*[A-Za-z][\w-]*)", after)) and not _NOT_A_NOUN.match(after)
    if re.match(r"\s*zero\b", clause, re.I):
        return 0, counted  # "Zero defects on 25+ jobs": the zero is the claim
    part = _PARTICIPLE.search(lead)
    if part:
        return part.start(), counted
    q = _QUALIFIER.search(lead)
    if counted:
        return (q.start() if q else first.start()), True
    if q and re.search(r"\bof\s+\S+(?:\s+to)?\s*$", lead):
        return q.start(), False  # "drawers of up to $40,000 a day": the size of each
    start = _en_lead(lead)
    return (first.start() if start is None else start), False


def _en_lead(lead: str) -> int | None:
    words = [(m.start(), m.group(0)) for m in re.finditer(r"\S+", lead)]
    if words and _PREP_BEFORE.match(words[-1][1]) or len(words) > 1 and _DETERMINER.match(words[-1][1]) \
            and _PREP_BEFORE.match(words[-2][1]):
        return None  # "…project in 12% under budget", "for a $48M plant": the measure starts at the number
    if words and _EN_VERB.match(words[0][1]) and not _CHANGE_VERB.match(words[0][1]) \
            and not re.search(r"\bby\s*$", lead):
        i = 1
        while i < len(words) and _DETERMINER.match(words[i][1]):
            i += 1
        return words[i][0] if i < len(words) else None
    return 0


def result_span(clause: str) -> str | None:
    """The shortest span of a clause that carries its number and what it measures (``quantified_results``)."""
    clause = clause.strip(" -•*·▪●◆–—\t.")
    clause = re.sub(r"\s+(?:in|during|for|since)\s+(?:FY\s?)?(?:19|20)\d{2}(?:\s*[-–—]\s*(?:19|20)?\d{2})?$", "",
                    clause)  # "... in 2023": when, not what
    if not clause or not _QUANT_ANY.search(clause):
        return None
    if has_han(clause) and count_han(clause) >= len(re.findall(r"[A-Za-z]+", clause)):
        span = _zh_span(clause)
        return _balanced(span) if span else None
    words_from = re.search(r"\bfrom\b(?:[^,;]|(?<=\d),(?=\d))*?\bto\b\s*\S+(?:\s+(?:hours?|days?|working days|weeks?|months?|minutes?|"
                           r"seconds?|years?))?", clause)
    if words_from:
        return _from_to_span(clause, words_from)
    quants = list(_QUANT_ANY.finditer(clause))
    first, last = quants[0], quants[-1]
    start, counted = _en_start(clause, first)
    tail = clause[last.end():]
    alone = not counted and first is last and not re.search(r"[A-Za-z]", clause[start:first.start()])
    tail = (_STOP_AFTER_ALONE if alone else _STOP_AFTER).sub("", tail)
    words = list(re.finditer(r"\S+", tail))
    end = last.end() + (words[min(len(words), 5) - 1].end() if words else 0)
    return _balanced(clause[start:end].strip(" ,;")) or None


def _balanced(span: str) -> str:
    """A span without a closing bracket it does not open ("1,900 stars)" of "(1,900 stars)")."""
    while span and span[-1] in ")）" and span.count("(") + span.count("（") < span.count(")") + span.count("）"):
        span = span[:-1].rstrip()
    return span


def quantified_results(lines: Iterable[str]) -> list[Sourced[str]]:
    """Every quantified result in ``lines`` (the lines of experience, projects, summary and awards), in order,
    once each. A table row is read cell by cell; a role's header line, a date cell and a contact line hold none."""
    out, seen = [], set()
    for s in lines:
        for cell in re.split(r"\s[|｜]\s", s):
            if re.search(r"\S@\S+\.[A-Za-z]", cell) or not _measures(cell):
                continue
            for clause in _clauses(cell):
                clause = re.sub(r"^\s*[(（]|[)）]\s*$", "", clause)
                if not _measures(clause) or _NOT_RESULT.search(clause) or team_size(clause):
                    continue  # a team led is its own field, not a result
                span = result_span(clause)
                if span and span not in seen and span in s and _measures(span):
                    seen.add(span)
                    out.append(Sourced(span, span))
    return out
