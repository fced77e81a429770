"""A single counter that changes whenever published content changes."""

from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from guide.extensions import db
from guide.timeutil import now_utc


class ContentState(db.Model):
    """One row; its version keys every cached page, API document and offline pack."""

    __tablename__ = "content_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
    updated_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
