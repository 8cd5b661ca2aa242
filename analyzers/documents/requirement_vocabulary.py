"""The words a job description and a resume share: skills, spoken languages and degrees, each by one canonical name.

``SKILL_ALIASES`` maps English and Chinese names and abbreviations onto one canonical skill ("K8s" -> "Kubernetes",
"机器学习" -> "machine learning"); languages map onto "english", "chinese", ...; degrees onto ``DEGREE_LEVELS``.
Reading a job description (analyzers/documents/job_requirements.py) and matching a resume against it
(analyzers/documents/job_matching.py) both use these tables, so both sides name a thing the same way.
"""

from __future__ import annotations

import re

__all__ = [
    "DEGREE_LEVELS",
    "DEGREE_PATTERNS",
    "SKILL_ALIASES",
    "SKILL_FILLER",
    "canonical_language",
    "canonical_skill",
    "find_skills",
    "languages_in",
    "normalise_degree",
    "AREA_PARENTS",
    "ROLE_AREAS",
    "role_terms",
    "skill_aliases",
]

DEGREE_LEVELS: dict[str, int] = {"none": 0, "associate": 1, "bachelor": 2, "master": 3, "phd": 4}

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
        if len(SKILL_FILLER.sub("", rest)) <= 1:
            return canon
    return None


SKILL_FILLER = re.compile(
    r"\b(?:and|or|the|a|an|etc|such as|e\.g\.?|including|similar|related|technologies|technology|frameworks?|"
    r"tools?|languages?|programming|experience|is|are|a plus|plus|preferred|required|strongly|highly|skills?|"
    r"knowledge|proficiency|proficient|in|with|of|using|strong|solid|deep|good|hands-on|modern|one|more|at least|"
    r"years?|must|bonus|ideally|desirable|nice to have)\b"
    r"|均可|皆可|亦可|等|者优先|优先|经验|相关|的|开发|技术|框架|工具|语言|能力|使用|者|加分|以上|之一|一种|一门|及|或|和|等等|"
    r"常用|主流|至少|熟练|掌握|熟悉|精通|编程|项目|熟练度|有|具备|要求|必须|(?<!\d)\d++\s*年|[+]",  # a digit run once, whole
    re.I,
)


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


DEGREE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
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
    for pat, level in DEGREE_PATTERNS:
        if pat.search(text):
            return level
    return None


# Fields of work (common ones, not only the fields of any one set of jobs), each named in both languages, so "years of frontend development" counts "前端开发工程师" and
# "会计或财务工作经验" counts "Management Accountant". A title or a major belongs to a field when it contains one of
# its words (whole words for Latin script).
ROLE_AREAS: dict[str, list[str]] = {
    "frontend": ["frontend", "front-end", "front end", "web developer", "ui engineer", "前端"],
    "backend": ["backend", "back-end", "back end", "server-side", "后端", "服务端"],
    "software": ["software", "developer", "programmer", "software engineer", "machine learning", "algorithm",
                 "full-stack", "full stack", "devops", "sre", "软件", "开发", "程序员", "算法", "机器学习", "全栈",
                 "研发", "架构师"],
    "product management": ["product manager", "product owner", "产品经理", "产品负责人"],
    "project management": ["project manager", "项目经理"],
    "accounting": ["accounting", "accountant", "accountancy", "finance", "financial", "audit", "auditor",
                   "bookkeeper", "controller", "会计", "财务", "审计", "出纳", "核算"],
    "economics": ["economics", "economic", "经济"],
    "warehouse": ["warehouse", "warehousing", "distribution", "fulfilment", "fulfillment", "inventory", "仓储",
                  "仓库", "仓管", "配送"],
    "logistics": ["logistics", "supply chain", "supply-chain", "transport", "transportation", "dispatch", "freight",
                  "物流", "供应链", "运输", "调度"],
    "human resources": ["human resources", "hr", "hrbp", "recruiter", "recruiting", "talent", "人力资源", "人事",
                        "招聘", "hrbp"],
    "marketing": ["marketing", "brand", "growth", "市场", "营销", "品牌"],
    "sales": ["sales", "account executive", "account manager", "business development", "sdr", "bdr", "销售",
              "商务拓展", "客户经理"],
    "design": ["designer", "design", "ux", "ui/ux", "设计"],
    "quality assurance": ["qa", "quality assurance", "test engineer", "tester", "测试"],
    "data": ["data analyst", "data scientist", "data science", "analytics", "statistics", "statistician",
             "数据分析", "数据科学", "数据", "统计"],
    "computer science": ["computer science", "computing", "software engineering", "计算机", "软件工程"],
    "operations": ["operations", "运营"],
    "nursing": ["nurse", "nursing", "midwife", "midwifery", "护士", "护理", "护师", "助产"],
    "medicine": ["physician", "doctor", "surgeon", "clinician", "medical officer", "medicine", "医师", "医生", "临床医学"],
    "pharmacy": ["pharmacist", "pharmacy", "pharmaceutics", "药师", "药学", "药剂"],
    "therapy": ["physiotherapist", "physiotherapy", "physical therapist", "occupational therapist", "rehabilitation",
                "康复", "理疗", "治疗师"],
    "clinical research": ["clinical research", "clinical trial", "clinical trials", "临床研究", "临床试验", "临床监查"],
    "legal": ["lawyer", "attorney", "solicitor", "barrister", "counsel", "paralegal", "legal", "law", "律师", "法务",
              "法律", "法学"],
    "teaching": ["teacher", "teaching", "lecturer", "tutor", "educator", "教师", "老师", "教学", "讲师", "助教"],
    "culinary": ["chef", "cook", "culinary", "kitchen", "pastry", "厨师", "烹饪", "厨房", "面点"],
    "hospitality": ["hotel", "hospitality", "front desk", "concierge", "酒店", "餐饮"],
    "civil engineering": ["civil", "structural", "construction", "site engineer", "quantity surveyor", "土木", "结构",
                          "施工", "建筑", "造价"],
    "mechanical engineering": ["mechanical", "机械"],
    "electrical engineering": ["electrical", "electrician", "electronics", "电气", "电工", "电子"],
    "customer service": ["customer service", "customer support", "call centre", "call center", "客服", "客户服务"],
    "retail": ["retail", "store manager", "shop", "cashier", "零售", "门店", "店长", "收银"],
    "banking": ["bank", "banking", "teller", "loan officer", "credit analyst", "银行", "柜员", "信贷"],
    "editorial": ["editor", "editorial", "copywriter", "journalist", "content writer", "编辑", "文案", "记者"],
    "administration": ["administrative", "office manager", "secretary", "receptionist", "行政", "文员", "秘书"],
    "procurement": ["procurement", "purchasing", "buyer", "sourcing", "采购"],
    "manufacturing": ["production", "manufacturing", "process engineer", "生产", "制造", "工艺"],
    "quality control": ["quality control", "quality engineer", "qc", "质量", "品质", "质检"],
}
# a narrower field counts for the wider one ("前端开发工程师" has years of software development)
AREA_PARENTS: dict[str, str] = {"frontend": "software", "backend": "software"}
def _word_pattern(w: str) -> re.Pattern[str]:
    """``w`` not glued to other Latin letters at its Latin ends ("开发" inside "Java开发" is found)."""
    head = r"(?<![A-Za-z])" if re.match(r"[A-Za-z]", w) else ""
    tail = r"(?![A-Za-z])" if re.search(r"[A-Za-z]$", w) else ""
    return re.compile(head + re.escape(w) + tail, re.I)


_AREA_PATTERNS = [(_word_pattern(w), area) for area, words in ROLE_AREAS.items() for w in words]
_SUBJECT_FILLER = re.compile(
    r"\b(?:years?|of|in|as|professional|relevant|related|experience|work|working|hands-on|proven|at least|"
    r"minimum|plus|the|a|an|and|or|including|similar|field)\b|工作|经验|相关|从业|行业|企业|以上|年|及|或|等|类|专业",
    re.I)


def role_terms(text: str) -> tuple[set[str], set[str]]:
    """(fields of work named in ``text``, its remaining content words) for years-of-what and major checks."""
    areas = {area for pat, area in _AREA_PATTERNS if pat.search(text or "")}
    rest = _SUBJECT_FILLER.sub(" ", text or "")
    words = {w.lower() for w in re.split(r"[\s,，、/;；()（）:：·\-]+", rest) if len(w) >= 2}
    return areas, words
