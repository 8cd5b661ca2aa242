"""The shared work queue on SQLite and PostgreSQL: two nodes never run the same job, a dead node's job is run again
by another once its lease ran out, failing jobs are retried with backoff and then failed with their error, enqueueing
the same logical job twice stores it once, a stopping node gives its jobs back, a kind limited per node runs at most
its limit at once, periodic work runs once per period, and admins see it all (with imports run end to end through
the server). Time is the queue's clock: no sleeping."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import aiohttp
import pytest
from sqlalchemy import text

from server.http.auth import hash_password
from server.platform.queue_worker import QueueWorker, WorkerConfig
from server.platform.work_queue import Handler, PeriodicJob, PermanentJobError, RetryRule, WorkQueue
from server.recruiting.imports import RUN_KIND
from server.storage.models import as_utc
from server.storage.store import Store
from tests.harness import running_server, until

pytestmark = pytest.mark.unit

T0 = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Node:
    """One server process's share of the queue: its own engine (connection pool) on the shared database."""

    def __init__(self, url: str, handlers: dict[str, Handler], clock: Clock, name: str, *, lease_s: float = 60,
                 concurrency: int = 4, max_attempts: int = 5, retry_base_s: float = 10, grace_s: float = 10,
                 periodic: tuple[PeriodicJob, ...] = ()) -> None:
        self.store = Store(url)
        self.queue = WorkQueue(self.store.background, max_attempts, clock, handlers)
        config = WorkerConfig(concurrency, 3600, lease_s, RetryRule(retry_base_s, 3600), 86400, 86400, grace_s)
        self.worker = QueueWorker(self.queue, self, config, periodic=periodic, node=name)


@pytest.fixture
async def nodes(db_url):
    made: list[Node] = []

    async def make(handlers, clock, name, **kw) -> Node:
        node = Node(db_url, handlers, clock, name, **kw)
        if not made:
            await node.store.migrate()
        made.append(node)
        return node

    yield make
    for node in made:
        await node.worker.stop()
        await node.store.close()


async def test_two_nodes_never_run_the_same_job(nodes):
    clock, ran = Clock(), []

    async def record(node, payload):
        ran.append((payload["n"], node.worker.node))
        await asyncio.sleep(0)  # let the other node claim meanwhile

    handlers = {"test.record": Handler("test.record", record)}
    a = await nodes(handlers, clock, "node-a", concurrency=3)
    b = await nodes(handlers, clock, "node-b", concurrency=3)
    for n in range(40):
        await a.queue.enqueue("test.record", {"n": n})
    await asyncio.gather(a.worker.drain(), b.worker.drain())
    assert sorted(n for n, _ in ran) == list(range(40))  # every job once: none twice, none lost
    assert [(c.kind, c.state, c.count) for c in await a.store.background.counts()] == [("test.record", "done", 40)]
    # and the claim itself, raced head to head for one job at a time, hands each job to one node only
    for n in range(10):
        job = await a.queue.enqueue("test.record", {"n": n}, f"race-{n}")
        got = await asyncio.gather(a.store.background.claim("node-a", ["test.record"], 5, 60, clock()),
                                   b.store.background.claim("node-b", ["test.record"], 5, 60, clock()))
        assert sorted(len(g) for g in got) == [0, 1] and [g[0].id for g in got if g] == [job.id]


async def test_a_dead_nodes_job_is_run_again_by_another_once_its_lease_ran_out(nodes):
    clock, ran = Clock(), []

    async def work(node, payload):
        ran.append(node.worker.node)

    handlers = {"test.work": Handler("test.work", work)}
    a = await nodes(handlers, clock, "node-a", lease_s=60)
    b = await nodes(handlers, clock, "node-b", lease_s=60)
    job = await a.queue.enqueue("test.work", {"id": "x"})
    (claimed,) = await a.store.background.claim("node-a", ["test.work"], 1, 60, clock())  # node a then dies mid-job
    await b.worker.drain()
    assert ran == []  # within the lease: node a may still be working
    clock.now = T0 + timedelta(seconds=61)
    await b.worker.drain()
    assert ran == ["node-b"]
    row = await b.store.background.get(job.id)
    assert (row.state, row.attempts, row.locked_by) == ("done", 2, None)
    # node a, back from a pause, cannot record an outcome for the run it lost
    assert not await a.store.background.complete(claimed.id, "node-a", clock())
    assert not await a.store.background.fail(claimed.id, "node-a", "late", clock())
    assert (await b.store.background.get(job.id)).state == "done"


async def test_a_failing_job_is_retried_with_backoff_then_failed_with_its_error_visible(nodes):
    clock, calls = Clock(), []

    async def flaky(node, payload):
        calls.append(clock())
        raise RuntimeError(f"the mail server refused (run {len(calls)})")

    a = await nodes({"test.flaky": Handler("test.flaky", flaky)}, clock, "node-a", max_attempts=3, retry_base_s=10)
    job = await a.queue.enqueue("test.flaky", {})
    await a.worker.drain()
    row = await a.store.background.get(job.id)
    assert (row.state, row.attempts, as_utc(row.run_after)) == ("queued", 1, T0 + timedelta(seconds=10))
    assert row.last_error == "RuntimeError: the mail server refused (run 1)"
    clock.now = T0 + timedelta(seconds=9)
    await a.worker.drain()
    assert len(calls) == 1  # not before its backoff
    clock.now = T0 + timedelta(seconds=10)
    await a.worker.drain()
    row = await a.store.background.get(job.id)
    assert (row.state, row.attempts, as_utc(row.run_after)) == ("queued", 2, T0 + timedelta(seconds=30))  # doubled
    clock.now = T0 + timedelta(seconds=30)
    await a.worker.drain()
    row = await a.store.background.get(job.id)
    assert (row.state, row.attempts) == ("failed", 3) and calls == [T0, T0 + timedelta(seconds=10),
                                                                     T0 + timedelta(seconds=30)]
    assert row.last_error == "RuntimeError: the mail server refused (run 3)" and row.finished_at is not None
    clock.now = T0 + timedelta(days=1)
    await a.worker.drain()
    assert len(calls) == 3  # failed stays failed


async def test_a_permanent_error_fails_at_once_and_a_plain_function_runs_off_the_event_loop(nodes):
    import threading

    clock, threads = Clock(), []

    async def gone(node, payload):
        raise PermanentJobError("the invitation was deleted")

    def blocking(node, payload):  # a plain function: run on a worker thread
        threads.append(threading.current_thread() is threading.main_thread())

    a = await nodes({"test.gone": Handler("test.gone", gone), "test.blocking": Handler("test.blocking", blocking)},
                    clock, "node-a")
    job = await a.queue.enqueue("test.gone", {})
    done = await a.queue.enqueue("test.blocking", {})
    await a.worker.drain()
    row = await a.store.background.get(job.id)
    assert (row.state, row.attempts, row.last_error) == ("failed", 1, "PermanentJobError: the invitation was deleted")
    assert (await a.store.background.get(done.id)).state == "done" and threads == [False]
    with pytest.raises(ValueError):
        await a.queue.enqueue("test.nobody-runs-this", {})


async def test_enqueueing_the_same_key_twice_stores_one_job(nodes):
    clock, ran = Clock(), []

    async def send(node, payload):
        ran.append(payload["to"])

    handlers = {"test.send": Handler("test.send", send)}
    a = await nodes(handlers, clock, "node-a")
    b = await nodes(handlers, clock, "node-b")
    first, second = await asyncio.gather(a.queue.enqueue("test.send", {"to": "one"}, "invitation:1"),
                                         b.queue.enqueue("test.send", {"to": "two"}, "invitation:1"))
    assert first.id == second.id
    await asyncio.gather(a.worker.drain(), b.worker.drain())
    again = await a.queue.enqueue("test.send", {"to": "three"}, "invitation:1")  # after it ran: still the same job
    await a.worker.drain()
    assert again.id == first.id and len(ran) == 1 and ran[0] in ("one", "two")
    assert sum(c.count for c in await a.store.background.counts()) == 1


async def test_a_stopping_node_gives_its_running_job_back_and_another_runs_it(nodes):
    clock, started, ran = Clock(), asyncio.Event(), []

    async def slow(node, payload):
        if node.worker.node == "node-a":
            started.set()
            await asyncio.Event().wait()  # never finishes on node a
        ran.append(node.worker.node)

    handlers = {"test.slow": Handler("test.slow", slow)}
    a = await nodes(handlers, clock, "node-a", grace_s=0.05)
    b = await nodes(handlers, clock, "node-b")
    job = await a.queue.enqueue("test.slow", {})
    a.worker.start()
    await asyncio.wait_for(started.wait(), timeout=30)
    await a.worker.stop()
    row = await a.store.background.get(job.id)
    assert (row.state, row.attempts, row.locked_by) == ("queued", 0, None)  # back, its attempt not counted
    await b.worker.drain()
    assert ran == ["node-b"] and (await b.store.background.get(job.id)).state == "done"


async def test_a_limited_kind_runs_at_most_its_limit_at_once_and_waits_while_paused(nodes):
    clock, at_once, ran = Clock(), [], []
    running = {"test.import": 0}

    async def bulk(node, payload):
        running["test.import"] += 1
        at_once.append(running["test.import"])
        await asyncio.sleep(0.01)
        running["test.import"] -= 1
        ran.append(payload["n"])

    async def quick(node, payload):
        ran.append(payload["n"])

    a = await nodes({"test.import": Handler("test.import", bulk), "test.quick": Handler("test.quick", quick)},
                    clock, "node-a", concurrency=4)
    room = {"n": 0}
    a.worker.limit("test.import", lambda: room["n"])
    for n in range(3):
        await a.queue.enqueue("test.import", {"n": f"import-{n}"})
    await a.queue.enqueue("test.quick", {"n": "quick"})
    await a.worker.drain()
    assert ran == ["quick"]  # paused (no room): the other kinds still run
    counts = {(c.kind, c.state): c.count for c in await a.store.background.counts()}
    assert counts[("test.import", "queued")] == 3
    room["n"] = 1
    await a.worker.drain()
    assert sorted(ran) == ["import-0", "import-1", "import-2", "quick"] and max(at_once) == 1


async def test_periodic_work_runs_once_per_period_across_nodes(nodes):
    clock, ran = Clock(T0 + timedelta(seconds=5)), []

    async def sweep(node, payload):
        ran.append(node.worker.node)

    handlers = {"test.sweep": Handler("test.sweep", sweep)}
    every = (PeriodicJob("test.sweep", 60),)
    a = await nodes(handlers, clock, "node-a", periodic=every)
    b = await nodes(handlers, clock, "node-b", periodic=every)
    for _ in range(2):
        await asyncio.gather(a.worker.enqueue_periodic(), b.worker.enqueue_periodic())
        await asyncio.gather(a.worker.drain(), b.worker.drain())
    assert len(ran) == 1
    clock.now = T0 + timedelta(seconds=65)  # the next period
    await asyncio.gather(a.worker.enqueue_periodic(), b.worker.enqueue_periodic())
    await asyncio.gather(a.worker.drain(), b.worker.drain())
    assert len(ran) == 2


# --- through the server ------------------------------------------------------------------------------------------
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "admin password 1"


async def test_admins_see_background_work_and_imports_run_on_the_queue(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        await h.ctx.store.accounts.create_user(h.org_id, ADMIN_EMAIL, hash_password(ADMIN_PASSWORD), role="admin")
        async with h.hr_client() as hr, h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
            # an import, end to end: a job of the queue (any node may run it; here there is one)
            csv = "name,email,resume\nWang Fang,wang@example.com,Python developer for 5 years\n".encode()
            form = aiohttp.FormData()
            form.add_field("file", csv, filename="list.csv", content_type="text/csv")
            async with hr.post(f"/api/v1/jobs/{h.job_id}/imports", data=form) as r:
                assert r.status == 202, await r.text()
                run = await r.json()

            async def finished():
                body = await (await hr.get(f"/api/v1/imports/{run['id']}")).json()
                return body if body["status"] not in ("pending", "running") else None

            body = await until(finished, what="the import")
            assert (body["status"], body["created"]) == ("done", 1)

            async def import_job_done():
                listed = await (await admin.get("/api/v1/background-jobs?kind=import.run")).json()
                return listed if listed["jobs"] and listed["jobs"][0]["state"] == "done" else None

            listed = await until(import_job_done, what="the import's job")
            assert len(listed["jobs"]) == 1 and listed["jobs"][0]["attempts"] == 1

            # a job that keeps failing is listed with its error for the admin
            job = await h.ctx.store.background.enqueue("invitation.send", {"invitation_id": "gone", "channel": "fax"},
                                                       now=h.ctx.clock(), org_id=h.org_id)

            async def failed_listed():
                listed = await (await admin.get("/api/v1/background-jobs?state=failed")).json()
                return listed if listed["jobs"] else None

            listed = await until(failed_listed, what="the failed job")
            assert [(j["id"], j["kind"], j["last_error"]) for j in listed["jobs"]] == [
                (job.id, "invitation.send", "PermanentJobError: unknown invitation channel 'fax'")]
            whole = await (await admin.get("/api/v1/background-jobs")).json()
            counts = {(c["kind"], c["state"]): c["count"] for c in whole["counts"]}
            assert counts[("invitation.send", "failed")] == 1 and counts[("import.run", "done")] == 1
            assert sum(n for (kind, _), n in counts.items() if kind == "retention.sweep") >= 1  # the periodic sweep
            assert "payload" not in listed["jobs"][0]
            async with admin.get("/api/v1/background-jobs?state=stuck") as r:
                assert r.status == 400 and (await r.json())["error"]["code"] == "bad_query"
            async with hr.get("/api/v1/background-jobs") as r:
                assert r.status == 403

            # another organisation's jobs are not shown
            other = await h.ctx.store.accounts.create_org("Other")
            theirs = await h.ctx.store.background.enqueue("invitation.send", {}, now=h.ctx.clock(), org_id=other.id,
                                                          run_after=h.ctx.clock() + timedelta(days=1))
            listed = await (await admin.get("/api/v1/background-jobs")).json()
            assert theirs.id not in {j["id"] for j in listed["jobs"]} and job.id in {j["id"] for j in listed["jobs"]}


async def test_an_import_accepted_before_uploads_were_kept_is_marked_interrupted_by_another_node(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h, h.hr_client() as http:
        # node "lost", of a version that kept uploads on the node alone, took an upload, held its job and died:
        # nothing renews the lease, and no node has the files
        run, _ = await h.ctx.store.imports.create(h.org_id, h.job_id, None, "zip", "lost.zip", ["a.pdf", "b.pdf"])
        await h.ctx.store.imports.update(run.id, status="running", heartbeat_at=h.ctx.clock())
        past = h.ctx.clock() - timedelta(minutes=5)
        await h.ctx.store.background.enqueue(RUN_KIND, {"import_id": run.id}, now=past,
                                             idempotency_key=f"import:{run.id}", org_id=h.org_id, locked_by="lost",
                                             lease_s=60)
        h.ctx.worker.wake()  # this node finds the expired lease and runs the job's recovery

        async def settled():
            job = await h.ctx.store.background.by_key(f"import:{run.id}")
            return await (await http.get(f"/api/v1/imports/{run.id}")).json() if job.state == "done" else None

        body = await until(settled, what="the recovery")
        assert body["status"] == "interrupted" and body["error"]["code"] == "server_stopped"
        assert "Upload the same files again" in body["error"]["message"]
        job = await h.ctx.store.background.by_key(f"import:{run.id}")
        assert (job.state, job.attempts) == ("done", 2)


async def test_a_jobs_payload_is_encrypted_at_rest(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        await h.ctx.store.background.enqueue("invitation.send", {"recipient": "wang.fang@example.com"},
                                             now=h.ctx.clock(), idempotency_key="secret",
                                             run_after=h.ctx.clock() + timedelta(days=1))
        async with h.ctx.store.db.engine.connect() as conn:
            raw = (await conn.execute(text("SELECT CAST(payload AS TEXT) FROM background_jobs "
                                           "WHERE idempotency_key = 'secret'"))).scalar_one()
        assert "wang.fang" not in raw and "enc:v1:" in raw
        assert (await h.ctx.store.background.by_key("secret")).payload == {"recipient": "wang.fang@example.com"}
