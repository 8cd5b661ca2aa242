"""user accounts managed by admins

users.active: a deactivated user cannot log in (their records stay); users.last_login_at: when they last logged in;
users.password_link_nonce: the one set-password link that may still be used (cleared when it is used, replaced
when a new one is issued).

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-05 16:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('active', sa.Boolean(), nullable=False, server_default='1'))
        batch.add_column(sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('password_link_nonce', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('password_link_nonce')
        batch.drop_column('last_login_at')
        batch.drop_column('active')
