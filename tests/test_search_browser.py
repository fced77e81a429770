"""Search in real headless Chromium: the JS fold agrees with Python's, and saved packs search offline."""

import pytest

from guide.search.normalize import fold
from guide.search.terms import strip_article
from guide.search.terms import words
from tests.browser import close
from tests.browser import open_with_worker
from tests.browser import page_context

pytestmark = pytest.mark.browser

PACK_TIMEOUT_MS = 60_000
MOSQUE = "/{lang}/monuments/hassan-ii-mosque"

# Every rule of fold(), and what visitors type.
STRINGS = [
    "Mosquée Hassan II", "MOSQUÉE", "mosquee hassan", "Cathédrale du Sacré-Cœur", "chef-d'œuvre", "Æsop",
    "Straße", "ẞ", "ΣΊΣΥΦΟΣ", "ﬁn ﬂeur", "ｆｕｌｌ", "①②", "²", "مسجد الحسن", "المسجد", "مَسْجِدُ", "مســجد",
    "أإآٱا", "ؤ ئ", "مبنى", "مدرسة", "ﻻ", "ﷺ", "١٩٩٣", "۱۹۹۳", "१९९३", "٢٠٢٥ CE", "\u200fمسجد\u200e",
    "a\u202eb\u2066c", "\ufeffx", "  many   spaces\t\nand\u00a0nbsp\u2003em ", "x\x1cy\x85z", "Ǆemal",
    "İstanbul", "ÉCOLE", "crème brûlée", "Noël", "ça", "Ÿ", "", "   ", "🕌 mosque", "كاتدرائيّة", "والمسجد",
    "بالمدينة القديمة", "للمسجد", "ـ", "ًٌٍَُِّْٰ",
]


def test_the_js_fold_agrees_with_python(live_server, browser):
    context = page_context(browser)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/fr/search")
        folded, split = page.evaluate(
            """async (strings) => {
                const module = await import("/static/js/search.js");
                return [strings.map(module.fold), strings.map(module.searchWords)];
            }""",
            STRINGS,
        )
    finally:
        close(context)
    assert folded == [fold(text) for text in STRINGS]
    assert split == [[strip_article(word) for word in words(text)] for text in STRINGS]


# (page language, query): the queries, typed in the search box of a saved page.
OFFLINE_QUERIES = [
    ("fr", "mosquee hassan"),
    ("fr", "Mosquée Hassan"),
    ("fr", "mosq"),
    ("fr", "مسجد الحسن"),
    ("ar", "مسجد الحسن"),
    ("ar", "المسجد الحسن"),
    ("ar", "مَسْجِد الحَسَن"),
    ("ar", "مســجد الحســن"),
    ("ar", "ٱلْمَسْجِد الحسن"),
    ("ar", "الحسن الثانى"),
    ("ar", "١٩٩٣ مسجد"),
    ("ar", "mosquée hassan"),
]


def test_saved_packs_are_searched_offline_from_the_search_box(app, live_server, browser):
    context, page = open_with_worker(browser, live_server, "/fr/sites/casablanca")
    try:
        page.click("[data-pack=casablanca]")
        page.wait_for_selector("[data-pack=casablanca][data-pack-state=complete]", timeout=PACK_TIMEOUT_MS)
        context.set_offline(True)
        live_server.stop()
        for lang, query in OFFLINE_QUERIES:
            page.goto(f"{live_server.url}/{lang}/sites/casablanca")
            page.fill("#header-search-q", query)
            page.press("#header-search-q", "Enter")
            page.wait_for_selector(".search-results a, .search-message", timeout=10_000)
            assert page.get_attribute("html", "lang") == lang
            first = page.locator(".search-results a").first
            assert first.get_attribute("href") == MOSQUE.format(lang=lang), (lang, query)
            assert page.input_value("#search-page-q") == query
        # Nothing found is said, in the page's language.
        page.goto(f"{live_server.url}/ar/search?q=zzzz")
        page.wait_for_selector(".search-message")
        assert "zzzz" in page.locator(".search-message").inner_text()
        assert page.locator(".search-results").count() == 0
    finally:
        context.close()
