"""One data model, two engines: SQLite (embedded default) and PostgreSQL (asyncpg), migrated by Alembic."""
