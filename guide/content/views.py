"""The CMS pages of the content format: download a site as a zip, upload one (admins only)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint
from flask import Response
from flask import abort as flask_abort
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from guide.accounts.permissions import require
from guide.audit.models import AuditEvent
from guide.audit.services import record
from guide.audit.services import record_now
from guide.content import archive
from guide.content.archive import ArchiveError
from guide.content.archive import ImportRefused
from guide.content.export import ExportError
from guide.content.forms import ImportForm
from guide.curator.shell import attach
from guide.curator.shell import menu_item
from guide.curator.shell import site_link
from guide.errors import abort
from guide.extensions import csrf
from guide.extensions import db
from guide.sites.models import Site

bp = Blueprint("content", __name__, url_prefix="/curator", template_folder="templates")
attach(bp)
menu_item("content.import_archive", _l("Import"), "import")
site_link("content.export_site", _l("Download as zip"), "import")

IMPORT_ACTION = "content.import"


@bp.get("/sites/<slug>/export.zip")
def export_site(slug: str):
    """Send a published site in the content format, as `export-content --site` writes it, zipped."""
    site = db.session.scalar(select(Site).where(Site.slug == slug)) or flask_abort(404)
    require("import", site, target=f"site:{slug}")
    try:
        zipped, files = archive.site_zip(slug)
    except ExportError as error:
        db.session.rollback()
        abort(409, str(error))
    size = zipped.seek(0, 2)
    zipped.seek(0)
    record("content.export", f"site:{slug}", files=files, bytes=size)
    db.session.commit()
    today = datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
    response = Response(_stream(zipped), mimetype="application/zip")
    response.content_length = size
    # RFC 6266: an ASCII name (slugs are), quoted by werkzeug when it must be.
    response.headers.set("Content-Disposition", "attachment", filename=f"dalil-{slug}-{today.isoformat()}.zip")
    return response


def _stream(zipped):
    """Send the zip in chunks; the temporary file closes when it is sent, dropped or collected."""
    with zipped:
        while chunk := zipped.read(archive.CHUNK):
            yield chunk


# The global CSRF check reads the form before any view runs, under the app-wide body limit; this
# view raises that limit for its upload first, then checks the token itself.
@csrf.exempt
@bp.route("/import", methods=["GET", "POST"])
def import_archive():
    """Show the upload form; on POST check, unpack and load the zip, all or nothing."""
    require("import")
    if request.method == "GET":
        return render_template("content/import.html", form=ImportForm(formdata=None))
    limit_mb = int(current_app.config["MAX_IMPORT_MB"])
    request.max_content_length = limit_mb * 1024 * 1024
    try:
        csrf.protect()
        form = ImportForm()
        valid = form.validate()
    except RequestEntityTooLarge:
        return _refused(ImportForm(formdata=None), ArchiveError(
            _("The archive is larger than %(size)d MB.", size=limit_mb), status=413, reason="too-large"))
    if not valid:
        return render_template("content/import.html", form=form), 400
    upload = form.archive.data
    try:
        result = archive.import_archive(upload.stream, current_user.email, overwrite=form.overwrite.data,
                                draft=form.draft.data)
    except ArchiveError as error:
        return _refused(form, error)
    except ImportRefused as error:
        db.session.rollback()
        record_now(IMPORT_ACTION, "", "refused", reason="conflict" if error.conflict else "invalid",
                   problems=len(error.problems))
        status = 409 if error.conflict else 400
        return render_template("content/import.html", form=form, problems=error.problems,
                               conflict=error.conflict), status
    report = result.report
    event = record(IMPORT_ACTION, "", filename=upload.filename or "", files=result.files, bytes=result.unpacked,
                   overwrite=form.overwrite.data, draft=form.draft.data, created=report.created,
                   updated=report.updated, unchanged=report.unchanged)
    db.session.commit()
    return redirect(url_for("content.import_result", event_id=event.id), 303)



def _refused(form: ImportForm, error: ArchiveError):
    """Answer a refused upload with the form, the reason and its status; the refusal is logged."""
    db.session.rollback()
    record_now(IMPORT_ACTION, "", "refused", reason=error.reason)
    return render_template("content/import.html", form=form, error=error.message), error.status


@bp.get("/import/<int:event_id>")
def import_result(event_id: int):
    """Show what an import did, record by record, from its audit event."""
    require("import")
    event = db.session.get(AuditEvent, event_id)
    if event is None or event.action != IMPORT_ACTION or event.outcome != "ok":
        flask_abort(404)
    return render_template("content/import_result.html", event=event, rows=_result_rows(event.detail))


def _result_rows(detail: dict) -> list[dict]:
    kinds = {"site": _("Site"), "monument": _("Monument"), "code": _("Plaque code")}
    outcomes = (("created", _("Created")), ("updated", _("Updated")), ("unchanged", _("Unchanged")))
    rows = []
    for key, label in outcomes:
        for entry in detail.get(key, []):
            kind, _space, name = str(entry).partition(" ")
            rows.append({"kind": kinds.get(kind, kind), "name": name, "outcome": key, "label": label})
    return rows
