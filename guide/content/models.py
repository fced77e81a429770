"""Content versions per scope (a site's slug), so an edit only refreshes what it changed."""

from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy import DateTime
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from guide.extensions import db
from guide.timeutil import now_utc


class ContentVersion(db.Model):
    """A counter per scope, raised when that scope's published content changes."""

    __tablename__ = "content_versions"

    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
