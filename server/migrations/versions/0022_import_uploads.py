"""import uploads: a bulk import's files in the shared database

The files of a zip/CSV import are kept in ``import_uploads`` (in parts, encrypted like other personal fields) from the
upload until the run ends, so any node can run the import's queue job and another node can resume it after the
first one stopped or died (server/recruiting/imports.py).

Revision ID: 0022
Revises: 0016
Create Date: 2027-01-05 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_uploads',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('import_id', sa.String(length=32), nullable=False),
    sa.Column('file_index', sa.Integer(), nullable=False),
    sa.Column('part', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['candidate_imports.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('import_id', 'file_index', 'part', name='uq_import_uploads_part')
    )


def downgrade() -> None:
    op.drop_table('import_uploads')
