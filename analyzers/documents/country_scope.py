"""Requirements tied to one country ("熟悉中国企业会计准则", "US GAAP reporting", "UK employment law") and the
countries a resume's work is in.

A tax return, an accounting standard, a licence or a body of law is the same kind of work in every country and
reads alike to the sentence encoder ("UK VAT returns" ~ "增值税申报"), yet experience of one country's does not
meet a requirement for another's. So a requirement whose JD line names a country is only met or partly met by a
resume that names that country somewhere (a place, a city, the country's own institutions) — or names no country
at all, in which case nothing is decided here. A resume that names only other countries gets "missing", with the
countries in the reason.

Names are matched as whole words in English and as substrings in Chinese. A country's largest cities count as
the country: a Chinese resume says "上海" far more often than "中国". Language names ("Chinese", "Mandarin") do
not: they say what someone speaks, not where they worked.
"""

from __future__ import annotations

import re
from functools import lru_cache

# ISO 3166 region code -> the names that place a text in it (English whole words, Chinese substrings); pages name
# the region in their own language from the code
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "CN": ("China", "PRC", "P.R.C.", "中国", "国内", "大陆", "内地", "北京", "上海", "深圳", "广州",
              "杭州", "成都", "南京", "武汉", "西安", "苏州", "天津", "重庆", "Beijing", "Shanghai", "Shenzhen",
              "Guangzhou", "Hangzhou", "Chengdu", "Nanjing", "Wuhan", "Suzhou", "Tianjin", "Chongqing"),
    "HK": ("Hong Kong", "HKSAR", "香港"),
    "TW": ("Taiwan", "Taipei", "台湾", "台北"),
    "SG": ("Singapore", "新加坡"),
    "GB": ("UK", "U.K.", "United Kingdom", "Britain", "British", "England", "Scotland",
                       "London", "Manchester", "Edinburgh", "HMRC", "英国", "伦敦"),
    "US": ("US", "U.S.", "USA", "U.S.A.", "United States", "American", "New York",
                      "California", "San Francisco", "Seattle", "Chicago", "Boston", "IRS", "美国", "纽约", "硅谷"),
    "CA": ("Canada", "Canadian", "Toronto", "Vancouver", "加拿大", "多伦多", "温哥华"),
    "AU": ("Australia", "Australian", "Sydney", "Melbourne", "澳大利亚", "澳洲", "悉尼", "墨尔本"),
    "DE": ("Germany", "German", "Berlin", "Munich", "德国", "柏林", "慕尼黑"),
    "FR": ("France", "French", "Paris", "法国", "巴黎"),
    "JP": ("Japan", "Japanese", "Tokyo", "Osaka", "日本", "东京", "大阪"),
    "KR": ("Korea", "Korean", "Seoul", "韩国", "首尔"),
    "IN": ("India", "Indian", "Bangalore", "Bengaluru", "Mumbai", "印度"),
}
COUNTRY_EN: dict[str, str] = {"CN": "China", "HK": "Hong Kong", "TW": "Taiwan", "SG": "Singapore",
                              "GB": "the United Kingdom", "US": "the United States", "CA": "Canada", "AU": "Australia",
                              "DE": "Germany", "FR": "France", "JP": "Japan", "KR": "Korea", "IN": "India"}
"""The English name of each region code, for the API's English explanation (pages name regions themselves)."""
# adjectives that are also language names: they place a text in a country only before a word of law or money
# ("German GAAP", "French tax law"), never alone ("French (fluent)")
_LANGUAGE_LIKE = {"British", "American", "Canadian", "Australian", "German", "French", "Japanese", "Korean", "Indian"}
_INSTITUTION_AFTER = r"(?=\s+(?:GAAP|tax|taxes|law|laws|accounting|standards?|regulations?|payroll|VAT|market|clients?)\b)"


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    out = {}
    for country, names in COUNTRY_NAMES.items():
        parts = []
        for n in names:
            if re.search(r"[\u4e00-\u9fff]", n):
                parts.append(re.escape(n))
            elif n in _LANGUAGE_LIKE:
                parts.append(rf"(?<!\w){re.escape(n)}{_INSTITUTION_AFTER}")
            elif n.replace(".", "").isupper():  # acronyms: case-sensitive ("US", not "us")
                parts.append(rf"(?-i:(?<!\w){re.escape(n)}(?!\w))")
            else:
                parts.append(rf"(?<!\w){re.escape(n)}(?!\w)")
        out[country] = re.compile("|".join(parts), re.I)
    return out


def countries_named(text: str) -> set[str]:
    """The region codes of the countries a text names (see ``COUNTRY_NAMES``)."""
    return {c for c, p in _patterns().items() if p.search(text or "")}


def without_country(skill: str) -> str:
    """A skill's name without the country that scopes it ("中国增值税申报" -> "增值税申报", "US GAAP" -> "GAAP"): the
    country is checked on its own (``elsewhere_only``), and left in the name it only blurs the comparison with a
    resume's wording. The name is returned unchanged when nothing would be left."""
    out = skill
    for p in _patterns().values():
        out = p.sub(" ", out)
    out = re.sub(r"^\s*(?:的|'s)\s*", "", re.sub(r"\s+", " ", out)).strip(" ,，、")
    return out if len(out) >= 2 else skill


def elsewhere_only(requirement_line: str, resume_text: str) -> tuple[str, list[str]] | None:
    """(the country the requirement is tied to, the countries the resume names instead) when the requirement's line
    names exactly one country and the resume names countries but not that one; else None."""
    scope = countries_named(requirement_line)
    if len(scope) != 1:
        return None
    named = countries_named(resume_text)
    if not named or scope & named:
        return None
    return next(iter(scope)), sorted(named)
