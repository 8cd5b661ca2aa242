"""Quantified results quoted as a recruiter would underline them: the number and what it measures, nothing of the
sentence around it, and never a team size, a span of years, a date, a phone number, a version or an identifier."""

from __future__ import annotations

import pytest

from analyzers.documents.resume_measures import quantified_results


def spans(*lines: str) -> list[str]:
    return [r.value for r in quantified_results(lines)]


@pytest.mark.parametrize("line, expected", [
    # a count with its noun after it stands alone; the bullet's verb is not part of it
    ("- Wrote 45 technical articles for the company blog", ["45 technical articles"]),
    ("- Migrated 14 legacy services to Kubernetes in 2022", ["14 legacy services"]),
    ("• Inspected 35 km of gas main", ["35 km of gas main"]),
    # a bare amount or rate takes what it measures from before it, without the bullet's verb ...
    ("- Maintained uptime at 99.95% through two data-centre moves", ["uptime at 99.95%"]),
    ("- Own an operating budget of $3.1M", ["operating budget of $3.1M"]),
    # ... unless the verb is the change the number measures
    ("- Lowered ticket backlog by 40% with a triage rota", ["Lowered ticket backlog by 40%"]),
    ("- Saved $1.5M annually by renegotiating vendor contracts", ["Saved $1.5M annually"]),
    # an amount standing alone keeps what follows "in"
    ("Record: $75M in closed enterprise deals, two patents", ["$75M in closed enterprise deals"]),
    # a preposition before the number: the measure starts at the number
    ("- Brought the depot rebuild in 8% under its $12M budget", ["8% under its $12M budget"]),
    ("- Drafted the tender for a $9M library extension", ["$9M library extension"]),
    ("- Cashed cheques of up to $15,000 per customer", ["up to $15,000 per customer"]),
    # a participle just before the number says what it measures
    ("- Built a booking API serving 3 million requests a day", ["serving 3 million requests a day"]),
    ("- Wrote style guides, now used by 9 newsrooms.", ["used by 9 newsrooms"]),
    # "from A to B" with its subject, thousands separators inside
    ("- Grew paid readers from 12,500 to 40,000 in two years", ["paid readers from 12,500 to 40,000"]),
    ("- Cut the average claim cycle from 20 days to 6 days", ["claim cycle from 20 days to 6 days"]),
    # a zero claim starts at the zero
    ("- Zero safety incidents across 400,000 labour hours", ["Zero safety incidents across 400,000 labour hours"]),
    # hyphenated counts ("5-star", "9-week") are quantities
    ("- Kept a 4-star guest rating for three seasons", ["4-star guest rating"]),
])
def test_english_spans(line, expected):
    assert spans(line) == expected


@pytest.mark.parametrize("line, expected", [
    # clauses end at sentence stops, colons, table cells and "with" between two results
    ("- Processed 2,500 claims a month with a 0.4% error rate", ["2,500 claims a month", "0.4% error rate"]),
    ("Impact: 60% fewer outages. Raised NPS from 31 to 55", ["60% fewer outages", "NPS from 31 to 55"]),
    ("滨江二期 | 合同额4.8亿元 | 技术负责人 | 2019.4–2021.8", ["合同额4.8亿元"]),
    # "and" between two kinds of one count does not split it; "and" before a verb does
    ("- Advised 12 retail and wholesale clients on pricing", ["12 retail and wholesale clients"]),
    ("- Led a team of 8 engineers and cut deploy time by 50%", ["cut deploy time by 50%"]),
])
def test_clause_boundaries(line, expected):
    assert spans(line) == expected


@pytest.mark.parametrize("line, expected", [
    ("- 负责华东区销售，年销售额达1.2亿元", ["年销售额达1.2亿元"]),
    ("- 主导库存系统升级，周转天数由45天降至30天", ["周转天数由45天降至30天"]),
    # frequency and object stay with a number whose counter names nothing ("张", "人次")
    ("- 负责费用审核，每月复核发票约900张", ["每月复核发票约900张"]),
    # a count with its noun after it stands alone after 约
    ("- 支持华南区约300家门店的日常运营", ["约300家门店"]),
    # the step before the result is not part of it
    ("- 会员体系改版后复购率提升12%", ["复购率提升12%"]),
    ("- 独立撰写测试报告40余份", ["撰写测试报告40余份"]),
    ("- 完成回款额约2,600万元", ["回款额约2,600万元"]),
    # Chinese numerals before a counter, and a streak of years
    ("- 申请发明专利两项", ["申请发明专利两项"]),
    ("- 连续两年获评优秀员工", ["连续两年获评优秀员工"]),
    # a standard named before the number is context, not the measure
    ("- 依据 ISO 14001 整改隐患 85 处", ["整改隐患 85 处"]),
])
def test_chinese_spans(line, expected):
    assert spans(line) == expected


@pytest.mark.parametrize("line", [
    "- 从事人力资源工作8年，熟悉劳动法",                  # years of work
    "- 其中5年负责大客户结算",                           # a span of years
    "- Over 10 years of experience in retail banking",
    "- 带领12名客服专员处理投诉",                         # a team led
    "- Taught 3 courses to 120 students per term",       # people taught
    "- 推行5S与目视化管理",                               # a method's name
    "- Certified in ISO 27001 and ITIL 4",               # identifiers and versions
    "- 将前端从 Vue 2 迁移到 React",
    "- Call me at (415) 555-0134 or 020 7946 0012",      # phone numbers
    "138 0000 4521 | jane@example.com | 杭州",
    "Northwind Freight | Analyst | Mar 2018 – Jun 2021",  # a role's header
    "Harbor Labs AI May–Aug 2025",
    "- 带教实习生6名",                                     # mentoring
    "- Run a crew of 30, 6 of them shift leads",          # people
])
def test_not_results(line):
    assert spans(line) == []


def test_a_bracket_closed_outside_the_span_is_left_out():
    assert spans("Side project: a Markdown linter (2,300 GitHub stars).") == ["2,300 GitHub stars"]
