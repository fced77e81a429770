"""Migrations: an empty database and the previous release's, full of content, both reach head.

The previous release is the code at PREVIOUS_RELEASE, whose newest migration is
PREVIOUS_REVISION (0006_curator.py). Its own `flask init-db` and `load-content` fill a fresh
database; today's `flask db upgrade` must then keep every row and leave nothing for
autogenerate to find (`flask db check`), on SQLite and on PostgreSQL, whatever head is now.
"""

import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.engine import make_url

from guide.extensions import db
from tests.conftest import POSTGRES_URL
from tests.conftest import make_test_app

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# main when issue #10 began: the release whose schema ends at 0006_curator.py.
PREVIOUS_RELEASE = "f076c666dd9413a6761f0da80ac10b42e46c5bfc"
PREVIOUS_REVISION = "d85e5f4795c3"
# Alembic's own table changes by design; every other table's rows must come through unchanged.
ALEMBIC_TABLE = "alembic_version"


@pytest.fixture
def blank_database(tmp_path):
    """The URL of a database with nothing in it, dropped afterwards."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'blank.sqlite3'}"
        return
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"dalil_migrations_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def current_app_on(tmp_path):
    """Make today's app on a database; its engine is closed afterwards."""
    made = []

    def make(url: str):
        app = make_test_app(url, tmp_path / "media")
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _previous_release(tmp_path: Path) -> Path:
    """Check out the previous release's code and content into a folder of its own."""
    root = tmp_path / "previous"
    root.mkdir()
    archive = tmp_path / "previous.tar"
    try:
        subprocess.run(["git", "-C", str(PROJECT_ROOT), "archive", "--format=tar", "-o", str(archive),
                        PREVIOUS_RELEASE, "guide", "content", "translations"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as error:
        message = f"the previous release {PREVIOUS_RELEASE[:7]} is not in this checkout's git history: {error}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with tarfile.open(archive) as tar:
        tar.extractall(root, filter="data")
    return root


def _run_previous(root: Path, url: str, media: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(root), "DATABASE_URL": url, "DALIL_MEDIA_DIR": str(media),
           "SECRET_KEY": "test-secret", "PUBLIC_BASE_URL": "https://dalil.example"}
    env.pop("FLASK_APP", None)
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "guide", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _rows(url: str, columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """The rows of these tables, only these columns, in a stable order."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = {}
            for table, names in columns.items():
                quoted = ", ".join(f'"{name}"' for name in names)
                rows = connection.execute(text(f'SELECT {quoted} FROM "{table}"')).all()
                found[table] = sorted((tuple(row) for row in rows), key=repr)
            return found
    finally:
        engine.dispose()


def _columns(url: str) -> dict[str, list[str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            return {table: [column["name"] for column in inspector.get_columns(table)]
                    for table in inspector.get_table_names() if table != ALEMBIC_TABLE}
    finally:
        engine.dispose()


def _revision(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(text("version_num")).select_from(text(ALEMBIC_TABLE))).scalar_one()
    finally:
        engine.dispose()


def _heads(app) -> list[str]:
    from alembic.script import ScriptDirectory

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        return ScriptDirectory.from_config(config).get_heads()


def test_an_empty_database_upgrades_to_head_with_nothing_left_to_autogenerate(blank_database, current_app_on):
    app = current_app_on(blank_database)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert [_revision(blank_database)] == _heads(app)
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output

    # The check does fail on a difference: a table the models do not know.
    engine = create_engine(blank_database)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE stray (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    assert runner.invoke(args=["db", "check"]).exit_code != 0


def test_the_previous_release_upgrades_to_head_keeping_its_content(blank_database, current_app_on, tmp_path):
    root = _previous_release(tmp_path)
    media = tmp_path / "media"
    _run_previous(root, blank_database, media, "init-db")
    assert _revision(blank_database) == PREVIOUS_REVISION
    loaded = _run_previous(root, blank_database, media, "load-content")
    assert "created" in loaded
    before_columns = _columns(blank_database)
    before = _rows(blank_database, before_columns)
    assert len(before["monuments"]) >= 10
    assert before["monument_texts"]
    assert before["codes"]

    app = current_app_on(blank_database)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert [_revision(blank_database)] == _heads(app)
    # Every table and column of the previous release is still there, holding the same rows.
    after_columns = _columns(blank_database)
    for table, names in before_columns.items():
        assert table in after_columns
        assert set(names) <= set(after_columns[table]), table
    assert _rows(blank_database, before_columns) == before
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output

    # And today's code reads it: the pages and the API answer with the old content.
    client = app.test_client()
    slug = before["monuments"][0][before_columns["monuments"].index("slug")]
    assert client.get(f"/api/v1/monuments/{slug}").status_code == 200
    assert client.get(f"/fr/monuments/{slug}").status_code == 200

    # Search had no index before: init-db, which the README's upgrade runs, builds it once.
    assert client.get("/api/v1/search?q=mosquee&lang=fr").get_json()["items"] == []
    built = runner.invoke(args=["init-db"])
    assert built.exit_code == 0, built.output
    assert "Search index built" in built.output
    found = client.get("/api/v1/search?q=mosquee+hassan&lang=fr").get_json()["items"]
    assert [item["slug"] for item in found][:1] == ["hassan-ii-mosque"]
    again = runner.invoke(args=["init-db"])
    assert "Search index built" not in again.output
