"""The event bus: bounded in-process delivery, Redis pub/sub across processes, observers on another node."""

from __future__ import annotations

import asyncio

import pytest

from server.platform.bus import InProcessBus, RedisBus, make_bus
from tests.services import create_pg_database, drop_pg_database, redis_url_or_skip


async def _next(sub, timeout=5.0):
    return await asyncio.wait_for(sub.queue.get(), timeout)


@pytest.mark.unit
async def test_in_process_bus_delivers_in_order_and_bounds_slow_subscribers():
    bus = InProcessBus(queue_size=3)
    fast, slow = bus.subscribe("iv1"), bus.subscribe("iv1")
    other = bus.subscribe("iv2")
    for i in range(3):
        await bus.publish("iv1", {"n": i})
    assert [(await _next(fast))["n"] for _ in range(3)] == [0, 1, 2]
    for i in range(3, 6):
        await bus.publish("iv1", {"n": i})
    # The slow subscriber never read: it keeps the newest three and knows it lost three.
    assert [(await _next(slow))["n"] for _ in range(3)] == [3, 4, 5] and slow.dropped == 3
    assert other.queue.empty()
    bus.unsubscribe("iv1", fast)
    assert bus.subscriber_count("iv1") == 1
    with pytest.raises(ValueError):
        make_bus("kafka://nope", 10)


@pytest.mark.services
async def test_redis_bus_crosses_processes():
    url = await redis_url_or_skip()
    node_a, node_b = RedisBus(url, 100), RedisBus(url, 100)
    await node_a.start()
    await node_b.start()
    try:
        sub = node_b.subscribe("iv-redis-test")
        await node_b.wait_subscribed()
        for i in range(5):
            await node_a.publish("iv-redis-test", {"type": "question.asked", "n": i})
        assert [(await _next(sub))["n"] for _ in range(5)] == list(range(5))
        node_b.unsubscribe("iv-redis-test", sub)
        await node_b.wait_subscribed()
        await node_a.publish("iv-redis-test", {"n": 99})
        await asyncio.sleep(0.2)
        assert sub.queue.empty()
    finally:
        await node_a.close()
        await node_b.close()


@pytest.mark.services
@pytest.mark.models
async def test_observer_on_another_node_sees_the_live_interview(tmp_path):
    from benchmarks.synthetic_candidate import SyntheticCandidate
    from benchmarks.synthetic_media import make_speech_wav
    from tests.harness import running_server
    from tests.observer_client import ObserverClient

    redis_url = await redis_url_or_skip()
    db_url = await create_pg_database()
    wav = make_speech_wav(tmp_path / "a.wav", [0.3, "We cut the failure rate in half within three months.", 3.0],
                          voice="en-us").path
    try:
        async with running_server(db_url, tmp_path / "a", bus_url=redis_url) as node_a, \
                running_server(db_url, tmp_path / "b", seed=False, bus_url=redis_url) as node_b:
            interview_id, token = await node_a.create_interview("Two Nodes")
            node_b.org_id, node_b.job_id = node_a.org_id, node_a.job_id
            async with node_b.hr_client() as http, ObserverClient(http, interview_id) as observer:
                async with SyntheticCandidate(node_a.base_url, token, wav, None, hold_audio=True) as cand:
                    await cand.wait_for_type("question.asked", 20)
                    cand.release_audio()
                    final = await observer.wait_for(lambda e: e["type"] == "transcript.final", 40)
            assert "months" in final["text"].lower()
            kinds = {e["type"] for _, e in observer.events}
            assert {"interview.state", "question.asked", "speech.started", "transcript.final"} <= kinds
            assert interview_id in node_a.ctx.live and interview_id not in node_b.ctx.live
    finally:
        await drop_pg_database(db_url)


@pytest.mark.services
async def test_a_published_event_goes_out_before_its_timeline_write(sqlite_url, tmp_path):
    """``ServerContext.publish_event``: observers get the event at once, while its timeline record is written in the
    background (group commit); this node's timeline reads wait for it; one that cannot be kept is logged."""
    from structlog.testing import capture_logs

    from server.live import events as ev
    from tests.harness import running_server, until

    async with running_server(sqlite_url, tmp_path) as h:
        iv, _ = await h.create_interview("Ada")
        records = h.ctx.store.records
        gate = asyncio.Event()
        write = records._events._write

        async def held(events):
            await gate.wait()
            return await write(events)

        records._events._write = held
        sub = h.ctx.bus.subscribe(iv)
        asked = ev.QuestionAsked(interview_id=iv, turn_index=0, question_index=0, questions_total=1, text="Q1")
        await asyncio.wait_for(h.ctx.publish_event(asked), 2)  # not held by its record
        assert (await _next(sub))["type"] == "question.asked"
        timeline = asyncio.create_task(records.events(iv))
        await asyncio.sleep(0.05)
        assert not timeline.done()  # it waits for the record being written
        gate.set()
        assert [e.type for e in await timeline][-1] == "question.asked"
        records._events._write = write
        with capture_logs() as logs:
            await h.ctx.publish_event(ev.QuestionAsked(interview_id="no-such-interview", turn_index=0,
                                                       question_index=0, questions_total=1, text="Q1"))
            await until(lambda: any(e["event"] == "timeline_event_not_kept" for e in logs), 5, "the failure logged")
