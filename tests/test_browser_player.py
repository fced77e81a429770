"""The first screen after a scan, in headless Chromium at 390×844: the player, the lock screen,
the compact player, the transcript that follows the voice, and the duration."""

import re

import pytest
from sqlalchemy import select

from guide.config import Defaults
from guide.extensions import db
from guide.monuments.models import Monument
from guide.text import format_duration
from tests.browser import close

pytestmark = pytest.mark.browser

LANGUAGES = Defaults.REQUIRED_LANGUAGES
PHONE = {"width": 390, "height": 844}
# The offline layer's API calls load in the background; these tests listen to recordings.
BACKGROUND = re.compile(r"/api/.*$")
# Looking at layout only, page after page: no recording needs to load.
RECORDINGS = re.compile(r"(/media/[0-9a-f]{64}\.(m4a|mp3|ogg|opus)|/api/.*)$")
PLAY = ".audio-guide .play-button, .audio-guide audio"


def pages_with_audio(app) -> list[tuple[str, str | None, str | None]]:
    """(monument slug, stop slug or None, plaque code) of every page whose guide has a recording."""
    with app.app_context():
        found = []
        for monument in db.session.scalars(select(Monument).order_by(Monument.slug)):
            if any(guide.audio for guide in monument.guides.values()):
                code = monument.primary_code.code if monument.primary_code else None
                found.append((monument.slug, None, code))
            for stop in monument.stops:
                if any(guide.audio for guide in stop.guides.values()):
                    found.append((monument.slug, stop.slug, stop.primary_code.code if stop.primary_code else None))
        return found


def open_phone(browser, lang: str | None = None, audio: bool = True):
    context = browser.new_context(viewport=PHONE, service_workers="block",
                                  locale={"ar": "ar-MA", "fr": "fr-FR"}.get(lang or "fr"))
    context.route(BACKGROUND if audio else RECORDINGS, lambda route: route.abort())
    return context


def first_visible(page, selector: str):
    visible = [element for element in page.query_selector_all(selector) if element.is_visible()]
    assert visible, f"nothing visible matches {selector} on {page.url}"
    return visible[0]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_play_control_is_on_the_first_screen(app, live_server, browser, lang):
    pages = pages_with_audio(app)
    assert len(pages) >= 5
    context = open_phone(browser, lang, audio=False)
    try:
        page = context.new_page()
        checked = 0
        for slug, stop, code in pages:
            paths = [f"/{lang}/monuments/{slug}" + (f"/{stop}" if stop else "")]
            if code:
                paths.append(f"/q/{code}")
            for path in paths:
                page.goto(live_server.url + path)
                assert page.evaluate("document.documentElement.lang") == lang
                # Scripts swap the browser's controls for the large button: measure what stays.
                page.wait_for_selector(".audio-guide.listen-enhanced")
                box = first_visible(page, PLAY).bounding_box()
                assert box["y"] + box["height"] <= PHONE["height"], f"{path}: play control ends at {box['y'] + box['height']}px"
                assert min(box["width"], box["height"]) >= 56, f"{path}: the play control is small"
                # The plaque code just scanned goes lower than the player.
                plaque = page.query_selector(".plaque-code")
                if plaque:
                    assert plaque.bounding_box()["y"] > box["y"], path
                checked += 1
        assert checked >= 10
    finally:
        close(context)


def play(page) -> None:
    page.locator(".player .play-button").click()
    page.wait_for_function("() => { const a = document.querySelector('.audio-guide audio'); return a && !a.paused && a.currentTime > 0; }")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_lock_screen_shows_what_plays(app, live_server, browser, lang):
    slug, stop, _code = next(entry for entry in pages_with_audio(app) if entry[1])
    context = open_phone(browser, lang)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}/monuments/{slug}/{stop}")
        play(page)
        metadata = page.evaluate("""() => { const m = navigator.mediaSession.metadata;
            return {title: m.title, album: m.album, artist: m.artist, artwork: m.artwork.map((a) => a.src)}; }""")
        assert metadata["title"] == page.locator("h1").inner_text().strip()
        with app.app_context():
            monument = db.session.scalar(select(Monument).where(Monument.slug == slug))
            assert metadata["album"] == (monument.texts.get(lang) or monument.texts["fr"]).name
        assert metadata["artwork"]
        assert metadata["artwork"][0].startswith(live_server.url + "/media/")
        assert page.evaluate("navigator.mediaSession.playbackState") == "playing"
    finally:
        close(context)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compact_player_stays_reachable_while_reading(app, live_server, browser, lang):
    slug, _stop, _code = pages_with_audio(app)[0]
    context = open_phone(browser, lang)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}/monuments/{slug}")
        mini = page.locator("[data-mini-player]")
        assert not mini.is_visible()
        play(page)
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        mini.wait_for(state="visible")
        box = mini.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"] + 1
        assert box["y"] > PHONE["height"] / 2
        button = mini.locator(".play-button")
        button.click()
        page.wait_for_function("() => document.querySelector('.audio-guide audio').paused")
        play_label = page.locator(".player .play-button").get_attribute("data-label-play")
        page.wait_for_function("(label) => document.querySelector('.mini-player .play-button').ariaLabel === label",
                               arg=play_label)
        button.click()
        page.wait_for_function("() => !document.querySelector('.audio-guide audio').paused")
        # Back at the top, the large player is there again and the compact one goes.
        page.evaluate("window.scrollTo(0, 0)")
        mini.wait_for(state="hidden")
    finally:
        close(context)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_transcript_follows_the_voice_and_a_sentence_seeks(app, live_server, browser, lang):
    slug, _stop, _code = pages_with_audio(app)[0]
    context = open_phone(browser, lang)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}/monuments/{slug}")
        sentences = page.locator(".transcript .sentence[data-start]")
        assert sentences.count() > 3
        starts = [float(value) for value in sentences.evaluate_all("(all) => all.map((s) => s.dataset.start)")]
        assert starts[0] == 0
        assert starts == sorted(starts)
        play(page)
        page.wait_for_selector(".sentence.is-current")
        assert page.locator(".sentence.is-current").count() == 1
        # A tap on the third sentence jumps there and highlights it.
        sentences.nth(2).click()
        page.wait_for_function("(start) => document.querySelector('.audio-guide audio').currentTime >= start",
                               arg=starts[2])
        page.wait_for_function("() => document.querySelectorAll('.sentence')[2].classList.contains('is-current')")
        assert page.evaluate("document.querySelector('.audio-guide audio').currentTime") < starts[3]
        # The keyboard does the same: focus a sentence, press Enter.
        sentences.nth(3).focus()
        page.keyboard.press("Enter")
        page.wait_for_function("(start) => document.querySelector('.audio-guide audio').currentTime >= start",
                               arg=starts[3])
        assert page.locator(".sentence.is-current").get_attribute("aria-current") == "true"
    finally:
        close(context)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_duration_shown_is_the_players(app, live_server, browser, lang):
    slug, stop, _code = next(entry for entry in pages_with_audio(app) if entry[1])
    context = open_phone(browser, lang)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}/monuments/{slug}/{stop}")
        server_text = page.locator(".audio-guide [data-total]").inner_text()
        meta = page.locator("#audio-heading-meta").inner_text()
        duration = page.evaluate("""() => new Promise((resolve) => { const a = document.querySelector('.audio-guide audio');
            if (a.readyState >= 1) resolve(a.duration); else a.addEventListener('loadedmetadata', () => resolve(a.duration)); })""")
        # Chromium's own controls show whole seconds rounded down; so do the server and the player.
        whole = int(duration)
        assert server_text == f"{whole // 60}:{whole % 60:02d}" == format_duration(duration)
        assert server_text in meta
        assert page.locator(".audio-guide [data-total]").inner_text() == server_text
    finally:
        close(context)
