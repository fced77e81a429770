"""The tour editor: a site's walking tours, their texts side by side per language, their stops added,
removed and reordered; every change a revision, published with the same rights and audit as monuments."""

import re

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from guide.accounts.permissions import can
from guide.accounts.permissions import editable_languages
from guide.accounts.permissions import require
from guide.audit.services import record as audit
from guide.curator.shell import attach
from guide.curator.shell import site_link
from guide.errors import abort
from guide.extensions import db
from guide.i18n import languages
from guide.publishing import services as publishing
from guide.publishing.models import Revision
from guide.sites.models import Site
from guide.tours.services import MAX_STOPS
from guide.tours.services import curator_tours
from guide.tours.services import get_tour

bp = Blueprint("tour_editor", __name__, url_prefix="/curator", template_folder="templates")
attach(bp)
site_link("tour_editor.site_tours", _l("Walking tours"), "view")

TEXT_FIELDS = ("title", "summary", "intro")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STOP_FIELD = re.compile(r"^stop\.(\d{1,3})\.monument$")
# A submit button may also move a stop ("up:2"), take it out ("remove:2") or add the chosen one.
ACTION = re.compile(r"^(up|down|remove):(\d{1,3})$")
# Controls and direction overrides garble texts; PostgreSQL refuses NUL outright.
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
MAX_COMMENT = 500
MAX_TEXT = 20_000


class FormError(Exception):
    """The form cannot become a tour document; the message is translated."""


def _site(slug: str, action: str = "view") -> Site:
    site = publishing.find_record("site", slug)
    if site is None:
        abort(404)
    require(action, site, target=f"site:{slug}")
    return site


def _tour(slug: str, action: str = "view"):
    tour = get_tour(slug) if SLUG.match(slug) else None
    if tour is None:
        abort(404)
    require(action, tour.site, target=f"tour:{slug}")
    return tour


def _permissions(site) -> dict:
    return {
        "editable": editable_languages(current_user, site),
        "can_edit": can(current_user, "edit", site),
        "can_publish": can(current_user, "publish", site),
    }


def _typed(form: MultiDict, name: str) -> str:
    value = form.get(name, "")
    if len(value) > MAX_TEXT:
        raise FormError(_("A text is too long (at most %(count)d characters).", count=MAX_TEXT))
    return UNSAFE.sub("", value.replace("\r\n", "\n")).strip()


def _comment() -> str:
    return UNSAFE.sub("", request.form.get("comment") or "").strip()[:MAX_COMMENT]


# --- Documents and form values ---------------------------------------------------------------


def tour_values(doc: dict) -> dict[str, str]:
    """Flatten a tour document to the editor's field names."""
    values = {"position": str(doc.get("position", 0))}
    for lang, text in doc.get("text", {}).items():
        for name in TEXT_FIELDS:
            values[f"text.{lang}.{name}"] = text.get(name, "")
    for index, stop in enumerate(doc.get("stops", [])):
        values[f"stop.{index}.monument"] = stop["monument"]
        for lang, note in (stop.get("note") or {}).items():
            values[f"stop.{index}.note.{lang}"] = note
    return values


def _stops(form: MultiDict) -> list[dict]:
    indexes = sorted(int(match.group(1)) for name in form if (match := STOP_FIELD.match(name)))
    stops = []
    for index in indexes:
        notes = {lang: _typed(form, f"stop.{index}.note.{lang}") for lang in languages()}
        stops.append({"monument": _typed(form, f"stop.{index}.monument"),
                      "note": {lang: note for lang, note in notes.items() if note}})
    return stops


def _apply_action(stops: list[dict], form: MultiDict, site: Site) -> list[dict]:
    """Move, remove or add a stop as the pressed button asks."""
    action = form.get("action", "save")
    match = ACTION.match(action)
    if match:
        verb, index = match.group(1), int(match.group(2))
        if index >= len(stops):
            raise FormError(_("There is no such stop."))
        if verb == "remove":
            stops.pop(index)
        else:
            other = index - 1 if verb == "up" else index + 1
            if 0 <= other < len(stops):
                stops[index], stops[other] = stops[other], stops[index]
    elif action == "add":
        slug = _typed(form, "new_stop")
        if slug not in {monument.slug for monument in site.monuments}:
            raise FormError(_("Choose a monument of this site to add."))
        stops.append({"monument": slug, "note": {}})
    elif action != "save":
        raise FormError(_("Unknown action."))
    if len(stops) > MAX_STOPS:
        raise FormError(_("A tour has at most %(count)d stops.", count=MAX_STOPS))
    return stops


def build_document(form: MultiDict, site: Site, slug: str) -> dict:
    """Turn the editor form (and the button pressed) into a tour document; FormError if it cannot be one."""
    raw = form.get("position", "0").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
        raise FormError(_("The position must be a whole number from 0 to 9999."))
    texts = {}
    for lang in languages():
        text = {name: _typed(form, f"text.{lang}.{name}") for name in TEXT_FIELDS}
        if any(text.values()):
            texts[lang] = text
    stops = _apply_action(_stops(form), form, site)
    return {"site": site.slug, "slug": slug, "position": int(raw), "text": texts, "stops": stops}


def required_permissions(before: dict, after: dict) -> set[tuple[str, str | None]]:
    """Return the (action, language) pairs turning before into after needs: texts per language, the route as edit."""
    needed = set()
    old_texts, new_texts = before.get("text", {}), after.get("text", {})
    for lang in old_texts.keys() | new_texts.keys():
        if old_texts.get(lang) != new_texts.get(lang):
            needed.add(("edit_text", lang))
    route = [stop["monument"] for stop in before.get("stops", [])]
    if route != [stop["monument"] for stop in after.get("stops", [])] or before.get("position", 0) != after.get("position"):
        needed.add(("edit", None))
    old_notes = {stop["monument"]: stop.get("note") or {} for stop in before.get("stops", [])}
    for stop in after.get("stops", []):
        notes = stop.get("note") or {}
        was = old_notes.get(stop["monument"], {})
        needed.update(("edit_text", lang) for lang in was.keys() | notes.keys() if was.get(lang) != notes.get(lang))
    return needed


# --- Views -------------------------------------------------------------------------------------


def _editor_page(tour, status: int = 200, values: dict | None = None, message: str | None = None,
                 base_id: int | None = None, comment: str = ""):
    head = db.session.get(Revision, tour.head_revision_id or 0)
    published = db.session.get(Revision, tour.published_revision_id or 0)
    doc = head.data if head else {}
    site = tour.site
    values = values if values is not None else tour_values(doc)
    stop_count = len([name for name in values if STOP_FIELD.match(name)])
    chosen = {values[f"stop.{index}.monument"] for index in range(stop_count) if f"stop.{index}.monument" in values}
    names = {monument.slug: _monument_name(monument) for monument in site.monuments}
    return render_template(
        "curator/tours/editor.html", tour=tour, site=site, head=head, published=published, values=values,
        stop_count=stop_count, monument_names=names, addable=[slug for slug in names if slug not in chosen],
        message=message, comment=comment, base_revision_id=base_id if base_id is not None else (head.id if head else ""),
        errors={}, merge=None, fields=TEXT_FIELDS, **_permissions(site),
    ), status


def _monument_name(monument) -> str:
    revision = db.session.get(Revision, monument.head_revision_id or 0)
    texts = (revision.data.get("text") or {}) if revision else {}
    text = texts.get(get_locale().language) or next(iter(texts.values()), None)
    return text["name"] if text else monument.slug


@bp.get("/sites/<slug>/tours")
def site_tours(slug: str):
    """List a site's walking tours, drafts included, with their states."""
    site = _site(slug)
    return render_template("curator/tours/list.html", site=site, tours=curator_tours(site), **_permissions(site))


@bp.route("/sites/<slug>/tours/new", methods=["GET", "POST"])
def new_tour(slug: str):
    """Create a walking tour in a site: its slug, first texts and stops, saved as a draft."""
    site = _site(slug, "edit")
    values: dict = {}
    message = None
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in request.form if name != "csrf_token"}
        tour_slug = request.form.get("slug", "").strip()
        try:
            if not SLUG.match(tour_slug) or len(tour_slug) > 80:
                raise FormError(_("The identifier takes lower-case letters, digits and dashes (at most 80)."))
            if get_tour(tour_slug) is not None:
                raise FormError(_("Another tour already has this identifier."))
            form = MultiDict(request.form)
            chosen = [name for name in form.getlist("stops") if name]
            for index, monument in enumerate(chosen[:MAX_STOPS + 1]):
                form[f"stop.{index}.monument"] = monument
            doc = build_document(form, site, tour_slug)
            revision = publishing.save("tour", tour_slug, doc, None, author=current_user.email,
                                       comment=_comment() or _("New tour."))
        except FormError as error:
            message = str(error)
        except publishing.PublishingError as error:
            db.session.rollback()
            message = str(error)
        else:
            audit("tour.create", f"tour:{tour_slug}", revision=revision.number)
            db.session.commit()
            flash(_("Tour created as a draft."), "ok")
            return redirect(url_for("tour_editor.tour", slug=tour_slug))
    names = {monument.slug: _monument_name(monument) for monument in site.monuments}
    return render_template("curator/tours/new.html", site=site, values=values, message=message,
                           monument_names=names, chosen=request.form.getlist("stops"), errors={}, merge=None,
                           fields=TEXT_FIELDS, **_permissions(site)), 400 if message else 200


@bp.get("/tours/<slug>")
def tour(slug: str):
    """Show a tour's working version as a form: texts side by side, stops in order."""
    return _editor_page(_tour(slug))


@bp.post("/tours/<slug>")
def save_tour(slug: str):
    """Save the tour form (after moving, removing or adding a stop if asked) as a new draft revision."""
    tour = _tour(slug)
    raw = request.form.get("base_revision_id", "")
    base = db.session.get(Revision, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    if base is None or (base.kind, base.record_key) != ("tour", slug):
        abort(400, _("This form does not name a version of this record; reload the page."))
    comment = _comment()
    try:
        doc = build_document(request.form, tour.site, slug)
    except FormError as error:
        return _editor_page(tour, 400, _submitted(), str(error), base.id, comment)
    needed = required_permissions(base.data, doc)
    for action, lang in sorted(needed, key=lambda pair: (pair[0], pair[1] or "")):
        require(action, tour.site, lang, target=f"tour:{slug}")
    if not needed:
        flash(_("Nothing changed: no new version was saved."), "info")
        return redirect(url_for("tour_editor.tour", slug=slug))
    try:
        revision = publishing.save("tour", slug, doc, base.id, author=current_user.email, comment=comment)
    except publishing.ConflictError as conflict:
        db.session.rollback()
        head = conflict.head
        return _editor_page(tour, 409, tour_values(doc), str(conflict), head.id if head else None, comment)
    except publishing.PublishingError as error:
        db.session.rollback()
        return _editor_page(tour, 400, tour_values(doc), str(error), base.id, comment)
    audit("tour.save", f"tour:{slug}", revision=revision.number, comment=comment)
    db.session.commit()
    flash(_("Saved as version %(number)d (draft).", number=revision.number), "ok")
    return redirect(url_for("tour_editor.tour", slug=slug))


def _submitted() -> dict[str, str]:
    return {name: request.form.get(name, "")[:MAX_TEXT] for name in request.form if name != "csrf_token"}


def _workflow(slug: str, change, audit_action: str, done: str):
    tour = _tour(slug, "publish")
    comment = _comment()
    try:
        revision = change()
    except publishing.PublishingError as error:
        db.session.rollback()
        return _editor_page(tour, 400, message=str(error), comment=comment)
    detail = {"revision": revision.number} if isinstance(revision, Revision) else {}
    audit(audit_action, f"tour:{slug}", comment=comment, **detail)
    db.session.commit()
    flash(done, "ok")
    return redirect(url_for("tour_editor.tour", slug=slug))


@bp.post("/tours/<slug>/publish")
def publish(slug: str):
    """Publish the tour's working version: visitors see it now."""
    return _workflow(slug, lambda: publishing.publish("tour", slug, author=current_user.email), "tour.publish",
                     _("Published: visitors see this version now."))


@bp.post("/tours/<slug>/unpublish")
def unpublish(slug: str):
    """Hide the tour from visitors."""
    return _workflow(slug, lambda: publishing.unpublish("tour", slug), "tour.unpublish",
                     _("Unpublished: visitors no longer see it."))
