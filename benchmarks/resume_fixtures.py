"""Labelled synthetic resumes for the resume parser: Chinese and English, PDF / DOCX / TXT, varied layouts.

    from benchmarks.resume_fixtures import generate_fixtures
    fixtures = generate_fixtures(out_dir, n_per_language=20, seed=7)   # [(path, labels), ...]

Deterministic for a given seed (and ``today``, which closes "present" date ranges in the years-of-experience label).
Layout variety: section order, heading style (plain / 【】 / ■ / colon / upper-case / markdown), header style (name line,
labelled fields, name | title), contact separators, five date formats, five experience-entry layouts, bullet styles,
and a two-column table layout in some DOCX files. Labels (dict) hold the same fields as ResumeProfile:

    name, mobile (E.164), email, city, education [{school, degree, major, start, end}],
    work [{company, title, start, end}] (most recent first), skills, certificates, languages (canonical English),
    years_experience, team_size, quantified (quantity tokens, e.g. "35%", "$2m", "千万级"), industries,
    language ("zh" | "en"), format ("pdf" | "docx" | "txt"), layout (short description)
"""

from __future__ import annotations

import datetime as _dt
import random
from pathlib import Path

import phonenumbers

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

# -------------------------------------------------------------------------------------------------------------- data
ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢"
ZH_GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "晓东", "子涵", "浩然", "思远",
            "雨桐", "佳怡", "一鸣", "建华", "志强", "欣怡", "俊杰", "梓萱", "宇航", "文博"]
ZH_SCHOOLS = ["清华大学", "北京大学", "浙江大学", "复旦大学", "上海交通大学", "华中科技大学", "武汉大学", "中山大学", "南京大学",
              "哈尔滨工业大学", "同济大学", "电子科技大学", "北京邮电大学", "厦门大学", "西安交通大学"]
ZH_MAJORS = ["计算机科学与技术", "软件工程", "电子信息工程", "金融学", "市场营销", "工商管理", "自动化", "统计学", "数学与应用数学"]
ZH_DEGREES = [("本科", "bachelor"), ("学士", "bachelor"), ("硕士", "master"), ("博士", "phd"), ("大专", "associate")]
# (company, industry, industry phrase used in the description)
ZH_COMPANIES = [
    ("北京字节跳动网络技术有限公司", "internet", "互联网"), ("阿里巴巴集团", "e-commerce", "电商"),
    ("招商银行股份有限公司", "finance", "银行"), ("腾讯游戏工作室", "gaming", "游戏"), ("蔚来汽车科技有限公司", "automotive", "汽车"),
    ("平安科技有限公司", "finance", "金融"), ("京东物流集团", "logistics", "物流"), ("美团点评", "internet", "互联网"),
    ("用友网络科技股份有限公司", "software", "企业服务"), ("好未来教育集团", "education", "在线教育"),
    ("微医集团", "healthcare", "医疗"), ("华为技术有限公司", "telecom", "通信"), ("拼多多", "e-commerce", "电商"),
    ("网易游戏", "gaming", "游戏"), ("顺丰科技有限公司", "logistics", "物流"),
]
ZH_TITLES = ["高级后端工程师", "产品经理", "技术总监", "数据分析师", "前端开发工程师", "算法工程师", "运营经理", "项目经理",
             "测试工程师", "架构师", "研发经理", "销售总监"]
ZH_SKILLS = ["Java", "Python", "Go", "MySQL", "Redis", "Kafka", "Spring Boot", "Docker", "Kubernetes", "React", "Vue",
             "TypeScript", "数据分析", "项目管理", "用户增长", "Axure", "SQL", "Tableau", "机器学习", "PyTorch", "Linux", "微服务"]
ZH_CERTS = ["PMP", "注册会计师", "软件设计师", "AWS认证解决方案架构师", "信息系统项目管理师", "CFA一级", "系统架构设计师"]
ZH_LANGS = [("英语(CET-6)", "English"), ("英语(雅思7.0)", "English"), ("普通话(母语)", "Mandarin"), ("日语(N2)", "Japanese")]
ZH_CITIES = ["北京", "上海", "深圳", "广州", "杭州", "成都", "南京", "武汉", "西安", "苏州"]

EN_FIRST = ["James", "Emily", "Michael", "Sarah", "David", "Jessica", "Daniel", "Ashley", "Matthew", "Olivia", "Ryan",
            "Hannah", "Kevin", "Laura", "Brian", "Megan", "Jason", "Rachel", "Eric", "Natalie"]
EN_LAST = ["Smith", "Johnson", "Miller", "Davis", "Garcia", "Wilson", "Anderson", "Thompson", "Martinez", "Robinson",
           "Clark", "Lewis", "Walker", "Young", "Allen", "Wright", "Hill", "Green", "Baker", "Nelson"]
EN_SCHOOLS = ["Stanford University", "University of Michigan", "Carnegie Mellon University", "Cornell University",
              "Massachusetts Institute of Technology", "University of Washington", "Boston University",
              "Purdue University", "New York University", "Georgia Institute of Technology", "Duke University"]
EN_MAJORS = ["Computer Science", "Electrical Engineering", "Economics", "Finance", "Statistics", "Mechanical Engineering",
             "Marketing", "Information Systems"]
EN_DEGREES = [("B.S.", "bachelor"), ("Bachelor of Science", "bachelor"), ("M.S.", "master"),
              ("Master of Science", "master"), ("Ph.D.", "phd"), ("B.A.", "bachelor")]
EN_COMPANIES = [
    ("Northwind Technologies", "software", "SaaS"), ("Acme Bank", "finance", "banking"),
    ("BlueRiver Health", "healthcare", "healthcare"), ("Globex Logistics", "logistics", "supply chain"),
    ("Initech Software", "software", "enterprise software"), ("Vandelay Motors", "automotive", "automotive"),
    ("Pixel Forge Games", "gaming", "gaming"), ("Contoso Retail Group", "retail", "retail"),
    ("Brightpath Learning", "education", "edtech"), ("Helios Payments", "finance", "payments"),
    ("Streamline Commerce", "e-commerce", "e-commerce"), ("Tellus Networks", "telecom", "telecom"),
]
EN_TITLES = ["Senior Software Engineer", "Product Manager", "Engineering Manager", "Data Scientist", "Marketing Director",
             "Financial Analyst", "Backend Engineer", "UX Designer", "DevOps Engineer", "Sales Manager",
             "Operations Manager", "Staff Engineer"]
EN_SKILLS = ["Python", "Java", "Go", "SQL", "PostgreSQL", "AWS", "Docker", "Kubernetes", "React", "TypeScript",
             "Terraform", "Spark", "Tableau", "Figma", "Salesforce", "Excel", "Machine Learning", "GraphQL", "Node.js"]
EN_CERTS = ["PMP", "AWS Certified Solutions Architect", "CFA Level II", "Certified Scrum Master",
            "Google Cloud Professional Data Engineer", "CPA"]
EN_LANGS = [("English (native)", "English"), ("Mandarin (fluent)", "Mandarin"), ("Spanish (conversational)", "Spanish"),
            ("French (professional)", "French"), ("German (basic)", "German")]
EN_CITIES = [("San Francisco", "San Francisco, CA"), ("Seattle", "Seattle, WA"), ("New York", "New York, NY"),
             ("Boston", "Boston, MA"), ("Austin", "Austin, TX"), ("Chicago", "Chicago, IL"), ("London", "London, UK"),
             ("Toronto", "Toronto, ON")]
US_AREAS = ["415", "206", "212", "617", "512", "312", "650", "408"]

ZH_HEADINGS = {"summary": "个人简介", "experience": "工作经历", "education": "教育背景", "skills": "专业技能",
               "certificates": "证书", "languages": "语言能力"}
ZH_HEADINGS_ALT = {"summary": "自我评价", "experience": "工作经验", "education": "教育经历", "skills": "技能",
                   "certificates": "资格证书", "languages": "语言"}
EN_HEADINGS = {"summary": "Summary", "experience": "Work Experience", "education": "Education", "skills": "Skills",
               "certificates": "Certifications", "languages": "Languages"}
EN_HEADINGS_ALT = {"summary": "Professional Summary", "experience": "Professional Experience",
                   "education": "Education", "skills": "Technical Skills", "certificates": "Licenses & Certifications",
                   "languages": "Languages"}
EN_MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


# ---------------------------------------------------------------------------------------------------------- helpers
def _mobile(rng: random.Random, lang: str) -> tuple[str, str]:
    """(E.164, as written)."""
    while True:
        if lang == "zh":
            digits = "1" + rng.choice(["38", "39", "58", "86", "88", "36", "50", "77", "35"]) + "".join(
                rng.choice("0123456789") for _ in range(8))
            num = phonenumbers.parse(digits, "CN")
            if not phonenumbers.is_valid_number(num):
                continue
            style = rng.randrange(4)
            written = [f"{digits[:3]}-{digits[3:7]}-{digits[7:]}", digits, f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}",
                       f"(+86) {digits}"][style]
        else:
            area = rng.choice(US_AREAS)
            ex = str(rng.randint(201, 989))
            if ex[1:] == "11" or ex == "555":
                continue
            line = f"{rng.randint(0, 9999):04d}"
            num = phonenumbers.parse(f"+1{area}{ex}{line}")
            if not phonenumbers.is_valid_number(num):
                continue
            style = rng.randrange(3)
            written = [f"+1 ({area}) {ex}-{line}", f"({area}) {ex}-{line}", f"+1 {area}.{ex}.{line}"][style]
        return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164), written


def _fmt_date(ym: tuple[int, int] | None, style: int, lang: str) -> str:
    if ym is None:
        return {0: "至今", 1: "至今", 2: "至今", 3: "Present", 4: "Present", 5: "至今"}[style] if lang == "zh" else \
            ["Present", "Present", "Current", "Present", "Present", "Present"][style]
    y, m = ym
    return [f"{y}.{m:02d}", f"{y}/{m}", f"{y}年{m}月", f"{EN_MON[m - 1]} {y}", f"{m:02d}/{y}", f"{y}-{m:02d}"][style]


def _fmt_range(a, b, style: int, lang: str) -> str:
    sep = [" - ", "-", " - ", " – ", " - ", " ~ "][style]
    return f"{_fmt_date(a, style, lang)}{sep}{_fmt_date(b, style, lang)}"


def _ym_str(ym) -> str:
    return "present" if ym is None else f"{ym[0]}-{ym[1]:02d}"


def _months(ym, today: _dt.date) -> int:
    if ym is None:
        return today.year * 12 + today.month - 1
    return ym[0] * 12 + ym[1] - 1


# ------------------------------------------------------------------------------------------------------------ model
def _person(rng: random.Random, lang: str, today: _dt.date) -> dict:
    zh = lang == "zh"
    if zh:
        name = rng.choice(ZH_SURNAMES) + rng.choice(ZH_GIVEN)
    else:
        name = f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
    e164, phone_written = _mobile(rng, lang)
    login = (f"{rng.choice(['zhang', 'li', 'wang', 'chen', 'liu'])}{rng.randint(10, 999)}" if zh
             else name.lower().replace(" ", rng.choice([".", "_", ""])) + str(rng.randint(1, 99)))
    email = f"{login}@{rng.choice(['163.com', 'qq.com', 'gmail.com', 'outlook.com', 'foxmail.com'] if zh else ['gmail.com', 'outlook.com', 'yahoo.com', 'proton.me'])}"
    if zh:
        city = rng.choice(ZH_CITIES)
        city_written = city
    else:
        city, city_written = rng.choice(EN_CITIES)
    # work history, most recent first
    n_jobs = rng.choice([2, 2, 3])
    companies = rng.sample(ZH_COMPANIES if zh else EN_COMPANIES, n_jobs)
    titles = rng.sample(ZH_TITLES if zh else EN_TITLES, n_jobs)
    end = None
    start_y = rng.randint(2019, 2023)
    start = (start_y, rng.randint(1, 12))
    jobs = []
    team = rng.choice([5, 6, 8, 10, 12, 15, 20, 30])
    team_job = rng.randrange(n_jobs)
    pcts = rng.sample([12, 18, 25, 30, 35, 40, 45, 60], 3)
    quantified = []
    for i in range(n_jobs):
        comp, ind, phrase = companies[i]
        desc = []
        if zh:
            desc.append(f"负责{phrase}业务核心系统的设计与开发,保障线上稳定运行")
            if i == team_job:
                desc.append(rng.choice([f"带领{team}人团队完成平台重构", f"管理{team}人研发团队,负责招聘与绩效",
                                        f"组建并带领{team}人小组推进新业务"]))
            if i < 2:
                k = rng.randrange(4)
                if k == 0:
                    desc.append(f"主导千万级用户平台升级,接口性能提升{pcts[i]}%")
                    quantified += ["千万级", f"{pcts[i]}%"]
                elif k == 1:
                    desc.append(f"推动核心指标增长{pcts[i]}%,获年度优秀员工")
                    quantified += [f"{pcts[i]}%"]
                elif k == 2:
                    amt = rng.choice([200, 500, 800])
                    desc.append(f"优化资源调度,年节省成本{amt}万元")
                    quantified += [f"{amt}万元"]
                else:
                    x = rng.choice([2, 3, 5])
                    desc.append(f"负责亿级数据处理链路,效率提升{x}倍")
                    quantified += ["亿级", f"{x}倍"]
        else:
            desc.append(f"Built and operated core services for the {phrase} platform")
            if i == team_job:
                desc.append(rng.choice([f"Led a team of {team} engineers through a platform rewrite",
                                        f"Managed a {team}-person team across two time zones",
                                        f"Led {team} engineers and owned hiring and performance reviews"]))
            if i < 2:
                k = rng.randrange(4)
                if k == 0:
                    desc.append(f"Delivered +{pcts[i]}% revenue by redesigning the checkout flow")
                    quantified += [f"{pcts[i]}%"]
                elif k == 1:
                    m = rng.choice([2, 3, 5])
                    desc.append(f"Cut infrastructure cost by ${m}M per year")
                    quantified += [f"${m}m"]
                elif k == 2:
                    desc.append(f"Increased conversion by {pcts[i]}% and retention by {pcts[2]}%")
                    quantified += [f"{pcts[i]}%", f"{pcts[2]}%"]
                else:
                    u = rng.choice([3, 10, 25])
                    desc.append(f"Scaled the platform to {u}M users with 99.99% availability")
                    quantified += [f"{u}m", "99.99%"]
        jobs.append({"company": comp, "title": titles[i], "start": start, "end": end, "industry": ind, "desc": desc})
        end_y, end_m = start[0], start[1] - 1
        if end_m == 0:
            end_y, end_m = end_y - 1, 12
        end = (end_y, end_m)
        sy = end_y - rng.randint(1, 4)
        start = (sy, rng.randint(1, 12))
        if sy * 12 + start[1] >= end_y * 12 + end_m:
            start = (sy - 1, start[1])
    # education
    first_start = jobs[-1]["start"]
    deg_written, deg = rng.choice(ZH_DEGREES[:4] if zh else EN_DEGREES)
    length = {"bachelor": 4, "master": 3 if zh else 2, "phd": 5, "associate": 3}[deg]
    edu_end = (first_start[0] if first_start[1] > 7 else first_start[0] - 1, 6 if zh else 5)
    edu_start = (edu_end[0] - length, 9)
    education = [{"school": rng.choice(ZH_SCHOOLS if zh else EN_SCHOOLS), "degree": deg, "degree_written": deg_written,
                  "major": rng.choice(ZH_MAJORS if zh else EN_MAJORS), "start": edu_start, "end": edu_end}]
    if deg in ("master", "phd") and rng.random() < 0.5:
        b_end = (edu_start[0], 6 if zh else 5)
        education.append({"school": rng.choice(ZH_SCHOOLS if zh else EN_SCHOOLS), "degree": "bachelor",
                          "degree_written": "本科" if zh else rng.choice(["B.S.", "Bachelor of Science"]),
                          "major": rng.choice(ZH_MAJORS if zh else EN_MAJORS), "start": (b_end[0] - 4, 9), "end": b_end})
    # years
    spans = sorted((_months(j["start"], today), _months(j["end"], today)) for j in jobs)
    total, (ca, cb) = 0, spans[0]
    for a, b in spans[1:]:
        if a <= cb:
            cb = max(cb, b)
        else:
            total, ca, cb = total + cb - ca, a, b
    total += cb - ca
    computed = round(total / 12, 1)
    stated = rng.random() < 0.5
    years = float(max(1, round(computed))) if stated else computed
    skills = rng.sample(ZH_SKILLS if zh else EN_SKILLS, rng.randint(5, 8))
    certs = rng.sample(ZH_CERTS if zh else EN_CERTS, rng.randint(0, 2))
    langs = rng.sample(ZH_LANGS if zh else EN_LANGS, rng.randint(1, 2))
    if zh and len({c for _, c in langs}) < len(langs):
        langs = langs[:1]
    return {"name": name, "mobile": e164, "phone_written": phone_written, "email": email, "city": city,
            "city_written": city_written, "jobs": jobs, "education": education, "years": years, "stated": stated,
            "team": team, "skills": skills, "certs": certs, "langs": langs, "quantified": quantified,
            "headline": jobs[0]["title"]}


# ----------------------------------------------------------------------------------------------------------- render
def _heading(rng_style: int, text: str, lang: str) -> str:
    if lang == "zh":
        return [text, f"【{text}】", f"■ {text}", f"{text}:", f"—— {text} ——"][rng_style]
    return [text.upper(), text, f"## {text}", f"{text}:", f"{text.upper()}"][rng_style]


def _render(p: dict, lang: str, rng: random.Random) -> tuple[list[str], list[str], list[str], str]:
    """(all lines single column, left-column lines, right-column lines, layout description)."""
    zh = lang == "zh"
    hstyle = rng.randrange(5)
    heads = rng.choice([ZH_HEADINGS, ZH_HEADINGS_ALT] if zh else [EN_HEADINGS, EN_HEADINGS_ALT])
    dstyle = rng.choice([0, 1, 2, 5]) if zh else rng.choice([3, 4, 1, 0])
    estyle = rng.randrange(5) if zh else rng.choice([0, 1, 2, 3])
    bullet = rng.choice(["- ", "• ", "· ", "* "])
    header_style = rng.randrange(3)
    header: list[str] = []
    if header_style == 0:
        header.append(p["name"])
        sep = rng.choice([" | ", "  ", " · "])
        if zh:
            header.append(sep.join([f"电话:{p['phone_written']}", f"邮箱:{p['email']}", f"现居:{p['city_written']}"]))
        else:
            header.append(sep.join([p["phone_written"], p["email"], p["city_written"]]))
    elif header_style == 1:
        header += ([f"姓名:{p['name']}", f"手机:{p['phone_written']}", f"邮箱:{p['email']}", f"城市:{p['city_written']}"]
                   if zh else [f"Name: {p['name']}", f"Phone: {p['phone_written']}", f"Email: {p['email']}",
                               f"Location: {p['city_written']}"])
    else:
        header.append(f"{p['name']} | {p['headline']}")
        header.append(f"{'手机' if zh else 'Mobile'}: {p['phone_written']}   {'邮箱' if zh else 'Email'}: {p['email']}")
        header.append(f"{'所在地' if zh else 'Location'}: {p['city_written']}")

    sec: dict[str, list[str]] = {}
    if zh:
        sec["summary"] = [f"{int(p['years'])}年以上工作经验,擅长复杂系统设计与团队协作。" if p["stated"]
                          else "擅长复杂系统设计与团队协作,沟通能力强。"]
    else:
        sec["summary"] = [f"Engineer and leader with {int(p['years'])}+ years of experience shipping products." if p["stated"]
                          else "Hands-on builder who enjoys shipping reliable products with small teams."]
    exp = []
    for j in p["jobs"]:
        dr = _fmt_range(j["start"], j["end"], dstyle, lang)
        c, t = j["company"], j["title"]
        if estyle == 0:
            exp.append(f"{dr}  {c}  {t}")
        elif estyle == 1:
            exp.append(f"{c} | {t} | {dr}")
        elif estyle == 2:
            exp += [c, t, dr]
        elif estyle == 3:
            exp.append(f"{t} at {c} ({dr})" if not zh else f"{c}  {dr}")
            if zh:
                exp.append(t)
        else:
            exp += [f"公司:{c}", f"职位:{t}", f"时间:{dr}"]
        for i, d in enumerate(j["desc"]):
            exp.append(f"{i + 1}. {d}" if bullet == "* " and zh else f"{bullet}{d}")
    sec["experience"] = exp
    edu = []
    for e in p["education"]:
        dr = _fmt_range(e["start"], e["end"], dstyle if dstyle != 3 or not zh else 0, lang)
        if zh:
            edu.append(rng.choice([f"{e['school']}  {e['major']}  {e['degree_written']}  {dr}",
                                   f"{dr}  {e['school']} | {e['major']} | {e['degree_written']}"]))
        else:
            edu.append(rng.choice([f"{e['school']} — {e['degree_written']} in {e['major']} ({dr})",
                                   f"{e['school']}  {dr}\n{e['degree_written']} in {e['major']}"]))
    sec["education"] = [x for line in edu for x in line.split("\n")]
    sep = rng.choice(["、", ", ", " | "]) if zh else rng.choice([", ", " | ", " · "])
    sec["skills"] = [sep.join(p["skills"])]
    if p["certs"]:
        sec["certificates"] = [f"{bullet}{c}" for c in p["certs"]]
    sec["languages"] = [("、" if zh else ", ").join(w for w, _ in p["langs"])]
    order = ["experience", "education", "skills", "certificates", "languages"]
    if rng.random() < 0.4:
        order = ["education", "experience", "skills", "languages", "certificates"]
    if rng.random() < 0.3:
        order = ["skills"] + [o for o in order if o != "skills"]
    order = ["summary"] + order
    lines = list(header)
    for s in order:
        if s in sec:
            lines += ["", _heading(hstyle, heads[s], lang)] + sec[s]
    left = list(header)
    for s in ("skills", "languages", "certificates"):
        if s in sec:
            left += ["", _heading(hstyle, heads[s], lang)] + sec[s]
    right = []
    for s in ("summary", "experience", "education"):
        right += [_heading(hstyle, heads[s], lang)] + sec[s] + [""]
    layout = f"header{header_style}/heading{hstyle}/date{dstyle}/entry{estyle}/order:{','.join(order)}"
    return lines, left, right, layout


def _write_pdf(path: Path, lines: list[str]) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "WQY" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("WQY", FONT_PATH, subfontIndex=0))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    w, h = A4
    y = h - 50
    for line in lines:
        if y < 50:
            c.showPage()
            y = h - 50
        if line:
            size = 10
            while pdfmetrics.stringWidth(line, "WQY", size) > w - 90 and size > 6:
                size -= 0.5
            c.setFont("WQY", size)
            c.drawString(45, y, line)
        y -= 15 if line else 8
    c.save()


def _write_docx(path: Path, lines: list[str], left: list[str] | None, right: list[str] | None) -> None:
    import docx

    d = docx.Document()
    if left is not None:
        t = d.add_table(rows=1, cols=2)
        for cell, ls in zip(t.rows[0].cells, (left, right), strict=True):
            cell.paragraphs[0].text = ls[0]
            for s in ls[1:]:
                cell.add_paragraph(s)
    else:
        for s in lines:
            d.add_paragraph(s)
    d.core_properties.created = _dt.datetime(2024, 1, 1)
    d.save(str(path))


def _labels(p: dict, lang: str, fmt: str, layout: str) -> dict:
    return {
        "language": lang, "format": fmt, "layout": layout,
        "name": p["name"], "mobile": p["mobile"], "email": p["email"], "city": p["city"],
        "education": [{"school": e["school"], "degree": e["degree"], "major": e["major"],
                       "start": _ym_str(e["start"]), "end": _ym_str(e["end"])} for e in p["education"]],
        "work": [{"company": j["company"], "title": j["title"], "start": _ym_str(j["start"]), "end": _ym_str(j["end"])}
                 for j in p["jobs"]],
        "skills": p["skills"], "certificates": p["certs"], "languages": sorted({c for _, c in p["langs"]}),
        "years_experience": p["years"], "team_size": p["team"], "quantified": sorted(set(p["quantified"])),
        "industries": sorted({j["industry"] for j in p["jobs"]}),
    }


def generate_fixtures(out_dir: str | Path, n_per_language: int = 20, seed: int = 7,
                      today: _dt.date | None = None) -> list[tuple[Path, dict]]:
    """Write 2 * n_per_language resumes (zh then en; formats rotate pdf/docx/txt) to out_dir; [(path, labels)]."""
    today = today or _dt.date.today()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fixtures = []
    for lang in ("zh", "en"):
        for i in range(n_per_language):
            rng = random.Random(f"{seed}-{lang}-{i}")
            p = _person(rng, lang, today)
            lines, left, right, layout = _render(p, lang, rng)
            fmt = ("pdf", "docx", "txt")[i % 3]
            path = out / f"{lang}_{i:02d}.{fmt}"
            if fmt == "pdf":
                _write_pdf(path, lines)
            elif fmt == "docx":
                two_col = i % 2 == 1
                _write_docx(path, lines, left if two_col else None, right if two_col else None)
                layout += "/two-column" if two_col else ""
            else:
                enc = "gb18030" if lang == "zh" and i % 4 == 2 else "utf-8"
                path.write_bytes("\n".join(lines).encode(enc))
                layout += f"/{enc}"
            fixtures.append((path, _labels(p, lang, fmt, layout)))
    return fixtures


if __name__ == "__main__":
    import json
    import sys

    for path, labels in generate_fixtures(sys.argv[1] if len(sys.argv) > 1 else "/tmp/resume_fixtures"):
        print(path, json.dumps(labels, ensure_ascii=False))
