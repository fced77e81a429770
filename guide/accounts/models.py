"""Curators: their roles, the sites and languages they may touch, their sessions and second factors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from guide.extensions import db
from guide.timeutil import now_utc

ROLES = ("admin", "editor", "translator")

user_sites = db.Table(
    "user_sites",
    db.Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    db.Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)


class User(db.Model):
    """A curator. Admins see every site; editors and translators only the sites listed."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('admin', 'editor', 'translator')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored folded (NFKC, case-folded), so "Curator@…" and "curator@…" are one account.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Base32 TOTP secret; confirmed once the curator has typed a first code from their app.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The last TOTP time step accepted, so one code cannot be replayed.
    totp_last_step: Mapped[int | None]
    created_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    password_changed_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)

    sites = relationship("Site", secondary=user_sites, lazy="selectin", order_by="Site.position")
    language_rows: Mapped[list[UserLanguage]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserLanguage.lang"
    )

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages a translator may edit; empty means none (admins and editors: all)."""
        return tuple(row.lang for row in self.language_rows)


class UserLanguage(db.Model):
    """A language a translator works in."""

    __tablename__ = "user_languages"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)


class CuratorSession(db.Model):
    """A signed-in browser: the cookie holds a random token, the database only its hash.

    Deleting the row ends the session wherever its cookie is, which is how logout, a password
    change, disabling an account and an admin's "end sessions" work.
    """

    __tablename__ = "curator_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    seen_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    # False between the password and the second factor: such a session opens no CMS page.
    verified: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(lazy="joined")


class RecoveryCode(db.Model):
    """A one-time code that stands in for the second factor when the phone is lost."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    used_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
