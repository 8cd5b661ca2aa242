"""A synthetic interview candidate over real WebRTC (aiortc), speaking the public candidate contract.

It does what the candidate page does (docs/API.md): gives the consents, opens the candidate WebSocket, sends a
WebRTC offer with a microphone track (a WAV streamed in real time) and optionally a camera track (a Y4M file or
the synthetic face), applies the answer, and acknowledges every ``question.asked`` with ``question.spoken``.

It records every event it receives with the local receive time, and the wall time at which the end of each
spoken part of the WAV (from a :class:`~benchmarks.synthetic_media.SpeechTimeline`) left the audio track, so
callers can compute end-of-utterance -> event latencies.

The media tracks it sends (and their timing) are in benchmarks/media_tracks.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import aiohttp
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from benchmarks.media_tracks import PacedVideoTrack, SpeechEndSent, SyntheticFaceTrack, WavAudioTrack, Y4mVideoTrack
from benchmarks.synthetic_media import SpeechTimeline

log = logging.getLogger(__name__)

__all__ = [
    "CandidateApiError",
    "ReceivedEvent",
    "SyntheticCandidate",
]

CONSENT_KINDS = ("ai_evaluation", "recording", "face_voice_analysis")


class CandidateApiError(Exception):
    """An HTTP error answer of the server: ``status`` and the JSON ``error.code`` (``None`` if not JSON)."""

    def __init__(self, status: int, code: str | None, message: str, url: str = ""):
        super().__init__(f"{status} {code or '?'}: {message} ({url})")
        self.status = status
        self.code = code
        self.message = message
        self.url = url


async def raise_for_api_error(resp: aiohttp.ClientResponse) -> None:
    """Raise :class:`CandidateApiError` for a 4xx/5xx answer, with the contract's ``{"error": {code, message}}``."""
    if resp.status < 400:
        return
    text = await resp.text()
    code: str | None = None
    message = text[:500]
    try:
        body = json.loads(text)
        err = body.get("error") if isinstance(body, dict) else None
        if isinstance(err, dict):
            code = err.get("code")
            message = err.get("message") or message
    except ValueError:
        pass
    raise CandidateApiError(resp.status, code, message, str(resp.url))


@dataclass(frozen=True)
class ReceivedEvent:
    """A WebSocket message as received: local receive time (``time.time()``) and the decoded JSON."""

    received_at: float
    data: dict[str, Any]

    @property
    def type(self) -> str | None:
        return self.data.get("type")

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


# ------------------------------------------------------------------------------------------------------ candidate


class SyntheticCandidate:
    """A candidate that joins an interview over the public contract with real WebRTC media.

    ``video``: a Y4M path, the string ``"synthetic"`` (astronaut frames generated on the fly), or None (audio
    only). ``timeline``: the WAV's :class:`SpeechTimeline` (needed for :attr:`speech_end_times`).
    ``hold_audio``: stream silence until :meth:`release_audio` (e.g. once the first question was asked).
    ``auto_question_spoken``: answer every ``question.asked`` with ``question.playing`` at once and
    ``question.spoken`` after ``question_speak_s`` seconds, as the page does around speaking the question.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        wav_path: str | Path,
        video: Path | str | None,
        loop_audio: bool = False,
        start_delay: float = 0.0,
        *,
        timeline: SpeechTimeline | None = None,
        consents: dict[str, bool] | None = None,
        takeover: bool = False,
        hold_audio: bool = False,
        audio_channels: int = 1,
        video_fps: float | None = None,
        auto_question_spoken: bool = True,
        question_speak_s: float = 0.0,
        ice_addresses: Sequence[str] | None = ("127.0.0.1",),
        http_timeout_s: float = 30.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.wav_path = Path(wav_path)
        self.video = video
        self.loop_audio = loop_audio
        self.start_delay = start_delay
        self.timeline = timeline
        self.consents = {k: True for k in CONSENT_KINDS} if consents is None else dict(consents)
        self.takeover = takeover
        self.hold_audio = hold_audio
        self.audio_channels = audio_channels
        self.video_fps = video_fps
        self.auto_question_spoken = auto_question_spoken
        self.question_speak_s = question_speak_s
        self.ice_addresses = list(ice_addresses) if ice_addresses else None
        self.http_timeout_s = http_timeout_s

        self._own_session = session is None
        self._session = session
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ws_task: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self._pc: RTCPeerConnection | None = None
        self.audio_track: WavAudioTrack | None = None
        self.video_track: PacedVideoTrack | None = None
        self._events: list[ReceivedEvent] = []
        self._changed = asyncio.Event()
        self._closed = False
        self.connection_id: str | None = None
        self.consent_answer: dict | None = None
        self.session_info: dict | None = None
        self.pc_states: list[tuple[float, str]] = []
        self.ws_closed_at: float | None = None
        self.ws_close_reason: str | None = None
        """How the WebSocket ended: the close code and the exception, if any (for load runs' loss reports)."""
        self.started_at: float | None = None

    # -- public state

    @property
    def events(self) -> list[ReceivedEvent]:
        """Every message received on the candidate WebSocket, in order (a copy)."""
        return list(self._events)

    @property
    def speech_ends(self) -> list[SpeechEndSent]:
        return list(self.audio_track.speech_ends) if self.audio_track else []

    @property
    def speech_end_times(self) -> list[float]:
        """Wall times at which each speech part's end was sent, in order (repeats per loop with loop_audio)."""
        return [s.sent_at for s in self.speech_ends]

    @property
    def peer_connection(self) -> RTCPeerConnection | None:
        return self._pc

    @property
    def connection_state(self) -> str | None:
        return self._pc.connectionState if self._pc else None

    def events_of(self, type_: str) -> list[ReceivedEvent]:
        return [e for e in self._events if e.type == type_]

    # -- HTTP helpers

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.http_timeout_s),
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def _post_json(self, path: str, body: dict) -> dict:
        async with self._http().post(self.base_url + path, json=body) as resp:
            await raise_for_api_error(resp)
            if resp.status == 204:
                return {}
            return await resp.json(content_type=None)

    async def get_session_info(self) -> dict:
        async with self._http().get(self.base_url + "/api/v1/candidate/session", params={"token": self.token}) as r:
            await raise_for_api_error(r)
            self.session_info = await r.json(content_type=None)
            return self.session_info

    async def give_consents(self, decisions: dict[str, bool] | None = None) -> dict:
        decisions = self.consents if decisions is None else decisions
        self.consent_answer = await self._post_json(
            "/api/v1/candidate/consents", {"token": self.token, "decisions": decisions}
        )
        return self.consent_answer

    # -- lifecycle

    async def start(self) -> None:
        """Consents, candidate WebSocket, WebRTC offer/answer. Raises :class:`CandidateApiError` on HTTP errors.

        ``start_delay`` is not a connect delay: it is silence at the head of the audio stream before the WAV."""
        self.started_at = time.time()
        if self.ice_addresses:
            from media.ice import advertise_host_addresses

            advertise_host_addresses(self.ice_addresses)
        await self.give_consents()
        await self.open_websocket()
        await self.connect_media()

    async def open_websocket(self) -> None:
        ws_url = self.base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        try:
            self._ws = await self._http().ws_connect(
                ws_url + "/ws/v1/candidate", params={"token": self.token}, heartbeat=20.0,
                timeout=aiohttp.ClientWSTimeout(ws_close=5.0),
            )
        except aiohttp.WSServerHandshakeError as exc:
            raise CandidateApiError(exc.status, _ws_code(exc), exc.message, ws_url) from exc
        self._ws_task = asyncio.create_task(self._read_ws(), name="candidate-ws")

    async def connect_media(self) -> None:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))  # no STUN: loopback only, no DNS, no internet
        self._pc = pc

        @pc.on("connectionstatechange")
        def _on_state() -> None:
            self.pc_states.append((time.time(), pc.connectionState))

        self.audio_track = WavAudioTrack(
            self.wav_path,
            timeline=self.timeline,
            loop=self.loop_audio,
            start_delay=self.start_delay,
            channels=self.audio_channels,
            hold=self.hold_audio,
        )
        pc.addTrack(self.audio_track)
        if self.video is not None:
            if isinstance(self.video, str) and self.video == "synthetic":
                self.video_track = SyntheticFaceTrack(fps=self.video_fps or 15)
            else:
                self.video_track = Y4mVideoTrack(Path(self.video), fps=self.video_fps)
            pc.addTrack(self.video_track)
        offer = await pc.createOffer()
        await pc.setLocalDescription(offer)  # aiortc returns once ICE gathering is complete
        answer = await self._post_json(
            "/api/v1/candidate/offer",
            {"token": self.token, "sdp": pc.localDescription.sdp, "type": pc.localDescription.type,
             "takeover": self.takeover},
        )
        self.connection_id = answer.get("connection_id")
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer.get("type", "answer")))

    def release_audio(self, delay: float = 0.0) -> None:
        """Start the WAV now (+ ``delay``) on a candidate created with ``hold_audio=True``."""
        if self.audio_track is None:
            raise RuntimeError("start() first")
        self.audio_track.release(delay)

    async def wait_connected(self, timeout: float = 10.0) -> None:
        """Wait until the peer connection is ``connected`` (raises TimeoutError, or RuntimeError on failure)."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.connection_state
            if state == "connected":
                return
            if state in ("failed", "closed"):
                raise RuntimeError(f"peer connection {state}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"peer connection still {state} after {timeout} s")
            await asyncio.sleep(0.05)

    async def send(self, message: dict) -> None:
        if self._ws is None or self._ws.closed:
            raise RuntimeError("candidate WebSocket is not open")
        await self._ws.send_json(message)

    async def _read_ws(self) -> None:
        assert self._ws is not None
        try:
            async for msg in self._ws:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    now = time.time()
                    try:
                        data = json.loads(msg.data)
                    except ValueError:
                        data = {"type": "_unparseable", "raw": msg.data[:1000]}
                    if not isinstance(data, dict):
                        data = {"type": "_unexpected", "raw": data}
                    self._events.append(ReceivedEvent(now, data))
                    self._wake()
                    if self.auto_question_spoken and data.get("type") == "question.asked":
                        self._spawn(self._ack_question(data.get("turn_index")))
                elif msg.type in (aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE):
                    break
        except Exception as exc:  # network errors end the reader; the candidate's state shows it
            self.ws_close_reason = repr(exc)
            log.debug("candidate websocket reader stopped", exc_info=True)
        finally:
            if self.ws_close_reason is None:
                self.ws_close_reason = f"close code {self._ws.close_code}, {self._ws.exception()!r}"
            self.ws_closed_at = time.time()
            self._wake()

    async def _ack_question(self, turn_index: Any) -> None:
        """Like the page: "question.playing" when it starts speaking the question, "question.spoken" when done."""
        try:
            await self.send({"type": "question.playing", "turn_index": turn_index})
            if self.question_speak_s > 0:
                await asyncio.sleep(self.question_speak_s)
            await self.send({"type": "question.spoken", "turn_index": turn_index})
        except Exception:
            log.debug("could not send question.playing/spoken", exc_info=True)

    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float, since: int = 0
    ) -> ReceivedEvent:
        """The first received event (from index ``since``) whose JSON satisfies ``predicate``; waits up to
        ``timeout`` seconds for it. Raises TimeoutError (or ConnectionError if the WebSocket closed first)."""
        deadline = time.monotonic() + timeout
        checked = since
        while True:
            while checked < len(self._events):
                ev = self._events[checked]
                checked += 1
                if predicate(ev.data):
                    return ev
            if self.ws_closed_at is not None and self._ws_task is not None and self._ws_task.done():
                raise ConnectionError("candidate WebSocket closed before the event arrived")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching event within {timeout} s")
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def wait_for_type(self, type_: str, timeout: float, since: int = 0, **fields: Any) -> ReceivedEvent:
        return await self.wait_for(
            lambda d: d.get("type") == type_ and all(d.get(k) == v for k, v in fields.items()), timeout, since
        )

    async def close(self) -> None:
        """Stop the media, close the peer connection, the WebSocket and the HTTP session. Idempotent."""
        if self._closed:
            return
        self._closed = True
        for track in (self.audio_track, self.video_track):
            if track is not None:
                track.stop()
        if self._pc is not None:
            try:
                await asyncio.wait_for(self._pc.close(), 10)
            except Exception:
                log.debug("peer connection close failed", exc_info=True)
        if self._ws is not None and not self._ws.closed:
            try:
                await asyncio.wait_for(self._ws.close(), 5)
            except Exception:
                pass
        for task in [self._ws_task, *self._tasks]:
            if task is not None and not task.done():
                task.cancel()
        await asyncio.gather(*(t for t in [self._ws_task, *self._tasks] if t is not None), return_exceptions=True)
        if self._own_session and self._session is not None:
            await self._session.close()

    async def __aenter__(self) -> "SyntheticCandidate":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _ws_code(exc: aiohttp.WSServerHandshakeError) -> str | None:
    """aiohttp does not give the body of a refused WebSocket handshake; map the status to the contract's codes."""
    return {403: "invalid_link", 410: "link_expired"}.get(exc.status)


def latency_after(
    ends: Iterable[float], events: Iterable[ReceivedEvent], predicate: Callable[[dict[str, Any]], bool]
) -> list[float | None]:
    """For each end time, the delay (s) to the first matching event received after it (None if none)."""
    evs = sorted((e for e in events if predicate(e.data)), key=lambda e: e.received_at)
    out: list[float | None] = []
    for t in ends:
        nxt = next((e for e in evs if e.received_at >= t), None)
        out.append(None if nxt is None else nxt.received_at - t)
    return out
