"""Fixtures: an app on a fresh database per test, cloned from a migrated, loaded template.

Set TEST_DATABASE_URL=postgresql://… to run the whole suite on PostgreSQL; the default is
SQLite. Each test gets its own database, so tests may write freely.
"""

import itertools
import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from guide import create_app
from guide.content.services import load_content
from guide.extensions import db
from tests.s3 import s3_server  # noqa: F401  (fixtures shared by every test file)
from tests.s3 import s3_settings  # noqa: F401

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# CI runs the same examples every time, so a red build can be replayed; locally, new examples
# keep being explored (and failures are remembered in .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
CONTENT_DIR = PROJECT_ROOT / "content"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


def pytest_report_header(config):
    return f"database: {make_url(POSTGRES_URL).render_as_string() if POSTGRES_URL else 'SQLite'}"


class SQLiteDatabases:
    """Each test gets a copy of a template file: a clone is a file copy."""

    def __init__(self, root: Path):
        self.root = root
        self.counter = itertools.count()
        self.url = f"sqlite:///{root / 'session.sqlite3'}"

    def snapshot(self, name: str) -> None:
        shutil.copyfile(make_url(self.url).database, self.root / f"{name}.sqlite3")

    def restore(self, name: str) -> str:
        url = f"sqlite:///{self.root / f'test{next(self.counter)}.sqlite3'}"
        shutil.copyfile(self.root / f"{name}.sqlite3", make_url(url).database)
        return url

    def release(self, url: str) -> None:
        Path(make_url(url).database).unlink(missing_ok=True)

    def close(self) -> None:
        pass


class PostgresDatabases:
    """One database for the session; snapshots are schemas, restored by TRUNCATE and INSERT.

    CREATE DATABASE … TEMPLATE takes seconds on a durable server; this takes milliseconds.
    """

    def __init__(self, admin_url: str):
        url = make_url(admin_url)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
        self.database = f"dalil_test_{uuid.uuid4().hex[:8]}"
        self._admin_execute(f'CREATE DATABASE "{self.database}"')
        self.url = url.set(database=self.database).render_as_string(hide_password=False)
        self.engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.tables: list[str] = []

    def _admin_execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def _tables(self, connection) -> list[str]:
        from guide.extensions import db as database

        return [table.name for table in database.metadata.sorted_tables]

    def snapshot(self, name: str) -> None:
        with self.engine.connect() as connection:
            self.tables = self._tables(connection)
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
            for table in self.tables:
                connection.execute(text(f'CREATE TABLE "{name}"."{table}" AS TABLE public."{table}"'))

    def restore(self, name: str) -> str:
        with self.engine.begin() as connection:
            listed = ", ".join(f'public."{table}"' for table in self.tables)
            connection.execute(text(f"TRUNCATE {listed} RESTART IDENTITY CASCADE"))
            for table in self.tables:
                connection.execute(text(f'INSERT INTO public."{table}" SELECT * FROM "{name}"."{table}"'))
            # Serial columns must continue after the restored rows.
            # Schema-qualified: PostgreSQL may call the function before filtering on the schema, and
            # information_schema's own tables are not on the search path.
            sequences = connection.execute(text(
                "SELECT table_name, column_name,"
                " pg_get_serial_sequence(quote_ident(table_schema) || '.' || quote_ident(table_name), column_name)"
                " FROM information_schema.columns WHERE table_schema = 'public'"
                " AND pg_get_serial_sequence(quote_ident(table_schema) || '.' || quote_ident(table_name), column_name)"
                " IS NOT NULL"
            )).all()
            for table, column, sequence in sequences:
                connection.execute(text(
                    f"SELECT setval('{sequence}', COALESCE((SELECT MAX(\"{column}\") FROM public.\"{table}\"), 0) + 1, false)"
                ))
        return self.url

    def release(self, url: str) -> None:
        pass

    def close(self) -> None:
        self.engine.dispose()
        self._admin_execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self.admin.dispose()


def make_test_app(database_url: str, media_dir: Path, **overrides):
    """Create an app for tests on the given database."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MEDIA_DIR": str(media_dir),
        "PUBLIC_BASE_URL": "https://dalil.example",
        **overrides,
    }
    return create_app(config)


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    manager = PostgresDatabases(POSTGRES_URL) if POSTGRES_URL else SQLiteDatabases(tmp_path_factory.mktemp("db"))
    yield manager
    manager.close()


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def templates(databases, media_dir):
    """Migrate the session database, snapshot it empty, load content/, snapshot it loaded."""
    from flask_migrate import upgrade

    app = make_test_app(databases.url, media_dir)
    with app.app_context():
        upgrade()
        databases.snapshot("empty")
        load_content(CONTENT_DIR)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    databases.snapshot("loaded")
    return databases


def _app_from(snapshot: str, databases, media_dir, request):
    url = databases.restore(snapshot)
    overrides = getattr(request, "param", None) or {}
    app = make_test_app(url, media_dir, **overrides)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    databases.release(url)


@pytest.fixture
def app(templates, media_dir, request):
    """An app whose database holds the sample content of content/."""
    yield from _app_from("loaded", templates, media_dir, request)


@pytest.fixture
def empty_app(templates, media_dir, request):
    """An app whose database is migrated but empty."""
    yield from _app_from("empty", templates, media_dir, request)


@pytest.fixture
def app_factory(app):
    """Make more apps on the test's database with other settings; their engines are closed after."""
    made = []

    def make(**overrides):
        other = create_app({**app.config, "TESTING": True, **overrides})
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _closing(app):
    """Send each body whole, its file closed before the first byte goes out.

    Werkzeug's server drains the request in a finally block before it closes the response; when
    the browser has already dropped the connection (a cut-off media request), that read raises and
    close() never runs, so a media file stays open until garbage collection warns about it.
    """

    def wsgi(environ, start_response):
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            if hasattr(iterable, "close"):
                iterable.close()

    return wsgi


@pytest.fixture
def live_server(app):
    """Serve the app over real HTTP on a free local port; .stop() ends it mid-test."""
    server = make_server("127.0.0.1", 0, _closing(app), threaded=True)
    # Join request threads on close, so no request outlives its test's database.
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    class Live:
        url = f"http://127.0.0.1:{server.server_port}"
        stopped = False

        def stop(self):
            if not self.stopped:
                server.shutdown()
                thread.join(5)
                self.stopped = True

    live = Live()
    yield live
    live.stop()
    server.server_close()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--mute-audio",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic", "--disable-gpu",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        message = "Debian chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
