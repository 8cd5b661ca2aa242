"""answer scores record their scorer

Which path scored an answer: "rules", or the language model's name with the rules ("<model> + rules"). Scores
stored before this revision were all the rules'.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('answer_scores') as batch:
        batch.add_column(sa.Column('scored_by', sa.String(length=120), nullable=False, server_default='rules'))


def downgrade() -> None:
    with op.batch_alter_table('answer_scores') as batch:
        batch.drop_column('scored_by')
