"""Search index: terms per monument and language, with FTS5 (SQLite) or a weighted tsvector (PostgreSQL)

Revision ID: b7e2f0c4a913
Revises: d85e5f4795c3
Create Date: 2026-11-30 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2f0c4a913'
down_revision = 'd85e5f4795c3'
branch_labels = None
depends_on = None

# SQLite: an external-content FTS5 table over search_entries, kept in step by triggers.
# Terms are already folded, so the tokenizer must not fold again (PostgreSQL would not).
SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(name, body, content='search_entries', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN"
    " INSERT INTO search_fts(rowid, name, body) VALUES (new.id, new.name, new.body); END",
    "CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, name, body) VALUES ('delete', old.id, old.name, old.body); END",
    "CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, name, body) VALUES ('delete', old.id, old.name, old.body);"
    " INSERT INTO search_fts(rowid, name, body) VALUES (new.id, new.name, new.body); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_entries_au",
    "DROP TRIGGER IF EXISTS search_entries_ad",
    "DROP TRIGGER IF EXISTS search_entries_ai",
    "DROP TABLE IF EXISTS search_fts",
]
# PostgreSQL: the terms become lexemes as they are (no parser, no dictionary), with positions so
# that the name's weight A and the body's weight B hold; ts_rank ranks, a GIN index finds.
POSTGRES_UP = [
    "ALTER TABLE search_entries ADD COLUMN document tsvector",
    """CREATE FUNCTION search_terms_vector(terms text) RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(string_agg(quote_literal(term) || ':' || least(place, 16383), ' '), '')::tsvector
        FROM unnest(string_to_array(terms, ' ')) WITH ORDINALITY AS t(term, place) WHERE term <> ''
    $$""",
    """CREATE FUNCTION search_entries_document() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.document := setweight(search_terms_vector(NEW.name), 'A')
            || setweight(search_terms_vector(NEW.body), 'B');
        RETURN NEW;
    END
    $$""",
    "CREATE TRIGGER search_entries_document BEFORE INSERT OR UPDATE ON search_entries"
    " FOR EACH ROW EXECUTE FUNCTION search_entries_document()",
    "CREATE INDEX ix_search_entries_document ON search_entries USING gin (document)",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS search_entries_document ON search_entries",
    "DROP FUNCTION IF EXISTS search_entries_document()",
    "DROP FUNCTION IF EXISTS search_terms_vector(text)",
]


def upgrade():
    op.create_table('search_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('monument_id', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['monument_id'], ['monuments.id'], name=op.f('fk_search_entries_monument_id_monuments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
    sa.UniqueConstraint('monument_id', 'lang', name=op.f('uq_search_entries_monument_id_lang'))
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_entries_monument_id'), ['monument_id'], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_UP if dialect == "sqlite" else POSTGRES_UP if dialect == "postgresql" else []:
        op.execute(statement)
    # Monuments published before this revision are indexed by `flask --app guide search-reindex`.


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DOWN if dialect == "sqlite" else POSTGRES_DOWN if dialect == "postgresql" else []:
        op.execute(statement)
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entries_monument_id'))

    op.drop_table('search_entries')
