"""roles scoped to jobs and interviews; candidate links HR can withdraw

Users' roles become admin, recruiter, hiring_manager or observer (server/http/access.py). job_members says which
recruiters and hiring managers are responsible for which job; interview_observers which observers may read which
interview. interviews.link_revoked_at records that HR withdrew the candidate's link.

Existing users keep the access they had: every "hr" user becomes a recruiter responsible for every job of their
organisation, and every observer is invited to every interview of their organisation that exists now (admins
narrow both on the HR page). Interviews and jobs created from now on are seen only by those assigned or invited.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-12 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job_members',
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('assigned_by', sa.String(length=32), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', 'user_id')
    )
    op.create_index(op.f('ix_job_members_user_id'), 'job_members', ['user_id'], unique=False)
    op.create_index(op.f('ix_job_members_org_id'), 'job_members', ['org_id'], unique=False)
    op.create_table('interview_observers',
    sa.Column('interview_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=32), nullable=False),
    sa.Column('invited_by', sa.String(length=32), nullable=True),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('interview_id', 'user_id')
    )
    op.create_index(op.f('ix_interview_observers_user_id'), 'interview_observers', ['user_id'], unique=False)
    op.create_index(op.f('ix_interview_observers_org_id'), 'interview_observers', ['org_id'], unique=False)
    with op.batch_alter_table('interviews') as batch:
        batch.add_column(sa.Column('link_revoked_at', sa.DateTime(timezone=True), nullable=True))

    # existing users keep their access (see above)
    op.execute("INSERT INTO job_members (job_id, user_id, org_id, assigned_by, assigned_at) "
               "SELECT j.id, u.id, u.org_id, NULL, CURRENT_TIMESTAMP FROM users u JOIN jobs j ON j.org_id = u.org_id "
               "WHERE u.role = 'hr'")
    op.execute("INSERT INTO interview_observers (interview_id, user_id, org_id, invited_by, invited_at) "
               "SELECT i.id, u.id, u.org_id, NULL, CURRENT_TIMESTAMP FROM users u "
               "JOIN interviews i ON i.org_id = u.org_id WHERE u.role = 'observer'")
    op.execute("UPDATE users SET role = 'recruiter' WHERE role = 'hr'")


def downgrade() -> None:
    # the old roles: recruiters are HR users again; hiring managers become observers (read-only, the closest)
    op.execute("UPDATE users SET role = 'hr' WHERE role = 'recruiter'")
    op.execute("UPDATE users SET role = 'observer' WHERE role = 'hiring_manager'")
    with op.batch_alter_table('interviews') as batch:
        batch.drop_column('link_revoked_at')
    op.drop_index(op.f('ix_interview_observers_org_id'), table_name='interview_observers')
    op.drop_index(op.f('ix_interview_observers_user_id'), table_name='interview_observers')
    op.drop_table('interview_observers')
    op.drop_index(op.f('ix_job_members_org_id'), table_name='job_members')
    op.drop_index(op.f('ix_job_members_user_id'), table_name='job_members')
    op.drop_table('job_members')
