"""Work history out of a resume's experience lines: one entry per dated role, whatever the layout.

    experience_entries(lines) -> list[WorkExperience]

Resumes written by people put a role's company, title and dates in many arrangements: all on one line
("2022.05 – 至今 某某科技有限公司 · 产品经理"), the title above and "Company | dates" below, "Title, Company" under
a date rail, a table with 时间 / 公司 / 职位 columns, a company heading holding several dated roles. So the dates
anchor an entry: every non-description line holding a date range (or "since 2020") starts one, and its header is
that line plus the adjacent short, non-sentence lines that still supply a missing company or title. The header's
pieces are told apart by what they look like (a company suffix such as 公司 / Ltd / Press, a role word such as
经理 / 师 / Editor), then by a table's column labels, then by order. A role without a company takes the company of
the company-only heading above it whose dates contain it; such a heading is then dropped. Career breaks are not
entries. Remarks in parentheses are removed from companies and titles (and mark internships and part-time
jobs); a branch office or location suffix is removed from the company.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analyzers.documents.resume_profile import Sourced, WorkExperience
from analyzers.documents.resume_vocabulary import DATE, MON, RANGE_RE, parse_date
from analyzers.text.script import HAN, has_han

__all__ = ["ROLE_NOUNS_EN", "experience_entries", "is_bullet", "plain_line", "role_kind"]

_BULLET_RE = re.compile(r"^\s*(?:[-•·▪●◦○➢✓◆◇■□►▶–—]|\*(?!\*)|\d{1,2}[.、)](?!\d))\s*")  # "**Bold**" is no bullet
SINCE_RE = re.compile(rf"(?:since|from|自)\s*({DATE})(?:\s*年?起)?|({DATE})\s*(?:起|以来)", re.I)

# what a company name ends with / contains (zh suffixes, en legal forms and business nouns)
_COMPANY_ZH = re.compile(r"(?:公司|集团|医院|大学|学院|学校|银行|事务所|研究院|研究所|工作室|中心|酒店|药房|门诊|诊所|工厂|厂|"
                         r"协会|基金会|出版社|报社|电视台|律所|商行|超市|餐厅|酒楼)(?:[(（][^)）]*[)）])?$")
_COMPANY_EN = re.compile(
    r"\b(?:inc|ltd|llc|llp|plc|corp|corporation|co|company|gmbh|ag|sa|pty|limited|group|holdings|bank|university|"
    r"college|institute|school|academy|hospital|clinic|authority|council|agency|press|media|studio|studios|labs?|"
    r"services|systems|solutions|technologies|technology|software|analytics|partners|associates|consulting|"
    r"engineering|contractors|foods|grocers|stores|retail|restaurants?|hotel|brasserie|kitchen|dining|rooms|"
    r"fulfillment|logistics|storage|freight|union|apps|digital|health|healthcare|pharma|motors|energy|renewables|"
    r"capital|ventures|industries|manufacturing|networks|telecom|insurance|trust|foundation|self-employed|"
    r"freelance|bakery|cafe|café|pharmacy|chambers|solicitors|law|builders|construction|properties|estates|homes|"
    r"farms|markets|supermarkets?|outfitters|supply|supplies|trading|imports|exports|shipping|airlines?|"
    r"transport|nhs|surgery|practice|centre|center|museum|library|charity|ministry|department|board|"
    r"publishing|publishers|news|broadcasting|films|records|games|labs?|bistro|tavern|inn|resorts?|spa|"
    r"gym|fitness|clinics|hospitals|schools|academies)\b\.?$", re.I)
# what a job title ends with (zh role suffixes, en role nouns)
_TITLE_ZH = re.compile(r"(?:经理|主管|总监|专员|助理|顾问|主任|组长|店长|部长|负责人|实习生|会计|出纳|员|师|长|HRBP|BP|"
                       r"CEO|CTO|CFO|COO|总裁|总经理|合伙人|创始人|编辑|记者|翻译|秘书|文员|代表|研究员)$", re.I)
# role nouns: what an English job title ends with, and (plural) whom a team is made of
ROLE_NOUNS_EN: tuple[str, ...] = (
    "engineer", "manager", "director", "analyst", "designer", "developer", "lead", "head", "consultant",
    "architect", "scientist", "specialist", "officer", "president", "intern", "associate", "coordinator",
    "administrator", "accountant", "researcher", "programmer", "strategist", "executive", "representative", "owner",
    "founder", "partner", "teacher", "principal", "assistant", "supervisor", "operator", "technician",
    "electrician", "apprentice", "instructor", "editor", "copywriter", "writer", "chef", "cook", "teller",
    "cashier", "clerk", "nurse", "pharmacist", "advisor", "adviser", "auditor", "senior", "student", "co-op",
    "trainee", "controller", "planner", "buyer", "agent", "driver", "scheduler", "foreman", "inspector", "tester",
    "recruiter", "hrbp", "cto", "ceo", "cfo", "coo", "vp", "chief", "attorney", "lawyer", "paralegal", "therapist",
    "physician", "doctor", "dentist", "tutor", "lecturer", "professor", "fellow", "journalist", "producer",
    "marketer", "storekeeper", "dispatcher", "receptionist", "secretary", "bookkeeper", "mechanic", "welder",
    "carpenter", "plumber", "waiter", "barista", "housekeeper", "guard", "midwife", "physiotherapist", "paramedic",
    "surgeon", "solicitor", "barrister", "counsel", "estimator", "surveyor", "draughtsman", "draftsman",
    "machinist", "fitter", "labourer", "laborer", "porter", "steward", "bartender", "baker", "butcher",
    "stylist", "caregiver", "carer", "counsellor", "counselor", "librarian", "curator", "translator", "interpreter",
    "photographer", "illustrator", "animator", "pilot", "sergeant", "firefighter", "ranger", "rep", "sdr", "bdr",
    "actuary", "economist", "statistician", "chemist", "biologist", "physicist", "geologist", "veterinarian",
    "technologist", "hygienist", "optometrist", "radiographer", "sonographer", "dietitian", "nutritionist",
    "trainer", "coach",
)
_TITLE_EN = re.compile(rf"\b(?:{'|'.join(ROLE_NOUNS_EN)})s?\b\.?$", re.I)
_LOCATION = re.compile(r"^(?:[A-Z][a-z'.-]+(?:\s[A-Z][a-z'.-]+){0,2}),\s*(?:[A-Z]{2}|UK|USA|US|[A-Z][a-z]+)$"
                       r"|^(?:remote|hybrid|on-?site|远程)$|^[A-Z][a-z]+ \((?:hybrid|remote|on-?site)\)$", re.I)
_BREAK = re.compile(r"career break|sabbatical|gap year|职业间断|待业|空窗|育儿|休假|家庭原因", re.I)
_INTERN = re.compile(r"实习|intern(?:ship)?\b|placement|co-?op\b|trainee|见习", re.I)
_PART_TIME = re.compile(r"兼职|part[- ]time|weekend|周末|evening", re.I)
_REMARK = re.compile(r"\s*[(（][^()（）]{1,30}[)）]\s*$")
_BRANCH = re.compile(rf"^(.+?(?:有限公司|股份公司|公司))[{HAN}]{{2,8}}分公司$")
_COLUMN_LABELS = {
    "company": re.compile(r"^(?:公司|单位|公司名称|工作单位|company|employer|organi[sz]ation)$", re.I),
    "title": re.compile(r"^(?:职位|岗位|职务|title|position|role|job title)$", re.I),
    "date": re.compile(r"^(?:时间|日期|起止时间|dates?|period|time)$", re.I),
}
_SPLIT = re.compile(r"\s*(?:\||｜|\s[-–—]\s|—|–|\s·\s|·|•|\t|\s{2,}|,\s|，|\s(?:at|@)\s)\s*")


def is_bullet(s: str) -> bool:
    return bool(_BULLET_RE.match(s)) and not re.match(r"^\s*\d{4}", s)


def role_kind(text: str) -> str:
    """"internship" / "part_time" / "full_time" from the words of a role's header."""
    if _INTERN.search(text):
        return "internship"
    if _PART_TIME.search(text):
        return "part_time"
    return "full_time"


def plain_line(s: str) -> str:
    """A line without Markdown emphasis, heading marks and table pipes at the ends."""
    s = re.sub(r"^#{1,6}\s+", "", s.strip())
    s = re.sub(r"(\*\*|__|\*|_)(.+?)\1", r"\2", s)
    s = s.strip().strip("|").strip()
    return s.strip("*_ ")


def _is_sentence(s: str) -> bool:
    """Description rather than a header: a bullet, a long line, or a clause with sentence punctuation."""
    if is_bullet(s):
        return True
    core = re.sub(r"[(（][^()（）]{0,30}[)）]", " ", RANGE_RE.sub(" ", s)).strip()
    if len(core) > 80 or len(core.split()) > 12:
        return True
    if "。" in core or ";" in core or "；" in core:
        return True
    if re.search(rf"[{HAN}][,，、][{HAN}]", core):
        return True
    if core.endswith(".") and len(core.split()) > 3 and not _COMPANY_EN.search(core):
        return True
    return False


def _company_like(tok: str) -> bool:
    t = _REMARK.sub("", tok).strip()
    return bool(_COMPANY_ZH.search(t) or _COMPANY_EN.search(t))


def _title_like(tok: str) -> bool:
    t = _REMARK.sub("", tok).strip()
    return bool(_TITLE_ZH.search(t) or _TITLE_EN.search(t))


def _clean_company(tok: str) -> str:
    t = _REMARK.sub("", tok).strip(" ,，;；:：-–—·|*_")
    m = _BRANCH.match(t)
    if m:
        t = m.group(1)
    return t


def _clean_title(tok: str) -> str:
    return _REMARK.sub("", tok).strip(" ,，;；:：-–—·|*_")


def _tokens(s: str) -> list[str]:
    # separators inside a parenthesised remark do not split it: "出纳（兼职，周末）"
    masked = re.sub(r"[(（][^()（）]*[)）]", lambda m: m.group(0).translate(_MASK), s)
    parts = [p.translate(_UNMASK) for p in _SPLIT.split(masked)]
    out = []
    for p in parts:
        p = p.strip(" ,，;；:：*_|")
        if not p:
            continue
        if has_han(p) and " " in p and not re.search(r"[A-Za-z]{2,}\s[A-Za-z]{2,}", p):
            out.extend(x for x in p.split(" ") if x)  # 长沙某某医院 药学部 主管药师
        else:
            out.append(p)
    return [t for t in out if not _LOCATION.match(t) and not re.fullmatch(r"[\d\s.\-/年月~～]+", t)]


_MASK = str.maketrans({",": "\x01", "，": "\x02", " ": "\x03", "|": "\x04", "·": "\x05", "/": "\x06"})
_UNMASK = {v: k for k, v in _MASK.items()}


@dataclass
class _Entry:
    line: int
    start: str | None
    end: str | None
    header: list[str] = field(default_factory=list)  # header text pieces in reading order
    company: str | None = None
    title: str | None = None
    kind: str = "full_time"
    desc: list[str] = field(default_factory=list)


_MONTH_SPAN = re.compile(rf"\b({MON})\.?\s*[-–—~]\s*({MON})\.?\s*((?:19|20)\d{{2}})\b", re.I)


def _date_of(s: str) -> tuple[re.Match | None, str | None, str | None]:
    m = _MONTH_SPAN.search(s)  # "May–Aug 2025"
    if m:
        return m, parse_date(f"{m.group(1)} {m.group(3)}"), parse_date(f"{m.group(2)} {m.group(3)}")
    m = RANGE_RE.search(s)
    if m:
        return m, parse_date(m.group(1)), parse_date(m.group(2))
    m = SINCE_RE.search(s)
    if m:
        return m, parse_date(m.group(1) or m.group(2)), "present"
    return None, None, None


_KEYED = re.compile(r"^(公司|单位|公司名称|工作单位|company|employer|职位|岗位|职务|title|position|role|时间|日期|dates?|"
                    r"period)\s*[:：]\s*(.*)$", re.I)


def _assign(tokens: list[str], columns: list[str] | None) -> tuple[str | None, str | None]:
    """(company, title) among a header's pieces: "公司：X" / "Title: Y" labels first, then table columns, then
    what each piece looks like, then order."""
    keyed: dict[str, str] = {}
    toks = []
    for t in tokens:
        m = _KEYED.match(t)
        if not m:
            if t:
                toks.append(t)
            continue
        role = next((k for k, pat in _COLUMN_LABELS.items() if pat.match(m.group(1))), None)
        if role in ("company", "title") and m.group(2).strip():
            keyed[role] = m.group(2).strip()
    if keyed:
        rest = [t for t in toks if t not in keyed.values()]
        comp, title = keyed.get("company"), keyed.get("title")
        if comp is None or title is None:
            c2, t2 = _assign(rest, None)
            comp, title = comp or (c2 if title is None or c2 != title else None), title or t2
        return comp, title
    if columns and len(columns) == len(toks):
        comp = next((t for t, c in zip(toks, columns) if c == "company"), None)
        title = next((t for t, c in zip(toks, columns) if c == "title"), None)
        if comp or title:
            return comp, title
    if not toks:
        return None, None
    comp_i = next((i for i, t in enumerate(toks) if _company_like(t) and not _title_like(t)), None)
    title_i = next((i for i, t in enumerate(toks) if i != comp_i and _title_like(t) and not _company_like(t)), None)
    if comp_i is None:
        comp_i = next((i for i, t in enumerate(toks) if _company_like(t) and i != title_i), None)
    if title_i is None:
        title_i = next((i for i, t in enumerate(toks) if _title_like(t) and i != comp_i), None)
    if comp_i is None and title_i is not None:
        comp_i = next((i for i in range(len(toks)) if i != title_i), None)
    if title_i is None and comp_i is not None and len(toks) > 1:
        rest = [i for i in range(len(toks)) if i != comp_i]
        title_i = rest[0] if _looks_named(toks[rest[0]]) else None
    if comp_i is None and title_i is None:
        comp_i = 0
        title_i = 1 if len(toks) > 1 else None
    return (toks[comp_i] if comp_i is not None else None), (toks[title_i] if title_i is not None else None)


def _looks_named(tok: str) -> bool:
    return len(tok) <= 60 and not re.search(r"\d{3,}", tok)


def _column_header(s: str) -> list[str] | None:
    cells = [c.strip() for c in re.split(r"\s*\|\s*|\s{2,}|\t", plain_line(s)) if c.strip()]
    if len(cells) < 2:
        return None
    roles = []
    for c in cells:
        role = next((k for k, pat in _COLUMN_LABELS.items() if pat.match(c)), None)
        if role is None:
            return None
        roles.append(role)
    return roles


def experience_entries(raw_lines: list[str]) -> list[WorkExperience]:
    """Dated roles of the experience lines (section text, one line each), in the order written."""
    lines = []
    for s in raw_lines:
        p = plain_line(s)
        if re.fullmatch(r"[|:\-\s]+", p or "-"):  # a Markdown table rule or an empty cell row
            continue
        lines.append(p)
    columns: list[str] | None = None
    dated: dict[int, _Entry] = {}
    for i, s in enumerate(lines):
        col = _column_header(s)
        if col:
            columns = [c for c in col if c != "date"]
            continue
        m, start, end = _date_of(s)
        if m is None or (_is_sentence(s) and not re.match(r"^\s*[*_(（]?\s*(?:career|职业)", s, re.I)):
            continue
        dated[i] = _Entry(i, start, end, header=[s[:m.start()] + "  " + s[m.end():]])
    used = set(dated) | {i for i, s in enumerate(lines) if _column_header(s)}
    entries: list[_Entry] = []
    for i in sorted(dated):
        e = dated[i]
        if _BREAK.search(lines[i]):
            continue
        toks = _tokens(e.header[0])
        comp, title = _assign(toks, columns)
        need = (comp is None) + (title is None) + (title is not None and not _title_like(title))
        # neighbours: header-like lines above (not yet used), then below, while a piece is missing
        if need:
            j = i - 1
            above: list[str] = []
            while j >= 0 and j not in used and len(above) < 2 and not _is_sentence(lines[j]) \
                    and not _date_of(lines[j])[0]:
                above.insert(0, lines[j])
                j -= 1
            below: list[str] = []
            k = i + 1
            while k < len(lines) and k not in dated and len(below) < 2 and not _is_sentence(lines[k]):
                if _column_header(lines[k]):
                    break
                below.append(lines[k])
                k += 1
            for extra in (above, below):
                if not extra or _strength(comp, title) == 3:
                    continue
                cand = [t for x in extra for t in _tokens(x)]
                if not cand:
                    continue
                merged = (cand + toks) if extra is above else (toks + cand)
                c2, t2 = _assign(merged, None)
                if _strength(c2, t2) > _strength(comp, title):
                    comp, title = c2, t2
                    used.update(range(j + 1, i) if extra is above else range(i + 1, k))
        e.company, e.title = comp, title
        e.kind = role_kind(" ".join([lines[i], *(x for x in [title or ""])]))
        entries.append(e)
    # descriptions: the lines after an entry up to the next one
    order = sorted(entries, key=lambda x: x.line)
    for a, b in zip(order, order[1:] + [None]):
        stop = b.line if b else len(lines)
        a.desc = [lines[k] for k in range(a.line + 1, stop) if k not in used]
    # a company-only heading: its title is a short role line under it, or its dated roles take its company
    for e in order:
        if e.company and not e.title:
            e.title = next((ln for ln in e.desc[:3] if not _is_sentence(ln) and _title_like(ln) and len(ln) <= 30),
                           None)
    parents: set[int] = set()
    for idx, e in enumerate(order):
        if e.company and (e.title or _company_like(e.company)):
            continue
        parent = next((p for p in reversed(order[:idx]) if p.company and (not p.title or p.line in parents)), None)
        if parent is None or not _contains(parent, e):
            continue
        if e.company and not e.title:
            e.title = e.company
        e.company = parent.company
        parents.add(parent.line)
    work = []
    for e in order:
        if e.line in parents or not e.company:
            continue
        company = _clean_company(e.company)
        title = _clean_title(e.title) if e.title else None
        if not company:
            continue
        work.append(WorkExperience(company=Sourced(company, company),
                                   title=Sourced(title, title) if title else None,
                                   start=e.start, end=e.end, description="\n".join(e.desc), kind=e.kind))
    return work


def _strength(company: str | None, title: str | None) -> int:
    return (company is not None) + (title is not None) + (title is not None and _title_like(title))


def _contains(p: _Entry, e: _Entry) -> bool:
    """The dates of ``e`` lie within those of ``p`` (a missing date is open)."""
    def key(d: str | None, end: bool) -> str:
        if d == "present" or (not d and end):
            return "9999-99"
        if not d:
            return "0000-00"
        return d if len(d) > 4 else d + ("-12" if end else "-01")
    return key(p.start, False) <= key(e.start, False) and key(e.end, True) <= key(p.end, True)
