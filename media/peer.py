"""One candidate's WebRTC connection: takes the browser's offer, answers, and feeds the tracks onward.

Audio is converted to 16 kHz mono 20 ms chunks and handed to ``on_audio`` on the event loop (cheap: decode and
resample only). Video goes to a latest-frame-wins slot. The server never sends media back.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Awaitable, Callable

import structlog
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from media.audio import AudioChunk, AudioFrameConverter
from media.video import LatestFrameSlot

log = structlog.get_logger(__name__)


class SdpError(ValueError):
    """The offer cannot be used; the message is safe to show to the client."""


def check_offer(sdp: str, max_bytes: int) -> None:
    if not isinstance(sdp, str) or not sdp.strip():
        raise SdpError("The offer has no SDP.")
    if len(sdp.encode()) > max_bytes:
        raise SdpError(f"The offer is larger than {max_bytes} bytes.")
    if not sdp.lstrip().startswith("v=0"):
        raise SdpError("The offer is not an SDP session description (it must start with v=0).")
    if "m=audio" not in sdp:
        raise SdpError("The offer has no audio; a microphone is required.")


class CandidatePeer:
    def __init__(
        self,
        connection_id: str,
        on_audio: Callable[[AudioChunk], None],
        video_slot: LatestFrameSlot,
        on_state: Callable[[str], Awaitable[None]],
    ):
        self.connection_id = connection_id
        self.pc = RTCPeerConnection()
        self.video_slot = video_slot
        self.audio_frames = 0
        self._on_audio = on_audio
        self._on_state = on_state
        self._tasks: set[asyncio.Task] = set()
        self._closed = False
        self.pc.on("track", self._on_track)
        self.pc.on("connectionstatechange", self._on_connection_state)

    async def answer(self, offer_sdp: str) -> str:
        try:
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
            answer = await self.pc.createAnswer()
            await self.pc.setLocalDescription(answer)
        except SdpError:
            raise
        except Exception as exc:  # aiortc raises many kinds for malformed SDP
            await self.close()
            raise SdpError(f"The offer could not be used: {exc.__class__.__name__}: {exc}"[:300]) from exc
        return self.pc.localDescription.sdp

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            self._spawn(self._read_audio(track))
        elif track.kind == "video":
            self._spawn(self._read_video(track))

    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read_audio(self, track: MediaStreamTrack) -> None:
        converter = AudioFrameConverter()
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            for chunk in converter.convert(frame):
                self.audio_frames += 1
                try:
                    self._on_audio(chunk)
                except Exception:
                    log.exception("audio_consumer_failed", connection_id=self.connection_id)

    async def _read_video(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.video_slot.put(frame)

    async def _on_connection_state(self) -> None:
        state = self.pc.connectionState
        await self._on_state(state)
        if state in ("failed", "closed"):
            await self.close()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            await self.pc.close()
