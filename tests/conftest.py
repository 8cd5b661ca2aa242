from __future__ import annotations

import pytest

from server.storage.store import Store
from tests.fake_openai import FakeOpenAI
from tests.services import create_pg_database, drop_pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request, tmp_path):
    """The same tests on both storage engines."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
async def store(tmp_path):
    """A migrated store on SQLite (the live loop's tests)."""
    store = Store(f"sqlite+aiosqlite:///{tmp_path / 'live.db'}")
    await store.migrate()
    yield store
    await store.close()


@pytest.fixture
async def fake_openai():
    """A scripted OpenAI-compatible chat server on loopback (tests/fake_openai.py)."""
    srv = FakeOpenAI()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()
