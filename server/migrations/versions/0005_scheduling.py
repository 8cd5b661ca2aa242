"""scheduling

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 16:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Only ADD COLUMNs on existing tables (no foreign keys), so SQLite never rebuilds interviews/jobs: a rebuild
    # drops the old table, and with foreign keys on that would cascade into turns, events and consents. (A
    # server_default given as an SQL expression would also force a rebuild, hence the literal defaults.)
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allow_immediate', sa.Boolean(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('slot_minutes', sa.Integer(), nullable=False, server_default='30'))

    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('slot_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('schedule_status', sa.String(length=16), nullable=False,
                                      server_default='unscheduled'))
        batch_op.add_column(sa.Column('candidate_timezone', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('schedule_seq', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index(batch_op.f('ix_interviews_slot_id'), ['slot_id'], unique=False)

    op.create_table('job_slots',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('booked', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job_id', 'starts_at', name='uq_job_slots_start')
    )
    with op.batch_alter_table('job_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_slots_job_id'), ['job_id'], unique=False)

    op.create_table('reminders',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('interview_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('booking_seq', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('interview_id', 'kind', 'channel', 'booking_seq', name='uq_reminders_once')
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_interview_id'), ['interview_id'], unique=False)
        batch_op.create_index('ix_reminders_status_due', ['status', 'due_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_reminders_status_due')
        batch_op.drop_index(batch_op.f('ix_reminders_interview_id'))
    op.drop_table('reminders')

    with op.batch_alter_table('job_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_slots_job_id'))
    op.drop_table('job_slots')

    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interviews_slot_id'))
        batch_op.drop_column('schedule_seq')
        batch_op.drop_column('candidate_timezone')
        batch_op.drop_column('schedule_status')
        batch_op.drop_column('slot_id')
        batch_op.drop_column('scheduled_at')

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('slot_minutes')
        batch_op.drop_column('allow_immediate')
