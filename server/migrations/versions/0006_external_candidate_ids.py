"""external candidate ids

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 16:20:00

Candidates imported from an HR system (DingTalk ATS) keep that system's id, unique per organisation and source, so a
second import updates them instead of creating duplicates. Manually uploaded candidates leave both columns NULL (NULLs
never collide in a unique constraint, on SQLite or PostgreSQL).

SQLite cannot add a constraint to an existing table without rebuilding it, and rebuilding ``candidates`` would drop
the old table with foreign keys switched on, which cascades into interviews and resumes. So on SQLite the columns are
added in place and the uniqueness is a UNIQUE INDEX of the same name (it enforces exactly the same rule); PostgreSQL
gets a real unique constraint.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

COLUMNS = ['org_id', 'external_source', 'external_id']
NAME = 'uq_candidates_external'


def upgrade() -> None:
    with op.batch_alter_table('candidates', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('external_source', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('external_id', sa.String(length=128), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        op.create_index(NAME, 'candidates', COLUMNS, unique=True)
    else:
        op.create_unique_constraint(NAME, 'candidates', COLUMNS)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.drop_index(NAME, table_name='candidates')
    else:
        op.drop_constraint(NAME, 'candidates', type_='unique')
    with op.batch_alter_table('candidates', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('external_id')
        batch_op.drop_column('external_source')
