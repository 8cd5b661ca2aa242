"""Organisations and their users."""

from __future__ import annotations

from sqlalchemy import select, update

from server.storage.database import Repository
from server.storage.models import ROLES, Organization, User


class AccountRepository(Repository):
    """Organisations, and the people who log in to them."""

    async def create_org(self, name: str, region: str = "CN") -> Organization:
        async with self.db.transaction() as s:
            org = Organization(name=name, region=region)
            s.add(org)
        return org

    async def org(self, org_id: str) -> Organization | None:
        async with self.db.session() as s:
            return await s.get(Organization, org_id)

    async def org_ids(self) -> list[str]:
        async with self.db.session() as s:
            return list((await s.execute(select(Organization.id))).scalars())

    async def create_user(self, org_id: str, email: str, password_hash: str, role: str = "recruiter",
                          name: str = "") -> User:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
        async with self.db.transaction() as s:
            user = User(org_id=org_id, email=email.lower(), password_hash=password_hash, role=role, display_name=name)
            s.add(user)
        return user

    async def user_by_email(self, email: str) -> User | None:
        async with self.db.session() as s:
            return (await s.execute(select(User).where(User.email == email.lower()))).scalar_one_or_none()

    async def users(self, org_id: str) -> list[User]:
        """The organisation's users, by e-mail."""
        async with self.db.session() as s:
            return list((await s.execute(select(User).where(User.org_id == org_id).order_by(User.email))).scalars())

    async def user(self, user_id: str) -> User | None:
        async with self.db.session() as s:
            return await s.get(User, user_id)

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        async with self.db.transaction() as s:
            await s.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))

    async def set_dingtalk_userid(self, user_id: str, userid: str | None) -> None:
        """The user's DingTalk userid (None: none), to which work notices for them go."""
        async with self.db.transaction() as s:
            await s.execute(update(User).where(User.id == user_id).values(dingtalk_userid=userid))
