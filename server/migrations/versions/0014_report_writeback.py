"""reports written back to the HR system: the outbox and sync log, users' DingTalk userids

report_syncs holds one row per write of an interview's report to one target (the candidate's DingTalk recruiting
record, a work notice to the job's recruiters, the report webhook), drained by server/reports/writeback.py and read
by HR as the sync log. users.dingtalk_userid names who receives the work notices.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-20 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_syncs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('interview_id', sa.String(length=32), nullable=False),
    sa.Column('target', sa.String(length=24), nullable=False),
    sa.Column('recipient', sa.String(length=500), nullable=False),
    sa.Column('report_version', sa.Integer(), nullable=False),
    sa.Column('report_digest', sa.String(length=64), nullable=False),
    sa.Column('idempotency_key', sa.String(length=100), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error_code', sa.String(length=40), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('external_ref', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('interview_id', 'target', 'report_digest', name='uq_report_syncs_once')
    )
    op.create_index(op.f('ix_report_syncs_interview_id'), 'report_syncs', ['interview_id'], unique=False)
    op.create_index('ix_report_syncs_status_next', 'report_syncs', ['status', 'next_attempt_at'], unique=False)
    op.create_index('ix_report_syncs_org_created', 'report_syncs', ['org_id', 'created_at'], unique=False)
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('dingtalk_userid', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('dingtalk_userid')
    op.drop_index('ix_report_syncs_org_created', table_name='report_syncs')
    op.drop_index('ix_report_syncs_status_next', table_name='report_syncs')
    op.drop_index(op.f('ix_report_syncs_interview_id'), table_name='report_syncs')
    op.drop_table('report_syncs')
