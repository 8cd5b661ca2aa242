"""personal data reads

The audit log of reads of candidates' personal data: who read what, when, how often, from where, and which
candidates each read disclosed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 22:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('personal_data_reads',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('actor_id', sa.String(length=32), nullable=True),
    sa.Column('actor_email', sa.String(length=320), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject_kind', sa.String(length=20), nullable=False),
    sa.Column('subject_id', sa.String(length=32), nullable=False),
    sa.Column('candidates_total', sa.Integer(), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('first_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_personal_data_reads_org_last', 'personal_data_reads', ['org_id', 'last_at'], unique=False)
    op.create_table('personal_data_read_candidates',
    sa.Column('read_id', sa.String(length=32), nullable=False),
    sa.Column('candidate_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['read_id'], ['personal_data_reads.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('read_id', 'candidate_id')
    )
    op.create_index(op.f('ix_personal_data_read_candidates_candidate_id'), 'personal_data_read_candidates',
                    ['candidate_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_personal_data_read_candidates_candidate_id'), table_name='personal_data_read_candidates')
    op.drop_table('personal_data_read_candidates')
    op.drop_index('ix_personal_data_reads_org_last', table_name='personal_data_reads')
    op.drop_table('personal_data_reads')
