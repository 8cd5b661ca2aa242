"""GET /metrics as an operator's Prometheus reads it: the text format parses, the figures move with what the server
really does (requests, background jobs, model calls, decodes, analysis, worker pools), no label carries an id, a
name or a link token, and only the callers the ``metrics`` setting admits read it."""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from fractions import Fraction

import aiohttp
import av
import numpy as np
import pytest
from aiohttp import web
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from pydantic import BaseModel

from analyzers import inference_pool
from analyzers.llm_client import LlmClient, LlmEndpoint, LlmError, LlmTimeoutError, LlmUnavailableError
from analyzers.observation import FrameAnalyzer, Observation
from analyzers.transcriber import StreamingTranscriber
from analyzers.video_scheduler import VideoAnalysisScheduler
from media import decode_timing
from media.video import LatestFrameSlot
from server.http.access_log import MaskedAccessLogger
from server.http.app import create_app
from server.platform.settings import Settings
from tests.fake_speech import ScriptedSpeechModel, speak
from tests.harness import free_port, running_server, until

pytestmark = pytest.mark.unit

TOKEN = "metrics-token-" + "k" * 24
Samples = dict[tuple[str, frozenset], float]


async def scrape(http: aiohttp.ClientSession, **headers: str) -> tuple[int, str]:
    async with http.get("/metrics", headers=headers) as r:
        return r.status, await r.text()


def parse(text: str) -> Samples:
    """Every sample of the exposition, by name and labels (the official parser: it raises on a malformed line)."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def metrics_of(http: aiohttp.ClientSession) -> Samples:
    status, text = await scrape(http)
    assert status == 200, text
    return parse(text)


def process_value(name: str, **labels: str) -> float:
    """A process-wide sample straight from prometheus_client's registry (for the library layers' metrics)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_the_exposition_parses_and_counts_real_requests_by_route_template(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        interview_id, _ = await h.create_interview()
        async with aiohttp.ClientSession(h.base_url) as anonymous, h.hr_client() as hr:
            async with anonymous.get("/metrics") as r:
                assert r.status == 200
                assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
                before = parse(await r.text())
            for _ in range(3):
                async with anonymous.get("/api/v1/health") as r:
                    assert r.status == 200
            async with hr.get(f"/api/v1/interviews/{interview_id}") as r:
                assert r.status == 200
            async with anonymous.get("/no/such/page/anywhere") as r:
                assert r.status == 404
            after = await metrics_of(anonymous)

    health = {"method": "GET", "route": "/api/v1/health"}
    assert value(after, "interview_http_requests_total", status="200", **health) \
        - value(before, "interview_http_requests_total", status="200", **health) == 3
    assert value(after, "interview_http_request_duration_seconds_count", **health) \
        - value(before, "interview_http_request_duration_seconds_count", **health) == 3
    template = {"method": "GET", "route": "/api/v1/interviews/{interview_id}", "status": "200"}
    assert value(after, "interview_http_requests_total", **template) >= 1
    assert value(after, "interview_http_requests_total", method="GET", route="(unmatched)", status="404") >= 1
    routes = {dict(labels).get("route") for (name, labels) in after if name == "interview_http_requests_total"}
    assert not any(interview_id in r for r in routes if r), routes  # the template, never the id
    # what the node holds, and the process's own figures
    assert value(after, "interview_live_sessions") == 0
    assert value(after, "interview_queue_capacity", queue="password_checks") == 32
    assert value(after, "interview_queue_capacity", queue="imports") == 2
    assert value(after, "interview_queue_capacity", queue="record_writes") == 10_000
    assert value(after, "interview_pool_threads", pool="inference") >= 1
    assert value(after, "process_resident_memory_bytes") > 0


async def test_no_label_or_value_names_a_candidate_an_id_or_a_link_token(sqlite_url, tmp_path):
    name, email = "Xiadong Quellberry", "quellberry.x@example.com"
    async with running_server(sqlite_url, tmp_path) as h:
        async with h.hr_client() as hr:
            async with hr.post("/api/v1/interviews", json={"job_id": h.job_id, "language": "en",
                                                           "candidate": {"name": name, "email": email}}) as r:
                assert r.status == 201, await r.text()
                created = await r.json()
            async with hr.get(f"/api/v1/interviews/{created['interview_id']}") as r:
                assert r.status == 200
                candidate_id = (await r.json()).get("candidate_id", "")
        token = created["token"]
        async with aiohttp.ClientSession(h.base_url) as http:
            async with http.get(f"/i/{token}") as r:
                assert r.status == 200
            async with http.get("/api/v1/candidate/session", params={"token": token}) as r:
                assert r.status == 200
            async with http.get("/api/v1/candidate/session", params={"token": token + "x"}) as r:
                assert r.status == 403
            status, text = await scrape(http)
    assert status == 200
    parse(text)
    secrets = [name, email, "Quellberry", token, token[:16], created["interview_id"], h.org_id, h.job_id,
               h.hr_user_id, "hr@acme.test"] + ([candidate_id] if candidate_id else [])
    leaked = [s for s in secrets if s and s.lower() in text.lower()]
    assert leaked == []
    assert 'route="/i/{token}"' in text and 'route="/api/v1/candidate/session"' in text


async def test_loopback_mode_serves_this_machine_only_and_never_through_a_proxy(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path, seed=False) as h:
        assert h.settings.metrics == "loopback"  # the default
        async with aiohttp.ClientSession(h.base_url) as http:
            assert (await scrape(http))[0] == 200
            for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
                status, text = await scrape(http, **{header: "203.0.113.9"})
                assert status == 403 and '"code": "forbidden"' in text and "interview_" not in text


def _this_machines_address() -> str | None:
    """A non-loopback address of this machine (no packet is sent), or None in a loopback-only namespace."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = s.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


async def test_loopback_mode_refuses_a_request_from_another_address(tmp_path):
    address = _this_machines_address()
    if address is None:
        pytest.skip("SKIPPED LOUDLY: this machine has no non-loopback address to call the server from")
    port = free_port()
    settings = Settings(host=address, port=port, data_dir=tmp_path, secret_key="test-secret-" + "x" * 32,
                        database_url=f"sqlite+aiosqlite:///{tmp_path}/m.db", llm_engine="off")
    runner = web.AppRunner(create_app(settings), shutdown_timeout=2, access_log_class=MaskedAccessLogger)
    await runner.setup()
    await web.TCPSite(runner, address, port).start()
    try:
        async with aiohttp.ClientSession(f"http://{address}:{port}") as http:
            status, text = await scrape(http)
            assert status == 403 and "forbidden" in text
            async with http.get("/api/v1/health") as r:
                assert r.status == 200  # the server itself answers that address
    finally:
        await runner.cleanup()


async def test_token_mode_needs_the_bearer_token_and_off_mode_serves_no_one(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path, seed=False, metrics="token", metrics_token=TOKEN) as h:
        async with aiohttp.ClientSession(h.base_url) as http:
            async with http.get("/metrics") as r:
                assert r.status == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
                assert (await r.json())["error"]["code"] == "unauthorized"
            assert (await scrape(http, Authorization="Bearer " + TOKEN[:-1] + "x"))[0] == 401
            assert (await scrape(http, Authorization="Basic " + TOKEN))[0] == 401
            status, text = await scrape(http, Authorization="Bearer " + TOKEN, **{"X-Forwarded-For": "203.0.113.9"})
            assert status == 200 and "interview_live_sessions" in text
    async with running_server(sqlite_url, tmp_path, seed=False, metrics="off") as h:
        async with aiohttp.ClientSession(h.base_url) as http:
            status, text = await scrape(http)
            assert status == 404 and '"code": "not_found"' in text


def test_token_mode_without_a_token_is_refused_at_start():
    with pytest.raises(ValueError, match="INTERVIEW_METRICS_TOKEN"):
        Settings(metrics="token")
    with pytest.raises(ValueError):
        Settings(metrics="token", metrics_token="short")


async def test_background_jobs_and_the_event_loop_are_measured(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path, seed=False) as h:
        async with aiohttp.ClientSession(h.base_url) as http:
            async def measured() -> Samples | None:
                s = await metrics_of(http)
                ok = (value(s, "interview_background_job_runs_total", job="reminders.tick", outcome="ok") >= 1
                      and value(s, "interview_background_job_runs_total", job="retention.sweep", outcome="ok") >= 1
                      and value(s, "interview_event_loop_lag_seconds_count") >= 1)
                return s if ok else None

            samples = await until(measured, what="a reminder run, a retention sweep and a loop-lag sample")
    assert value(samples, "interview_background_job_duration_seconds_count", job="reminders.tick") >= 1


async def test_a_busy_inference_pool_shows_its_calls_in_flight(sqlite_url, tmp_path):
    release = threading.Event()
    async with running_server(sqlite_url, tmp_path, seed=False) as h:
        async with aiohttp.ClientSession(h.base_url) as http:
            idle = value(await metrics_of(http), "interview_pool_in_flight", pool="inference")
            calls = [asyncio.ensure_future(inference_pool.run_inference(release.wait, 10)) for _ in range(2)]
            try:
                busy = await until(lambda: _in_flight_at_least(http, idle + 2), what="two calls in flight")
                assert value(busy, "interview_pool_capacity", pool="inference") >= 2
            finally:
                release.set()
                await asyncio.gather(*calls)
            assert value(await metrics_of(http), "interview_pool_in_flight", pool="inference") == idle


async def _in_flight_at_least(http: aiohttp.ClientSession, n: float) -> Samples | None:
    s = await metrics_of(http)
    return s if value(s, "interview_pool_in_flight", pool="inference") >= n else None


class Verdict(BaseModel):
    ok: bool


async def test_language_model_calls_are_counted_by_outcome_and_fallbacks_show(fake_openai):
    def calls(outcome: str) -> float:
        return process_value("interview_llm_calls_total", call="ask", outcome=outcome)

    before = {o: calls(o) for o in ("answered", "cached", "unavailable", "failed", "timeout")}
    seconds_before = process_value("interview_llm_call_seconds_count", call="ask")
    messages = [{"role": "user", "content": "Is this fine?"}]
    fake_openai.reply_content = '{"ok": true}'
    client = LlmClient(LlmEndpoint(fake_openai.base_url, "m"), timeout_s=5)
    assert (await client.ask(messages, Verdict)).value.ok
    assert (await client.ask(messages, Verdict)).cached
    with pytest.raises(LlmUnavailableError):
        await LlmClient().ask(messages, Verdict)
    fake_openai.mode = "http500"
    with pytest.raises(LlmError):
        await client.ask([{"role": "user", "content": "Another question"}], Verdict)
    fake_openai.mode = "slow"
    with pytest.raises(LlmTimeoutError):
        await client.ask([{"role": "user", "content": "A slow one"}], Verdict, timeout_s=0.3)
    delta = {o: calls(o) - before[o] for o in before}
    assert delta == {"answered": 1, "cached": 1, "unavailable": 1, "failed": 1, "timeout": 1}
    assert process_value("interview_llm_call_seconds_count", call="ask") - seconds_before == 1


async def test_speech_model_decodes_are_timed_by_model_and_step():
    def finals() -> float:
        return sum(process_value("interview_speech_decode_seconds_count", model="scripted", step=step)
                   for step in ("finish_utterance", "finish_speculated"))

    before = finals()
    script = speak(300, ("I led a team of five people.", 1600), 1200)
    transcriber = StreamingTranscriber(ScriptedSpeechModel(script), lambda e: None)
    pcm = script.audio()
    for i in range(len(pcm) // 320):
        transcriber.push(pcm[i * 320:(i + 1) * 320], i * 20)
        await asyncio.sleep(0)
    await transcriber.close()
    assert finals() - before == 1  # one utterance, one final decode
    assert process_value("interview_speech_decode_seconds_count", model="scripted", step="open_stream") >= 1


async def test_received_audio_and_video_decodes_are_timed_by_codec():
    from aiortc import rtcrtpreceiver
    from aiortc.codecs import depayload, get_encoder
    from aiortc.jitterbuffer import JitterFrame
    from aiortc.rtcrtpparameters import RTCRtpCodecParameters

    assert decode_timing.install() and decode_timing.install()  # idempotent
    vp8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
    opus = RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48000, channels=2, payloadType=111)
    before = {c: process_value("interview_media_decode_seconds_count", kind=k, codec=c)
              for k, c in (("video", "vp8"), ("audio", "opus"))}

    video = av.VideoFrame.from_ndarray(np.full((480, 640, 3), 90, np.uint8), format="rgb24").reformat(
        format="yuv420p")
    video.pts, video.time_base = 0, Fraction(1, 90000)
    audio = av.AudioFrame.from_ndarray(np.zeros((1, 960 * 2), np.int16), format="s16", layout="stereo")
    audio.sample_rate, audio.pts, audio.time_base = 48000, 0, Fraction(1, 48000)
    for codec, frame, kind in ((vp8, video, "video"), (opus, audio, "audio")):
        encoder = get_encoder(codec)
        payloads, timestamp = encoder.encode(frame, force_keyframe=True)
        decoder = rtcrtpreceiver.get_decoder(codec)  # what aiortc's receiver thread calls
        data = b"".join(depayload(codec, p) for p in payloads)
        decoded = decoder.decode(JitterFrame(data=data, timestamp=timestamp))
        assert decoded and all(f.__class__.__name__.lower().startswith(kind) for f in decoded)
    assert process_value("interview_media_decode_seconds_count", kind="video", codec="vp8") - before["vp8"] == 1
    assert process_value("interview_media_decode_seconds_count", kind="audio", codec="opus") - before["opus"] == 1


class Brightness(FrameAnalyzer):
    name = "brightness-metric-test"
    default_fps = 10.0

    def analyze(self, rgb: np.ndarray, t_ms: int) -> Observation:
        return Observation(self.name, t_ms, {"brightness": float(rgb.mean())})


async def test_video_frame_analysis_and_its_lag_are_timed_per_analyzer():
    slot = LatestFrameSlot()
    observed: list[float] = []
    start = time.monotonic()
    scheduler = VideoAnalysisScheduler([Brightness()], slot, lambda o, lag: observed.append(lag),
                                       lambda t: int((t - start) * 1000))
    frame = av.VideoFrame.from_ndarray(np.full((120, 160, 3), 50, np.uint8), format="rgb24")
    scheduler.start()
    try:
        async def fed() -> bool:
            slot.put(frame)
            await asyncio.sleep(0.05)
            return len(observed) >= 3
        await until(fed, what="three observations")
    finally:
        await scheduler.close()
    name = Brightness.name
    assert process_value("interview_frame_analysis_seconds_count", analyzer=name) == len(observed)
    assert process_value("interview_analysis_lag_seconds_count", analyzer=name) == len(observed)
    assert process_value("interview_analysis_lag_seconds_sum", analyzer=name) == pytest.approx(sum(observed) / 1000)


@pytest.mark.models
async def test_a_real_interview_moves_the_session_decode_and_analysis_figures(sqlite_url, tmp_path):
    """One candidate over real WebRTC (aiortc client) with real speech recognition and face analysis."""
    from benchmarks.synthetic_candidate import SyntheticCandidate
    from benchmarks.synthetic_media import make_face_video, make_speech_wav

    if shutil.which("espeak-ng") is None:
        pytest.skip("SKIPPED LOUDLY: espeak-ng is not installed (it speaks the candidate's answer)")
    wav = make_speech_wav(tmp_path / "answer.wav", [0.3, "My team of five engineers rebuilt the payment service.",
                                                    4.0], voice="en-us").path
    video = make_face_video(tmp_path / "face.y4m", seconds=2.0)
    name = "Perpetua Olumide-Hart"
    async with running_server(sqlite_url, tmp_path) as h:
        interview_id, token = await h.create_interview(name)
        async with aiohttp.ClientSession(h.base_url) as http:
            before = await metrics_of(http)
            async with SyntheticCandidate(h.base_url, token, wav, video, hold_audio=True) as candidate:
                await candidate.wait_for_type("question.asked", 20)
                during = await until(lambda: _connected(http), what="the session counted as connected")
                candidate.release_audio()
                await candidate.wait_for_type("question.asked", 40, turn_index=1)
                answered = value(before, "interview_answer_to_question_seconds_count") + 1
                await until(lambda: _at_least(http, "interview_answer_to_question_seconds_count", answered),
                            what="the answer-to-question time recorded (just after the question is sent)")
                status, text = await scrape(http)
            assert status == 200
            after = parse(text)
    assert value(during, "interview_live_sessions") == 1 and value(during, "interview_connected_sessions") == 1

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("interview_media_decode_seconds_count", kind="audio", codec="opus") > 100  # 20 ms frames
    assert grew("interview_media_decode_seconds_count", kind="video", codec="vp8") > 0
    finals = sum(grew("interview_speech_decode_seconds_count", model="whisper-tiny.en", step=step)
                 for step in ("finish_utterance", "finish_speculated"))
    assert finals >= 1
    assert grew("interview_frame_analysis_seconds_count", analyzer="face") > 0
    assert grew("interview_analysis_lag_seconds_count", analyzer="face") > 0
    assert grew("interview_answer_to_question_seconds_count") == 1
    assert value(after, "interview_queue_capacity", queue="live_interview_work") >= 1
    assert value(after, "interview_queue_capacity", queue="live_feed") >= 1
    for secret in (name, token, interview_id):
        assert secret not in text


async def _connected(http: aiohttp.ClientSession) -> Samples | None:
    s = await metrics_of(http)
    return s if value(s, "interview_connected_sessions") == 1 else None


async def _at_least(http: aiohttp.ClientSession, name: str, n: float) -> bool:
    return value(await metrics_of(http), name) >= n
