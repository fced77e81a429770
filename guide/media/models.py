"""Media files stored once by content hash, and images with per-language alt text."""

from __future__ import annotations

from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import attribute_keyed_dict
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from guide.extensions import db


class MediaFile(db.Model):
    """Bytes on disk under their sha256, so a URL never changes meaning and caches forever."""

    __tablename__ = "media_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    extension: Mapped[str] = mapped_column(String(8))
    mimetype: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    width: Mapped[int | None]
    height: Mapped[int | None]
    duration_s: Mapped[float | None]

    @property
    def filename(self) -> str:
        return f"{self.sha256}.{self.extension}"

    @property
    def is_audio(self) -> bool:
        return self.mimetype.startswith("audio/")


class Image(db.Model):
    """A picture of a monument or a stop: its cover, a gallery item or a stop's picture."""

    __tablename__ = "images"
    __table_args__ = (
        CheckConstraint("(monument_id IS NULL) <> (stop_id IS NULL)", name="one_owner"),
        CheckConstraint("role IN ('cover', 'gallery', 'stop')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    monument_id: Mapped[int | None] = mapped_column(
        ForeignKey("monuments.id", ondelete="CASCADE"), index=True
    )
    stop_id: Mapped[int | None] = mapped_column(ForeignKey("stops.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)
    media_sha256: Mapped[str] = mapped_column(ForeignKey("media_files.sha256"))

    media: Mapped[MediaFile] = relationship(lazy="joined")
    # Its file's responsive copies, joined to the same statement as the file: a page shows
    # srcset without one more query, however many images it has.
    variants: Mapped[list[MediaVariant]] = relationship(
        primaryjoin="foreign(MediaVariant.source_sha256) == Image.media_sha256",
        order_by="(MediaVariant.width, MediaVariant.format)",
        viewonly=True,
        lazy="joined",
    )
    texts: Mapped[dict[str, ImageText]] = relationship(
        collection_class=attribute_keyed_dict("lang"),
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class ImageText(db.Model):
    __tablename__ = "image_texts"

    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)
    alt: Mapped[str] = mapped_column(Text)
    credit: Mapped[str] = mapped_column(Text, default="")


class MediaVariant(db.Model):
    """A smaller or lighter copy of an image (WebP and JPEG at a few widths), itself a media file."""

    __tablename__ = "media_variants"

    source_sha256: Mapped[str] = mapped_column(
        ForeignKey("media_files.sha256", ondelete="CASCADE"), primary_key=True
    )
    width: Mapped[int] = mapped_column(primary_key=True)
    # "webp" or "jpg"
    format: Mapped[str] = mapped_column(String(8), primary_key=True)
    media_sha256: Mapped[str] = mapped_column(ForeignKey("media_files.sha256"))

    media: Mapped[MediaFile] = relationship(foreign_keys=[media_sha256], lazy="joined")
