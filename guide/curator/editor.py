"""The editor: sites and monuments edited side by side in every language, their workflow,
previews and revisions. Every view resolves its record, then checks the record's site."""

import re
from datetime import datetime

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import TemplateNotFound
from sqlalchemy.exc import IntegrityError

from guide.accounts.permissions import can
from guide.accounts.permissions import editable_languages
from guide.accounts.permissions import require
from guide.audit.services import record as audit
from guide.codes.services import CodeError
from guide.curator import editing
from guide.curator.services import site_monuments
from guide.curator.shell import attach
from guide.curator.shell import site_link
from guide.errors import abort
from guide.extensions import db
from guide.i18n import languages
from guide.publishing import services as publishing
from guide.publishing.models import Revision
from guide.text import render_markdown
from guide.timeutil import as_utc
from guide.timeutil import now_utc
from guide.tours.services import curator_tours
from guide.translating.services import MISSING
from guide.translating.services import OUTDATED
from guide.translating.services import record_statuses

bp = Blueprint("editor", __name__, url_prefix="/curator", template_folder="templates")
attach(bp)
site_link("editor.site", _l("Edit"), "view")

KINDS = {"monuments": "monument", "sites": "site"}
PLURAL = {kind: kinds for kinds, kind in KINDS.items()}
KINDS_RULE = "<any(monuments, sites):kinds>"
DIFF_PATH = "/curator/revisions/{kind}/{slug}/diff"
MAX_COMMENT = 500
COMMENT_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The media helper's upload control for one file field (see curator/editor/fields.html, media()).
MEDIA_SLOT = "curator/editor/media_slot.html"
NEW_STOP = "new_stop."


@bp.before_request
def limit_form_parts():
    """Refuse a urlencoded form with more parts than a multipart one may have (413)."""
    # Werkzeug counts multipart parts itself; a urlencoded body is parsed whole, so count here.
    if (request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded"
            and sum(1 for _item in request.form.items(multi=True)) > current_app.config["MAX_FORM_PARTS"]):
        abort(413)


# --- Looking records up ------------------------------------------------------------------------


def _resolve(kind: str, slug: str, action: str = "view", lang: str | None = None):
    """Return the record and its site; 404 if unknown, 403 (audited) if not the curator's."""
    record = publishing.find_record(kind, slug)
    if record is None:
        abort(404)
    site = record if kind == "site" else record.site
    require(action, site, lang, target=f"{kind}:{slug}")
    return record, site


def _head(record) -> Revision:
    revision = db.session.get(Revision, record.head_revision_id or 0)
    if revision is None:
        abort(404, _("This record has no saved version yet."))
    return revision


def _comment() -> str:
    # PostgreSQL refuses NUL in text, and a direction override would garble the revision list.
    return COMMENT_UNSAFE.sub("", request.form.get("comment") or "").strip()[:MAX_COMMENT]


def _editor_url(kind: str, slug: str) -> str:
    return url_for("editor.monument" if kind == "monument" else "editor.site_edit", slug=slug)


def _diff_url(kind: str, slug: str) -> str:
    if "publishing.diff" in current_app.view_functions:
        return url_for("publishing.diff", kind=kind, slug=slug)
    return DIFF_PATH.format(kind=kind, slug=slug)


def _local_time(moment) -> str:
    return format_datetime(as_utc(moment), "medium") if moment else ""


def _permissions(site) -> dict:
    return {
        "editable": editable_languages(current_user, site),
        "can_edit": can(current_user, "edit", site),
        "can_media": can(current_user, "media", site),
        "can_submit": can(current_user, "submit", site),
        "can_publish": can(current_user, "publish", site),
    }


def _field_statuses(kind: str, record, head: Revision) -> dict[tuple[str, str], str]:
    """Map (field path, language) to missing or outdated, as the saved head stands."""
    return {
        (field.path, lang): status
        for field in record_statuses(kind, record.slug, head.data)
        for lang, status in field.statuses.items() if status in (MISSING, OUTDATED)
    }


def _editor_page(kind: str, record, site, status: int = 200, doc: dict | None = None,
                 values: dict | None = None, base_id: int | None = None, errors: dict | None = None,
                 merge: editing.Merge | None = None, message: str | None = None, comment: str = ""):
    """Render the editor of a record: the head's values unless a failed save's are given."""
    head = _head(record)
    doc = doc if doc is not None else head.data
    published = db.session.get(Revision, record.published_revision_id or 0)
    context = dict(
        kind=kind, kinds=PLURAL[kind], record=record, site=site, doc=doc,
        values=values if values is not None else editing.document_values(kind, doc),
        errors=errors or {}, merge=merge, message=message, comment=comment,
        base_revision_id=base_id if base_id is not None else head.id, head=head, published=published,
        publish_at=_local_time(record.publish_at), fields=_field_specs(), media_file=editing.media_file,
        field_statuses=_field_statuses(kind, record, head), **_permissions(site),
    )
    names = context["values"]
    context["loose_errors"] = {
        name: messages for name, messages in context["errors"].items()
        if name not in names and not any(other.startswith(name + ".") for other in names)
    }
    template = "curator/editor/monument.html" if kind == "monument" else "curator/editor/site_edit.html"
    return render_template(template, **context), status


def _template_exists(name: str) -> bool:
    try:
        current_app.jinja_env.get_template(name)
    except TemplateNotFound:
        return False
    return True


@bp.context_processor
def media_slot():
    """Name the media helper's upload control when it is installed; the editor falls back to paths."""
    return {"media_slot": MEDIA_SLOT if _template_exists(MEDIA_SLOT) else None}


def _field_specs() -> dict:
    return {"monument": editing.MONUMENT_TEXT, "stop": editing.STOP_TEXT, "guide": editing.GUIDE_TEXT,
            "image": editing.IMAGE_TEXT, "site": editing.SITE_TEXT, "access": editing.ACCESS_CHOICES}


# --- Site page ------------------------------------------------------------------------------


@bp.get("/sites/<slug>")
def site(slug: str):
    """Show a site's monuments with their states and links to edit each one."""
    record, _site = _resolve("site", slug)
    return render_template("curator/editor/site.html", site=record, monuments=site_monuments(record),
                           tours=curator_tours(record),
                           head=db.session.get(Revision, record.head_revision_id or 0),
                           published=db.session.get(Revision, record.published_revision_id or 0),
                           publish_at=_local_time(record.publish_at), **_permissions(record))


@bp.route("/sites/<slug>/monuments/new", methods=["GET", "POST"])
def new_monument(slug: str):
    """Create a monument in a site: its address, its first texts, a fresh plaque code."""
    site, _same = _resolve("site", slug, "edit")
    values, errors = {}, {}
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in request.form if name != "csrf_token"}
        try:
            doc = editing.new_monument_document(request.form, site)
            revision = publishing.save("monument", doc["slug"], doc, None, author=current_user.email,
                                       comment=_comment() or _("New monument."))
        except editing.FormProblems as problems:
            errors = problems.problems
        except publishing.PublishingError as error:
            db.session.rollback()
            errors = {"": [str(error)]}
        else:
            audit("monument.create", f"monument:{doc['slug']}", revision=revision.number, code=doc["code"])
            db.session.commit()
            flash(_("Monument created as a draft, with the plaque code %(code)s.", code=doc["code"]), "ok")
            return redirect(url_for("editor.monument", slug=doc["slug"]))
    return render_template("curator/editor/new_monument.html", site=site, values=values, errors=errors,
                           merge=None, fields={"monument": editing.NEW_MONUMENT_TEXT},
                           **_permissions(site)), 400 if errors else 200


# --- Editing ------------------------------------------------------------------------------


@bp.get("/monuments/<slug>")
def monument(slug: str):
    """Show a monument's head revision as a form, languages side by side."""
    record, site = _resolve("monument", slug)
    return _editor_page("monument", record, site)


@bp.post("/monuments/<slug>")
def save_monument(slug: str):
    """Save the monument form as a new draft revision."""
    return _save("monument", slug)


@bp.get("/sites/<slug>/edit")
def site_edit(slug: str):
    """Show a site's head revision as a form, languages side by side."""
    record, site = _resolve("site", slug)
    return _editor_page("site", record, site)


@bp.post("/sites/<slug>/edit")
def save_site(slug: str):
    """Save the site form as a new draft revision."""
    return _save("site", slug)


def _base_revision(kind: str, record) -> Revision | None:
    raw = request.form.get("base_revision_id", "")
    base = db.session.get(Revision, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    if base is None or (base.kind, base.record_key) != (kind, record.slug):
        return None
    return base


def _save(kind: str, slug: str):
    record, site = _resolve(kind, slug)
    base = _base_revision(kind, record)
    if base is None:
        abort(400, _("This form does not name a version of this record; reload the page."))
    comment = _comment()
    try:
        doc = editing.build_document(kind, request.form, base.data, site)
    except editing.FormProblems as problems:
        return _failed(kind, record, site, base, problems.problems, comment)
    for action, lang in editing.required_permissions(base.data, doc):
        require(action, site, lang, target=f"{kind}:{slug}")
    if not editing.required_permissions(base.data, doc):
        flash(_("Nothing changed: no new version was saved."), "info")
        return redirect(_editor_url(kind, slug))
    try:
        revision = publishing.save(kind, slug, doc, base.id, author=current_user.email, comment=comment)
    except publishing.ConflictError as conflict:
        db.session.rollback()
        return _conflict(kind, record, site, base, doc, conflict, comment)
    except publishing.DocumentError as error:
        db.session.rollback()
        return _failed(kind, record, site, base, editing.problem_fields(kind, doc, error.problems), comment)
    audit(f"{kind}.save", f"{kind}:{slug}", revision=revision.number, comment=comment)
    db.session.commit()
    flash(_("Saved as version %(number)d (draft).", number=revision.number), "ok")
    return redirect(_editor_url(kind, slug))


def _typed(name: str) -> str:
    return request.form.get(name, "").replace("\r\n", "\n")


def _new_stop_values() -> dict[str, str]:
    """What the curator typed for a stop to add: kept whatever else happens to the save."""
    return {name: _typed(name) for name in request.form if name.startswith(NEW_STOP)}


def _submitted_values(kind: str, base: Revision) -> dict[str, str]:
    """What the curator typed, over the base's values, as the form shows it."""
    values = editing.document_values(kind, base.data)
    for name in values:
        if name in request.form:
            values[name] = _typed(name)
    values.update(_new_stop_values())
    return values


def _failed(kind, record, site, base, problems: dict, comment: str):
    db.session.rollback()
    # A problem in the stop being added is shown on its own fields.
    added = f"stops.{request.form.get(NEW_STOP + 'slug', '').strip().lower()}."
    problems = {(NEW_STOP + name.removeprefix(added) if name.startswith(added) else name): messages
                for name, messages in problems.items()}
    message = _("The version was not saved: correct the fields marked below.")
    return _editor_page(kind, record, site, 400, doc=base.data, values=_submitted_values(kind, base),
                        base_id=base.id, errors=problems, message=message, comment=comment)


def _conflict(kind, record, site, base, doc, conflict: publishing.ConflictError, comment: str):
    head = conflict.head or _head(record)
    added = request.form.get(NEW_STOP + "slug", "").strip().lower()
    if added and kind == "monument":
        # The stop being added goes back into its own fields, not among the values without a place.
        doc = {**doc, "stops": [stop for stop in doc["stops"] if stop["slug"] != added]}
    merge = editing.merge_conflict(kind, base.data, doc, head.data)
    merge.values.update(_new_stop_values())
    return _editor_page(kind, record, site, 409, doc=head.data, values=merge.values, base_id=head.id,
                        merge=merge, message=str(conflict), comment=comment)


@bp.post("/markdown")
def markdown():
    """Render Markdown as the public pages do (sanitised), for the editor's live preview."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return jsonify(error=400, message=_("Send JSON with the text to render.")), 400
    if len(data["text"]) > editing.MAX_MARKDOWN:
        return jsonify(error=413, message=_("This text is too long to preview.")), 413
    lang = data.get("lang")
    if lang not in languages():
        return jsonify(error=400, message=_("Unknown language.")), 400
    return jsonify(html=str(render_markdown(data["text"])), lang=lang)


# --- Preview --------------------------------------------------------------------------------


@bp.get(f"/{KINDS_RULE}/<slug>/preview/<lang:page_lang>")
def preview(kinds: str, slug: str, page_lang: str):
    """Show the public page of a draft (the head, or ?revision=N) as a visitor would see it."""
    kind = KINDS[kinds]
    record, _site = _resolve(kind, slug)
    number = request.args.get("revision", "")
    if number:
        revision = publishing.get_revision(kind, slug, int(number)) if number.isascii() and number.isdigit() and len(number) < 9 else None
        if revision is None:
            abort(404)
    else:
        revision = _head(record)
    try:
        html = editing.preview_page(kind, record, revision.data, page_lang,
                                    revision.number if number else None)
    except (publishing.PublishingError, CodeError, ValueError, IntegrityError) as error:
        abort(400, str(error) if not isinstance(error, IntegrityError) else None)
    return html


# --- Workflow -------------------------------------------------------------------------------


def _workflow(kinds: str, slug: str, action: str, change, done: str):
    kind = KINDS[kinds]
    record, site = _resolve(kind, slug, action)
    comment = _comment()
    try:
        detail = change(kind, record) or {}
    except (publishing.PublishingError, CodeError) as error:
        db.session.rollback()
        return _refused(kind, record, site, str(error), comment)
    audit(f"{kind}.{detail.pop('audit', action)}", f"{kind}:{slug}", comment=comment, **detail)
    db.session.commit()
    flash(done, "ok")
    return redirect(_editor_url(kind, slug))


def _refused(kind, record, site, message: str, comment: str = ""):
    """Answer a refused workflow step with the editor, its message, and nothing changed (400)."""
    return _editor_page(kind, record, site, 400, message=message, comment=comment)


@bp.post(f"/{KINDS_RULE}/<slug>/submit")
def submit(kinds: str, slug: str):
    """Send the working draft to review."""
    def change(kind, record):
        publishing.submit_for_review(kind, slug)
        return {"revision": _head(record).number}
    return _workflow(kinds, slug, "submit", change, _("Sent for review."))


@bp.post(f"/{KINDS_RULE}/<slug>/publish")
def publish(kinds: str, slug: str):
    """Publish the head revision: visitors see it now."""
    def change(kind, record):
        revision = publishing.publish(kind, slug, author=current_user.email)
        return {"revision": revision.number}
    return _workflow(kinds, slug, "publish", change, _("Published: visitors see this version now."))


@bp.post(f"/{KINDS_RULE}/<slug>/unpublish")
def unpublish(kinds: str, slug: str):
    """Hide the record from visitors."""
    def change(kind, record):
        publishing.unpublish(kind, slug)
        return {"audit": "unpublish"}
    return _workflow(kinds, slug, "publish", change, _("Unpublished: visitors no longer see it."))


def parse_local(value: str) -> datetime | None:
    """Read a datetime-local input (Africa/Casablanca wall-clock time); None if malformed."""
    for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(value.strip(), pattern)
        except ValueError:
            continue
    return None


@bp.post(f"/{KINDS_RULE}/<slug>/schedule")
def schedule(kinds: str, slug: str):
    """Publish the head at a chosen Casablanca time, or cancel the schedule."""
    cancel = request.form.get("action") == "cancel"

    def change(kind, record):
        if cancel:
            publishing.schedule(kind, slug, None)
            return {"audit": "schedule_cancel"}
        when = parse_local(request.form.get("publish_at", ""))
        if when is None:
            raise publishing.PublishingError(_("Give the date and time of publication."))
        publishing.schedule(kind, slug, when)
        if as_utc(record.publish_at) <= now_utc():
            raise publishing.PublishingError(_("Choose a time in the future."))
        return {"audit": "schedule", "publish_at": record.publish_at.isoformat()}
    done = _("The schedule was cancelled.") if cancel else _("Publication scheduled.")
    return _workflow(kinds, slug, "publish", change, done)


# --- Revisions ------------------------------------------------------------------------------


@bp.get(f"/{KINDS_RULE}/<slug>/revisions")
def revisions(kinds: str, slug: str):
    """List every revision of a record, to compare two or restore one."""
    kind = KINDS[kinds]
    record, site = _resolve(kind, slug)
    rows = list(reversed(publishing.list_revisions(kind, slug)))
    return render_template("curator/editor/revisions.html", kind=kind, kinds=kinds, record=record, site=site,
                           revisions=rows, local_time=_local_time, diff_url=_diff_url(kind, slug),
                           editor_url=_editor_url(kind, slug), **_permissions(site))


@bp.post(f"/{KINDS_RULE}/<slug>/revisions/<int:number>/restore")
def restore(kinds: str, slug: str, number: int):
    """Save an earlier revision again as the new draft."""
    kind = KINDS[kinds]
    record, site = _resolve(kind, slug, "edit")
    if publishing.get_revision(kind, slug, number) is None:
        abort(404)
    base = _base_revision(kind, record)
    try:
        revision = publishing.restore(kind, slug, number, current_user.email, base.id if base else None)
    except publishing.ConflictError:
        db.session.rollback()
        flash(_("This record changed since you opened its history; look again before restoring."), "error")
        return redirect(url_for("editor.revisions", kinds=kinds, slug=slug))
    except publishing.PublishingError as error:
        db.session.rollback()
        return _refused(kind, record, site, str(error))
    audit(f"{kind}.restore", f"{kind}:{slug}", restored=number, revision=revision.number)
    db.session.commit()
    flash(_("Version %(old)d restored as version %(number)d (draft).", old=number, number=revision.number), "ok")
    return redirect(_editor_url(kind, slug))
