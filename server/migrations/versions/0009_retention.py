"""retention

Per-organisation retention periods, legal hold on candidates, the time an interview's content was deleted, and
the log of deletions (ids and counts only).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 22:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('retention_policies',
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('interview_content_days', sa.Integer(), nullable=False),
    sa.Column('candidate_days', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=32), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('org_id')
    )
    op.create_table('data_deletions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('candidate_id', sa.String(length=32), nullable=True),
    sa.Column('interview_id', sa.String(length=32), nullable=True),
    sa.Column('actor_id', sa.String(length=32), nullable=True),
    sa.Column('actor_email', sa.String(length=320), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_data_deletions_org_at', 'data_deletions', ['org_id', 'at'], unique=False)
    op.create_index(op.f('ix_data_deletions_candidate_id'), 'data_deletions', ['candidate_id'], unique=False)
    with op.batch_alter_table('candidates') as batch:
        batch.add_column(sa.Column('legal_hold_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('legal_hold_reason', sa.Text(), server_default='', nullable=False))
        batch.add_column(sa.Column('legal_hold_by', sa.String(length=32), nullable=True))
    with op.batch_alter_table('interviews') as batch:
        batch.add_column(sa.Column('content_deleted_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('resumes') as batch:
        batch.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('resumes') as batch:
        batch.drop_column('updated_at')
    with op.batch_alter_table('interviews') as batch:
        batch.drop_column('content_deleted_at')
    with op.batch_alter_table('candidates') as batch:
        batch.drop_column('legal_hold_by')
        batch.drop_column('legal_hold_reason')
        batch.drop_column('legal_hold_at')
    op.drop_index(op.f('ix_data_deletions_candidate_id'), table_name='data_deletions')
    op.drop_index('ix_data_deletions_org_at', table_name='data_deletions')
    op.drop_table('data_deletions')
    op.drop_table('retention_policies')
