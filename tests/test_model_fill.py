"""The language model filling the gaps the rule-based readers leave in a resume or a job description: against the
scripted server (values the text does not contain dropped, schema violations asked again, an engine that is down
leaving the rules' result), and once against the real embedded engine."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
import pytest_asyncio

from analyzers.documents.job_requirements import extract_requirements
from analyzers.documents.model_fill import FillReport, fill_profile, fill_requirements, requirements_unsure
from analyzers.documents.resume_parser import parse_text
from analyzers.llm_client import LlmClient, LlmEndpoint
from analyzers.llm_engine import start_embedded_engine
from analyzers.model_registry import JUDGE_MODEL_ID, ModelManager
from server.platform.settings import Settings
from tests.harness import running_server

TODAY = dt.date(2026, 11, 1)
# The work history is told in sentences, and the city is one the rules' list does not hold: the rules find the
# name, the education and the skills, but no job, no years and no city.
PROSE_RESUME = """Morgan Ellery Vance
morgan.vance@example.org | +44 20 7946 0958 | Leeds

About me
I have spent my career in analytics. From March 2019 to June 2023 I was a data analyst at Harrowgate Freight Ltd,
and since July 2023 I have been the senior analyst at Pellmore Insurance.

Study
BSc Mathematics, University of Kestrel, 2015 - 2019

Tools: SQL, Python, Tableau
"""
# Headings in words the rules do not know.
OWN_WORDS_JD = """Data Analyst at Pellmore
Your day
- Build dashboards in Power BI for the claims team
Things we cannot do without
- 3+ years of SQL
- A bachelor's degree in statistics or mathematics
Extras we would enjoy
- Tableau
What we give back
- 30 days of holiday and a pension
"""
HEADED_JD = """Data Analyst
Requirements:
- 3+ years of SQL
Nice to have:
- Tableau
"""


def client_for(srv) -> LlmClient:
    return LlmClient(LlmEndpoint(srv.base_url, "reader"), timeout_s=5)


def job(company: str, title: str, start: str, end: str) -> dict:
    return {"company": company, "title": title, "start": start, "end": end}


@pytest.fixture
def rules_profile():
    profile = parse_text(PROSE_RESUME, today=TODAY)
    assert profile.name and profile.education and profile.skills  # what the rules do find
    assert not profile.work_experience and profile.years_experience is None and profile.city is None
    return profile


@pytest.mark.unit
async def test_the_model_fills_only_the_gaps_and_values_not_in_the_text_are_dropped(fake_openai, rules_profile):
    fake_openai.scripted = [
        json.dumps({"name": "Morgan Vance-Smith", "city": "Leeds"}),
        json.dumps({"jobs": [job("Harrowgate Freight Ltd", "DATA ANALYST", "March 2019", "June 2023"),
                             job("Globex Holdings", "analyst", "2017", "2019"),  # not in the resume
                             job("Pellmore Insurance", "senior analyst", "July 2023", ""),
                             job("University of Kestrel", "BSc Mathematics", "2015", "2019")]}),  # a school
    ]
    filled, report = await fill_profile(client_for(fake_openai), rules_profile, today=TODAY)
    assert report.asked == ["header", "experience"]  # education and skills were found by the rules
    assert filled.name == rules_profile.name  # the rules' name stands; the model's is not asked for
    assert filled.city.value == "Leeds"
    assert [(w.company.value, w.title.value, w.start, w.end) for w in filled.work_experience] == [
        ("Harrowgate Freight Ltd", "data analyst", "2019-03", "2023-06"),  # the resume's own spelling
        ("Pellmore Insurance", "senior analyst", "2023-07", None)]
    assert filled.years_experience.value == pytest.approx(4.33)  # March 2019 to June 2023, summed as the rules do
    assert report.refused == 1 and "experience" in report.filled
    assert filled.education == rules_profile.education and filled.skills == rules_profile.skills


@pytest.mark.unit
async def test_a_reply_that_violates_the_schema_is_asked_again(fake_openai, rules_profile):
    fake_openai.scripted = [json.dumps({"name": "Morgan Ellery Vance"}),  # no city: not the schema
                            json.dumps({"name": "", "city": "Leeds"}),
                            json.dumps({"jobs": []})]
    filled, report = await fill_profile(client_for(fake_openai), rules_profile, today=TODAY)
    assert len(fake_openai.requests) == 3 and filled.city.value == "Leeds"
    assert fake_openai.requests[0]["response_format"]["json_schema"]["name"] == "HeaderReply"
    assert report.failed == []


@pytest.mark.unit
async def test_with_the_engine_down_the_rules_result_stands(fake_openai, rules_profile):
    fake_openai.mode = "http500"
    filled, report = await fill_profile(client_for(fake_openai), rules_profile, today=TODAY)
    assert filled == rules_profile and report.failed == ["header", "experience"]
    for no_engine in (None, LlmClient()):  # no model, or one still starting: nothing is asked
        assert await fill_profile(no_engine, rules_profile) == (rules_profile, FillReport())
    reqs = extract_requirements(OWN_WORDS_JD)
    assert (await fill_requirements(client_for(fake_openai), OWN_WORDS_JD, reqs))[0] == reqs


def odds_of_heading(must_heading: str, nice_heading: str):
    """The scripted model's odds of "yes": high for the given heading of each kind, low for every other line."""
    def odds(body: dict) -> dict[str, float]:
        asked = body["messages"][-1]["content"]
        heading = must_heading if "must meet" in asked else nice_heading
        return {"yes": 0.8, "no": 0.2} if f"Heading: {heading}" in asked else {"yes": 0.1, "no": 0.9}
    return odds


@pytest.mark.unit
async def test_the_model_names_the_headings_and_the_rules_read_the_description_with_them(fake_openai):
    reqs = extract_requirements(OWN_WORDS_JD)
    assert requirements_unsure(OWN_WORDS_JD, reqs)
    fake_openai.odds_for = odds_of_heading("Things we cannot do without", "Extras we would enjoy")
    filled, report = await fill_requirements(client_for(fake_openai), OWN_WORDS_JD, reqs)
    asked = [r["messages"][-1]["content"] for r in fake_openai.requests]
    assert any("Heading: Things we cannot do without\nThe line after it: - 3+ years of SQL" in a for a in asked)
    assert {"SQL", "bachelor"} <= {r.value for r in filled.must_haves}
    assert [r.value for r in filled.nice_to_haves] == ["Tableau"]
    assert not any("Power BI" in r.line or "holiday" in r.line for r in filled.requirements)  # duties, benefits
    assert report.filled == ["requirements"] and report.asked == ["must_heading", "nice_heading"]


@pytest.mark.unit
async def test_with_no_heading_the_model_is_sure_of_the_rules_reading_stands(fake_openai):
    reqs = extract_requirements(OWN_WORDS_JD)
    fake_openai.odds_for = odds_of_heading("(none)", "Extras we would enjoy")
    filled, report = await fill_requirements(client_for(fake_openai), OWN_WORDS_JD, reqs)
    assert filled == reqs and report.filled == []


@pytest.mark.unit
async def test_a_description_the_rules_read_by_its_headings_is_not_sent(fake_openai):
    reqs = extract_requirements(HEADED_JD)
    filled, report = await fill_requirements(client_for(fake_openai), HEADED_JD, reqs)
    assert filled == reqs and report.asked == [] and fake_openai.requests == []


@pytest.mark.unit
async def test_a_bulk_import_stores_what_the_model_found_when_it_is_ready(fake_openai, sqlite_url, tmp_path):
    from tests.test_imports import finished, start

    fake_openai.scripted = [json.dumps({"name": "", "city": "Leeds"}),
                            json.dumps({"jobs": [job("Pellmore Insurance", "senior analyst", "July 2023", "")]})]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("vance.txt", PROSE_RESUME.encode())
    async with running_server(sqlite_url, tmp_path, llm_engine=fake_openai.base_url, llm_model="reader") as h, \
            h.hr_client() as http:
        run = await finished(http, (await start(http, h.job_id, ("cvs.zip", buf.getvalue(), "application/zip")))["id"])
        assert run["created"] == 1, run
        (resume, candidate), = await h.ctx.store.matching.resumes(h.job_id)
    assert candidate.name == "Morgan Ellery Vance" and resume.profile["city"]["value"] == "Leeds"
    assert [w["company"]["value"] for w in resume.profile["work_experience"]] == ["Pellmore Insurance"]
    assert len(fake_openai.requests) == 2


# ------------------------------------------------------------------------------------------------ the real engine


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def real_client():
    engine = await start_embedded_engine(ModelManager(Settings().resolved_model_cache_dir), JUDGE_MODEL_ID)
    try:
        yield LlmClient(engine.endpoint, timeout_s=240)
    finally:
        await engine.stop()


@pytest.mark.models
@pytest.mark.asyncio(loop_scope="module")
async def test_real_model_finds_the_jobs_told_in_sentences(real_client):
    profile = parse_text(PROSE_RESUME, today=TODAY)
    filled, report = await fill_profile(real_client, profile, today=TODAY)
    companies = [w.company.value for w in filled.work_experience]
    assert "Harrowgate Freight Ltd" in companies, report
    assert all(c in PROSE_RESUME for c in companies)  # nothing shown that the resume does not say
    assert filled.years_experience is not None and filled.years_experience.value >= 4, report


@pytest.mark.models
@pytest.mark.asyncio(loop_scope="module")
async def test_real_model_finds_the_requirements_under_headings_in_its_own_words(real_client):
    reqs = extract_requirements(OWN_WORDS_JD)
    filled, report = await fill_requirements(real_client, OWN_WORDS_JD, reqs)
    assert report.filled == ["requirements"], report
    assert "SQL" in {r.value for r in filled.must_haves}, filled
    assert not any("holiday" in r.line for r in filled.requirements), filled  # benefits are not requirements


@pytest.mark.unit
async def test_a_job_created_on_the_hr_page_keeps_the_sections_the_model_recognised(fake_openai, sqlite_url, tmp_path):
    fake_openai.odds_for = odds_of_heading("Things we cannot do without", "Extras we would enjoy")
    body = {"title": "Data Analyst", "description": OWN_WORDS_JD, "library_plan": "software-engineer"}
    async with running_server(sqlite_url, tmp_path, llm_engine=fake_openai.base_url, llm_model="reader") as h, \
            h.hr_client() as http:
        async with http.post("/api/v1/jobs/from-description", json=body) as r:
            assert r.status == 201
            created = await r.json()
        assert created["read_by"] == "model"
        must = {str(x["value"]) for x in created["requirements"]["requirements"] if x["must_have"]}
        assert {"SQL", "bachelor"} <= must
        # the model's reading is the job's saved set, so the requirements page shows the same later
        async with http.get(f"/api/v1/jobs/{created['job']['id']}/requirements") as r:
            later = await r.json()
        assert {str(x["value"]) for x in later["requirements"] if x["must_have"]} == must
        # a description whose headings the rules know is not sent to the model
        asked = len(fake_openai.requests)
        async with http.post("/api/v1/jobs/from-description", json={**body, "description": HEADED_JD}) as r:
            assert (await r.json())["read_by"] == "rules"
        assert len(fake_openai.requests) == asked
