"""Counting the SQL statements a request or a call runs, for the bounded-query tests."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from guide.extensions import db


@contextmanager
def counting(app) -> Iterator[list[str]]:
    """Collect every statement sent to the app's database inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def forget_rendered(app) -> None:
    """Empty the app's rendered pages, documents and packs, so the next read is a cold one."""
    app.extensions["dalil_response_cache"].clear()
    app.extensions.pop("dalil_packs", None)


def cold_queries(app, client, url: str, **request) -> int:
    """Count the statements a cold GET of url runs; it must answer 200."""
    forget_rendered(app)
    with counting(app) as statements:
        response = client.get(url, **request)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements)
