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
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from guide import create_app
from guide.content.services import load_content
from guide.extensions import db

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = PROJECT_ROOT / "content"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


def pytest_report_header(config):
    return f"database: {make_url(POSTGRES_URL).render_as_string() if POSTGRES_URL else 'SQLite'}"


class SQLiteDatabases:
    """Template and per-test databases as files: a clone is a file copy."""

    def __init__(self, root: Path):
        self.root = root
        self.counter = itertools.count()

    def new_url(self, name: str) -> str:
        return f"sqlite:///{self.root / name}.sqlite3"

    def clone(self, template_url: str) -> str:
        url = self.new_url(f"test{next(self.counter)}")
        shutil.copyfile(make_url(template_url).database, make_url(url).database)
        return url

    def drop(self, url: str) -> None:
        Path(make_url(url).database).unlink(missing_ok=True)


class PostgresDatabases:
    """Template and per-test databases on one server: a clone is CREATE DATABASE … TEMPLATE."""

    def __init__(self, admin_url: str):
        url = make_url(admin_url)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        self.base = url
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=None)
        self.prefix = f"dalil_{uuid.uuid4().hex[:8]}"
        self.counter = itertools.count()
        self.created: list[str] = []

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def new_url(self, name: str) -> str:
        database = f"{self.prefix}_{name}"
        self._execute(f'CREATE DATABASE "{database}"')
        self.created.append(database)
        return self.base.set(database=database).render_as_string(hide_password=False)

    def clone(self, template_url: str) -> str:
        database = f"{self.prefix}_t{next(self.counter)}"
        template = make_url(template_url).database
        self._execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        self.created.append(database)
        return self.base.set(database=database).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        database = make_url(url).database
        self._execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self.created.remove(database)

    def close(self) -> None:
        for database in list(self.created):
            self._execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
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
    if POSTGRES_URL:
        manager = PostgresDatabases(POSTGRES_URL)
        yield manager
        manager.close()
    else:
        yield SQLiteDatabases(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def templates(databases, media_dir):
    """Build the empty (migrated) and the loaded (sample content) template databases once."""
    from flask_migrate import upgrade

    empty_url = databases.new_url("empty")
    app = make_test_app(empty_url, media_dir)
    with app.app_context():
        upgrade()
        db.engine.dispose()

    loaded_url = databases.clone(empty_url)
    app = make_test_app(loaded_url, media_dir)
    with app.app_context():
        load_content(CONTENT_DIR)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {"empty": empty_url, "loaded": loaded_url}


def _app_from(template: str, databases, media_dir, request):
    url = databases.clone(template)
    overrides = getattr(request, "param", None) or {}
    app = make_test_app(url, media_dir, **overrides)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    databases.drop(url)


@pytest.fixture
def app(templates, databases, media_dir, request):
    """An app whose database holds the sample content of content/."""
    yield from _app_from(templates["loaded"], databases, media_dir, request)


@pytest.fixture
def empty_app(templates, databases, media_dir, request):
    """An app whose database is migrated but empty."""
    yield from _app_from(templates["empty"], databases, media_dir, request)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def live_server(app):
    """Serve the app over real HTTP on a free local port; .stop() ends it mid-test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
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
