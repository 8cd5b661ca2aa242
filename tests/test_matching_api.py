"""Resumes to ranked, explained candidates over the HTTP API, across languages; errors store nothing."""

from __future__ import annotations

import aiohttp
import pytest

from tests.harness import running_server

pytestmark = [pytest.mark.models]

JD = """Backend Engineer
Requirements:
- 5+ years of professional experience
- Proficient in Python and Kubernetes
- Bachelor's degree in computer science or related field
Nice to have:
- Experience with Kafka is a plus
"""
STRONG_ZH = """张伟
手机：13812345678  邮箱：zhangwei@example.com  城市：杭州
工作经历
2017.07 - 至今  阿里巴巴  高级后端工程师
负责订单系统，带领8人团队，Python熟练，使用K8s部署服务，使订单处理速度提升40%。
教育背景
2013.09 - 2017.06  浙江大学  计算机科学与技术  本科
技能
Python, Kubernetes, Kafka, MySQL
"""
WEAK_EN = """Emily Carter
Phone: +1 415 555 0134 | Email: emily.carter@example.com | San Francisco
Experience
Jun 2022 - Present  Bright Retail  Store Associate
Helped customers and managed the cash register.
Education
2018 - 2022  City College  Associate degree in Marketing
Skills
Customer service, Excel
"""


async def _upload(http, job_id, files):
    form = aiohttp.FormData()
    for name, data, ctype in files:
        form.add_field("files", data, filename=name, content_type=ctype)
    async with http.post(f"/api/v1/jobs/{job_id}/resumes", data=form) as r:
        assert r.status == 200, await r.text()
        return (await r.json())["results"]


async def test_upload_rank_explain_override_and_invite(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        async with h.hr_client() as http:
            job = await (await http.post("/api/v1/jobs", json={
                "title": "Backend Engineer", "description": JD, "language": "en",
                "questions": [{"text": "Tell me about a system you built."}]})).json()
            results = await _upload(http, job["id"], [
                ("zhang.txt", STRONG_ZH.encode(), "text/plain"),
                ("emily.txt", WEAK_EN.encode(), "text/plain"),
                ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "application/pdf"),
                ("empty.txt", b"   ", "text/plain"),
            ])
            by_file = {r["filename"]: r for r in results}
            assert by_file["zhang.txt"]["ok"] and by_file["zhang.txt"]["name"] == "张伟"
            assert by_file["emily.txt"]["ok"]
            assert by_file["photo.pdf"]["error"]["code"] == "unsupported_type"
            assert by_file["empty.txt"]["error"]["code"] == "empty"
            assert len(await h.ctx.store.matching.resumes(job["id"])) == 2  # the broken files stored nothing

            reqs = await (await http.get(f"/api/v1/jobs/{job['id']}/requirements")).json()
            kinds = {(r["kind"], r["must_have"]) for r in reqs["requirements"]}
            assert ("years", True) in kinds and ("degree", True) in kinds and ("skill", False) in kinds

            ranked = (await (await http.get(f"/api/v1/jobs/{job['id']}/matches")).json())["matches"]
            assert [m["name"] for m in ranked] == ["张伟", "Emily Carter"]
            top = ranked[0]
            assert top["score"] > ranked[1]["score"]
            python = next(i for i in top["items"] if i["kind"] == "skill" and "python" in i["requirement"].lower())
            assert python["status"] == "met" and any("Python" in e for e in python["evidence"])
            stored_text = (await h.ctx.store.matching.resumes(job["id"]))[0][0].profile["text"]
            assert all(e in stored_text for i in top["items"] for e in i["evidence"])
            filtered = (await (await http.get(f"/api/v1/jobs/{job['id']}/matches",
                                              params={"must_haves": "all"})).json())["matches"]
            assert [m["name"] for m in filtered] == ["张伟"]

            # HR overrides a requirement for the weaker candidate; the score changes and the decision is kept.
            weak = ranked[1]
            years = next(i for i in weak["items"] if i["kind"] == "years")
            r = await http.post(f"/api/v1/jobs/{job['id']}/matches/{weak['candidate_id']}/overrides",
                                json={"requirement_id": years["requirement_id"], "status": "met",
                                      "note": "Counts her internship"})
            assert r.status == 200, await r.text()
            after = await r.json()
            assert after["raw_score"] > weak["raw_score"]
            assert after["overrides"][0]["by"] == "hr@acme.test" and after["overrides"][0]["note"]

            bad = {**reqs, "requirements": [{**reqs["requirements"][0], "kind": "astrology"}]}
            r = await http.put(f"/api/v1/jobs/{job['id']}/requirements", json=bad)
            body = await r.json()
            assert r.status == 422 and "requirements.0.kind" in body["error"]["message"]

            # Invite the top candidate: the interview belongs to the same candidate record.
            r = await http.post("/api/v1/interviews", json={"job_id": job["id"], "candidate_id": top["candidate_id"]})
            assert r.status == 201, await r.text()
            iv = await h.ctx.store.interviews.get((await r.json())["interview_id"])
            assert iv.candidate_id == top["candidate_id"] and iv.candidate.name == "张伟"
            # the ranking now says the candidate has that interview (the page warns before a second one)
            ranked = {m["name"]: m for m in (await (await http.get(f"/api/v1/jobs/{job['id']}/matches")).json())["matches"]}
            assert [(i["id"], i["status"], i["link_withdrawn"]) for i in ranked["张伟"]["interviews"]] == \
                [(iv.id, "created", False)]
            assert ranked["张伟"]["interviews"][0]["created_at"].endswith("+00:00")
            assert ranked["Emily Carter"]["interviews"] == []
