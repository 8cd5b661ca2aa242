"""A candidate's calls reach the node that runs their interview, whichever node received them.

Any node may receive a candidate's offer or event stream (one public address in front of all nodes, no routing
rules). The node asks the registry where the interview runs (``NodeMembership.route``): here, or on its owner, or
(not placed yet and no room here) on the node with the most room. It forwards the offer to that node's address
(``forward_json``) and relays the event stream both ways (``proxy_websocket``); the media itself never passes
through: the answer's ICE candidates are the serving node's own addresses. A forwarded call carries ``HOP_HEADER``
and is never forwarded again. A node that refuses the connection is presumed gone: its claim is dropped and the
interview placed again at once (a node that was alive after all finds its claim lost at its next heartbeat).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Awaitable, Callable

import aiohttp
import structlog
from aiohttp import WSMsgType, web

from server.http.errors import ApiError
from server.http.routes.common import ctx_of
from server.platform.node_registry import NodeInfo
from server.platform.placement import BUSY_RETRY_AFTER_S, NotOwnedHere, Route, ServersBusy

log = structlog.get_logger(__name__)

HOP_HEADER = "X-Interview-Forwarded-By"
FORWARD_TIMEOUT_S = 30.0  # an offer takes up to 20 s to connect on the serving node
_ATTEMPTS = 3


class NodeUnreachable(Exception):
    """The node refused the connection (its process is gone)."""


def busy_error() -> ApiError:
    return ApiError(503, "servers_busy", "All interview servers are busy right now. Please try again in a minute.",
                    headers={"Retry-After": str(BUSY_RETRY_AFTER_S)})


async def route_of(request: web.Request, interview_id: str) -> Route:
    """Where this candidate call is served (503 ``servers_busy`` when no node has room)."""
    try:
        return await ctx_of(request).nodes.route(interview_id, forwarded=HOP_HEADER in request.headers)
    except ServersBusy as exc:
        raise busy_error() from exc
    except NotOwnedHere as exc:
        raise ApiError(503, "interview_moving", "The interview is moving to another server; please try again.",
                       headers={"Retry-After": "1"}) from exc


async def serve_or_forward(request: web.Request, interview_id: str,
                           forward: Callable[[NodeInfo], Awaitable[web.StreamResponse]]) -> web.StreamResponse | None:
    """None when the call is served here (the caller goes on); else the answer of the node it was forwarded to."""
    ctx = ctx_of(request)
    for _ in range(_ATTEMPTS):
        route = await route_of(request, interview_id)
        if route.here:
            return None
        try:
            return await forward(route.node)
        except NodeUnreachable:
            await ctx.nodes.presume_dead(route.node.id, interview_id)
    raise ApiError(503, "node_unavailable", "The interview server is not answering; please try again.",
                   headers={"Retry-After": "2"})


def _hop(request: web.Request) -> dict[str, str]:
    return {HOP_HEADER: ctx_of(request).nodes.node_id}


async def forward_json(request: web.Request, node: NodeInfo, path: str, body: dict) -> web.Response:
    """POST ``body`` to ``path`` on ``node``; its answer (status, JSON body, Retry-After) as this node's."""
    timeout = aiohttp.ClientTimeout(total=FORWARD_TIMEOUT_S)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http:
            async with http.post(node.url + path, json=body, headers=_hop(request)) as r:
                data = await r.read()
                headers = {"Retry-After": r.headers["Retry-After"]} if "Retry-After" in r.headers else None
                return web.Response(status=r.status, body=data, content_type="application/json", headers=headers)
    except aiohttp.ClientConnectorError as exc:
        raise NodeUnreachable(node.id) from exc
    except (asyncio.TimeoutError, aiohttp.ClientError) as exc:
        log.warning("forward_failed", node=node.id, path=path, error=repr(exc))
        raise ApiError(503, "node_unavailable", "The interview server did not answer in time; please try again.",
                       headers={"Retry-After": "2"}) from exc


async def proxy_websocket(request: web.Request, node: NodeInfo, *, heartbeat: float,
                          max_msg_size: int) -> web.WebSocketResponse:
    """Relay this WebSocket to the same path and query on ``node``, both ways, until either side closes."""
    http = aiohttp.ClientSession()
    try:
        upstream = await http.ws_connect(node.url + request.path_qs, headers=_hop(request), heartbeat=heartbeat,
                                         max_msg_size=max_msg_size)
    except aiohttp.ClientConnectorError as exc:
        await http.close()
        raise NodeUnreachable(node.id) from exc
    except aiohttp.WSServerHandshakeError as exc:
        await http.close()
        if exc.status == 503:
            raise busy_error() from exc
        raise ApiError(exc.status, "forward_refused", "The interview server refused the stream.") from exc
    except BaseException:
        await http.close()
        raise
    ws = web.WebSocketResponse(heartbeat=heartbeat, max_msg_size=max_msg_size)
    try:
        await ws.prepare(request)

        async def down() -> None:
            async for msg in upstream:
                if msg.type == WSMsgType.TEXT:
                    await ws.send_str(msg.data)

        async def up() -> None:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await upstream.send_str(msg.data)
                elif msg.type == WSMsgType.BINARY:
                    await upstream.send_bytes(msg.data)

        tasks = [asyncio.create_task(down()), asyncio.create_task(up())]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        with contextlib.suppress(Exception):
            await upstream.close()
        await http.close()
        if not ws.closed:  # the serving node went away: the page reconnects (to another node)
            await ws.close(code=1012, message=b"moved")
    return ws
