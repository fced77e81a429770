"""The app factory: layered configuration, migrations in step with models, safe headers."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from guide import create_app
from guide.extensions import db
from guide.search.models import include_object


def test_testing_config_is_applied(app):
    assert app.testing
    assert app.config["LANGUAGES"] == ("ar", "fr")
    assert app.config["DEFAULT_LANGUAGE"] == "fr"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db.example/dalil", "postgresql+psycopg://u:p@db.example/dalil"),
        ("postgresql://u@db.example/dalil", "postgresql+psycopg://u@db.example/dalil"),
        ("sqlite:////var/lib/dalil.sqlite3", "sqlite:////var/lib/dalil.sqlite3"),
    ],
)
def test_database_url_comes_from_the_environment(monkeypatch, url, expected):
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://dalil.casablanca.ma/")
    monkeypatch.setenv("DALIL_DEFAULT_LANGUAGE", "ar")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == expected
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["PUBLIC_BASE_URL"] == "https://dalil.casablanca.ma"
    assert app.config["DEFAULT_LANGUAGE"] == "ar"


def test_the_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/dalil.sqlite3")


def test_migrations_match_the_models(empty_app):
    with empty_app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_init_db_is_idempotent(empty_app):
    runner = empty_app.test_cli_runner()
    for _attempt in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "up to date" in result.output


@pytest.mark.parametrize("path", ["/", "/fr/", "/ar/monuments/does-not-exist", "/q/XXXXX"])
def test_every_response_carries_security_headers(client, path):
    headers = client.get(path).headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_https_responses_carry_hsts(client):
    response = client.get("/fr/", base_url="https://dalil.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_public_pages_refuse_writes(client, method):
    response = getattr(client, method)("/fr/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_an_unexpected_error_is_a_translated_500_page(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom", headers={"Accept-Language": "ar"})
    assert response.status_code == 500
    assert "حدث خطأ من جهتنا" in response.text
    assert "RuntimeError" not in response.text


def test_signed_sessions_still_round_trip(app):
    @app.get("/visit")
    def visit():
        from flask import session

        session["visits"] = session.get("visits", 0) + 1
        return str(session["visits"])

    client = app.test_client()
    assert [client.get("/visit").text for _visit in range(3)] == ["1", "2", "3"]
    app.secret_key = "rotated"
    assert client.get("/visit").text == "1"
