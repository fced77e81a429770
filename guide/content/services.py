"""Import content/ into the database: validate every file, refuse what would overwrite a database
edit, then save and publish revisions of what changed, all or nothing."""

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import or_
from sqlalchemy import select

from guide.codes.models import Code
from guide.codes.services import assign_code
from guide.codes.services import code_document
from guide.codes.services import retire_code
from guide.content.files import ContentError
from guide.content.files import ParsedMonument
from guide.content.files import ParsedSite
from guide.content.files import ParsedTour
from guide.content.files import read_content
from guide.content.schema import CodeEntry
from guide.content.schema import code_entries
from guide.extensions import db
from guide.media.services import store_media
from guide.monuments.models import Monument
from guide.monuments.models import Stop
from guide.monuments.services import get_stop
from guide.publishing.models import Revision
from guide.publishing.services import find_record
from guide.publishing.services import publish
from guide.publishing.services import save
from guide.sites.models import Site
from guide.timeutil import as_utc
from guide.tours.services import unknown_monuments

__all__ = ["ContentError", "LoadReport", "load_content", "read_content"]


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


@dataclass
class CodeStep:
    """A codes.toml entry the import makes true."""

    entry: CodeEntry
    site: str
    author: str
    # The code did not exist before this import: it takes the file's creation time.
    new: bool


@dataclass
class Step:
    """What the import does with one file's record: create, update, record a baseline, or nothing."""

    kind: str
    key: str
    path: Path
    author: str
    document: dict
    source_hash: str
    updated: datetime | None
    record: Site | Monument | None
    action: str = "unchanged"
    # A monument's media files, stored before its revision names them.
    media: dict = field(default_factory=dict)


def load_content(root: Path, overwrite: bool = False, draft: bool = False) -> LoadReport:
    """Import the content folder: all or nothing, refusing database edits unless overwrite; caller commits."""
    sites = read_content(root)
    steps, code_steps = plan_import(root, sites, overwrite)
    report = LoadReport()
    for step in steps:
        _apply(step, draft, report)
    for code_step in code_steps:
        _apply_code_entry(code_step, report)
    db.session.flush()
    return report


def _author(root: Path, path: Path) -> str:
    return f"import {path.resolve().relative_to(root.resolve().parent).as_posix()}"


def plan_import(root: Path, sites: list[ParsedSite], overwrite: bool):
    """Decide what each file does, without writing; raise ContentError for refusals and code clashes."""
    steps: list[Step] = []
    code_steps: list[CodeStep] = []
    problems: list[str] = []
    for parsed in sites:
        site_step = _site_step(root, parsed)
        steps.append(site_step)
        for monument in parsed.monuments:
            steps.append(_monument_step(root, parsed, monument, site_step.record))
        code_steps += _code_steps(root, parsed, overwrite, problems)
        for tour in parsed.tours:
            steps.append(_tour_step(root, parsed, tour, site_step.record))
            problems += _tour_problems(parsed, tour, site_step.record)
    # What each monument file of this import names: a code may move away from a monument whose
    # file gives it up in the same import.
    claims = {step.key: set(code_entries(step.document)) for step in steps if step.kind == "monument"}
    for step in steps:
        problems += _refusals(step, overwrite) + _code_problems(step, claims)
    if problems:
        raise ContentError(problems)
    return steps, code_steps


def _site_step(root: Path, parsed: ParsedSite) -> Step:
    document = parsed.data.model_dump(mode="json", exclude={"updated"})
    record = find_record("site", parsed.data.slug)
    step = Step("site", parsed.data.slug, parsed.path, _author(root, parsed.path), document,
                parsed.source_hash, parsed.data.updated, record)
    step.action = _action(record, parsed.source_hash, record is not None)
    return step


def _monument_step(root: Path, site: ParsedSite, parsed: ParsedMonument, site_row: Site | None) -> Step:
    media = {relative: probe.sha256 for relative, (_blob, probe) in parsed.media.items()}
    document = {"site": site.data.slug, **parsed.data.model_dump(mode="json", exclude={"updated"}),
                "media": dict(sorted(media.items()))}
    record = find_record("monument", parsed.data.slug)
    step = Step("monument", parsed.data.slug, parsed.path, _author(root, parsed.path), document,
                parsed.source_hash, parsed.data.updated, record)
    same_site = record is not None and site_row is not None and record.site_id == site_row.id
    step.action = _action(record, parsed.source_hash, same_site)
    step.media = parsed.media
    return step


def _tour_step(root: Path, site: ParsedSite, parsed: ParsedTour, site_row: Site | None) -> Step:
    document = {"site": site.data.slug, **parsed.data.model_dump(mode="json", exclude={"updated"})}
    record = find_record("tour", parsed.data.slug)
    step = Step("tour", parsed.data.slug, parsed.path, _author(root, parsed.path), document,
                parsed.source_hash, parsed.data.updated, record)
    same_site = record is not None and site_row is not None and record.site_id == site_row.id
    # A tour that changes site is refused (_tour_problems); same_site only decides "unchanged".
    step.action = _action(record, parsed.source_hash, same_site)
    return step


def _tour_problems(site: ParsedSite, parsed: ParsedTour, site_row: Site | None) -> list[str]:
    """Refuse stops naming no monument of the tour's site (in its folder or the database), and a tour that changes site."""
    in_files = {monument.data.slug for monument in site.monuments}
    slugs = [stop.monument for stop in parsed.data.stops if stop.monument not in in_files]
    problems = [f"{parsed.path}: stops: no monument {slug} in the site {site.data.slug}"
                for slug in unknown_monuments(site_row, slugs)]
    record = find_record("tour", parsed.data.slug)
    if record is not None and site_row is not None and record.site_id != site_row.id:
        problems.append(f"{parsed.path}: the tour {parsed.data.slug} belongs to another site")
    return problems


def _action(record, source_hash: str, same_place: bool) -> str:
    if record is None:
        return "created"
    unchanged = record.source_hash == source_hash and same_place
    if record.head_revision_id is None:
        # A record from before revisions existed: its file becomes its first revision.
        return "baseline" if unchanged else "updated"
    if unchanged and record.head_revision_id == record.imported_revision_id != record.published_revision_id:
        # Imported with --draft and untouched since: a load without --draft publishes it.
        return "publish"
    return "unchanged" if unchanged else "updated"


def _refusals(step: Step, overwrite: bool) -> list[str]:
    record = step.record
    if overwrite or step.action != "updated" or record.head_revision_id is None:
        return []
    if record.head_revision_id != record.imported_revision_id:
        head = db.session.get(Revision, record.head_revision_id)
        if head.data == step.document:
            # The file says what the database holds (an export made after the edit): nothing is lost.
            return []
        return [_("%(path)s: changed in the database since its last import (revision %(number)d by "
                  "%(author)s); load with --overwrite to replace it with this file",
                  path=step.path, number=head.number, author=head.author)]
    return [
        _("%(path)s: plaque %(code)s was changed in the database since its last import; load with "
          "--overwrite to replace it with this file", path=step.path, code=code.code)
        for code in _changed_codes(step) if code.head_revision_id != code.imported_revision_id
    ]


def _changed_entries(step: Step) -> dict[str, tuple[int, str | None]]:
    """The plaque entries the file changes from the published record: those publishing assigns."""
    if step.kind != "monument":
        return {}
    published = db.session.get(Revision, step.record.published_revision_id or 0) if step.record else None
    before = code_entries(published.data if published else None)
    return {code: entry for code, entry in code_entries(step.document).items() if before.get(code) != entry}


def _changed_codes(step: Step) -> list[Code]:
    rows = [db.session.get(Code, code) for code in _changed_entries(step)]
    return [row for row in rows if row is not None]


def _code_problems(step: Step, claims: dict[str, set[str]]) -> list[str]:
    """Refuse retired codes, codes of another place and numbers another plaque carries, for the entries the file changes."""
    if step.kind != "monument" or step.action not in ("created", "updated"):
        return []
    problems = []
    site = find_record("site", step.document["site"])
    for code, (number, _stop) in _changed_entries(step).items():
        existing = db.session.get(Code, code)
        if existing is not None and existing.is_retired:
            problems.append(f"{step.path}: code {code} was retired and cannot be reused")
        owner = existing.target_monument if existing is not None else None
        if existing is not None and existing.site.slug != step.document["site"]:
            # A printed plaque stays in its city: its keypad number is only unique there.
            problems.append(f"{step.path}: code {code} is a plaque of another site")
        elif owner is not None and owner.slug != step.key and code in claims.get(owner.slug, {code}):
            problems.append(f"{step.path}: code {code} already leads to {owner.slug}; take it out of "
                            "that monument's file first")
        if site is not None:
            holder = db.session.scalar(select(Code.code).where(Code.site_id == site.id, Code.number == number))
            if holder is not None and holder != code:
                problems.append(f"{step.path}: number {number} already belongs to code {holder}")
    return problems


def _code_steps(root: Path, parsed: ParsedSite, overwrite: bool, problems: list[str]) -> list[CodeStep]:
    steps = []
    in_files = {monument.data.slug for monument in parsed.monuments}
    for entry in parsed.codes:
        row = db.session.get(Code, entry.code)
        target = (entry.target or "").partition("/")[0]
        if target and target not in in_files and find_record("monument", target) is None:
            problems.append(f"{parsed.codes_path}: code {entry.code}: no monument {target}")
            continue
        wanted = _entry_document(entry, parsed.data.slug)
        if row is not None and (code_document(row) == wanted or _imported(row) == wanted):
            # Already so, or the file still says what was last imported: the database's word stands.
            continue
        if row is not None and row.head_revision_id != row.imported_revision_id and not overwrite:
            problems.append(_("%(path)s: plaque %(code)s was changed in the database since its last "
                              "import; load with --overwrite to replace it with this file",
                              path=parsed.codes_path, code=entry.code))
        elif row is not None and row.is_retired and entry.retired_at is None:
            problems.append(f"{parsed.codes_path}: code {entry.code} was retired and cannot be reused")
        else:
            steps.append(CodeStep(entry, parsed.data.slug, _author(root, parsed.codes_path), row is None))
    return steps


def _imported(row: Code) -> dict | None:
    revision = db.session.get(Revision, row.imported_revision_id or 0)
    return revision.data if revision else None


def _entry_document(entry: CodeEntry, site_slug: str) -> dict:
    monument, _slash, stop = (entry.target or "").partition("/")
    return {"code": entry.code, "site": site_slug, "number": entry.number, "monument": monument or None,
            "stop": stop or None, "retired_at": as_utc(entry.retired_at).isoformat() if entry.retired_at else None}


def _apply(step: Step, draft: bool, report: LoadReport) -> None:
    label = f"{step.kind} {step.key}"
    if step.action == "unchanged" or (step.action == "publish" and draft):
        report.unchanged.append(label)
        return
    if step.action == "publish":
        publish(step.kind, step.key, author=step.author)
        report.updated.append(label)
        return
    if step.kind == "monument":
        for blob, probe in step.media.values():
            store_media(blob, probe)
    site_slug = step.document.get("site", step.key)
    heads = _code_heads(site_slug, step)
    if step.action == "baseline":
        _baseline(step)
        report.unchanged.append(label)
    else:
        changed = _save(step)
        if changed and not draft:
            publish(step.kind, step.key, author=step.author)
        (report.created if step.action == "created" else report.updated if changed else report.unchanged).append(label)
    record = find_record(step.kind, step.key)
    record.source_hash = step.source_hash
    record.imported_revision_id = record.head_revision_id
    _mark_codes_imported(site_slug, heads, step)


def _save(step: Step) -> bool:
    """Save the file's record as a new revision unless the head already says the same."""
    record = step.record
    head = db.session.get(Revision, record.head_revision_id or 0) if record else None
    if head is not None and head.data == step.document and record.published_revision_id == head.id:
        return False
    if head is not None and head.data == step.document:
        return True
    save(step.kind, step.key, step.document, head.id if head else None, step.author,
         created_dt=_version_time(step.updated, head))
    return True


def _version_time(updated: datetime | None, head: Revision | None) -> datetime | None:
    # A file's `updated` (written by export) keeps a version's time across a round trip; it only
    # ever moves a record's time forward.
    if updated is None or (head is not None and updated <= as_utc(head.created_dt)):
        return None
    return updated


def _baseline(step: Step) -> None:
    record = step.record
    revision = save(step.kind, step.key, step.document, None, step.author,
                    created_dt=step.updated or as_utc(record.updated_dt))
    record.published_revision_id = revision.id
    record.state = "published"


def _site_codes(site_slug: str):
    return select(Code).join(Site, Site.id == Code.site_id).where(Site.slug == site_slug)


def _step_codes(site_slug: str, step: Step):
    """The plaques applying this step may change: a monument's file's codes and those leading to it or its stops."""
    if step.kind != "monument":
        return _site_codes(site_slug)
    # Not the whole site's: reading every plaque of a city for each monument made a load quadratic.
    conditions = [Code.code.in_(sorted(code_entries(step.document)))]
    record = find_record("monument", step.key)
    if record is not None:
        conditions += [Code.monument_id == record.id,
                       Code.stop_id.in_(select(Stop.id).where(Stop.monument_id == record.id))]
    return select(Code).where(or_(*conditions))


def _code_heads(site_slug: str, step: Step) -> dict[str, int | None]:
    return {code.code: code.head_revision_id for code in db.session.scalars(_step_codes(site_slug, step))}


def _mark_codes_imported(site_slug: str, heads: dict[str, int | None], step: Step) -> None:
    """Codes this import changed now match their files: later database edits are told apart."""
    for code in db.session.scalars(_step_codes(site_slug, step)):
        if heads.get(code.code) != code.head_revision_id:
            code.imported_revision_id = code.head_revision_id


def _apply_code_entry(step: CodeStep, report: LoadReport) -> None:
    entry, author = step.entry, step.author
    site = find_record("site", step.site)
    row = db.session.get(Code, entry.code)
    target = _target(entry.target)
    if target is None and row is None:
        return
    before = row.head_revision_id if row is not None else None
    if target is not None:
        monument, stop = target
        row = assign_code(entry.code, entry.number, site, monument=None if stop else monument, stop=stop,
                          author=author)
    if entry.retired_at is not None and not row.is_retired:
        retire_code(row, author=author, when=entry.retired_at)
    if step.new and entry.created is not None:
        row.created_dt = entry.created
    if row.head_revision_id != before:
        row.imported_revision_id = row.head_revision_id
        (report.created if before is None else report.updated).append(f"code {entry.code}")


def _target(target: str | None):
    """Return (monument, stop or None) for "monument[/stop]", or None when it is not in the database yet."""
    if target is None:
        return None
    monument_slug, _slash, stop_slug = target.partition("/")
    monument = find_record("monument", monument_slug)
    if monument is None:
        return None
    stop = get_stop(monument, stop_slug) if stop_slug else None
    if stop_slug and stop is None:
        # The stop of a monument imported as a draft exists once the monument is published.
        return None
    return monument, stop
