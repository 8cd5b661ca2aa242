"""Schema migrations with Alembic, run in-process on the server's own async engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


async def move_schema(engine: AsyncEngine, revision: str = "head", *, down: bool = False) -> None:
    """Moves the database's schema up (or, with ``down``, down) to ``revision`` on the engine's own connection."""
    move = command.downgrade if down else command.upgrade

    def run(sync_conn) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_conn
        move(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)
