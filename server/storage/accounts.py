"""Organisations and their users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from server.storage.account_changes import ChangedBy, record_change, record_change_of
from server.storage.database import Repository, lock_for_write
from server.storage.models import ROLES, Organization, User, new_id


class LastAdmin(Exception):
    """The change would leave the organisation without an active admin."""


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

    async def org_by_name(self, name: str) -> Organization | None:
        """The organisation of this name (the oldest, should two share it)."""
        async with self.db.session() as s:
            query = select(Organization).where(Organization.name == name).order_by(Organization.created_at).limit(1)
            return (await s.execute(query)).scalar_one_or_none()

    async def org_ids(self) -> list[str]:
        async with self.db.session() as s:
            return list((await s.execute(select(Organization.id))).scalars())

    async def create_user(self, org_id: str, email: str, password_hash: str, role: str = "recruiter",
                          name: str = "", password_link_nonce: str | None = None, *,
                          by: ChangedBy | None = None) -> User:
        """A new user; ``by``: who creates them, recorded in the account log (server/storage/account_changes.py)."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
        async with self.db.transaction() as s:
            user = User(id=new_id(), org_id=org_id, email=email.lower(), password_hash=password_hash, role=role,
                        display_name=name, password_link_nonce=password_link_nonce)
            s.add(user)
            record_change(s, by, "user.created", user, {"role": role})
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

    async def set_password_hash(self, user_id: str, password_hash: str, *, by: ChangedBy | None = None) -> None:
        """``by``: the user changing their own password (recorded in the account log)."""
        async with self.db.transaction() as s:
            await s.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))
            await record_change_of(s, by, "user.password_changed", user_id)

    async def set_dingtalk_userid(self, user_id: str, userid: str | None) -> None:
        """The user's DingTalk userid (None: none), to which work notices for them go."""
        async with self.db.transaction() as s:
            await s.execute(update(User).where(User.id == user_id).values(dingtalk_userid=userid))

    async def set_password_link(self, user_id: str, nonce: str | None, *, by: ChangedBy | None = None) -> None:
        """The set-password link that may be used from now on (the one before no longer may); None: none. ``by``:
        who issued it (recorded in the account log)."""
        async with self.db.transaction() as s:
            await s.execute(update(User).where(User.id == user_id).values(password_link_nonce=nonce))
            await record_change_of(s, by, "user.password_link_issued", user_id)

    async def set_password_by_link(self, user_id: str, nonce: str, password_hash: str, ip: str = "") -> bool:
        """Set the password of an active user whose current set-password link is ``nonce``, and use the link up;
        False when it is not (used already, replaced by a newer one, or the user was deactivated). One UPDATE, so
        two uses of one link at once set one password. Recorded in the account log as the user's own change, from
        ``ip``."""
        async with self.db.transaction() as s:
            result = await s.execute(update(User).where(User.id == user_id, User.password_link_nonce == nonce,
                                                        User.active.is_(True))
                                     .values(password_hash=password_hash, password_link_nonce=None))
            done = (result.rowcount or 0) == 1
            if done:
                user = await s.get(User, user_id)
                record_change(s, ChangedBy(user.id, user.email, ip), "user.password_set", user)
        return done

    async def logged_in(self, user_id: str, at: datetime) -> None:
        async with self.db.transaction() as s:
            await s.execute(update(User).where(User.id == user_id).values(last_login_at=at))

    async def change(self, user: User, *, role: str | None = None, active: bool | None = None,
                     by: ChangedBy | None = None) -> User:
        """Give ``user`` another role and/or (de)activate them, unless that leaves their organisation without an
        active admin (``LastAdmin``). The organisation's admins are locked while this is decided (``lock_for_write``:
        their rows on PostgreSQL, the database on SQLite), so two admins demoting each other at once cannot both
        succeed. A deactivated user's set-password link ends. What changed is recorded in the account log as
        ``by``'s change (a role or state it already had records nothing)."""
        if role is not None and role not in ROLES:
            raise ValueError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
        values: dict = {}
        if role is not None:
            values["role"] = role
        if active is not None:
            values["active"] = active
            if not active:
                values["password_link_nonce"] = None
        async with self.db.transaction() as s:
            await lock_for_write(s, User.role, User.org_id == user.org_id, User.role == "admin")
            admins = list((await s.execute(select(User.id).where(User.org_id == user.org_id, User.role == "admin",
                                                                 User.active.is_(True)))).scalars())
            stays_admin = (role or user.role) == "admin" and (active if active is not None else user.active)
            if user.id in admins and not stays_admin and len(admins) <= 1:
                raise LastAdmin()
            before = (await s.execute(select(User.role, User.active).where(User.id == user.id))).one()
            await s.execute(update(User).where(User.id == user.id).values(**values))
            changed = (await s.execute(select(User).where(User.id == user.id)
                                       .execution_options(populate_existing=True))).scalar_one()
            if changed.role != before.role:
                record_change(s, by, "user.role_changed", changed, {"from": before.role, "to": changed.role})
            if changed.active != before.active:
                record_change(s, by, "user.reactivated" if changed.active else "user.deactivated", changed)
            return changed

    async def active_admins(self, org_id: str) -> int:
        async with self.db.session() as s:
            return (await s.execute(select(func.count()).select_from(User).where(
                User.org_id == org_id, User.role == "admin", User.active.is_(True)))).scalar_one()
