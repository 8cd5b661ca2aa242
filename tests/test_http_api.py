"""HTTP API behaviour without media: login, scoping, links, consents, bad input, OpenAPI."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest
import sqlalchemy.exc
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from server.http.auth import Signer
from server.http.errors import error_middleware
from tests.harness import HR_EMAIL, running_server

pytestmark = pytest.mark.unit

ALL_CONSENTS = {"ai_evaluation": True, "recording": True, "face_voice_analysis": True}


async def test_login_and_org_scoping(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        async with aiohttp.ClientSession(h.base_url) as anon:
            async with anon.get("/api/v1/interviews") as r:
                assert r.status == 401 and (await r.json())["error"]["code"] == "not_logged_in"
            async with anon.post("/api/v1/auth/login", json={"email": HR_EMAIL, "password": "wrong"}) as r:
                assert r.status == 401 and (await r.json())["error"]["code"] == "bad_credentials"
        interview_id, _ = await h.create_interview("Ada")
        async with h.hr_client() as http:
            async with http.get("/api/v1/interviews") as r:
                names = [i["candidate_name"] for i in (await r.json())["interviews"]]
            assert names == ["Ada"]
        # A user of another organisation sees nothing of it.
        from server.http.auth import hash_password

        other = await h.ctx.store.accounts.create_org("Other Co")
        await h.ctx.store.accounts.create_user(other.id, "hr@other.test", hash_password("pw-other"))
        async with h.hr_client("hr@other.test", "pw-other") as http:
            async with http.get(f"/api/v1/interviews/{interview_id}") as r:
                assert r.status == 404
            async with http.get("/api/v1/interviews") as r:
                assert (await r.json())["interviews"] == []


async def test_other_org_cannot_observe(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        interview_id, _ = await h.create_interview("Ada")
        from server.http.auth import hash_password

        other = await h.ctx.store.accounts.create_org("Other Co")
        await h.ctx.store.accounts.create_user(other.id, "hr@other.test", hash_password("pw-other"))
        async with h.hr_client("hr@other.test", "pw-other") as http:
            with pytest.raises(aiohttp.WSServerHandshakeError) as exc:
                await http.ws_connect(f"/ws/v1/interviews/{interview_id}/observe")
            assert exc.value.status == 404


async def test_candidate_link_session_and_consents(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        interview_id, token = await h.create_interview("Bo")
        async with aiohttp.ClientSession(h.base_url) as http:
            async with http.get("/api/v1/candidate/session", params={"token": token}) as r:
                s = await r.json()
            assert s["status"] == "created" and s["questions_total"] == 2
            assert "AI" in s["disclosure"]
            assert [c["kind"] for c in s["consents"]] == ["ai_evaluation", "recording", "face_voice_analysis"]
            assert all(c["granted"] is None for c in s["consents"])
            async with http.get("/api/v1/candidate/session", params={"token": token, "lang": "zh"}) as r:
                assert "AI" in (await r.json())["disclosure"] and "面试" in (await r.json())["disclosure"]

            # Refusing AI evaluation is recorded, and joining is not possible.
            no_ai = {**ALL_CONSENTS, "ai_evaluation": False}
            async with http.post("/api/v1/candidate/consents", json={"token": token, "decisions": no_ai}) as r:
                assert r.status == 409 and (await r.json())["error"]["code"] == "consent_required"
            async with http.post("/api/v1/candidate/offer", json={"token": token, "sdp": "v=0\r\nm=audio 9 x\r\n",
                                                                  "type": "offer"}) as r:
                assert r.status == 409 and (await r.json())["error"]["code"] == "consent_required"

            partial = {**ALL_CONSENTS, "face_voice_analysis": False}
            async with http.post("/api/v1/candidate/consents", json={"token": token, "decisions": partial}) as r:
                assert r.status == 200, await r.text()
                out = await r.json()
            assert out["status"] == "consented"
            granted = {c["kind"]: c["granted"] for c in out["consents"]}
            assert granted == {"ai_evaluation": True, "recording": True, "face_voice_analysis": False}
        consents = await h.ctx.store.interviews.current_consents(interview_id)
        assert consents["face_voice_analysis"].granted is False and consents["ai_evaluation"].granted is True


async def test_forged_and_expired_links(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        interview_id, token = await h.create_interview()
        forged = Signer("another-secret", 3600).link_token(interview_id, "nonce")
        iv = await h.ctx.store.interviews.get(interview_id)
        real_clock = h.ctx.clock
        h.ctx.clock = lambda: real_clock() - timedelta(days=8)  # a link signed 8 days ago (links last 7)
        expired = h.ctx.signer.link_token(interview_id, iv.link_nonce)
        h.ctx.clock = real_clock
        async with aiohttp.ClientSession(h.base_url) as http:
            for bad, status, code in [(forged, 403, "invalid_link"), (token[:-3] + "abc", 403, "invalid_link"),
                                      (expired, 410, "link_expired")]:
                async with http.get("/api/v1/candidate/session", params={"token": bad}) as r:
                    body = await r.json()
                    assert r.status == status and body["error"]["code"] == code, body
                    assert "Traceback" not in await r.text()
                with pytest.raises(aiohttp.WSServerHandshakeError) as exc:
                    await http.ws_connect(f"/ws/v1/candidate?token={bad}")
                assert exc.value.status == status
            # The page itself still loads and shows the error from the API.
            async with http.get(f"/i/{forged}") as r:
                assert r.status == 200 and "interview.js" in await r.text()


async def test_bad_bodies_and_sdp_get_clear_errors(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        interview_id, token = await h.create_interview()
        async with aiohttp.ClientSession(h.base_url) as http:
            await (await http.post("/api/v1/candidate/consents",
                                   json={"token": token, "decisions": ALL_CONSENTS})).release()
            cases = [
                ({"token": token, "sdp": "hello", "type": "offer"}, 400, "bad_sdp"),
                ({"token": token, "sdp": "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=video 9 x\r\n", "type": "offer"}, 400,
                 "bad_sdp"),
                ({"token": token, "sdp": "v=0\r\nm=audio " + "x" * 70000, "type": "offer"}, 400, "bad_sdp"),
                ({"token": token, "sdp": "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=garbage\r\n", "type": "offer"},
                 400, "bad_sdp"),
                ({"token": token, "type": "offer"}, 422, "invalid_request"),
                ({"token": token, "sdp": "v=0", "type": "answer"}, 422, "invalid_request"),
            ]
            for body, status, code in cases:
                async with http.post("/api/v1/candidate/offer", json=body) as r:
                    data = await r.json()
                    assert (r.status, data["error"]["code"]) == (status, code), data
            async with http.post("/api/v1/candidate/offer", data=b"{not json",
                                 headers={"Content-Type": "application/json"}) as r:
                assert r.status == 400 and (await r.json())["error"]["code"] == "bad_json"
            async with http.post("/api/v1/candidate/offer", data=b"x" * (300 * 1024),
                                 headers={"Content-Type": "application/json"}) as r:
                assert r.status == 413 and (await r.json())["error"]["code"] == "too_large"
        iv = await h.ctx.store.interviews.get(interview_id)
        assert iv.status == "consented"  # nothing about the interview changed
        assert await h.ctx.store.records.turns(interview_id) == []


async def test_unknown_websocket_messages_keep_the_stream_open(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        interview_id, token = await h.create_interview()
        async with aiohttp.ClientSession(h.base_url) as http:
            async with http.ws_connect(f"/ws/v1/candidate?token={token}") as ws:
                snap = await ws.receive_json(timeout=5)
                assert snap["type"] == "snapshot" and snap["status"] == "created"
                await ws.send_str('{"type": "launch_rockets"}')
                err = await ws.receive_json(timeout=5)
                assert err["type"] == "error" and err["code"] == "unknown_message"
                await ws.send_str("not json at all")
                assert (await ws.receive_json(timeout=5))["code"] == "bad_message"
                await ws.send_bytes(b"\x00\x01")
                assert (await ws.receive_json(timeout=5))["code"] == "bad_message"
                # "I have finished" needs the answer's turn, and an open answer (this interview has not started)
                await ws.send_str('{"type": "answer.finished"}')
                assert (await ws.receive_json(timeout=5))["code"] == "bad_message"
                await ws.send_str('{"type": "answer.finished", "turn_index": 0}')
                assert (await ws.receive_json(timeout=5))["code"] == "not_answering"
                await ws.send_str('{"type": "ping"}')
                assert (await ws.receive_json(timeout=5))["type"] == "pong"
        async with h.hr_client() as http:
            async with http.ws_connect(f"/ws/v1/interviews/{interview_id}/observe") as ws:
                snap = await ws.receive_json(timeout=5)
                assert snap["type"] == "snapshot" and snap["interview"]["candidate"]["name"] == "Test Candidate"
                await ws.send_str('[1, 2, 3]')
                assert (await ws.receive_json(timeout=5))["code"] == "unknown_message"
                await ws.send_str('{"type": "ping"}')
                assert (await ws.receive_json(timeout=5))["type"] == "pong"


async def test_openapi_document_lists_every_route(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        async with aiohttp.ClientSession(h.base_url) as http:
            async with http.get("/api/v1/openapi.json") as r:
                doc = await r.json()
            async with http.get("/api/v1/health") as r:
                health = await r.json()
    assert doc["openapi"].startswith("3.")
    for path in ["/api/v1/auth/login", "/api/v1/interviews", "/api/v1/candidate/offer", "/api/v1/candidate/consents"]:
        assert path in doc["paths"], path
    offer = doc["paths"]["/api/v1/candidate/offer"]["post"]
    schema_name = offer["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(doc["components"]["schemas"][schema_name]["required"]) >= {"token", "sdp", "type"}
    assert health["status"] == "ok" and "p95" in health["loop_lag_ms"]
    # the interview list: every parameter optional, a repeated one for several statuses
    listing = {p["name"]: p for p in doc["paths"]["/api/v1/interviews"]["get"]["parameters"]}
    assert {"sort", "order", "status", "job_id", "date_field", "date_from", "date_to", "has_flags", "score_min",
            "score_max", "q", "offset", "limit"} <= set(listing)
    assert not any(p["required"] for p in listing.values()) and listing["status"]["explode"] is True
    assert "finished" in listing["status"]["schema"]["items"]["enum"]
    copy = doc["paths"]["/api/v1/interviews/{interview_id}/link"]["get"]
    assert copy["x-audited-read"] == "link.copy" and copy["x-roles"] == ["admin", "recruiter"]
    assert "409" in copy["responses"]
    assert doc["paths"]["/api/v1/interviews/{interview_id}/invitations/resend"]["post"]["x-scope"] == "interview"


async def test_a_database_too_busy_to_answer_is_a_clear_503():
    """Every pooled connection busy for the pool's whole timeout: 503 server_busy with Retry-After, not a 500."""
    async def busy(request):
        raise sqlalchemy.exc.TimeoutError("QueuePool limit of size 10 overflow 10 reached")

    app = web.Application(middlewares=[error_middleware])
    app.router.add_get("/api/v1/busy", busy)
    async with TestClient(TestServer(app)) as client:
        async with client.get("/api/v1/busy") as r:
            assert r.status == 503 and r.headers["Retry-After"] == "2"
            assert (await r.json())["error"]["code"] == "server_busy"
