"""Saving a site for offline use, in headless Chromium at 390×844: the offer on first screens,
progress by bytes, one language or both, and a confirmed deletion."""

import pytest
from flask_babel import force_locale
from flask_babel import gettext
from sqlalchemy import select

from guide.extensions import db
from guide.sites.models import Site
from guide.text import french_typography

pytestmark = pytest.mark.browser

PACK_TIMEOUT_MS = 60_000
PHONE = {"width": 390, "height": 844}
LOCALES = {"ar": "ar-MA", "fr": "fr-FR"}
# Records every value a progress bar takes, so a test can count the steps a visitor saw.
RECORD_PROGRESS = """
window.__progress = [];
const descriptor = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, "value");
Object.defineProperty(HTMLProgressElement.prototype, "value", {
  get() { return descriptor.get.call(this); },
  set(value) { window.__progress.push(value); descriptor.set.call(this, value); },
});
window.__left = [];
new MutationObserver(() => {
  for (const node of document.querySelectorAll("[data-pack-left]")) {
    if (node.textContent) window.__left.push(node.textContent);
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


def _translated(app, lang: str, message: str, **values) -> str:
    """The text scripts show: the catalog's, with the page's French typography."""
    with app.test_request_context(), force_locale(lang):
        return french_typography(gettext(message), lang) % values


def _sample(app) -> dict:
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "casablanca"))
        monument = next(m for m in site.monuments if m.primary_code and m.stops)
        return {"code": monument.primary_code.code, "slug": monument.slug, "stop": monument.stops[0].slug,
                "site": {lang: text.name for lang, text in site.texts.items()}}


def _open(browser, live_server, path: str, lang: str = "fr", init: str | None = None):
    context = browser.new_context(service_workers="allow", locale=LOCALES[lang], viewport=PHONE)
    if init:
        context.add_init_script(init)
    page = context.new_page()
    page.goto(live_server.url + path)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    return context, page


def _descriptor(page, query: str = "") -> dict:
    return page.evaluate(f"async () => (await fetch('/api/v1/packs/casablanca{query}')).json()")


def _megabytes(page, lang: str, size: int) -> str:
    return page.evaluate(
        "([locale, size]) => new Intl.NumberFormat(locale, {style: 'unit', unit: 'megabyte',"
        " maximumFractionDigits: 1}).format(size / 1e6)", [f"{lang}-MA", size])


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_first_screens_offer_to_save_the_site_with_its_real_size(app, live_server, browser, lang):
    sample = _sample(app)
    context, page = _open(browser, live_server, f"/{lang}/", lang)
    one_language = _descriptor(page, f"?lang={lang}")
    expected = _translated(app, lang, "Save %(site)s for offline use (%(size)s)", site=sample["site"][lang],
                           size=_megabytes(page, lang, one_language["bytes"]))
    for path in (f"/{lang}/", f"/q/{sample['code']}", f"/{lang}/monuments/{sample['slug']}",
                 f"/{lang}/monuments/{sample['slug']}/{sample['stop']}"):
        page.goto(live_server.url + path)
        offer = page.locator("[data-pack-offer] [data-pack=casablanca]")
        offer.wait_for()
        page.wait_for_selector("[data-pack-offer] [data-pack=casablanca][data-pack-state=idle]")
        assert offer.inner_text() == expected, path
        box = offer.bounding_box()
        # On the first screen of a phone, without scrolling.
        assert box["y"] + box["height"] <= PHONE["height"], path
        page.screenshot(path=f"/tmp/offline-offer-{lang}-{path.strip('/').replace('/', '-')}.png")
    offer.click()
    page.wait_for_selector("[data-pack-offer] [data-pack=casablanca][data-pack-state=complete]",
                           timeout=PACK_TIMEOUT_MS)
    page.goto(f"{live_server.url}/q/{sample['code']}")
    page.wait_for_selector("aside [data-pack=casablanca][data-pack-state=complete]")
    # Saved: the offer is gone from first screens; the state is a status line, not a button.
    assert page.locator("[data-pack-offer]").is_hidden()
    status = page.locator("aside [data-pack-box=casablanca] [role=status]")
    assert status.inner_text() == _translated(app, lang, "Saved on this phone (%(size)s)",
                                              size=_megabytes(page, lang, one_language["bytes"]))
    assert page.locator("aside [data-pack=casablanca]").inner_text() != status.inner_text()
    context.close()


def test_progress_moves_by_bytes_with_the_size_left(app, live_server, browser):
    context, page = _open(browser, live_server, "/fr/sites/casablanca", init=RECORD_PROGRESS)
    page.wait_for_selector("[data-pack=casablanca][data-pack-state=idle]")
    page.check("[data-pack-langs] input[value=all]")
    page.click("[data-pack=casablanca]")
    page.wait_for_selector("[data-pack=casablanca][data-pack-state=complete]", timeout=PACK_TIMEOUT_MS)
    files = int(page.get_attribute("[data-pack=casablanca]", "data-pack-transferred"))
    values = page.evaluate("() => window.__progress")
    steps = sorted(set(values))
    assert steps[-1] == 1
    assert values == sorted(values)
    # Whole files gave one step a file at most; bytes as they arrive give more. (How many more
    # depends on how the loopback chunks the streams, so the bound is the file count.)
    assert len(steps) > files + 1
    left = page.evaluate("() => window.__left")
    assert any(text == _translated(app, "fr", "%(size)s left", size=_megabytes(page, "fr", 3_100_000))
               or "restants" in text for text in left)
    assert len(set(left)) > 10
    context.close()


def test_save_in_french_then_add_arabic_transfers_only_the_arabic_files(app, live_server, browser):
    sample = _sample(app)
    context, page = _open(browser, live_server, "/fr/sites/casablanca")
    page.wait_for_selector("[data-pack=casablanca][data-pack-state=idle]")
    assert page.is_checked("[data-pack-langs] input[value=fr]")
    page.click("[data-pack=casablanca]")
    page.wait_for_selector("[data-pack=casablanca][data-pack-state=complete]", timeout=PACK_TIMEOUT_MS)
    french = _descriptor(page, "?lang=fr")
    full = _descriptor(page)
    stored = page.evaluate(
        """async () => {
            const name = (await caches.keys()).find((key) => key.startsWith("pack-casablanca-"));
            return (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
        }""")
    assert "/fr/" in stored
    assert not [path for path in stored if path.startswith("/ar/")]

    add = page.locator("[data-pack-add=casablanca]")
    add.wait_for()
    fetched = []
    context.on("request", lambda request: fetched.append(request.url.removeprefix(live_server.url)))
    add.click()
    page.wait_for_selector("[data-pack=casablanca][data-pack-state=complete]", timeout=PACK_TIMEOUT_MS)
    page.wait_for_selector("[data-pack-add=casablanca]", state="hidden")
    transferred = {url for url in fetched if not url.startswith("/api/")}
    french_urls = {entry["url"] for entry in french["files"]}
    arabic_only = {entry["url"] for entry in full["files"]} - french_urls
    assert transferred == arabic_only
    assert page.get_attribute("[data-pack=casablanca]", "data-pack-transferred") == str(len(arabic_only))

    context.set_offline(True)
    live_server.stop()
    page.evaluate("async () => (await caches.open('dalil-state')).put('/__dalil/language', new Response('ar'))")
    page.goto(f"{live_server.url}/q/{sample['code']}")
    assert page.get_attribute("html", "lang") == "ar"
    context.close()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_delete_asks_for_confirmation_in_the_page_language(app, live_server, browser, lang):
    sample = _sample(app)
    context, page = _open(browser, live_server, f"/{lang}/offline", lang)
    page.on("dialog", lambda dialog: pytest.fail("window.confirm is not the way to ask"))
    page.click("[data-pack=casablanca]")
    page.wait_for_selector("[data-pack=casablanca][data-pack-state=complete]", timeout=PACK_TIMEOUT_MS)
    page.click("[data-pack-delete=casablanca]")
    dialog = page.locator("#pack-confirm")
    dialog.wait_for()
    assert dialog.locator("[data-pack-confirm-text]").inner_text() == _translated(
        app, lang, "Delete %(site)s from this phone? Saving it again will need a connection.",
        site=sample["site"][lang])
    page.screenshot(path=f"/tmp/offline-confirm-{lang}.png")
    page.click("#pack-confirm [data-pack-cancel]")
    assert page.get_attribute("[data-pack=casablanca]", "data-pack-state") == "complete"
    assert page.evaluate("async () => (await caches.keys()).some((name) => name.startsWith('pack-'))")
    page.click("[data-pack-delete=casablanca]")
    page.click("#pack-confirm [data-pack-confirm]")
    page.wait_for_selector("[data-pack=casablanca][data-pack-state=idle]")
    assert page.evaluate("async () => (await caches.keys()).filter((name) => name.startsWith('pack-'))") == []
    context.close()
