"""Bilingual search: one normaliser for indexing and queries, an index on SQLite and PostgreSQL."""
