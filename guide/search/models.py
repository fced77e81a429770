"""The search index: one row per monument and language, holding search terms, not display text.

The rows mirror the public rows (what apply_monument_document wrote); whether visitors may see a
monument is decided when searching, by the live flags, so unpublishing hides it at once.
Each database adds its own full-text structure over these columns (migration 0007):
SQLite an FTS5 table kept in step by triggers, PostgreSQL a weighted tsvector column kept by a
trigger, with a GIN index. Neither is part of the models: include_object hides them from
Alembic's comparisons.
"""

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from guide.extensions import db

# Objects the database maintains for search, outside the models.
FTS_TABLE = "search_fts"
DOCUMENT_COLUMN = "document"
DOCUMENT_INDEX = "ix_search_entries_document"


class SearchEntry(db.Model):
    __tablename__ = "search_entries"
    __table_args__ = (UniqueConstraint("monument_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    monument_id: Mapped[int] = mapped_column(ForeignKey("monuments.id", ondelete="CASCADE"), index=True)
    lang: Mapped[str] = mapped_column(String(8))
    # Space-separated search terms (folded, article stripped, stemmed): the name ranks above
    # the rest (summary, body, facts, stops' titles and texts).
    name: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Tell Alembic to leave alone the full-text objects each database keeps for search_entries."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and name == DOCUMENT_COLUMN and getattr(obj, "table", None) is not None \
            and obj.table.name == SearchEntry.__tablename__:
        return False
    return not (type_ == "index" and name == DOCUMENT_INDEX)
