"""Offline as visitors meet it, in headless Chromium: languages, folded codes, plaques of sites
not saved, pages read before."""

import pytest
from flask_babel import force_locale
from flask_babel import gettext
from sqlalchemy import select

from guide.codes.models import Code
from guide.codes.services import retire_code
from guide.extensions import db
from guide.sites.models import Site

pytestmark = pytest.mark.browser

PACK_TIMEOUT_MS = 60_000
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _translated(lang: str, message: str, **values) -> str:
    with force_locale(lang):
        return gettext(message, **values)


def _codes(app) -> list[dict]:
    """Casablanca's monument codes in service, with their names and site names."""
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "casablanca"))
        found = []
        for monument in site.monuments:
            code = monument.primary_code
            if code is not None:
                found.append({"code": code.code, "slug": monument.slug,
                              "names": {lang: text.name for lang, text in monument.texts.items()},
                              "site": {lang: text.name for lang, text in site.texts.items()}})
        return found


def _open(browser, live_server, path: str, **options):
    context = browser.new_context(service_workers="allow", **{"locale": "fr-FR", **options})
    page = context.new_page()
    page.goto(live_server.url + path)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    return context, page


def _cut(context, live_server) -> None:
    context.set_offline(True)
    live_server.stop()


def test_offline_scan_negotiates_accept_language_like_the_server(app, live_server, browser):
    sample = next(code for code in _codes(app) if code["code"])
    # The worker sees the Accept-Language the browser makes from its locale (extra headers are
    # added later, on the network): a Moroccan Arabic phone that also reads French.
    context, page = _open(browser, live_server, "/fr/sites/casablanca", locale="ar-MA",
                          extra_http_headers={"Accept-Language": "ar-MA,fr;q=0.5"})
    page.wait_for_selector("aside [data-pack=casablanca][data-pack-state=idle]")
    page.check("aside [data-pack-langs] input[value=all]")
    page.click("[data-pack=casablanca]")
    page.wait_for_selector("[data-pack=casablanca][data-pack-state=complete]", timeout=PACK_TIMEOUT_MS)
    # Forget the choice that reading /fr/ made, as a visitor who never chose.
    context.clear_cookies()
    page.evaluate("async () => (await caches.open('dalil-state')).delete('/__dalil/language')")
    _cut(context, live_server)
    page.goto(f"{live_server.url}/q/{sample['code']}")
    assert page.get_attribute("html", "lang") == "ar"
    assert page.locator("h1").first.inner_text() == sample["names"]["ar"]
    context.close()


def test_offline_codes_fold_invisible_marks_and_arabic_digits(app, live_server, browser):
    sample = next((code for code in _codes(app) if any(char.isdigit() for char in code["code"])), None)
    if sample is None:
        pytest.fail("no Casablanca code has a digit")
    disguised = "%E2%80%8F" + sample["code"].lower().translate(ARABIC_INDIC).replace(
        sample["code"].lower()[2], sample["code"].lower()[2] + "\u200b").encode().decode()
    context, page = _open(browser, live_server, "/fr/")
    _cut(context, live_server)
    page.goto(f"{live_server.url}/q/{disguised}")
    assert page.locator("h1").first.inner_text() == sample["names"]["fr"]
    assert page.locator("[data-code-slot]").first.inner_text() == sample["code"]
    context.close()


def test_offline_a_malformed_escape_is_an_unknown_code(app, live_server, browser):
    context, page = _open(browser, live_server, "/ar/")
    _cut(context, live_server)
    response = page.goto(f"{live_server.url}/q/%ff")
    assert response.status == 404
    with app.test_request_context():
        assert page.locator("h1").inner_text() == _translated("ar", "Unknown code")
    context.close()


def test_offline_without_a_pack_a_real_plaque_is_named(app, live_server, browser):
    codes = _codes(app)
    sample, retired = codes[0], codes[1]
    with app.app_context():
        retire_code(db.session.scalar(select(Code).where(Code.code == retired["code"])))
        db.session.commit()
    # Opened at /, so no /<lang>/ page makes a choice that the loop below changes.
    context, page = _open(browser, live_server, "/")
    _cut(context, live_server)
    for lang in ("fr", "ar"):
        page.evaluate(f"async () => (await caches.open('dalil-state')).put('/__dalil/language', new Response('{lang}'))")
        response = page.goto(f"{live_server.url}/q/{sample['code']}")
        assert page.get_attribute("html", "lang") == lang
        assert page.locator("h1").inner_text() == sample["names"][lang]
        lead = page.locator("[data-offline-known]").inner_text()
        assert sample["names"][lang] in lead
        assert sample["site"][lang] in lead
        with app.test_request_context():
            assert page.locator("h1").inner_text() != _translated(lang, "Unknown code")
        assert response.status == 503

        response = page.goto(f"{live_server.url}/q/{retired['code']}")
        assert response.status == 410
        with app.test_request_context():
            assert page.locator("h1").inner_text() == _translated(lang, "This plaque is no longer in use")
        assert page.locator("[data-code-slot]").first.inner_text() == retired["code"]

        response = page.goto(f"{live_server.url}/q/XXXXX")
        assert response.status == 404
        with app.test_request_context():
            assert page.locator("h1").inner_text() == _translated(lang, "Unknown code")
    context.close()


def test_pages_read_online_open_again_offline(app, live_server, browser):
    first, second = _codes(app)[:2]
    context, page = _open(browser, live_server, "/fr/")
    page.goto(f"{live_server.url}/fr/monuments/{first['slug']}")
    page.goto(f"{live_server.url}/q/{second['code']}")
    page.wait_for_function(
        "async () => (await (await caches.open('pages-read')).keys()).length >= 2")
    _cut(context, live_server)
    page.goto(f"{live_server.url}/fr/monuments/{first['slug']}")
    assert page.locator("h1").first.inner_text() == first["names"]["fr"]
    # Scanned again, offline: the page read before, not the "save this site" notice.
    page.goto(f"{live_server.url}/q/{second['code']}")
    assert page.locator("h1").first.inner_text() == second["names"]["fr"]
    assert page.locator("[data-offline-known]").count() == 0
    context.close()


def test_pages_read_are_bounded_oldest_out(app, live_server, browser):
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "casablanca"))
        paths = [f"/{lang}/monuments/{monument.slug}/{stop.slug}"
                 for lang in ("fr", "ar") for monument in site.monuments for stop in monument.stops]
        paths += [f"/{lang}/monuments/{monument.slug}" for lang in ("fr", "ar") for monument in site.monuments]
        paths += [f"/{lang}/sites/{slug}" for lang in ("fr", "ar") for slug in db.session.scalars(select(Site.slug))]
    assert len(paths) > 60
    context, page = _open(browser, live_server, "/fr/")
    # Pictures and recordings are not what this test reads; a recording cut off mid-stream by the
    # next navigation would leave the test server's file open.
    context.route("**/media/**", lambda route: route.abort())
    for path in paths:
        page.goto(live_server.url + path)
    page.wait_for_function(
        f"async () => (await (await caches.open('pages-read')).match('{paths[-1]}')) !== undefined")
    kept = page.evaluate(
        "async () => (await (await caches.open('pages-read')).keys()).map((r) => new URL(r.url).pathname)")
    assert len(kept) == 50
    # Oldest first, in reading order (a page the worker answered from the phone, because the
    # server was slow, is not kept: hence a subsequence).
    assert [path for path in paths if path in kept] == kept
    assert paths[0] not in kept
    assert paths[-1] in kept
    page.goto(f"{live_server.url}/api/v1/sites")
    page.goto(f"{live_server.url}/curator/")
    kept = page.evaluate(
        "async () => (await (await caches.open('pages-read')).keys()).map((r) => new URL(r.url).pathname)")
    assert not [path for path in kept if path.startswith(("/api/", "/curator"))]
    context.close()
