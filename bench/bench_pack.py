"""Measure a site's offline pack: size by kind and per language, audio bytes per minute, build
time, the time from an offline navigation to its text on screen (headless Chromium, pack
downloaded, network cut and server stopped), how many distinct steps the progress bar takes
during the download, what an offline scan of a real code says with no pack saved, and the
statements and time a cold pack build takes at 12 and 500 monuments (bench/generate.py adds
synthetic ones): the count must not grow with them.

    python bench/bench_pack.py [--site casablanca] [--runs 10] [--no-browser] [--sizes 12 500]
Writes bench/results/pack.json. Timings are indicative: this machine, not a phone.
"""

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from guide import create_app  # noqa: E402
from guide.content.services import load_content  # noqa: E402
from guide.extensions import db  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--mute-audio",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic", "--disable-gpu"]


def make_app(tmp: str):
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/pack.sqlite3",
        "MEDIA_DIR": f"{tmp}/media",
        "SECRET_KEY": "bench",
    })
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        load_content(ROOT / "content")
        db.session.commit()
    return app


def kind(entry: dict) -> str:
    if entry["url"].startswith("/media/"):
        return "audio" if entry["type"].startswith("audio/") else "images"
    if entry["url"].startswith("/static/vendor/"):
        return "scanner"
    if entry["url"].startswith("/static/"):
        return "app files"
    return "pages"


def pack_figures(app, site: str) -> dict:
    from guide.media.models import MediaFile

    client = app.test_client()
    start = time.perf_counter()
    pack = client.get(f"/api/v1/packs/{site}").get_json()
    cold_s = time.perf_counter() - start
    start = time.perf_counter()
    client.get(f"/api/v1/packs/{site}")
    warm_s = time.perf_counter() - start
    by_kind: dict[str, dict] = {}
    for entry in pack["files"]:
        bucket = by_kind.setdefault(kind(entry), {"files": 0, "bytes": 0})
        bucket["files"] += 1
        bucket["bytes"] += entry["bytes"]
    with app.app_context():
        audio = [db.session.get(MediaFile, entry["sha256"]) for entry in pack["files"]
                 if entry["type"].startswith("audio/")]
    minutes = sum(media.duration_s for media in audio) / 60
    audio_bytes = sum(media.size for media in audio)
    return {
        "site": site,
        "version": pack["version"],
        "bytes": pack["bytes"],
        "files": len(pack["files"]),
        "by_kind": by_kind,
        "audio_minutes": round(minutes, 2),
        "audio_bytes_per_minute": round(audio_bytes / minutes) if minutes else None,
        "descriptor_bytes": len(json.dumps(pack).encode()),
        "build_seconds_cold": round(cold_s, 3),
        "build_seconds_cached": round(warm_s, 4),
    }


def language_figures(app, site: str) -> dict:
    """Size and file count of the pack in each single language and in all of them."""
    client = app.test_client()
    with app.app_context():
        from guide.i18n import languages

        langs = list(languages())
    figures = {}
    for name, query in [*((lang, f"?lang={lang}") for lang in langs), ("all", "")]:
        response = client.get(f"/api/v1/packs/{site}{query}")
        if response.status_code != 200:
            return {}  # a server without ?lang=: nothing to compare
        pack = response.get_json()
        figures[name] = {"bytes": pack["bytes"], "mb": round(pack["bytes"] / 1e6, 2), "files": len(pack["files"])}
    return figures


# Records every value the progress bar takes during the download.
RECORD_PROGRESS = """
window.__progress = [];
const descriptor = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, "value");
Object.defineProperty(HTMLProgressElement.prototype, "value", {
  get() { return descriptor.get.call(this); },
  set(value) { window.__progress.push(value); descriptor.set.call(this, value); },
});
"""


def largest_jump(values: list[float]) -> float:
    """The biggest single move of a progress bar, in percent."""
    steps = sorted({0, *values})
    return round(100 * max((b - a for a, b in zip(steps, steps[1:], strict=False)), default=0), 1)


# A phone on a fair 4G link (20 Mbit/s, 40 ms), so bodies arrive in chunks as they would there;
# over loopback a whole recording can land in one read.
PHONE_NETWORK = {"offline": False, "latency": 40, "downloadThroughput": 2_500_000, "uploadThroughput": 1_000_000}


def offline_paint(app, site: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    with app.app_context():
        from guide.sites.services import get_site

        monuments = get_site(site).monuments
        codes = [m.primary_code.code for m in monuments if m.primary_code]
        names = {m.primary_code.code: m.texts["fr"].name for m in monuments if m.primary_code}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    paints, walls = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # A visitor with no pack, offline, scanning a real plaque.
        context = browser.new_context(service_workers="allow", locale="fr-FR")
        page = context.new_page()
        page.goto(f"{base}/fr/")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        context.set_offline(True)
        page.goto(f"{base}/q/{codes[0]}")
        unsaved = {"code": codes[0], "name": names[codes[0]], "h1": page.locator("h1").first.inner_text(),
                   "text": page.locator("main").inner_text()[:300]}
        unsaved["named"] = names[codes[0]] in unsaved["h1"]
        context.close()

        context = browser.new_context(service_workers="allow", locale="fr-FR")
        context.add_init_script(RECORD_PROGRESS)
        page = context.new_page()
        page.goto(f"{base}/fr/sites/{site}")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.wait_for_selector(f"aside [data-pack={site}]:not([data-pack-state=checking])")
        # The whole pack, both languages, as before one-language packs existed.
        if page.locator("aside [data-pack-langs] input[value=all]").count():
            page.check("aside [data-pack-langs] input[value=all]")
        network = context.new_cdp_session(page)
        network.send("Network.enable")
        network.send("Network.emulateNetworkConditions", PHONE_NETWORK)
        start = time.perf_counter()
        page.click(f"aside [data-pack={site}]")
        page.wait_for_selector(f"[data-pack={site}][data-pack-state=complete]", timeout=120_000)
        download_s = time.perf_counter() - start
        progress = page.evaluate("() => window.__progress")
        transferred = int(page.get_attribute(f"aside [data-pack={site}]", "data-pack-transferred") or 0)
        context.set_offline(True)
        server.shutdown()
        for index in range(runs):
            code = codes[index % len(codes)]
            start = time.perf_counter()
            page.goto(f"{base}/q/{code}")
            page.locator("h1").first.wait_for()
            walls.append((time.perf_counter() - start) * 1000)
            paints.append(page.evaluate(
                "() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null"))
        browser.close()
    server.server_close()
    paints = [value for value in paints if value is not None]
    return {
        "runs": runs,
        "download_seconds_local": round(download_s, 2),
        "first_contentful_paint_ms_median": round(statistics.median(paints), 1) if paints else None,
        "first_contentful_paint_ms_max": round(max(paints), 1) if paints else None,
        "navigation_to_h1_ms_median": round(statistics.median(walls), 1),
        "progress_distinct_values": len(set(progress)),
        # The biggest single move of the bar, in percent of the pack.
        "progress_largest_jump_pct": largest_jump(progress),
        "progress_files_transferred": transferred,
        "offline_scan_without_pack": unsaved,
    }


def cold_build(app, url: str) -> tuple[int, float]:
    """Count the statements and time a GET of url takes with every rendered page forgotten."""
    from sqlalchemy import event

    statements = []

    def record(*_args) -> None:
        statements.append(1)

    app.extensions["dalil_response_cache"].clear()
    app.extensions.pop("dalil_packs", None)
    app.extensions.pop("dalil_pack_summaries", None)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        start = time.perf_counter()
        assert app.test_client().get(url).status_code == 200
        seconds = time.perf_counter() - start
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements), round(seconds, 2)


def scaling_figures(app, site: str, sizes: list[int]) -> list[dict]:
    """Build the pack cold at each monument count (synthetic monuments added up to it)."""
    from bench.generate import add_monuments
    from guide.monuments.models import Monument
    from guide.sites.models import Site

    figures = []
    for size in sizes:
        with app.app_context():
            have = db.session.query(Monument).join(Site).filter(Site.slug == site).count()
            if size > have:
                add_monuments(site, size - have)
                db.session.commit()
            have = max(have, size)
        queries, seconds = cold_build(app, f"/api/v1/packs/{site}")
        list_queries, list_seconds = cold_build(app, "/api/v1/packs")
        pack = app.test_client().get(f"/api/v1/packs/{site}").get_json()
        figures.append({"monuments": have, "pack_queries": queries, "pack_seconds": seconds,
                        "pack_files": len(pack["files"]), "list_queries_cold": list_queries,
                        "list_seconds_cold": list_seconds})
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="casablanca")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="*", default=[12, 500],
                        help="monument counts to build the pack at (synthetic monuments fill up to each)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(tmp)
        result = pack_figures(app, args.site)
        result["by_language"] = language_figures(app, args.site)
        if not args.no_browser and Path(CHROMIUM).exists():
            result["offline"] = offline_paint(app, args.site, args.runs)
        # Last: the synthetic monuments it adds must not change the figures above.
        result["scaling"] = scaling_figures(app, args.site, args.sizes)
    print(f"pack {result['site']} v{result['version']}: {result['bytes'] / 1e6:.2f} MB in {result['files']} files")
    for name, bucket in sorted(result["by_kind"].items()):
        print(f"  {name:<10} {bucket['files']:>4} files {bucket['bytes'] / 1e6:>7.2f} MB")
    print(f"audio: {result['audio_minutes']} min, {result['audio_bytes_per_minute']:,} bytes per minute")
    for name, figures in result["by_language"].items():
        print(f"  language {name:<4} {figures['mb']:>6.2f} MB in {figures['files']} files")
    print(f"descriptor: {result['descriptor_bytes']:,} B; built in {result['build_seconds_cold']} s, "
          f"then {result['build_seconds_cached']} s from the cache")
    if "offline" in result:
        offline = result["offline"]
        print(f"download at 20 Mbit/s: {offline['download_seconds_local']} s")
        print(f"offline /q/<code> → first contentful paint: median {offline['first_contentful_paint_ms_median']} ms, "
              f"max {offline['first_contentful_paint_ms_max']} ms; navigation → h1: "
              f"median {offline['navigation_to_h1_ms_median']} ms ({offline['runs']} runs)")
        print(f"progress bar: {offline['progress_distinct_values']} distinct values for "
              f"{offline['progress_files_transferred']} files transferred, largest jump "
              f"{offline['progress_largest_jump_pct']} %")
        unsaved = offline["offline_scan_without_pack"]
        print(f"offline scan of {unsaved['code']} ({unsaved['name']}) with no pack: h1 {unsaved['h1']!r}, "
              f"named: {unsaved['named']}")
    for row in result["scaling"]:
        print(f"{row['monuments']} monuments: pack built cold with {row['pack_queries']} queries in "
              f"{row['pack_seconds']} s ({row['pack_files']} files); /api/v1/packs cold: "
              f"{row['list_queries_cold']} queries in {row['list_seconds_cold']} s")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "pack.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
