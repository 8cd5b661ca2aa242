"""WebSocket event streams: the candidate's (captions, questions) and the observers' (everything).

Both start with a snapshot so a page that (re)connects shows the current state at once, then relay bus events.
Client messages are small JSON objects; unknown or unreadable ones get an ``error`` event and the stream stays open.
A stream opens only from this server's own pages (its ``Origin``), never from another site's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

import structlog
from aiohttp import WSMsgType, web

from server.http.access import CANDIDATE_LINK, READING, ReadAudit, users
from server.http.errors import ApiError
from server.http.forwarding import proxy_websocket, serve_or_forward
from server.http.routes.common import SESSION_COOKIE, api, ctx_of, interview_from_link, org_interview
from server.http.routes.guard import record_shown, user_of
from server.live import events as ev

log = structlog.get_logger(__name__)

CANDIDATE_EVENT_TYPES = frozenset({
    "interview.state", "connection.state", "question.asked", "transcript.partial", "transcript.final",
    "speech.started", "speech.ended", "answer.ended", "answer.finishing", "answer.resumed", "question.interrupted",
    "error",
})


def _error(interview_id: str, code: str, message: str) -> dict:
    return {"v": 1, "type": "error", "interview_id": interview_id, "code": code, "message": message}


async def _relay(request: web.Request, ws: web.WebSocketResponse, interview_id: str, snapshot: dict,
                 allowed: frozenset[str] | None, role: str) -> None:
    """``role`` candidate: also the events for the candidate's page alone (the practice question's)."""
    ctx = ctx_of(request)
    channels = [interview_id] + ([ev.candidate_only_channel(interview_id)] if role == "candidate" else [])
    subs = [(channel, ctx.bus.subscribe(channel)) for channel in channels]
    if hasattr(ctx.bus, "wait_subscribed"):
        await ctx.bus.wait_subscribed()

    async def pump(sub) -> None:
        async for msg in sub:
            if allowed is None or msg.get("type") in allowed:
                await ws.send_json(msg)

    await ws.send_json({"v": 1, "type": "snapshot", "interview_id": interview_id, **snapshot})
    pumps = [asyncio.create_task(pump(sub)) for _, sub in subs]
    try:
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                if msg.type == WSMsgType.BINARY:
                    await ws.send_json(_error(interview_id, "bad_message", "Binary messages are not accepted."))
                continue
            await _client_message(ws, interview_id, msg.data, role, ctx)
    finally:
        for task in pumps:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for channel, sub in subs:
            ctx.bus.unsubscribe(channel, sub)


async def _client_message(ws: web.WebSocketResponse, interview_id: str, data: str, role: str, ctx) -> None:
    try:
        msg = json.loads(data)
    except ValueError:
        await ws.send_json(_error(interview_id, "bad_message", "Messages must be JSON objects."))
        return
    except RecursionError:  # [[[[… nested deeper than the parser goes: a message, not the stream's end
        await ws.send_json(_error(interview_id, "bad_message", "The message is nested too deeply."))
        return
    kind = msg.get("type") if isinstance(msg, dict) else None
    if kind == "ping":
        await ws.send_json({"v": 1, "type": "pong"})
    elif kind in ("question.playing", "question.spoken", "answer.finished") and role == "candidate":
        # question.playing/spoken: the page started / finished speaking the question (while it plays, the candidate
        # talking over it stops it); answer.finished: "I have finished", the answer ends without waiting out a silence.
        turn_index = msg.get("turn_index")
        if not isinstance(turn_index, int):
            await ws.send_json(_error(interview_id, "bad_message", f"{kind} needs an integer turn_index."))
            return
        live = ctx.live.get(interview_id)
        if kind != "answer.finished":
            if live is not None:
                live.question_playback(turn_index, playing=kind == "question.playing")
        elif live is None or not live.candidate_finished(turn_index):
            await ws.send_json(_error(interview_id, "not_answering",
                                      "There is no open answer to finish for that question (it may have ended)."))
    else:
        await ws.send_json(_error(interview_id, "unknown_message", f"Unknown message type {kind!r}."))


async def _live_snapshot(request: web.Request, interview_id: str) -> dict:
    live = ctx_of(request).live.get(interview_id)
    return live.snapshot() if live else {}


@api.undocumented("GET", "/ws/v1/candidate", access=CANDIDATE_LINK)
async def candidate_stream(request: web.Request) -> web.StreamResponse:
    iv = await interview_from_link(request, request.query.get("token", ""))
    if iv.status not in ("finished", "failed"):  # joining places the interview on a node; its stream runs there
        forwarded = await serve_or_forward(request, iv.id, lambda node: proxy_websocket(
            request, node, heartbeat=20, max_msg_size=64 * 1024))
        if forwarded is not None:
            return forwarded
    nodes = ctx_of(request).nodes
    ws = web.WebSocketResponse(heartbeat=20, max_msg_size=64 * 1024)

    async def moved() -> None:  # the interview was handed over to another node (this one is stopping)
        await ws.close(code=1012, message=b"moved")

    nodes.stream_opened(iv.id, moved)
    try:
        await ws.prepare(request)
        snapshot = {"status": iv.status, **(await _live_snapshot(request, iv.id))}
        await _relay(request, ws, iv.id, snapshot, CANDIDATE_EVENT_TYPES, "candidate")
    finally:
        nodes.stream_closed(iv.id, moved)
    return ws


@api.undocumented("GET", "/ws/v1/interviews/{interview_id}/observe", access=users(READING, scope="interview"),
                  reads=ReadAudit("interview.observe", "interview"))
async def observer_stream(request: web.Request) -> web.StreamResponse:
    iv = await org_interview(request, user_of(request), request.match_info["interview_id"])
    ctx = ctx_of(request)
    if ctx.bus.subscriber_count(iv.id) >= ctx.settings.max_observers_per_interview:
        raise ApiError(429, "too_many_observers", "Too many observers on this interview.")
    await record_shown(request, [iv.candidate_id])
    ws = web.WebSocketResponse(heartbeat=20, max_msg_size=64 * 1024)
    await ws.prepare(request)
    detail = await ctx.store.interviews.detail(iv.id)
    watch = asyncio.create_task(_close_when_logged_out(request, ws))
    try:
        await _relay(request, ws, iv.id, {"interview": detail, "live": await _live_snapshot(request, iv.id)}, None,
                     "observer")
    finally:
        watch.cancel()
    return ws


async def _close_when_logged_out(request: web.Request, ws: web.WebSocketResponse) -> None:
    """Close the observer's stream (code 4401) once the login it was opened with has ended: logout, a password
    change, an admin's sign-out or a timeout, on any server process."""
    ctx = ctx_of(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    while not ws.closed:
        await asyncio.sleep(ctx.settings.session_stream_check_s)
        try:
            ended = await ctx.sessions.user(token) is None
        except Exception as exc:  # noqa: BLE001  (the database is unreachable: check again at the next round)
            log.warning("login_check_failed", error=str(exc))
            continue
        if ended:
            await ws.close(code=4401, message=b"logged out")
            return
