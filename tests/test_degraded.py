"""The database down: pages are a translated 503 with Retry-After; media, packs, the service worker go on."""

import contextlib
import socket
import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from guide.extensions import db
from guide.media.models import MediaFile
from guide.offline import services
from tests.conftest import POSTGRES_URL
from tests.s3 import free_ports
from tests.test_health import down_database_url

PACK = "/api/v1/packs/casablanca"


@pytest.fixture
def down(app_factory):
    """A second app on the same media store whose database is a closed port: the database is down."""
    return app_factory(SQLALCHEMY_DATABASE_URI=down_database_url())


@pytest.mark.parametrize(("path", "lang", "phrase"), [
    ("/fr/", "fr", "momentanément indisponible"), ("/ar/", "ar", "غير متاح"),
    ("/fr/monuments/hassan-ii-mosque", "fr", "Veuillez réessayer"), ("/ar/sites/casablanca", "ar", "الدليل")])
def test_pages_are_a_translated_503_with_retry_after(down, path, lang, phrase):
    response = down.test_client().get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in page
    assert phrase in page


@pytest.fixture
def down_elsewhere(app_factory, tmp_path):
    """The database down on a server whose media store kept no pack."""
    return app_factory(SQLALCHEMY_DATABASE_URI=down_database_url(), MEDIA_DIR=str(tmp_path))


@pytest.mark.parametrize("path", ["/api/v1/sites", "/api/v1/monuments", PACK, "/api/v1/packs", "/offline/codes.json"])
def test_the_api_answers_json_503(down_elsewhere, path):
    response = down_elsewhere.test_client().get(path, headers={"Accept-Language": "ar"})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.get_json()["error"] == 503
    assert response.get_json()["message"]


@pytest.mark.parametrize("path", ["/sw.js", "/manifest.webmanifest", "/static/css/app.css", "/healthz"])
def test_the_app_shell_is_served(down, path):
    response = down.test_client().get(path, buffered=True)
    assert response.status_code == 200


def test_media_is_served_with_ranges(app, down):
    with app.app_context():
        audio = db.session.scalars(select(MediaFile).where(MediaFile.mimetype.like("audio/%"))).first()
        url, size = f"/media/{audio.filename}", audio.size
    client = down.test_client()
    assert client.get(url, buffered=True).status_code == 200
    part = client.get(url, headers={"Range": "bytes=0-99"}, buffered=True)
    assert (part.status_code, part.headers["Content-Range"]) == (206, f"bytes 0-99/{size}")


@pytest.mark.parametrize("path", [PACK, PACK + "?lang=ar", "/api/v1/packs", "/offline/codes.json"])
def test_published_packs_and_codes_keep_being_served(client, down, path):
    built = client.get(path)
    assert built.status_code == 200
    kept = down.test_client().get(path)
    assert kept.status_code == 200
    assert kept.data == built.data
    assert kept.mimetype == "application/json"
    again = down.test_client().get(path, headers={"If-None-Match": kept.headers["ETag"]})
    assert again.status_code == 304


def test_a_pack_never_built_is_a_503(down_elsewhere):
    response = down_elsewhere.test_client().get("/api/v1/packs/rabat")
    assert response.status_code == 503
    assert response.get_json()["error"] == 503


def test_another_server_reuses_a_built_pack_instead_of_building_it(app_factory, monkeypatch, tmp_path):
    shared = {"SHARE_PACKS": True, "MEDIA_DIR": str(tmp_path)}
    built = app_factory(**shared).test_client().get(PACK).data
    other = app_factory(**shared)

    def refuse(*_args, **_kwargs):
        raise AssertionError("built again")

    monkeypatch.setattr(services, "build_pack", refuse)
    assert other.test_client().get(PACK).data == built


def test_a_changed_site_is_built_again(app, app_factory, monkeypatch, tmp_path):
    from guide.monuments.models import Monument

    shared = {"SHARE_PACKS": True, "MEDIA_DIR": str(tmp_path)}
    built = app_factory(**shared).test_client().get(PACK).get_json()
    with app.app_context():
        monument = db.session.scalar(select(Monument).where(Monument.slug == "hassan-ii-mosque"))
        monument.year_start = (monument.year_start or 1900) + 1
        db.session.commit()
    calls = []
    original = services.build_pack
    monkeypatch.setattr(services, "build_pack", lambda *args: calls.append(args) or original(*args))
    other = app_factory(**shared)
    rebuilt = other.test_client().get(PACK).get_json()
    assert calls
    assert rebuilt["version"] != built["version"]


class Relay:
    """A TCP relay to PostgreSQL that a test cuts and restores: the database going down and coming back."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_ports(1)[0]
        self.links: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.start()

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self) -> None:
        if self.listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone leaves it accepting.
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        for link in self.links:
            with contextlib.suppress(OSError):
                link.shutdown(socket.SHUT_RDWR)
            link.close()
        self.links.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.links += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)


def _until(check, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.skipif(not POSTGRES_URL, reason="an outage of a real server needs PostgreSQL (TEST_DATABASE_URL)")
def test_the_guide_rides_out_a_database_outage_and_recovers(app, app_factory):
    from guide.monuments.models import Monument

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    relay = Relay((url.host or "127.0.0.1", url.port or 5432))
    try:
        proxied = app_factory(SQLALCHEMY_DATABASE_URI=url.set(port=relay.port).render_as_string(hide_password=False))
        client = proxied.test_client()
        assert client.get("/fr/sites/casablanca").status_code == 200
        before = proxied.extensions["dalil_versions"].current().versions["casablanca"]
        relay.stop()
        assert client.get("/api/v1/sites").status_code == 503
        assert client.get("/readyz").json["database"] == "unavailable"
        # What this worker has built it keeps serving.
        assert client.get("/fr/sites/casablanca").status_code == 200
        relay.start()
        assert _until(lambda: client.get("/readyz").status_code == 200)
        assert client.get("/api/v1/sites").status_code == 200
        # The watcher listens again: a commit elsewhere reaches this worker.
        with app.app_context():
            monument = db.session.scalar(select(Monument).where(Monument.slug == "hassan-ii-mosque"))
            monument.year_start = (monument.year_start or 1900) + 1
            db.session.commit()
        assert _until(lambda: proxied.extensions["dalil_versions"].current().versions["casablanca"] > before)
    finally:
        relay.stop()
