"""The installable app without a browser: manifest, icons, service worker, offline pages, keypad."""

import importlib.util
import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from guide.i18n import languages
from guide.sites.models import Site

PWA = Path(__file__).resolve().parent.parent / "pwa"


def _manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    return json.loads(response.get_data(as_text=True))


def _image(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.get_data()))
    response.close()
    return image


def test_manifest_scope_covers_plaque_codes(client):
    manifest = _manifest(client)
    assert manifest["id"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["start_url"].startswith("/")
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])


def test_manifest_names_every_language(app, client):
    manifest = _manifest(client)
    with app.app_context():
        langs = languages()
    for key in ("name_localized", "short_name_localized", "description_localized"):
        assert set(manifest[key]) == set(langs)
    assert manifest["name_localized"]["ar"]["dir"] == "rtl"
    assert manifest["name_localized"]["fr"]["dir"] == "ltr"
    # Browsers without localized names show the base one: it carries both scripts.
    assert re.search(r"[\u0600-\u06ff]", manifest["name"])
    assert re.search(r"[A-Za-z]", manifest["name"])
    assert manifest["name_localized"]["ar"]["value"] != manifest["name_localized"]["fr"]["value"]


def test_manifest_icons_have_their_sizes_and_purposes(client):
    icons = _manifest(client)["icons"]
    by_purpose = {(icon["purpose"], icon["sizes"]): icon for icon in icons}
    assert set(by_purpose) == {("any", "192x192"), ("any", "512x512"), ("maskable", "512x512")}
    for (purpose, sizes), icon in by_purpose.items():
        image = _image(client, icon["src"])
        assert f"{image.width}x{image.height}" == sizes
        if purpose == "maskable":
            # Maskable icons are cropped to any shape: they must be full-bleed, with no alpha.
            assert image.mode == "RGB"
    assert by_purpose[("any", "512x512")]["src"] != by_purpose[("maskable", "512x512")]["src"]


def test_pages_link_the_manifest_and_an_opaque_apple_touch_icon(client):
    page = client.get("/fr/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    touch = re.search(r'<link rel="apple-touch-icon" href="([^"]+)"', page)
    image = _image(client, touch.group(1).replace("&amp;", "&"))
    assert image.size == (180, 180)
    assert image.mode == "RGB"
    favicon = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert _image(client, favicon.group(1).replace("&amp;", "&")).size == (32, 32)


def test_icons_are_drawn_from_one_master(tmp_path):
    spec = importlib.util.spec_from_file_location("make_icons", PWA / "tools" / "make_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = {}
    for path in module.make_icons(tmp_path):
        with Image.open(path) as image:
            written[path.name] = image.copy()
    assert written["icon-512.png"].size == (512, 512)
    assert written["maskable-512.png"].getpixel((0, 0)) == written["apple-touch-icon.png"].getpixel((0, 0))


def test_service_worker_is_served_from_the_root_uncached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_every_shell_file_is_served(client):
    script = client.get("/sw.js").get_data(as_text=True)
    shell = json.loads(re.search(r"^const SHELL = (.*);$", script, re.MULTILINE).group(1))
    build = re.search(r'^const BUILD = "([0-9a-f]+)";$', script, re.MULTILINE).group(1)
    assert build
    for lang in ("ar", "fr"):
        assert f"/{lang}/offline" in shell
        assert f"/{lang}/offline/unknown-code" in shell
        assert f"/{lang}/offline/known-code" in shell
        assert f"/{lang}/offline/retired-code" in shell
    # Every plaque code, kept from the first visit, so offline scans of unsaved sites are named.
    assert "/offline/codes.json" in shell
    assert re.search(r'^const CODES_URL = "/offline/codes.json";$', script, re.MULTILINE)
    # The rules shared with the server are part of the worker.
    assert "function foldCode(" in script
    assert "function negotiate(" in script
    assert any(url.startswith("/static/js/app.js?v=") for url in shell)
    # The CMS's scripts and styles are for curators online, not in a visitor's shell.
    assert not [url for url in shell if "/curator" in url]
    for url in shell:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.headers.get("Location")
        response.close()


def test_csp_lets_the_scanner_compile_wasm_but_not_eval(client):
    policy = client.get("/fr/").headers["Content-Security-Policy"]
    script_src = next(part for part in policy.split("; ") if part.startswith("script-src"))
    assert "'wasm-unsafe-eval'" in script_src
    assert "'unsafe-eval'" not in script_src.split()
    assert "'unsafe-inline'" not in script_src


def test_scanner_polyfill_and_wasm_are_self_hosted(client):
    if not (PWA / "vendor" / "zxing_reader.wasm").is_file():
        pytest.skip("pwa/vendor is missing: run `cd pwa && npm ci && npm run vendor`")
    wasm = client.get("/static/vendor/zxing_reader.wasm")
    assert wasm.status_code == 200
    assert wasm.mimetype == "application/wasm"
    wasm.close()
    scanner = (PWA / "js" / "scanner.js").read_text()
    assert "/static/vendor/zxing_reader.wasm" in scanner.replace("${VENDOR}", "/static/vendor")
    assert "jsdelivr" not in scanner


def test_fingerprinted_static_files_are_immutable(client):
    page = client.get("/fr/").get_data(as_text=True)
    url = re.search(r'src="(/static/js/app\.js\?v=[0-9a-f]+)"', page).group(1)
    response = client.get(url)
    assert "immutable" in response.headers["Cache-Control"]
    response.close()
    assert client.get("/static/tools/make_icons.py").status_code == 404
    assert client.get("/static/node_modules/barcode-detector/package.json").status_code == 404


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("fr", "ltr")])
@pytest.mark.parametrize("page", ["offline", "offline/not-saved", "offline/unknown-code", "offline/known-code",
                                  "offline/retired-code"])
def test_offline_pages_are_translated(client, lang, direction, page):
    response = client.get(f"/{lang}/{page}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert '<meta name="robots" content="noindex">' in html
    config = json.loads(re.search(r'<script type="application/json" id="dalil-config">(.*?)</script>',
                                  html, re.DOTALL).group(1))
    assert config["lang"] == lang
    assert set(config["strings"]) >= {"download", "saved", "update", "no_space", "read_aloud"}


def test_script_strings_follow_the_page_language(client):
    def strings(lang):
        html = client.get(f"/{lang}/offline").get_data(as_text=True)
        block = re.search(r'id="dalil-config">(.*?)</script>', html, re.DOTALL).group(1)
        return json.loads(block)["strings"]

    arabic, french = strings("ar"), strings("fr")
    assert arabic["read_aloud"] != french["read_aloud"]
    assert "%(size)s" in arabic["download"]
    assert "%(size)s" in french["download"]


@pytest.mark.parametrize("path", ["/fr/sites/casablanca", "/ar/sites/casablanca"])
def test_site_pages_offer_their_pack(client, path):
    html = client.get(path).get_data(as_text=True)
    assert 'data-pack="casablanca"' in html


def test_monument_and_stop_pages_offer_their_site_pack(app, client):
    with app.app_context():
        site = next(s for s in _sites(app) if s.monuments)
        monument = site.monuments[0]
        urls = [f"/fr/monuments/{monument.slug}",
                *(f"/fr/monuments/{monument.slug}/{stop.slug}" for stop in monument.stops[:1])]
    for url in urls:
        assert f'data-pack="{site.slug}"' in client.get(url).get_data(as_text=True)


def test_home_has_the_code_entry_and_offers_to_save_each_open_site(client):
    html = client.get("/fr/").get_data(as_text=True)
    assert 'action="/fr/enter"' in html
    offers = re.findall(r'<section class="pack save-offer" data-pack-offer data-pack-box="([^"]+)"', html)
    assert offers == ["casablanca"]
    # Only the offer: the home has no site of its own at the bottom.
    assert html.count('data-pack="casablanca"') == 1


def _sites(app):
    from guide.extensions import db

    return list(db.session.scalars(select(Site).order_by(Site.position)))


def test_the_footer_entry_form_knows_the_site(client):
    html = client.get("/ar/sites/casablanca").get_data(as_text=True)
    form = re.search(r'<form class="keypad code-entry" action="([^"]+)".*?</form>', html, re.DOTALL)
    assert form.group(1) == "/ar/enter"
    assert 'name="site" value="casablanca"' in form.group(0)


def test_the_entry_page_has_one_entry_form(client):
    html = client.get("/fr/enter").get_data(as_text=True)
    assert html.count('id="code-entry-code"') == 1


def test_the_code_index_names_every_code_retired_ones_too(app, client):
    from guide.codes.models import Code
    from guide.codes.services import retire_code
    from guide.extensions import db

    with app.app_context():
        codes = list(db.session.scalars(select(Code)))
        retired = next(code for code in codes if code.stop is None)
        retire_code(retired, author="test")
        db.session.commit()
        expected = {}
        for code in codes:
            monument = code.target_monument
            texts = code.stop.texts if code.stop else monument.texts
            expected[code.code] = (monument.site.slug, texts["fr"].title if code.stop else texts["fr"].name)
        retired_code = retired.code
    response = client.get("/offline/codes.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    index = response.get_json()
    assert set(index["codes"]) == set(expected)
    for code, (site, name) in expected.items():
        entry = index["codes"][code]
        assert entry["site"] == site
        assert entry["names"]["fr"] == name
        assert set(entry["pages"]) == {"ar", "fr"}
        assert entry["retired"] is (code == retired_code)
        assert client.get(entry["pages"]["ar"]).status_code == 200
    assert index["sites"]["casablanca"]["fr"] == "Casablanca"
    # Small enough to precache with the shell.
    assert len(response.get_data()) < 64_000
