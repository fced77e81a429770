"""Write what visitors see back to files in the content format: the published revisions of live
sites and monuments, their media, and every plaque code of each site."""

import shutil
import tempfile
from pathlib import Path

import tomli_w
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from guide.codes.models import Code
from guide.content.schema import CodesFile
from guide.content.schema import MonumentFile
from guide.content.schema import SiteFile
from guide.content.schema import TourFile
from guide.extensions import db
from guide.media.models import MediaFile
from guide.media.services import read_media
from guide.media.storage import StorageError
from guide.monuments.models import Monument
from guide.publishing.models import Revision
from guide.sites.models import Site
from guide.timeutil import as_utc
from guide.tours.models import Tour


class ExportError(Exception):
    """The export cannot be written; nothing was."""


def export_content(root: Path, site_slug: str | None = None) -> list[Path]:
    """Write every live site (or one) under root; return the files written, in order."""
    query = select(Site).where(Site.live.is_(True), Site.published_revision_id.is_not(None))
    if site_slug is not None:
        query = query.where(Site.slug == site_slug)
    sites = list(db.session.scalars(query.order_by(Site.slug)))
    if site_slug is not None and not sites:
        raise ExportError(_("No published site has the slug %(slug)s.", slug=site_slug))
    taken = [root / site.slug for site in sites if (root / site.slug).exists()]
    if taken:
        raise ExportError(_("%(path)s already exists; export into an empty folder.", path=taken[0]))
    root.mkdir(parents=True, exist_ok=True)
    # Written aside, then moved in place: a failed export leaves nothing half written.
    staging = Path(tempfile.mkdtemp(dir=root, prefix=".export-"))
    try:
        staged: list[Path] = []
        for site in sites:
            staged += _export_site(staging / site.slug, site)
        for site in sites:
            (staging / site.slug).rename(root / site.slug)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [root / path.relative_to(staging) for path in staged]


def _export_site(folder: Path, site: Site) -> list[Path]:
    revision = db.session.get(Revision, site.published_revision_id)
    written = [_write(folder / "site.toml", _file_document(SiteFile, revision))]
    monuments = list(db.session.scalars(
        select(Monument)
        .where(Monument.site_id == site.id, Monument.live.is_(True), Monument.published_revision_id.is_not(None))
        .order_by(Monument.slug)
    ))
    for monument in monuments:
        written += _export_monument(folder / monument.slug, monument)
    codes = _codes_document(site, {monument.id for monument in monuments})
    if codes["codes"]:
        written.append(_write(folder / "codes.toml", codes))
    return written + _export_tours(folder / "tours", site, {monument.slug for monument in monuments})


def _export_tours(folder: Path, site: Site, exported: set[str]) -> list[Path]:
    """Write the site's live tours; a stop at a monument that is not exported is left out, as the page leaves it out."""
    written = []
    tours = db.session.scalars(
        select(Tour).where(Tour.site_id == site.id, Tour.live.is_(True), Tour.published_revision_id.is_not(None))
        .order_by(Tour.slug)
    )
    for tour in tours:
        revision = db.session.get(Revision, tour.published_revision_id)
        stops = [stop for stop in revision.data["stops"] if stop["monument"] in exported]
        if len(stops) < 2:
            # A route of one stop is no tour: the file would not load.
            continue
        data = {**revision.data, "stops": stops}
        written.append(_write(folder / f"{tour.slug}.toml", _file_document(TourFile, revision, data)))
    return written


def _export_monument(folder: Path, monument: Monument) -> list[Path]:
    revision = db.session.get(Revision, monument.published_revision_id)
    written = [_write(folder / "monument.toml", _file_document(MonumentFile, revision))]
    for relative, sha256 in revision.data["media"].items():
        media = db.session.get(MediaFile, sha256)
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            target.write_bytes(read_media(media))
        except (OSError, StorageError):
            raise ExportError(_("%(slug)s: the media file %(file)s is missing from the media folder.",
                                slug=monument.slug, file=media.filename)) from None
        written.append(target)
    return written


def _file_document(model, revision: Revision, data: dict | None = None) -> dict:
    """The revision's record (or data) as its file holds it: defaults left out, its time as `updated`."""
    body = {key: value for key, value in (data or revision.data).items() if key not in ("site", "media")}
    context = {"required_languages": current_app.config["REQUIRED_LANGUAGES"]}
    document = model.model_validate(body, context=context).model_dump(
        mode="json", exclude_defaults=True, exclude={"updated"}
    )
    return {"slug": document.pop("slug"), "updated": as_utc(revision.created_dt), **document}


def _codes_document(site: Site, exported: set[int]) -> dict:
    """Every code of the site whose target is exported (or none, once retired), by keypad number."""
    entries = []
    for code in db.session.scalars(select(Code).where(Code.site_id == site.id).order_by(Code.number)):
        monument = code.target_monument
        if monument is not None and monument.id not in exported:
            # Its monument is not published, so the file could not name it.
            continue
        entry = {"code": code.code, "number": code.number}
        if monument is not None:
            entry["target"] = f"{monument.slug}/{code.stop.slug}" if code.stop else monument.slug
        entry["created"] = as_utc(code.created_dt)
        if code.retired_dt is not None:
            entry["retired_at"] = as_utc(code.retired_dt)
        entries.append(entry)
    CodesFile.model_validate({"codes": entries})
    return {"codes": entries}


def _write(path: Path, document: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(document, multiline_strings=True), encoding="utf-8")
    return path
