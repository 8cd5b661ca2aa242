"""A job from its pasted description over the HTTP API: the requirements read at once, one line re-read as HR types
it, the edited set saved; refused input gets a 4xx that names what is wrong and changes nothing."""

from __future__ import annotations

import os

from server.http.auth import hash_password
from server.recruiting import requirements as job_reqs
from tests.harness import running_server
from tests.runaway_calls import where_read

# self-written descriptions (English with "Must-have" / "Bonus points" headings, Chinese with 任职要求 / 加分项)
JD_EN = """Data Engineer
About us
We run the delivery platform of a regional grocery chain.
Must-have requirements
- 4+ years building data pipelines
- Python or Scala
- Fluent English
Bonus points
- Airflow
Benefits
- Free lunch on Fridays
"""
JD_ZH = """数据工程师
任职要求：
1. 3年以上数据开发经验
2. 熟悉 SQL
加分项：
1. 有 Spark 经验
"""


def _items(reqs: dict, must: bool) -> list[dict]:
    return [r for r in reqs["requirements"] if r["must_have"] is must]


async def _create(http, **fields) -> tuple[int, dict]:
    body = {"title": "Data Engineer", "description": JD_EN, "library_plan": "software-engineer", **fields}
    async with http.post("/api/v1/jobs/from-description", json=body) as r:
        return r.status, await r.json()


async def test_a_job_from_its_description_shows_its_requirements_at_once(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h, h.hr_client() as http:
        status, created = await _create(http)
        assert status == 201, created
        job, reqs = created["job"], created["requirements"]
        assert job["title"] == "Data Engineer" and job["language"] == "en" and job["description"] == JD_EN
        must = {(r["kind"], str(r["value"])) for r in _items(reqs, True)}
        assert ("years", "4.0") in must and ("language", "english") in must
        alternatives = next(r for r in _items(reqs, True) if r["kind"] == "skill" and r["value"] == "Python")
        assert alternatives["alternatives"] == ["Scala"]  # "Python or Scala": one requirement
        assert [r["value"] for r in _items(reqs, False)] == ["Airflow"]
        assert not any("lunch" in r["text"].lower() for r in reqs["requirements"])  # benefits are not requirements

        # the job is the organisation's, with the library plan's questions, and its requirements read the same later
        jobs = (await (await http.get("/api/v1/jobs")).json())["jobs"]
        assert job["id"] in {j["id"] for j in jobs}
        plan = await (await http.get(f"/api/v1/jobs/{job['id']}/plan?format=json")).json()
        assert plan["questions"]
        assert await (await http.get(f"/api/v1/jobs/{job['id']}/requirements")).json() == reqs

        # a Chinese description without a language: the interview is in Chinese
        status, created = await _create(http, title="数据工程师", description=JD_ZH)
        assert status == 201 and created["job"]["language"] == "zh"
        zh = created["requirements"]
        assert {(r["kind"], str(r["value"])) for r in _items(zh, True)} >= {("years", "3.0"), ("skill", "SQL")}
        assert [r["value"] for r in _items(zh, False)] == ["Spark"]


async def test_refused_job_input_names_the_problem_and_creates_nothing(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h, h.hr_client() as http:
        before = len((await (await http.get("/api/v1/jobs")).json())["jobs"])
        status, err = await _create(http, title="   ")
        assert status == 422 and "title" in err["error"]["message"]
        status, err = await _create(http, description="")
        assert status == 422 and "description" in err["error"]["message"]
        status, err = await _create(http, library_plan="astronaut")
        assert status == 422 and err["error"]["code"] == "unknown_plan" and "astronaut" in err["error"]["message"]
        status, err = await _create(http, questions=[])
        assert status == 422 and "questions" in err["error"]["message"]
        async with http.post("/api/v1/jobs/from-description", data=b"{not json",
                             headers={"Content-Type": "application/json"}) as r:
            assert r.status == 400 and (await r.json())["error"]["code"] == "bad_json"
        assert len((await (await http.get("/api/v1/jobs")).json())["jobs"]) == before


async def test_hr_edits_the_requirements_and_a_refused_edit_loses_nothing(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h, h.hr_client() as http:
        _, created = await _create(http)
        job_id, reqs = created["job"]["id"], created["requirements"]
        url = f"/api/v1/jobs/{job_id}/requirements"

        # a line HR types is read into items (alternatives kept together), in the list HR chose, not yet stored
        async with http.post(url + "/read", json={"text": "MySQL or PostgreSQL", "must_have": False}) as r:
            assert r.status == 200, await r.text()
            [read] = (await r.json())["requirements"]
        assert (read["kind"], read["value"], read["alternatives"], read["must_have"]) == \
            ("skill", "MySQL", ["PostgreSQL"], False)
        assert read["id"] not in {x["id"] for x in reqs["requirements"]}
        async with http.post(url + "/read", json={"text": "5年以上后端开发经验", "must_have": True}) as r:
            years = next(x for x in (await r.json())["requirements"] if x["kind"] == "years")
        assert years["value"] == 5 and years["must_have"] is True
        assert await (await http.get(url)).json() == reqs
        async with http.post(url + "/read", json={"text": "  "}) as r:
            assert r.status == 422 and "text" in (await r.json())["error"]["message"]

        # edit: English becomes nice-to-have, Airflow goes, the read line is added
        edited = {**reqs, "requirements": [
            {**x, "must_have": False} if x["kind"] == "language" else x
            for x in reqs["requirements"] if x["value"] != "Airflow"] + [read]}
        async with http.put(url, json=edited) as r:
            assert r.status == 200, await r.text()
        saved = await (await http.get(url)).json()
        assert saved == edited
        assert [x["value"] for x in _items(saved, False)] == ["english", "MySQL"]

        # refused edits say what is wrong, and the saved set stays as it was
        wrong_years = {**saved, "requirements": [{**x, "value": "many"} if x["kind"] == "years" else x
                                                 for x in saved["requirements"]]}
        dup = {**saved, "requirements": saved["requirements"] + saved["requirements"][:1]}
        empty_text = {**saved, "requirements": [{**saved["requirements"][0], "text": ""}]}
        for body, words in ((wrong_years, "number of years"), (dup, "duplicate requirement id"),
                            (empty_text, "requirements.0.text")):
            async with http.put(url, json=body) as r:
                err = (await r.json())["error"]
                assert r.status == 422 and err["code"] == "invalid_requirements" and words in err["message"], err
        async with http.put(url, data=b"[", headers={"Content-Type": "application/json"}) as r:
            assert r.status == 400 and (await r.json())["error"]["code"] == "bad_json"
        assert await (await http.get(url)).json() == saved


async def test_observers_neither_read_nor_edit_requirements(sqlite_url, tmp_path):
    """Observers read only the interviews they are invited to (BRIEF section 4), not a job's requirements."""
    async with running_server(sqlite_url, tmp_path) as h:
        await h.ctx.store.accounts.create_user(h.org_id, "watch@acme.test", hash_password("observer password 1"),
                                               role="observer")
        async with h.hr_client("watch@acme.test", "observer password 1") as http:
            url = f"/api/v1/jobs/{h.job_id}/requirements"
            async with http.get(url) as r:
                assert r.status == 403
            async with http.put(url, json={"requirements": []}) as r:
                assert r.status == 403
            async with http.post(url + "/read", json={"text": "Python"}) as r:
                assert r.status == 403
            status, _ = await _create(http)
            assert status == 403


async def test_descriptions_are_read_off_the_event_loop(monkeypatch):
    reqs = await job_reqs.read_description(JD_EN, None)
    assert reqs.must_haves
    # read in a child process of its own (bounded in time and memory), so never on the event loop's thread
    monkeypatch.setattr(job_reqs, "extract_requirements", where_read)
    pid, _ = await job_reqs.read_description(JD_EN, None)
    assert pid != os.getpid()
