"""resumes, job requirements, match overrides

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 14:27:41.456022
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('job_requirements',
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('requirements', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.String(length=32), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('job_id')
    )
    op.create_table('match_overrides',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('candidate_id', sa.String(length=32), nullable=False),
    sa.Column('requirement_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by', sa.String(length=320), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('match_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_overrides_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_overrides_job_id'), ['job_id'], unique=False)

    op.create_table('resumes',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('candidate_id', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('profile', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('resumes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resumes_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resumes_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resumes_org_id'), ['org_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('resumes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resumes_org_id'))
        batch_op.drop_index(batch_op.f('ix_resumes_job_id'))
        batch_op.drop_index(batch_op.f('ix_resumes_candidate_id'))

    op.drop_table('resumes')
    with op.batch_alter_table('match_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_overrides_job_id'))
        batch_op.drop_index(batch_op.f('ix_match_overrides_candidate_id'))

    op.drop_table('match_overrides')
    op.drop_table('job_requirements')

