"""Audit events: appended, never changed nor deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy import CheckConstraint
from sqlalchemy import DateTime
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from guide.extensions import db
from guide.timeutil import now_utc

OUTCOMES = ("ok", "refused", "failed")


class AuditEvent(db.Model):
    """Who did what to which record, or tried to and was refused."""

    __tablename__ = "audit_events"
    __table_args__ = (CheckConstraint("outcome IN ('ok', 'refused', 'failed')", name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc, index=True)
    # The curator's email as it was then (accounts may be renamed), or "" for an anonymous attempt.
    actor: Mapped[str] = mapped_column(String(320), default="", index=True)
    # A dotted verb: "login", "monument.publish", "media.upload", "user.disable"…
    action: Mapped[str] = mapped_column(String(64), index=True)
    # What it was done to: "monument:hassan-ii-mosque", "user:a@b.ma", "code:C7K2Q".
    target: Mapped[str] = mapped_column(String(200), default="")
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    # The client address, for sign-in attempts only.
    ip: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
