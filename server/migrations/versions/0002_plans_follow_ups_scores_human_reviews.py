"""plans, follow-ups, scores, human reviews

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 13:22:39.089188
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('answer_scores',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('interview_id', sa.String(length=32), nullable=False),
    sa.Column('turn_index', sa.Integer(), nullable=False),
    sa.Column('question_index', sa.Integer(), nullable=False),
    sa.Column('competency', sa.String(length=100), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('confidence', sa.Double(), nullable=False),
    sa.Column('level', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('uncertain', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('answer_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_scores_interview_id'), ['interview_id'], unique=False)

    op.create_table('human_reviews',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('interview_id', sa.String(length=32), nullable=False),
    sa.Column('reviewer_id', sa.String(length=32), nullable=False),
    sa.Column('competency', sa.String(length=100), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('human_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_human_reviews_interview_id'), ['interview_id'], unique=False)

    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_requested_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('question_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spec', sa.JSON(), nullable=True))

    with op.batch_alter_table('turns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trigger', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=False, server_default=''))




def downgrade() -> None:

    with op.batch_alter_table('turns', schema=None) as batch_op:
        batch_op.drop_column('reason')
        batch_op.drop_column('trigger')

    with op.batch_alter_table('question_plans', schema=None) as batch_op:
        batch_op.drop_column('spec')

    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.drop_column('review_requested_at')

    with op.batch_alter_table('human_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_human_reviews_interview_id'))

    op.drop_table('human_reviews')
    with op.batch_alter_table('answer_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_scores_interview_id'))

    op.drop_table('answer_scores')

