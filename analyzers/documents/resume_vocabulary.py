"""The words and patterns the resume parser (analyzers/documents/resume_parser.py) recognises, in Chinese and
English: section headings, dates and date ranges, surnames, cities, job-title and company words, schools, degrees,
languages and industries. Extending what the parser understands usually starts here.
"""

from __future__ import annotations

import re

from analyzers.text.script import HAN

SECTIONS: dict[str, tuple[str, ...]] = {
    "education": ("教育背景", "教育经历", "教育", "学历", "学历背景", "education", "education background",
                  "academic background", "educational background", "academic history", "qualifications",
                  "education & qualifications", "education and training"),
    "experience": ("工作经历", "工作经验", "职业经历", "工作履历", "任职经历", "实习经历", "work experience",
                   "experience", "professional experience", "employment history", "work history", "career history",
                   "employment", "career", "工作背景", "从业经历", "experience 工作经历"),
    "projects": ("项目经历", "项目经验", "项目", "projects", "project experience", "key projects"),
    "skills": ("技能", "专业技能", "技能特长", "技术栈", "技术能力", "个人技能", "skills", "technical skills",
               "core skills", "core competencies", "skills & tools", "expertise", "技能与工具", "competencies",
               "key skills", "tools", "技能证书", "专业能力"),
    "certificates": ("证书", "资格证书", "证书与资质", "资质证书", "职业资格", "certificates", "certifications",
                     "certification", "licenses", "licenses & certifications", "licenses and certifications", "licences", "执业资格", "资格认证"),
    "languages": ("语言", "语言能力", "外语能力", "languages", "language", "language skills"),
    "summary": ("个人简介", "自我评价", "个人总结", "职业概述", "个人优势", "summary", "profile",
                "professional summary", "about me", "objective", "career objective", "about", "career summary",
                "个人概述", "概要", "个人优势"),
    "contact": ("个人信息", "基本信息", "联系方式", "contact", "personal information", "contact information",
                "personal details", "contact details"),
    "awards": ("荣誉奖项", "获奖情况", "获奖经历", "荣誉", "awards", "honors", "honours", "awards & honors",
               "achievements", "key achievements", "主要业绩", "工作业绩"),
}
HEADING = {k: sec for sec, keys in SECTIONS.items() for k in keys}

# Headings nobody listed above are still read by the words they are built on ("Teaching History", "Clinical
# Posts", "Where I've Worked", "Schooling", "执业经历", "学术背景", "专业领域"): an English heading by its words (the
# last one names the kind of section, an earlier qualifier such as "academic" or "project" overrides a generic
# "history"), a Chinese one by its ending, with a qualifier before it deciding between study, projects and work.
HEAD_WORDS_EN: dict[str, str] = {
    **{w: "experience" for w in ("experience", "experiences", "employment", "history", "posts", "positions", "roles",
                                 "appointments", "worked", "career", "jobs", "engagements")},
    **{w: "education" for w in ("education", "schooling", "training", "qualifications", "studies", "academic",
                                "academics", "degrees", "educational")},
    **{w: "skills" for w in ("skills", "skill", "strengths", "toolkit", "tools", "expertise", "competencies",
                             "abilities", "capabilities", "proficiencies", "technologies", "stack")},
    **{w: "languages" for w in ("languages", "language")},
    **{w: "summary" for w in ("summary", "profile", "snapshot", "overview", "objective", "introduction", "bio")},
    **{w: "certificates" for w in ("certifications", "certificates", "licences", "licenses", "credentials",
                                   "accreditations")},
    **{w: "awards" for w in ("awards", "honours", "honors", "achievements", "accomplishments")},
    **{w: "projects" for w in ("projects", "project", "portfolio")},
}
HEAD_ENDINGS_ZH: dict[str, str] = {
    **{w: "experience" for w in ("经历", "履历", "轨迹", "经验", "背景", "历程")},
    **{w: "skills" for w in ("技能", "工具", "领域", "专长", "特长", "技术栈")},
    **{w: "certificates" for w in ("证书", "资质", "资格")},
    **{w: "languages" for w in ("语言", "外语")},
    **{w: "summary" for w in ("评价", "简介", "概况", "概述", "介绍", "关于我", "优势")},
    **{w: "awards" for w in ("荣誉", "奖项", "业绩", "成果")},
}
HEAD_QUALIFIERS_ZH: dict[str, str] = {"学": "education", "教育": "education", "培训": "education", "院校": "education",
                                      "项目": "projects", "语言": "languages", "外语": "languages", "工作": "experience",
                                      "职业": "experience", "执业": "experience", "从业": "experience",
                                      "实习": "experience", "任职": "experience"}
STRIP = " \t#*■□●◆◇▶►▪•【】[]<>《》〈〉—–-=_|:：·~"

PRESENT = r"(?:至今|现在|目前|今|present|current|now|today|ongoing|(?:to )?date)"
MON = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|"
        r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
DATE = (rf"(?:{MON}\.?\s*,?\s*(?:19|20)\d{{2}}|(?:0?[1-9]|1[0-2])\s*/\s*(?:19|20)\d{{2}}|"
         rf"(?:19|20)\d{{2}}(?:\s*(?:[./\-]|年)\s*(?:0?[1-9]|1[0-2])(?!\d)\s*月?)?)")
RANGE_RE = re.compile(rf"({DATE})\s*(?:-|–|—|~|～|至|到|to|until|－)+\s*({DATE}|{PRESENT})", re.I)


def parse_date(s: str) -> str | None:
    s = s.strip().lower()
    if re.fullmatch(PRESENT, s, re.I):
        return "present"
    m = re.match(rf"({MON})\.?\s*,?\s*((?:19|20)\d{{2}})", s, re.I)
    if m:
        return f"{m.group(2)}-{MONTHS[m.group(1)[:3].lower()]:02d}"
    m = re.match(r"(\d{1,2})\s*/\s*((?:19|20)\d{2})", s)
    if m:
        return f"{m.group(2)}-{int(m.group(1)):02d}"
    m = re.match(r"((?:19|20)\d{2})(?:\s*(?:[./\-]|年)\s*(\d{1,2}))?", s)
    if m:
        return f"{m.group(1)}-{int(m.group(2)):02d}" if m.group(2) else m.group(1)
    return None


SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范"
    "金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂"
    "章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解"
    "牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎"
    "甄丛仲虞敖巩明佘池查麻苑迟邝"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "令狐", "尉迟", "公孙", "长孙", "夏侯")

CITIES_ZH = ("北京", "上海", "深圳", "广州", "杭州", "成都", "南京", "武汉", "西安", "苏州", "天津", "重庆", "长沙", "厦门",
              "青岛", "合肥", "郑州", "济南", "大连", "沈阳", "宁波", "福州", "无锡", "东莞", "珠海", "昆明", "哈尔滨", "香港",
              "台北", "长春", "南昌", "贵阳", "南宁", "石家庄", "太原", "佛山")
CITIES_EN = ("Beijing", "Shanghai", "Shenzhen", "Guangzhou", "Hangzhou", "Chengdu", "Nanjing", "Wuhan", "Xi'an",
              "Suzhou", "Hong Kong", "Singapore", "San Francisco", "New York", "Seattle", "Boston", "Austin", "Chicago",
              "Los Angeles", "London", "Toronto", "Vancouver", "Sydney", "Melbourne", "Berlin", "Paris", "Tokyo",
              "Denver", "Atlanta", "San Jose", "Palo Alto", "Mountain View", "Dublin", "Amsterdam", "Bangalore")

TITLE_WORDS = ("工程师", "经理", "总监", "主管", "专员", "设计师", "分析师", "架构师", "负责人", "顾问", "总裁", "助理", "科学家",
                "研究员", "组长", "主任", "实习生", "运营", "开发", "产品", "会计", "讲师", "教师", "律师", "销售", "CTO", "CEO",
                "CFO", "COO", "VP", "engineer", "manager", "director", "analyst", "designer", "developer", "lead",
                "head", "consultant", "architect", "scientist", "specialist", "officer", "president", "intern",
                "associate", "coordinator", "administrator", "accountant", "researcher", "programmer", "strategist",
                "executive", "representative", "owner", "founder", "partner", "teacher", "principal", "staff")
COMPANY_WORDS = ("公司", "集团", "科技", "有限", "银行", "网络", "技术", "股份", "研究院", "证券", "保险", "医院", "工作室", "事务所",
                  "inc", "ltd", "llc", "corp", "corporation", "group", "technologies", "technology", "bank", "labs",
                  "co.", "company", "gmbh", "plc", "limited", "systems", "solutions", "capital", "partners", "holdings",
                  "software", "networks", "studio", "studios", "health", "motors", "consulting", "hospital")
SCHOOL_RE = re.compile(
    rf"([{HAN}()（）]{{2,20}}?(?:大学|学院|学校|研究院|研究生院)(?:\([{HAN}]+\))?"
    r"|(?:[A-Z][\w.'&-]*\s+){0,5}(?:University|College|Institute|School|Polytechnic|Academy)"
    r"(?: (?:of|at|for) (?:[A-Z][\w.'&-]*)(?: (?:and )?[A-Z][\w.'&-]*){0,4})?)"
)
DEGREES = [
    ("phd", r"博士|ph\.?\s?d\.?|doctor(?:ate)?(?: of [a-z]+)?|d\.phil"),
    ("master", r"硕士|研究生|master(?:'s)?(?: of [a-z]+(?: [a-z]+)?)?|m\.?s\.?c?\.?(?![a-z])|m\.?eng\.?|m\.[a-z]{1,4}\.|mba|m\.?a\.?(?![a-z])"),
    ("bachelor", r"本科|学士|bachelor(?:'s)?(?: of [a-z]+(?: [a-z]+)?)?|b\.?b\.?a\.?(?![a-z])|b\.[a-z]{1,4}\.|b\.?s\.?c?\.?(?![a-z])|b\.?eng\.?|b\.?a\.?(?![a-z])"),
    ("associate", r"大专|专科|高职|associate(?:'s)? degree|associate of [a-z]+|a\.a\.s\.|a\.a\.|aas(?![a-z])|fda(?![a-z])"
                  r"|hnd(?![a-z])|foundation degree"),
]
LANGS = {
    "English": ("english", "英语", "英文"),
    "Mandarin": ("mandarin", "putonghua", "普通话", "chinese", "中文", "汉语", "国语"),
    "Cantonese": ("cantonese", "粤语", "广东话", "白话"),
    "Japanese": ("japanese", "日语", "日文"),
    "French": ("french", "法语"),
    "German": ("german", "德语"),
    "Spanish": ("spanish", "西班牙语"),
    "Korean": ("korean", "韩语"),
    "Russian": ("russian", "俄语"),
    "Portuguese": ("portuguese", "葡萄牙语"),
    "Italian": ("italian", "意大利语"),
    "Malay": ("malay", "bahasa melayu", "马来语"),
    "Polish": ("polish", "波兰语"),
    "Arabic": ("arabic", "阿拉伯语"),
    "Hindi": ("hindi", "印地语"),
    "Vietnamese": ("vietnamese", "越南语"),
    "Thai": ("thai", "泰语"),
    "Dutch": ("dutch", "荷兰语"),
    "Swedish": ("swedish", "瑞典语"),
    "Turkish": ("turkish", "土耳其语"),
    "Greek": ("greek", "希腊语"),
    "Hebrew": ("hebrew", "希伯来语"),
    "Indonesian": ("indonesian", "bahasa indonesia", "印尼语"),
    "Tagalog": ("tagalog", "filipino", "菲律宾语"),
    "Tamil": ("tamil", "泰米尔语"),
    "Urdu": ("urdu", "乌尔都语"),
    "Bengali": ("bengali", "bangla", "孟加拉语"),
    "Punjabi": ("punjabi", "旁遮普语"),
    "Persian": ("persian", "farsi", "波斯语"),
    "Swahili": ("swahili", "斯瓦希里语"),
    "Ukrainian": ("ukrainian", "乌克兰语"),
    "Czech": ("czech", "捷克语"),
    "Romanian": ("romanian", "罗马尼亚语"),
    "Hungarian": ("hungarian", "匈牙利语"),
    "Norwegian": ("norwegian", "挪威语"),
    "Danish": ("danish", "丹麦语"),
    "Finnish": ("finnish", "芬兰语"),
}
INDUSTRIES: dict[str, tuple[str, ...]] = {
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
