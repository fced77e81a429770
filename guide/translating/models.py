"""When each translatable field was last changed, and last confirmed, in each language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from guide.extensions import db
from guide.timeutil import now_utc


class TranslationStamp(db.Model):
    """One field of one record in one language.

    A field is outdated in a language when its counterpart in another language changed after
    it was last changed or confirmed here.
    """

    __tablename__ = "translation_stamps"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    record_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    # A path in the record's document: "text.name", "stops.hall.text.body", "cover.alt"…
    field: Mapped[str] = mapped_column(String(200), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)
    changed_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    confirmed_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Who last changed or confirmed it.
    author: Mapped[str] = mapped_column(String(320), default="")
