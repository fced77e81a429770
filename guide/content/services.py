"""Read content/ into the database: validate every file first, then write in one go."""

import hashlib
import tomllib
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from flask import current_app
from pydantic import BaseModel
from pydantic import ValidationError
from sqlalchemy import select

from guide.codes.models import Code
from guide.codes.services import assign_code
from guide.content.schema import GuideEntry
from guide.content.schema import ImageEntry
from guide.content.schema import MonumentFile
from guide.content.schema import SiteFile
from guide.extensions import db
from guide.guides.models import Guide
from guide.media.models import Image
from guide.media.models import ImageText
from guide.media.services import MediaError
from guide.media.services import Probe
from guide.media.services import probe_audio
from guide.media.services import probe_image
from guide.media.services import store_media
from guide.monuments.models import Monument
from guide.monuments.models import MonumentText
from guide.monuments.models import Stop
from guide.monuments.models import StopText
from guide.sites.models import Site
from guide.sites.models import SiteText
from guide.timeutil import now_utc


class ContentError(Exception):
    """One or more content files are malformed; nothing was written."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ParsedMonument:
    path: Path
    data: MonumentFile
    media: dict[str, tuple[bytes, Probe]]
    source_hash: str


@dataclass
class ParsedSite:
    path: Path
    data: SiteFile
    source_hash: str
    monuments: list[ParsedMonument] = field(default_factory=list)


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def load_content(root: Path) -> LoadReport:
    """Validate the whole content folder, then create or update what changed; caller commits."""
    sites = read_content(root)
    check_codes_against_database(sites)
    report = LoadReport()
    for parsed_site in sites:
        site = _apply_site(parsed_site, report)
        for parsed_monument in parsed_site.monuments:
            _apply_monument(site, parsed_monument, report)
    db.session.flush()
    return report


def read_content(root: Path) -> list[ParsedSite]:
    """Parse and check every file under root, or raise ContentError listing each problem."""
    if not root.is_dir():
        raise ContentError([f"{root}: not a folder"])
    problems: list[str] = []
    sites: list[ParsedSite] = []
    context = {"required_languages": current_app.config["REQUIRED_LANGUAGES"]}
    for site_dir in sorted(path for path in root.iterdir() if (path / "site.toml").is_file()):
        site_file = site_dir / "site.toml"
        site_data, raw = _parse(site_file, SiteFile, context, problems)
        if site_data is None:
            continue
        if site_data.slug != site_dir.name:
            problems.append(f"{site_file}: slug {site_data.slug!r} differs from its folder name")
        parsed_site = ParsedSite(site_file, site_data, hashlib.sha256(raw).hexdigest())
        for monument_dir in sorted(p for p in site_dir.iterdir() if (p / "monument.toml").is_file()):
            parsed = _read_monument(monument_dir, context, problems)
            if parsed is not None:
                parsed_site.monuments.append(parsed)
        sites.append(parsed_site)
    if not sites and not problems:
        problems.append(f"{root}: no <site>/site.toml found")
    problems.extend(_duplicate_codes(sites))
    if problems:
        raise ContentError(problems)
    return sites


def _parse(path: Path, model: type[BaseModel], context: dict, problems: list[str]):
    raw = path.read_bytes()
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        problems.append(f"{path}: not valid UTF-8 TOML: {error}")
        return None, raw
    try:
        return model.model_validate(document, context=context), raw
    except ValidationError as error:
        for detail in error.errors():
            where = ".".join(str(part) for part in detail["loc"]) or "(file)"
            problems.append(f"{path}: {where}: {detail['msg']}")
        return None, raw


def _read_monument(monument_dir: Path, context: dict, problems: list[str]) -> ParsedMonument | None:
    path = monument_dir / "monument.toml"
    data, raw = _parse(path, MonumentFile, context, problems)
    if data is None:
        return None
    if data.slug != monument_dir.name:
        problems.append(f"{path}: slug {data.slug!r} differs from its folder name")
    media: dict[str, tuple[bytes, Probe]] = {}
    for relative, kind in _media_references(data):
        target = (monument_dir / relative).resolve()
        if not target.is_relative_to(monument_dir.resolve()):
            problems.append(f"{path}: {relative}: points outside the monument's folder")
            continue
        if not target.is_file():
            problems.append(f"{path}: {relative}: file not found")
            continue
        blob = target.read_bytes()
        try:
            media[relative] = (blob, probe_image(blob) if kind == "image" else probe_audio(blob))
        except MediaError as error:
            problems.append(f"{path}: {relative}: {error}")
    digest = hashlib.sha256(raw)
    for relative in sorted(media):
        digest.update(media[relative][1].sha256.encode())
    return ParsedMonument(path, data, media, digest.hexdigest())


def _media_references(data: MonumentFile):
    images: list[ImageEntry] = [*([data.cover] if data.cover else []), *data.gallery]
    guides: list[GuideEntry] = list(data.guides)
    for stop in data.stops:
        images.extend([stop.image] if stop.image else [])
        guides.extend(stop.guides)
    for image in images:
        yield image.file, "image"
    for guide in guides:
        if guide.audio:
            yield guide.audio, "audio"


def _duplicate_codes(sites: list[ParsedSite]) -> list[str]:
    problems = []
    codes: dict[str, Path] = {}
    for site in sites:
        numbers: dict[int, Path] = {}
        for monument in site.monuments:
            entries = [(monument.data.code, monument.data.number)]
            entries += [(stop.code, stop.number) for stop in monument.data.stops]
            for code, number in entries:
                if code in codes:
                    problems.append(f"{monument.path}: code {code} is also used in {codes[code]}")
                if number in numbers:
                    problems.append(f"{monument.path}: number {number} is also used in {numbers[number]}")
                codes[code] = monument.path
                numbers[number] = monument.path
    return problems


def check_codes_against_database(sites: list[ParsedSite]) -> None:
    """Refuse codes that were retired, and numbers another plaque already carries."""
    problems = []
    for site in sites:
        site_row = db.session.scalar(select(Site).where(Site.slug == site.data.slug))
        for monument in site.monuments:
            entries = [(monument.data.code, monument.data.number)]
            entries += [(stop.code, stop.number) for stop in monument.data.stops]
            for code, number in entries:
                existing = db.session.get(Code, code)
                if existing is not None and existing.is_retired:
                    problems.append(f"{monument.path}: code {code} was retired and cannot be reused")
                if site_row is not None:
                    holder = db.session.scalar(
                        select(Code.code).where(Code.site_id == site_row.id, Code.number == number)
                    )
                    if holder is not None and holder != code:
                        problems.append(f"{monument.path}: number {number} already belongs to code {holder}")
    if problems:
        raise ContentError(problems)


def _apply_site(parsed: ParsedSite, report: LoadReport) -> Site:
    data = parsed.data
    site = db.session.scalar(select(Site).where(Site.slug == data.slug))
    label = f"site {data.slug}"
    if site is not None and site.source_hash == parsed.source_hash:
        report.unchanged.append(label)
        return site
    if site is None:
        site = Site(slug=data.slug)
        db.session.add(site)
        report.created.append(label)
    else:
        report.updated.append(label)
    site.position = data.position
    site.latitude, site.longitude = data.latitude, data.longitude
    site.source_hash = parsed.source_hash
    site.state, site.live = "published", True
    site.updated_dt = now_utc()
    _sync_texts(
        site.texts,
        {lang: {"name": data.name[lang], "description": data.description.get(lang, "")} for lang in data.name},
        SiteText,
    )
    return site


def _apply_monument(site: Site, parsed: ParsedMonument, report: LoadReport) -> None:
    data = parsed.data
    monument = db.session.scalar(select(Monument).where(Monument.slug == data.slug))
    label = f"monument {data.slug}"
    if monument is not None and monument.source_hash == parsed.source_hash and monument.site_id == site.id:
        report.unchanged.append(label)
        return
    if monument is None:
        monument = Monument(slug=data.slug, site=site)
        db.session.add(monument)
        report.created.append(label)
    else:
        report.updated.append(label)
    monument.site = site
    monument.position = data.number
    monument.year_start, monument.year_end = data.year_start, data.year_end
    monument.latitude, monument.longitude = data.latitude, data.longitude
    monument.access, monument.wikidata = data.access, data.wikidata
    monument.source_hash = parsed.source_hash
    monument.state, monument.live = "published", True
    monument.updated_dt = now_utc()
    _sync_texts(monument.texts, {lang: text.model_dump() for lang, text in data.text.items()}, MonumentText)

    monument.images.clear()
    if data.cover:
        monument.images.append(_image(data.cover, "cover", 0, parsed.media))
    for position, entry in enumerate(data.gallery):
        monument.images.append(_image(entry, "gallery", position, parsed.media))
    _sync_guides(monument.guides, data.guides, parsed.media)
    db.session.flush()

    _sync_stops(monument, parsed)
    assign_code(data.code, data.number, site, monument=monument)


def _sync_stops(monument: Monument, parsed: ParsedMonument) -> None:
    by_slug = {stop.slug: stop for stop in monument.stops}
    wanted = {entry.slug for entry in parsed.data.stops}
    for slug, stop in by_slug.items():
        if slug not in wanted:
            # The plaque of a removed stop stays valid: it now leads to the monument.
            for code in list(stop.codes):
                assign_code(code.code, code.number, code.site, monument=monument)
            monument.stops.remove(stop)
    db.session.flush()
    for position, entry in enumerate(parsed.data.stops):
        stop = by_slug.get(entry.slug)
        if stop is None or stop not in monument.stops:
            stop = Stop(slug=entry.slug)
            monument.stops.append(stop)
        stop.position = position
        _sync_texts(stop.texts, {lang: text.model_dump() for lang, text in entry.text.items()}, StopText)
        stop.images.clear()
        if entry.image:
            stop.images.append(_image(entry.image, "stop", 0, parsed.media))
        _sync_guides(stop.guides, entry.guides, parsed.media)
        db.session.flush()
        assign_code(entry.code, entry.number, monument.site, stop=stop)


def _image(entry: ImageEntry, role: str, position: int, media: dict) -> Image:
    blob, probe = media[entry.file]
    image = Image(role=role, position=position, media=store_media(blob, probe))
    for lang, alt in entry.alt.items():
        image.texts[lang] = ImageText(lang=lang, alt=alt, credit=entry.credit.get(lang, ""))
    return image


def _sync_guides(guides: dict[str, Guide], entries: list[GuideEntry], media: dict) -> None:
    for lang in [lang for lang in guides if lang not in {entry.lang for entry in entries}]:
        del guides[lang]
    for entry in entries:
        guide = guides.get(entry.lang) or Guide(lang=entry.lang)
        guide.transcript, guide.narrator = entry.transcript, entry.narrator
        guide.spoken, guide.timings = entry.spoken, entry.timings
        guide.audio = store_media(*media[entry.audio]) if entry.audio else None
        guides[entry.lang] = guide


def _sync_texts(texts: dict, values: dict[str, dict], model) -> None:
    """Make the per-language rows equal values, updating rows in place."""
    for lang in [lang for lang in texts if lang not in values]:
        del texts[lang]
    for lang, fields in values.items():
        row = texts.get(lang)
        if row is None:
            texts[lang] = model(lang=lang, **fields)
        else:
            for name, value in fields.items():
                setattr(row, name, value)
