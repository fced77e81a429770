"""flask export-static: the public guide as files, served by Debian's nginx with README.md's configuration."""

import copy
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from guide.codes.models import Code
from guide.codes.services import find_code
from guide.codes.services import retire_code
from guide.export import registry
from guide.export import urls
from guide.export.registry import Target
from guide.export.services import MANIFEST
from guide.export.services import export_scope
from guide.export.services import export_static
from guide.extensions import db
from guide.publishing.services import save
from guide.publishing.services import unpublish
from tests.conftest import PROJECT_ROOT
from tests.conftest import make_test_app
from tests.test_publishing import MOSQUE
from tests.test_publishing import MOSQUE_CODE
from tests.test_publishing import head_of
from tests.test_publishing import publish
from tests.test_publishing import save_edit

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
README_MARKER = "<!-- static-export-nginx:"
STOP = "/fr/monuments/hassan-ii-mosque/minaret"
OTHER_MONUMENT = "rialto-cinema"
TOUR = "art-deco-downtown"


def nginx_block() -> str:
    """The nginx configuration exactly as README.md gives it."""
    text = (PROJECT_ROOT / "README.md").read_text()
    after = text[text.index(README_MARKER):]
    return re.search(r"```nginx\n(.*?)```", after, re.S)[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def nginx_serving(root: Path, workdir: Path):
    """Run nginx on a free loopback port with README.md's block, serving root; stop it after."""
    if not Path(NGINX).exists():
        message = "Debian nginx is not installed (apt-get install nginx)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    block = nginx_block()
    block = block.replace("listen 80;", f"listen 127.0.0.1:{port};")
    block = block.replace("root /srv/dalil/export;", f"root {root};")
    assert f"127.0.0.1:{port}" in block
    assert str(root) in block
    workdir.mkdir(parents=True, exist_ok=True)
    temporary = {name: workdir / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    config = workdir / "nginx.conf"
    config.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"error_log {workdir / 'error.log'};\nevents {{}}\nhttp {{\n"
        + f"access_log off;\nclient_body_temp_path {temporary['body']};\nproxy_temp_path {temporary['proxy']};\n"
        + f"fastcgi_temp_path {temporary['fastcgi']};\nuwsgi_temp_path {temporary['uwsgi']};\n"
        + f"scgi_temp_path {temporary['scgi']};\n{block}\n}}\n"
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(workdir), "-c", str(config), "-g", f"daemon off; pid {workdir / 'nginx.pid'};"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)
        process.stderr.close()


def nginx_get(base: str, path: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read(), dict(error.headers)


def content_type(value: str | None) -> str:
    return (value or "").replace(" ", "").lower()


@pytest.fixture(scope="module")
def exported(templates, media_dir, tmp_path_factory):
    """The sample guide, with one code retired, exported once and served by nginx."""
    url = templates.restore("loaded")
    app = make_test_app(url, media_dir)
    root = tmp_path_factory.mktemp("export") / "guide"
    with app.app_context():
        retired = next(code for code in db.session.scalars(select(Code.code).order_by(Code.code))
                       if code != MOSQUE_CODE)
        retire_code(find_code(retired), author="test")
        db.session.commit()
        summary = export_static(root)
        db.session.remove()
    with nginx_serving(root, tmp_path_factory.mktemp("nginx")) as base:
        yield app, root, base, summary, retired
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    templates.release(url)


class Answer:
    """What the live app sent, read whole and closed (media come from open files)."""

    def __init__(self, response):
        self.status_code = response.status_code
        self.content_type = response.content_type
        self.headers = response.headers
        self.data = response.get_data()
        response.close()

    def get_data(self) -> bytes:
        return self.data


def app_get(app, path: str, headers: dict | None = None) -> Answer:
    client = app.test_client(use_cookies=False)
    return Answer(client.get(path, base_url=app.config["PUBLIC_BASE_URL"], headers=headers or {}))


AR_COOKIE = {"Cookie": "dalil_lang=ar"}
FR_COOKIE = {"Cookie": "dalil_lang=fr"}
SAME_BYTES = [
    ("/", {}),
    ("/", AR_COOKIE),
    ("/", {"Accept-Language": "ar-MA,ar;q=0.9,fr;q=0.8"}),
    ("/", {"Accept-Language": "en-US,en;q=0.9,fr;q=0.8,ar;q=0.5"}),
    ("/", {"Accept-Language": "ar;q=0, fr;q=0.5"}),
    ("/", {"Accept-Language": "de", **AR_COOKIE}),
    ("/ar/", {}),
    ("/fr", {}),
    ("/fr/sites/casablanca", {}),
    ("/ar/sites/fes", {}),
    ("/ar/monuments/hassan-ii-mosque", {}),
    (STOP, {}),
    ("/ar/offline", {}),
    ("/fr/offline/unknown-code", {}),
    ("/fr/enter", {}),
    ("/q", AR_COOKIE),
    (f"/q/{MOSQUE_CODE}", {}),
    (f"/q/{MOSQUE_CODE}", AR_COOKIE),
    (f"/q/{MOSQUE_CODE}", {"Accept-Language": "ar"}),
    (f"/q/{MOSQUE_CODE}", {"Accept-Language": "fr-FR,fr;q=0.9"}),
    (f"/q/{MOSQUE_CODE}", {"Accept-Language": "ar", **FR_COOKIE}),
    (f"/Q/{MOSQUE_CODE}", AR_COOKIE),
    (f"/q/{MOSQUE_CODE.lower()}", {"Accept-Language": "ar"}),
    ("/api/v1/sites", {}),
    ("/api/v1/monuments", {}),
    ("/api/v1/monuments?site=casablanca", {}),
    ("/api/v1/monuments/hassan-ii-mosque", {}),
    (f"/api/v1/codes/{MOSQUE_CODE}", AR_COOKIE),
    ("/api/v1/packs", {}),
    ("/api/v1/packs/casablanca", {}),
    ("/api/v1/packs/casablanca?lang=ar", {}),
    ("/api/v1/openapi.json", {}),
    ("/offline/codes.json", {}),
    ("/sw.js", {}),
    ("/manifest.webmanifest", {}),
    ("/?src=pwa", {"Accept-Language": "ar"}),
    (f"/fr/tours/{TOUR}", {}),
    (f"/ar/tours/{TOUR}", {}),
    ("/api/v1/tours", {}),
    ("/api/v1/tours?site=casablanca", {}),
    ("/api/v1/tours?site=fes", {}),
    (f"/api/v1/tours/{TOUR}", {}),
    ("/fr/search", {}),
    ("/ar/search", {}),
]


@pytest.mark.parametrize(("path", "headers"), SAME_BYTES)
def test_nginx_serves_the_bytes_status_and_type_the_app_sends(exported, path, headers):
    app, _root, base, _summary, _retired = exported
    live = app_get(app, path, headers)
    status, body, sent = nginx_get(base, path, headers)
    assert (status, content_type(sent.get("Content-Type"))) == (live.status_code, content_type(live.content_type))
    assert body == live.get_data()


@pytest.mark.parametrize(("lang", "query"), [
    ("fr", ""), ("fr", "?q=mosquee"), ("ar", "?q=%D9%85%D8%B3%D8%AC%D8%AF"), ("fr", "?q=hassan+ii&site=casablanca"),
    ("ar", "?q=" + "%00" * 300),
])
def test_a_search_gets_the_empty_page_that_searches_the_saved_packs(exported, lang, query):
    # The worker keeps this page and js/search.js fills it for the address's q from the packs.
    app, _root, base, _summary, _retired = exported
    status, body, sent = nginx_get(base, f"/{lang}/search{query}")
    live = app_get(app, f"/{lang}/search")
    assert (status, body) == (200, live.get_data())
    assert content_type(sent["Content-Type"]) == content_type(live.content_type)
    assert b'data-search-results data-query=""' in body
    with app.test_request_context():
        from guide.offline.services import shell_urls

        assert f"/{lang}/search" in shell_urls()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_search_api_needs_the_live_app_and_is_a_translated_json_not_found(exported, lang):
    app, _root, base, _summary, _retired = exported
    cookie = {"Cookie": f"dalil_lang={lang}"}
    assert app_get(app, f"/api/v1/search?q=mosquee&lang={lang}", cookie).status_code == 200
    for path in (f"/api/v1/search?q=mosquee&lang={lang}", "/api/v1/search", "/api/v1/search/"):
        status, body, sent = nginx_get(base, path, cookie)
        assert status == 404
        assert content_type(sent["Content-Type"]) == "application/json"
        assert body == app_get(app, "/api/v1/atlantis", cookie).get_data()


@pytest.mark.parametrize("typed", [MOSQUE_CODE, MOSQUE_CODE.lower()])
def test_a_code_typed_in_the_entry_form_opens_its_page(exported, typed):
    app, _root, base, _summary, _retired = exported
    live = app_get(app, f"/q?code={typed}", AR_COOKIE)
    request = urllib.request.Request(f"{base}/q?code={typed}", headers=AR_COOKIE)
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as raised:
        opener.open(request)
    with raised.value as answer:
        assert (answer.code, live.status_code) == (303, 303)
        location = answer.headers["Location"]
    assert location.upper() == live.headers["Location"].upper()
    assert nginx_get(base, location, AR_COOKIE)[1] == app_get(app, live.headers["Location"], AR_COOKIE).get_data()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.parametrize("headers", [AR_COOKIE, {"Accept-Language": "fr"}])
def test_a_retired_code_is_gone_in_the_visitors_language(exported, headers):
    app, _root, base, _summary, retired = exported
    for path in (f"/q/{retired}", f"/api/v1/codes/{retired}"):
        live = app_get(app, path, headers)
        status, body, sent = nginx_get(base, path, headers)
        assert live.status_code == status == 410
        assert body == live.get_data()
        assert content_type(sent["Content-Type"]) == content_type(live.content_type)


@pytest.mark.parametrize(("path", "lang"), [
    ("/q/ZZZZZ", "ar"), ("/q/ZZZZZ", "fr"), ("/fr/monuments/atlantis", "fr"), ("/ar/nowhere", "ar"),
    ("/api/v1/monuments/atlantis", "ar"), ("/api/v1/codes/ZZZZZ", "fr"), ("/.dalil-export.json", "fr"),
    ("/_errors/404.fr.html", "fr"), ("/q/H3J4", "ar"), ("/q/%D9%85%D8%B3%D8%AC%D8%AF", "ar"),
])
def test_what_was_not_exported_is_a_translated_not_found(exported, path, lang):
    app, _root, base, _summary, _retired = exported
    status, body, sent = nginx_get(base, path, {"Cookie": f"dalil_lang={lang}"})
    assert status == 404 == app_get(app, path, {"Cookie": f"dalil_lang={lang}"}).status_code
    if path.startswith("/api/"):
        assert json.loads(body)["error"] == 404
        # The export's one not-found answer, in the visitor's language as the app's own.
        assert body == app_get(app, "/api/v1/atlantis", {"Cookie": f"dalil_lang={lang}"}).get_data()
        assert content_type(sent["Content-Type"]) == "application/json"
    else:
        assert f'lang="{lang}"'.encode() in body
        assert content_type(sent["Content-Type"]) == "text/html;charset=utf-8"


@pytest.mark.parametrize("path", [
    "/q/%00", "/q/" + "A" * 10_000, "/q/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
    "/api/v1/packs/casablanca?lang=../../../../etc/passwd", "/api/v1/monuments?page=99999999999999999999",
    "/ar/monuments/%F0%9F%95%8C", "/static/css/../../../.dalil-export.json",
])
def test_hostile_paths_stay_inside_the_export(exported, path):
    _app, _root, base, _summary, _retired = exported
    status, body, _sent = nginx_get(base, path, {"Accept-Language": "ar"})
    assert status < 500
    assert b"root:" not in body
    assert b"_errors/404" not in body


def test_media_and_static_files_are_served_whole_and_by_range(exported):
    app, root, base, _summary, _retired = exported
    pack = json.loads(app_get(app, "/api/v1/packs/casablanca").get_data())
    audio = next(entry["url"] for entry in pack["files"] if entry["url"].endswith((".m4a", ".mp3", ".opus")))
    image = next(entry["url"] for entry in pack["files"] if entry["url"].endswith(".webp"))
    style = next(entry["url"] for entry in pack["files"] if entry["url"].startswith("/static/css/"))
    for path in (audio, image, style):
        live = app_get(app, path)
        status, body, sent = nginx_get(base, path)
        assert (status, body) == (200, live.get_data())
        assert content_type(sent["Content-Type"]) == content_type(live.content_type)
        assert sent["Cache-Control"] == "public, max-age=31536000, immutable"
    status, body, sent = nginx_get(base, audio, {"Range": "bytes=100-199"})
    live = app_get(app, audio, {"Range": "bytes=100-199"})
    assert (status, body, sent["Content-Range"]) == (206, live.get_data(), live.headers["Content-Range"])
    # Every media file the pages use is there, named by its sha256.
    for path in (root / "media").iterdir():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.stem


def test_headers_say_what_the_apps_do(exported):
    app, _root, base, _summary, _retired = exported
    _status, _body, worker = nginx_get(base, "/sw.js")
    assert (worker["Service-Worker-Allowed"], worker["Cache-Control"]) == ("/", "no-cache")
    _status, _body, page = nginx_get(base, "/fr/monuments/hassan-ii-mosque")
    live = app_get(app, "/fr/monuments/hassan-ii-mosque")
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Cache-Control"):
        assert page[name] == live.headers[name]
    _status, _body, scan = nginx_get(base, f"/q/{MOSQUE_CODE}")
    assert scan["Vary"] == "Accept-Language, Cookie"
    _status, _body, api = nginx_get(base, "/api/v1/sites")
    assert api["Access-Control-Allow-Origin"] == "*"


def test_every_published_page_and_code_is_in_the_export(exported):
    app, root, _base, summary, _retired = exported
    with app.app_context():
        codes = list(db.session.scalars(select(Code.code)))
    for code in codes:
        for lang in ("ar", "fr"):
            assert list((root / "q" / code).glob(f"index.{lang}*.html")), code
    manifest = json.loads((root / MANIFEST).read_text())["files"]
    assert sorted(manifest) == sorted(summary.written)
    assert "fr/monuments/hassan-ii-mosque/minaret/index.html" in manifest
    assert not [name for name in manifest if "curator" in name and not name.startswith("static/")]


# What a tour's text shows in: its pages and document, the listings, its site's page and pack.
SHOWS_A_TOUR = (f"ar/tours/{TOUR}/", f"fr/tours/{TOUR}/", "api/v1/tours/", "fr/sites/casablanca/",
                "ar/sites/casablanca/", "api/v1/packs/")


def _mtimes(root: Path) -> dict[str, int]:
    return {str(path.relative_to(root)): path.stat().st_mtime_ns for path in root.rglob("*") if path.is_file()}


def test_a_second_run_rewrites_nothing_and_a_publish_only_what_changed(app, runner, tmp_path):
    root = tmp_path / "out"
    first = runner.invoke(args=["export-static", str(root)])
    assert first.exit_code == 0, first.output
    written = int(re.match(r"(\d+) ", first.output)[1])
    before = _mtimes(root)
    second = runner.invoke(args=["export-static", str(root)])
    assert second.output.strip() == f"0 écrits, {written} inchangés, 0 supprimés."
    assert _mtimes(root) == before

    with app.app_context():
        save_edit()
        publish("monument", MOSQUE, author="test")
        unpublish("monument", OTHER_MONUMENT)
        db.session.commit()
        summary = export_static(root)
    assert "fr/monuments/hassan-ii-mosque/index.html" in summary.written
    assert "ar/monuments/hassan-ii-mosque/minaret/index.html" in summary.written
    assert f"ar/monuments/{OTHER_MONUMENT}/index.html" in summary.removed
    assert not (root / "ar" / "monuments" / OTHER_MONUMENT).exists()
    # Its recordings and pictures no page uses any more go too.
    assert [name for name in summary.removed if name.startswith("media/")]
    # The app's own files and the other monuments' pages are untouched, mtimes included.
    untouched = [name for name in before if name.startswith(("static/", "fr/monuments/villa-des-arts/"))]
    assert untouched
    assert all(_mtimes(root)[name] == before[name] for name in untouched)
    assert len(summary.written) < len(before) / 3
    assert not list(root.rglob("*.tmp"))


def test_one_site_brings_its_pages_and_the_shared_files(app, runner, tmp_path):
    result = runner.invoke(args=["export-static", str(tmp_path), "--site", "fes"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ar" / "sites" / "fes" / "index.html").is_file()
    assert (tmp_path / "sw.js").is_file()
    assert (tmp_path / "index.ar.html").is_file()
    assert (tmp_path / "api" / "v1" / "packs" / "fes" / "index.json").is_file()
    assert not (tmp_path / "fr" / "sites" / "casablanca").exists()
    assert not (tmp_path / "q" / MOSQUE_CODE).exists()
    # Fes has no tour: its (empty) listing, the guide's listing, and no other site's tour.
    assert json.loads((tmp_path / "api" / "v1" / "tours" / "index.site=fes.json").read_bytes())["items"] == []
    assert (tmp_path / "api" / "v1" / "tours" / "index.json").is_file()
    assert not (tmp_path / "fr" / "tours").exists()
    assert not (tmp_path / "api" / "v1" / "tours" / TOUR).exists()
    assert (tmp_path / "ar" / "search" / "index.html").is_file()


@pytest.mark.parametrize(("site", "tours"), [("casablanca", [TOUR]), ("fes", []), (None, [TOUR])])
def test_the_tours_follow_the_sites_exported(app, site, tours):
    with app.test_request_context(base_url=app.config["PUBLIC_BASE_URL"]):
        scope = export_scope(site)
        exported = {target.url: target.kind for target in urls.tour_pages(scope)}
    expected = {"/api/v1/tours": "document"}
    for slug in [scope_site.slug for scope_site in scope.sites]:
        expected[f"/api/v1/tours?site={slug}"] = "document"
    for tour in tours:
        expected.update({f"/ar/tours/{tour}": "page", f"/fr/tours/{tour}": "page", f"/api/v1/tours/{tour}": "document"})
    assert exported == expected


def test_publishing_an_edited_tour_rewrites_only_what_shows_it(app, tmp_path):
    root = tmp_path / "out"
    with app.app_context():
        export_static(root)
        before = _mtimes(root)
        head = head_of("tour", TOUR)
        data = copy.deepcopy(head.data)
        data["text"]["fr"]["title"] = "Promenade Art déco"
        save("tour", TOUR, data, head.id, "curator@example.org")
        publish("tour", TOUR, author="test")
        db.session.commit()
        summary = export_static(root)
    assert "Promenade Art déco" in (root / "fr" / "tours" / TOUR / "index.html").read_text()
    assert "Promenade Art déco" in (root / "api" / "v1" / "tours" / TOUR / "index.json").read_text()
    for name in (f"fr/tours/{TOUR}/index.html", f"api/v1/tours/{TOUR}/index.json", "api/v1/tours/index.json",
                 "api/v1/tours/index.site=casablanca.json", "fr/sites/casablanca/index.html"):
        assert name in summary.written
    assert summary.removed == []
    # Only the French title changed: the Arabic pages, tour page included, stay as they were.
    assert not [name for name in summary.written if name.startswith("ar/")]
    assert not [name for name in summary.written if not name.startswith(SHOWS_A_TOUR)]
    untouched = [name for name in before if name not in summary.written and name != MANIFEST]
    assert all(_mtimes(root)[name] == before[name] for name in untouched)
    assert len(summary.written) < 20


def test_a_url_that_does_not_answer_stops_the_export_and_names_it(app, runner, tmp_path, monkeypatch):
    # A domain's generator naming a page that is not there, as a broken one would.
    broken = [*registry.GENERATORS, lambda scope: [Target("/fr/monuments/atlantis")]]
    monkeypatch.setattr(registry, "GENERATORS", broken)
    result = runner.invoke(args=["export-static", str(tmp_path), "--site", "fes"])
    assert result.exit_code == 1
    assert "/fr/monuments/atlantis a répondu 404" in result.output
    # What it wrote stays the export's own: a later run updates or removes it.
    listed = json.loads((tmp_path / MANIFEST).read_text())["files"]
    assert "ar/sites/fes/index.html" in listed


@pytest.mark.parametrize("slug", ["atlantis", "x" * 10_000, "fes\x00", "مدينة", "Fes"])
def test_an_unknown_site_is_a_clear_error(runner, tmp_path, slug):
    result = runner.invoke(args=["export-static", str(tmp_path / "out"), "--site", slug])
    assert result.exit_code == 1
    assert "Aucun site publié n’a le slug" in result.output
    assert not (tmp_path / "out").exists()


def test_a_file_in_place_of_the_folder_is_a_clear_error(runner, tmp_path):
    target = tmp_path / "export"
    target.write_text("not a folder")
    result = runner.invoke(args=["export-static", str(target)])
    assert result.exit_code == 1
    assert "n’est pas un dossier" in result.output
    assert target.read_text() == "not a folder"


@pytest.mark.browser
@pytest.mark.parametrize(("path", "lang", "direction"), [
    ("/ar/monuments/hassan-ii-mosque", "ar", "rtl"), (f"/q/{MOSQUE_CODE}", "fr", "ltr"),
])
def test_chromium_renders_the_export_and_its_service_worker_takes_over(exported, browser, path, lang, direction):
    _app, _root, base, _summary, _retired = exported
    context = browser.new_context(service_workers="allow", locale="fr-FR")
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        response = page.goto(base + path)
        assert response.status == 200
        assert page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == [lang, direction]
        # The stylesheet loaded under the strict CSP: the page is laid out by it, not by defaults.
        assert page.evaluate("() => [...document.styleSheets].some((sheet) => sheet.cssRules.length > 20)")
        # The worker installs only once it has precached every shell URL from nginx.
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)
        assert errors == []
    finally:
        context.close()


@pytest.mark.browser
def test_chromium_saves_a_guide_from_the_export_and_searches_it_online_and_offline(exported, browser):
    # Every file a pack lists (its tour pages too) is in the export, and the empty search page
    # the export sends for any q is filled from the saved pack.
    _app, _root, base, _summary, _retired = exported
    context = browser.new_context(service_workers="allow", locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(f"{base}/fr/sites/casablanca")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)
        page.click("[data-pack=casablanca]")
        page.wait_for_selector("[data-pack=casablanca][data-pack-state=complete]", timeout=60_000)
        for offline in (False, True):
            context.set_offline(offline)
            page.goto(f"{base}/fr/search?q=mosquee+hassan")
            page.wait_for_selector(".search-results a", timeout=10_000)
            assert page.locator(".search-results a").first.get_attribute("href") == "/fr/monuments/hassan-ii-mosque"
            assert page.input_value("#search-page-q") == "mosquee hassan"
        page.goto(f"{base}/fr/tours/{TOUR}")
        assert "Le centre-ville Art déco" in page.content()
    finally:
        context.close()
