"""people's decisions on interviews

interview_decisions: after reading a report, a person records advance, hold or do not advance (with an optional
comment), next to what the AI suggested and the overall AI score at that moment. Rows are never changed; the newest
counts, earlier ones are its history.

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-22 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('interview_decisions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('interview_id', sa.String(length=32), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('suggested', sa.String(length=16), nullable=True),
    sa.Column('overall_score', sa.Float(), nullable=True),
    sa.Column('decided_by', sa.String(length=32), nullable=True),
    sa.Column('decided_by_email', sa.String(length=320), nullable=False),
    sa.Column('decided_by_name', sa.String(length=200), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_interview_decisions_org_id'), 'interview_decisions', ['org_id'], unique=False)
    op.create_index(op.f('ix_interview_decisions_interview_id'), 'interview_decisions', ['interview_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_interview_decisions_interview_id'), table_name='interview_decisions')
    op.drop_index(op.f('ix_interview_decisions_org_id'), table_name='interview_decisions')
    op.drop_table('interview_decisions')
