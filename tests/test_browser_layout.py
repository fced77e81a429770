"""Pages on a phone (390×844) in headless Chromium: a short home page that starts with the code
and the buildings nearby, tap targets of 44×44 px, visible entry errors, and the Arabic font."""

import math
import re

import pytest
from sqlalchemy import select

from guide.config import Defaults
from guide.extensions import db
from guide.monuments.models import Monument
from tests.browser import PHONE
from tests.browser import close
from tests.browser import page_context
from tests.test_browser_pages import sample_monument

pytestmark = pytest.mark.browser

LANGUAGES = Defaults.REQUIRED_LANGUAGES
FONT = "/static/vendor/fonts/noto-naskh-arabic-arabic-400-normal.woff2"


def open_phone(browser, **options):
    return page_context(browser, viewport=PHONE, **options)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_home_starts_with_the_code_and_the_monuments_and_stays_short(app, live_server, browser, lang):
    context = open_phone(browser)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}/")
        height = page.evaluate("document.documentElement.scrollHeight")
        # It was 7,800 px (Arabic) and 8,250 px (French) with large cards and the explanation first.
        assert height < 4000, f"the home page is {height}px long"
        code = page.locator("main input[name=code]").first.bounding_box()
        assert code["y"] + code["height"] <= PHONE["height"]
        first_monument = page.locator(".place-list a").first.bounding_box()
        how = page.locator("#how-heading").bounding_box()
        assert code["y"] < first_monument["y"] < how["y"]
        # Small pictures: a row per monument.
        assert first_monument["height"] <= 100
        # The header leads to typing a code from every page.
        link = page.locator(f".site-header a[href='/{lang}/enter']")
        assert link.is_visible()
    finally:
        close(context)


def test_near_me_puts_the_nearest_monument_first(app, live_server, browser):
    with app.app_context():
        placed = [m for m in db.session.scalars(select(Monument)) if m.latitude is not None]
        target = max(placed, key=lambda m: m.latitude)
        names = {m.slug: m for m in placed}
        assert len(names) > 3
    context = open_phone(browser, geolocation={"latitude": target.latitude + 0.0005, "longitude": target.longitude},
                         permissions=["geolocation"])
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/fr/")
        before = page.locator(".place-list a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
        button = page.locator("[data-near-me]")
        button.click()
        page.wait_for_function("() => document.querySelector('[data-near-status]').textContent.length > 0")
        hrefs = page.locator(".place-list a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
        assert hrefs[0] == f"/fr/monuments/{target.slug}"
        assert hrefs != before
        assert sorted(hrefs) == sorted(before)
        distances = page.locator(".place-list [data-near-distance]").all_inner_texts()
        assert re.fullmatch(r"\d+\s?m", distances[0].replace("\u202f", " ").replace("\u00a0", " "))

        def metres(slug):
            m = names[slug]
            lat = math.radians(target.latitude + 0.0005)
            return math.hypot(math.radians(m.latitude) - lat,
                              (math.radians(m.longitude) - math.radians(target.longitude)) * math.cos(lat))

        slugs = [href.rsplit("/", 1)[1] for href in hrefs if href.rsplit("/", 1)[1] in names]
        assert slugs == sorted(slugs, key=metres)
    finally:
        close(context)


def test_near_me_without_permission_keeps_the_list_and_says_why(app, live_server, browser):
    context = open_phone(browser)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/fr/")
        before = page.locator(".place-list a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
        page.locator("[data-near-me]").click()
        page.wait_for_function("() => document.querySelector('[data-near-status]').textContent.length > 0")
        status = page.locator("[data-near-status]").inner_text()
        # Refused, not merely unavailable: the visitor learns it is theirs to allow.
        assert status == page.locator("[data-near-refused]").text_content()
        # French spacing reaches what the script says too.
        assert "position\u00a0:" in status
        after = page.locator(".place-list a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
        assert after == before
    finally:
        close(context)


def test_without_scripts_the_home_list_still_works(app, live_server, browser):
    context = open_phone(browser, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/ar/")
        assert not page.locator("[data-near-me]").is_visible()
        assert page.locator(".place-list a").count() >= 10
        page.locator(".place-list a").first.click()
        page.wait_for_url(re.compile(r"/ar/monuments/"))
        # The browser's own player takes over where the large button needs a script.
        assert page.locator(".audio-guide audio").is_visible()
    finally:
        close(context)


TAP_TARGETS = """
() => [...document.querySelectorAll('a, button, summary, input, select')].flatMap((element) => {
  const box = element.getBoundingClientRect();
  const style = getComputedStyle(element);
  if (!box.width || !box.height || style.visibility === 'hidden' || element.closest('[hidden], dialog:not([open])')) return [];
  // WCAG 2.5.8's inline exception: a link inside a sentence of running text keeps the text's size.
  const paragraph = element.closest('p');
  if (element.tagName === 'A' && paragraph && paragraph.textContent.trim() !== element.textContent.trim()) return [];
  if (box.width >= 44 && box.height >= 44) return [];
  return [`${element.tagName.toLowerCase()}.${element.className} "${element.textContent.trim().slice(0, 24)}" ${Math.round(box.width)}×${Math.round(box.height)}`];
})
"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_tap_target_is_at_least_44_px(app, live_server, browser, lang):
    monument = sample_monument(app)
    paths = ["/{lang}/", "/{lang}/sites/casablanca", f"/{{lang}}/monuments/{monument['slug']}",
             f"/{{lang}}/monuments/{monument['slug']}/{monument['stop']}", f"/q/{monument['code']}",
             "/{lang}/enter", "/{lang}/enter?code=H3J4X", "/{lang}/offline"]
    context = open_phone(browser, locale={"ar": "ar-MA", "fr": "fr-FR"}[lang])
    try:
        page = context.new_page()
        failures = []
        for path in paths:
            page.goto(live_server.url + path.format(lang=lang))
            page.wait_for_load_state("networkidle")
            failures += [f"{path}: {failure}" for failure in page.evaluate(TAP_TARGETS)]
        assert not failures, "\n".join(failures)
    finally:
        close(context)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_site_selector_and_entry_errors_are_visible(app, live_server, browser, lang):
    context = open_phone(browser)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}/enter?code=ZZZZZ9")
        select_box = page.locator("main select[name=site]")
        box = select_box.bounding_box()
        assert box["height"] >= 44
        assert box["width"] >= 200
        assert select_box.evaluate("(s) => parseFloat(getComputedStyle(s).borderTopWidth)") >= 2
        field = page.locator("main input[name=code]")
        assert field.get_attribute("aria-invalid") == "true"
        message = page.locator("#entry-result")
        assert message.is_visible()
        assert "entry-result" in field.get_attribute("aria-describedby").split()
        colour = message.evaluate("(m) => getComputedStyle(m).borderTopColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
        red, green, blue = (int(part) for part in re.findall(r"\d+", colour)[:3])
        assert red > green + 60, colour
        assert red > blue + 60, colour
        assert page.locator("#entry-result .entry-error-icon").is_visible()
        # A correct page has no error marks.
        page.goto(f"{live_server.url}/{lang}/enter")
        assert page.locator("main input[name=code]").get_attribute("aria-invalid") is None
    finally:
        close(context)


def test_arabic_pages_use_the_self_hosted_naskh_and_french_pages_never_load_it(app, live_server, browser):
    monument = sample_monument(app)
    context = open_phone(browser)
    try:
        page = context.new_page()
        fonts = []
        page.on("response", lambda response: fonts.append((response.url, response.status))
                if response.url.split("?")[0].endswith(".woff2") else None)
        page.goto(f"{live_server.url}/fr/monuments/{monument['slug']}")
        page.evaluate("document.fonts.ready")
        page.wait_for_load_state("networkidle")
        assert not [url for url, _status in fonts if "naskh" in url], "a French page downloaded the Arabic font"
        page.goto(f"{live_server.url}/ar/monuments/{monument['slug']}")
        page.evaluate("document.fonts.ready")
        page.wait_for_load_state("networkidle")
        assert (live_server.url + FONT, 200) in [(url.split("?")[0], status) for url, status in fonts]
        loaded = page.evaluate("""() => [...document.fonts].filter((face) => face.family.replace(/"/g, '') === 'Dalil Naskh'
            && face.status === 'loaded').length""")
        assert loaded >= 1
        assert page.evaluate("document.fonts.check('19px \"Dalil Naskh\"', 'دليل')")
        body = page.locator(".story p").first
        assert "Dalil Naskh" in body.evaluate("(p) => getComputedStyle(p).fontFamily")
        assert float(body.evaluate("(p) => parseFloat(getComputedStyle(p).fontSize)")) >= 18
        # The licence travels with the font.
        assert page.request.get(live_server.url + "/static/vendor/fonts/OFL.txt").ok
    finally:
        close(context)
