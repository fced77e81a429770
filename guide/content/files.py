"""Reading content/ files: parse and validate every one before anything is written."""

import hashlib
import tomllib
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from flask import current_app
from pydantic import BaseModel
from pydantic import ValidationError

from guide.content.schema import CodeEntry
from guide.content.schema import CodesFile
from guide.content.schema import MonumentFile
from guide.content.schema import SiteFile
from guide.content.schema import TourFile
from guide.media.services import MediaError
from guide.media.services import Probe
from guide.media.services import probe_audio
from guide.media.services import probe_image


class ContentError(Exception):
    """One or more content files are malformed or refused; nothing was written."""

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
class ParsedTour:
    path: Path
    data: TourFile
    source_hash: str


@dataclass
class ParsedSite:
    path: Path
    data: SiteFile
    source_hash: str
    monuments: list[ParsedMonument] = field(default_factory=list)
    # codes.toml, when the folder has one: every plaque of the site.
    codes_path: Path | None = None
    codes: list[CodeEntry] = field(default_factory=list)
    # tours/<slug>.toml, in file name order.
    tours: list[ParsedTour] = field(default_factory=list)


def read_content(root: Path) -> list[ParsedSite]:
    """Parse and check every file under root, or raise ContentError listing each problem."""
    if not root.is_dir():
        raise ContentError([f"{root}: not a folder"])
    problems: list[str] = []
    sites: list[ParsedSite] = []
    context = {"required_languages": current_app.config["REQUIRED_LANGUAGES"]}
    probes: dict[str, tuple[bytes, Probe]] = {}
    for site_dir in sorted(path for path in root.iterdir() if (path / "site.toml").is_file()):
        site_file = site_dir / "site.toml"
        site_data, raw = _parse(site_file, SiteFile, context, problems)
        if site_data is None:
            continue
        if site_data.slug != site_dir.name:
            problems.append(f"{site_file}: slug {site_data.slug!r} differs from its folder name")
        parsed_site = ParsedSite(site_file, site_data, hashlib.sha256(raw).hexdigest())
        for monument_dir in sorted(p for p in site_dir.iterdir() if (p / "monument.toml").is_file()):
            parsed = _read_monument(monument_dir, context, problems, probes)
            if parsed is not None:
                parsed_site.monuments.append(parsed)
        _read_codes(parsed_site, site_dir / "codes.toml", problems)
        _read_tours(parsed_site, site_dir / "tours", context, problems)
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


def _read_monument(monument_dir: Path, context: dict, problems: list[str],
                   probes: dict[str, tuple[bytes, Probe]]) -> ParsedMonument | None:
    path = monument_dir / "monument.toml"
    data, raw = _parse(path, MonumentFile, context, problems)
    if data is None:
        return None
    if data.slug != monument_dir.name:
        problems.append(f"{path}: slug {data.slug!r} differs from its folder name")
    media: dict[str, tuple[bytes, Probe]] = {}
    for relative, kind in data.media_files():
        target = (monument_dir / relative).resolve()
        if not target.is_relative_to(monument_dir.resolve()):
            problems.append(f"{path}: {relative}: points outside the monument's folder")
            continue
        if not target.is_file():
            problems.append(f"{path}: {relative}: file not found")
            continue
        blob = target.read_bytes()
        # The same bytes probe the same: a file many monuments share is decoded, and kept, once.
        key = f"{kind} {hashlib.sha256(blob).hexdigest()}"
        if key in probes:
            media[relative] = probes[key]
            continue
        try:
            media[relative] = probes[key] = (blob, probe_image(blob) if kind == "image" else probe_audio(blob))
        except MediaError as error:
            problems.append(f"{path}: {relative}: {error}")
    digest = hashlib.sha256(raw)
    for relative in sorted(media):
        digest.update(media[relative][1].sha256.encode())
    return ParsedMonument(path, data, media, digest.hexdigest())


def _read_codes(site: ParsedSite, path: Path, problems: list[str]) -> None:
    if not path.is_file():
        return
    parsed, _raw = _parse(path, CodesFile, {}, problems)
    if parsed is None:
        return
    site.codes_path, site.codes = path, parsed.codes
    slugs = {monument.data.slug: monument.data for monument in site.monuments}
    for entry in parsed.codes:
        monument_slug, _slash, stop_slug = (entry.target or "").partition("/")
        data = slugs.get(monument_slug)
        # A target outside the folder may still exist in the database; the loader checks that.
        if data is not None and stop_slug and stop_slug not in {stop.slug for stop in data.stops}:
            problems.append(f"{path}: code {entry.code}: {monument_slug} has no stop {stop_slug}")


def _read_tours(site: ParsedSite, folder: Path, context: dict, problems: list[str]) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.toml")):
        data, raw = _parse(path, TourFile, context, problems)
        if data is None:
            continue
        if data.slug != path.stem:
            problems.append(f"{path}: slug {data.slug!r} differs from its file name")
        site.tours.append(ParsedTour(path, data, hashlib.sha256(raw).hexdigest()))


def _duplicate_codes(sites: list[ParsedSite]) -> list[str]:
    problems = []
    codes: dict[str, tuple[Path, int]] = {}
    for site in sites:
        numbers: dict[int, tuple[Path, str]] = {}
        for monument in site.monuments:
            entries = [(monument.data.code, monument.data.number)]
            entries += [(stop.code, stop.number) for stop in monument.data.stops]
            for code, number in entries:
                if code in codes:
                    problems.append(f"{monument.path}: code {code} is also used in {codes[code][0]}")
                if number in numbers:
                    problems.append(f"{monument.path}: number {number} is also used in {numbers[number][0]}")
                codes[code] = (monument.path, number)
                numbers[number] = (monument.path, code)
        # codes.toml repeats the codes the monuments name: it must agree with them.
        for entry in site.codes:
            if entry.code in codes and codes[entry.code][1] != entry.number:
                problems.append(f"{site.codes_path}: code {entry.code} has number {codes[entry.code][1]} "
                                f"in {codes[entry.code][0]}")
            holder = numbers.get(entry.number)
            if holder is not None and holder[1] != entry.code:
                problems.append(f"{site.codes_path}: number {entry.number} is also used in {holder[0]}")
    return problems


