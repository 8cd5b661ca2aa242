"""Real PostgreSQL and Redis for tests: skip loudly when absent, fail when REQUIRE_SERVICES=1."""

from __future__ import annotations

import os
import socket
import uuid

import pytest

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("TEST_PG_USER", "postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES") == "1"


def unavailable(what: str, why: str) -> None:
    message = f"{what} is not reachable ({why}); these tests need a real server"
    if services_required():
        pytest.fail(message + " and REQUIRE_SERVICES=1", pytrace=False)
    print(f"\n*** SKIPPING: {message} ***")
    pytest.skip(message)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


async def create_pg_database() -> str:
    """A fresh, empty PostgreSQL database; returns its SQLAlchemy URL."""
    import asyncpg

    if not port_open(PG_HOST, PG_PORT):
        unavailable("PostgreSQL", f"{PG_HOST}:{PG_PORT} refused the connection")
    name = f"itest_{uuid.uuid4().hex[:12]}"
    try:
        conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
    except Exception as exc:  # noqa: BLE001
        unavailable("PostgreSQL", str(exc))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


async def drop_pg_database(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def redis_url_or_skip() -> str:
    import redis.asyncio as redis

    client = redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:  # noqa: BLE001
        unavailable("Redis", str(exc))
    finally:
        await client.aclose()
    return REDIS_URL
