"""Revisions of every record, and the publication state of sites, monuments and tours."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import declared_attr
from sqlalchemy.orm import mapped_column

from guide.extensions import db
from guide.timeutil import now_utc

# What a record's working copy is: being written, waiting for a reviewer, or what visitors see.
STATES = ("draft", "review", "published")
KINDS = ("site", "monument", "code", "tour")
# Columns that track editing and publication; changing them alone changes nothing visitors see.
BOOKKEEPING_COLUMNS = frozenset({
    "state", "head_revision_id", "published_revision_id", "imported_revision_id", "publish_at",
    "source_hash",
})


class Revision(db.Model):
    """One saved version of a record, complete in every language; never changed nor deleted."""

    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("kind", "record_key", "number"),
        CheckConstraint("kind IN ('site', 'monument', 'code', 'tour')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    # The record's permanent key: a site's or monument's slug, a plaque's code.
    record_key: Mapped[str] = mapped_column(String(80), index=True)
    # 1, 2, 3… per record.
    number: Mapped[int]
    # The revision this one was edited from (None for a record's first).
    base_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    # A user's email, "import content/casablanca/…/monument.toml" or "cli".
    author: Mapped[str] = mapped_column(String(320))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    # The whole record in the content format (guide/content/schema.py), every language.
    data: Mapped[dict] = mapped_column(JSON)


class Revised:
    """Columns of a record that has revisions: the latest one, and the last one imported from files."""

    @declared_attr
    def head_revision_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("revisions.id"))

    @declared_attr
    def imported_revision_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("revisions.id"))


class Published(Revised):
    """Columns of a record that is drafted, reviewed and published."""

    state: Mapped[str] = mapped_column(String(16), default="draft")
    # Visitors see this record: its published revision is what the public tables hold.
    live: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # Publish the head revision at this moment (UTC stored; curators give Africa/Casablanca time).
    publish_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @declared_attr
    def published_revision_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("revisions.id"))
