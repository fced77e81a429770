"""Permanent plaque codes, each pointing at a monument or a stop, and their scan counts."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from guide.extensions import db
from guide.publishing.models import Revised
from guide.timeutil import now_utc

if TYPE_CHECKING:
    from guide.monuments.models import Monument
    from guide.monuments.models import Stop
    from guide.sites.models import Site


class Code(Revised, db.Model):
    """A code is never deleted nor reused: retiring it keeps the row, retargeting moves it."""

    __tablename__ = "codes"
    __table_args__ = (
        CheckConstraint(
            "retired_dt IS NOT NULL OR (monument_id IS NULL) <> (stop_id IS NULL)", name="one_target"
        ),
        # The keypad number is per site; retired codes keep theirs so it is never reused.
        UniqueConstraint("site_id", "number"),
    )

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    number: Mapped[int]
    monument_id: Mapped[int | None] = mapped_column(
        ForeignKey("monuments.id", ondelete="SET NULL"), index=True
    )
    stop_id: Mapped[int | None] = mapped_column(ForeignKey("stops.id", ondelete="SET NULL"), index=True)
    created_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    retired_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    site: Mapped[Site] = relationship()
    monument: Mapped[Monument | None] = relationship(back_populates="codes", foreign_keys=[monument_id])
    stop: Mapped[Stop | None] = relationship(back_populates="codes", foreign_keys=[stop_id])

    @property
    def is_retired(self) -> bool:
        return self.retired_dt is not None

    @property
    def target_monument(self) -> Monument | None:
        """The monument this code leads to, directly or through its stop."""
        return self.stop.monument if self.stop else self.monument


# How a visitor reached a code: the phone's camera app, the guide's own scanner, or typing it.
CHANNELS = ("camera", "scan", "typed")


class ScanCount(db.Model):
    """How many times a code was resolved on a day, per language and channel; nothing personal."""

    __tablename__ = "scan_counts"
    __table_args__ = (CheckConstraint("channel IN ('camera', 'scan', 'typed')", name="channel"),)

    code: Mapped[str] = mapped_column(ForeignKey("codes.code"), primary_key=True)
    # The local day in the site's time zone (Africa/Casablanca), not the UTC one.
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
