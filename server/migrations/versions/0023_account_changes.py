"""account changes: who created, changed, deactivated or assigned which user, and when

Revision ID: 0023
Revises: 0022
Create Date: 2027-01-12 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_changes',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('actor_id', sa.String(length=32), nullable=True),
    sa.Column('actor_email', sa.String(length=320), nullable=False),
    sa.Column('subject_id', sa.String(length=32), nullable=False),
    sa.Column('subject_email', sa.String(length=320), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_account_changes_org_at', 'account_changes', ['org_id', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_account_changes_org_at', table_name='account_changes')
    op.drop_table('account_changes')
