"""Plans over the HTTP API: library, import with field-named errors, export round trip."""

from __future__ import annotations

import pytest

from dialogue.plan_io import load_plan
from tests.harness import running_server

pytestmark = pytest.mark.unit

GOOD = """
version: 1
title: {en: Data analyst, zh: 数据分析师}
languages: [en, zh]
questions:
  - id: q-impact
    competency: impact
    text: {en: Tell me about an analysis that changed a decision., zh: 请讲一个改变了决策的分析。}
    expected_points: {en: [the decision, the analysis, the result], zh: [决策, 分析, 结果]}
    rubric:
      - {score: 1, description: {en: No example., zh: 没有例子。}}
      - {score: 5, description: {en: Clear example with a measured result., zh: 有清楚的例子和量化结果。}}
    follow_ups:
      - {trigger: missing_numbers, template: {en: 'You said "{quote}". By how much?', zh: '您提到“{quote}”，具体是多少？'}}
"""


async def test_library_import_and_export(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        async with h.hr_client() as http:
            lib = await (await http.get("/api/v1/plan-library")).json()
            ids = [p["id"] for p in lib["plans"]]
            assert {"software-engineer", "sales-representative", "store-manager", "customer-service-agent"} <= set(ids)

            r = await http.post("/api/v1/jobs/import", json={"library_plan": "store-manager", "language": "zh"})
            assert r.status == 201, await r.text()
            job = await r.json()
            assert job["language"] == "zh" and job["title"]
            exported = await (await http.get(f"/api/v1/jobs/{job['id']}/plan", params={"format": "json"})).text()
            assert load_plan(exported, "json").questions[0].text["zh"]

            r = await http.post("/api/v1/jobs/import", json={"plan": GOOD, "language": "en", "title": "Analyst"})
            assert r.status == 201, await r.text()
            job2 = await r.json()
            yaml_text = await (await http.get(f"/api/v1/jobs/{job2['id']}/plan")).text()
            plan = load_plan(yaml_text)
            assert plan.questions[0].follow_ups[0].trigger == "missing_numbers"
            assert plan.questions[0].rubric[-1].score == 5

            # The imported job's questions are what an interview asks.
            interviews = await http.post("/api/v1/interviews", json={"job_id": job2["id"], "candidate": {"name": "X"}})
            iv = await interviews.json()
            stored = await h.ctx.store.interviews.get(iv["interview_id"])
            qs = await h.ctx.store.jobs.plan_questions(stored.plan_id)
            assert [q.text for q in qs] == ["Tell me about an analysis that changed a decision."]


async def test_import_rejects_broken_plans_naming_the_field(sqlite_url, tmp_path):
    bad_score = GOOD.replace("{score: 5,", "{score: 7,")
    no_zh = GOOD.replace(", zh: 请讲一个改变了决策的分析。}", "}")
    async with running_server(sqlite_url, tmp_path) as h:
        async with h.hr_client() as http:
            for text, field in [(bad_score, "questions[0].rubric[1].score"), (no_zh, "questions[0].text.zh"),
                                ("title: [unclosed", "(document)")]:
                r = await http.post("/api/v1/jobs/import", json={"plan": text, "language": "en"})
                body = await r.json()
                assert r.status == 422 and body["error"]["code"] == "invalid_plan", body
                assert field in [d["field"] for d in body["error"]["details"]], body
                if field != "(document)":
                    assert field.split(".")[-1] in body["error"]["message"]
            r = await http.post("/api/v1/jobs/import", json={"library_plan": "nope", "language": "en"})
            assert r.status == 422 and (await r.json())["error"]["code"] == "unknown_plan"
            r = await http.post("/api/v1/jobs/import", json={"language": "en"})
            assert r.status == 422
            assert await h.ctx.store.jobs.for_org(h.org_id) and len(await h.ctx.store.jobs.for_org(h.org_id)) == 1  # nothing stored


async def test_editing_a_plan_makes_a_new_version_and_keeps_old_interviews(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        async with h.hr_client() as http:
            job = await (await http.post("/api/v1/jobs/import", json={"plan": GOOD, "language": "en"})).json()
            old = await (await http.post("/api/v1/interviews", json={"job_id": job["id"], "candidate": {"name": "A"}})).json()
            edited = (await (await http.get(f"/api/v1/jobs/{job['id']}/plan")).text()).replace(
                "Tell me about an analysis that changed a decision.", "Tell me about a forecast you got wrong.")
            r = await http.put(f"/api/v1/jobs/{job['id']}/plan", json={"plan": edited, "language": "en"})
            assert r.status == 200, await r.text()
            bad = edited.replace("score: 5", "score: 9")
            r = await http.put(f"/api/v1/jobs/{job['id']}/plan", json={"plan": bad, "language": "en"})
            assert r.status == 422 and "questions[0].rubric[1].score" in [d["field"] for d in (await r.json())["error"]["details"]]
            new = await (await http.post("/api/v1/interviews", json={"job_id": job["id"], "candidate": {"name": "B"}})).json()
        store = h.ctx.store
        old_q = await store.jobs.plan_questions((await store.interviews.get(old["interview_id"])).plan_id)
        new_q = await store.jobs.plan_questions((await store.interviews.get(new["interview_id"])).plan_id)
        assert old_q[0].text == "Tell me about an analysis that changed a decision."
        assert new_q[0].text == "Tell me about a forecast you got wrong."
