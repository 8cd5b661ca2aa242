"""Invitations to interviews and their delivery state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.storage.database import Repository
from server.storage.models import Invitation


class InvitationRepository(Repository):
    """One row per invitation sent (or being sent) on one channel."""

    async def add(self, interview_id: str, channel: str, recipient: str, language: str) -> Invitation:
        async with self.db.transaction() as s:
            inv = Invitation(interview_id=interview_id, channel=channel, recipient=recipient, language=language)
            s.add(inv)
        return inv

    async def update(self, invitation_id: str, **values: Any) -> None:
        await self.db.update_by_id(Invitation, invitation_id, **values)

    async def for_interview(self, interview_id: str) -> list[Invitation]:
        async with self.db.session() as s:
            rows = await s.execute(select(Invitation).where(Invitation.interview_id == interview_id)
                                   .order_by(Invitation.created_at))
            return list(rows.scalars())

    async def get(self, invitation_id: str) -> Invitation | None:
        async with self.db.session() as s:
            return await s.get(Invitation, invitation_id)
