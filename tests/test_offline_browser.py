"""The offline guide in real headless Chromium: packs, offline scans, audio, updates, scanner."""

import io
import os
from pathlib import Path

import pytest
import qrcode
from flask_babel import force_locale
from flask_babel import gettext
from PIL import Image
from sqlalchemy import select

from guide.extensions import db
from guide.monuments.models import Monument
from guide.sites.models import Site
from tests.browser import open_with_worker

pytestmark = pytest.mark.browser

PACK_TIMEOUT_MS = 60_000
VENDOR = Path(__file__).resolve().parent.parent / "pwa" / "vendor"


def _casablanca(app) -> list[Monument]:
    site = db.session.scalar(select(Site).where(Site.slug == "casablanca"))
    return list(site.monuments)


def _audio_sample(app, lang: str) -> dict:
    """A Casablanca monument with a plaque code and a recording in lang."""
    with app.app_context():
        for monument in _casablanca(app):
            guide = monument.guides.get(lang)
            if guide and guide.audio and monument.primary_code:
                return {
                    "slug": monument.slug,
                    "code": monument.primary_code.code,
                    "name": monument.texts[lang].name,
                    "audio": f"/media/{guide.audio.filename}",
                    "size": guide.audio.size,
                    "duration": guide.audio.duration_s,
                }
    pytest.fail(f"the sample content has no Casablanca monument with a {lang} recording")


def _download(page, site: str = "casablanca") -> None:
    page.click(f"[data-pack={site}]")
    page.wait_for_selector(f"[data-pack={site}][data-pack-state=complete]", timeout=PACK_TIMEOUT_MS)


def _settle(page) -> None:
    """Wait until the page's pack control has asked the server, so no request outlives the test."""
    page.wait_for_selector("[data-pack]:not([data-pack-state=checking])")


def _translated(app, lang: str, message: str) -> str:
    with app.test_request_context(), force_locale(lang):
        return gettext(message)


def test_offline_scan_opens_the_saved_page_in_the_chosen_language(app, live_server, browser):
    sample = _audio_sample(app, "ar")
    # A French phone whose visitor chose Arabic: the choice wins, offline too.
    context, page = open_with_worker(browser, live_server, "/ar/sites/casablanca", locale="fr-FR")
    _download(page)
    context.set_offline(True)
    live_server.stop()

    page.goto(f"{live_server.url}/q/{sample['code'].lower()}")
    assert page.locator("h1").first.inner_text() == sample["name"]
    assert page.get_attribute("html", "lang") == "ar"
    assert page.get_attribute("html", "dir") == "rtl"

    audio = page.locator(".audio-guide audio")
    assert audio.get_attribute("src") == sample["audio"]
    page.evaluate("() => document.querySelector('.audio-guide audio').play()")
    page.wait_for_function("() => document.querySelector('.audio-guide audio').currentTime > 0.3")
    target = round(min(sample["duration"] / 2, 20), 1)
    page.evaluate(f"() => {{ document.querySelector('.audio-guide audio').currentTime = {target}; }}")
    page.wait_for_function(
        f"() => {{ const a = document.querySelector('.audio-guide audio');"
        f" return !a.seeking && Math.abs(a.currentTime - {target}) < 2 && a.error === null; }}"
    )

    ranges = page.evaluate(
        """async (url) => {
            const answers = [];
            for (const range of ["bytes=0-1", "bytes=-500", "bytes=100-", "bytes=999999999-"]) {
                const response = await fetch(url, { headers: { Range: range } });
                const body = await response.arrayBuffer();
                answers.push([response.status, response.headers.get("Content-Range"), body.byteLength]);
            }
            return answers;
        }""",
        sample["audio"],
    )
    size = sample["size"]
    assert ranges == [
        [206, f"bytes 0-1/{size}", 2],
        [206, f"bytes {size - 500}-{size - 1}/{size}", 500],
        [206, f"bytes 100-{size - 1}/{size}", size - 100],
        [416, f"bytes */{size}", 0],
    ]

    response = page.goto(f"{live_server.url}/q/XXXXX")
    assert response.status == 404
    assert page.locator("h1").inner_text() == _translated(app, "ar", "Unknown code")
    assert page.locator("[data-code-slot]").inner_text() == "XXXXX"
    context.close()


def test_offline_keypad_and_upper_case_urls_open_saved_pages(app, live_server, browser):
    sample = _audio_sample(app, "fr")
    with app.app_context():
        stop = next(stop for monument in _casablanca(app) for stop in monument.stops if stop.primary_code)
        number, title = stop.primary_code.number, stop.texts["fr"].title
    context, page = open_with_worker(browser, live_server, "/fr/sites/casablanca")
    _download(page)
    context.set_offline(True)
    live_server.stop()
    page.reload()
    page.fill("#code-entry-code", str(number))
    page.click(".offline-controls .keypad button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text() == title
    # Typed on an Arabic keyboard, with a right-to-left mark: folded like the server does.
    page.fill("#code-entry-code", "\u200f" + str(number).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
    page.click(".offline-controls .keypad button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text() == title
    # Printed plaques carry the URL in upper case.
    page.goto(f"{live_server.url}/Q/{sample['code']}")
    assert page.locator("h1").first.inner_text() == sample["name"]
    context.close()


def test_an_unsaved_page_offline_says_so(app, live_server, browser):
    context, page = open_with_worker(browser, live_server, "/fr/")
    context.set_offline(True)
    response = page.goto(f"{live_server.url}/fr/monuments/nowhere")
    assert response.status == 503
    assert page.locator("h1").inner_text() == _translated(app, "fr", "Not saved on this phone")
    context.close()


def test_update_transfers_only_the_changed_files(app, live_server, browser):
    context, page = open_with_worker(browser, live_server, "/fr/sites/casablanca")
    _download(page)
    first = page.get_attribute("[data-pack=casablanca]", "data-pack-transferred")
    assert int(first) > 20

    with app.app_context():
        monument = _casablanca(app)[0]
        slug = monument.slug
        monument.texts["fr"].body += "\n\nUne phrase ajoutée pour le test."
        db.session.commit()

    page.reload()
    page.wait_for_selector("[data-pack=casablanca][data-pack-state=update]")
    fetched = []
    context.on("request", lambda request: fetched.append(request.url.removeprefix(live_server.url)))
    _download(page)
    files = [url for url in fetched if not url.startswith("/api/")]
    assert files == [f"/fr/monuments/{slug}"]
    assert page.get_attribute("[data-pack=casablanca]", "data-pack-transferred") == "1"

    context.set_offline(True)
    page.goto(f"{live_server.url}/fr/monuments/{slug}")
    assert "Une phrase ajoutée pour le test." in page.locator(".story").inner_text()
    context.close()


def test_an_interrupted_download_resumes_where_it_stopped(app, live_server, browser):
    sample = _audio_sample(app, "fr")
    context, page = open_with_worker(browser, live_server, "/fr/sites/casablanca")
    context.route(f"**{sample['audio']}", lambda route: route.abort())
    page.click("[data-pack=casablanca]")
    page.wait_for_selector("[data-pack=casablanca][data-pack-state=error]", timeout=PACK_TIMEOUT_MS)
    assert page.locator("[data-pack-box=casablanca] .pack-status").inner_text()
    stored = set(page.evaluate(
        """async () => {
            const name = (await caches.keys()).find((key) => key.startsWith("pack-casablanca-"));
            const keys = await (await caches.open(name)).keys();
            return keys.map((request) => new URL(request.url).pathname + new URL(request.url).search);
        }"""
    ))
    assert stored
    context.unroute(f"**{sample['audio']}")
    fetched = []
    context.on("request", lambda request: fetched.append(request.url.removeprefix(live_server.url)))
    _download(page)
    again = {url for url in fetched if not url.startswith("/api/")}
    assert sample["audio"] in again
    assert not again & stored
    context.close()


def test_deleting_a_pack_frees_it(app, live_server, browser):
    context, page = open_with_worker(browser, live_server, "/fr/offline")
    _settle(page)
    assert page.get_attribute("[data-pack=casablanca]", "data-pack-state") == "idle"
    _download(page)
    page.click("[data-pack-delete=casablanca]")
    page.click("#pack-confirm [data-pack-confirm]")
    page.wait_for_selector("[data-pack=casablanca][data-pack-state=idle]")
    names = page.evaluate("async () => (await caches.keys()).filter((name) => name.startsWith('pack-'))")
    assert names == []
    context.close()


def test_a_waiting_worker_offers_a_reload(app, live_server, browser, monkeypatch):
    from guide.offline import services

    context, page = open_with_worker(browser, live_server, "/fr/")
    first = page.evaluate("() => navigator.serviceWorker.controller.scriptURL")
    build = services.shell_build
    monkeypatch.setattr(services, "shell_build", lambda source: "new-" + build(source))
    # As after a deploy: the restarted workers start with empty caches.
    app.extensions["dalil_response_cache"].clear()
    page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
    page.wait_for_selector(".update-banner:not([hidden])")
    with page.expect_navigation():
        page.click("[data-sw-reload]")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    assert page.evaluate("() => navigator.serviceWorker.controller.scriptURL") == first
    assert page.evaluate(
        "async () => (await caches.keys()).filter((name) => name.startsWith('shell-')).length"
    ) == 1
    context.close()


def test_audio_speed_and_position_are_remembered(app, live_server, browser):
    sample = _audio_sample(app, "fr")
    context, page = open_with_worker(browser, live_server, f"/fr/monuments/{sample['slug']}")
    page.select_option(".listen-controls select", "1.5")
    assert page.evaluate("() => document.querySelector('.audio-guide audio').playbackRate") == 1.5
    target = round(min(sample["duration"] / 2, 12), 1)
    page.evaluate(
        f"""async () => {{
            const audio = document.querySelector('.audio-guide audio');
            await audio.play();
            audio.currentTime = {target};
            await new Promise((resolve) => setTimeout(resolve, 400));
            audio.pause();
        }}"""
    )
    page.reload()
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('.audio-guide audio').currentTime - {target}) < 4"
    )
    assert page.evaluate("() => document.querySelector('.audio-guide audio').playbackRate") == 1.5
    assert page.locator(".listen-controls button").is_visible()
    _settle(page)
    context.close()


SPEECH_STUB = """
window.__spoken = [];
const fake = {
  speaking: false, paused: false,
  getVoices: () => [{ lang: "ar-SA", name: "Arabic" }, { lang: "fr-FR", name: "French" }],
  speak(utterance) { this.speaking = true; window.__spoken.push([utterance.lang, utterance.text]); },
  cancel() { this.speaking = false; }, pause() { this.paused = true; }, resume() { this.paused = false; },
  addEventListener() {},
};
Object.defineProperty(window, "speechSynthesis", { value: fake });
window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } addEventListener() {} };
"""


def test_a_stop_without_recording_can_be_read_aloud(app, live_server, browser):
    with app.app_context():
        stop = next(
            (stop for monument in _casablanca(app) for stop in monument.stops
             if not any(guide.audio for guide in stop.guides.values())), None)
        if stop is None:
            pytest.fail("the sample content has no stop without a recording")
        path = f"/ar/monuments/{stop.monument.slug}/{stop.slug}"
        body_start = stop.texts["ar"].body.split()[0]
    context = browser.new_context(service_workers="block", locale="ar")
    context.add_init_script(SPEECH_STUB)
    page = context.new_page()
    page.goto(live_server.url + path)
    page.click("[data-read-aloud]")
    spoken = page.evaluate("() => window.__spoken")
    assert len(spoken) == 1
    assert spoken[0][0] == "ar"
    assert body_start.strip("#*") in spoken[0][1]
    _settle(page)
    context.close()


def _qr_video(text: str, path: Path) -> None:
    """Write a few seconds of a camera filming a QR code, as the y4m Chromium can replay."""
    code = qrcode.make(text, border=4).get_image().convert("L").resize((360, 360), Image.NEAREST)
    frame = Image.new("L", (640, 480), 200)
    frame.paste(code, (140, 60))
    ycbcr = frame.convert("RGB").convert("YCbCr")
    y, cb, cr = ycbcr.split()
    planes = io.BytesIO()
    planes.write(y.tobytes())
    planes.write(cb.resize((320, 240)).tobytes())
    planes.write(cr.resize((320, 240)).tobytes())
    with path.open("wb") as handle:
        handle.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _frame in range(20):
            handle.write(b"FRAME\n" + planes.getvalue())


def test_the_scanner_reads_a_plaque_with_the_self_hosted_polyfill(app, live_server, browser, tmp_path):
    if not (VENDOR / "zxing_reader.wasm").is_file():
        message = "pwa/vendor is missing: run `cd pwa && npm ci && npm run vendor`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    sample = _audio_sample(app, "fr")
    video = tmp_path / "plaque.y4m"
    _qr_video(f"https://dalil.example/q/{sample['code']}", video)
    from tests.conftest import CHROMIUM
    from tests.conftest import CHROMIUM_ARGS

    camera = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ])
    try:
        context = camera.new_context(service_workers="block", locale="fr-FR")
        requested = []
        context.on("request", lambda request: requested.append(request.url))
        page = context.new_page()
        page.goto(f"{live_server.url}/fr/")
        page.click("[data-scan]")
        page.wait_for_url(f"{live_server.url}/q/{sample['code']}?via=scan", timeout=30_000)
        assert page.locator("h1").first.inner_text() == sample["name"]
        _settle(page)
        assert any(url.endswith("/static/vendor/zxing_reader.wasm") for url in requested)
        assert all(url.startswith(live_server.url) for url in requested)
    finally:
        camera.close()
