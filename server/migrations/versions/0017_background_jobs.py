"""background jobs: the shared, durable work queue

Imports, invitations, scheduling messages and retention sweeps run as rows of ``background_jobs``, claimed by one
node at a time under a lease (server/platform/work_queue.py). The payload column is encrypted like other personal
fields.

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-05 15:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('background_jobs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('run_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_by', sa.String(length=64), nullable=True),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    op.create_index(op.f('ix_background_jobs_kind'), 'background_jobs', ['kind'], unique=False)
    op.create_index(op.f('ix_background_jobs_org_id'), 'background_jobs', ['org_id'], unique=False)
    op.create_index('ix_background_jobs_state_run_after', 'background_jobs', ['state', 'run_after'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_background_jobs_state_run_after', table_name='background_jobs')
    op.drop_index(op.f('ix_background_jobs_org_id'), table_name='background_jobs')
    op.drop_index(op.f('ix_background_jobs_kind'), table_name='background_jobs')
    op.drop_table('background_jobs')
