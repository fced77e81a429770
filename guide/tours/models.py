"""Walking tours, their texts keyed by language, and their ordered stops at monuments."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import attribute_keyed_dict
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from guide.extensions import db
from guide.publishing.models import Published
from guide.timeutil import now_utc

if TYPE_CHECKING:
    from guide.monuments.models import Monument
    from guide.sites.models import Site


class Tour(Published, db.Model):
    """A route through monuments of one site, drafted and published like a monument."""

    __tablename__ = "tours"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # Order among the site's tours.
    position: Mapped[int] = mapped_column(default=0)
    source_hash: Mapped[str | None] = mapped_column(String(64))
    updated_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)

    site: Mapped[Site] = relationship()
    texts: Mapped[dict[str, TourText]] = relationship(
        collection_class=attribute_keyed_dict("lang"),
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    stops: Mapped[list[TourStop]] = relationship(
        order_by="TourStop.position",
        cascade="all, delete-orphan",
    )


class TourText(db.Model):
    __tablename__ = "tour_texts"

    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id", ondelete="CASCADE"), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    # Markdown, shown above the list of stops.
    intro: Mapped[str] = mapped_column(Text, default="")


class TourStop(db.Model):
    """One monument on the route, at its place in walking order."""

    __tablename__ = "tour_stops"

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    monument_id: Mapped[int] = mapped_column(ForeignKey("monuments.id"), index=True)
    # {lang: Markdown}: what to look at on the way; optional, but then in every required language.
    notes: Mapped[dict] = mapped_column(JSON, default=dict)

    monument: Mapped[Monument] = relationship()
