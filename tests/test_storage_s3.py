"""Media on S3-compatible object storage (SeaweedFS, started by the tests): stored, served, packed, exported."""

import hashlib
import io
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from guide.extensions import db
from guide.media.models import MediaFile
from guide.media.storage import FolderStorage
from guide.media.storage import S3Storage
from guide.media.storage import media_key
from guide.media.storage import media_storage
from guide.media.storage import storage_from_config
from tests.conftest import make_test_app
from tests.curator import login
from tests.curator import make_user
from tests.test_curator_media import send
from tests.test_health import down_s3
from tests.test_media_pipeline import image_bytes
from tests.test_media_pipeline import wav
from tests.test_versions import redis_url  # noqa: F401  (a redis-server of the tests' own)


@pytest.fixture(scope="module")
def s3_app(templates, s3_server, tmp_path_factory):
    """An app whose media store is a fresh bucket, loaded from content/ by `flask load-content`."""
    bucket = s3_server.create_bucket()
    media_dir = tmp_path_factory.mktemp("unused-media")
    url = templates.restore("empty")
    app = make_test_app(url, media_dir, **s3_server.settings(bucket))
    result = app.test_cli_runner().invoke(args=["load-content"])
    assert result.exit_code == 0, result.output
    app.config["TEST_BUCKET"] = bucket
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    templates.release(url)


def objects(s3_server, bucket: str) -> dict[str, int]:
    listed = s3_server.client().list_objects_v2(Bucket=bucket, MaxKeys=1000)
    return {item["Key"]: item["Size"] for item in listed.get("Contents", [])}


def media_rows(app) -> list[MediaFile]:
    with app.app_context():
        rows = db.session.scalars(select(MediaFile)).all()
        db.session.expunge_all()
        return rows


def test_load_content_puts_every_media_file_in_the_bucket_and_none_on_disk(s3_app, s3_server):
    stored = objects(s3_server, s3_app.config["TEST_BUCKET"])
    rows = media_rows(s3_app)
    assert len(rows) > 10
    assert {media_key(row.sha256, row.extension): row.size for row in rows}.items() <= stored.items()
    # Variants are remembered beside their image, so a second server does not encode them again.
    assert any(key.endswith(".variants.json") for key in stored)
    assert [path for path in Path(s3_app.config["MEDIA_DIR"]).rglob("*") if path.is_file()] == []
    with s3_app.app_context():
        assert isinstance(media_storage(), S3Storage)


def _audio(app) -> MediaFile:
    return next(row for row in media_rows(app) if row.mimetype.startswith("audio/"))


def test_media_is_streamed_from_the_bucket_with_etag_and_immutable_caching(s3_app, s3_server):
    audio = _audio(s3_app)
    body = s3_server.client().get_object(Bucket=s3_app.config["TEST_BUCKET"],
                                         Key=media_key(audio.sha256, audio.extension))["Body"].read()
    client = s3_app.test_client()
    url = f"/media/{audio.filename}"
    response = client.get(url, buffered=True)
    assert response.status_code == 200
    assert response.data == body
    assert response.headers["Content-Length"] == str(len(body))
    assert response.headers["ETag"] == f'"{audio.sha256}"'
    assert response.headers["Accept-Ranges"] == "bytes"
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.mimetype == audio.mimetype
    assert "Location" not in response.headers
    again = client.get(url, headers={"If-None-Match": f'"{audio.sha256}"'})
    assert (again.status_code, again.data) == (304, b"")


@pytest.mark.parametrize(("header", "start", "end"), [
    ("bytes=0-99", 0, 99), ("bytes=1000-1999", 1000, 1999), ("bytes=-500", None, None), ("bytes=5000-", 5000, None)])
def test_a_range_of_an_object_is_206_with_exactly_those_bytes(s3_app, s3_server, header, start, end):
    audio = _audio(s3_app)
    body = s3_server.client().get_object(Bucket=s3_app.config["TEST_BUCKET"],
                                         Key=media_key(audio.sha256, audio.extension))["Body"].read()
    if start is None:
        start = len(body) - 500
    end = len(body) - 1 if end is None else end
    response = s3_app.test_client().get(f"/media/{audio.filename}", buffered=True, headers={"Range": header})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{len(body)}"
    assert response.data == body[start:end + 1]


def test_a_range_past_the_end_is_416_and_a_missing_object_404(s3_app):
    audio = _audio(s3_app)
    client = s3_app.test_client()
    beyond = client.get(f"/media/{audio.filename}", headers={"Range": f"bytes={audio.size + 10}-"})
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{audio.size}"
    assert client.get(f"/media/{'0' * 64}.m4a").status_code == 404


def test_packs_list_files_that_the_bucket_serves(s3_app):
    client = s3_app.test_client()
    pack = client.get("/api/v1/packs/casablanca").get_json()
    media = [entry for entry in pack["files"] if entry["url"].startswith("/media/")]
    assert len(media) > 5
    for entry in media:
        served = client.get(entry["url"], buffered=True)
        assert served.status_code == 200, entry["url"]
        assert (len(served.data), hashlib.sha256(served.data).hexdigest()) == (entry["bytes"], entry["sha256"])


def test_cms_uploads_go_to_the_bucket_and_are_served_from_it(s3_app, s3_server):
    client = s3_app.test_client()
    login(client, make_user(s3_app, "editor", sites=("casablanca",), email="s3-editor@dalil.example"))
    photo = send(client, image_bytes("JPEG", size=(1000, 700), color="teal"))
    recording = send(client, wav(2), kind="audio", filename="voix.wav")
    assert (photo.status_code, recording.status_code) == (201, 201)
    stored = objects(s3_server, s3_app.config["TEST_BUCKET"])
    uploaded = [photo.get_json(), *photo.get_json()["variants"], recording.get_json()]
    for body in uploaded:
        key = body["url"].removeprefix("/media/")
        assert stored[f"{key[:2]}/{key}"] == body["bytes"]
        served = client.get(body["url"], buffered=True)
        assert hashlib.sha256(served.data).hexdigest() == body["sha256"]
    part = client.get(recording.get_json()["url"], headers={"Range": "bytes=0-9"}, buffered=True)
    assert (part.status_code, len(part.data)) == (206, 10)
    assert [path for path in Path(s3_app.config["MEDIA_DIR"]).rglob("*") if path.is_file()] == []


def test_export_content_reads_media_from_the_bucket(s3_app, tmp_path):
    result = s3_app.test_cli_runner().invoke(args=["export-content", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    exported = {hashlib.sha256(path.read_bytes()).hexdigest() for path in (tmp_path / "out").rglob("*")
                if path.suffix in (".m4a", ".webp", ".jpg", ".png")}
    assert exported
    assert exported <= {row.sha256 for row in media_rows(s3_app)}


def test_a_prefix_keeps_keys_under_it(app_factory, s3_server, s3_settings):
    bucket = s3_settings["MEDIA_STORAGE"].removeprefix("s3://")
    other = app_factory(**s3_server.settings(bucket, prefix="city/media"))
    with other.app_context():
        media_storage().put("ab/file.bin", b"12345")
        media_storage().put("ab/file.bin", b"ignored: stored once")
        assert media_storage().read("ab/file.bin") == b"12345"
        assert media_storage().size("ab/missing.bin") is None
    assert objects(s3_server, bucket) == {"city/media/ab/file.bin": 5}


def test_the_reader_seeks_and_reads_parts(app_factory, s3_settings):
    data = bytes(range(256)) * 100
    with app_factory(**s3_settings).app_context():
        media_storage().put("x/blob", data)
        with media_storage().open("x/blob") as handle:
            handle.seek(1000)
            assert handle.read(10) == data[1000:1010]
            handle.seek(-5, io.SEEK_END)
            assert handle.read() == data[-5:]
            assert handle.read(3) == b""
            # A 206 tells the reader where to stop: the store is asked for those bytes only.
            handle.end = 2005
            handle.seek(2000)
            assert handle.read() == data[2000:2005]


def test_an_unreachable_bucket_is_a_translated_503(app_factory):
    down = app_factory(**down_s3())
    response = down.test_client().get(f"/media/{'a' * 64}.m4a", headers={"Accept-Language": "ar"})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert 'dir="rtl"' in response.get_data(as_text=True)


def test_the_filesystem_stays_the_default(app, client):
    with app.app_context():
        assert isinstance(media_storage(), FolderStorage)
        audio = db.session.scalars(select(MediaFile).where(MediaFile.mimetype.like("audio/%"))).first()
    assert (Path(app.config["MEDIA_DIR"]) / media_key(audio.sha256, audio.extension)).is_file()
    assert client.get(f"/media/{audio.filename}", headers={"Range": "bytes=0-9"}, buffered=True).status_code == 206


@pytest.mark.parametrize("location", ["ftp://bucket", "s3://", "bucket", "s3:///prefix"])
def test_a_bad_media_storage_setting_stops_the_app_with_a_reason(location):
    with pytest.raises(ValueError, match="MEDIA_STORAGE"):
        storage_from_config({"MEDIA_STORAGE": location, "MEDIA_DIR": "/tmp"})


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DALIL_MEDIA_STORAGE", "s3://photos/guide")
    monkeypatch.setenv("DALIL_S3_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("DALIL_S3_ACCESS_KEY_ID", "12345")
    storage = storage_from_config(make_test_app("sqlite://", tmp_path).config)
    assert (storage.bucket, storage.prefix, storage.description) == ("photos", "guide/", "s3://photos/guide/")
    assert storage._options["region_name"] == "us-east-1"


def test_two_servers_share_each_pack_through_the_bucket_and_redis(app_factory, s3_settings, request, monkeypatch):
    from guide.monuments.models import Monument
    from guide.offline import services

    calls = []
    original = services.build_pack
    monkeypatch.setattr(services, "build_pack", lambda *args: calls.append(args) or original(*args))
    shared = {**s3_settings, "REDIS_URL": request.getfixturevalue("redis_url"), "VERSION_CHANNEL": f"dalil-test-{uuid.uuid4().hex}"}
    first, second = app_factory(**shared), app_factory(**shared)
    pack = "/api/v1/packs/casablanca"
    built = first.test_client().get(pack)
    assert second.test_client().get(pack).data == built.data
    assert len(calls) == 1
    watcher = second.extensions["dalil_versions"]
    before = watcher.current().versions["casablanca"]
    with first.app_context():
        monument = db.session.scalar(select(Monument).where(Monument.slug == "hassan-ii-mosque"))
        monument.year_start = (monument.year_start or 1900) + 1
        db.session.commit()
    deadline = time.monotonic() + 10
    while watcher.current().versions["casablanca"] == before and time.monotonic() < deadline:
        time.sleep(0.05)
    rebuilt = second.test_client().get(pack)
    assert rebuilt.get_json()["version"] != built.get_json()["version"]
    assert first.test_client().get(pack).data == rebuilt.data
    assert len(calls) == 2
