"""Translation status pages: a site × language table, a record's fields side by side, confirming."""

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from guide.accounts.permissions import can
from guide.accounts.permissions import require
from guide.audit.services import record as audit
from guide.curator.services import site_monuments
from guide.curator.shell import attach
from guide.curator.shell import site_link
from guide.errors import abort
from guide.extensions import db
from guide.i18n import languages
from guide.translating.services import MISSING
from guide.translating.services import OUTDATED
from guide.translating.services import STATUSES
from guide.translating.services import UP_TO_DATE
from guide.translating.services import TranslationError
from guide.translating.services import confirm
from guide.translating.services import find_record
from guide.translating.services import head_document
from guide.translating.services import language_label
from guide.translating.services import record_names
from guide.translating.services import record_statuses
from guide.translating.services import site_table

bp = Blueprint("translating", __name__, url_prefix="/curator", template_folder="templates")
attach(bp)
site_link("translating.table", _l("Translations"), "view")

STATUS_LABELS = {MISSING: _l("Missing"), OUTDATED: _l("Outdated"), UP_TO_DATE: _l("Up to date")}


def _filters() -> tuple[str, str]:
    """Read ?lang= and ?status=; anything else than an enabled language or a status is a 400."""
    lang, status = request.args.get("lang", ""), request.args.get("status", "")
    if (lang and lang not in languages()) or (status and status not in STATUSES):
        abort(400, _("Unknown language or status in the filter."))
    return lang, status


def _wanted(counts_or_statuses, lang: str, status: str) -> bool:
    """Tell whether a row (counts per language) or a field (status per language) passes the filters."""
    langs = [lang] if lang else list(languages())
    statuses = [status] if status else ([MISSING, OUTDATED] if lang else list(STATUSES))
    for code in langs:
        value = counts_or_statuses.get(code)
        if isinstance(value, dict):
            if any(value.get(name) for name in statuses):
                return True
        elif value in statuses:
            return True
    return False


def editor_url(kind: str, key: str) -> str:
    """Return the URL of a record's editor (the editor's endpoint, or its agreed address)."""
    endpoint = "editor.monument" if kind == "monument" else "editor.site"
    if endpoint in current_app.view_functions:
        return url_for(endpoint, slug=key)
    if kind == "monument":
        return f"/curator/monuments/{key}"
    return url_for("translating.record", kind=kind, slug=key)


def _record_and_site(kind: str, slug: str):
    record = find_record(kind, slug)
    if record is None:
        abort(404)
    return record, (record if kind == "site" else record.site)


@bp.get("/sites/<slug>/translations")
def table(slug: str):
    """Show every record of a site with its count of missing, outdated and up-to-date texts per language."""
    site, _site = _record_and_site("site", slug)
    require("view", site)
    lang, status = _filters()
    rows = site_table(site, site_monuments(site))
    totals = {code: {name: sum(row.count(code, name) for row in rows) for name in STATUSES} for code in languages()}
    shown = [row for row in rows if not (lang or status) or _wanted(row.counts, lang, status)]
    return render_template(
        "translating/table.html", site=site, site_names=rows[0].names, rows=shown, all_count=len(rows), totals=totals,
        columns=[lang] if lang else list(languages()), lang_filter=lang, status_filter=status,
        status_labels=STATUS_LABELS, editor_url=editor_url, language_label=language_label,
    )


@bp.get("/translations/<kind>/<slug>")
def record(kind: str, slug: str):
    """Show each translatable field of a record with its value and status in every language."""
    record_row, site = _record_and_site(kind, slug)
    require("view", site)
    lang, status = _filters()
    document = head_document(record_row)
    fields = record_statuses(kind, slug, document)
    shown = [item for item in fields if not (lang or status) or _wanted(item.statuses, lang, status)]
    outdated = {code: sum(1 for item in fields if item.statuses.get(code) == OUTDATED) for code in languages()}
    confirmable = [code for code in languages() if can(current_user, "edit_text", site, code)]
    return render_template(
        "translating/record.html", kind=kind, slug=slug, record=record_row, site=site, fields=shown,
        names=record_names(kind, document), stop_names=_stop_names(document),
        field_count=len(fields), outdated=outdated,
        outdated_langs=[code for code, count in outdated.items() if count], confirmable=confirmable, lang_filter=lang,
        status_filter=status, status_labels=STATUS_LABELS, editor_url=editor_url(kind, slug),
        language_label=language_label,
    )


def _stop_names(document: dict | None) -> dict[str, dict[str, str]]:
    """Each stop's title in each language, by slug."""
    stops = (document or {}).get("stops") or []
    return {stop["slug"]: {lang: (text or {}).get("title", "") for lang, text in (stop.get("text") or {}).items()}
            for stop in stops}


@bp.post("/translations/<kind>/<slug>/confirm")
def confirm_translation(kind: str, slug: str):
    """Confirm that one field, or every outdated field of a language, still holds its translation."""
    record_row, site = _record_and_site(kind, slug)
    lang = request.form.get("lang", "")
    if lang not in languages():
        abort(400, _("Choose a language to confirm."))
    require("edit_text", site, lang, target=f"{kind}:{slug}")
    path = request.form.get("path") or None
    try:
        confirmed = confirm(kind, slug, lang, current_user.email, path)
    except TranslationError as error:
        abort(400, str(error))
    audit("translation.confirm", f"{kind}:{slug}", lang=lang, fields=confirmed)
    db.session.commit()
    if confirmed:
        flash(ngettext("%(num)d translation confirmed.", "%(num)d translations confirmed.", len(confirmed)),
              "success")
    else:
        flash(_("Nothing was outdated in this language."), "success")
    # Back to the same filtered view, keeping only filter values that are valid.
    back_lang = request.form.get("next_lang") if request.form.get("next_lang") in languages() else None
    back_status = request.form.get("next_status") if request.form.get("next_status") in STATUSES else None
    return redirect(url_for("translating.record", kind=kind, slug=slug, lang=back_lang, status=back_status))
