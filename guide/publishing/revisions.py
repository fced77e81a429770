"""Appending revisions: the numbered versions of a record, never changed once written."""

from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select

from guide.extensions import db
from guide.publishing.models import Revision


def add_revision(kind: str, key: str, data: dict, author: str, base_id: int | None = None,
                 comment: str = "", created_dt: datetime | None = None) -> Revision:
    """Append the record's next numbered revision; the caller points the record at it."""
    with db.session.no_autoflush:
        last = db.session.scalar(
            select(func.max(Revision.number)).where(Revision.kind == kind, Revision.record_key == key)
        )
    revision = Revision(kind=kind, record_key=key, number=(last or 0) + 1, base_id=base_id,
                        author=author[:320], comment=comment, data=data)
    if created_dt is not None:
        revision.created_dt = created_dt
    db.session.add(revision)
    db.session.flush()
    return revision
