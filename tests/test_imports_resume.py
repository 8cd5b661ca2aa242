"""A bulk import runs on any node and outlives the node it started on, on SQLite and PostgreSQL: a node that stops
gives the run back to the queue and one that dies leaves it until its job's lease runs out; either way another server
on the same database goes on from the first pending item. HR sees the run pending or running while it waits, running
again once resumed, then done with every candidate stored once, and the uploaded files are gone from the database.
A node runs at most ``import_max_active`` imports at once; the others wait on the queue."""

from __future__ import annotations

import asyncio
import io
import tempfile
import zipfile

import pytest
from sqlalchemy import text

from server.recruiting.import_upload import UploadedFile, inspect_upload
from server.storage.store import Store
from tests.harness import running_server
from tests.test_imports import LI_LEI, start

pytestmark = pytest.mark.unit

N = 60  # resumes in the upload: enough that a node is stopped part-way
TIMEOUT = 120.0


def many_resumes(n: int) -> bytes:
    """A zip of ``n`` text resumes, each a different person (own name, e-mail and phone)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(n):
            z.writestr(f"cv{i:03d}.txt", LI_LEI.replace("李雷", f"李{'一二三四五六七八九十'[i % 10]}{i}")
                       .replace("13912345678", f"139{10000000 + i}").replace("lilei@", f"li{i}@").encode())
    return buf.getvalue()


async def watch(http, import_id: str, until, timeout: float = TIMEOUT) -> tuple[dict, list[str]]:
    """Poll the run as the HR page does until ``until(run)``; the run then and the statuses seen meanwhile."""
    deadline = asyncio.get_running_loop().time() + timeout
    seen: list[str] = []
    while True:
        async with http.get(f"/api/v1/imports/{import_id}") as r:
            assert r.status == 200, await r.text()
            run = await r.json()
        if not seen or seen[-1] != run["status"]:
            seen.append(run["status"])
        if until(run):
            return run, seen
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"import {run['status']} with {run['done']} of {run['total']} after {timeout} s")
        await asyncio.sleep(0.05)


STOP_AFTER = 3  # resumes the first node reads before it stops


@pytest.fixture
def paced(monkeypatch) -> asyncio.Event:
    """Resumes after the first ``STOP_AFTER`` wait to be read until the event is set, so the first node is stopped
    part-way every time (reading them is what a node does between its recorded items)."""
    from server.recruiting import imports

    reading, go, calls = imports.parse_resume_off_loop, asyncio.Event(), []

    async def paced_reading(*args, **kwargs):
        calls.append(args[1])  # the file's name
        if len(calls) > STOP_AFTER:
            await go.wait()
        return await reading(*args, **kwargs)

    monkeypatch.setattr(imports, "parse_resume_off_loop", paced_reading)
    return go


def part_way(run: dict) -> bool:
    return run["done"] >= STOP_AFTER


def ended(run: dict) -> bool:
    return run["status"] not in ("pending", "running")


async def assert_finished_once(h, run: dict, job_id: str) -> None:
    """Done, every resume imported as one new candidate, and the upload deleted from the database."""
    assert (run["status"], run["error"]) == ("done", None), run
    assert (run["total"], run["done"], run["created"], run["duplicate"], run["failed"]) == (N, N, N, 0, 0)
    assert [i["position"] for i in run["items"]] == list(range(N))
    assert {i["status"] for i in run["items"]} == {"created"}
    stored = await h.ctx.store.matching.resumes(job_id)
    candidates = {c.id for _, c in stored}
    assert len(stored) == N and len(candidates) == N  # no one stored twice
    assert {i["candidate_id"] for i in run["items"]} == candidates
    assert await h.ctx.store.import_uploads.files(run["id"]) == []
    job = await h.ctx.store.background.by_key(f"import:{run['id']}")
    assert (job.state, job.locked_by) == ("done", None)


async def test_a_stopped_nodes_import_is_finished_by_another_node(db_url, tmp_path, paced):
    data = many_resumes(N)
    async with running_server(db_url, tmp_path / "a") as a, a.hr_client() as http:
        started = await start(http, a.job_id, ("many.zip", data, "application/zip"))
        import_id, job_id = started["id"], a.job_id
        # kept in the database before the upload was answered (encrypted): any node can run the import
        assert [(f.filename, f.size) for f in await a.ctx.store.import_uploads.files(import_id)] == \
            [("many.zip", len(data))]
        async with a.ctx.store.db.engine.connect() as conn:
            raw = (await conn.execute(text("SELECT data FROM import_uploads"))).scalars().all()
        assert raw and all(value.startswith("enc:v1:") for value in raw)
        first, _ = await watch(http, import_id, part_way)
    # The first server stopped (SIGTERM): its run went back to the queue, neither interrupted nor lost.
    store = Store(db_url)
    try:
        handed = await store.imports.run(import_id)
        job = await store.background.by_key(f"import:{import_id}")
        assert handed.status == "pending" and handed.error_code == ""
        assert (job.state, job.locked_by, job.attempts) == ("queued", None, 0)
        assert [i.status for i in await store.imports.items(import_id)] == \
            ["created"] * STOP_AFTER + ["pending"] * (N - STOP_AFTER)  # the one being read when it stopped too
        assert await store.import_uploads.files(import_id)
    finally:
        await store.close()
    paced.set()
    async with running_server(db_url, tmp_path / "b", seed=False) as b, b.hr_client() as http:
        run, seen = await watch(http, import_id, ended)
        assert "running" in seen and seen[-1] == "done", seen
        assert run["started_at"] == first["started_at"]  # the same run, resumed
        await assert_finished_once(b, run, job_id)


async def test_a_dead_nodes_import_is_taken_over_once_its_lease_runs_out(db_url, tmp_path, monkeypatch, paced):
    data = many_resumes(N)
    quick = {"job_lease_s": 1, "job_poll_s": 0.2}
    async with running_server(db_url, tmp_path / "a", **quick) as a, a.hr_client() as http:
        started = await start(http, a.job_id, ("many.zip", data, "application/zip"))
        import_id, job_id = started["id"], a.job_id
        await watch(http, import_id, part_way)
        crash(a.ctx, monkeypatch)
        dead, _ = await watch(http, import_id, lambda run: True)
        assert (dead["status"], dead["done"]) == ("running", STOP_AFTER)  # nothing says it stopped
        paced.set()
        async with running_server(db_url, tmp_path / "b", seed=False, **quick) as b, b.hr_client() as http_b:
            run, seen = await watch(http_b, import_id, ended)
            assert seen[-1] == "done" and "interrupted" not in seen, seen
            await assert_finished_once(b, run, job_id)
            job = await b.ctx.store.background.by_key(f"import:{import_id}")
            assert job.attempts == 2  # the dead node's run and the one that finished it


def crash(ctx, monkeypatch) -> None:
    """Stop a node's import as a crash would, in this process: the run stops mid-item, its job is not given back
    nor the run marked, and neither the job's lease nor the run's heartbeat is renewed any more."""
    async def nothing(*_args, **_kwargs):
        return False

    monkeypatch.setattr(ctx.store.background, "release", nothing)
    monkeypatch.setattr(ctx.store.background, "renew", nothing)
    monkeypatch.setattr(ctx.store.imports, "hand_back", nothing)
    monkeypatch.setattr(ctx.store.imports, "heartbeat", nothing)
    ctx.imports.stopping = True  # and it claims nothing more
    for task in ctx.imports.tasks.values():
        task.cancel()


async def queue_upload(ctx, org_id: str, job_id: str, filename: str, data: bytes) -> str:
    """What another node's upload route does: the run, its files in the database, its job on the queue."""
    fh = tempfile.TemporaryFile()
    fh.write(data)
    plan = inspect_upload([UploadedFile(filename, "application/zip", fh, len(data))], ctx.settings)
    try:
        run, _ = await ctx.store.imports.create(org_id, job_id, None, plan.source, plan.filename,
                                                [item.label for item in plan.items])
        await ctx.imports.keep_upload(run.id, plan.files)
        await ctx.imports.submit(run.id, org_id)
    finally:
        plan.close()
    return run.id


async def test_each_node_runs_at_most_its_limit_and_the_rest_wait_on_the_queue(sqlite_url, tmp_path, monkeypatch):
    from server.recruiting import imports

    held, reading = asyncio.Event(), imports.parse_resume_off_loop

    async def held_reading(*args, **kwargs):  # every resume waits until the test lets them go
        await held.wait()
        return await reading(*args, **kwargs)

    monkeypatch.setattr(imports, "parse_resume_off_loop", held_reading)
    async with running_server(sqlite_url, tmp_path, import_max_active=1) as h, h.hr_client() as http:
        first = await start(http, h.job_id, ("one.zip", many_resumes(N), "application/zip"))
        await watch(http, first["id"], lambda run: run["status"] == "running")
        # the node runs one import: a second upload is refused with the reason, and nothing of it is kept
        refused = await start(http, h.job_id, ("two.zip", many_resumes(3), "application/zip"), status=429)
        assert refused["error"]["code"] == "import_busy"
        assert len((await (await http.get(f"/api/v1/jobs/{h.job_id}/imports")).json())["imports"]) == 1
        # one accepted by another node meanwhile waits on the queue until this node has room, then runs here
        waiting = await queue_upload(h.ctx, h.org_id, h.job_id, "three.zip", many_resumes(3))
        await asyncio.sleep(0.5)
        queued, _ = await watch(http, waiting, lambda run: True)
        assert queued["status"] == "pending" and queued["done"] == 0
        assert h.ctx.worker.running_of("import.run") == 1
        held.set()
        done, _ = await watch(http, first["id"], ended)
        assert done["status"] == "done" and done["created"] == N
        later, _ = await watch(http, waiting, ended)
        assert later["status"] == "done" and later["duplicate"] == 3  # the same people as the first three
        assert await h.ctx.store.import_uploads.files(waiting) == []
