"""self identifications

Candidates' voluntary self-identification (sex, race/ethnicity, age band) for bias monitoring, one row per
interview, kept apart from the candidate record.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 22:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('self_identifications',
    sa.Column('interview_id', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('sex', sa.Text(), nullable=True),  # encrypted (server/compliance/crypto.py)
    sa.Column('race_ethnicity', sa.Text(), nullable=True),
    sa.Column('age_band', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('interview_id')
    )
    op.create_index(op.f('ix_self_identifications_job_id'), 'self_identifications', ['job_id'], unique=False)
    op.create_index(op.f('ix_self_identifications_org_id'), 'self_identifications', ['org_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_self_identifications_org_id'), table_name='self_identifications')
    op.drop_index(op.f('ix_self_identifications_job_id'), table_name='self_identifications')
    op.drop_table('self_identifications')
