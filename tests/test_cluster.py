"""The local cluster test: two gunicorn app servers behind nginx, on one PostgreSQL, Redis and
SeaweedFS, all on loopback (tests/cluster.py starts and stops them).

It runs once, in the PostgreSQL pass of .ci/run; under CI a missing program fails it.
"""

import hashlib
import os
import re
import signal
import threading
import time
import uuid
from contextlib import contextmanager
from html import unescape

import pytest
import requests

from tests.cluster import EDITOR_EMAIL
from tests.cluster import EDITOR_PASSWORD
from tests.cluster import EDITOR_SITE
from tests.cluster import MONUMENTS
from tests.cluster import NGINX_SITE
from tests.cluster import PROJECT_ROOT
from tests.cluster import Cluster
from tests.cluster import missing_programs
from tests.test_curator_editor import form_fields
from tests.test_media_pipeline import image_bytes

MONUMENT, UNSEEN_AR, UNSEEN_FR = MONUMENTS
_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"|name="csrf_token"[^>]*value="([^"]+)"')


def _directives(config: str, block: str) -> list[str]:
    """The directives of one block of an nginx configuration, comments and blank lines left out."""
    start = config.index(block + " {")
    body = config[start:config.index("}", start)].splitlines()[1:]
    return [line.strip() for line in body if line.strip() and not line.strip().startswith("#")]


def test_the_readme_nginx_configuration_is_the_one_the_cluster_test_runs():
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme[readme.index("### Several app servers behind nginx"):]
    documented = re.search(r"```nginx\n(.*?)```", section, re.DOTALL).group(1)
    tested = NGINX_SITE.format(servers="", listen="127.0.0.1:8080")
    assert _directives(documented, "location /") == _directives(tested, "location /")
    assert "keepalive 16;" in _directives(documented, "upstream dalil")
    assert "keepalive 16;" in _directives(tested, "upstream dalil")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Start the whole cluster once for this module; stop everything after, whatever happened."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("the cluster test runs once, in the PostgreSQL pass (TEST_DATABASE_URL is not set)")
    missing = missing_programs()
    if missing:
        message = "the cluster test needs: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    started = Cluster(tmp_path_factory.mktemp("cluster")).start()
    yield started
    started.close()
    # Shown with -s: how long each service took to start and to stop.
    print("\ncluster timings (s):", started.timings)


@pytest.fixture
def both_up(cluster):
    """Both app servers and the database running, as each scenario expects to find them."""
    for server in cluster.servers:
        if not server.running:
            server.start()
    return cluster


def token(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "no CSRF token on the page"
    return unescape(next(group for group in match.groups() if group))


def sign_in(base_url: str) -> requests.Session:
    """Sign the cluster's editor in on one server, as a browser does: the form, its token, POST."""
    session = requests.Session()
    form = session.get(f"{base_url}/curator/login", timeout=30)
    assert form.status_code == 200
    response = session.post(f"{base_url}/curator/login", allow_redirects=False, timeout=30, data={
        "email": EDITOR_EMAIL, "password": EDITOR_PASSWORD, "csrf_token": token(form.text)})
    assert response.status_code in (302, 303), response.text[:500]
    return session


def fresh_streak_start(url: str, marker: str, seconds: float, streak: int = 8) -> float | None:
    """Poll url; return when the marker began to show in every answer (streak in a row), else None."""
    deadline = time.monotonic() + seconds
    since, count = None, 0
    while time.monotonic() < deadline:
        text = requests.get(url, timeout=10).text
        now = time.monotonic()
        if marker in text:
            since = since if since is not None else now
            count += 1
            if count >= streak:
                return since
        else:
            since, count = None, 0
    return None


def test_an_edit_published_through_one_server_shows_on_the_other_within_a_second(both_up):
    one, two = both_up.servers
    page = f"{two.url}/fr/monuments/{MONUMENT}"
    # Server 2's workers have the page cached: the edit must reach them, not only the database.
    for __ in range(8):
        assert requests.get(page, timeout=30).status_code == 200
    session = sign_in(one.url)
    editor_url = f"{one.url}/curator/monuments/{MONUMENT}"
    html = session.get(editor_url, timeout=30).text
    start = html.index('class="editor-form"')
    fields = form_fields(html[start:html.index("</form>", start)])
    marker = f"Cathédrale {uuid.uuid4().hex[:10]}"
    fields["text.fr.name"] = [marker]
    saved = session.post(editor_url, allow_redirects=False, timeout=60,
                         files=[(name, (None, value)) for name, values in fields.items() for value in values])
    assert saved.status_code in (302, 303), saved.text[:500]
    assert marker not in requests.get(page, timeout=10).text  # a draft: not shown yet
    csrf = token(session.get(editor_url, timeout=30).text)
    published = session.post(f"{editor_url}/publish", data={"csrf_token": csrf}, allow_redirects=False, timeout=60)
    # The view commits before it answers: the commit is at most this old.
    committed = time.monotonic()
    assert published.status_code in (302, 303), published.text[:500]
    shown = fresh_streak_start(page, marker, seconds=5)
    assert shown is not None, "the edit never showed on server 2"
    assert shown - committed <= 1.0, f"the edit showed on server 2 {shown - committed:.2f} s after the commit"
    print(f"\nedit shown on server 2 {shown - committed:.3f} s after the publish answered")
    assert marker in requests.get(f"{both_up.nginx.url}/fr/monuments/{MONUMENT}", timeout=10).text


def test_media_uploaded_through_one_server_is_served_by_the_other(both_up):
    one, two = both_up.servers
    session = sign_in(one.url)
    csrf = token(session.get(f"{one.url}/curator/", timeout=30).text)
    photo = image_bytes("PNG", size=(640, 480))
    response = session.post(
        f"{one.url}/curator/monuments/{MONUMENT}/media", timeout=120, data={"kind": "image"},
        files={"file": ("cluster.png", photo, "image/png")},
        headers={"X-CSRFToken": csrf, "Accept": "application/json"})
    assert response.status_code == 201, response.text[:500]
    body = response.json()
    served = requests.get(f"{two.url}{body['url']}", timeout=30)
    assert served.status_code == 200
    assert hashlib.sha256(served.content).hexdigest() == body["sha256"]
    for variant in body["variants"]:
        assert requests.get(f"{two.url}{variant['url']}", timeout=30).status_code == 200
    # Not found on server 2's disk: it came from the object storage.
    assert not list((two.root / "media").rglob(f"{body['sha256']}*"))
    assert requests.get(f"{both_up.nginx.url}{body['url']}", timeout=30).status_code == 200


class Load:
    """Threads sending GETs through nginx without pause, keeping every answer."""

    PATHS = (f"/fr/monuments/{MONUMENT}", "/ar/", f"/api/v1/monuments/{MONUMENT}", "/sw.js",
             f"/ar/sites/{EDITOR_SITE}")

    def __init__(self, base_url: str, threads: int = 3):
        self.base_url = base_url
        self.results: list[tuple[str, int | str]] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(number,)) for number in range(threads)]

    def _run(self, number: int) -> None:
        session = requests.Session()
        count = number
        while not self._stop.is_set():
            path = self.PATHS[count % len(self.PATHS)]
            count += 1
            try:
                outcome = session.get(self.base_url + path, timeout=30).status_code
            except requests.RequestException as error:
                outcome = repr(error)
            self.results.append((path, outcome))

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    def failures(self) -> list:
        return [result for result in self.results if result[1] != 200]

    def wait_for(self, count: int, seconds: float = 30) -> None:
        """Let at least count more requests go through."""
        target = len(self.results) + count
        deadline = time.monotonic() + seconds
        while len(self.results) < target and time.monotonic() < deadline:
            time.sleep(0.02)


def _message_503(lang: str) -> str:
    """The app's own 503 text in lang."""
    from flask_babel import force_locale

    from guide import create_app
    from guide.errors import MESSAGES

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        return str(MESSAGES[503])


@contextmanager
def postgresql_stopped(cluster):
    """Stop the cluster's PostgreSQL (pg_ctl stop -m fast) for the block, then start it again and
    wait until pages answer on every worker."""
    cluster.postgres.stop("fast")
    try:
        yield
    finally:
        cluster.postgres.start()
    page = f"{cluster.nginx.url}/fr/sites/{EDITOR_SITE}"
    deadline = time.monotonic() + 15
    while requests.get(page, timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "pages did not come back after PostgreSQL restarted"
        time.sleep(0.2)


def test_with_postgresql_stopped_pages_are_a_translated_503_while_media_and_the_service_worker_serve(both_up):
    nginx = both_up.nginx.url
    document = requests.get(f"{nginx}/api/v1/monuments/{MONUMENT}", timeout=30).text
    media = re.search(r"/media/[0-9a-f]{64}\.\w+", document)
    assert media, "the monument names no media file"
    # Pages nobody asked for yet: no worker has them cached.
    pages = {"ar": f"{nginx}/ar/monuments/{UNSEEN_AR}", "fr": f"{nginx}/fr/monuments/{UNSEEN_FR}"}
    with postgresql_stopped(both_up):
        for lang, url in pages.items():
            response = requests.get(url, timeout=30)
            assert response.status_code == 503, (lang, response.status_code, response.text[:300])
            assert int(response.headers["Retry-After"]) > 0
            assert f'lang="{lang}"' in response.text
            assert unescape(_message_503(lang)) in unescape(response.text)
        for server in both_up.servers:
            for path in (media.group(0), "/sw.js"):
                response = requests.get(server.url + path, timeout=30)
                assert response.status_code == 200, (server.name, path, response.status_code)
    for url in pages.values():
        for __ in range(4):
            assert requests.get(url, timeout=30).status_code == 200


def test_with_postgresql_stopped_a_pack_built_by_one_server_is_served_by_the_other(both_up):
    one, two = both_up.servers
    pack = f"/api/v1/packs/{EDITOR_SITE}"
    built = requests.get(one.url + pack, timeout=60)
    assert built.status_code == 200
    with postgresql_stopped(both_up):
        # Server 2 never built it: it comes from the shared store.
        for base in (two.url, both_up.nginx.url):
            response = requests.get(base + pack, timeout=30)
            assert response.status_code == 200, (base, response.status_code, response.text[:300])
            assert response.json() == built.json()


def test_stopping_one_app_server_loses_no_request_through_nginx(both_up):
    one, two = both_up.servers
    with Load(both_up.nginx.url) as load:
        load.wait_for(30)
        before = len(load.results)
        one.stop(signal.SIGTERM)
        load.wait_for(60)
        during = len(load.results) - before
        # Back up while the load goes on: it rejoins without a failure either.
        one.start()
        load.wait_for(30)
    assert load.failures() == []
    assert during >= 60
    assert {path for path, _ in load.results} == set(Load.PATHS)
    print(f"\nSIGTERM and restart: {len(load.results)} requests through nginx, none failed")


def test_killing_one_app_server_loses_no_request_nginx_can_send_again(both_up):
    one, two = both_up.servers
    with Load(both_up.nginx.url) as load:
        load.wait_for(30)
        before = len(load.results)
        one.stop(signal.SIGKILL)
        load.wait_for(60)
        during = len(load.results) - before
    # A response the killed server had begun to send cannot be sent again: nginx has passed its
    # headers on. At most one per worker was being written at that instant; nothing else fails.
    failures = load.failures()
    cut = [failure for failure in failures if "IncompleteRead" in str(failure[1])]
    assert [failure for failure in failures if failure not in cut] == []
    assert len(cut) <= one.workers, cut
    assert during >= 60
    print(f"\nSIGKILL: {len(load.results)} requests through nginx, {len(cut)} cut mid-response")
