"""Databases as an older server left them: rows written in plain SQL (the models describe only the newest
schema); ``server.storage.migrate.move_schema`` takes the schema to a past revision first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


async def insert_first_schema_interview(conn: AsyncConnection, at: datetime, status: str) -> None:
    """Organisation 'o', job 'j', plan 'p', candidate 'c' and interview 'i' (in ``status``), with only the columns
    the first schema (0001) has, all created ``at``."""
    n = {"n": at}
    await conn.execute(text("INSERT INTO organizations (id, name, region, created_at) VALUES ('o', 'O', 'CN', :n)"), n)
    await conn.execute(text("INSERT INTO jobs (id, org_id, title, description, language, created_at) "
                            "VALUES ('j', 'o', 'T', '', 'en', :n)"), n)
    await conn.execute(text("INSERT INTO question_plans (id, job_id, version, language, created_at) "
                            "VALUES ('p', 'j', 1, 'en', :n)"), n)
    await conn.execute(text("INSERT INTO candidates (id, org_id, name, email, created_at) "
                            "VALUES ('c', 'o', 'C', '', :n)"), n)
    await conn.execute(text(
        "INSERT INTO interviews (id, org_id, job_id, candidate_id, plan_id, language, status, link_nonce, "
        "question_index, asr_model, created_at) VALUES ('i', 'o', 'j', 'c', 'p', 'en', :status, 'n', 0, '', :n)"),
        {**n, "status": status})
