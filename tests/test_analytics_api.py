"""The HR analytics over the HTTP API, on SQLite and PostgreSQL: the funnel per source channel, rater agreement,
AI scores against performance with suggested weights that change nothing until a person accepts them, the match
score distribution; each also as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import numpy as np
import openpyxl
import pytest
from sqlalchemy import update

from analyzers.documents.resume_profile import ResumeProfile, Sourced
from dialogue.plan import InterviewPlanSpec, PlanQuestionSpec
from server.http.auth import hash_password
from server.recruiting.imports import PROFILE
from server.reports import analytics_stats as st
from server.storage.models import Resume
from server.storage.outcomes import OutcomeWrite
from tests.harness import running_server

pytestmark = pytest.mark.unit

FEW = {"analytics_bootstrap_samples": 200}  # fewer resamples: the intervals' arithmetic has its own tests


def profile(*skills: str) -> dict:
    return PROFILE.dump_python(ResumeProfile(language="en", skills=[Sourced(s, s) for s in skills],
                                             text=", ".join(skills)), mode="json")


async def scored_interview(h, name: str, scores: dict[str, float], candidate_id: str | None = None,
                           job_id: str | None = None) -> tuple[str, str]:
    """A finished interview with one AI score per competency; (interview id, candidate id)."""
    store = h.ctx.store
    iv = await store.interviews.create(h.org_id, job_id or h.job_id, name, "", "en", candidate_id=candidate_id)
    for qi, (comp, score) in enumerate(scores.items()):
        await store.records.add_score(iv.id, qi, qi, comp, score, 0.8, "", [], [])
    await store.interviews.update(iv.id, status="finished", started_at=datetime.now(timezone.utc))
    return iv.id, iv.candidate_id


def rows_of(xlsx: bytes, sheet: str) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    return [[c.value for c in r] for r in book[sheet].iter_rows()]


async def test_funnel_counts_each_source_channel(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        store, org, job = h.ctx.store, h.org_id, h.job_id
        now = datetime.now(timezone.utc)
        up1, _ = await store.matching.add_resume(org, job, "Uma", "uma@x.test", "cv.pdf", "", 10, profile("Go"))
        await store.matching.add_resume(org, job, "Ulf", "ulf@x.test", "cv.pdf", "", 10, profile("Go"))
        run, [item] = await store.imports.create(org, job, None, "csv", "people.csv", ["people.csv row 2"])
        bulk, created, _ = await store.imports.add_resume_if_new(org, job, "Bea", "bea@x.test", "row 2", "", 5,
                                                                 profile("Go"), [("email", "bea@x.test")],
                                                                 import_item_id=item)
        assert created
        ding, _, _ = await store.external.upsert_resume(org, job, "dingtalk", "dt-1", "Dan", "dan@x.test", "cv.pdf",
                                                       "", 10, profile("Go"))
        # Uma: interviewed, scored, hired; Bea: invited only; Dan: started, not finished
        iv_uma, _ = await scored_interview(h, "", {"leadership": 4}, candidate_id=up1.id)
        await store.interviews.create(org, job, "", "", "en", candidate_id=bulk.id)
        iv_dan = await store.interviews.create(org, job, "", "", "en", candidate_id=ding.id)
        await store.interviews.update(iv_dan.id, status="live", started_at=now)
        # without a resume: by e-mail (scored, advanced), by DingTalk notice (then e-mail too: the first counts;
        # rejected) and a link HR handed over
        iv_eve, eve = await scored_interview(h, "Eve", {"leadership": 3})
        await store.invitations.add(iv_eve, "email", "eve@x.test", "en")
        iv_tao = await store.interviews.create(org, job, "Tao", "", "en")
        await store.invitations.add(iv_tao.id, "dingtalk", "uid-tao", "en")
        await store.invitations.add(iv_tao.id, "email", "tao@x.test", "en")
        await store.interviews.create(org, job, "Lee", "", "en")
        await store.outcomes.save(org, job, [OutcomeWrite(up1.id, iv_uma, "hired"),
                                             OutcomeWrite(eve, iv_eve, "advanced"),
                                             OutcomeWrite(iv_tao.candidate_id, iv_tao.id, "rejected")], None, "api",
                                  now)
        # another job (nobody assigned): in the admin's organisation-wide funnel only
        other = await store.jobs.create(org, "Other", "", "en", [{"text": "Q?", "competency": "x"}])
        await store.interviews.create(org, other.id, "Oz", "", "en")

        async with h.hr_client() as hr:
            async with hr.get(f"/api/v1/jobs/{job}/analytics/funnel") as r:
                assert r.status == 200, await r.text()
                funnel = await r.json()
            async with hr.get("/api/v1/analytics/funnel") as r:
                mine = await r.json()
            async with hr.get(f"/api/v1/jobs/{job}/analytics/funnel", params={"format": "csv"}) as r:
                assert r.headers["Content-Type"].startswith("text/csv")
                assert 'filename="funnel-' in r.headers["Content-Disposition"]
                table = list(csv.reader(io.StringIO((await r.read()).decode("utf-8-sig"))))
            async with hr.get(f"/api/v1/jobs/{job}/analytics/funnel", params={"format": "pdf"}) as r:
                assert r.status == 400 and (await r.json())["error"]["code"] == "bad_format"
        counts = {ch["channel"]: [s["n"] for s in ch["stages"]] for ch in funnel["channels"]}
        assert funnel["stages"] == ["candidates", "invited", "interviewed", "scored", "advanced", "hired"]
        assert counts == {"upload": [2, 1, 1, 1, 1, 1], "bulk_import": [1, 1, 0, 0, 0, 0],
                          "dingtalk_import": [1, 1, 1, 0, 0, 0], "email_invitation": [1, 1, 1, 1, 1, 0],
                          "dingtalk_invitation": [1, 1, 0, 0, 0, 0], "link": [1, 1, 0, 0, 0, 0]}
        total = funnel["total"]["stages"]
        assert [s["n"] for s in total] == [7, 6, 3, 2, 2, 1] and funnel["jobs"] == 1
        assert (total[1]["of_previous"], total[5]["of_previous"], total[5]["of_first"]) == (0.857, 0.5, 0.143)
        assert mine == funnel  # the recruiter is responsible for this job only
        assert table[0] == ["channel", "stage", "n", "of_previous", "of_first"]
        assert ["upload", "hired", "1", "1.0", "0.5"] in table and ["all", "candidates", "7", "", "1.0"] in table

        pw = hash_password("admin password 1")
        await store.accounts.create_user(org, "boss@acme.test", pw, role="admin")
        async with h.hr_client("boss@acme.test", "admin password 1") as boss:
            async with boss.get("/api/v1/analytics/funnel") as r:
                org_wide = await r.json()
        assert org_wide["jobs"] == 2 and [s["n"] for s in org_wide["total"]["stages"]][:2] == [8, 7]


async def test_rater_agreement_per_competency_and_exports(db_url, tmp_path):
    async with running_server(db_url, tmp_path, **FEW) as h:
        store = h.ctx.store
        pw = hash_password("another password 1")
        r1 = h.hr_user_id
        r2 = (await store.accounts.create_user(h.org_id, "mgr@acme.test", pw, role="hiring_manager")).id
        ai = [1.2, 2.4, 3.1, 3.9, 4.6, 2.0]
        first = [1, 2, 3, 4, 5, 2]  # person 1; they re-rate the last interview as 3 (the later rating counts)
        second = [2, 2, 3, 5, 4, 3]  # person 2
        for i, (a, p1, p2) in enumerate(zip(ai, first, second)):
            iv, _ = await scored_interview(h, f"P{i}", {"leadership": a, "results": 3.0})
            await store.records.add_review(iv, r1, "leadership", p1, "")
            await store.records.add_review(iv, r2, "leadership", p2, "")
            if i == 5:
                await store.records.add_review(iv, r1, "leadership", 3, "on second thought")
            if i < 3:
                await store.records.add_review(iv, r1, "results", 3 + (i % 2), "")
        async with h.hr_client() as hr:
            async with hr.get(f"/api/v1/jobs/{h.job_id}/analytics/consistency") as r:
                assert r.status == 200, await r.text()
                report = await r.json()
            async with hr.get(f"/api/v1/jobs/{h.job_id}/analytics/consistency", params={"format": "xlsx"}) as r:
                assert r.headers["Content-Type"].startswith("application/vnd.openxmlformats")
                sheet = rows_of(await r.read(), "consistency")
        by = {c["competency"]: c for c in report["competencies"]}
        assert list(by) == ["leadership", "results", "(all)"] and report["bootstrap_samples"] == 200
        first[5] = 3
        people = np.array([first, second], dtype=float).T
        ai_pairs = np.column_stack([ai, people.mean(axis=1)])
        lead = by["leadership"]
        assert lead["ai_vs_human"]["n"] == 6 and lead["human_vs_human"]["n"] == 6
        assert lead["ai_vs_human"]["icc"]["value"] == round(st.icc_2_1(ai_pairs), 3)
        assert lead["ai_vs_human"]["kappa"]["value"] == round(st.quadratic_weighted_kappa(ai_pairs), 3)
        assert lead["human_vs_human"]["icc"]["value"] == round(st.icc_2_1(people), 3)
        assert lead["human_vs_human"]["kappa"]["value"] == round(st.quadratic_weighted_kappa(people), 3)
        assert (lead["ai_vs_human"]["mean_a"], lead["ai_vs_human"]["mean_b"]) == (round(np.mean(ai), 3),
                                                                                   round(people.mean(), 3))
        icc = lead["human_vs_human"]["icc"]
        assert icc["ci_low"] <= icc["value"] <= icc["ci_high"]
        # results: three AI-vs-person subjects, no second person; too few for any figure
        assert by["results"]["ai_vs_human"] == {"n": 3, "icc": {"value": None, "ci_low": None, "ci_high": None},
                                                "kappa": {"value": None, "ci_low": None, "ci_high": None},
                                                "mean_a": None, "mean_b": None}
        assert by["results"]["human_vs_human"]["n"] == 0 and by["(all)"]["ai_vs_human"]["n"] == 9
        assert sheet[0][:3] == ["competency", "comparison", "n"]
        assert ["leadership", "ai_vs_human", 6, lead["ai_vs_human"]["icc"]["value"]] == sheet[1][:4]


async def test_competencies_keep_their_keys_and_come_with_their_names_in_the_readers_language(sqlite_url, tmp_path):
    """The answers carry the plan's names beside the keys (the page shows them in its language); the downloads add
    a name column in the language asked for (the job's by default), the key where the plan names none."""
    plan = InterviewPlanSpec(title={"en": "Lead", "zh": "主管"}, languages=["en", "zh"], questions=[
        PlanQuestionSpec(id="q1", competency="leadership", competency_name={"en": "Leadership", "zh": "领导力"},
                         text={"en": "A team you led?", "zh": "讲讲您带过的团队？"}),
        PlanQuestionSpec(id="q2", competency="results", text={"en": "Your best result?", "zh": "您最好的业绩？"})])
    async with running_server(sqlite_url, tmp_path, **FEW) as h:
        await h.use_plan(plan, "主管", "zh")
        for i in range(2):
            iv, _ = await scored_interview(h, f"P{i}", {"leadership": 3.0 + i, "results": 4.0})
            await h.ctx.store.records.add_review(iv, h.hr_user_id, "leadership", 3, "")
        base = f"/api/v1/jobs/{h.job_id}/analytics"
        async with h.hr_client() as hr:
            async with hr.get(f"{base}/consistency") as r:
                consistency = await r.json()
            async with hr.get(f"{base}/consistency", params={"format": "csv"}) as r:
                zh_table = list(csv.reader(io.StringIO((await r.read()).decode("utf-8-sig"))))
            async with hr.get(f"{base}/consistency", params={"format": "xlsx", "lang": "en"}) as r:
                en_sheet = rows_of(await r.read(), "consistency")
            async with hr.get(f"{base}/validity") as r:
                validity = await r.json()
            async with hr.get(f"{base}/validity", params={"format": "csv", "lang": "zh"}) as r:
                validity_table = list(csv.reader(io.StringIO((await r.read()).decode("utf-8-sig"))))
            async with hr.get(f"{base}/validity", params={"format": "csv", "lang": "fr"}) as r:
                assert r.status == 400 and (await r.json())["error"]["code"] == "bad_query"
    names = {"leadership": {"en": "Leadership", "zh": "领导力"}}
    assert consistency["competency_names"] == validity["competency_names"] == names
    assert [c["competency"] for c in consistency["competencies"]] == ["leadership", "(all)"]
    assert [c["competency"] for c in validity["competencies"]] == ["leadership", "results"]
    assert zh_table[0][0] == "competency" and zh_table[0][-1] == "competency_name"
    assert [(row[0], row[-1]) for row in zh_table[1:]] == [("leadership", "领导力")] * 2 + [("(all)", "全部能力项")] * 2
    assert [(row[0], row[-1]) for row in en_sheet[1:]] == [("leadership", "Leadership")] * 2 + [
        ("(all)", "All competencies")] * 2
    assert [(row[0], row[-1]) for row in validity_table[1:]] == [("leadership", "领导力"), ("results", "results"),
                                                                 ("(overall)", "AI 总分")]


async def test_performance_validity_and_accepting_suggested_weights(db_url, tmp_path):
    async with running_server(db_url, tmp_path, **FEW) as h:
        store, org, job = h.ctx.store, h.org_id, h.job_id
        now = datetime.now(timezone.utc)
        writes = []
        # twelve hires: performance follows their leadership score, not their results score
        lead = [1.5, 2.0, 2.2, 2.6, 3.0, 3.1, 3.5, 3.8, 4.0, 4.2, 4.6, 4.9]
        results = [3.0, 4.5, 2.0, 3.5, 4.0, 2.5, 3.0, 2.0, 4.5, 3.5, 2.5, 3.0]
        perf = [1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5]
        old_iv = None
        for i in range(12):
            iv, cand = await scored_interview(h, f"Hire {i}", {"leadership": lead[i], "results": results[i]})
            old_iv = old_iv or iv
            writes.append(OutcomeWrite(cand, iv, "hired", perf[i], 6, now.date()))
        rated_unscored = await store.interviews.create(org, job, "Not scored", "", "en")
        writes.append(OutcomeWrite(rated_unscored.candidate_id, rated_unscored.id, "hired", 4, 6, now.date()))
        _, rejected = await scored_interview(h, "No", {"leadership": 2.0, "results": 2.0})
        writes.append(OutcomeWrite(rejected, None, "rejected"))
        await store.outcomes.save(org, job, writes, None, "csv", now)

        async with h.hr_client() as hr:
            async with hr.post(f"/api/v1/jobs/{job}/analytics/weights", json={"weights": {}}) as r:
                assert r.status == 409 and (await r.json())["error"]["code"] == "suggestion_changed"
            async with hr.get(f"/api/v1/jobs/{job}/analytics/validity") as r:
                assert r.status == 200, await r.text()
                report = await r.json()
            by = {c["competency"]: c for c in report["competencies"]}
            assert report["method"] == "spearman" and report["outcomes"] == {"hired": 13, "rejected": 1}
            assert (report["rated_hires"], report["unscored_hires"]) == (12, 1)
            assert by["leadership"]["correlation"]["r"] == round(st.spearman(lead, perf), 3) > 0.95
            assert by["results"]["correlation"]["r"] == round(st.spearman(results, perf), 3) < 0.3
            low, high = st.fisher_ci(st.spearman(lead, perf), 12)
            assert (by["leadership"]["correlation"]["ci_low"], by["leadership"]["correlation"]["ci_high"]) == (
                round(low, 3), round(high, 3))
            expected = st.suggest_weights({"leadership": 0.5, "results": 0.5},
                                          {c: (by[c]["correlation"]["r"], 12) for c in by}, 10, 30)
            suggestion = report["suggestion"]
            assert suggestion["weights"] == expected.weights and suggestion["current"] == {"leadership": 0.5,
                                                                                          "results": 0.5}
            assert suggestion["weights"]["leadership"] > 0.5 > suggestion["weights"]["results"]
            assert by["leadership"]["current_weight"] == 0.5 and report["decisions"] == []
            assert report["overall"]["n"] == 12 and report["overall_suggested"]["n"] == 12
            # nothing is applied by itself
            assert (await store.jobs.plan_spec(await store.jobs.latest_plan_id(job))) is None

            stale = {"leadership": 0.5, "results": 0.5}
            async with hr.post(f"/api/v1/jobs/{job}/analytics/weights", json={"weights": stale}) as r:
                assert r.status == 409 and (await r.json())["error"]["code"] == "suggestion_changed"
            async with hr.post(f"/api/v1/jobs/{job}/analytics/weights", json={"weights": suggestion["weights"]}) as r:
                assert r.status == 201, await r.text()
                decision = (await r.json())["decision"]
            assert (decision["plan_version"], decision["accepted_by_email"], decision["weights"],
                    decision["previous_weights"]) == (2, "hr@acme.test", suggestion["weights"], stale)
            async with hr.get(f"/api/v1/jobs/{job}/plan", params={"format": "json"}) as r:
                assert '"competency_weights"' in await r.text()
            async with hr.get(f"/api/v1/jobs/{job}/analytics/validity", params={"format": "csv"}) as r:
                table = list(csv.reader(io.StringIO((await r.read()).decode("utf-8-sig"))))
            assert table[0] == ["competency", "n", "spearman_r", "ci_low", "ci_high", "current_weight",
                                "suggested_weight", "competency_name"]
            assert table[1][0] == "leadership" and float(table[1][5]) == suggestion["weights"]["leadership"]
            async with hr.get(f"/api/v1/jobs/{job}/analytics/validity") as r:
                after = await r.json()
            assert after["decisions"][0]["id"] == decision["id"]
            assert {c["competency"]: c["current_weight"] for c in after["competencies"]} == suggestion["weights"]

            # an interview on the new plan version is scored with the weights; one on the old plan is not
            iv_new, _ = await scored_interview(h, "New", {"leadership": 5.0, "results": 1.0})
            async with hr.get(f"/api/v1/interviews/{iv_new}/report") as r:
                new_report = await r.json()
            async with hr.get(f"/api/v1/interviews/{old_iv}/report") as r:
                old_report = await r.json()
            w = suggestion["weights"]
            assert new_report["overall_ai_score"] == round(5.0 * w["leadership"] + 1.0 * w["results"], 2)
            assert {c["competency"]: c["weight"] for c in new_report["competencies"]} == w
            assert old_report["overall_ai_score"] == round((lead[0] + results[0]) / 2, 2)
            assert {c["weight"] for c in old_report["competencies"]} == {None}
            async with hr.get(f"/api/v1/jobs/{job}/bias") as r:
                bias = await r.json()
            assert r.status == 200 and bias["scored_interviews"] == 14

            # a job without outcomes has nothing to accept
            fresh = await store.jobs.create(org, "Fresh", "", "en", [{"text": "Q?", "competency": "a"},
                                                                     {"text": "Q2?", "competency": "b"}],
                                            member_id=h.hr_user_id)
            async with hr.get(f"/api/v1/jobs/{fresh.id}/analytics/validity") as r:
                empty = await r.json()
            assert (empty["suggestion"], empty["no_suggestion"], empty["rated_hires"]) == (None, "too_few_hires", 0)
            assert [c["correlation"] for c in empty["competencies"]] == [{"n": 0, "r": None, "ci_low": None,
                                                                         "ci_high": None}] * 2
            async with hr.post(f"/api/v1/jobs/{fresh.id}/analytics/weights", json={"weights": {"a": 1}}) as r:
                assert r.status == 409 and (await r.json())["error"]["code"] == "no_suggestion"


@pytest.mark.models
async def test_match_score_distribution_and_trend(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        store, org, job = h.ctx.store, h.org_id, h.job_id
        await store.matching.save_requirements(job, {"language": "en", "requirements": [
            {"id": "r1", "kind": "skill", "text": "Python", "value": "Python"},
            {"id": "r2", "kind": "skill", "text": "Kubernetes", "value": "Kubernetes", "must_have": False}]},
            h.hr_user_id)
        people = [("Ana", ("Python", "Kubernetes"), 75), ("Ben", ("Python",), 40), ("Cai", ("Excel",), 40),
                  ("Dee", ("Python", "Kubernetes"), 10)]
        for name, skills, days_ago in people:
            _, resume = await store.matching.add_resume(org, job, name, f"{name}@x.test", "cv.txt", "", 10,
                                                        profile(*skills))
            async with store.db.transaction() as s:
                await s.execute(update(Resume).where(Resume.id == resume.id).values(
                    created_at=datetime(2026, 5, 20, tzinfo=timezone.utc) - timedelta(days=days_ago)))
        async with h.hr_client() as hr:
            async with hr.get(f"/api/v1/jobs/{job}/analytics/match-scores", params={"bins": "4"}) as r:
                assert r.status == 200, await r.text()
                report = await r.json()
            async with hr.get(f"/api/v1/jobs/{job}/analytics/match-scores",
                              params={"period": "week", "format": "xlsx"}) as r:
                weekly = rows_of(await r.read(), "trend")
            async with hr.get(f"/api/v1/jobs/{job}/analytics/match-scores", params={"period": "day"}) as r:
                assert r.status == 400
            async with hr.get(f"/api/v1/jobs/{job}/matches") as r:
                ranked = {m["name"]: m["score"] for m in (await r.json())["matches"]}
        scores = list(ranked.values())
        assert report["n"] == 4 and sum(b["n"] for b in report["bins"]) == 4 and len(report["bins"]) == 4
        assert report["median"] == round(float(np.median(scores)), 2)  # the same scores as the ranked list
        assert ranked["Ana"] > ranked["Cai"]
        # 2026-03-06 (Ana), 2026-04-10 (Ben, Cai), 2026-05-10 (Dee)
        assert [(p["period"], p["n"]) for p in report["trend"]] == [("2026-03", 1), ("2026-04", 2), ("2026-05", 1)]
        assert report["trend"][1]["mean"] == round((ranked["Ben"] + ranked["Cai"]) / 2, 2)
        assert weekly[0] == ["period", "start", "n", "mean", "median"] and len(weekly) == 1 + 10  # weeks 10..19

