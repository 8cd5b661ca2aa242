"""hiring outcomes and accepted competency weights

candidate_outcomes: per job and candidate, the decision after the interview (advanced, hired, rejected) and, once
hired, a performance rating (1-5) after some months; read by the HR analytics only. competency_weight_decisions:
who accepted which suggested competency weights for a job, and the plan version that carries them.

Revision ID: 0015
Revises: 0017
Create Date: 2026-12-20 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('candidate_outcomes',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('candidate_id', sa.String(length=32), nullable=False),
    sa.Column('interview_id', sa.String(length=32), nullable=True),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=32), nullable=True),
    sa.Column('performance_rating', sa.Float(), nullable=True),
    sa.Column('performance_months', sa.Integer(), nullable=True),
    sa.Column('performance_date', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job_id', 'candidate_id', name='uq_candidate_outcomes_job_candidate')
    )
    op.create_index(op.f('ix_candidate_outcomes_org_id'), 'candidate_outcomes', ['org_id'], unique=False)
    op.create_index(op.f('ix_candidate_outcomes_job_id'), 'candidate_outcomes', ['job_id'], unique=False)
    op.create_index(op.f('ix_candidate_outcomes_candidate_id'), 'candidate_outcomes', ['candidate_id'], unique=False)
    op.create_table('competency_weight_decisions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('plan_version', sa.Integer(), nullable=False),
    sa.Column('previous_weights', sa.JSON(), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('basis', sa.JSON(), nullable=False),
    sa.Column('accepted_by', sa.String(length=32), nullable=True),
    sa.Column('accepted_by_email', sa.String(length=320), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_competency_weight_decisions_org_id'), 'competency_weight_decisions', ['org_id'],
                    unique=False)
    op.create_index('ix_competency_weight_decisions_job_at', 'competency_weight_decisions', ['job_id', 'accepted_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_competency_weight_decisions_job_at', table_name='competency_weight_decisions')
    op.drop_index(op.f('ix_competency_weight_decisions_org_id'), table_name='competency_weight_decisions')
    op.drop_table('competency_weight_decisions')
    op.drop_index(op.f('ix_candidate_outcomes_candidate_id'), table_name='candidate_outcomes')
    op.drop_index(op.f('ix_candidate_outcomes_job_id'), table_name='candidate_outcomes')
    op.drop_index(op.f('ix_candidate_outcomes_org_id'), table_name='candidate_outcomes')
    op.drop_table('candidate_outcomes')
