"""/healthz says the process answers; /readyz says whether the database and the media store do."""

import pytest
from sqlalchemy import event

from guide.extensions import db
from tests.s3 import free_ports


def down_database_url() -> str:
    """A PostgreSQL URL on a loopback port where nothing listens: a database that is down."""
    return f"postgresql://dalil@127.0.0.1:{free_ports(1)[0]}/dalil"


def down_s3(bucket: str = "dalil") -> dict:
    return {"MEDIA_STORAGE": f"s3://{bucket}", "S3_ENDPOINT_URL": f"http://127.0.0.1:{free_ports(1)[0]}",
            "S3_ACCESS_KEY_ID": "key", "S3_SECRET_ACCESS_KEY": "secret"}


def _statements(app):
    seen = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_are_uncached_json_without_a_session(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/json"
    assert "Set-Cookie" not in response.headers


def test_healthz_says_ok_without_touching_the_database(app):
    seen = _statements(app)
    response = app.test_client().get("/healthz")
    assert response.json == {"status": "ok"}
    assert seen == []


def test_healthz_answers_while_the_database_and_storage_are_down(app_factory):
    down = app_factory(SQLALCHEMY_DATABASE_URI=down_database_url(), **down_s3())
    response = down.test_client().get("/healthz")
    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_readyz_names_both_parts_when_ready(client):
    response = client.get("/readyz")
    assert response.json == {"status": "ready", "database": "ok", "storage": "ok"}


def test_readyz_is_503_when_the_database_is_down(app_factory):
    down = app_factory(SQLALCHEMY_DATABASE_URI=down_database_url())
    response = down.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unavailable", "storage": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_when_the_media_store_is_down(app_factory):
    response = app_factory(**down_s3()).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "ok", "storage": "unavailable"}


def test_readyz_is_503_when_the_media_folder_cannot_be_made(app_factory, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    response = app_factory(MEDIA_DIR=str(blocker / "media")).test_client().get("/readyz")
    assert (response.status_code, response.json["storage"]) == (503, "unavailable")


def test_readyz_with_an_s3_bucket(app_factory, s3_settings):
    response = app_factory(**s3_settings).test_client().get("/readyz")
    assert (response.status_code, response.json) == (200, {"status": "ready", "database": "ok", "storage": "ok"})


@pytest.mark.parametrize("change", [{"S3_SECRET_ACCESS_KEY": "wrong"}, {"MEDIA_STORAGE": "s3://no-such-bucket"}])
def test_readyz_is_503_when_the_bucket_refuses(app_factory, s3_settings, change):
    response = app_factory(**{**s3_settings, **change}).test_client().get("/readyz")
    assert (response.status_code, response.json["storage"]) == (503, "unavailable")


def test_probes_are_never_rate_limited(client):
    statuses = {client.get(path).status_code for _round in range(40) for path in ("/healthz", "/readyz")}
    assert statuses == {200}


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_probes_take_only_get(client, method):
    assert getattr(client, method)("/healthz").status_code == 405
