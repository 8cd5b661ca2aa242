"""The two document benchmarks run end to end on a tiny self-written set in the dev set's schema and print the
scorer's JSON (last line of stdout)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from benchmarks import job_matching, resume_parsing

SCORING = resume_parsing.SCORING_DIR
pytestmark = pytest.mark.skipif(not (SCORING / "score_resumes.py").exists(), reason="dev-set scorers not present")

RESUME_EN = """Jordan Avery
jordan.avery@example.org | (312) 555-0142 | Chicago, IL

SUMMARY
Backend developer with 6 years of experience building payment services.

EXPERIENCE
Backend Engineer — Northwind Ledger Inc
Jan 2021 – Present
- Cut settlement time from 4 hours to 20 minutes
- Led a team of 4 engineers

Software Developer — Bluefin Systems LLC
Jun 2019 – Dec 2020

EDUCATION
Lakeshore University, B.S. in Computer Science, 2015 – 2019

SKILLS
Python, Go, PostgreSQL, Redis
"""

RESUME_ZH = """# 陈明远
手机：139-0000-1234 ｜ 邮箱：chen.mingyuan@example.cn ｜ 现居：杭州

## 工作经历
**杭州青木数据科技有限公司** — 数据分析师
2020.07 – 至今
- 搭建销售看板，报表耗时由3天缩短至半天

## 教育背景
浙东理工大学 · 统计学 · 本科 · 2016.09 – 2020.06

## 技能
SQL、Python、Tableau
"""

JOB_EN = """Backend Engineer

Requirements
- Minimum 5 years writing server-side services
- Python or Go

Nice to have
- Redis
"""


def _resume_set(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "resumes"
    folder.mkdir()
    (folder / "a1.txt").write_text(RESUME_EN, encoding="utf-8")
    (folder / "a2.md").write_text(RESUME_ZH, encoding="utf-8")
    labels = {"as_of": "2026-11", "resumes": {
        "a1.txt": {"name": "Jordan Avery", "email": "jordan.avery@example.org", "phone": "(312) 555-0142",
                   "phone_normalized": "+13125550142", "city": "Chicago, IL", "years_experience": 6,
                   "team_size_led": 4, "skills": ["Python", "Go", "PostgreSQL", "Redis"], "languages": [],
                   "quantified_results": ["Cut settlement time from 4 hours to 20 minutes"],
                   "education": [{"school": "Lakeshore University", "degree_level": "bachelor"}],
                   "experience": [{"company": "Northwind Ledger Inc", "title": "Backend Engineer",
                                   "start": "2021-01", "end": "present"},
                                  {"company": "Bluefin Systems LLC", "title": "Software Developer",
                                   "start": "2019-06", "end": "2020-12"}],
                   "language": "en", "format": "TXT"},
        "a2.md": {"name": "陈明远", "email": "chen.mingyuan@example.cn", "phone": "139-0000-1234",
                  "phone_normalized": "+8613900001234", "city": "杭州", "years_experience": 6, "team_size_led": None,
                  "skills": ["SQL", "Python", "Tableau"], "languages": [],
                  "quantified_results": ["报表耗时由3天缩短至半天"],
                  "education": [{"school": "浙东理工大学", "degree_level": "bachelor"}],
                  "experience": [{"company": "杭州青木数据科技有限公司", "title": "数据分析师", "start": "2020-07",
                                  "end": "present"}],
                  "language": "zh", "format": "TXT"}}}
    path = tmp_path / "resume_labels.json"
    path.write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    return folder, path


def _last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_resume_benchmark_prints_the_scorers_json(tmp_path, capsys):
    folder, labels = _resume_set(tmp_path)
    preds = tmp_path / "profiles.json"
    assert resume_parsing.main(["--resumes", str(folder), "--labels", str(labels),
                                "--predictions", str(preds)]) == 0
    report = _last_json(capsys.readouterr().out)
    for key in ("f1", "precision", "recall", "fields", "per_language", "per_format"):
        assert key in report
    assert report["benchmark"]["resumes"] == 2 and report["benchmark"]["resumes_per_minute_per_core"] > 0
    profiles = json.loads(preds.read_text(encoding="utf-8"))
    assert profiles["a1.txt"]["email"] == "jordan.avery@example.org"
    assert profiles["a2.md"]["name"] == "陈明远"


def test_job_benchmark_prints_the_scorers_json(tmp_path, capsys):
    folder, _ = _resume_set(tmp_path)
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    (jobs / "b1_en.txt").write_text(JOB_EN, encoding="utf-8")
    labels = {"as_of": "2026-11", "jobs": {"b1_en.txt": {
        "must_have": [{"id": "M1", "core": True, "text": "Minimum 5 years writing server-side services"},
                      {"id": "M2", "core": False, "text": "Python or Go"}],
        "nice_to_have": [{"id": "N1", "text": "Redis"}]}},
        "matches": {"b1_en.txt": {
            "a1.txt": {"relation": "strong", "must_have_met": ["M1", "M2"], "must_have_missed": []},
            "a2.md": {"relation": "partial", "must_have_met": ["M2"], "must_have_missed": ["M1"]}}}}
    label_path = tmp_path / "job_labels.json"
    label_path.write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    preds = tmp_path / "matching.json"
    assert job_matching.main(["--jobs", str(jobs), "--resumes", str(folder), "--labels", str(label_path),
                              "--predictions", str(preds), "--no-embedder"]) == 0
    report = _last_json(capsys.readouterr().out)
    for key in ("must_have_precision", "must_have_recall", "spearman", "spearman_normalized", "pairwise_accuracy",
                "strong_first_rate", "verdict_agreement"):
        assert key in report
    written = json.loads(preds.read_text(encoding="utf-8"))
    assert sorted(written["rankings"]["b1_en.txt"]) == ["a1.txt", "a2.md"]
    assert written["requirements"]["b1_en.txt"]["must_have"]


async def test_model_path_at_a_url_counts_what_the_model_filled_and_what_the_text_refused(tmp_path, capsys,
                                                                                          fake_openai):
    folder, labels = _resume_set(tmp_path)
    preds = tmp_path / "profiles.json"
    fake_openai.reply_content = json.dumps({"name": "Jordan Avery", "city": "Chicago"})  # the same for both resumes
    args = ["--resumes", str(folder), "--labels", str(labels), "--predictions", str(preds), "--path", "model",
            "--llm-engine", fake_openai.base_url, "--model-gaps", "header"]
    assert await asyncio.to_thread(resume_parsing.main, args) == 0  # the benchmark blocks; the server is on this loop
    model = _last_json(capsys.readouterr().out)["benchmark"]["model"]
    assert model["asked"] == {"header": 2} and model["values_refused"] == 2 and model["failed_calls"] == {}
    profiles = json.loads(preds.read_text(encoding="utf-8"))
    assert (profiles["a1.txt"]["name"], profiles["a1.txt"]["city"]) == ("Jordan Avery", "Chicago")
    assert (profiles["a2.md"]["name"], profiles["a2.md"]["city"]) == (None, None)  # not in that resume: dropped
