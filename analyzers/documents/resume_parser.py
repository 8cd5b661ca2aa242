"""Resume parsing: PDF / DOCX / plain text (Chinese and English) into a :class:`ResumeProfile`.

    parse_resume(data, filename, content_type=None, max_bytes=MAX_RESUME_BYTES) -> ResumeProfile

Either a profile or a :class:`ResumeError` (``code``: too_large, unpacked_too_large, text_too_long, unsupported_type,
broken_file, scanned, empty) — never a partial profile silently. Reading the file into text is
analyzers/documents/resume_file.py; this module finds the fields in that text. Every value is a :class:`Sourced`
whose ``source`` is a substring of ``profile.text`` (the extracted, normalised text).

Work experience and education are ordered most recent first (``present`` first, then by end / start date).
``years_experience`` is a stated figure ("8 years of experience", "8年工作经验") when there is one, else the union of the
experience date ranges (``today`` closes "present"). Industries and languages are canonical English labels
("finance", "English"); their ``source`` is the keyword as written.

Over 500 lines because its field extractors are one pass over the same lines and sections, sharing their helpers;
reading the file (resume_file.py) and the words it knows (resume_vocabulary.py) are already apart.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from analyzers.documents.resume_experience import SINCE_RE, experience_entries, is_bullet, plain_line
from analyzers.documents.document_limits import DocumentLimits
from analyzers.documents.resume_file import MAX_RESUME_BYTES, ResumeError, extract_text
from analyzers.documents.resume_measures import quantified_results, quantity_tokens, team_size
from analyzers.documents.resume_profile import Education, ResumeProfile, Sourced, WorkExperience
from analyzers.documents.work_months import month_index, union_months
from analyzers.documents.resume_vocabulary import (CITIES_EN, CITIES_ZH, COMPANY_WORDS, COMPOUND_SURNAMES, DEGREES,
                                                   HEAD_ENDINGS_ZH, HEAD_QUALIFIERS_ZH, HEAD_WORDS_EN, HEADING,
                                                   INDUSTRIES, LANGS, RANGE_RE, SCHOOL_RE, STRIP, SURNAMES,
                                                   TITLE_WORDS, parse_date)
from analyzers.text.numbers import EN_NUMBER_PATTERN, chinese_int, parse_int
from analyzers.text.script import HAN, count_han, has_han

__all__ = ["parse_resume", "parse_text", "degree_of", "quantity_tokens", "years_of_history"]


def _cn_int(s: str) -> int | None:
    return chinese_int(s) or None


# --------------------------------------------------------------------------------------------------------------------
# structure


@dataclass
class _Line:
    text: str  # stripped
    start: int  # offset of text in the full text


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        s = raw.strip()
        if s:
            out.append(_Line(s, pos + raw.index(s)))
        pos += len(raw) + 1
    return out


_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+\s*[、.．]|\d{1,2}\s*[.、．)]|[IVX]{1,4}\.)\s*")
_HEAD_SYMBOLS = " \t#*■□●◆◇▶►▪•【】[]<>《》〈〉—–-=_|:：·~▍▌█➤✦★☆"


def _known_heading(core: str) -> str | None:
    """The section a heading's words name: the whole, one half of a bilingual heading, the first part of a
    compound ("技能与证书", "Licenses & Certifications") or its last words ("Selected Projects")."""
    low = re.sub(r"\s+", " ", core.lower()).strip()
    if low in HEADING:
        return HEADING[low]
    halves = re.findall(rf"[{HAN}]+|[A-Za-z][A-Za-z &/'-]*[A-Za-z]", core)
    for h in halves if len(halves) > 1 else []:
        sec = _known_heading(h)
        if sec:
            return sec
    parts = [p.strip() for p in re.split(r"\s*(?:&|/|、|\band\b|与|及|和)\s*", low) if p.strip()]
    if len(parts) > 1:
        for part in parts:
            if part in HEADING:
                return HEADING[part]
    if has_han(low):
        prefix = max((k for k in HEADING if len(k) >= 2 and has_han(k) and low.startswith(k)
                      and re.fullmatch(r"(?:经历|经验|业绩|成果|背景|情况|信息|能力|特长|介绍|概况|简介|证书|资质)?",
                                       low[len(k):])), key=len, default=None)
        if prefix:
            return HEADING[prefix]
    words = low.split()
    for n in (2, 1):
        if len(words) > n and " ".join(words[-n:]) in HEADING:
            return HEADING[" ".join(words[-n:])]
    return _heading_by_words(core)


def _heading_by_words(core: str) -> str | None:
    """The section a heading names by its words when it is not listed whole (``HEAD_WORDS_EN``,
    ``HEAD_ENDINGS_ZH``): "Teaching History" -> experience, "Schooling" -> education, "求学经历" -> education."""
    if re.fullmatch(rf"[{HAN}]{{2,8}}", core):
        ending = max((e for e in HEAD_ENDINGS_ZH if core.endswith(e)), key=len, default=None)
        if ending is None:
            return None
        sec = HEAD_ENDINGS_ZH[ending]
        if sec == "experience" or ending == "证书":
            before = core[:-len(ending)]
            qual = next((q for q in HEAD_QUALIFIERS_ZH if q in before), None)
            if qual:
                return HEAD_QUALIFIERS_ZH[qual]
        return sec
    words = re.findall(r"[a-z]+(?:'[a-z]+)?", core.lower())
    if not words or len(words) > 4 or not re.fullmatch(r"[A-Z][A-Za-z' &/-]*", core):
        return None
    secs = [HEAD_WORDS_EN.get(w) for w in words]
    if secs[-1] is None:
        return None
    earlier = [s for s in secs[:-1] if s and s != secs[-1]]
    return earlier[0] if secs[-1] == "experience" and earlier else secs[-1]


def _heading(line: str, underlined: bool = False) -> tuple[str, str] | None:
    """(section, inline rest) when the line is a section heading; section "other" for a heading of a kind the
    parser does not read (an ALL-CAPS, Markdown, underlined or symbol-marked title it does not know)."""
    if line.lstrip().startswith("|"):
        return None  # a Markdown table row
    marked = bool(re.match(r"^\s*(?:#{1,2}\s|[▍▌█■【])", line))
    core = _NUMBERING.sub("", line.strip(_HEAD_SYMBOLS).strip()).strip(_HEAD_SYMBOLS).strip()
    numbered = core != line.strip(_HEAD_SYMBOLS).strip()
    if core and len(core) <= 40 and not re.search(r"\d|[,，。;；@]", core) and " | " not in line:
        sec = _known_heading(core)
        if sec and len(line) <= len(core) + 14:
            return sec, ""
        short = len(core.split()) <= 4 and len(core) <= 30
        if short and (underlined or marked or numbered and has_han(core)
                      or re.fullmatch(r"[A-Z][A-Z &']+", core) and len(re.sub(r"[^A-Z]", "", core)) >= 5):
            return "other", ""
    m = re.match(r"^[#*■●◆▶【\[\s]*([^:：]{1,30}?)\s*[】\]]?\s*[:：]\s*(.+)$", line)
    if m:
        key = re.sub(r"\s+", " ", m.group(1).strip(STRIP).lower())
        if key in HEADING and HEADING[key] in ("skills", "certificates", "languages", "education"):
            return HEADING[key], m.group(2)
    if " | " in line:
        return None  # a table row
    im = re.match(rf"^\W*([{HAN}]{{2,6}}|[A-Za-z]+(?: [A-Za-z]+)?)\s+(\S.*[/、,，;；|].*)$", line)
    if im and HEADING.get(im.group(1).lower()) in ("skills", "languages", "certificates"):
        return HEADING[im.group(1).lower()], im.group(2)  # "技能 Axure / 墨刀 / SQL"
    return None


def _sections(lines: list[_Line]) -> dict[str, list[_Line]]:
    """Lines by section; unknown headings open sections "other:1", "other:2", ..."""
    secs: dict[str, list[_Line]] = {"header": []}
    cur = "header"
    n_other = 0
    for i, ln in enumerate(lines):
        if re.fullmatch(r"[-=]{3,}", ln.text):
            continue  # a rule, or the underline of a setext heading (read with the line above)
        underlined = i + 1 < len(lines) and bool(re.fullmatch(r"[-=]{3,}", lines[i + 1].text))
        h = _heading(ln.text, underlined)
        if h:
            cur = h[0]
            if cur == "other":
                n_other += 1
                cur = f"other:{n_other}"
            secs.setdefault(cur, [])
            if h[1]:
                rest = h[1].strip()
                secs[cur].append(_Line(rest, ln.start + ln.text.rindex(rest)))
            continue
        secs.setdefault(cur, []).append(ln)
    return secs


# --------------------------------------------------------------------------------------------------------------------
# field extractors

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_LABEL_RE = r"(?:姓名|名字|name|full name)"


def _is_cn_name(tok: str) -> bool:
    tok = tok.replace("·", "")
    if not re.fullmatch(rf"[{HAN}]{{2,4}}", tok):
        return False
    return tok[0] in SURNAMES or tok[:2] in COMPOUND_SURNAMES


_EN_NAME_RE = re.compile(r"(?:[A-Z][a-z]+|[A-Z]{2,})(?:[-'][A-Z]?[a-z]+)?(?:\s+[A-Z]\.)?(?:\s+(?:[A-Z][a-z]+|[A-Z]{2,})(?:[-'][A-Z]?[a-z]+)?){1,2}")
_NOT_NAME = {"resume", "curriculum vitae", "cv", "个人简历", "简历"}


def _is_en_name(tok: str) -> bool:
    if not _EN_NAME_RE.fullmatch(tok):
        return False
    low = tok.lower()
    if low in _NOT_NAME or low in HEADING:
        return False
    words = low.split()
    if any(w in TITLE_WORDS or w in COMPANY_WORDS for w in words):
        return False
    if any(c.lower() == low or c.lower() in low for c in CITIES_EN):
        return False
    return True


def _find_name(text: str, secs: dict[str, list[_Line]], lines: list[_Line]) -> Sourced[str] | None:
    m = re.search(rf"{_LABEL_RE}\s*[:：]\s*([^\n|,，;；/]{{2,40}}?)\s*(?:$|\n|\||,|，|;|；|/|\s{{2,}})", text, re.I | re.M)
    if m:
        v = m.group(1).strip()
        return Sourced(v, v)
    cand = secs.get("header", [])[:8] + secs.get("contact", [])[:8] + lines[:12]
    if len(lines) >= 2 and all(re.fullmatch(r"[A-Z][A-Za-z'-]+", ln.text) for ln in lines[:2]):
        two = f"{lines[0].text} {lines[1].text}"  # a name set in large type over two lines
        if _is_en_name(two):
            return Sourced(two, text[lines[0].start:lines[1].start + len(lines[1].text)])
    for ln in cand:
        h = _heading(ln.text)
        if h and h[0] != "other":
            continue
        for tok in re.split(r"\s*(?:\||｜|/|,|，|;|；|\s{2,}|\s[-–—]\s|:)\s*", ln.text):
            tok = tok.strip(STRIP.replace("·", "")).strip()
            if not tok:
                continue
            if _is_cn_name(tok):
                return Sourced(tok, tok)
            han = re.match(rf"^([{HAN}·]{{2,5}})\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+$", tok)
            if han and _is_cn_name(han.group(1)):  # "陈柏宇 Chen Boyu": the name and its pinyin
                return Sourced(han.group(1), han.group(1))
            if _is_en_name(tok):
                return Sourced(tok, tok)
    return None


def _find_mobile(text: str, lines: list[_Line], lang: str = "zh") -> Sourced[str] | None:
    import phonenumbers

    # CN is the default region; an English resume's numbers without a country code are read as US numbers first
    regions = ("CN", "HK") if lang == "zh" else ("US", "GB", "CN", "AU", "SG", "HK")
    head = "\n".join(ln.text for ln in lines[:20])
    labelled = "\n".join(ln.text for ln in lines
                         if re.search(r"电话|手机|联系方式|\b(?:mobile|phone|tel|cell)\b", ln.text, re.I))
    valid, possible = phonenumbers.Leniency.VALID, phonenumbers.Leniency.POSSIBLE
    tries = [(labelled, valid), (head, valid), (text, valid), (labelled, possible), (head, possible)]
    for chunk, leniency in tries:
        for region in regions:
            best = None
            for m in phonenumbers.PhoneNumberMatcher(chunk, region, leniency=leniency):
                raw = m.raw_string
                if (RANGE_RE.search(raw) or len(re.sub(r"\D", "", raw)) < 7
                        or re.search(r"(?:19|20)\d{2}\s*[./年]\s*\d{1,2}(?!\d)", raw)):
                    continue
                t = phonenumbers.number_type(m.number)
                e164 = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
                cand = Sourced(e164, raw)
                if t in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
                    return cand
                best = best or cand
            if best:
                return best
    return None


_REGION = (r"(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|"
           r"V[TA]|W[AVIY]|AB|BC|MB|NB|NL|NS|ON|PE|QC|SK|UK|England|Scotland|Wales|Ireland|Australia|Canada|USA|"
           r"Singapore|Malaysia|NSW|VIC|QLD)")
_CITY_REGION = re.compile(rf"(?<![\w,])([A-Z][a-z'.-]+(?: [A-Z][a-z'.-]+){{0,2}}),\s*{_REGION}(?![\w])")


def _find_city(text: str, lines: list[_Line]) -> Sourced[str] | None:
    """The current city: a labelled one ("现居：昆山", "Location: Leeds"), a "City, ST" / "City, UK" on the contact
    lines, else a known city named near the top."""
    lab = re.search(r"(?:现居住地|现居地|现居|所在地|居住地|所在城市|城市|location|city|based in)\s*[:：]?\s*"
                    rf"([{HAN}]{{2,6}}?)(?:市)?(?=$|[\s|,，;；/·])", text, re.I | re.M)
    if lab and not re.search(r"(?:大学|学院|公司|区|路|街|号)$", lab.group(1)):
        return Sourced(lab.group(1), lab.group(1))
    for ln in lines[:15] + [ln for ln in lines if _EMAIL_RE.search(ln.text)]:
        if RANGE_RE.search(ln.text) or SCHOOL_RE.search(ln.text):
            continue
        cm = _CITY_REGION.search(ln.text)
        if cm and not re.search(r"(?:University|College|Institute|School)", cm.group(1)):
            return Sourced(cm.group(1), cm.group(0))
    m = re.search(r"(?:现居|所在地|居住地|现居地|所在城市|城市|地址|location|city|address|based in)\s*[:：]?\s*"
                  r"([^\n|,，;；]{2,40})", text, re.I)
    zone = []
    if m:
        zone.append(m.group(1))
    contact = [ln.text for ln in lines[:15] if _EMAIL_RE.search(ln.text) or re.search(r"\d{3}", ln.text)
               and not RANGE_RE.search(ln.text)]
    zone.append("\n".join(contact))
    zone.append("\n".join(ln.text for ln in lines[:15] if not SCHOOL_RE.search(ln.text)))
    for z in zone:
        found = []
        for c in CITIES_ZH:
            i = z.find(c)
            if i >= 0 and not re.match(rf"[{HAN}]*(?:大学|学院)", z[i + len(c):]):
                found.append((i, c, c))
        for c in CITIES_EN:
            for mm in re.finditer(rf"\b{re.escape(c)}\b", z, re.I):
                if re.match(r"\s+(?:University|College|Institute)", z[mm.end():]) or re.search(
                        r"University of\s+$", z[:mm.start()]):
                    continue
                found.append((mm.start(), c, mm.group(0)))
                break
        if found:
            _, v, src = min(found)
            return Sourced(v, src)
    return None


def degree_of(s: str) -> tuple[str, str] | None:
    """(level, the words that name it) of the first degree ``s`` names: "BSc" -> ("bachelor", "BSc")."""
    for norm, pat in DEGREES:
        m = re.search(rf"(?<![a-z])(?:{pat})", s, re.I)
        if m:
            return norm, m.group(0)
    return None


def _clean_tok(s: str) -> str:
    return s.strip(" \t|,，;；:：()（）-–—·•*/").strip()


def _education(secs: dict[str, list[_Line]], text: str) -> list[Education]:
    lines = secs.get("education") or []
    if not lines:  # no heading: any line naming a school and a degree
        lines = [ln for ln in _lines(text) if SCHOOL_RE.search(ln.text) and degree_of(ln.text)]
    entries: list[list[str]] = []
    pending: list[str] = []  # a degree line written above its school ("B.B.A., Marketing" / "Pecos University")
    for ln in lines:
        t = plain_line(ln.text)
        if SCHOOL_RE.search(t) and not is_bullet(t):
            entries.append(pending + [t])
            pending = []
        elif degree_of(t) and not SCHOOL_RE.search(t) and (not entries or degree_of("\n".join(entries[-1]))):
            pending.append(t)
        elif entries:
            entries[-1].append(t)
    out = []
    for block in entries:
        first = next(b for b in block if SCHOOL_RE.search(b))
        sm = SCHOOL_RE.search(first)
        school = sm.group(1).strip()
        school = re.sub(r"^(?:毕业院校|学校|school)\s*[:：]?\s*", "", school, flags=re.I)
        joined = "\n".join(block)
        dm = RANGE_RE.search(joined)
        start = end = None
        if dm:
            start, end = parse_date(dm.group(1)), parse_date(dm.group(2))
        else:
            ym = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", joined)
            end = ym.group(1) if ym else None
        deg = degree_of(joined.replace(school, " "))
        major = None
        mm = re.search(r"(?:专业|major)\s*[:：]\s*([^\n|,，;；]+)", joined, re.I)
        if mm:
            major = mm.group(1).strip()
        else:
            mm = re.search(r"(?:bachelor|master|b\.?s\.?c?|m\.?s\.?c?|b\.?a|m\.?a|b\.?eng|m\.?eng|ph\.?d|doctor)"
                           r"[\w.' ]*?\s+(?:in|of)\s+([A-Z][A-Za-z &]+?)(?=\s*(?:[,|;(\n]|\s[-–—]\s|$|\d))", joined)
            if mm and not mm.group(1).lower().startswith(("science", "arts", "engineering")) or (
                    mm and " in " in mm.group(0)):
                major = mm.group(1).strip()
            if major is None:
                rest = joined.replace(school, " ")
                if dm:
                    rest = rest.replace(dm.group(0), " ")
                if deg:
                    rest = rest.replace(deg[1], " ")
                for tok in re.split(r"\s*(?:\||｜|,|，|;|；|\n|\s{2,}|\s[-–—]\s|/)\s*", rest):
                    tok = _clean_tok(tok)
                    if not tok or re.search(r"\d", tok) or len(tok) > 40:
                        continue
                    if re.search(r"gpa|绩点|排名|honou?rs|thesis|论文|courses|课程|学位|degree", tok, re.I):
                        continue
                    if tok.lower() in ("in", "of"):
                        continue
                    tok = re.sub(r"^(?:in|of)\s+", "", tok)
                    major = tok
                    break
        out.append(Education(
            school=Sourced(school, school),
            degree=Sourced(deg[0], deg[1]) if deg else None,
            major=Sourced(major, major) if major and major in text else None,
            start=start, end=end,
        ))
    return out


def _experience_lines(secs: dict[str, list[_Line]]) -> list[_Line]:
    """The experience section, and any section under a heading the parser does not know ("CURRENT ROLES") that
    holds dated roles, in document order."""
    out = list(secs.get("experience", []))
    for name, lines in secs.items():
        dated = [ln.text for ln in lines if not is_bullet(ln.text) and (RANGE_RE.search(ln.text)
                                                                         or SINCE_RE.search(ln.text))]
        if name.startswith("other:") and dated and not all(SCHOOL_RE.search(s) or degree_of(s) for s in dated):
            out.extend(lines)  # (a section whose every dated line names a school or a degree is education)
    return sorted(out, key=lambda ln: ln.start)


def _recency_key(start: str | None, end: str | None) -> tuple:
    e = "9999" if end == "present" else (end or start or "0000")
    return (e, start or "0000")


_NUM_WORD = rf"\d+(?:\.\d+)?|{EN_NUMBER_PATTERN}"
_YEARS_STATED = [
    r"(\d+(?:\.\d+)?|[一二两三四五六七八九十]+)\s*\+?\s*年以上(?:的)?\S{0,6}?(?:工作|从业|开发|行业|相关|管理)?经验",
    r"(\d+(?:\.\d+)?|[一二两三四五六七八九十]+)\s*\+?\s*年(?:的)?\S{0,8}?(?:工作|从业|开发|行业|相关|管理|研究)?经验",
    r"(?:工作|从业)(?:经验|年限)?\s*[:：]?\s*(\d+(?:\.\d+)?)\s*\+?\s*年",
    r"从事\S{0,10}?(?:工作|行业|管理)\s*(\d+|[一二两三四五六七八九十]+)\s*余?年",
    rf"\b({_NUM_WORD})\+?\s*(?:years?|yrs?)(?:'s)?\s+(?:of\s+)?(?:[\w-]+\s+){{0,3}}?experience",
    r"(?:experience|years of experience)\s*[:：]\s*(\d+(?:\.\d+)?)\+?\s*(?:years?|yrs?)",
]
# only in a summary or the top of the resume: "Nine years in software teams", "with 12 years across publishing"
_YEARS_STATED_SUMMARY = [rf"\b({_NUM_WORD})\+?\s+years?\s+(?:in|across|as|of|working|building|leading)\b"]


def _stated_years(text: str, summary: str) -> Sourced[float] | None:
    for zone, pats in ((text, _YEARS_STATED), (summary, _YEARS_STATED_SUMMARY)):
        for p in pats:
            m = re.search(p, zone, re.I)
            if m:
                n = parse_int(m.group(1)) if not re.match(r"\d", m.group(1)) else float(m.group(1))
                if n and 0 < float(n) < 60:
                    return Sourced(float(n), m.group(0))
    return None


def _years(text: str, summary: str, exps: list[WorkExperience], today: _dt.date) -> Sourced[float] | None:
    """The resume's own figure when it states one, else the full-time months of its work history (start and end
    months inclusive, overlaps once; internships and part-time jobs excluded) in years."""
    return _stated_years(text, summary) or years_of_history(exps, today)


def years_of_history(exps: list[WorkExperience], today: _dt.date) -> Sourced[float] | None:
    """The full-time months of a work history (start and end months inclusive, overlaps once; internships and
    part-time jobs excluded) in years, sourced by the first dated entry's company; None when no entry is dated."""
    spans, src = [], ""
    for e in exps:
        a, b = month_index(e.start, today), month_index(e.end, today, end=True)
        if a is None or b is None or b < a:
            continue
        src = src or e.company.source
        if e.kind == "full_time":
            spans.append((a, b + 1))
    if not src:
        return None
    return Sourced(round(union_months(spans) / 12, 2), src)


def _result_lines(secs: dict[str, list[_Line]]) -> list[str]:
    """The lines quantified results are read from: experience, projects, summary, awards and unnamed sections, and
    header lines long enough to be a sentence."""
    names = ["experience", "projects", "summary", "awards", "header", *(n for n in secs if n.startswith("other:"))]
    return [ln.text for name in names for ln in secs.get(name, []) if name != "header" or len(ln.text) >= 30]


_ITEM_SEP = re.compile(r"\s*(?:,|，|、|;|；|\||｜|•|·|▪|✓|◆|●|\s/\s|\s{2,})\s*")
_PAREN = re.compile(r"[(（][^()（）]*[)）]")


def _split_items(lines: list[_Line]) -> list[str]:
    """The items of a skills-like section: one per list separator, category prefixes ("系统：") dropped, a
    parenthesised list of two or more split out ("Excel（VLOOKUP、数据透视表）" -> Excel, VLOOKUP, 数据透视表) while a
    single parenthetical stays with its item ("SQL (BigQuery)"); lines marked as certificates are not items."""
    items = []
    texts = [ln.text for ln in lines]
    joined: list[str] = []
    for i, t in enumerate(texts):
        if re.fullmatch(r"[|:\-\s]+", t) or i + 1 < len(texts) and re.fullmatch(r"\|?[\s:|-]*-{3,}[\s:|-]*", texts[i + 1]):
            continue  # a Markdown table's rule and its header row
        if joined and joined[-1].count("(") + joined[-1].count("（") > joined[-1].count(")") + joined[-1].count("）"):
            prev = joined[-1]  # a parenthesised list wrapped over lines: "Excel(数据透视表 / Power Qu" + "ery / VBA)"
            glue = "" if re.search(r"[a-z]$", prev) and re.match(r"[a-z]", t) or has_han(prev[-1:] + t[:1]) else " "
            joined[-1] = prev + glue + t
            continue
        joined.append(t)
    for text in joined:
        s = re.sub(r"^[-•*·▪●◦✓]\s*", "", plain_line(text))
        if re.match(r"^(?:证书|资格证书|certificates?|certifications?|licen[cs]es?)\s*[:：]", s, re.I):
            continue
        lab = re.match(r"^([^:：,，、()（）]{1,16})[:：]\s*(.+)$", s)
        if lab:
            s = lab.group(2)
        if re.search(r"[,，、;；|▪•·✓]", s):
            s = re.sub(r"(?<=\S) {2,}(?=\S)", " ", s)  # justified text: wide spaces between words, not items
        masked = _PAREN.sub(lambda m: m.group(0).replace(",", "\x01").replace("，", "\x02").replace("、", "\x03")
                            .replace("/", "\x04").replace(";", "\x05").replace("|", "\x06"), s)
        for tok in _ITEM_SEP.split(masked):
            tok = tok.replace("\x01", ",").replace("\x02", "，").replace("\x03", "、").replace("\x04", "/") \
                .replace("\x05", ";").replace("\x06", "|")
            tok = re.sub(r"^(?:精通|熟练掌握|熟练使用|熟悉|掌握|了解|擅长|熟练)\s*", "", tok.strip())
            tok = tok.strip(" .。")
            if not tok or len(tok) > 60:
                continue
            pm = re.search(r"\s*[(（]([^()（）]*)[)）]\s*$", tok)
            inner = re.split(r"\s*(?:,|，|、|/|;)\s*", pm.group(1)) if pm else []
            if pm and len([x for x in inner if x.strip()]) >= 2:
                items.append(tok[:pm.start()].strip())
                items.extend(x.strip() for x in inner if x.strip())
            else:
                items.append(tok)
    return [i for i in items if i]


def _languages(secs: dict[str, list[_Line]], text: str) -> list[Sourced[str]]:
    zone = secs.get("languages") or []
    zone_text = "\n".join(ln.text for ln in zone)
    if not zone_text:
        m = re.search(r"^\W*(?:语言能力|语言|languages?)(?:\s*[:：]\s*|\s+)([^\n]+)", text, re.I | re.M)
        zone_text = m.group(1) if m else ""
    extra = " ".join(re.findall(r"CET-?[46]|TOEFL|IELTS|雅思|托福|JLPT|N[12](?![0-9])", text))
    out = []
    for canon, keys in LANGS.items():
        found = _first_alias(keys, zone_text)
        if found:
            out.append(Sourced(canon, found))
        elif canon == "English" and extra and not zone_text:
            src = extra.split()[0]
            out.append(Sourced(canon, src))
    return out


def _industries(exps: list[WorkExperience], secs: dict[str, list[_Line]]) -> list[Sourced[str]]:
    zone = "\n".join(f"{e.company.value}\n{e.description}" for e in exps)
    zone += "\n" + "\n".join(ln.text for ln in secs.get("summary", []))
    return [Sourced(canon, found) for canon, keys in INDUSTRIES.items() if (found := _first_alias(keys, zone))]


def _first_alias(aliases: tuple[str, ...], zone: str) -> str | None:
    """The first of ``aliases`` that stands in ``zone`` not glued to other Latin letters (case-insensitive), as
    the zone writes it."""
    for alias in aliases:
        m = re.search(rf"(?<![a-z]){re.escape(alias)}(?![a-z])", zone, re.I)
        if m:
            return m.group(0)
    return None


def _language_of(text: str) -> str:
    han = count_han(text)
    latin = len(re.findall(r"[A-Za-z]", text))
    return "zh" if han * 2 >= latin * 0.5 and han > 20 else "en"


# --------------------------------------------------------------------------------------------------------------------


def parse_text(text: str, today: _dt.date | None = None) -> ResumeProfile:
    """Parse already-extracted (normalised) resume text."""
    today = today or _dt.date.today()
    lines = _lines(text)
    secs = _sections(lines)
    email_m = _EMAIL_RE.search(text)
    lang = _language_of(text)
    exps = experience_entries([ln.text for ln in _experience_lines(secs)])
    exps.sort(key=lambda e: _recency_key(e.start, e.end), reverse=True)
    edu = _education(secs, text)
    edu.sort(key=lambda e: _recency_key(e.start, e.end), reverse=True)
    skills = [Sourced(s, s) for s in dict.fromkeys(_split_items(secs.get("skills", [])))]
    langs = _languages(secs, text)
    lang_srcs = {x.source.lower() for x in langs}
    skills = [s for s in skills if not any(k in s.value.lower() for k in lang_srcs) or len(s.value) > 30]
    certs = [Sourced(c, c) for c in dict.fromkeys(
        re.sub(r"\s*[(（]?(?:19|20)\d{2}(?:[./年-]\d{1,2}月?)?[)）]?\s*$", "", c) for c in
        _split_items(secs.get("certificates", [])))]
    summary = "\n".join(ln.text for ln in secs.get("summary", []) + secs.get("header", []))
    profile = ResumeProfile(
        language=lang,
        name=_find_name(text, secs, lines),
        mobile=_find_mobile(text, lines, lang),
        email=Sourced(email_m.group(0), email_m.group(0)) if email_m else None,
        city=_find_city(text, lines),
        education=edu,
        work_experience=exps,
        skills=skills,
        certificates=[c for c in certs if c.value and c.value in text],
        languages=langs,
        years_experience=_years(text, summary, exps, today),
        team_size_led=team_size(text),
        quantified_results=quantified_results(_result_lines(secs)),
        industries=_industries(exps, secs),
        text=text,
    )
    return profile


def parse_resume(data: bytes, filename: str, content_type: str | None = None, max_bytes: int = MAX_RESUME_BYTES,
                 *, today: _dt.date | None = None, limits: DocumentLimits | None = None) -> ResumeProfile:
    """Parse a PDF / DOCX / text resume into a ResumeProfile, or raise ResumeError. ``limits``: what a DOCX may
    unpack to and how long the text may be (the defaults of DocumentLimits when None)."""
    if data is None:
        raise ResumeError("empty", "no file was uploaded")
    if len(data) > max_bytes:
        raise ResumeError("too_large", f"the file is {len(data)} bytes; the limit is {max_bytes} bytes")
    kind, text = extract_text(data, filename, content_type, limits)
    try:
        profile = parse_text(text, today=today)
    except Exception as e:  # never a silent partial profile
        raise ResumeError("broken_file", f"the resume text could not be parsed ({type(e).__name__}: {e})") from e
    if not (profile.name or profile.email or profile.mobile or profile.work_experience or profile.education):
        raise ResumeError("empty", "no resume content (name, contact, education or experience) was found in the file")
    return profile
