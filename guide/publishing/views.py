"""Revisions in the CMS: the word-level difference between two revisions of a record."""

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound

from guide.accounts.permissions import can
from guide.accounts.permissions import require
from guide.curator.shell import attach
from guide.errors import abort
from guide.extensions import db
from guide.publishing.diff import EQUAL
from guide.publishing.diff import diff_documents
from guide.publishing.diff import tokenize
from guide.publishing.models import Revision
from guide.publishing.services import find_record
from guide.publishing.services import get_revision
from guide.translating.services import language_label
from guide.translating.services import record_names

bp = Blueprint("publishing", __name__, url_prefix="/curator", template_folder="templates")
attach(bp)

# Unchanged text around a change is cut to this many words on each side.
CONTEXT_WORDS = 12


def _number(name: str, default: int) -> int:
    value = request.args.get(name)
    if value is None or value == "":
        return default
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        abort(400, _("A revision number is a whole number."))
    return int(value)


def trim_context(segments: list[tuple[str, str]], words: int = CONTEXT_WORDS) -> list[tuple[str, str, bool]]:
    """Cut long unchanged runs down to the words next to a change; a cut is ("elided", "", True)."""
    trimmed = []
    for index, (op, text) in enumerate(segments):
        tokens = tokenize(text)
        if op != EQUAL or len(tokens) <= 2 * words + 4:
            trimmed.append((op, text, False))
            continue
        if index > 0:
            trimmed.append((op, "".join(tokens[:words]), False))
        trimmed.append(("elided", "", True))
        if index < len(segments) - 1:
            trimmed.append((op, "".join(tokens[-words:]), False))
    return trimmed


def restore_url(kind: str, slug: str, number: int) -> str | None:
    """Return where the editor restores a revision (POST), if that route exists or is agreed."""
    path = f"/curator/{kind}s/{slug}/revisions/{number}/restore"
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(path, method="POST")
    except (NotFound, MethodNotAllowed):
        # The editor's restore of a monument is the agreed address even before it is merged.
        return path if kind == "monument" else None
    return path


@bp.get("/revisions/<kind>/<slug>/diff")
def diff(kind: str, slug: str):
    """Show what changed between revisions a and b of a record, per field and per language."""
    if kind not in ("site", "monument"):
        abort(404)
    record = find_record(kind, slug)
    if record is None:
        abort(404)
    site = record if kind == "site" else record.site
    require("view", site, target=f"{kind}:{slug}")
    head = db.session.get(Revision, record.head_revision_id) if record.head_revision_id else None
    newest = head.number if head else 0
    b = _number("b", newest)
    a = _number("a", max(b - 1, 1))
    old, new = get_revision(kind, slug, a), get_revision(kind, slug, b)
    if old is None or new is None:
        abort(404, _("This record has no such revision."))
    fields = diff_documents(kind, old.data, new.data)
    revisions = db.session.execute(
        select(Revision.number, Revision.author, Revision.created_dt)
        .where(Revision.kind == kind, Revision.record_key == slug).order_by(Revision.number.desc())
    ).all()
    restorable = can(current_user, "edit", site)
    return render_template(
        "publishing/diff.html", kind=kind, slug=slug, record=record, site=site, old=old, new=new,
        changed=[item for item in fields if item.changed], unchanged=[item for item in fields if not item.changed],
        names=record_names(kind, new.data), revisions=revisions, head=head, trim_context=trim_context, language_label=language_label,
        restore_url=(lambda number: restore_url(kind, slug, number)) if restorable else None,
    )
