"""The public pages in headless Chromium: language from the phone, the switch, layout and contrast."""

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from guide.config import Defaults
from guide.extensions import db
from guide.monuments.models import Monument
from tests.browser import close
from tests.browser import page_context

pytestmark = pytest.mark.browser

LANGUAGES = Defaults.REQUIRED_LANGUAGES
DIRECTIONS = {"ar": "rtl", "fr": "ltr"}
# Recordings and the offline layer's API calls load in the background; these tests look at pages.
SHOTS = Path(os.environ.get("DALIL_SHOTS_DIR", "/tmp/shots"))


def other_language(lang: str) -> str:
    return next(code for code in LANGUAGES if code != lang)


def sample_monument(app) -> dict:
    """A monument of the sample content with stops: its slug, plaque code, names and first stop."""
    with app.app_context():
        monument = next(
            m for m in db.session.scalars(select(Monument).order_by(Monument.slug)) if m.stops and m.primary_code
        )
        return {
            "slug": monument.slug,
            "code": monument.primary_code.code,
            "names": {lang: text.name for lang, text in monument.texts.items()},
            "stop": monument.stops[0].slug,
        }


def document_language(page) -> tuple[str, str]:
    return tuple(page.evaluate("[document.documentElement.lang, document.documentElement.dir]"))


@pytest.mark.parametrize(("locale", "lang"), [("ar-MA", "ar"), ("fr-FR", "fr"), ("de-DE", Defaults.DEFAULT_LANGUAGE)])
def test_plaque_code_opens_in_the_phone_language_and_the_switch_sticks(app, live_server, browser, locale, lang):
    monument = sample_monument(app)
    context = page_context(browser, locale=locale)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/q/{monument['code']}")
        assert document_language(page) == (lang, DIRECTIONS[lang])
        heading = page.locator("h1")
        assert heading.is_visible()
        assert heading.inner_text().strip() == monument["names"][lang]

        other = other_language(lang)
        page.locator(f"header nav.language-switch a[hreflang={other}]").click()
        page.wait_for_url(re.compile(rf"/{other}/monuments/{monument['slug']}$"))
        assert document_language(page) == (other, DIRECTIONS[other])
        assert page.locator("h1").inner_text().strip() == monument["names"][other]

        # The choice made with the switch wins over the phone's language on the next scan.
        page.goto(f"{live_server.url}/q/{monument['code']}")
        assert document_language(page) == (other, DIRECTIONS[other])
        assert page.locator("h1").inner_text().strip() == monument["names"][other]
    finally:
        close(context)


def page_paths(monument: dict) -> dict[str, str]:
    return {
        "home": "/{lang}/",
        "monument": f"/{{lang}}/monuments/{monument['slug']}",
        "stop": f"/{{lang}}/monuments/{monument['slug']}/{monument['stop']}",
        "error": "/{lang}/monuments/no-such-monument",
    }


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_fit_the_screen_and_follow_the_reading_direction(app, live_server, browser, lang, width):
    monument = sample_monument(app)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = page_context(browser, viewport={"width": width, "height": 800}, locale="fr-FR")
    try:
        page = context.new_page()
        for name, path in page_paths(monument).items():
            page.goto(live_server.url + path.format(lang=lang))
            assert document_language(page) == (lang, DIRECTIONS[lang])
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px screen"
            brand = page.locator(".site-header .brand").bounding_box()
            switch = page.locator(".site-header .language-switch").bounding_box()
            # The brand sits where lines start: at the left in French, at the right in Arabic.
            if DIRECTIONS[lang] == "rtl":
                assert brand["x"] > switch["x"], name
            else:
                assert brand["x"] < switch["x"], name
            page.screenshot(path=str(SHOTS / f"{name}-{lang}-{width}.png"), full_page=True)
    finally:
        close(context)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_next_stop_arrow_points_the_way_the_text_runs(app, live_server, browser, lang):
    monument = sample_monument(app)
    context = page_context(browser, viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}/monuments/{monument['slug']}/{monument['stop']}")
        transform = page.locator(".pager-next .icon-next").evaluate("icon => getComputedStyle(icon).transform")
        mirrored = transform.startswith("matrix(-1")
        assert mirrored == (DIRECTIONS[lang] == "rtl")
        crumbs = page.locator(".breadcrumbs li")
        first, last = crumbs.first.bounding_box(), crumbs.last.bounding_box()
        if DIRECTIONS[lang] == "rtl":
            assert first["x"] > last["x"]
        else:
            assert first["x"] < last["x"]
    finally:
        close(context)


CONTRAST_SCRIPT = """
(selectors) => {
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      if (colour.length === 3 || (colour.length === 4 && colour[3] === 1)) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return selectors.flatMap((selector) => [...document.querySelectorAll(selector)].slice(0, 3).map((element) => ({
    selector, text: rgb(getComputedStyle(element).color).slice(0, 3), background: background(element),
  })));
}
"""
CHECKED_SELECTORS = [
    "body", "h1", "h2", ".lead", "main p a", ".meta", ".breadcrumbs a", ".breadcrumbs [aria-current]",
    ".place-name", ".place-meta", ".player-times", ".mini-title", ".facts dt", ".facts dd", ".transcript summary", ".figure figcaption",
    ".language-switch a", ".language-switch .language-current", ".brand", ".badge", ".pill", ".plaque-label",
    ".pager-label", ".pager-title", ".site-footer p", ".site-footer a", ".eyebrow", ".stop-index",
]


def contrast(first: list[float], second: list[float]) -> float:
    def luminance(colour):
        channels = [c / 255 for c in colour]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_text_contrast_reaches_wcag_aa(app, live_server, browser, lang, scheme):
    monument = sample_monument(app)
    context = page_context(browser, color_scheme=scheme)
    try:
        page = context.new_page()
        checked = 0
        for path in page_paths(monument).values():
            page.goto(live_server.url + path.format(lang=lang))
            for sample in page.evaluate(CONTRAST_SCRIPT, CHECKED_SELECTORS):
                ratio = contrast(sample["text"], sample["background"])
                assert ratio >= 4.5, f"{path} {sample['selector']}: {ratio:.2f}:1 in {scheme} mode"
                checked += 1
        assert checked > 40
    finally:
        close(context)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_printed_tour_has_no_buttons(live_server, browser, lang):
    """A tour on paper is its stops and plaque URLs: the read-aloud controls are screen only."""
    context = page_context(browser, viewport={"width": 1024, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}/tours/art-deco-downtown")
        buttons = page.locator(".read-aloud")
        buttons.first.wait_for(state="visible")
        page.emulate_media(media="print")
        assert not buttons.first.is_visible()
        assert page.locator(".tour .print-only").first.is_visible()
    finally:
        close(context)
