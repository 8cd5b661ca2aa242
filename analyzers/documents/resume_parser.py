"""Resume parsing: PDF / DOCX / plain text (Chinese and English) into a :class:`ResumeProfile`.

    parse_resume(data, filename, content_type=None, max_bytes=MAX_RESUME_BYTES) -> ResumeProfile

Either a profile or a :class:`ResumeError` (``code``: too_large, unsupported_type, broken_file, scanned, empty) —
never a partial profile silently. The file type is detected from the bytes (magic numbers); the name and content type
are only hints. Every value is a :class:`Sourced` whose ``source`` is a substring of ``profile.text`` (the extracted
text after light normalisation: full-width ASCII -> ASCII, CRLF -> LF, NBSP / ideographic space -> space).

Work experience and education are ordered most recent first (``present`` first, then by end / start date).
``years_experience`` is a stated figure ("8 years of experience", "8年工作经验") when there is one, else the union of the
experience date ranges (``today`` closes "present"). Industries and languages are canonical English labels
("finance", "English"); their ``source`` is the keyword as written.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from dataclasses import dataclass

from analyzers.documents.resume_profile import Education, ResumeProfile, Sourced, WorkExperience
from analyzers.text.numbers import chinese_int
from analyzers.text.script import HAN, count_han

__all__ = ["MAX_RESUME_BYTES", "ResumeError", "parse_resume", "extract_text", "detect_type"]

MAX_RESUME_BYTES = 10 * 2**20
"""Largest resume file parsed by default (10 MiB; the import_max_file_bytes setting's default)."""


class ResumeError(Exception):
    """A resume that cannot be parsed. ``code`` is one of too_large, unsupported_type, broken_file, scanned, empty."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# --------------------------------------------------------------------------------------------------------------------
# file type detection and text extraction

_OTHER_MAGIC = {
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"\xd0\xcf\x11\xe0": "legacy Office (.doc) file",
    b"{\\rtf": "RTF file",
    b"\x1f\x8b": "gzip archive",
    b"Rar!": "RAR archive",
    b"7z\xbc\xaf": "7z archive",
    b"BM": None,  # bitmap: checked with a size field below
    b"II*\x00": "TIFF image",
    b"MM\x00*": "TIFF image",
    b"RIFF": "RIFF media file",
}


def detect_type(data: bytes) -> str:
    """'pdf' | 'docx' | 'text' from the bytes; raises ResumeError(unsupported_type) for anything else."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            raise ResumeError("broken_file", "the file is a damaged zip/DOCX archive") from None
        if "word/document.xml" in names:
            return "docx"
        raise ResumeError("unsupported_type", "the file is a zip archive, not a DOCX resume")
    for magic, what in _OTHER_MAGIC.items():
        if data.startswith(magic) and what:
            raise ResumeError("unsupported_type", f"the file is a {what}; upload a PDF, DOCX or text resume")
    sample = data[:4096]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with BOM
    if b"\x00" in sample:
        raise ResumeError("unsupported_type", "the file is binary and not a PDF, DOCX or text resume")
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if sample and ctrl / len(sample) > 0.05:
        raise ResumeError("unsupported_type", "the file is binary and not a PDF, DOCX or text resume")
    return "text"


def _decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")


def _pdf_text(data: bytes) -> str:
    import pypdf
    from pypdf.errors import PyPdfError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                raise ResumeError("broken_file", "the PDF is password protected") from None
        pages = list(reader.pages)
        if not pages:
            raise ResumeError("broken_file", "the PDF has no pages")
        texts, has_image = [], False
        for page in pages:
            texts.append(page.extract_text() or "")
            try:
                res = page.get("/Resources") or {}
                xobj = res.get("/XObject") if hasattr(res, "get") else None
                if xobj:
                    xobj = xobj.get_object()
                    has_image = has_image or any(
                        xobj[k].get_object().get("/Subtype") == "/Image" for k in xobj
                    )
            except Exception:
                pass
    except ResumeError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as e:
        raise ResumeError("broken_file", f"the PDF cannot be read ({type(e).__name__})") from None
    except Exception as e:  # pypdf raises assorted errors on damaged files
        raise ResumeError("broken_file", f"the PDF cannot be read ({type(e).__name__})") from None
    text = "\n".join(texts)
    if len(re.sub(r"\s", "", text)) < 20:
        if has_image or not text.strip():
            raise ResumeError(
                "scanned", "the PDF has no text layer (a scanned image); OCR is not supported, upload a text PDF or DOCX"
            )
    return text


def _docx_text(data: bytes) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:
        raise ResumeError("broken_file", f"the DOCX cannot be read ({type(e).__name__})") from None

    lines: list[str] = []

    def walk_table(table: Table) -> None:
        seen: set[int] = set()
        for row in table.rows:
            for cell in row.cells:
                if id(cell._tc) in seen:  # merged cells repeat
                    continue
                seen.add(id(cell._tc))
                walk_block(cell)

    def walk_block(parent) -> None:
        body = parent.element.body if hasattr(parent, "element") and hasattr(parent.element, "body") else parent._tc
        for child in body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(child, parent).text)
            elif tag == "tbl":
                walk_table(Table(child, parent))

    try:
        for section in document.sections:
            for p in section.header.paragraphs:
                if p.text.strip():
                    lines.append(p.text)
        walk_block(document)
    except Exception as e:
        raise ResumeError("broken_file", f"the DOCX cannot be read ({type(e).__name__})") from None
    return "\n".join(lines)


def _normalise(text: str) -> str:
    out = []
    for ch in text:
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            ch = chr(o - 0xFEE0)
        elif ch in "\u3000\xa0\u2002\u2003\u2009":
            ch = " "
        out.append(ch)
    text = "".join(out).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "  ")
    text = re.sub(r"[ ]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def extract_text(data: bytes, filename: str = "", content_type: str | None = None) -> tuple[str, str]:
    """(kind, normalised text). Raises ResumeError."""
    if not data or not data.strip():
        raise ResumeError("empty", "the file is empty")
    kind = detect_type(data)
    ext = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if kind == "text" and ext in ("pdf", "docx"):
        raise ResumeError("broken_file", f"the file is named .{ext} but is not a valid {ext.upper()} file")
    if kind == "pdf":
        text = _pdf_text(data)
    elif kind == "docx":
        text = _docx_text(data)
    else:
        text = _decode_text(data)
    text = _normalise(text)
    if len(re.sub(r"\s", "", text)) < 10:
        raise ResumeError("empty", "the resume has no readable text")
    return kind, text


# --------------------------------------------------------------------------------------------------------------------
# vocabularies

_SECTIONS: dict[str, tuple[str, ...]] = {
    "education": ("教育背景", "教育经历", "教育", "学历", "学历背景", "education", "education background",
                  "academic background", "educational background", "academic history"),
    "experience": ("工作经历", "工作经验", "职业经历", "工作履历", "任职经历", "实习经历", "work experience",
                   "experience", "professional experience", "employment history", "work history", "career history",
                   "employment", "career"),
    "projects": ("项目经历", "项目经验", "项目", "projects", "project experience", "key projects"),
    "skills": ("技能", "专业技能", "技能特长", "技术栈", "技术能力", "个人技能", "skills", "technical skills",
               "core skills", "core competencies", "skills & tools", "expertise", "技能与工具"),
    "certificates": ("证书", "资格证书", "证书与资质", "资质证书", "职业资格", "certificates", "certifications",
                     "certification", "licenses", "licenses & certifications", "licenses and certifications"),
    "languages": ("语言", "语言能力", "外语能力", "languages", "language", "language skills"),
    "summary": ("个人简介", "自我评价", "个人总结", "职业概述", "个人优势", "summary", "profile",
                "professional summary", "about me", "objective", "career objective", "about"),
    "contact": ("个人信息", "基本信息", "联系方式", "contact", "personal information", "contact information",
                "personal details", "contact details"),
    "awards": ("荣誉奖项", "获奖情况", "获奖经历", "荣誉", "awards", "honors", "honours", "awards & honors"),
}
_HEADING = {k: sec for sec, keys in _SECTIONS.items() for k in keys}
_STRIP = " \t#*■□●◆◇▶►▪•【】[]<>《》〈〉—–-=_|:：·~"

_PRESENT = r"(?:至今|现在|目前|今|present|current|now|today|ongoing)"
_MON = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|"
        r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_DATE = (rf"(?:{_MON}\.?\s*,?\s*(?:19|20)\d{{2}}|(?:0?[1-9]|1[0-2])\s*/\s*(?:19|20)\d{{2}}|"
         rf"(?:19|20)\d{{2}}(?:\s*(?:[./\-]|年)\s*(?:0?[1-9]|1[0-2])(?!\d)\s*月?)?)")
_RANGE_RE = re.compile(rf"({_DATE})\s*(?:-|–|—|~|～|至|到|to|until|－)+\s*({_DATE}|{_PRESENT})", re.I)


def _parse_date(s: str) -> str | None:
    s = s.strip().lower()
    if re.fullmatch(_PRESENT, s, re.I):
        return "present"
    m = re.match(rf"({_MON})\.?\s*,?\s*((?:19|20)\d{{2}})", s, re.I)
    if m:
        return f"{m.group(2)}-{_MONTHS[m.group(1)[:3].lower()]:02d}"
    m = re.match(r"(\d{1,2})\s*/\s*((?:19|20)\d{2})", s)
    if m:
        return f"{m.group(2)}-{int(m.group(1)):02d}"
    m = re.match(r"((?:19|20)\d{2})(?:\s*(?:[./\-]|年)\s*(\d{1,2}))?", s)
    if m:
        return f"{m.group(1)}-{int(m.group(2)):02d}" if m.group(2) else m.group(1)
    return None


_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范"
    "金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂"
    "章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解"
    "牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎"
    "甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "令狐", "尉迟", "公孙", "长孙", "夏侯")

_CITIES_ZH = ("北京", "上海", "深圳", "广州", "杭州", "成都", "南京", "武汉", "西安", "苏州", "天津", "重庆", "长沙", "厦门",
              "青岛", "合肥", "郑州", "济南", "大连", "沈阳", "宁波", "福州", "无锡", "东莞", "珠海", "昆明", "哈尔滨", "香港",
              "台北", "长春", "南昌", "贵阳", "南宁", "石家庄", "太原", "佛山")
_CITIES_EN = ("Beijing", "Shanghai", "Shenzhen", "Guangzhou", "Hangzhou", "Chengdu", "Nanjing", "Wuhan", "Xi'an",
              "Suzhou", "Hong Kong", "Singapore", "San Francisco", "New York", "Seattle", "Boston", "Austin", "Chicago",
              "Los Angeles", "London", "Toronto", "Vancouver", "Sydney", "Melbourne", "Berlin", "Paris", "Tokyo",
              "Denver", "Atlanta", "San Jose", "Palo Alto", "Mountain View", "Dublin", "Amsterdam", "Bangalore")

_TITLE_WORDS = ("工程师", "经理", "总监", "主管", "专员", "设计师", "分析师", "架构师", "负责人", "顾问", "总裁", "助理", "科学家",
                "研究员", "组长", "主任", "实习生", "运营", "开发", "产品", "会计", "讲师", "教师", "律师", "销售", "CTO", "CEO",
                "CFO", "COO", "VP", "engineer", "manager", "director", "analyst", "designer", "developer", "lead",
                "head", "consultant", "architect", "scientist", "specialist", "officer", "president", "intern",
                "associate", "coordinator", "administrator", "accountant", "researcher", "programmer", "strategist",
                "executive", "representative", "owner", "founder", "partner", "teacher", "principal", "staff")
_COMPANY_WORDS = ("公司", "集团", "科技", "有限", "银行", "网络", "技术", "股份", "研究院", "证券", "保险", "医院", "工作室", "事务所",
                  "inc", "ltd", "llc", "corp", "corporation", "group", "technologies", "technology", "bank", "labs",
                  "co.", "company", "gmbh", "plc", "limited", "systems", "solutions", "capital", "partners", "holdings",
                  "software", "networks", "studio", "studios", "health", "motors", "consulting", "hospital")
_SCHOOL_RE = re.compile(
    rf"([{HAN}()（）]{{2,20}}?(?:大学|学院|学校|研究院|研究生院)(?:\([{HAN}]+\))?"
    r"|(?:[A-Z][\w.'&-]*\s+){0,5}(?:University|College|Institute|School|Polytechnic|Academy)"
    r"(?: (?:of|at|for) (?:[A-Z][\w.'&-]*)(?: (?:and )?[A-Z][\w.'&-]*){0,4})?)"
)
_DEGREES = [
    ("phd", r"博士|ph\.?\s?d\.?|doctor(?:ate)?(?: of [a-z]+)?|d\.phil"),
    ("master", r"硕士|研究生|master(?:'s)?(?: of [a-z]+(?: [a-z]+)?)?|m\.?s\.?c?\.?(?![a-z])|m\.?eng\.?|mba|m\.?a\.?(?![a-z])"),
    ("bachelor", r"本科|学士|bachelor(?:'s)?(?: of [a-z]+(?: [a-z]+)?)?|b\.?s\.?c?\.?(?![a-z])|b\.?eng\.?|b\.?a\.?(?![a-z])"),
    ("associate", r"大专|专科|associate(?:'s)? degree|associate of [a-z]+"),
]
_LANGS = {
    "English": ("english", "英语", "英文"),
    "Chinese": ("mandarin", "chinese", "普通话", "中文", "汉语", "cantonese", "粤语"),
    "Japanese": ("japanese", "日语", "日文"),
    "French": ("french", "法语"),
    "German": ("german", "德语"),
    "Spanish": ("spanish", "西班牙语"),
    "Korean": ("korean", "韩语"),
    "Russian": ("russian", "俄语"),
}
_INDUSTRIES: dict[str, tuple[str, ...]] = {
    "internet": ("互联网", "internet", "social media", "社交", "search engine", "搜索引擎", "短视频", "在线平台", "online platform"),
    "software": ("软件", "saas", "software", "云计算", "cloud computing", "enterprise software", "企业服务"),
    "finance": ("金融", "银行", "证券", "保险", "支付", "fintech", "bank", "banking", "payments", "insurance",
                "securities", "investment", "asset management", "financial"),
    "e-commerce": ("电商", "电子商务", "e-commerce", "ecommerce", "online retail", "marketplace"),
    "education": ("在线教育", "教育科技", "edtech", "education technology", "教培", "online learning"),
    "healthcare": ("医疗", "医药", "医院", "healthcare", "hospital", "biotech", "pharmaceutical", "medical", "生物科技"),
    "automotive": ("汽车", "新能源车", "自动驾驶", "automotive", "autonomous driving", "electric vehicle"),
    "gaming": ("游戏", "gaming", "video game", "game studio"),
    "manufacturing": ("制造", "工厂", "manufacturing", "factory", "industrial"),
    "telecom": ("通信", "电信", "telecom", "telecommunications", "5g"),
    "logistics": ("物流", "供应链", "快递", "logistics", "supply chain", "freight"),
    "consulting": ("咨询", "consulting", "advisory"),
    "retail": ("零售", "retail", "consumer goods", "快消"),
}


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


def _heading(line: str) -> tuple[str, str] | None:
    """(section, inline rest) when the line is a section heading."""
    core = line.strip(_STRIP).strip()
    low = re.sub(r"\s+", " ", core.lower())
    if low in _HEADING and len(line) <= len(core) + 12:
        return _HEADING[low], ""
    m = re.match(r"^[#*■●◆▶【\[\s]*([^:：]{1,30}?)\s*[】\]]?\s*[:：]\s*(.+)$", line)
    if m:
        key = re.sub(r"\s+", " ", m.group(1).strip(_STRIP).lower())
        if key in _HEADING and _HEADING[key] in ("skills", "certificates", "languages", "education"):
            return _HEADING[key], m.group(2)
    return None


def _sections(lines: list[_Line]) -> dict[str, list[_Line]]:
    secs: dict[str, list[_Line]] = {"header": []}
    cur = "header"
    for ln in lines:
        h = _heading(ln.text)
        if h:
            cur = h[0]
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
    return tok[0] in _SURNAMES or tok[:2] in _COMPOUND_SURNAMES


_EN_NAME_RE = re.compile(r"(?:[A-Z][a-z]+|[A-Z]{2,})(?:[-'][A-Z]?[a-z]+)?(?:\s+[A-Z]\.)?(?:\s+(?:[A-Z][a-z]+|[A-Z]{2,})(?:[-'][A-Z]?[a-z]+)?){1,2}")
_NOT_NAME = {"resume", "curriculum vitae", "cv", "个人简历", "简历"}


def _is_en_name(tok: str) -> bool:
    if not _EN_NAME_RE.fullmatch(tok):
        return False
    low = tok.lower()
    if low in _NOT_NAME or low in _HEADING:
        return False
    words = low.split()
    if any(w in _TITLE_WORDS or w in _COMPANY_WORDS for w in words):
        return False
    if any(c.lower() == low or c.lower() in low for c in _CITIES_EN):
        return False
    return True


def _find_name(text: str, secs: dict[str, list[_Line]], lines: list[_Line]) -> Sourced[str] | None:
    m = re.search(rf"{_LABEL_RE}\s*[:：]\s*([^\n|,，;；/]{{2,40}}?)\s*(?:$|\n|\||,|，|;|；|/|\s{{2,}})", text, re.I | re.M)
    if m:
        v = m.group(1).strip()
        return Sourced(v, v)
    cand = secs.get("header", [])[:8] + secs.get("contact", [])[:8] + lines[:12]
    for ln in cand:
        if _heading(ln.text):
            continue
        for tok in re.split(r"\s*(?:\||｜|/|,|，|;|；|\s{2,}|\s[-–—]\s|:)\s*", ln.text):
            tok = tok.strip(_STRIP.replace("·", "")).strip()
            if not tok:
                continue
            if _is_cn_name(tok):
                return Sourced(tok, tok)
            if _is_en_name(tok):
                return Sourced(tok, tok)
    return None


def _find_mobile(text: str, lines: list[_Line], lang: str = "zh") -> Sourced[str] | None:
    import phonenumbers

    # CN is the default region; an English resume's numbers without a country code are read as US numbers first
    regions = ("CN",) if lang == "zh" else ("US", "CN")
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
                if (_RANGE_RE.search(raw) or len(re.sub(r"\D", "", raw)) < 7
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


def _find_city(text: str, lines: list[_Line]) -> Sourced[str] | None:
    m = re.search(r"(?:现居|所在地|居住地|现居地|所在城市|城市|地址|location|city|address|based in)\s*[:：]?\s*"
                  r"([^\n|,，;；]{2,40})", text, re.I)
    zone = []
    if m:
        zone.append(m.group(1))
    contact = [ln.text for ln in lines[:15] if _EMAIL_RE.search(ln.text) or re.search(r"\d{3}", ln.text)
               and not _RANGE_RE.search(ln.text)]
    zone.append("\n".join(contact))
    zone.append("\n".join(ln.text for ln in lines[:15] if not _SCHOOL_RE.search(ln.text)))
    for z in zone:
        found = []
        for c in _CITIES_ZH:
            i = z.find(c)
            if i >= 0 and not re.match(rf"[{HAN}]*(?:大学|学院)", z[i + len(c):]):
                found.append((i, c, c))
        for c in _CITIES_EN:
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


def _degree(s: str) -> tuple[str, str] | None:
    for norm, pat in _DEGREES:
        m = re.search(rf"(?<![a-z])(?:{pat})", s, re.I)
        if m:
            return norm, m.group(0)
    return None


def _clean_tok(s: str) -> str:
    return s.strip(" \t|,，;；:：()（）-–—·•*/").strip()


def _education(secs: dict[str, list[_Line]], text: str) -> list[Education]:
    lines = secs.get("education") or []
    if not lines:  # no heading: any line naming a school and a degree
        lines = [ln for ln in _lines(text) if _SCHOOL_RE.search(ln.text) and _degree(ln.text)]
    entries: list[list[str]] = []
    for ln in lines:
        if _SCHOOL_RE.search(ln.text) and not re.match(r"^[-•*·▪]", ln.text):
            entries.append([ln.text])
        elif entries:
            entries[-1].append(ln.text)
    out = []
    for block in entries:
        first = block[0]
        sm = _SCHOOL_RE.search(first)
        school = sm.group(1).strip()
        school = re.sub(r"^(?:毕业院校|学校|school)\s*[:：]?\s*", "", school, flags=re.I)
        joined = "\n".join(block)
        dm = _RANGE_RE.search(joined)
        start = end = None
        if dm:
            start, end = _parse_date(dm.group(1)), _parse_date(dm.group(2))
        else:
            ym = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", joined)
            end = ym.group(1) if ym else None
        deg = _degree(joined.replace(school, " "))
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


def _is_desc(s: str) -> bool:
    if re.match(r"^[-•*·▪●◦○➢✓]\s*", s) or re.match(r"^\d+[.、)]\s*\S", s) and not re.match(r"^\d{4}", s):
        return True
    if re.match(r"^(?:工作内容|职责|工作职责|主要职责|业绩|responsibilities|achievements)\s*[:：]", s, re.I):
        return True
    if _RANGE_RE.search(s):
        return False
    if s.endswith(("。", ".", ";", "；")) and len(s) > 15:
        return True
    if len(s) > 45 or (len(s.split()) > 9):
        return True
    return False


def _score(tok: str, words: tuple[str, ...]) -> int:
    low = tok.lower()
    return sum(1 for w in words if (w.lower() in low if not w.isascii() else re.search(rf"\b{re.escape(w.lower())}\b", low)))


def _ends_with_title(tok: str) -> bool:
    low = tok.lower().rstrip(" .")
    return any(low.endswith(w.lower()) for w in _TITLE_WORDS) and not any(
        low.endswith(w) for w in ("公司", "集团", "inc", "ltd", "llc", "group"))


def _split_header(lines: list[str]) -> tuple[str | None, str | None, re.Match | None]:
    company = title = None
    date_m = None
    toks: list[str] = []
    for s in lines:
        dm = _RANGE_RE.search(s)
        if dm and date_m is None:
            date_m = dm
        if dm:
            s = s.replace(dm.group(0), "  ")
        lm = re.match(r"^(公司|单位|公司名称|company|employer|职位|岗位|职务|title|position|role|时间|dates?|period)\s*[:：]\s*(.*)$",
                      s.strip(), re.I)
        if lm:
            key, val = lm.group(1).lower(), _clean_tok(lm.group(2))
            if key in ("公司", "单位", "公司名称", "company", "employer") and val:
                company = val
            elif key in ("职位", "岗位", "职务", "title", "position", "role") and val:
                title = val
            continue
        at = re.match(r"^\s*(.+?)\s+(?:at|@)\s+(.+?)\s*$", s)
        if at and not company and not title:
            title, company = _clean_tok(at.group(1)), _clean_tok(at.group(2))
            continue
        for tok in re.split(r"\s*(?:\||｜|,|，|;|；|\s{2,}|\s[-–—]\s|—|/)\s*", s):
            tok = _clean_tok(tok)
            tok = re.sub(r"^(?:时间|dates?)$", "", tok, flags=re.I)
            if tok and not re.fullmatch(r"[\d\s.\-/年月]+", tok) and len(tok) <= 60:
                toks.append(tok)
    rest = [t for t in toks if t not in (company, title)]
    if company is None or title is None:
        scored = [(t, _score(t, _TITLE_WORDS) + 2 * _ends_with_title(t), _score(t, _COMPANY_WORDS)) for t in rest]
        if title is None:
            cands = [x for x in scored if x[1] > x[2]]
            if cands:
                title = cands[0][0]
                scored = [x for x in scored if x[0] != title]
        if company is None:
            cands = [x for x in scored if x[2] > 0] or [x for x in scored if x[1] == 0] or scored
            if cands:
                company = cands[0][0]
                scored = [x for x in scored if x[0] != company]
        if title is None and scored:
            title = scored[0][0]
    return company, title, date_m


def _experience(secs: dict[str, list[_Line]]) -> list[WorkExperience]:
    lines = [ln.text for ln in secs.get("experience", [])]
    groups: list[tuple[list[str], list[str]]] = []  # (header lines, description lines)
    for s in lines:
        if _is_desc(s):
            if not groups:
                groups.append(([], []))
            groups[-1][1].append(s)
        else:
            if not groups or groups[-1][1]:
                groups.append(([s], []))
            else:
                groups[-1][0].append(s)
    entries: list[tuple[list[str], list[str]]] = []
    for head, desc in groups:
        dated = [i for i, s in enumerate(head) if _RANGE_RE.search(s)]
        if len(dated) <= 1:
            entries.append((head, desc))
            continue
        n = len(dated)
        size = len(head) // n if len(head) % n == 0 else None
        if size:
            chunks = [head[i * size:(i + 1) * size] for i in range(n)]
        else:
            cuts = dated if dated[0] == 0 else [0] + [d + 1 for d in dated[:-1]]
            chunks = [head[a:b] for a, b in zip(cuts, cuts[1:] + [len(head)], strict=True)]
        for c in chunks[:-1]:
            entries.append((c, []))
        entries.append((chunks[-1], desc))
    out = []
    for head, desc in entries:
        if not head:
            continue
        company, title, dm = _split_header(head)
        if not company:
            continue
        start = end = None
        if dm:
            start, end = _parse_date(dm.group(1)), _parse_date(dm.group(2))
        out.append(WorkExperience(
            company=Sourced(company, company),
            title=Sourced(title, title) if title else None,
            start=start, end=end,
            description="\n".join(desc),
        ))
    return out


def _recency_key(start: str | None, end: str | None) -> tuple:
    e = "9999" if end == "present" else (end or start or "0000")
    return (e, start or "0000")


def _months(d: str, today: _dt.date) -> int | None:
    if d == "present":
        return today.year * 12 + today.month - 1
    m = re.match(r"(\d{4})(?:-(\d{2}))?", d or "")
    if not m:
        return None
    return int(m.group(1)) * 12 + (int(m.group(2)) - 1 if m.group(2) else 0)


def _years(text: str, exps: list[WorkExperience], exp_lines: list[_Line], today: _dt.date) -> Sourced[float] | None:
    pats = [
        r"(\d+(?:\.\d+)?|[一二两三四五六七八九十]+)\s*\+?\s*年以上(?:的)?\S{0,6}?(?:工作|从业|开发|行业|相关|管理)?经验",
        r"(\d+(?:\.\d+)?|[一二两三四五六七八九十]+)\s*\+?\s*年(?:的)?\S{0,6}?(?:工作|从业|开发|行业|相关|管理)经验",
        r"(?:工作|从业)(?:经验|年限)?\s*[:：]?\s*(\d+(?:\.\d+)?)\s*\+?\s*年",
        r"(\d+(?:\.\d+)?)\+?\s*(?:years?|yrs?)(?:'s)?\s+(?:of\s+)?(?:[\w-]+\s+){0,3}?experience",
        r"(?:experience|years of experience)\s*[:：]\s*(\d+(?:\.\d+)?)\+?\s*(?:years?|yrs?)",
    ]
    for p in pats:
        m = re.search(p, text, re.I)
        if m:
            n = _cn_int(m.group(1)) if not re.match(r"\d", m.group(1)) else float(m.group(1))
            if n and 0 < float(n) < 60:
                return Sourced(float(n), m.group(0))
    spans = []
    for e in exps:
        a, b = _months(e.start or "", today), _months(e.end or "", today)
        if a is not None and b is not None and b >= a:
            spans.append((a, b))
    if not spans:
        return None
    spans.sort()
    total, cur_a, cur_b = 0, *spans[0]
    for a, b in spans[1:]:
        if a <= cur_b:
            cur_b = max(cur_b, b)
        else:
            total += cur_b - cur_a
            cur_a, cur_b = a, b
    total += cur_b - cur_a
    src = ""
    for ln in exp_lines:
        m = _RANGE_RE.search(ln.text)
        if m:
            src = m.group(0).strip()
    if not src:
        return None
    return Sourced(round(total / 12, 1), src)


def _team_size(text: str) -> Sourced[int] | None:
    num = r"(\d+|[一二两三四五六七八九十百]+)"
    pats = [
        r"(?:led|lead|leading|managed|managing|manage|supervised|supervising|headed|oversaw|overseeing|built and led|"
        r"grew and led|mentored)\s+(?:and\s+\w+\s+)?(?:a|an|the)?\s*(?:cross-functional\s+|global\s+|distributed\s+)?"
        r"(?:team|group|staff|organization)\s+of\s+(\d+)",
        r"(?:led|lead|leading|managed|managing|manage|supervised|headed|oversaw|built and led|grew)\s+(?:a|an)?\s*(\d+)"
        r"[-\s](?:person|member|people|engineer|strong)s?\s*(?:\w+\s+){0,2}?(?:team|group|org)",
        r"(?:led|managed|leading|managing)\s+(\d+)\s+(?:engineers|people|staff|developers|designers|analysts|employees|reports)",
        r"(\d+)\s+direct reports",
        rf"(?:带领|领导|管理|带|负责|组建|统筹)(?:了)?\s*(?:一支|一个)?\s*{num}\s*(?:人|名)(?:\S{{0,4}}?)?(?:团队|小组|组)?",
        rf"(?:团队|小组)(?:规模)?\s*[:：]?\s*{num}\s*人",
        rf"(?:带领|领导|管理)(?:一支|一个)?\s*{num}\s*(?:余)?人",
    ]
    best = None
    for p in pats:
        for m in re.finditer(p, text, re.I):
            n = _cn_int(m.group(1))
            if n and 1 < n < 100000 and (best is None or n > best.value):
                best = Sourced(n, m.group(0))
    return best


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


def _quantified(secs: dict[str, list[_Line]]) -> list[Sourced[str]]:
    out, seen = [], set()
    for name in ("experience", "projects", "summary", "awards", "header"):
        for ln in secs.get(name, []):
            if name == "header" and len(ln.text) < 30:
                continue
            for m in _QUANT_RE.finditer(ln.text):
                s = ln.text
                a = max([s.rfind(c, 0, m.start()) for c in "，,;；。:："] + [-1]) + 1
                bs = [i for i in (s.find(c, m.end()) for c in "，,;；。") if i != -1]
                b = min(bs) if bs else len(s)
                clause = s[a:b].strip(" -•*·▪●")
                if clause in seen or not clause:
                    continue
                seen.add(clause)
                out.append(Sourced(clause, clause))
    return out


def _split_items(lines: list[_Line]) -> list[str]:
    items = []
    for ln in lines:
        s = re.sub(r"^[-•*·▪●◦]\s*", "", ln.text)
        lab = re.match(r"^([^:：,，、]{1,16})[:：]\s*(.+)$", s)
        if lab:
            s = lab.group(2)
        for tok in re.split(r"\s*(?:,|，|、|;|；|\||｜|•|·|\s/\s|\s{2,})\s*", s):
            tok = re.sub(r"^(?:精通|熟练掌握|熟练使用|熟悉|掌握|了解|擅长|熟练)\s*", "", tok.strip())
            tok = tok.strip(" .。")
            if tok and len(tok) <= 60:
                items.append(tok)
    return items


def _languages(secs: dict[str, list[_Line]], text: str) -> list[Sourced[str]]:
    zone = secs.get("languages") or []
    zone_text = "\n".join(ln.text for ln in zone)
    if not zone_text:
        m = re.search(r"(?:语言|languages?)\s*[:：]\s*([^\n]+)", text, re.I)
        zone_text = m.group(1) if m else ""
    extra = " ".join(re.findall(r"CET-?[46]|TOEFL|IELTS|雅思|托福|JLPT|N[12](?![0-9])", text))
    out = []
    for canon, keys in _LANGS.items():
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
    return [Sourced(canon, found) for canon, keys in _INDUSTRIES.items() if (found := _first_alias(keys, zone))]


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
    exps = _experience(secs)
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
        years_experience=_years(text, exps, secs.get("experience", []), today),
        team_size_led=_team_size(text),
        quantified_results=_quantified(secs),
        industries=_industries(exps, secs),
        text=text,
    )
    return profile


def parse_resume(data: bytes, filename: str, content_type: str | None = None, max_bytes: int = MAX_RESUME_BYTES,
                 *, today: _dt.date | None = None) -> ResumeProfile:
    """Parse a PDF / DOCX / text resume into a ResumeProfile, or raise ResumeError."""
    if data is None:
        raise ResumeError("empty", "no file was uploaded")
    if len(data) > max_bytes:
        raise ResumeError("too_large", f"the file is {len(data)} bytes; the limit is {max_bytes} bytes")
    kind, text = extract_text(data, filename, content_type)
    try:
        profile = parse_text(text, today=today)
    except Exception as e:  # never a silent partial profile
        raise ResumeError("broken_file", f"the resume text could not be parsed ({type(e).__name__}: {e})") from e
    if not (profile.name or profile.email or profile.mobile or profile.work_experience or profile.education):
        raise ResumeError("empty", "no resume content (name, contact, education or experience) was found in the file")
    return profile
