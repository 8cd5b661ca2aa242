"""The audit log of personal-data reads (who saw which candidates, when, from where)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select, update

from server.storage.database import Repository
from server.storage.models import Candidate, PersonalDataRead, PersonalDataReadCandidate


@dataclass(frozen=True)
class AuditedRead:
    """One row of the personal-data audit log, with the candidates it disclosed (id, name or "" once deleted)."""

    id: str
    actor_id: str | None
    actor_email: str
    action: str
    subject_kind: str
    subject_id: str
    ip: str
    first_at: datetime
    last_at: datetime
    count: int
    candidates_total: int
    candidates: list[tuple[str, str]] = field(default_factory=list)


class AuditRepository(Repository):
    """Reads of personal data, coalesced per user, subject and address."""

    async def record_read(self, org_id: str, actor_id: str | None, actor_email: str, action: str, subject_kind: str,
                          subject_id: str, candidate_ids: list[str], ip: str, now: datetime,
                          coalesce_s: int) -> str:
        """Record a read; a repeat (same user, action, subject and address) within ``coalesce_s`` counts on the
        earlier row and adds the candidates it newly disclosed. Returns the row's id."""
        ids = set(candidate_ids)
        ip = ip[:64]
        async with self.db.transaction() as s:
            row = None
            if coalesce_s > 0:
                row = (await s.execute(
                    select(PersonalDataRead).where(
                        PersonalDataRead.org_id == org_id, PersonalDataRead.actor_id == actor_id,
                        PersonalDataRead.action == action, PersonalDataRead.subject_kind == subject_kind,
                        PersonalDataRead.subject_id == subject_id, PersonalDataRead.ip == ip,
                        PersonalDataRead.last_at >= now - timedelta(seconds=coalesce_s))
                    .order_by(PersonalDataRead.last_at.desc()).limit(1))).scalars().first()
            if row is None:
                row = PersonalDataRead(org_id=org_id, actor_id=actor_id, actor_email=actor_email, action=action,
                                       subject_kind=subject_kind, subject_id=subject_id, candidates_total=0,
                                       ip=ip, first_at=now, last_at=now, count=1)
                s.add(row)
                await s.flush()
            else:  # counted in SQL: reads of the same thing at the same moment must not overwrite each other
                await s.execute(update(PersonalDataRead).where(PersonalDataRead.id == row.id).values(
                    count=PersonalDataRead.count + 1,
                    last_at=case((PersonalDataRead.last_at < now, now), else_=PersonalDataRead.last_at)))
            if ids:
                await s.execute(self.db.insert_ignoring_duplicates(PersonalDataReadCandidate).values(
                    [{"read_id": row.id, "candidate_id": c} for c in sorted(ids)]))
                await s.execute(update(PersonalDataRead).where(PersonalDataRead.id == row.id).values(
                    candidates_total=select(func.count()).select_from(PersonalDataReadCandidate)
                    .where(PersonalDataReadCandidate.read_id == row.id).scalar_subquery()))
        return row.id

    async def reads(self, org_id: str, candidate_id: str | None = None, actor_id: str | None = None,
                    before: tuple[datetime, str] | None = None, limit: int = 50,
                    candidates_per_read: int = 20) -> list[AuditedRead]:
        """The organisation's audit log, newest first (by the last time each read happened, then id); ``before``
        is the (last_at, id) of the previous page's last row."""
        q = select(PersonalDataRead).where(PersonalDataRead.org_id == org_id)
        if candidate_id:
            q = q.where(PersonalDataRead.id.in_(select(PersonalDataReadCandidate.read_id)
                                                .where(PersonalDataReadCandidate.candidate_id == candidate_id)))
        if actor_id:
            q = q.where(PersonalDataRead.actor_id == actor_id)
        if before is not None:
            at, rid = before
            q = q.where(or_(PersonalDataRead.last_at < at, and_(PersonalDataRead.last_at == at,
                                                                 PersonalDataRead.id < rid)))
        async with self.db.session() as s:
            rows = (await s.execute(q.order_by(PersonalDataRead.last_at.desc(), PersonalDataRead.id.desc())
                                    .limit(limit))).scalars().all()
            named: dict[str, list[tuple[str, str]]] = {r.id: [] for r in rows}
            if rows:
                links = (await s.execute(
                    select(PersonalDataReadCandidate.read_id, PersonalDataReadCandidate.candidate_id, Candidate.name)
                    .outerjoin(Candidate, Candidate.id == PersonalDataReadCandidate.candidate_id)
                    .where(PersonalDataReadCandidate.read_id.in_(list(named)))
                    .order_by(PersonalDataReadCandidate.candidate_id))).all()
                for read_id, cid, name in links:
                    named[read_id].append((cid, name or ""))
        out = []
        for r in rows:
            cands = named[r.id]
            if candidate_id:  # the candidate asked about comes first, whatever else the read showed
                cands.sort(key=lambda c: c[0] != candidate_id)
            out.append(AuditedRead(r.id, r.actor_id, r.actor_email, r.action, r.subject_kind, r.subject_id, r.ip,
                                   r.first_at, r.last_at, r.count, r.candidates_total, cands[:candidates_per_read]))
        return out
