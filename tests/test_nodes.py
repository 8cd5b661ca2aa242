"""Nodes and placement: the registry of server processes and of the interviews each owns (in memory and in real
Redis), admission by capacity, and a busy answer when no node has room."""

from __future__ import annotations

import asyncio
import random

import aiohttp
import pytest

from server.platform.node_registry import LocalRegistry, NodeInfo, RedisRegistry
from server.platform.placement import NodeMembership, ServersBusy
from tests.harness import running_server
from tests.services import redis_url_or_skip


def member(registry, node_id: str, capacity: int = 2, **kw) -> NodeMembership:
    return NodeMembership(registry, node_id, f"http://{node_id}.test", capacity, heartbeat_s=0.1,
                          idle_release_s=kw.pop("idle_release_s", 60), **kw)


async def redis_db_url() -> str:
    """A Redis database apart from other tests' (the nodes' set is per database), emptied."""
    import redis.asyncio as redis

    base = (await redis_url_or_skip()).rsplit("/", 1)[0]
    url = f"{base}/{random.randint(8, 15)}"
    client = redis.from_url(url)
    await client.flushdb()
    await client.aclose()
    return url


async def redis_registries(count: int, ttl_s: float = 5.0) -> list[RedisRegistry]:
    """``count`` nodes' registries sharing one emptied Redis database."""
    url = await redis_db_url()
    registries = [RedisRegistry(url, ttl_s) for _ in range(count)]
    for registry in registries:
        await registry.start()
    return registries


@pytest.mark.unit
async def test_one_process_places_here_until_full_then_says_busy():
    node = member(LocalRegistry(5.0), "solo", capacity=2)
    await node.start_async()
    try:
        assert (await node.route("iv1", forwarded=False)).here
        assert (await node.route("iv1", forwarded=False)).here  # the same interview again: still here
        assert (await node.route("iv2", forwarded=False)).here
        with pytest.raises(ServersBusy):
            await node.route("iv3", forwarded=False)
        await node.release("iv1")
        assert (await node.route("iv3", forwarded=False)).here
        await node.drain()
        await node.release("iv2")
        with pytest.raises(ServersBusy):  # a draining node takes no new interviews
            await node.route("iv4", forwarded=False)
    finally:
        await node.stop_async()


@pytest.mark.services
async def test_redis_claims_are_atomic_renewed_by_their_owner_and_expire():
    (registry,) = await redis_registries(1, ttl_s=0.6)
    try:
        winners = await asyncio.gather(*(registry.claim("iv-race", f"n{i}") for i in range(8)))
        assert len(set(winners)) == 1  # every contender learns the same single owner
        owner = winners[0]
        other = next(f"n{i}" for i in range(8) if f"n{i}" != owner)
        assert not await registry.renew("iv-race", other)
        await registry.release("iv-race", other)  # not its claim: nothing happens
        assert await registry.owner("iv-race") == owner
        for _ in range(3):  # renewed by its owner, it outlives the expiry
            await asyncio.sleep(0.3)
            assert await registry.renew("iv-race", owner)
        await asyncio.sleep(0.8)  # not renewed (the owner died): it expires and another node may claim it
        assert await registry.owner("iv-race") is None
        assert await registry.claim("iv-race", other) == other
    finally:
        await registry.close()


@pytest.mark.services
async def test_nodes_see_each_other_and_a_full_node_sends_the_candidate_to_the_roomiest():
    registries = await redis_registries(3)
    a, b, c = (member(r, n, capacity=cap) for r, n, cap in zip(registries, "abc", (1, 2, 3)))
    for node in (a, b, c):
        await node.start_async()
    try:
        assert sorted(n.id for n in await a.registry.nodes()) == ["a", "b", "c"]
        assert (await a.route("iv1", forwarded=False)).here
        # a is full: the next interview goes to the node with the most room (c: 0 of 3)
        route = await a.route("iv2", forwarded=False)
        assert route.node is not None and route.node.id == "c"
        assert (await c.route("iv2", forwarded=True)).here  # the forwarded call claims it there
        await c.tick()
        # calls for an interview go to its owner, whoever receives them
        assert (await b.route("iv1", forwarded=False)).node.id == "a"
        assert (await a.route("iv2", forwarded=False)).node.id == "c"
        with pytest.raises(ServersBusy):  # a forwarded call is never forwarded again
            await a.route("iv3", forwarded=True)
        await b.drain()
        await c.tick()
        route = await a.route("iv3", forwarded=False)
        assert route.node.id == "c"  # b drains: never chosen
        # a dies without a word: its claim is dropped once presumed dead, and the interview placed again
        await b.presume_dead("a", "iv1")
        assert (await c.route("iv1", forwarded=False)).here
        assert await c.registry.owner("iv1") == "c"
    finally:
        for node in (a, b, c):
            await node.stop_async()


@pytest.mark.services
async def test_a_claim_lost_to_another_node_closes_the_interview_here():
    registry_a, registry_b = await redis_registries(2, ttl_s=0.5)
    lost: list[str] = []

    async def on_lost(interview_id: str) -> None:
        lost.append(interview_id)

    a = member(registry_a, "a", on_lost=on_lost)
    b = member(registry_b, "b")
    await a.start_async()
    await b.start_async()
    try:
        assert (await a.route("iv1", forwarded=False)).here
        await a.registry._redis.delete("interview-owner:iv1")  # e.g. a stalled past the expiry
        assert await b.claim("iv1") == "b"
        await a.tick()
        await a.settle()
        assert lost == ["iv1"] and "iv1" not in a.owned
    finally:
        await a.stop_async()
        await b.stop_async()


@pytest.mark.unit
async def test_a_candidate_joining_a_full_server_is_asked_to_try_again_in_a_minute(tmp_path, sqlite_url):
    async with running_server(sqlite_url, tmp_path, node_capacity=1, node_heartbeat_s=0.1,
                              node_idle_release_s=0.3) as srv:
        first_id, first = await srv.create_interview("First")
        _, second = await srv.create_interview("Second")
        ws_url = srv.ws_base + "/ws/v1/candidate"
        async with aiohttp.ClientSession(srv.base_url) as http:
            ws = await http.ws_connect(ws_url, params={"token": first})  # joining places the interview here
            assert (await ws.receive_json())["type"] == "snapshot"
            assert first_id in srv.ctx.nodes.owned
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(ws_url, params={"token": second})
            assert refused.value.status == 503 and refused.value.headers["Retry-After"] == "60"
            decisions = {"ai_evaluation": True, "recording": False, "face_voice_analysis": False}
            async with http.post("/api/v1/candidate/consents", json={"token": second, "decisions": decisions}) as r:
                assert r.status == 200, await r.text()
            async with http.post("/api/v1/candidate/offer",
                                 json={"token": second, "sdp": "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n",
                                       "type": "offer"}) as r:
                assert r.status == 503 and r.headers["Retry-After"] == "60"
                assert (await r.json())["error"]["code"] == "servers_busy"
            await ws.close()
            # the first candidate left: once their room is freed the second one gets in
            for _ in range(100):
                try:
                    ws2 = await http.ws_connect(ws_url, params={"token": second})
                    break
                except aiohttp.WSServerHandshakeError:
                    await asyncio.sleep(0.1)
            assert (await ws2.receive_json())["type"] == "snapshot"
            assert first_id not in srv.ctx.nodes.owned
            await ws2.close()


@pytest.mark.unit
async def test_a_finished_interview_is_closed_here_once_its_candidate_has_gone():
    """A finished interview's runtime (recogniser, analyzers: ~100 MB) is freed, not kept until the process ends;
    while the candidate is still connected (the closing words) it stays."""
    closed: list[str] = []
    over: set[str] = set()
    connected: set[str] = set()

    async def on_lost(interview_id: str) -> None:
        closed.append(interview_id)

    node = member(LocalRegistry(5.0), "a", capacity=2, is_over=lambda i: i in over,
                  is_active=lambda i: i in connected, on_lost=on_lost)
    await node.start_async()
    try:
        for interview_id in ("iv1", "iv2"):
            assert (await node.route(interview_id, forwarded=False)).here
        connected.update({"iv1", "iv2"})
        over.add("iv1")
        await node.tick()
        await node.settle()
        assert closed == [] and set(node.owned) == {"iv1", "iv2"}  # still hearing its closing words
        connected.discard("iv1")
        await node.tick()
        await node.settle()
        assert closed == ["iv1"] and set(node.owned) == {"iv2"}
        assert (await node.route("iv3", forwarded=False)).here  # its room is free again
    finally:
        await node.stop_async()


@pytest.mark.unit
def test_node_info_round_trips_and_ignores_unknown_fields():
    info = NodeInfo("n1", "http://10.0.0.5:8080", 8, 3, 0.5, False, 1.0)
    assert NodeInfo.from_json(info.to_json()) == info
    assert NodeInfo.from_json('{"id": "x"}') is None
    assert NodeInfo.from_json("not json") is None


@pytest.mark.services
async def test_a_draining_node_hands_its_interview_over_and_the_candidate_continues_on_another(tmp_path, sqlite_url):
    fast = {"bus_url": await redis_db_url(), "node_heartbeat_s": 0.2}
    async with running_server(sqlite_url, tmp_path / "a", node_id="a", **fast) as a, \
            running_server(sqlite_url, tmp_path / "b", seed=False, node_id="b", **fast) as b:
        b.org_id, b.job_id, b.hr_user_id = a.org_id, a.job_id, a.hr_user_id
        interview_id, token = await a.create_interview("Drained")
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(a.ws_base + "/ws/v1/candidate", params={"token": token})
            assert (await ws.receive_json())["type"] == "snapshot"
            assert interview_id in a.ctx.nodes.owned
            # node b receives the candidate's next call: it goes to the owner, a
            assert (await b.ctx.nodes.route(interview_id, forwarded=False)).node.id == "a"
            await a.ctx.drain(timeout_s=0)  # SIGTERM: nothing ends by itself within the drain time
            closed = await ws.receive()
            assert closed.type == aiohttp.WSMsgType.CLOSE and closed.data == 1012  # "moved": the page reconnects
            assert interview_id not in a.ctx.nodes.owned
            ws = await http.ws_connect(b.ws_base + "/ws/v1/candidate", params={"token": token})
            assert (await ws.receive_json())["type"] == "snapshot"
            assert interview_id in b.ctx.nodes.owned
            # a draining node takes no new interview: a call reaching it goes to b
            _, other = await a.create_interview("Later")
            ws_other = await http.ws_connect(a.ws_base + "/ws/v1/candidate", params={"token": other})
            assert (await ws_other.receive_json())["type"] == "snapshot"
            assert not a.ctx.nodes.owned and len(b.ctx.nodes.owned) == 2
            await ws_other.close()
            await ws.close()
