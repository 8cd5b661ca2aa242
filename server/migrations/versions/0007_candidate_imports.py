"""candidate imports

Bulk import runs and their per-file results, and the per-job contact keys (normalised e-mail and phone) that keep
one person from being stored twice for one job. Existing resumes get their contact keys here (the first candidate
of a job with a given e-mail or phone keeps it).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 16:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('candidate_imports',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('error_code', sa.String(length=40), nullable=False),
    sa.Column('error_message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('candidate_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidate_imports_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_imports_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_imports_status'), ['status'], unique=False)

    op.create_table('candidate_import_items',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('import_id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('candidate_id', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('error_code', sa.String(length=40), nullable=False),
    sa.Column('error_message', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['import_id'], ['candidate_imports.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('import_id', 'position', name='uq_candidate_import_items_position')
    )
    with op.batch_alter_table('candidate_import_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidate_import_items_import_id'), ['import_id'], unique=False)

    op.create_table('job_candidate_contacts',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('candidate_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('value', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job_id', 'kind', 'value', name='uq_job_candidate_contacts')
    )
    with op.batch_alter_table('job_candidate_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_candidate_contacts_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_candidate_contacts_job_id'), ['job_id'], unique=False)

    _backfill_contacts()


def _backfill_contacts() -> None:
    """Contact keys for the resumes stored before this revision (oldest first; a later duplicate gets none)."""
    import uuid

    resumes = sa.table('resumes', sa.column('job_id', sa.String), sa.column('candidate_id', sa.String),
                       sa.column('profile', sa.JSON), sa.column('created_at', sa.DateTime(timezone=True)))
    candidates = sa.table('candidates', sa.column('id', sa.String), sa.column('email', sa.String))
    contacts = sa.table('job_candidate_contacts', sa.column('id', sa.String), sa.column('job_id', sa.String),
                        sa.column('candidate_id', sa.String), sa.column('kind', sa.String),
                        sa.column('value', sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(resumes.c.job_id, resumes.c.candidate_id, candidates.c.email, resumes.c.profile)
                        .select_from(resumes.join(candidates, candidates.c.id == resumes.c.candidate_id))
                        .order_by(resumes.c.created_at))
    seen: set[tuple[str, str, str]] = set()
    batch: list[dict] = []
    for job_id, candidate_id, email, profile in rows:
        mobile = ((profile or {}).get('mobile') or {}).get('value') if isinstance(profile, dict) else None
        for kind, value in (('email', (email or '').strip().lower()), ('phone', (mobile or '').strip())):
            if value and (job_id, kind, value) not in seen:
                seen.add((job_id, kind, value))
                batch.append({'id': uuid.uuid4().hex, 'job_id': job_id, 'candidate_id': candidate_id,
                              'kind': kind, 'value': value[:320]})
    if batch:
        op.bulk_insert(contacts, batch)


def downgrade() -> None:
    with op.batch_alter_table('job_candidate_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_candidate_contacts_job_id'))
        batch_op.drop_index(batch_op.f('ix_job_candidate_contacts_candidate_id'))
    op.drop_table('job_candidate_contacts')

    with op.batch_alter_table('candidate_import_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_import_items_import_id'))
    op.drop_table('candidate_import_items')

    with op.batch_alter_table('candidate_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_imports_status'))
        batch_op.drop_index(batch_op.f('ix_candidate_imports_org_id'))
        batch_op.drop_index(batch_op.f('ix_candidate_imports_job_id'))
    op.drop_table('candidate_imports')
