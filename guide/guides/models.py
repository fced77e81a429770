"""The audio/text guide of a monument or of one of its stops, in one language."""

from __future__ import annotations

from sqlalchemy import JSON
from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from guide.extensions import db
from guide.media.models import MediaFile


class Guide(db.Model):
    __tablename__ = "guides"
    __table_args__ = (
        CheckConstraint("(monument_id IS NULL) <> (stop_id IS NULL)", name="one_subject"),
        # NULLs are distinct in unique constraints, so each pair only binds its own subject.
        UniqueConstraint("monument_id", "lang"),
        UniqueConstraint("stop_id", "lang"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    monument_id: Mapped[int | None] = mapped_column(ForeignKey("monuments.id", ondelete="CASCADE"))
    stop_id: Mapped[int | None] = mapped_column(ForeignKey("stops.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(8))
    transcript: Mapped[str] = mapped_column(Text)
    narrator: Mapped[str] = mapped_column(String(200), default="")
    # What a speech synthesizer reads (Arabic fully vowelled); never shown to visitors.
    spoken: Mapped[str] = mapped_column(Text, default="")
    # Start of each transcript sentence in seconds, for recordings by a real narrator.
    timings: Mapped[list[float] | None] = mapped_column(JSON)
    audio_sha256: Mapped[str | None] = mapped_column(ForeignKey("media_files.sha256"))

    audio: Mapped[MediaFile | None] = relationship(lazy="joined")

    @property
    def duration_s(self) -> float | None:
        return self.audio.duration_s if self.audio else None
