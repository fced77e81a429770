"""Saving revisions of sites and monuments, and publishing them to what visitors see.

A save never touches the public tables: it appends a revision (the record's new head, a draft).
Publishing materialises one revision into the public tables through the domains that own them.
These functions flush; the CLI command, the loader or the request commits once.
"""

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from pydantic import ValidationError
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from guide.audit.services import record
from guide.content.files import ContentError
from guide.content.schema import MonumentFile
from guide.content.schema import SiteFile
from guide.content.schema import TourFile
from guide.extensions import db
from guide.media.models import MediaFile
from guide.monuments.models import Monument
from guide.monuments.services import apply_monument_document
from guide.publishing.models import Revision
from guide.publishing.revisions import add_revision
from guide.search.services import remove_monument
from guide.sites.models import Site
from guide.sites.services import apply_site_document
from guide.timeutil import as_utc
from guide.timeutil import local_to_utc
from guide.timeutil import now_utc
from guide.tours.models import Tour
from guide.tours.services import TourError
from guide.tours.services import apply_tour_document
from guide.tours.services import unknown_monuments
from guide.translating.services import missing_message
from guide.translating.services import missing_required

MODELS = {"site": Site, "monument": Monument, "tour": Tour}
FILES = {"site": SiteFile, "monument": MonumentFile, "tour": TourFile}
# Keys of a monument revision that are not part of monument.toml: its site and its media hashes.
ENVELOPE = ("site", "media")


class PublishingError(Exception):
    """A save or publication that cannot be done; the message is translated for the curator."""


class DocumentError(PublishingError):
    """The record does not follow the content format; problems lists why."""

    def __init__(self, problems: list[str]):
        super().__init__(_("The record is not valid: %(problems)s", problems="; ".join(problems)))
        self.problems = problems


class MissingTranslationError(PublishingError, ContentError):
    """Publication refused: a required language lacks texts another language has.

    Also a ContentError, so load-content (and a zip import) reports it and loads nothing.
    """

    def __init__(self, kind: str, key: str, missing: list[tuple[str, str]]):
        message = missing_message(missing)
        Exception.__init__(self, message)
        self.missing = missing
        self.problems = [f"{kind} {key}: {message}"]


class ConflictError(PublishingError):
    """The save was based on an older revision than the record's head; nothing was saved."""

    def __init__(self, submitted: dict, base: Revision | None, head: Revision | None):
        if head is None:
            message = _("This record has changed since you opened it; reload it and save again.")
        else:
            message = _("Revision %(number)d by %(author)s was saved since you opened this record; "
                        "your version was not saved. Compare both, then save again.",
                        number=head.number, author=head.author)
        super().__init__(message)
        self.submitted, self.base, self.head = submitted, base, head


def _model(kind: str):
    if kind not in MODELS:
        raise PublishingError(_("Only sites, monuments and tours are published."))
    return MODELS[kind]


def find_record(kind: str, key: str, lock: bool = False) -> Site | Monument | Tour | None:
    """Return the site, monument or tour with this slug (row-locked for a save when asked), or None."""
    model = _model(kind)
    query = select(model).where(model.slug == key)
    return db.session.scalar(query.with_for_update() if lock else query)


def _record(kind: str, key: str) -> Site | Monument | Tour:
    record = find_record(kind, key)
    if record is None:
        if kind == "site":
            raise PublishingError(_("No site has the slug %(slug)s.", slug=key))
        if kind == "tour":
            raise PublishingError(_("No tour has the slug %(slug)s.", slug=key))
        raise PublishingError(_("No monument has the slug %(slug)s.", slug=key))
    return record


def validate_document(kind: str, data: dict) -> dict:
    """Check a record against the content format and return it normalised, as revisions store it."""
    _model(kind)
    model = FILES[kind]
    body = {name: value for name, value in data.items() if name not in ENVELOPE}
    context = {"required_languages": current_app.config["REQUIRED_LANGUAGES"]}
    try:
        parsed = model.model_validate(body, context=context)
    except ValidationError as error:
        raise DocumentError([
            f"{'.'.join(str(part) for part in detail['loc']) or '(record)'}: {detail['msg']}"
            for detail in error.errors()
        ]) from None
    document = parsed.model_dump(mode="json", exclude={"updated"})
    if kind == "site":
        return document
    if kind == "tour":
        return {"site": _tour_site(data, document), **document}
    return {"site": _site_slug(data), **document, "media": _media(parsed, data.get("media") or {})}


def _tour_site(data: dict, document: dict) -> str:
    """A tour's site, whose monuments (any state) must be every stop's."""
    slug = _site_slug(data)
    unknown = unknown_monuments(find_record("site", slug), [stop["monument"] for stop in document["stops"]])
    if unknown:
        raise DocumentError([_("stops: %(slug)s is not a monument of the site %(site)s", slug=name, site=slug)
                             for name in unknown])
    return slug


def _site_slug(data: dict) -> str:
    slug = data.get("site")
    if not isinstance(slug, str) or find_record("site", slug) is None:
        raise DocumentError([_("No site has the slug %(slug)s.", slug=slug)])
    return slug


def _media(parsed: MonumentFile, media: dict) -> dict[str, str]:
    named = sorted({path for path, _kind in parsed.media_files()})
    missing = [path for path in named if not db.session.get(MediaFile, str(media.get(path)))]
    if missing:
        raise DocumentError([_("%(path)s: file not found", path=path) for path in missing])
    return {path: media[path] for path in named}


def save(kind: str, key: str, data: dict, base_revision_id: int | None, author: str,
         comment: str = "", created_dt: datetime | None = None) -> Revision:
    """Append a revision as the record's working draft; refuse one based on an older revision."""
    document = validate_document(kind, data)
    if document["slug"] != key:
        raise DocumentError([_("The slug of a record cannot change.")])
    record = find_record(kind, key, lock=True)
    head_id = record.head_revision_id if record is not None else None
    if base_revision_id != head_id:
        base = db.session.get(Revision, base_revision_id) if base_revision_id else None
        raise ConflictError(data, base, db.session.get(Revision, head_id) if head_id else None)
    if record is None:
        record = _create(kind, key, document)
    revision = add_revision(kind, key, document, author, head_id, comment, created_dt)
    record.head_revision_id = revision.id
    record.state = "draft"
    return revision


def _create(kind: str, key: str, document: dict) -> Site | Monument | Tour:
    # The row exists from the first save; visitors see it only once it is published (live).
    if kind == "site":
        record = Site(slug=key, state="draft", live=False)
    elif kind == "tour":
        record = Tour(slug=key, site=find_record("site", document["site"]), state="draft", live=False)
    else:
        record = Monument(slug=key, site=find_record("site", document["site"]), state="draft", live=False)
    db.session.add(record)
    db.session.flush()
    return record


def submit_for_review(kind: str, key: str) -> Site | Monument:
    """Mark the record's working draft as waiting for a reviewer."""
    record = _record(kind, key)
    if record.head_revision_id is None:
        raise PublishingError(_("This record has no revision to review."))
    record.state = "review"
    db.session.flush()
    return record


def publish(kind: str, key: str, revision_id: int | None = None, author: str = "cli") -> Revision:
    """Show visitors one revision (default: the head), writing it into the public tables.

    Refused (PublishingError naming the fields) while a required language is missing a text
    another language has: guide/translating/services.missing_required says which count.
    """
    record = _record(kind, key)
    revision = db.session.get(Revision, revision_id or record.head_revision_id or 0)
    if revision is None or (revision.kind, revision.record_key) != (kind, key):
        raise PublishingError(_("This record has no such revision to publish."))
    # Visitors of a required language must find every text the others find.
    missing = missing_required(kind, revision.data)
    if missing:
        raise MissingTranslationError(kind, key, missing)
    if kind == "site":
        apply_site_document(record, revision.data)
    elif kind == "tour":
        if record.site.slug != revision.data["site"]:
            raise PublishingError(_("A tour cannot move to another site."))
        try:
            apply_tour_document(record, revision.data)
        except TourError as error:
            raise DocumentError([_("stops: %(slug)s is not a monument of the site %(site)s",
                                   slug=str(error), site=record.site.slug)]) from None
    else:
        previous = db.session.get(Revision, record.published_revision_id or 0)
        apply_monument_document(record, revision.data, previous.data if previous else None, author)
    record.published_revision_id = revision.id
    record.live, record.publish_at = True, None
    if revision.id == record.head_revision_id:
        record.state = "published"
    # What visitors see is this version: its time is the record's last change.
    record.updated_dt = revision.created_dt
    _public_changed()
    return revision


def unpublish(kind: str, key: str) -> Site | Monument:
    """Hide the record from visitors; its revisions and public rows stay for a later publication."""
    record = _record(kind, key)
    # A pending schedule would bring it back: unpublishing cancels it.
    record.live, record.state, record.publish_at = False, "draft", None
    if kind == "monument":
        # Searches already skip it (not live); the index keeps published monuments only.
        remove_monument(record)
    _public_changed()
    return record


def _public_changed() -> None:
    # The flush raises the site's content version (guide/versions.py), which refreshes its caches.
    db.session.flush()


def schedule(kind: str, key: str, when: datetime | None) -> Site | Monument:
    """Publish the record's head at when (naive: Africa/Casablanca wall-clock time); None cancels."""
    record = _record(kind, key)
    if when is not None and record.head_revision_id is None:
        raise PublishingError(_("This record has no revision to publish."))
    if when is not None:
        # Refused now rather than failing, and being retried, when it comes due.
        missing = missing_required(kind, db.session.get(Revision, record.head_revision_id).data)
        if missing:
            raise MissingTranslationError(kind, key, missing)
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    record.publish_at = local_to_utc(when, zone) if when is not None else None
    db.session.flush()
    return record


def publish_due(now: datetime | None = None) -> list[tuple[str, str]]:
    """Publish every record whose publish_at has come; a record claimed by another worker is skipped."""
    now = now or now_utc()
    published = []
    for kind, model in MODELS.items():
        due = db.session.execute(
            select(model.slug, model.publish_at).where(model.publish_at <= now).order_by(model.publish_at)
        ).all()
        for slug, moment in due:
            # Only the transaction that clears publish_at publishes: two racing workers cannot both.
            claimed = db.session.execute(
                update(model).where(model.slug == slug, model.publish_at == moment).values(publish_at=None),
                execution_options={"synchronize_session": "fetch"},
            ).rowcount
            if not claimed:
                continue
            try:
                with db.session.begin_nested():
                    publish(kind, slug, author="schedule")
            except PublishingError as error:
                # Refused (a required language went missing since it was scheduled): the schedule
                # is dropped and the refusal logged for curators, rather than retried forever.
                record(f"{kind}.publish", f"{kind}:{slug}", "failed", actor="schedule", reason=str(error))
                continue
            published.append((kind, slug))
    return published


def next_due() -> datetime | None:
    """Return the earliest scheduled publication (UTC), or None."""
    moments = [db.session.scalar(select(func.min(model.publish_at))) for model in MODELS.values()]
    moments = [as_utc(moment) for moment in moments if moment is not None]
    return min(moments, default=None)


def list_revisions(kind: str, key: str) -> list[Revision]:
    """Return every revision of a record, oldest first."""
    return list(db.session.scalars(
        select(Revision).where(Revision.kind == kind, Revision.record_key == key).order_by(Revision.number)
    ))


def get_revision(kind: str, key: str, number: int) -> Revision | None:
    """Return revision number of a record, or None."""
    return db.session.scalar(select(Revision).where(
        Revision.kind == kind, Revision.record_key == key, Revision.number == number
    ))


def restore(kind: str, key: str, number: int, author: str, base_revision_id: int | None) -> Revision:
    """Save an older revision's record again as a new draft revision; publish it as usual."""
    old = get_revision(kind, key, number)
    if old is None:
        raise PublishingError(_("This record has no revision %(number)d.", number=number))
    return save(kind, key, old.data, base_revision_id, author, _("Restored revision %(number)d.", number=number))
