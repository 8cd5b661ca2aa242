"""Resumes and job descriptions written for no rule of the parser (tests/fixtures/blind_documents: nursing, law,
data science, sales, physiotherapy and teaching; a DOCX in tables, reportlab PDFs, Markdown, text with decorated
headings; headings such as "Teaching History", "执业经历", "Essential criteria", "如果你还有这些，更好"): the fields a
recruiter reads first must come out of each of them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from analyzers.documents.job_requirements import extract_requirements
from analyzers.documents.resume_parser import parse_resume

BLIND = Path(__file__).parent / "fixtures" / "blind_documents"
AS_OF = dt.date(2026, 11, 1)
RESUME_LABELS = json.loads((BLIND / "resumes" / "labels.json").read_text(encoding="utf-8"))["resumes"]
JOB_LABELS = json.loads((BLIND / "jobs" / "labels.json").read_text(encoding="utf-8"))["jobs"]


@pytest.mark.parametrize("name", sorted(RESUME_LABELS))
def test_key_fields_of_a_blind_resume(name):
    label = RESUME_LABELS[name]
    p = parse_resume((BLIND / "resumes" / name).read_bytes(), name, today=AS_OF)
    assert p.name.value.casefold() == label["name"].casefold()
    assert p.email.value == label["email"]
    roles = [(w.company.value, w.title.value if w.title else None, w.start, w.end) for w in p.work_experience]
    assert roles == [(e["company"], e["title"], e["start"], e["end"]) for e in label["experience"]]
    kinds = [w.kind for w in p.work_experience]
    assert kinds == [e.get("type", "full_time") for e in label["experience"]]
    assert int(p.years_experience.value) == label["years_experience"]
    assert (p.team_size_led.value if p.team_size_led else None) == label["team_size_led"]


@pytest.mark.parametrize("name", sorted(JOB_LABELS))
def test_must_and_nice_under_unfamiliar_headings(name):
    reqs = extract_requirements((BLIND / "jobs" / name).read_text(encoding="utf-8"))
    lines = lambda items: {r.line or r.text for r in items}  # noqa: E731
    assert lines(reqs.must_haves) == {m["text"] for m in JOB_LABELS[name]["must_have"]}
    assert lines(reqs.nice_to_haves) == {n["text"] for n in JOB_LABELS[name]["nice_to_have"]}
