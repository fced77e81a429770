"""The curator CMS end to end in real headless Chromium: an editor's day, and every page looked at."""

import io
import math
import re
import struct
import wave

import pytest
from PIL import Image
from PIL import ImageDraw

from tests.curator import PASSWORD
from tests.curator import make_user

pytestmark = pytest.mark.browser

SLUG = "hassan-ii-mosque"
EDITOR = f"/curator/monuments/{SLUG}"
PACK_TIMEOUT_MS = 90_000
CACHED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
  }
  return urls;
}"""


def _jpeg() -> bytes:
    """A photo-like JPEG: a sky gradient, a sea and a tower, with camera data to strip."""
    image = Image.new("RGB", (1600, 1067))
    draw = ImageDraw.Draw(image)
    for y in range(1067):
        shade = int(255 * y / 1067)
        draw.line([(0, y), (1599, y)], fill=(90 + shade // 3, 140 + shade // 4, 230 - shade // 2))
    draw.rectangle([700, 150, 820, 900], fill=(200, 170, 120))
    draw.rectangle([0, 900, 1599, 1066], fill=(20, 60, 120))
    exif = Image.Exif()
    exif[0x010F] = "Test camera"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def _wav(seconds: float = 3.0, rate: int = 22_050) -> bytes:
    """A mono 16-bit WAV: a 440 Hz tone fading in and out."""
    frames = bytearray()
    count = int(seconds * rate)
    for index in range(count):
        envelope = min(1.0, index / 2000, (count - index) / 2000)
        frames += struct.pack("<h", int(12_000 * envelope * math.sin(2 * math.pi * 440 * index / rate)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


def _sign_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real login form."""
    page.goto(base + "/curator/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url("**/curator/")


def _upload(page, input_id: str, name: str, mimetype: str, data: bytes) -> dict:
    """Choose a file in an upload control; return the server's description of the cleaned file."""
    with page.expect_response(lambda response: response.url.endswith(f"{EDITOR}/media")
                              and response.request.method == "POST") as answer:
        page.set_input_files(f"#{input_id}", files=[{"name": name, "mimeType": mimetype, "buffer": data}])
    assert answer.value.status == 201, answer.value.text()
    field = page.locator(f"[data-media-field]:has(#{input_id})")
    field.locator("[data-media-status][data-state=done]").wait_for()
    return answer.value.json()


def _plain(text: str) -> str:
    """Text with French typography undone: plain spaces and apostrophes, single spaces."""
    text = text.replace("\u2019", "'").replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", text)


def _public_text(browser, base: str, path: str) -> str:
    """A visitor's view of a public page, without a service worker in the way."""
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    response = page.goto(base + path)
    assert response.status == 200
    text = _plain(page.locator("main").inner_text())
    html = page.content()
    context.close()
    return text, html


def test_an_editor_changes_both_languages_uploads_publishes_compares_and_restores(app, live_server, browser):
    """The issue's Done when: edit side by side, upload, preview, publish, see it everywhere, diff, restore."""
    base = live_server.url
    user = make_user(app, "editor", sites=("casablanca",), email="editor-e2e@dalil.example")
    # No punctuation: French typography puts thin spaces before colons on pages.
    new_fr = "Nouveau résumé vérifié du minaret qui veille sur les flots turquoise"
    new_ar = "ملخص جديد مراجع عن الصومعة التي تحرس المحيط الفيروزي"
    consoles: list[str] = []

    context = browser.new_context(service_workers="allow", locale="fr-FR", viewport={"width": 1024, "height": 768})
    context.add_cookies([{"name": "dalil_lang", "value": "fr", "url": base}])
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and consoles.append(message.text))
    page.on("pageerror", lambda error: consoles.append(str(error)))
    # The visitor's app installs its service worker first: the CMS is then browsed under it.
    page.goto(base + "/fr/sites/casablanca")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    _sign_in(page, base, user.email)
    page.goto(base + EDITOR)
    old_fr = _plain(page.input_value("#f-text-fr-summary"))
    old_ar = page.input_value("#f-text-ar-summary")
    assert page.get_attribute("#f-text-ar-summary", "dir") == "rtl"
    assert page.get_attribute("#f-text-fr-summary", "dir") == "ltr"
    page.fill("#f-text-ar-summary", new_ar)
    page.fill("#f-text-fr-summary", new_fr)

    # A new picture in the gallery, and a new French recording.
    image_input = page.locator("input[type=file][id^=media-gallery-]").last.get_attribute("id")
    index = image_input.split("-")[2]
    photo = _upload(page, image_input, "tour.jpg", "image/jpeg", _jpeg())
    assert photo["variants"]
    assert {variant["format"] for variant in photo["variants"]} >= {"webp", "jpg"}
    recording = _upload(page, "media-guides-fr-audio-file", "voix.wav", "audio/wav", _wav())
    assert recording["duration_s"]
    assert recording["url"].startswith("/media/")
    for lang, alt, credit in (("ar", "الصومعة عند الغروب", "تصوير الفريق"), ("fr", "Le minaret au couchant", "Photo de l'équipe")):
        page.fill(f"#f-gallery-{index}-alt-{lang}", alt)
        page.fill(f"#f-gallery-{index}-credit-{lang}", credit)
        assert page.get_attribute(f"#f-gallery-{index}-alt-{lang}", "lang") == lang
    if not page.input_value("#f-guides-fr-transcript"):
        page.fill("#f-guides-fr-transcript", "Un son d'essai de trois secondes.")
    page.fill("#save-comment", "Résumés revus, photo et voix")
    with page.expect_navigation():
        page.click(".save-bar button[type=submit]")
    assert page.locator(".errors").count() == 0, page.locator("main").inner_text()
    assert page.input_value("#f-text-fr-summary") == new_fr
    assert page.input_value("#f-text-ar-summary") == new_ar

    # The preview of the draft, in each language, as a visitor will see it.
    for lang, text in (("fr", new_fr), ("ar", new_ar)):
        page.goto(f"{base}/curator/monuments/{SLUG}/preview/{lang}")
        assert text in page.locator("body").inner_text()
        assert page.get_attribute("html", "lang") == lang
    # Visitors still see the old texts until it is published.
    assert old_fr in _public_text(browser, base, f"/fr/monuments/{SLUG}")[0]

    page.goto(base + EDITOR)
    with page.expect_navigation():
        page.click(".workflow-buttons button.primary")
    assert "published" in page.locator(".workflow-state .state").get_attribute("class")

    # The public pages, the API and the pack show the change.
    for lang, text in (("fr", new_fr), ("ar", new_ar)):
        shown, html = _public_text(browser, base, f"/{lang}/monuments/{SLUG}")
        assert text in shown
        assert any(variant["url"] in html for variant in photo["variants"])
        assert "srcset" in html
        # The new recording is the French one.
        assert (recording["url"] in html) == (lang == "fr")
    api = page.request.get(f"{base}/api/v1/monuments/{SLUG}")
    assert api.ok
    document = api.text()
    assert new_fr in document
    assert new_ar in document
    assert recording["url"].rsplit("/", 1)[1] in document
    # The API names the cleaned photo itself; its variants are for pages and packs.
    assert photo["url"].rsplit("/", 1)[1] in document
    pack = page.request.get(f"{base}/api/v1/packs/casablanca").text()
    assert recording["url"].rsplit("/", 1)[1] in pack
    assert any(variant["url"].rsplit("/", 1)[1] in pack for variant in photo["variants"])
    page.goto(base + "/fr/sites/casablanca")
    page.wait_for_selector("[data-pack=casablanca]:not([data-pack-state=checking])")
    # A recording partly played in the editor is in Chromium's HTTP cache: the pack still saves it whole.
    page.click("[data-pack=casablanca]")
    page.wait_for_selector("[data-pack=casablanca][data-pack-state=complete]", timeout=PACK_TIMEOUT_MS)
    saved = page.evaluate(CACHED_URLS)
    assert any(url.endswith(recording["url"]) for url in saved)
    assert any(url.endswith(variant["url"]) for url in saved for variant in photo["variants"])

    # The versions, and the word-level diff between the last two.
    page.goto(f"{base}/curator/monuments/{SLUG}/revisions")
    rows = page.locator("table.revisions tbody tr")
    assert rows.count() >= 2
    assert user.email in rows.first.inner_text()
    with page.expect_navigation():
        page.click("button[form=compare]")
    assert "/curator/revisions/monument/" in page.url
    inserted = " ".join(page.locator("ins").all_inner_texts())
    deleted = " ".join(page.locator("del").all_inner_texts())
    assert "turquoise" in inserted
    assert "الفيروزي" in inserted
    assert "Dressée" in deleted
    assert "يقوم" in deleted
    # Each language's changes read in its own direction, whatever the interface's.
    direction = "(element) => getComputedStyle(element).direction"
    assert page.locator("ins", has_text="الفيروزي").first.evaluate(direction) == "rtl"
    assert page.locator("ins", has_text="turquoise").first.evaluate(direction) == "ltr"

    # Restore the version before the change, publish it: visitors see the old text again.
    page.goto(f"{base}/curator/monuments/{SLUG}/revisions")
    earlier = page.locator("table.revisions tbody tr").nth(1)
    with page.expect_navigation():
        earlier.locator("button[type=submit]").click()
    assert _plain(page.input_value("#f-text-fr-summary")) == old_fr
    assert page.input_value("#f-text-ar-summary") == old_ar
    with page.expect_navigation():
        page.click(".workflow-buttons button.primary")
    for lang, text, gone in (("fr", old_fr, new_fr), ("ar", old_ar, new_ar)):
        shown, _html = _public_text(browser, base, f"/{lang}/monuments/{SLUG}")
        assert text in shown
        assert gone not in shown
    assert new_fr not in page.request.get(f"{base}/api/v1/monuments/{SLUG}").text()

    # Nothing of the CMS was kept by the service worker.
    page.goto(base + "/fr/sites/casablanca")
    saved = page.evaluate(CACHED_URLS)
    assert saved
    assert not [url for url in saved if re.search(r"//[^/]+/curator(/|$)", url)]
    assert not consoles, consoles
    context.close()
