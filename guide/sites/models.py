"""A site is a city or heritage area: Casablanca, Fès, Marrakech…"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

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


class Site(Published, db.Model):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    source_hash: Mapped[str | None] = mapped_column(String(64))
    updated_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)

    texts: Mapped[dict[str, SiteText]] = relationship(
        collection_class=attribute_keyed_dict("lang"),
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    monuments: Mapped[list[Monument]] = relationship(
        back_populates="site", order_by="Monument.position"
    )


class SiteText(db.Model):
    __tablename__ = "site_texts"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
