"""the interview list's figures and indexes

interviews.ai_score (the overall AI score: the mean over competencies of each competency's final scores weighted
by confidence), interviews.human_rating (the mean over competencies of each competency's mean human rating) and
interviews.flag_count (proctoring flags raised) let the HR list sort and filter in SQL; from now on they are kept
as scores, ratings and flags are stored (server/storage/interview_records.py). Existing interviews get them
computed here, by the same rules as server/reports/overall_score.py (copied: a migration keeps the rule it was
written with). Indexes: an organisation's and a job's interviews newest first; the audit row a repeated read
counts on (by user and subject).

Revision ID: 0016
Revises: 0021
Create Date: 2026-12-20 10:00:00
"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0021'
branch_labels = None
depends_on = None


def _ai_scores(conn) -> dict[str, float]:
    rows = conn.execute(sa.text(
        "SELECT id, interview_id, question_index, competency, score, confidence FROM answer_scores "
        "ORDER BY interview_id, turn_index, created_at")).all()
    final: dict[str, dict[tuple, tuple[float, float, str]]] = defaultdict(dict)
    for _id, iv, qi, comp, score, conf in rows:  # the last score of a question and competency counts
        final[iv][(qi, comp)] = (score, conf, comp)
    out = {}
    for iv, scores in final.items():
        by_comp: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for score, conf, comp in scores.values():
            by_comp[comp].append((score, conf))
        values = [sum(s * c for s, c in v) / (sum(c for _, c in v) or 1.0) for v in by_comp.values()]
        out[iv] = sum(values) / len(values)
    return out


def _human_ratings(conn) -> dict[str, float]:
    by_iv: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for iv, comp, score in conn.execute(sa.text("SELECT interview_id, competency, score FROM human_reviews")).all():
        by_iv[iv][comp].append(score)
    return {iv: sum(sum(v) / len(v) for v in comps.values()) / len(comps) for iv, comps in by_iv.items()}


def upgrade() -> None:
    with op.batch_alter_table('interviews') as batch:
        batch.add_column(sa.Column('ai_score', sa.Float(), nullable=True))
        batch.add_column(sa.Column('human_rating', sa.Float(), nullable=True))
        batch.add_column(sa.Column('flag_count', sa.Integer(), nullable=False, server_default='0'))
    op.create_index('ix_interviews_org_created', 'interviews', ['org_id', 'created_at'], unique=False)
    op.create_index('ix_interviews_job_created', 'interviews', ['job_id', 'created_at'], unique=False)
    op.create_index('ix_personal_data_reads_actor_subject', 'personal_data_reads',
                    ['actor_id', 'subject_id', 'last_at'], unique=False)

    conn = op.get_bind()
    set_value = sa.text("UPDATE interviews SET ai_score = :v WHERE id = :id")
    for iv, value in _ai_scores(conn).items():
        conn.execute(set_value, {"v": value, "id": iv})
    set_value = sa.text("UPDATE interviews SET human_rating = :v WHERE id = :id")
    for iv, value in _human_ratings(conn).items():
        conn.execute(set_value, {"v": value, "id": iv})
    op.execute("UPDATE interviews SET flag_count = (SELECT count(*) FROM events "
               "WHERE events.interview_id = interviews.id AND events.type = 'flag.raised')")


def downgrade() -> None:
    op.drop_index('ix_personal_data_reads_actor_subject', table_name='personal_data_reads')
    op.drop_index('ix_interviews_job_created', table_name='interviews')
    op.drop_index('ix_interviews_org_created', table_name='interviews')
    with op.batch_alter_table('interviews') as batch:
        batch.drop_column('flag_count')
        batch.drop_column('human_rating')
        batch.drop_column('ai_score')
