"""The one database every repository shares: engine, sessions, transactions and the few query helpers they all use.

SQLite (embedded default) and PostgreSQL (asyncpg) behave the same through it; columns holding candidates' words
are encrypted by their column types (server/compliance/crypto.py), so repositories never encrypt by hand.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from server.storage.migrate import move_schema


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        _roll_back_only_what_is_open(engine)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _roll_back_only_what_is_open(engine: AsyncEngine) -> None:
    """SQLite: a rollback when no transaction is open is skipped. SQLAlchemy rolls back every read session as it
    closes and every connection as it goes back to the pool, and through aiosqlite each rollback is a round trip
    between the event loop and the connection's thread: a read cost 6 of them, a one-row write 5. Under load each
    trip waits for a busy event loop and interpreter lock, and a writer holds SQLite's one write lock meanwhile. A
    read never opens a transaction here (the driver begins one at the first write), so asking the connection
    itself is enough; if it cannot be asked, the rollback happens as before."""
    dialect = engine.sync_engine.dialect
    roll_back = dialect.do_rollback

    def do_rollback(dbapi_connection) -> None:
        adapted = getattr(dbapi_connection, "dbapi_connection", dbapi_connection)  # (the pool's proxy, or not)
        try:
            open_ = bool(adapted._connection.in_transaction)  # sqlite3's own flag, read without a round trip
        except Exception:  # noqa: BLE001 - not the connection expected: do what SQLAlchemy does
            open_ = True
        if open_:
            roll_back(dbapi_connection)

    dialect.do_rollback = do_rollback


# the session ``Database.reads_together`` shares with the reads of the task inside its block
_SHARED_READS: ContextVar[tuple[Database, AsyncSession] | None] = ContextVar("shared_reads", default=None)


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # reads on PostgreSQL without BEGIN/ROLLBACK around them (and the pool's liveness ping without its own):
        # a read session is two round trips instead of six; each statement reads committed data either way
        # (READ COMMITTED). SQLite reads start no transaction of their own.
        self._read_sessions = self.sessions if url.startswith("sqlite") else async_sessionmaker(
            self.engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False)

    def session(self) -> AsyncSession | contextlib.AbstractAsyncContextManager[AsyncSession]:
        """A session for reading only (``async with db.session() as s``; writes go through ``transaction()``);
        inside ``reads_together``, that block's."""
        shared = _SHARED_READS.get()
        if shared is not None and shared[0] is self:
            return contextlib.nullcontext(shared[1])
        return self._read_sessions()

    @contextlib.asynccontextmanager
    async def reads_together(self) -> AsyncIterator[None]:
        """Every ``session()`` read in this block (in this task) shares one session: one connection checked out
        and returned once. For reads only (``transaction()`` stays its own)."""
        shared = _SHARED_READS.get()
        if shared is not None and shared[0] is self:
            yield
            return
        async with self._read_sessions() as s:
            token = _SHARED_READS.set((self, s))
            try:
                yield
            finally:
                _SHARED_READS.reset(token)

    def transaction(self):
        """A session whose work is committed together on leaving the block, or rolled back on an error."""
        return self.sessions.begin()

    async def update_by_id(self, model, row_id: str, **values: Any) -> None:
        """Set ``values`` on the one row of ``model`` with this id (nothing if there is none)."""
        async with self.transaction() as s:
            await s.execute(update(model).where(model.id == row_id).values(**values))

    def insert_with_conflicts(self, model):
        """This database's INSERT with ``on_conflict_do_nothing``/``on_conflict_do_update`` (an upsert: one
        statement, so two writers of the same key never race between a read and a write)."""
        if self.url.startswith("sqlite"):
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        return insert(model)

    def insert_ignoring_duplicates(self, model):
        """INSERT … ON CONFLICT DO NOTHING on either database."""
        return self.insert_with_conflicts(model).on_conflict_do_nothing()

    async def migrate(self) -> None:
        await move_schema(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()


T = TypeVar("T")


async def retry_once_on_conflict(write: Callable[[], Awaitable[T]]) -> T:
    """Run ``write`` (a read-then-write in its own transaction) again once if another writer inserted the row this
    one was about to insert in between (a unique key refuses the second); the second run reads what the other left."""
    try:
        return await write()
    except IntegrityError:
        return await write()


async def lock_for_write(s: AsyncSession, column, *where) -> None:
    """Lock what ``where`` selects of ``column``'s table for the rest of the transaction ``s``, before reading what a
    decision depends on: a no-op write (``column`` set to itself) locks those rows on PostgreSQL and the whole
    database on SQLite, whose ``SELECT … FOR UPDATE`` locks nothing. A second writer doing the same waits here, then
    reads what the first committed, so two check-then-write transactions never both pass their check."""
    await s.execute(update(column.table).where(*where).values({column: column})
                    .execution_options(synchronize_session=False))


async def count_rows(s: AsyncSession, model, *where) -> int:
    """How many rows of ``model`` match ``where``, inside an open session."""
    return int((await s.execute(select(func.count()).select_from(model).where(*where))).scalar_one())


class Repository:
    """One area's queries on the shared database."""

    def __init__(self, db: Database):
        self.db = db
