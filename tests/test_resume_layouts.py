"""Resumes in layouts the parser's own fixtures do not use, written by other tools (python-docx, reportlab) or by
hand: each test asserts the fields a recruiter would see."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from analyzers.documents.job_requirements import extract_requirements
from analyzers.documents.resume_parser import parse_resume, parse_text

AS_OF = dt.date(2026, 11, 1)


def _roles(profile) -> list[tuple[str, str | None, str | None, str | None]]:
    return [(w.company.value, w.title.value if w.title else None, w.start, w.end) for w in profile.work_experience]


def test_docx_contact_in_page_header_and_roles_in_a_table():
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "电话：186-0000-5521 ｜ 邮箱：lu.qingshan@example.cn ｜ 现居：宁波"
    d.add_paragraph("陆青山")
    d.add_paragraph("工作经历")
    t = d.add_table(rows=3, cols=3)
    for r, row in enumerate([("时间", "公司", "职位"), ("2020年3月—至今", "宁波海曙恒远物流有限公司", "仓储经理"),
                             ("2015年7月—2020年2月", "宁波北仑港通仓储有限公司", "仓库组长")]):
        for c, value in enumerate(row):
            t.cell(r, c).text = value
    d.add_paragraph("技能")
    d.add_paragraph("WMS、Excel（数据透视表、VLOOKUP）、叉车管理")
    buf = io.BytesIO()
    d.save(buf)
    p = parse_resume(buf.getvalue(), "lu.docx", today=AS_OF)
    assert p.mobile.value == "+8618600005521" and p.email.value == "lu.qingshan@example.cn"
    assert _roles(p) == [("宁波海曙恒远物流有限公司", "仓储经理", "2020-03", "present"),
                         ("宁波北仑港通仓储有限公司", "仓库组长", "2015-07", "2020-02")]
    assert int(p.years_experience.value) == 11  # 2015-07 .. 2026-11, months inclusive


def test_docx_text_box_is_read():
    docx = pytest.importorskip("docx")
    from docx.oxml import parse_xml

    d = docx.Document()
    d.add_paragraph("Priya Natarajan")
    box = ('<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
           'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
           'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
           'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><w:drawing><wp:anchor><a:graphic>'
           '<a:graphicData><wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>priya.n@example.org</w:t></w:r></w:p>'
           '</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>')
    d.paragraphs[0]._p.append(parse_xml(box))
    d.add_paragraph("Experience")
    d.add_paragraph("Data Analyst, Fernhill Analytics Ltd  Jan 2022 – Present")
    buf = io.BytesIO()
    d.save(buf)
    p = parse_resume(buf.getvalue(), "priya.docx", today=AS_OF)
    assert p.email.value == "priya.n@example.org"
    assert _roles(p) == [("Fernhill Analytics Ltd", "Data Analyst", "2022-01", "present")]


def test_markdown_resume_with_skills_before_work_and_company_headings():
    text = """# Oskar Lindqvist

**Line Cook** · Duluth, MN · (218) 555-0177 · oskar.l@example.com

## Skills

| Area | Tools |
|---|---|
| Kitchen | Sous vide, Butchery |

## Experience

### Harbor Street Bistro — Sous Chef
*Apr 2021 – present*

- Cut food waste by 20% with a par-level sheet

### Harbor Street Bistro — Line Cook
*Jun 2018 – Mar 2021*

*Career break, Jan 2018 – May 2018: travelled.*
"""
    p = parse_text(text, today=AS_OF)
    assert _roles(p) == [("Harbor Street Bistro", "Sous Chef", "2021-04", "present"),
                         ("Harbor Street Bistro", "Line Cook", "2018-06", "2021-03")]
    assert {"Sous vide", "Butchery"} <= {s.value for s in p.skills}


def test_one_company_heading_with_two_dated_roles_and_remarks():
    text = """张子墨
工作经历
杭州云帆智能科技有限公司（外资） 2019.03—至今
负责总账与报表,年营收约3亿元
财务经理 2022.01—至今
总账会计 2019.03—2021.12
南京青禾软件有限公司上海分公司 出纳（兼职，周末） 2017.05—2019.02
"""
    p = parse_text(text, today=AS_OF)
    roles = _roles(p)
    assert ("杭州云帆智能科技有限公司", "财务经理", "2022-01", "present") in roles
    assert ("杭州云帆智能科技有限公司", "总账会计", "2019-03", "2021-12") in roles
    assert ("南京青禾软件有限公司", "出纳", "2017-05", "2019-02") in roles
    assert len(roles) == 3
    assert next(w for w in p.work_experience if w.title.value == "出纳").kind == "part_time"


@pytest.mark.parametrize("line,start,end", [
    ("Data Engineer, Quillmark Systems  Sept. 2019 – Present", "2019-09", "present"),
    ("Data Engineer, Quillmark Systems  03/2020 - now", "2020-03", "present"),
    ("Data Engineer, Quillmark Systems  Mar 2021 to date", "2021-03", "present"),
    ("Data Engineer, Quillmark Systems  May–Aug 2025", "2025-05", "2025-08"),
    ("Data Engineer, Quillmark Systems  since 2020", "2020", "present"),
    ("数据工程师 | 启明数据科技有限公司 | 2016年7月至2018年8月", "2016-07", "2018-08"),
    ("2022/04 – 至今  启明数据科技有限公司  数据工程师", "2022-04", "present"),
])
def test_date_styles(line, start, end):
    p = parse_text(f"Experience\n{line}\n", today=AS_OF)
    (w,) = p.work_experience
    assert (w.start, w.end) == (start, end)


def test_stated_years_win_and_internships_do_not_count():
    stated = parse_text("Summary\nNine years in customer operations.\nExperience\n"
                        "Analyst, Brightwell Bank  Jan 2024 – Present\n", today=AS_OF)
    assert stated.years_experience.value == 9
    computed = parse_text("Experience\nAnalyst, Brightwell Bank  Jan 2024 – Oct 2026\n"
                          "Analyst Intern, Brightwell Bank  Jan 2022 – Dec 2023\n", today=AS_OF)
    assert int(computed.years_experience.value) == 2


def test_two_column_pdf_reads_each_column_whole():
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    left = ["CONTACT", "Leeds, UK", "+44 113 496 0123", "mara.holt@example.org", "SKILLS", "Figma", "SQL"]
    right = ["Mara Holt", "EXPERIENCE", "Product Designer, Gullwing Apps Ltd", "Feb 2021 - Present",
             "Raised activation from 31% to 44% in six months.", "Junior Designer, Tern Studio",
             "Jul 2018 - Jan 2021"]
    for i in range(max(len(left), len(right))):
        y = 800 - 18 * i
        if i < len(left):
            c.drawString(40, y, left[i])
        if i < len(right):
            c.drawString(240, y, right[i])
    c.save()
    p = parse_resume(buf.getvalue(), "mara.pdf", today=AS_OF)
    assert p.email.value == "mara.holt@example.org"
    assert _roles(p) == [("Gullwing Apps Ltd", "Product Designer", "2021-02", "present"),
                         ("Tern Studio", "Junior Designer", "2018-07", "2021-01")]
    assert {"Figma", "SQL"} <= {s.value for s in p.skills}


def test_job_headings_alternatives_and_company_lines():
    jd = """Data Platform Engineer
Fernhill Analytics Ltd | Glasgow | £55,000-£65,000

About us
We are a team of 40 and we run 3 data centres.

Must-have requirements
- 3+ years building data pipelines
- Java or Go
- Experience with streaming systems (Kafka, Pulsar or Kinesis)

Bonus points
- Terraform

Benefits
- 30 days' leave
"""
    reqs = extract_requirements(jd)
    must_lines = {r.line for r in reqs.must_haves}
    assert must_lines == {"3+ years building data pipelines", "Java or Go",
                          "Experience with streaming systems (Kafka, Pulsar or Kinesis)"}
    (lang,) = [r for r in reqs.requirements if r.value == "Java"]
    assert lang.alternatives == ["Go"] and lang.must_have
    assert {r.line for r in reqs.nice_to_haves} == {"Terraform"}
    zh = extract_requirements("""数据分析师
杭州启明数据科技有限公司 ｜ 杭州 ｜ 15-20K
【岗位职责】
1. 负责经营分析
【任职要求】
1）2年以上数据分析工作经验；
2）熟练使用MySQL或PostgreSQL；
【加分项】
· 熟悉Tableau；
工作地址：杭州市西湖区
""")
    assert {r.line for r in zh.must_haves} == {"2年以上数据分析工作经验", "熟练使用MySQL或PostgreSQL"}
    assert {r.line for r in zh.nice_to_haves} == {"熟悉Tableau"}
