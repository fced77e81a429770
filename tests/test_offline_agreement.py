"""Offline and online agree, in headless Chromium: keypad entries, translated fallbacks,
language names, and one pack per site however many controls start it."""

import pytest
from babel import Locale
from flask_babel import force_locale
from flask_babel import gettext
from sqlalchemy import select

from guide.extensions import db
from guide.sites.models import Site
from tests.browser import close
from tests.browser import open_with_worker

pytestmark = pytest.mark.browser

PACK_TIMEOUT_MS = 60_000


def _translated(lang: str, message: str, **values) -> str:
    with force_locale(lang):
        return gettext(message, **values)


def _stop_sample(app) -> dict:
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "casablanca"))
        stop = next(stop for monument in site.monuments for stop in monument.stops if stop.primary_code)
        return {"number": stop.primary_code.number, "title": stop.texts["fr"].title,
                "monument": stop.monument.slug}


@pytest.mark.parametrize("prefix", ["№", "#", "№ "])
def test_offline_a_keypad_number_with_a_prefix_opens_the_saved_page(app, live_server, browser, prefix):
    sample = _stop_sample(app)
    context, page = open_with_worker(browser, live_server, "/fr/sites/casablanca")
    page.click("aside [data-pack=casablanca]")
    page.wait_for_selector("aside [data-pack=casablanca][data-pack-state=complete]", timeout=PACK_TIMEOUT_MS)
    context.set_offline(True)
    live_server.stop()
    page.reload()
    page.fill("#code-entry-code", f"{prefix}{sample['number']}")
    page.click(".offline-controls .keypad button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text() == sample["title"]
    context.close()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_offline_a_missing_shell_page_answers_in_the_visitors_language(app, live_server, browser, lang):
    context, page = open_with_worker(browser, live_server, f"/{lang}/")
    context.set_offline(True)
    # The unknown-code page evicted: the not-saved page stands in, in the same language.
    page.evaluate("""async (lang) => {
        const name = (await caches.keys()).find((key) => key.startsWith("shell-"));
        await (await caches.open(name)).delete(`/${lang}/offline/unknown-code`);
    }""", lang)
    response = page.goto(f"{live_server.url}/{lang}/enter?code=ZZZZZZ")
    assert response.status == 404
    with app.test_request_context():
        heading = _translated(lang, "Not saved on this phone")
    assert page.locator("h1").inner_text() == heading
    # Both gone: the worker's own line, still in that language.
    page.evaluate("""async (lang) => {
        const name = (await caches.keys()).find((key) => key.startsWith("shell-"));
        await (await caches.open(name)).delete(`/${lang}/offline/not-saved`);
    }""", lang)
    page.goto(f"{live_server.url}/{lang}/enter?code=ZZZZZZ")
    body = page.locator("body").inner_text().strip()
    assert body.replace("\u202f", " ").replace("\u00a0", " ") == heading.replace("\u00a0", " ")
    assert body != "Offline"
    context.close()


@pytest.mark.parametrize(("lang", "locale"), [("ar", "ar-MA"), ("fr", "fr-FR")])
def test_the_language_choice_names_languages_as_the_server_does(app, live_server, browser, lang, locale):
    # The browser's locale says English names, the page is in lang: the page's words win.
    context = browser.new_context(service_workers="allow", locale=locale)
    # A browser whose own names differ from the server's must not show its own.
    context.add_init_script("Intl.DisplayNames = class { of(code) { return `browser-${code}`; } };")
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/sites/casablanca")
    page.wait_for_selector("aside [data-pack-langs]:not([hidden])")
    label = page.locator("aside [data-pack-lang-only]").inner_text()
    name = Locale.parse(lang).languages[lang]
    assert name in label
    with app.test_request_context():
        expected_start = _translated(lang, "Only in %(language)s (%(size)s)", language=name, size="").split("(")[0]
    assert label.replace("\u202f", " ").startswith(expected_start.replace("\u202f", " ").strip())
    close(context)


def _page_with_two_controls(app, live_server, browser):
    """A monument page, where the save offer and the bottom box both control Casablanca."""
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "casablanca"))
        slug = site.monuments[0].slug
    context, page = open_with_worker(browser, live_server, f"/fr/monuments/{slug}")
    page.wait_for_selector("[data-pack-offer] [data-pack=casablanca][data-pack-state=idle]")
    page.wait_for_selector("aside [data-pack=casablanca][data-pack-state=idle]")
    return context, page, slug


def test_both_controls_of_a_site_tapped_at_once_leave_one_whole_pack(app, live_server, browser):
    context, page, slug = _page_with_two_controls(app, live_server, browser)
    page.wait_for_selector("aside [data-pack-langs]:not([hidden])")
    # Different languages: two runs of different versions, each of which once deleted the other.
    page.check("aside [data-pack-langs] input[value=all]")
    fetched = []
    context.on("request", lambda request: fetched.append(request.url.removeprefix(live_server.url)))
    page.evaluate("""() => {
        document.querySelector("[data-pack-offer] [data-pack=casablanca]").click();
        document.querySelector("aside [data-pack=casablanca]").click();
    }""")
    page.wait_for_function(
        """() => [...document.querySelectorAll("[data-pack=casablanca]")]
            .every((button) => ["complete", "error"].includes(button.dataset.packState))""",
        timeout=PACK_TIMEOUT_MS * 2,
    )
    result = page.evaluate("""async () => {
        const names = (await caches.keys()).filter((name) => name.startsWith("pack-casablanca-"));
        const found = [];
        for (const name of names) {
            const cache = await caches.open(name);
            const marker = await cache.match("/api/v1/packs/casablanca");
            const pack = marker ? await marker.json() : null;
            const missing = [];
            for (const file of pack ? pack.files : []) if (!(await cache.match(file.url))) missing.push(file.url);
            found.push({ name, version: pack && pack.version, missing });
        }
        return found;
    }""")
    assert len(result) == 1, result
    assert result[0]["version"]
    assert result[0]["name"].endswith(result[0]["version"])
    assert result[0]["missing"] == []
    states = page.eval_on_selector_all("[data-pack=casablanca]", "(buttons) => buttons.map((b) => b.dataset.packState)")
    assert states == ["complete", "complete"]
    # One run after the other: the second takes the first's files, none comes twice.
    files = [url for url in fetched if not url.startswith("/api/") and url in {
        f"/fr/monuments/{slug}", "/fr/", "/fr/sites/casablanca"}]
    assert sorted(files) == sorted(set(files)), files
    close(context)


def test_a_download_shows_in_every_control_of_its_site(app, live_server, browser):
    context, page, slug = _page_with_two_controls(app, live_server, browser)
    page.click("[data-pack-offer] [data-pack=casablanca]")
    page.wait_for_selector("aside [data-pack=casablanca][data-pack-state=downloading]", timeout=10_000)
    assert page.is_disabled("aside [data-pack=casablanca]")
    page.wait_for_selector("aside [data-pack=casablanca][data-pack-state=complete]", timeout=PACK_TIMEOUT_MS)
    close(context)
