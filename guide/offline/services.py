"""Offline packs of a site, the app shell the service worker keeps, and the web app manifest.

A pack lists every file a visitor needs on site with no network: each page in each
language, exactly as the server sends it, plus images, recordings and the app's own files,
each with its size and sha256. The browser stores a pack whole and updates it file by file.
"""

import hashlib
import json
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import asdict
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from babel import Locale
from flask import current_app
from flask import url_for
from flask_babel import gettext as _

from guide import published
from guide.caching import CachedBody
from guide.caching import cached_value
from guide.caching import collecting
from guide.caching import depends_on
from guide.caching import include_part
from guide.codes.models import Code
from guide.codes.services import MAX_NUMBER_DIGITS
from guide.codes.services import MAX_RAW_LENGTH
from guide.codes.services import MAX_TYPED_LENGTH
from guide.codes.services import code_pages
from guide.codes.services import code_query
from guide.encoding import to_json
from guide.extensions import db
from guide.fetching import PageError
from guide.fetching import fetch_page
from guide.fetching import in_language
from guide.fetching import page_request
from guide.i18n import current_language
from guide.i18n import languages
from guide.i18n import text_direction
from guide.media.models import MediaFile
from guide.media.services import offline_files
from guide.monuments.rendering import monument_page
from guide.monuments.rendering import stop_page
from guide.offline import store
from guide.offline.assets import asset_url
from guide.search.services import pack_index
from guide.sites.models import Site
from guide.sites.rendering import home_page
from guide.sites.rendering import site_page
from guide.text import french_typography
from guide.tours.rendering import tour_page
from guide.tours.services import site_tours

PACK_FORMAT = 1
MAX_CACHED_PACKS = 32
# App files every page loads, precached by the service worker and listed in every pack.
SHELL_FOLDERS = ("css", "js", "fonts")
SHELL_SUFFIXES = (".css", ".js", ".woff2", ".svg")
# The CMS's own files (curator*.css, curator*.js) are for curators online: never in a visitor's shell.
CMS_PREFIX = "curator"
ICON_FILES = ("icon-192.png", "icon-512.png", "maskable-512.png", "apple-touch-icon.png", "favicon-32.png")
# The in-app scanner's polyfill: not in the shell (it loads only when the scanner opens),
# but in every pack, so scanning works inside a monument with no signal.
SCANNER_FILES = ("vendor/barcode-detector/ponyfill.js", "vendor/barcode-detector/zxing-exported.js",
                 "vendor/zxing_reader.wasm")
# Self-hosted Arabic faces (npm, copied by `npm run vendor`): precached with the shell but
# outside its size budget. The stylesheet asks for them by plain URL, so they are cached so.
FONT_FOLDER = "vendor/fonts"


@dataclass(frozen=True, slots=True)
class PackFile:
    url: str
    bytes: int
    sha256: str
    type: str


def _static_file(path: str) -> tuple[str, Path]:
    return asset_url(path), Path(current_app.config["PWA_DIR"]) / path


def _file_entry(url: str, data: bytes, mimetype: str) -> PackFile:
    return PackFile(url, len(data), hashlib.sha256(data).hexdigest(), mimetype)


def _disk_entry(url: str, path: Path) -> PackFile:
    import mimetypes

    return _file_entry(url, path.read_bytes(), mimetypes.guess_type(path.name)[0] or "application/octet-stream")


def shell_asset_paths() -> list[str]:
    """List the app's own CSS, JS and font files, relative to pwa/."""
    root = Path(current_app.config["PWA_DIR"])
    found = []
    for folder in SHELL_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path.suffix in SHELL_SUFFIXES and not path.name.startswith(CMS_PREFIX):
                found.append(path.relative_to(root).as_posix())
    return found


def scanner_paths() -> list[str]:
    """List the scanner's vendor files that are installed (npm run vendor)."""
    root = Path(current_app.config["PWA_DIR"])
    return [path for path in SCANNER_FILES if (root / path).is_file()]


def font_paths() -> list[Path]:
    """List the vendored web fonts (npm run vendor)."""
    return sorted((Path(current_app.config["PWA_DIR"]) / FONT_FOLDER).glob("*.woff2"))


def font_urls() -> list[str]:
    """List the vendored web fonts under the plain URLs the stylesheet requests."""
    folder, _slash, rest = FONT_FOLDER.partition("/")
    return [url_for("offline.static", folder=folder, filename=f"{rest}/{path.name}") for path in font_paths()]


def site_pages(site: Site, langs: Iterable[str]) -> Iterator[tuple[str, Callable[[], CachedBody]]]:
    """List a site's pages in langs (home, site, monuments, stops, tours), each with what renders it.

    The renderers are the views' own and are given the objects already loaded, so a pack reads
    the site once, and each page is cached under the key its URL serves it from.
    """
    # Its walking tours too: read once, with the monuments they pass (the site's, already loaded).
    tours = site_tours(site)
    for lang in langs:
        yield url_for("sites.home_in", lang=lang), partial(home_page, lang)
        yield url_for("sites.site", lang=lang, slug=site.slug), partial(site_page, lang, site.slug, site, tours)
        for monument in site.monuments:
            yield (url_for("monuments.detail", lang=lang, slug=monument.slug),
                   partial(monument_page, lang, monument.slug, monument))
            for stop in monument.stops:
                yield (url_for("monuments.stop", lang=lang, slug=monument.slug, stop_slug=stop.slug),
                       partial(stop_page, lang, monument.slug, stop.slug, monument))
        for tour in tours:
            yield url_for("tours.detail", lang=lang, slug=tour.slug), partial(tour_page, lang, tour.slug, tour)


def _page_entry(url: str, render: Callable[[], CachedBody]) -> PackFile:
    with page_request(url), collecting() as used:
        entry = render()
    if entry.status != 200:
        raise PageError(f"{url} answered {entry.status}")
    # A page about every site (the home page) keeps the pack fresh while its bytes stay the same;
    # the others count by their site.
    include_part(used, partial(_page_digest, url, render), hashlib.sha256(entry.body).digest())
    return _file_entry(url, entry.body, entry.mimetype.partition(";")[0])


def _page_digest(url: str, render: Callable[[], CachedBody]) -> bytes:
    with page_request(url):
        return hashlib.sha256(render().body).digest()


def site_media(site: Site, langs: Iterable[str]) -> list[MediaFile]:
    """List the images (their WebP copies) and the recordings in langs that the site's pages use, each once."""
    langs = set(langs)
    seen: dict[str, MediaFile] = {}
    for monument in site.monuments:
        for owner in (monument, *monument.stops):
            for image in owner.images:
                for media in offline_files(image):
                    seen.setdefault(media.sha256, media)
            for lang, guide in owner.guides.items():
                if guide.audio is not None and lang in langs:
                    seen.setdefault(guide.audio.sha256, guide.audio)
    return list(seen.values())


def code_index(site: Site, langs: tuple[str, ...]) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Map each code in service to its page per language, and each keypad number to its code."""
    codes: dict[str, dict[str, str]] = {}
    numbers: dict[str, str] = {}
    # Their places are in the session already (site_bundle): only the rows are read here.
    for code in db.session.scalars(code_query().where(Code.site_id == site.id)):
        codes[code.code] = code_pages(code, langs)
        numbers[str(code.number)] = code.code
    return dict(sorted(codes.items())), dict(sorted(numbers.items(), key=lambda item: int(item[0])))


def pack_languages(requested: str | None) -> tuple[str, ...] | None:
    """Read a pack's ?lang= (one language or several, comma-separated); None when unknown.

    No parameter means every language, the full pack as it always was.
    """
    if requested is None:
        return languages()
    wanted = {part.strip() for part in requested.split(",") if part.strip()}
    if not wanted or not wanted <= set(languages()):
        return None
    return tuple(lang for lang in languages() if lang in wanted)


def build_pack(slug: str, langs: tuple[str, ...] | None = None) -> dict | None:
    """Describe the offline pack of a site in langs (all by default), or None for no such site."""
    site = published.site_bundle(slug)
    if site is None:
        return None
    langs = langs or languages()
    files = [_page_entry(url, render) for url, render in site_pages(site, langs)]
    files.extend(PackFile(url_for("media.serve", filename=media.filename), media.size, media.sha256,
                          media.mimetype) for media in site_media(site, langs))
    for path in (*shell_asset_paths(), *scanner_paths()):
        files.append(_disk_entry(*_static_file(path)))
    codes, numbers = code_index(site, langs)
    listing = "\n".join(f"{entry.url} {entry.sha256}" for entry in files)
    return {
        "format": PACK_FORMAT,
        "site": site.slug,
        "version": hashlib.sha256(listing.encode()).hexdigest()[:20],
        "names": {lang: text.name for lang, text in site.texts.items()},
        "languages": list(langs),
        "default_language": current_app.config["DEFAULT_LANGUAGE"],
        "bytes": sum(entry.bytes for entry in files),
        "files": [asdict(entry) for entry in files],
        "codes": codes,
        "numbers": numbers,
        # Every language's words, whatever pages the pack holds: visitors type in either.
        "search": pack_index(site.monuments, languages()),
    }


def get_pack(slug: str, langs: tuple[str, ...] | None = None) -> dict | None:
    """Return a site's pack, built once per version of the site and languages in this worker."""

    name = store.pack_name(slug, langs or languages())

    def build() -> dict | None:
        # Another worker or server may have built it for this very content: no site is declared,
        # so this copy is dropped at any site's change, as its key in the store is.
        shared = store.recall(name)
        if shared is not None:
            return json.loads(shared)
        depends_on(slug)
        made = build_pack(slug, langs)
        if made is not None:
            store.remember(name, to_json(made))
        return made

    # Unknown slugs are not kept: anyone could fill the cache with them.
    return cached_value("dalil_packs", MAX_CACHED_PACKS, (slug, langs or languages()), build)


@dataclass(frozen=True, slots=True)
class BuiltPack:
    site: str
    languages: tuple[str, ...]
    files: int
    bytes: int
    seconds: float


def build_packs(site_slug: str | None = None) -> Iterator[BuiltPack]:
    """Build each site's packs (every language, then each language alone) into the shared store.

    A large site's pack takes minutes to render: built here, after a load or a publication, it is
    ready for every server before a visitor asks. Raises LookupError for an unknown site.
    """
    slugs = [site.slug for site in published.sites_with_monuments()]
    if site_slug is not None:
        if site_slug not in slugs:
            raise LookupError(site_slug)
        slugs = [site_slug]
    every = languages()
    for slug in slugs:
        for langs in (every, *((lang,) for lang in every if len(every) > 1)):
            started = time.perf_counter()
            pack = get_pack(slug, langs)
            yield BuiltPack(slug, langs, len(pack["files"]), pack["bytes"], time.perf_counter() - started)


def pack_summaries() -> list[dict]:
    """Give each site's pack version and size, for the offline-guides screen and update checks.

    One query names the sites; each summary is kept until its site's content changes, so the
    list builds only the packs of sites that changed since it was last asked for.
    """
    listed = []
    for site in published.sites_with_monuments():
        summary = cached_value("dalil_pack_summaries", MAX_CACHED_PACKS, (site.slug,),
                               partial(_pack_summary, site.slug))
        listed.append(summary | {"url": url_for("offline.pack", slug=site.slug)})
    return listed


def _pack_summary(slug: str) -> dict:
    pack = get_pack(slug)
    return {name: pack[name] for name in ("site", "version", "bytes", "names")}


def codes_document() -> dict:
    """Index every plaque code of a place visitors may see, retired ones too: site, name, pages.

    Small enough to keep in the app from the first visit, so that an offline scan of a real
    plaque names it even when its site is not saved.
    """
    sites: dict[str, dict[str, str]] = {}
    codes: dict[str, dict] = {}
    for code in published.load_code_targets(code_query(in_service=False).order_by(Code.code)):
        monument = code.target_monument
        site = monument.site
        sites.setdefault(site.slug, {lang: text.name for lang, text in sorted(site.texts.items())})
        texts = code.stop.texts if code.stop is not None else monument.texts
        names = {lang: text.title if code.stop is not None else text.name for lang, text in texts.items()}
        codes[code.code] = {"site": site.slug, "names": dict(sorted(names.items())), "pages": code_pages(code),
                            "retired": code.is_retired}
    # No version field: an edit that leaves every code's names alone leaves this file (and with it
    # the service worker's build) unchanged.
    return {"sites": sites, "codes": codes}


def shell_urls() -> list[str]:
    """List what the service worker precaches: offline pages, code index, app files, icons, manifest."""
    urls = [url_for("offline.codes")]
    for lang in languages():
        urls.append(url_for("offline.saved", lang=lang))
        urls.append(url_for("offline.not_saved", lang=lang))
        urls.append(url_for("offline.unknown_code", lang=lang))
        urls.append(url_for("offline.known_code", lang=lang))
        urls.append(url_for("offline.retired_code", lang=lang))
        # The empty search page: offline, pwa/js/search.js fills it from the saved packs.
        urls.append(url_for("search.page", lang=lang))
    urls.extend(_static_file(path)[0] for path in shell_asset_paths())
    urls.extend(_static_file(f"icons/{name}")[0] for name in ICON_FILES)
    urls.extend(font_urls())
    urls.append(url_for("offline.manifest"))
    return urls


def shell_build(sw_source: bytes) -> str:
    """Hash what the shell holds but the code index, so such a change makes a new service worker."""
    digest = hashlib.sha256(sw_source)
    root = Path(current_app.config["PWA_DIR"])
    codes = url_for("offline.codes")
    for url in shell_urls():
        digest.update(url.encode())
        if url.startswith("/static/"):
            continue  # a ?v= fingerprint names its bytes; icons and fonts are read below
        if url == codes:
            continue  # precached, but the worker refreshes it itself: a name edit needs no new shell
        digest.update(fetch_page(url)[0])
    for path in [root / "icons" / name for name in ICON_FILES] + font_paths():
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def sw_script(sw_source: bytes, rules_source: bytes = b"") -> bytes:
    """Prefix the hand-written worker with its settings and the rules it shares with the server."""
    settings = {
        "BUILD": shell_build(rules_source + sw_source),
        "SHELL": shell_urls(),
        "CODES_URL": url_for("offline.codes"),
        "LANGUAGES": list(languages()),
        "DEFAULT_LANGUAGE": current_app.config["DEFAULT_LANGUAGE"],
        # The keypad reads a typed entry offline exactly as guide/codes does online.
        "ENTRY_LIMITS": {"typed": MAX_TYPED_LENGTH, "raw": MAX_RAW_LENGTH, "digits": MAX_NUMBER_DIGITS},
        "NOT_SAVED": not_saved_lines(),
    }
    preamble = "".join(f"const {name} = {json.dumps(value)};\n" for name, value in settings.items())
    return preamble.encode() + rules_source + b"\n" + sw_source


def language_names(lang: str) -> dict[str, str]:
    """Name each enabled language in lang, with Babel, as labels like "Only in Arabic" need."""
    names = Locale.parse(lang).languages
    return {code: names.get(code, code) for code in languages()}


def not_saved_lines() -> dict[str, str]:
    """Say "not saved on this phone" in each language, for the worker's last resort offline."""
    lines = {}
    for lang in languages():
        with in_language(lang):
            lines[lang] = french_typography(_("Not saved on this phone"), lang)
    return lines


def manifest_document() -> dict:
    """Describe the installable app: one manifest for every language, with localized names."""
    default = current_app.config["DEFAULT_LANGUAGE"]
    names = {}
    for lang in languages():
        with in_language(lang):
            names[lang] = {
                "name": _("Dalil, the heritage guide"),
                "short_name": _("Dalil"),
                "description": _("A bilingual guide to the historic buildings of Morocco's cities."),
            }
    def localized(key: str) -> dict:
        return {lang: {"value": values[key], "dir": text_direction(lang)} for lang, values in names.items()}

    def icon(name: str, size: int, purpose: str) -> dict:
        return {"src": _static_file(f"icons/{name}")[0], "sizes": f"{size}x{size}", "type": "image/png",
                "purpose": purpose}

    # Browsers without name_localized show the base name: both scripts, so everyone reads it.
    brand = " · ".join(dict.fromkeys(values["short_name"] for values in names.values()))
    return {
        "id": "/",
        "scope": "/",
        "start_url": "/?source=pwa",
        "display": "standalone",
        "lang": default,
        "dir": text_direction(default),
        "name": brand,
        "short_name": brand,
        "description": names[default]["description"],
        "name_localized": localized("name"),
        "short_name_localized": localized("short_name"),
        "description_localized": localized("description"),
        "theme_color": "#7a2e1d",
        "background_color": "#f6efe3",
        "categories": ["travel", "education"],
        "icons": [
            icon("icon-192.png", 192, "any"),
            icon("icon-512.png", 512, "any"),
            icon("maskable-512.png", 512, "maskable"),
        ],
    }


def client_strings() -> dict:
    """Return the offline controls' texts in the current language, for the page's scripts."""
    # Scripts insert these as text, after the page's own typography pass: apply it here.
    lang = current_language()
    return {key: french_typography(value, lang) for key, value in _client_strings().items()}


def _client_strings() -> dict:
    return {
        "download": _("Download (%(size)s)"),
        "save": _("Save %(site)s for offline use (%(size)s)"),
        "downloading": _("Downloading… %(percent)s"),
        "left": _("%(size)s left"),
        "check_update": _("Check for updates"),
        "add_language": _("Add %(language)s (%(size)s)"),
        "only_language": _("Only in %(language)s (%(size)s)"),
        "both_languages": _("Both languages (%(size)s)"),
        "all_languages": _("All languages (%(size)s)"),
        "confirm_delete": _("Delete %(site)s from this phone? Saving it again will need a connection."),
        "saved": _("Saved on this phone (%(size)s)"),
        "update": _("Update (%(size)s)"),
        "resume": _("Resume the download"),
        "delete": _("Delete"),
        "deleted": _("Deleted from this phone."),
        "checking": _("Checking…"),
        "no_space": _("Not enough free space: %(needed)s needed, %(free)s free."),
        "interrupted": _("The download was interrupted. Tap to resume it."),
        "changed": _("The guide changed during the download. Tap to download the new version."),
        "offline": _("You are offline: connect to the internet to download this guide."),
        "up_to_date": _("This guide is up to date."),
        "updated": _("Update complete. Files downloaded: %(count)s."),
        "storage": _("Used on this phone: %(used)s"),
        "new_version": _("A new version of Dalil is ready."),
        "reload": _("Reload"),
        "scan_hint": _("Point the camera at the QR code on the plaque."),
        "no_camera": _("The camera is not available. Type the code printed under the QR code instead."),
        "not_a_plaque": _("This QR code is not a Dalil plaque."),
        "speed": _("Speed"),
        "start_over": _("Start over"),
        "resumed": _("Resumed at %(time)s."),
        "read_aloud": _("Read aloud"),
        "pause": _("Pause"),
        "resume_reading": _("Resume"),
        "stop_reading": _("Stop"),
        "no_voice": _("This device has no voice for this language."),
    }
