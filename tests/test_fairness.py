"""Voluntary self-identification and bias monitoring by the NYC Local Law 144 method (BRIEF section 4)."""

from __future__ import annotations

import aiohttp
import pytest

from server.http.auth import hash_password
from server.compliance.fairness import impact_ratios
from tests.harness import running_server

pytestmark = pytest.mark.unit


def test_scoring_rates_impact_ratios_and_small_groups():
    scores = {"f1": 4, "f2": 4, "f3": 2, "f4": 2, "f5": 2, "f6": 2, "m1": 4, "m2": 4, "m3": 4, "m4": 2, "m5": 2,
              "m6": 2, "nb": 4, "u1": 3}  # median 2.5
    cats = {**{f"f{i}": "female" for i in range(1, 7)}, **{f"m{i}": "male" for i in range(1, 7)}, "nb": "non_binary"}
    r = impact_ratios(scores, cats, "sex", min_group=5)
    by = {g.group: g for g in r.groups}
    assert [g.group for g in r.groups] == ["female", "male", "non_binary"]
    assert (by["female"].above_median, by["female"].scoring_rate) == (2, 0.333)
    assert (by["male"].above_median, by["male"].scoring_rate) == (3, 0.5)
    assert r.highest_group == "male" and by["male"].impact_ratio == 1.0 and not by["male"].flagged
    assert by["female"].impact_ratio == 0.667 and by["female"].flagged  # under four fifths
    # one person is too few to judge, and a rate (or even the count) would single them out
    assert by["non_binary"].too_few and by["non_binary"].scoring_rate is None and by["non_binary"].n is None
    assert r.unknown == 1
    # with equal rates nobody is flagged; with no group large enough there is no comparison
    even = impact_ratios({"a": 1, "b": 3, "c": 1, "d": 3}, {"a": "female", "b": "female", "c": "male", "d": "male"},
                         "sex", min_group=2)
    assert [g.impact_ratio for g in even.groups] == [1.0, 1.0] and not any(g.flagged for g in even.groups)
    assert impact_ratios(scores, cats, "sex", min_group=10).highest_group is None


async def test_candidates_self_identify_voluntarily_and_hr_sees_only_aggregates(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        store = h.ctx.store
        # five women (one above the median of 3), five men (four above it), one who will not say
        people = [("female", 4.0)] + [("female", 2.0)] * 4 + [("male", 5.0)] * 4 + [("male", 2.0), (None, 3.0)]
        tokens = []
        for i, (_, score) in enumerate(people):
            iv_id, token = await h.create_interview(f"Person {i}")
            await store.records.add_score(iv_id, 0, 0, "ownership", score, 0.8, "", [{"quote": "q"}], [])
            await store.interviews.update(iv_id, status="finished")
            tokens.append((iv_id, token))
        async with aiohttp.ClientSession(h.base_url) as cand:
            url = "/api/v1/candidate/self-identification"
            iv0, t0 = tokens[0]
            async with cand.get(url, params={"token": t0}) as r:
                given = await r.json()
                assert {k: v for k, v in given.items() if k != "questions"} == {
                    "given": False, "sex": None, "race_ethnicity": None, "age_band": None}
            for bad in ({"token": t0, "sex": "robot"}, {"token": t0, "age_band": "40"},
                        {"token": t0, "sex": "female", "religion": "x"}):
                async with cand.post(url, json=bad) as r:
                    assert r.status == 422, bad
            async with cand.post(url, json={"token": "forged", "sex": "female"}) as r:
                assert r.status == 403
            for (iv_id, token), (sex, _) in zip(tokens, people):
                async with cand.post(url, json={"token": token, "sex": sex, "age_band": "25_39"}) as r:
                    assert r.status == 200, await r.text()
            async with cand.get(url, params={"token": t0}) as r:
                given = await r.json()
                assert {k: v for k, v in given.items() if k != "questions"} == {
                    "given": True, "sex": "female", "race_ethnicity": None, "age_band": "25_39"}
            # the last person says "prefer not to say" to everything: nothing about them is kept
            async with cand.post(url, json={"token": tokens[-1][1]}) as r:
                assert (await r.json())["given"] is False
            assert await store.self_identification.get(tokens[-1][0]) is None

        async with h.hr_client() as hr:
            # nothing of it reaches the candidate's record or report
            async with hr.get(f"/api/v1/interviews/{iv0}") as r:
                detail = await r.text()
            async with hr.get(f"/api/v1/interviews/{iv0}/report") as r:
                report = await r.text()
            assert "female" not in detail and "25_39" not in detail and "female" not in report
            async with hr.get(f"/api/v1/jobs/{h.job_id}/bias") as r:
                bias = await r.json()
            assert bias["scored_interviews"] == 11 and bias["self_identified"] == 10 and bias["median_score"] == 3.0
            sex = next(a for a in bias["attributes"] if a["attribute"] == "sex")
            assert sex["unknown"] == 1 and sex["highest_group"] == "male"
            by = {g["group"]: g for g in sex["groups"]}
            assert (by["male"]["n"], by["male"]["above_median"], by["male"]["impact_ratio"]) == (5, 4, 1.0)
            assert (by["female"]["scoring_rate"], by["female"]["impact_ratio"], by["female"]["flagged"]) == \
                (0.2, 0.25, True)
            ages = next(a for a in bias["attributes"] if a["attribute"] == "age_band")
            assert ages["unknown"] == 1 and [g["group"] for g in ages["groups"]] == ["25_39"]
            # crossed sex x race/ethnicity: nobody gave both, so all eleven are unknown there
            crossed = next(a for a in bias["attributes"] if a["attribute"] == "sex_race_ethnicity")
            assert crossed["unknown"] == 11 and crossed["groups"] == []
            # a larger minimum hides both groups' rates; under five is refused (candidates are promised five)
            async with hr.get(f"/api/v1/jobs/{h.job_id}/bias", params={"min_group": "6"}) as r:
                sex = next(a for a in (await r.json())["attributes"] if a["attribute"] == "sex")
            assert all(g["too_few"] and g["scoring_rate"] is None and g["n"] is None for g in sex["groups"])
            for bad in ("2", "x"):
                async with hr.get(f"/api/v1/jobs/{h.job_id}/bias", params={"min_group": bad}) as r:
                    assert r.status == 400

        # withdrawing deletes it
        async with aiohttp.ClientSession(h.base_url) as cand:
            async with cand.delete("/api/v1/candidate/self-identification", params={"token": t0}) as r:
                assert (await r.json())["given"] is False
        assert await store.self_identification.get(iv0) is None

        other = await store.accounts.create_org("Other Co")
        await store.accounts.create_user(other.id, "hr@other.test", hash_password("pw-other-123"))
        async with h.hr_client("hr@other.test", "pw-other-123") as them:
            async with them.get(f"/api/v1/jobs/{h.job_id}/bias") as r:
                assert r.status == 404


async def test_a_candidate_interviewed_twice_counts_once_and_crossed_groups_are_reported(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        store = h.ctx.store
        for i, (score, race) in enumerate([(5.0, "asian")] * 5 + [(2.0, "white")] * 5):
            iv = await store.interviews.create(h.org_id, h.job_id, f"P{i}", "", "en")
            await store.records.add_score(iv.id, 0, 0, "ownership", score, 0.8, "", [], [])
            await store.interviews.update(iv.id, status="finished")
            await store.self_identification.set(iv, "female", race, None, h.ctx.clock())
            if i == 0:  # P0 is interviewed again for the same job and does worse: only the latest counts
                again = await store.interviews.create(h.org_id, h.job_id, "P0", "", "en")
                await store.interviews.update(again.id, candidate_id=iv.candidate_id)
                await store.records.add_score(again.id, 0, 0, "ownership", 1.0, 0.8, "", [], [])
                await store.interviews.update(again.id, status="finished")
        async with h.hr_client() as hr:
            async with hr.get(f"/api/v1/jobs/{h.job_id}/bias") as r:
                bias = await r.json()
        assert bias["scored_interviews"] == 10 and bias["self_identified"] == 10
        crossed = {g["group"]: g for a in bias["attributes"] if a["attribute"] == "sex_race_ethnicity"
                   for g in a["groups"]}
        assert set(crossed) == {"female/white", "female/asian"}
        # median of 1, 5, 5, 5, 5, 2, 2, 2, 2, 2 is 2: four of the five Asian women are above it, no white woman
        assert (crossed["female/asian"]["above_median"], crossed["female/asian"]["impact_ratio"]) == (4, 1.0)
        assert (crossed["female/white"]["scoring_rate"], crossed["female/white"]["flagged"]) == (0.0, True)
