"""A synthetic interview candidate over real WebRTC (aiortc), speaking the public candidate contract.

It does what the candidate page does (docs/API.md): gives the consents, opens the candidate WebSocket, sends a
WebRTC offer with a microphone track (a WAV streamed in real time) and optionally a camera track (a Y4M file or
the synthetic face), applies the answer, and acknowledges every ``question.asked`` with ``question.spoken``.

It records every event it receives with the local receive time, and the wall time at which the end of each
spoken part of the WAV (from a :class:`~benchmarks.synthetic_media.SpeechTimeline`) left the audio track, so
callers can compute end-of-utterance -> event latencies.

Timing model of the audio track: like a microphone, a 20 ms frame is handed to the encoder once its last sample
has been "captured", i.e. frame ``n`` (samples ``[n*960, (n+1)*960)``) is returned at ``t0 + (n+1) * 20 ms``.
The recorded end time of a speech part is the wall time the frame holding its last sample was returned.
"""

from __future__ import annotations

import asyncio
import fractions
import functools
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import aiohttp
import av
import numpy as np
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from benchmarks.synthetic_media import SpeechTimeline, face_frame_source, read_wav_mono, read_y4m_info, rgb_to_yuv420p
from benchmarks.synthetic_media import _resample_mono_s16  # same resampler as the WAV writer

log = logging.getLogger(__name__)

__all__ = [
    "AUDIO_RATE",
    "AUDIO_PTIME",
    "VIDEO_CLOCK_RATE",
    "CandidateApiError",
    "ReceivedEvent",
    "SpeechEndSent",
    "SyntheticCandidate",
    "WavAudioTrack",
    "Y4mVideoTrack",
    "SyntheticFaceTrack",
]

AUDIO_RATE = 48000
AUDIO_PTIME = 0.020
AUDIO_SAMPLES = int(AUDIO_RATE * AUDIO_PTIME)  # 960
VIDEO_CLOCK_RATE = 90000
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


@dataclass(frozen=True)
class SpeechEndSent:
    """The end of one spoken part left the audio track at ``sent_at`` (wall time)."""

    part_index: int
    text: str
    loop: int  # 0 for the first pass through the WAV, 1 for the second (loop_audio), ...
    media_s: float  # end of speech in the audio stream's own time (seconds since the first frame)
    sent_at: float


# --------------------------------------------------------------------------------------------------------- tracks


class _Pacer:
    """Wall-clock pacing shared by the tracks: frame ``n`` is due at ``start + (n + 1) * period``."""

    def __init__(self) -> None:
        self.start: float | None = None

    async def wait_due(self, due_offset_s: float) -> float:
        now = time.time()
        if self.start is None:
            self.start = now
        delay = self.start + due_offset_s - now
        if delay > 0:
            await asyncio.sleep(delay)
        return time.time()


class WavAudioTrack(MediaStreamTrack):
    """Streams a 16-bit PCM WAV as 20 ms s16 frames at 48 kHz, paced by the wall clock.

    * Before the WAV: ``start_delay`` seconds of silence, and silence for as long as the track is held
      (``hold=True`` until :meth:`release`).
    * After the WAV: silence, or the WAV again when ``loop=True``.
    * ``channels``: 1 (mono) or 2 (the same signal on both channels, like a browser's stereo Opus).
    * ``timeline``: the speech parts inside the WAV; the wall time each part's end is sent is recorded in
      :attr:`speech_ends`, and ``on_speech_end`` (if given) is called with each :class:`SpeechEndSent`.
    """

    kind = "audio"

    def __init__(
        self,
        wav_path: str | Path,
        timeline: SpeechTimeline | None = None,
        loop: bool = False,
        start_delay: float = 0.0,
        channels: int = 1,
        hold: bool = False,
        on_speech_end: Callable[[SpeechEndSent], None] | None = None,
    ) -> None:
        super().__init__()
        if channels not in (1, 2):
            raise ValueError("channels must be 1 or 2")
        samples, rate = read_wav_mono(wav_path)
        self._pcm = _resample_mono_s16(samples, rate, AUDIO_RATE)
        self.timeline = timeline
        self.loop = loop
        self.channels = channels
        self.start_delay_samples = int(round(start_delay * AUDIO_RATE))
        self._on_speech_end = on_speech_end
        self._pacer = _Pacer()
        self._n = 0  # frames sent
        self._wav_origin: int | None = None if hold else self.start_delay_samples  # stream sample where WAV starts
        self._speech_end_samples = (
            [(p.index, p.text, int(round(p.end_s * AUDIO_RATE))) for p in timeline.parts] if timeline else []
        )
        self._next_end = 0  # index into _speech_end_samples for the current loop
        self._loop_index = 0
        self.speech_ends: list[SpeechEndSent] = []

    # -- control

    @property
    def started_at(self) -> float | None:
        """Wall time of the stream's sample 0 (the first frame's due time minus one frame)."""
        return self._pacer.start

    @property
    def wav_started_at(self) -> float | None:
        """Wall time of the WAV's first sample in the stream, once known."""
        if self._pacer.start is None or self._wav_origin is None:
            return None
        return self._pacer.start + self._wav_origin / AUDIO_RATE

    @property
    def released(self) -> bool:
        return self._wav_origin is not None

    def release(self, delay: float = 0.0) -> None:
        """Start the WAV ``delay`` seconds from now (for a track created with ``hold=True``)."""
        if self._wav_origin is not None:
            return
        sent = self._n * AUDIO_SAMPLES
        self._wav_origin = sent + int(round(max(0.0, delay) * AUDIO_RATE))

    # -- MediaStreamTrack

    def _wav_samples(self, stream_pos: int, count: int) -> np.ndarray:
        out = np.zeros(count, dtype=np.int16)
        if self._wav_origin is None or self._pcm.size == 0:
            return out
        rel = stream_pos - self._wav_origin
        filled = 0
        while filled < count:
            pos = rel + filled
            if pos < 0:
                filled = min(count, -rel)
                continue
            if self.loop:
                pos %= self._pcm.size
            elif pos >= self._pcm.size:
                break
            take = min(count - filled, self._pcm.size - pos)
            out[filled : filled + take] = self._pcm[pos : pos + take]
            filled += take
        return out

    def _record_speech_ends(self, first: int, last: int, sent_at: float) -> None:
        """Speech ends whose last sample (end - 1, in WAV samples) lies in stream samples [first, last)."""
        if not self._speech_end_samples or self._wav_origin is None:
            return
        n = self._pcm.size
        while True:
            if self._next_end >= len(self._speech_end_samples):
                if not self.loop:
                    return
                self._next_end = 0
                self._loop_index += 1
            index, text, end = self._speech_end_samples[self._next_end]
            last_sample = self._wav_origin + self._loop_index * n + end - 1
            if last_sample >= last:
                return
            if last_sample >= first:
                rec = SpeechEndSent(index, text, self._loop_index, (last_sample + 1) / AUDIO_RATE, sent_at)
                self.speech_ends.append(rec)
                if self._on_speech_end is not None:
                    try:
                        self._on_speech_end(rec)
                    except Exception:  # a caller's callback must not stop the media
                        log.exception("on_speech_end callback failed")
            self._next_end += 1

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        n = self._n
        sent_at = await self._pacer.wait_due((n + 1) * AUDIO_PTIME)
        if self.readyState != "live":
            raise MediaStreamError
        first = n * AUDIO_SAMPLES
        mono = self._wav_samples(first, AUDIO_SAMPLES)
        if self.channels == 2:
            data = np.repeat(mono, 2).reshape(1, -1)  # packed s16: L R L R ...
            layout = "stereo"
        else:
            data = mono.reshape(1, -1)
            layout = "mono"
        frame = av.AudioFrame.from_ndarray(data, format="s16", layout=layout)
        frame.sample_rate = AUDIO_RATE
        frame.pts = first
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._n = n + 1
        self._record_speech_ends(first, first + AUDIO_SAMPLES, sent_at)
        return frame


@functools.lru_cache(maxsize=4)
def _load_y4m_frames(path: str, mtime_ns: int, size: int) -> tuple[tuple[int, int], float, tuple[bytes, ...]]:
    """All frames of a 4:2:0 Y4M as raw I420 bytes (shared by every track streaming the same file)."""
    info = read_y4m_info(path)
    frames: list[bytes] = []
    with open(path, "rb") as f:
        f.seek(info.header_len)
        while True:
            line = f.readline()
            if not line:
                break
            if not line.startswith(b"FRAME"):
                raise ValueError(f"{path}: bad frame marker {line[:20]!r}")
            data = f.read(info.frame_bytes)
            if len(data) < info.frame_bytes:
                break
            frames.append(data)
    if not frames:
        raise ValueError(f"{path}: no frames")
    return (info.width, info.height), float(info.fps), tuple(frames)


def _i420_frame(raw: bytes, width: int, height: int) -> av.VideoFrame:
    arr = np.frombuffer(raw, dtype=np.uint8).reshape(height * 3 // 2, width)
    return av.VideoFrame.from_ndarray(arr, format="yuv420p")


class _PacedVideoTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self, fps: float) -> None:
        super().__init__()
        self.fps = fps
        self._pacer = _Pacer()
        self._n = 0

    def _frame(self, n: int) -> av.VideoFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        n = self._n
        # A camera delivers frame n when it has been exposed: at start + n / fps (frame 0 immediately).
        await self._pacer.wait_due(n / self.fps)
        if self.readyState != "live":
            raise MediaStreamError
        frame = self._frame(n)
        frame.pts = int(round(n * VIDEO_CLOCK_RATE / self.fps))
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK_RATE)
        self._n = n + 1
        return frame


class Y4mVideoTrack(_PacedVideoTrack):
    """Streams a 4:2:0 Y4M file at its own frame rate (or ``fps``), looping like Chromium's fake camera."""

    def __init__(self, path: str | Path, fps: float | None = None) -> None:
        st = Path(path).stat()
        (self.width, self.height), file_fps, self._frames = _load_y4m_frames(str(path), st.st_mtime_ns, st.st_size)
        super().__init__(fps or file_fps)

    def _frame(self, n: int) -> av.VideoFrame:
        return _i420_frame(self._frames[n % len(self._frames)], self.width, self.height)


class SyntheticFaceTrack(_PacedVideoTrack):
    """Streams :func:`~benchmarks.synthetic_media.face_frame_source` frames without any file."""

    def __init__(self, fps: float = 15, size: tuple[int, int] = (640, 480), faces: int = 1, black: bool = False):
        super().__init__(fps)
        self._source = face_frame_source(size, faces, black)

    def _frame(self, n: int) -> av.VideoFrame:
        return rgb_to_yuv420p(self._source(n / self.fps))


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
        self.video_track: _PacedVideoTrack | None = None
        self._events: list[ReceivedEvent] = []
        self._changed = asyncio.Event()
        self._closed = False
        self.connection_id: str | None = None
        self.consent_answer: dict | None = None
        self.session_info: dict | None = None
        self.pc_states: list[tuple[float, str]] = []
        self.ws_closed_at: float | None = None
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
        except Exception:  # network errors end the reader; the candidate's state shows it
            log.debug("candidate websocket reader stopped", exc_info=True)
        finally:
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
