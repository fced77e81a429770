"""Per-site content versions: raised by the flush that changes a site, known to every worker."""

import copy
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from guide.extensions import db
from guide.models import Code
from guide.models import ContentVersion
from guide.models import Image
from guide.models import ImageText
from guide.models import MediaFile
from guide.models import Monument
from guide.models import MonumentText
from guide.models import Revision
from guide.models import ScanCount
from guide.models import Site
from guide.models import SiteText
from guide.models import Stop
from guide.models import StopText
from guide.timeutil import now_utc

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def versions() -> dict[str, int]:
    return dict(db.session.execute(select(ContentVersion.scope, ContentVersion.version)).all())


def raised(before: dict[str, int]) -> set[str]:
    """The scopes whose version went up since before."""
    return {scope for scope, version in versions().items() if version > before.get(scope, 0)}


def mosque() -> Monument:
    return db.session.scalar(select(Monument).where(Monument.slug == "hassan-ii-mosque"))


def add_fes_monument() -> Monument:
    """Give Fès (a site without monuments in content/) a live monument, committed."""
    fes = db.session.scalar(select(Site).where(Site.slug == "fes"))
    monument = Monument(site=fes, slug="bab-boujloud", state="published", live=True)
    for lang, name in (("fr", "Bab Boujloud"), ("ar", "باب بوجلود")):
        monument.texts[lang] = MonumentText(lang=lang, name=name, summary=name, body=name)
    db.session.add(monument)
    db.session.commit()
    return monument


def edit(change) -> set[str]:
    """Apply change to the session, commit, and return the scopes it raised."""
    before = versions()
    change()
    db.session.commit()
    return raised(before)


def test_an_edit_raises_its_own_site_only(app):
    with app.app_context():
        add_fes_monument()

        def text():
            mosque().texts["fr"].body += " Encore."

        assert edit(text) == {"casablanca"}

        def fes_text():
            db.session.scalar(select(MonumentText).where(MonumentText.name == "Bab Boujloud")).summary = "Porte"

        assert edit(fes_text) == {"fes"}


@pytest.mark.parametrize("change", [
    "site text", "site", "monument", "stop text", "stop removed", "image text", "new image", "guide",
    "code retired", "monument deleted",
])
def test_every_public_table_raises_its_site(app, change):
    with app.app_context():
        def apply():
            monument = mosque()
            if change == "site text":
                db.session.scalar(select(SiteText).where(SiteText.lang == "fr", SiteText.site_id == monument.site_id)).name += "!"
            elif change == "site":
                monument.site.latitude = 1.0
            elif change == "monument":
                monument.year_start = 1900
            elif change == "stop text":
                db.session.scalar(select(StopText).join(Stop).where(Stop.monument_id == monument.id).limit(1)).title += "!"
            elif change == "stop removed":
                for code in monument.stops[-1].codes:
                    code.retired_dt = now_utc()
                monument.stops.pop()
            elif change == "image text":
                db.session.scalar(select(ImageText).join(Image).where(Image.monument_id == monument.id).limit(1)).alt += "!"
            elif change == "new image":
                media = db.session.scalar(select(MediaFile).where(MediaFile.mimetype.startswith("image/")).limit(1))
                monument.images.append(Image(role="gallery", position=99, media_sha256=media.sha256))
            elif change == "guide":
                next(iter(monument.guides.values())).narrator = "Quelqu’un"
            elif change == "code retired":
                db.session.scalar(select(Code).where(Code.monument_id == monument.id).limit(1)).retired_dt = now_utc()
            elif change == "monument deleted":
                # A code is never deleted: its plaques show a retired notice from now on.
                for code in [*monument.codes, *(code for stop in monument.stops for code in stop.codes)]:
                    code.retired_dt = now_utc()
                db.session.delete(monument)

        assert edit(apply) == {"casablanca"}


def test_a_monument_moved_to_another_site_raises_both(app):
    with app.app_context():
        fes = db.session.scalar(select(Site).where(Site.slug == "fes"))

        def move():
            monument = db.session.scalar(select(Monument).where(Monument.slug == "hotel-lincoln"))
            for code in monument.codes:
                code.monument = None
                code.retired_dt = now_utc()
            monument.site = fes

        assert edit(move) == {"casablanca", "fes"}


def test_a_new_site_with_a_new_monument_gets_its_scope(app):
    with app.app_context():
        def create():
            site = Site(slug="essaouira", state="published", live=True)
            site.texts["fr"] = SiteText(lang="fr", name="Essaouira")
            site.texts["ar"] = SiteText(lang="ar", name="الصويرة")
            monument = Monument(site=site, slug="skala", state="published", live=True)
            monument.texts["fr"] = MonumentText(lang="fr", name="Skala", summary="s", body="b")
            db.session.add(monument)

        assert edit(create) == {"essaouira"}


@pytest.mark.parametrize("change", ["bookkeeping", "scan count", "revision", "media file", "nothing"])
def test_what_visitors_do_not_see_raises_nothing(app, change):
    with app.app_context():
        def apply():
            monument = mosque()
            if change == "bookkeeping":
                monument.state = "review"
                monument.publish_at = None
                monument.source_hash = "0" * 64
                monument.site.head_revision_id = None
            elif change == "scan count":
                code = monument.codes[0].code
                db.session.add(ScanCount(code=code, day=now_utc().date(), lang="fr", channel="camera", count=3))
            elif change == "revision":
                db.session.add(Revision(kind="monument", record_key=monument.slug, number=99, author="cli",
                                        data={"slug": monument.slug}))
            elif change == "media file":
                db.session.add(MediaFile(sha256="f" * 64, extension="jpg", mimetype="image/jpeg", size=1))
            elif change == "nothing":
                # Set to the value it already has: no change at all.
                monument.year_start = monument.year_start

        assert edit(apply) == set()


def test_a_rollback_raises_nothing_and_a_savepoint_rollback_only_undoes_itself(app):
    with app.app_context():
        before = versions()
        mosque().year_start = 1
        db.session.flush()
        db.session.rollback()
        assert raised(before) == set()
        fes = add_fes_monument()
        before = versions()
        mosque().year_start = 2
        with db.session.begin_nested() as savepoint:
            fes.year_start = 3
            db.session.flush()
            savepoint.rollback()
        db.session.commit()
        assert raised(before) == {"casablanca"}
        # The rolled-back savepoint's scope is raised again by the next change to it.
        assert edit(lambda: setattr(fes, "year_end", 4)) == {"fes"}


def test_the_committing_process_knows_its_change_at_once(app):
    watcher = app.extensions["dalil_versions"]
    with app.app_context():
        before = watcher.current()
        mosque().year_start = 1
        db.session.commit()
        after = watcher.current()
    assert after.generation > before.generation
    assert after.versions["casablanca"] == before.versions.get("casablanca", 0) + 1


def _learns_within_a_second(app, other, change) -> None:
    watcher = other.extensions["dalil_versions"]
    before = watcher.current()
    with app.app_context():
        change()
        db.session.commit()
        expected = versions()
    deadline = time.monotonic() + 1.0
    while watcher.current().versions != expected and time.monotonic() < deadline:
        time.sleep(0.01)
    assert dict(watcher.current().versions) == expected
    assert watcher.current().generation > before.generation


def test_another_worker_learns_of_a_commit_within_a_second(app, app_factory):
    # A second app on the same database stands for another worker: it polls (SQLite) or
    # listens (PostgreSQL NOTIFY).
    other = app_factory()
    _learns_within_a_second(app, other, lambda: setattr(mosque(), "year_start", 1))


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """TEST_REDIS_URL, else a redis-server of our own on a free loopback port, stopped afterwards."""
    redis = pytest.importorskip("redis")
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (apt-get install redis-server; .ci/setup does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        server.terminate()
        server.wait(10)


def test_with_redis_another_worker_learns_of_a_commit_within_a_second(app_factory, redis_url):
    channel = f"dalil-test-{uuid.uuid4().hex}"
    writer = app_factory(REDIS_URL=redis_url, VERSION_CHANNEL=channel)
    reader = app_factory(REDIS_URL=redis_url, VERSION_CHANNEL=channel)
    assert reader.extensions["dalil_versions"].redis_url == redis_url
    # Started first, so that the message finds it subscribed.
    reader.extensions["dalil_versions"].current()
    _learns_within_a_second(writer, reader, lambda: setattr(mosque(), "year_start", 1))


def test_the_watcher_stops_with_the_app_and_closes_its_connections(app):
    import gc
    import threading

    from guide import create_app

    other = create_app({**app.config, "TESTING": True})
    watcher = other.extensions["dalil_versions"]
    watcher.current()
    assert any(thread.name == "dalil-versions" for thread in threading.enumerate())
    with other.app_context():
        db.engine.dispose()
    assert watcher._thread is None
    # Dropped without disposing: the finalizer stops it as well.
    third = create_app({**app.config, "TESTING": True})
    third.extensions["dalil_versions"].current()
    thread = third.extensions["dalil_versions"]._thread
    del third
    gc.collect()
    thread.join(5)
    assert not thread.is_alive()


def test_cached_pages_are_served_while_the_database_is_down(app, client):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("stopping the shared PostgreSQL server would disturb the other tests")
    path = Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
    first = client.get("/fr/monuments/hassan-ii-mosque")
    assert first.status_code == 200
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    moved = path.with_suffix(".away")
    shutil.move(path, moved)
    try:
        time.sleep(0.6)  # the watcher fails to read at least once
        again = client.get("/fr/monuments/hassan-ii-mosque", headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
    finally:
        path.unlink(missing_ok=True)
        shutil.move(moved, path)
    # Back up: the watcher reads again, and edits show.
    with app.app_context():
        mosque().texts["fr"].name = "Mosquée rafraîchie"
        db.session.commit()
    assert "Mosquée rafraîchie" in client.get("/fr/monuments/hassan-ii-mosque").get_data(as_text=True)


def test_a_due_schedule_is_published_without_cron(app, client):
    try:
        from guide.publishing.services import publish_due  # noqa: F401
        from guide.publishing.services import save
    except ImportError:
        pytest.skip("guide.publishing.services.publish_due is not merged yet (branch writeside)")
    url = "/fr/monuments/hassan-ii-mosque"
    assert "Mosquée programmée" not in client.get(url).get_data(as_text=True)
    with app.app_context():
        monument = mosque()
        head = db.session.get(Revision, monument.head_revision_id)
        data = copy.deepcopy(head.data)
        data["text"]["fr"]["name"] = "Mosquée programmée"
        save("monument", monument.slug, data, head.id, author="test")
        # Due a second ago: the watcher publishes it, no cron job, no request needed.
        monument.publish_at = now_utc() - timedelta(seconds=1)
        db.session.commit()
    # The commit wakes the watcher, which reads the schedule and publishes: poll the page.
    deadline = time.monotonic() + 10
    while "Mosquée programmée" not in client.get(url).get_data(as_text=True):
        assert time.monotonic() < deadline, "the scheduled edit was not published"
        time.sleep(0.05)
    with app.app_context():
        published = mosque()
        assert published.publish_at is None
        assert published.published_revision_id == published.head_revision_id


# --- Two gunicorn workers ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, str]:
    import http.client

    # A fresh connection each time, so that either worker may answer.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Accept-Language": "fr"})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


@pytest.fixture
def gunicorn(app, tmp_path):
    """Serve the test's database with two gunicorn workers forked from a preloaded app."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "DALIL_MEDIA_DIR": app.config["MEDIA_DIR"],
        "SECRET_KEY": "test-secret",
        "PUBLIC_BASE_URL": "https://dalil.example",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--preload", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "guide:create_app()"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(port, "/fr/")
                break
            except OSError:
                assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
                assert time.monotonic() < deadline
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(15)
        log.close()


def test_a_published_edit_reaches_both_gunicorn_workers_within_a_second(app, gunicorn):
    path = "/fr/monuments/hassan-ii-mosque"
    # Both workers cache the page first.
    assert all(_get(gunicorn, path)[0] == 200 for _request in range(20))
    with app.app_context():
        mosque().texts["fr"].name = "Mosquée modifiée"
        db.session.commit()
    committed = time.monotonic()
    time.sleep(max(0.0, committed + 1.0 - time.monotonic()))
    answers = [_get(gunicorn, path)[1] for _ in range(20)]
    assert all("Mosquée modifiée" in answer for answer in answers)


def test_a_dropped_notification_connection_is_opened_again(app, app_factory):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    from sqlalchemy import text

    other = app_factory()
    watcher = other.extensions["dalil_versions"]
    watcher.current()
    with app.app_context():
        # As if the database server had restarted behind the worker's back.
        dropped = db.session.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND query LIKE 'LISTEN%'"
        )).all()
        db.session.commit()
        assert dropped
        mosque().year_start = 1
        db.session.commit()
        expected = versions()
    deadline = time.monotonic() + 10
    while dict(watcher.current().versions) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert dict(watcher.current().versions) == expected
