"""The curator CMS end to end in real headless Chromium: an editor's day, and every page looked at."""

import io
import math
import re
import struct
import wave
from pathlib import Path

import pytest
from PIL import Image
from PIL import ImageDraw
from sqlalchemy import select

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


# --- Every CMS page, in Arabic and French, on a phone and a tablet --------------------------------

SHOTS = Path("/work/briefs/shots-e2e")
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 1024, "height": 768}}
# English interface words that are not French too: seen on an Arabic or French page, a string was missed.
ENGLISH = re.compile(
    r"\b(Save|Sign in|Sign out|Log out|Password|Publish|Preview|Dashboard|Users|Upload|Download|Compare"
    r"|Restore|Missing|Outdated|Up to date|Cancel|Delete|Edit|Submit|Language|Translations|Recording"
    r"|Choose|Required|Optional|Previous|Retire|Enable|Disable|Account|Export|Filter|Until|Summary|Story"
    r"|Opening hours|Transcript|Narrator|Stops|Pictures|Facts|Visiting|Close|Confirm|Recovery codes"
    r"|Working version|Comment|Author|Actions|Changed|Schedule|Create|Search|Show|Hide"
    r"|Sites|Monuments|Status|Field|Fields|Enter|Apply|Reset|Remove|Add|Move up|Move down|Version)\b"
)
# Words that are the same in French (or proper nouns) and may stand in French pages.
FRENCH_TOO = {"Sites", "Monuments", "Version", "Actions", "Comment", "Status", "Confirm", "Enter"}
VISIBLE_TEXT = """() => {
  const parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      const parent = node.parentElement;
      if (!parent || parent.closest("script, style, textarea, code, pre, [translate=no], .md-preview, .current-text")) {
        return NodeFilter.FILTER_REJECT;
      }
      return parent.checkVisibility() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT;
    },
  });
  while (walker.nextNode()) parts.push(walker.currentNode.textContent);
  for (const element of document.body.querySelectorAll("[aria-label], [title], [placeholder], img[alt]")) {
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      if (element.hasAttribute(name)) parts.push(element.getAttribute(name));
    }
  }
  return parts.join(" ");
}"""
# Form fields of content: their direction is their language's, whatever the interface's.
FIELD_DIRECTIONS = """() => [...document.querySelectorAll("input[lang], textarea[lang], [contenteditable][lang], [lang][dir]")]
  .filter((element) => element !== document.documentElement)
  .map((element) => [element.id || element.tagName, element.lang, getComputedStyle(element).direction])"""
INTERACTIVE = """() => [...document.querySelectorAll(
  "a[href], button, input:not([type=hidden]), select, textarea, summary")]
  .filter((element) => !element.disabled && element.checkVisibility() && element.getClientRects().length)
  .filter((element) => element.tabIndex < 0)
  .map((element) => element.outerHTML.replace(/\\s+/g, " ").slice(0, 100))"""
FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const repeat = "e2eSeen" in element.dataset;
  element.dataset.e2eSeen = "";
  // Players and date fields focus a part inside them, which Chromium rings itself.
  const inner = element.matches("audio, video, input[type=date], input[type=datetime-local], input[type=time]");
  const style = getComputedStyle(element);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadowed = style.boxShadow && style.boxShadow !== "none";
  return {tag: element.outerHTML.replace(/\\s+/g, " ").slice(0, 100), visible: inner || outlined || shadowed, repeat};
}"""
START_AT_TOP = """() => {
  const start = document.createElement("span");
  start.tabIndex = -1;
  document.body.prepend(start);
  start.focus();
  start.remove();
}"""
CSP_LISTENER = """document.addEventListener("securitypolicyviolation", (event) => {
  (window.__cspViolations ||= []).push(`${event.violatedDirective} ${event.blockedURI}`);
});"""
RTL = {"ar"}


class Checker:
    """Look at one page after another in one context; collect what is wrong, shoot each page."""

    def __init__(self, page, lang: str, viewport: str):
        self.page, self.lang, self.viewport = page, lang, viewport
        self.problems: list[str] = []
        self.reached: dict[str, int] = {}
        self.console: list[str] = []
        page.on("console", lambda message: message.type in ("error", "warning") and self.console.append(message.text))
        page.on("pageerror", lambda error: self.console.append(str(error)))
        # Chromium logs CSP refusals to the console too; the event also names the directive.
        page.context.add_init_script(CSP_LISTENER)
        SHOTS.mkdir(parents=True, exist_ok=True)

    def look(self, name: str, url: str | None = None, tabs: int = 60) -> None:
        """Open url (or stay), shoot it, check direction, overflow, keyboard, console and wording."""
        page = self.page
        if url:
            response = page.goto(url)
            assert response.status < 400, f"{url}: {response.status}"
        where = f"{name} [{self.lang} {self.viewport}]"
        page.screenshot(path=str(SHOTS / f"{name}-{self.lang}-{self.viewport}.png"), full_page=True)
        assert page.get_attribute("html", "lang") == self.lang, where
        assert page.get_attribute("html", "dir") == ("rtl" if self.lang in RTL else "ltr"), where
        for ident, lang, direction in page.evaluate(FIELD_DIRECTIONS):
            if direction != ("rtl" if lang in RTL else "ltr"):
                self.problems.append(f"{where}: {ident} lang={lang} reads {direction}")
        width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        if width[0] > width[1]:
            self.problems.append(f"{where}: {width[0]} px wide in a {width[1]} px window")
        for html in page.evaluate(INTERACTIVE):
            self.problems.append(f"{where}: out of the keyboard's reach: {html}")
        seen = set()
        last = None
        # Tab from the top of the page, not from a field the page focused itself.
        page.evaluate(START_AT_TOP)
        for _press in range(tabs):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused is None or focused["repeat"] and focused["tag"] != last:
                break
            last = focused["tag"]
            seen.add(focused["tag"])
            if not focused["visible"]:
                self.problems.append(f"{where}: no visible focus on {focused['tag']}")
        self.reached[name] = len(seen)
        words = {word for word in ENGLISH.findall(page.evaluate(VISIBLE_TEXT))
                 if not (self.lang == "fr" and word in FRENCH_TOO)}
        if words:
            self.problems.append(f"{where}: English words {sorted(words)}")
        violations = page.evaluate("() => window.__cspViolations || []")
        if violations:
            self.problems.append(f"{where}: CSP refused {violations}")
        if self.console:
            self.problems.append(f"{where}: console {self.console}")
            self.console.clear()


def _admin_pages(app) -> dict:
    """The records the page pass visits, with a second revision so the diff has something to show."""
    import copy

    from guide.extensions import db
    from guide.monuments.models import Monument
    from guide.publishing.models import Revision
    from guide.publishing.services import find_record
    from guide.publishing.services import save

    with app.app_context():
        head = db.session.get(Revision, find_record("monument", SLUG).head_revision_id)
        data = copy.deepcopy(head.data)
        data["text"]["fr"]["summary"] += " Un mot nouveau."
        data["text"]["ar"]["summary"] += " كلمة جديدة."
        save("monument", SLUG, data, head.id, "editor@dalil.example")
        db.session.commit()
        monument = db.session.scalar(select(Monument).where(Monument.slug == SLUG))
        return {"code": monument.primary_code.code}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_every_cms_page_reads_right_in_each_language_on_phone_and_tablet(app, live_server, browser, lang, viewport):
    """Direction, overflow, keyboard focus, console and wording of every CMS page."""
    import pyotp

    base = live_server.url
    records = _admin_pages(app)
    secret = pyotp.random_base32()
    admin = make_user(app, "admin", sites=(), email="admin-e2e@dalil.example", totp_secret=secret)
    newcomer = make_user(app, "admin", sites=(), email="new-admin@dalil.example")
    context = browser.new_context(service_workers="block", viewport=VIEWPORTS[viewport],
                                  locale="ar-MA" if lang == "ar" else "fr-FR")
    context.add_cookies([{"name": "dalil_lang", "value": lang, "url": base}])
    page = context.new_page()
    checker = Checker(page, lang, viewport)

    checker.look("login", base + "/curator/login")
    # An admin without a second factor is sent to enrol one.
    page.fill("input[name=email]", newcomer.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form:has(input[name=password]) button[type=submit]")
    assert "/curator/account/2fa" in page.url
    checker.look("2fa-enrol")
    context.clear_cookies()
    context.add_cookies([{"name": "dalil_lang", "value": lang, "url": base}])

    page.goto(base + "/curator/login")
    page.fill("input[name=email]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form:has(input[name=password]) button[type=submit]")
    assert "/curator/login/code" in page.url
    checker.look("2fa-code")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.click("form:has(input[name=code]) button[type=submit]")
    assert page.url.endswith("/curator/")

    for name, path, *tabs in (
        ("home", "/curator/"),
        ("site", "/curator/sites/casablanca"),
        ("site-edit", "/curator/sites/casablanca/edit"),
        ("monument-new", "/curator/sites/casablanca/monuments/new"),
        ("monument-editor", EDITOR, 160),
        ("translations", "/curator/sites/casablanca/translations"),
        ("translation-record", f"/curator/translations/monument/{SLUG}"),
        ("revisions", f"{EDITOR}/revisions"),
        ("diff", f"/curator/revisions/monument/{SLUG}/diff"),
        ("media", f"{EDITOR}/media"),
        ("codes", "/curator/sites/casablanca/codes"),
        ("code", f"/curator/codes/{records['code']}"),
        ("dashboard", "/curator/dashboard"),
        ("users", "/curator/users"),
        ("user", f"/curator/users/{newcomer.id}"),
        ("user-new", "/curator/users/new"),
        ("audit", "/curator/audit"),
        ("import", "/curator/import"),
        ("account", "/curator/account"),
        ("2fa-manage", "/curator/account/2fa"),
    ):
        checker.look(name, base + path, *tabs)
    context.close()
    print("reached by Tab:", checker.reached)
    assert not checker.problems, "\n".join(checker.problems)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_new_tours_checkboxes_sit_beside_their_names_on_a_phone(app, live_server, browser, lang):
    """On a phone each monument of the new-tour form is one row: its checkbox on the same line as its name."""
    editor = make_user(app, "editor", sites=("casablanca",), email="tours-e2e@dalil.example")
    context = browser.new_context(service_workers="block", viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "dalil_lang", "value": lang, "url": live_server.url}])
    try:
        page = context.new_page()
        _sign_in(page, live_server.url, editor.email)
        page.goto(live_server.url + "/curator/sites/casablanca/tours/new")
        labels = page.locator(".tour-choices label.checkbox")
        assert labels.count() >= 2
        for index in range(labels.count()):
            box = labels.nth(index).locator("input").bounding_box()
            name = labels.nth(index).locator("bdi").bounding_box()
            # Vertically centred on the same row, whatever the reading direction.
            assert abs((box["y"] + box["height"] / 2) - (name["y"] + name["height"] / 2)) < name["height"], index
    finally:
        context.close()
