"""Monuments and their stops, with their texts as rows keyed by language."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import attribute_keyed_dict
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from guide.extensions import db
from guide.guides.models import Guide
from guide.media.models import Image
from guide.publishing.models import Published
from guide.timeutil import now_utc

if TYPE_CHECKING:
    from guide.codes.models import Code
    from guide.sites.models import Site

ACCESS_KINDS = ("inside", "street", "partial")


class Monument(Published, db.Model):
    __tablename__ = "monuments"
    __table_args__ = (CheckConstraint("access IN ('inside', 'street', 'partial')", name="access"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    year_start: Mapped[int | None]
    year_end: Mapped[int | None]
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    access: Mapped[str] = mapped_column(String(16), default="inside")
    wikidata: Mapped[str | None] = mapped_column(String(32))
    source_hash: Mapped[str | None] = mapped_column(String(64))
    updated_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)

    site: Mapped[Site] = relationship(back_populates="monuments")
    texts: Mapped[dict[str, MonumentText]] = relationship(
        collection_class=attribute_keyed_dict("lang"),
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    stops: Mapped[list[Stop]] = relationship(
        back_populates="monument",
        order_by="Stop.position",
        cascade="all, delete-orphan",
    )
    images: Mapped[list[Image]] = relationship(
        order_by=(Image.role, Image.position),
        cascade="all, delete-orphan",
        primaryjoin="Image.monument_id == Monument.id",
    )
    guides: Mapped[dict[str, Guide]] = relationship(
        collection_class=attribute_keyed_dict("lang"),
        cascade="all, delete-orphan",
        primaryjoin="Guide.monument_id == Monument.id",
    )
    codes: Mapped[list[Code]] = relationship(
        primaryjoin="Code.monument_id == Monument.id",
        back_populates="monument",
        order_by="Code.created_dt",
    )

    @property
    def primary_code(self) -> Code | None:
        """The code printed on the monument's own plaque: its first one still in service."""
        return next((code for code in self.codes if not code.is_retired), None)

    @property
    def cover(self) -> Image | None:
        return next((image for image in self.images if image.role == "cover"), None)

    @property
    def gallery(self) -> list[Image]:
        return [image for image in self.images if image.role == "gallery"]


class MonumentText(db.Model):
    __tablename__ = "monument_texts"

    monument_id: Mapped[int] = mapped_column(
        ForeignKey("monuments.id", ondelete="CASCADE"), primary_key=True
    )
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    period: Mapped[str] = mapped_column(String(120), default="")
    architect: Mapped[str] = mapped_column(String(200), default="")
    style: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    hours: Mapped[str] = mapped_column(Text, default="")


class Stop(db.Model):
    __tablename__ = "stops"
    __table_args__ = (UniqueConstraint("monument_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    monument_id: Mapped[int] = mapped_column(ForeignKey("monuments.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)

    monument: Mapped[Monument] = relationship(back_populates="stops")
    texts: Mapped[dict[str, StopText]] = relationship(
        collection_class=attribute_keyed_dict("lang"),
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    images: Mapped[list[Image]] = relationship(
        cascade="all, delete-orphan", primaryjoin="Image.stop_id == Stop.id"
    )
    guides: Mapped[dict[str, Guide]] = relationship(
        collection_class=attribute_keyed_dict("lang"),
        cascade="all, delete-orphan",
        primaryjoin="Guide.stop_id == Stop.id",
    )
    codes: Mapped[list[Code]] = relationship(
        primaryjoin="Code.stop_id == Stop.id", back_populates="stop", order_by="Code.created_dt"
    )

    @property
    def primary_code(self) -> Code | None:
        """The code printed on this stop's plaque: its first one still in service."""
        return next((code for code in self.codes if not code.is_retired), None)

    @property
    def image(self) -> Image | None:
        return self.images[0] if self.images else None


class StopText(db.Model):
    __tablename__ = "stop_texts"

    stop_id: Mapped[int] = mapped_column(ForeignKey("stops.id", ondelete="CASCADE"), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
