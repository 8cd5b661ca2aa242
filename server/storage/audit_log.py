"""The audit log of personal-data reads (who saw which candidates, when, from where)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select

from server.storage.database import Repository
from server.storage.group_commit import GroupCommit
from server.storage.models import Candidate, PersonalDataRead, PersonalDataReadCandidate, as_utc, new_id


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


@dataclass(frozen=True)
class _Read:
    org_id: str
    actor_id: str | None
    actor_email: str
    action: str
    subject_kind: str
    subject_id: str
    candidate_ids: frozenset[str]
    ip: str
    now: datetime
    coalesce_s: int

    @property
    def key(self) -> tuple:
        """What makes two reads the same read (counted on one row within the coalescing window)."""
        return (self.org_id, self.actor_id, self.action, self.subject_kind, self.subject_id, self.ip)


MAX_BATCH = 200  # reads written in one transaction
MAX_WAITING = 5000  # reads waiting to be written, at most
MAX_REMEMBERED = 10_000  # rows a repeated read counts on without searching for them (least recently used dropped)


class AuditRepository(Repository):
    """Reads of personal data, coalesced per user, subject and address.

    Group commit (server/storage/group_commit.py): reads that arrive while a transaction of earlier reads is being
    written are written together in the next one (at most ``MAX_BATCH`` per transaction), so many users reading at
    once cost one write each moment instead of one each, and a database that serialises writers (SQLite) is not
    queued up by reads. Every caller still returns only once its own read is committed, and gets the error when it
    was not: a read shown before it is recorded stays impossible (server/compliance/audit.py refuses it with 503).

    A repeat of a read this process recorded lately (the HR page refreshing its list) counts on the remembered row
    with one UPDATE, and links only candidates that row does not have yet; the UPDATE's row count proves the row is
    still there (a new row otherwise). Other processes count their repeats on rows of their own or on this one.
    """

    def __init__(self, db) -> None:
        super().__init__(db)
        self._writes = GroupCommit(self._write, name="audit reads", max_batch=MAX_BATCH, max_waiting=MAX_WAITING)
        # the rows this process counted reads on lately: key -> (row id, last read, candidates linked)
        self._rows: OrderedDict[tuple, tuple[str, datetime, frozenset[str]]] = OrderedDict()

    async def record_read(self, org_id: str, actor_id: str | None, actor_email: str, action: str, subject_kind: str,
                          subject_id: str, candidate_ids: list[str], ip: str, now: datetime,
                          coalesce_s: int) -> str:
        """Record a read; a repeat (same user, action, subject and address) within ``coalesce_s`` counts on the
        earlier row and adds the candidates it newly disclosed. Returns the row's id once it is committed;
        ``GroupCommitBusy`` when too many reads wait to be recorded (the read is refused, like any unrecorded one)."""
        return await self._writes.submit(_Read(org_id, actor_id, actor_email, action, subject_kind, subject_id,
                                               frozenset(candidate_ids), ip[:64], now, coalesce_s))

    async def _write(self, reads: list[_Read]) -> list[str]:
        """Write ``reads`` in one transaction; each one's row id. Repeats of one read in the batch count together."""
        groups: dict[tuple, list[int]] = {}
        for n, read in enumerate(reads):
            groups.setdefault(read.key if read.coalesce_s > 0 else (n,), []).append(n)
        table, links = PersonalDataRead.__table__, PersonalDataReadCandidate.__table__
        ids: list[str] = [""] * len(reads)
        learned: dict[tuple, tuple[str, datetime, frozenset[str]]] = {}
        async with self.db.transaction() as s:
            firsts = [reads[members[0]] for members in groups.values()]
            earlier = await self._rows_to_count_on(s, [r for r in firsts if r.coalesce_s > 0 and not self._known(r)])
            linked: list[dict] = []
            touched: list[str] = []
            for members in groups.values():
                group = [reads[n] for n in members]
                first, latest = group[0], max(r.now for r in group)
                shown = frozenset().union(*(r.candidate_ids for r in group))
                row_id, already = self._known(first) or (None, frozenset())
                if row_id is None and first.coalesce_s > 0 and (found := earlier.get(first.key)) is not None:
                    if as_utc(found[1]) >= as_utc(first.now) - timedelta(seconds=first.coalesce_s):
                        row_id = found[0]  # (the batch searched its widest window)
                if row_id is not None:  # counted in SQL: reads of the same thing at once must not overwrite
                    counted = await s.execute(table.update().where(table.c.id == row_id).values(
                        count=table.c.count + len(group),
                        last_at=case((table.c.last_at < latest, latest), else_=table.c.last_at)))
                    if counted.rowcount == 0:  # the row is gone: a new one
                        row_id, already = None, frozenset()
                if row_id is None:
                    row_id = new_id()
                    await s.execute(table.insert().values(
                        id=row_id, org_id=first.org_id, actor_id=first.actor_id, actor_email=first.actor_email,
                        action=first.action, subject_kind=first.subject_kind, subject_id=first.subject_id,
                        candidates_total=0, ip=first.ip, first_at=min(r.now for r in group), last_at=latest,
                        count=len(group)))
                if new := shown - already:
                    linked += [{"read_id": row_id, "candidate_id": c} for c in sorted(new)]
                    touched.append(row_id)
                if first.coalesce_s > 0:
                    learned[first.key] = (row_id, latest, already | shown)
                for n in members:
                    ids[n] = row_id
            if linked:
                await s.execute(self.db.insert_ignoring_duplicates(links), linked)
                await s.execute(table.update().where(table.c.id.in_(touched)).values(
                    candidates_total=select(func.count()).select_from(links)
                    .where(links.c.read_id == table.c.id).scalar_subquery()))
        for key, row in learned.items():  # committed: repeats of these reads count on their rows without a search
            self._rows[key] = row
            self._rows.move_to_end(key)
        while len(self._rows) > MAX_REMEMBERED:
            self._rows.popitem(last=False)
        return ids

    def _known(self, read: _Read) -> tuple[str, frozenset[str]] | None:
        """The row a repeat of ``read`` counts on, as this process last wrote it, if still within the window; and
        the candidates already linked to it."""
        row = self._rows.get(read.key) if read.coalesce_s > 0 else None
        if row is None or as_utc(row[1]) < as_utc(read.now) - timedelta(seconds=read.coalesce_s):
            return None
        return row[0], row[2]

    @staticmethod
    async def _rows_to_count_on(s, reads: list[_Read]) -> dict[tuple, tuple[str, datetime]]:
        """For each read's key, the latest row within the widest coalescing window of the batch: (id, last_at)."""
        if not reads:
            return {}
        since = min(r.now - timedelta(seconds=r.coalesce_s) for r in reads)
        actors = {r.actor_id for r in reads}
        who = PersonalDataRead.actor_id.in_([a for a in actors if a is not None])
        if None in actors:
            who = or_(who, PersonalDataRead.actor_id.is_(None))
        rows = (await s.execute(
            select(PersonalDataRead.id, PersonalDataRead.org_id, PersonalDataRead.actor_id, PersonalDataRead.action,
                   PersonalDataRead.subject_kind, PersonalDataRead.subject_id, PersonalDataRead.ip,
                   PersonalDataRead.last_at)
            .where(who, PersonalDataRead.subject_id.in_({r.subject_id for r in reads}),
                   PersonalDataRead.last_at >= since)
            .order_by(PersonalDataRead.last_at, PersonalDataRead.id))).all()
        return {tuple(key): (row_id, last_at) for row_id, *key, last_at in rows}  # the latest last wins

    async def has_read(self, org_id: str, actor_id: str, actions: Collection[str]) -> bool:
        """Whether the user's reads include one of ``actions`` (e.g. ever opened a report)."""
        async with self.db.session() as s:
            return (await s.execute(select(PersonalDataRead.id).where(
                PersonalDataRead.org_id == org_id, PersonalDataRead.actor_id == actor_id,
                PersonalDataRead.action.in_(list(actions))).limit(1))).first() is not None

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
