"""Appending revisions: the numbered versions of a record, never changed once written."""

from datetime import datetime

from sqlalchemy import select

from guide.extensions import db
from guide.publishing.models import Revision
from guide.translating.services import stamp_revision


def add_revision(kind: str, key: str, data: dict, author: str, base_id: int | None = None,
                 comment: str = "", created_dt: datetime | None = None) -> Revision:
    """Append the record's next numbered revision; the caller points the record at it.

    Every revision goes through here (CMS, load-content, restore, CLI), so here too each changed
    text of a site or monument is stamped for translation status (guide/translating/services.py).
    """
    with db.session.no_autoflush:
        last = db.session.scalar(
            select(Revision).where(Revision.kind == kind, Revision.record_key == key)
            .order_by(Revision.number.desc()).limit(1)
        )
    revision = Revision(kind=kind, record_key=key, number=(last.number if last else 0) + 1, base_id=base_id,
                        author=author[:320], comment=comment, data=data)
    if created_dt is not None:
        revision.created_dt = created_dt
    db.session.add(revision)
    db.session.flush()
    stamp_revision(kind, key, last.data if last else None, data, revision.created_dt, revision.author)
    return revision
