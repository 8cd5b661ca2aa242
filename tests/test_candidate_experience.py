"""What the candidate is told and can do around the interview, over the real HTTP API: the session's figures before
joining (questions, duration, what is analysed, the practice question), the human review request, the survey's
questions per region, and the candidate-only channel the practice question's events travel on."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from server.live import events as ev
from server.storage.models import Organization, utcnow
from tests.harness import running_server
from tests.observer_client import ObserverClient
from tests.services import redis_url_or_skip

pytestmark = pytest.mark.services

SESSION = "/api/v1/candidate/session"
SURVEY = "/api/v1/candidate/self-identification"
REVIEW = "/api/v1/candidate/review-request"
QUESTIONS = [
    {"text": "Tell me about a team you led.", "competency": "leadership", "time_limit_s": 120},
    {"text": "What result are you proud of?", "competency": "results", "time_limit_s": 240},
    {"text": "Why this job?", "competency": "motivation"},
]


async def test_the_session_says_how_many_questions_how_long_and_what_is_analysed(db_url, tmp_path):
    async with running_server(db_url, tmp_path, questions=QUESTIONS) as h, aiohttp.ClientSession(h.base_url) as http:
        iv_id, token = await h.create_interview()
        async with http.get(SESSION, params={"token": token}) as r:
            s = await r.json()
        assert s["questions_total"] == 3 and s["question_time_limits_s"] == [120, 240, 180]
        assert s["expected_duration_s"] == 540
        assert s["analysis"] == [{"kind": "speech", "when": "always"}, {"kind": "content", "when": "always"},
                                 {"kind": "face_voice", "when": "with_consent"}]
        assert s["practice"] == {"available": True, "time_limit_s": 60} and s["review_requested_at"] is None

        # once the first question was asked, the practice is no longer offered
        await h.ctx.store.interviews.update(iv_id, status="live")
        await h.ctx.store.records.add_turn(iv_id, 0, 0, None, "question", QUESTIONS[0]["text"])
        async with http.get(SESSION, params={"token": token}) as r:
            assert (await r.json())["practice"]["available"] is False


async def test_a_server_that_never_analyses_faces_says_so(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path, nonverbal_analysis=False) as h, \
            aiohttp.ClientSession(h.base_url) as http:
        _, token = await h.create_interview()
        async with http.get(SESSION, params={"token": token}) as r:
            assert (await r.json())["analysis"][2] == {"kind": "face_voice", "when": "off"}


async def test_the_offer_refuses_a_practice_flag_that_is_not_a_boolean(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h, aiohttp.ClientSession(h.base_url) as http:
        _, token = await h.create_interview()
        async with http.post("/api/v1/candidate/offer", json={"token": token, "sdp": "v=0", "type": "offer",
                                                               "practice": "please"}) as r:
            assert r.status == 422 and (await r.json())["error"]["code"]


async def test_a_human_review_request_is_kept_once_however_often_it_is_asked(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h, aiohttp.ClientSession(h.base_url) as http:
        iv_id, token = await h.create_interview()
        async with http.post(REVIEW, json={"token": "forged"}) as r:
            assert r.status == 403 and (await r.json())["error"]["code"] == "invalid_link"
        answers = await asyncio.gather(*[http.post(REVIEW, json={"token": token}) for _ in range(4)])
        times = {(await r.json())["requested_at"] for r in answers}
        assert [r.status for r in answers] == [200] * 4 and len(times) == 1  # two tabs, double clicks: one request
        async with http.post(REVIEW, json={"token": token}) as r:
            assert (await r.json())["requested_at"] in times
        async with http.get(SESSION, params={"token": token}) as r:
            assert (await r.json())["review_requested_at"] in times  # the page shows it was asked
        detail = await h.ctx.store.interviews.detail(iv_id)
        assert detail["review_requested_at"]
        told = [e for e in detail["events"] if e["type"] == "interview.state"
                and e.get("reason") == "human_review_requested"]
        assert len(told) == 1  # HR is told once


async def _region(h, region: str) -> None:
    async with h.ctx.store.db.transaction() as s:
        (await s.get(Organization, h.org_id)).region = region


async def test_the_survey_asks_race_only_in_the_us_and_the_bias_check_works_without_it(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h, aiohttp.ClientSession(h.base_url) as http:
        tokens = []
        for i, (sex, score) in enumerate([("female", 4.0)] * 5 + [("male", 2.0)] * 5):
            iv_id, token = await h.create_interview(f"Person {i}")
            await h.ctx.store.records.add_score(iv_id, 0, 0, "ownership", score, 0.8, "", [{"quote": "q"}], [])
            await h.ctx.store.interviews.update(iv_id, status="finished", ended_at=utcnow())
            tokens.append((token, sex, iv_id))

        # a Chinese organisation (the default region): sex and age, no race/ethnicity question
        token, _, first_id = tokens[0]
        async with http.get(SURVEY, params={"token": token}) as r:
            survey = await r.json()
        assert [q["attribute"] for q in survey["questions"]] == ["sex", "age_band"]
        assert survey["questions"][0]["choices"] == ["female", "male", "non_binary"]
        async with http.post(SURVEY, json={"token": token, "sex": "female", "race_ethnicity": "asian"}) as r:
            body = await r.json()
            assert r.status == 422 and body["error"]["code"] == "not_asked"
            assert body["error"]["details"] == [{"field": "race_ethnicity", "message": "not asked in this region"}]
        assert await h.ctx.store.self_identification.get(first_id) is None  # nothing of a refused answer is kept
        for token, sex, _ in tokens:
            async with http.post(SURVEY, json={"token": token, "sex": sex, "age_band": "25_39"}) as r:
                assert r.status == 200, await r.text()

        async with h.hr_client() as hr:
            async with hr.get(f"/api/v1/jobs/{h.job_id}/bias") as r:
                bias = await r.json()
        sex = next(a for a in bias["attributes"] if a["attribute"] == "sex")
        rates = {g["group"]: (g["scoring_rate"], g["impact_ratio"], g["flagged"]) for g in sex["groups"]}
        assert rates == {"female": (1.0, 1.0, False), "male": (0.0, 0.0, True)}
        race = next(a for a in bias["attributes"] if a["attribute"] == "race_ethnicity")
        assert race["groups"] == [] and race["unknown"] == 10

        # a US organisation: the US EEO categories
        await _region(h, "us")
        async with http.get(SURVEY, params={"token": token}) as r:
            survey = await r.json()
        assert [q["attribute"] for q in survey["questions"]] == ["sex", "race_ethnicity", "age_band"]
        assert "american_indian_alaska_native" in survey["questions"][1]["choices"]
        async with http.post(SURVEY, json={"token": token, "race_ethnicity": "asian"}) as r:
            assert r.status == 200 and (await r.json())["race_ethnicity"] == "asian"


async def test_the_survey_questions_are_a_setting_per_region(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path, self_id_questions={"*": []}) as h, \
            aiohttp.ClientSession(h.base_url) as http:
        _, token = await h.create_interview()
        async with http.get(SURVEY, params={"token": token}) as r:
            assert (await r.json())["questions"] == []
        async with http.post(SURVEY, json={"token": token, "sex": "male"}) as r:
            assert r.status == 422


@pytest.mark.parametrize("bus", ["memory", "redis"])
async def test_events_for_the_candidate_alone_never_reach_observers_or_the_timeline(sqlite_url, tmp_path, bus):
    overrides = {"bus_url": await redis_url_or_skip()} if bus == "redis" else {}
    async with running_server(sqlite_url, tmp_path, **overrides) as h, aiohttp.ClientSession(h.base_url) as cand:
        iv_id, token = await h.create_interview()
        async with h.hr_client() as http, ObserverClient(http, iv_id) as observer:
            ws = await cand.ws_connect(f"/ws/v1/candidate?token={token}")
            assert (await ws.receive_json(timeout=5))["type"] == "snapshot"
            if hasattr(h.ctx.bus, "wait_subscribed"):
                await h.ctx.bus.wait_subscribed()
            await h.ctx.tell_candidate(ev.QuestionAsked(interview_id=iv_id, turn_index=-1, question_index=-1,
                                                        questions_total=2, text="What do you do on weekends?",
                                                        kind="practice", time_limit_s=60))
            await h.ctx.publish_event(ev.InterviewStateChanged(interview_id=iv_id, status="consented"))
            got = [await ws.receive_json(timeout=5), await ws.receive_json(timeout=5)]
            assert {(e["type"], e.get("kind")) for e in got} == {("question.asked", "practice"),
                                                                  ("interview.state", None)}
            await observer.wait_for(lambda e: e["type"] == "interview.state", 5)
            await ws.close()
        assert not observer.of_type("question.asked")
        events = (await h.ctx.store.interviews.detail(iv_id))["events"]
        assert "weekends" not in json.dumps(events) and [e["type"] for e in events] == ["interview.state"]
