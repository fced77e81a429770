"""The CMS pages of plaque codes: a site's codes, their lifecycle, and plaque downloads."""

import re
import unicodedata
from urllib.parse import quote

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from guide.accounts.permissions import can
from guide.accounts.permissions import require
from guide.audit.services import record
from guide.codes.models import Code
from guide.codes.services import CodeError
from guide.codes.services import codes_in_site
from guide.codes.services import create_code
from guide.codes.services import find_code
from guide.codes.services import next_number
from guide.codes.services import parse_target
from guide.codes.services import place_name
from guide.codes.services import read_code
from guide.codes.services import retarget_code
from guide.codes.services import retire_code
from guide.codes.services import site_targets
from guide.codes.services import target_key
from guide.codes.stats import code_totals
from guide.curator.shell import attach
from guide.curator.shell import site_link
from guide.errors import abort
from guide.extensions import db
from guide.i18n import current_language
from guide.monuments.services import get_monument
from guide.plaques.layouts import LAYOUTS
from guide.plaques.layouts import PAPERS
from guide.publishing.services import list_revisions
from guide.sites.services import get_site
from guide.text import pick

bp = Blueprint("codes_cms", __name__, url_prefix="/curator", template_folder="templates")
attach(bp)
site_link("codes_cms.codes", _l("Plaques and codes"), "view")

MAX_NUMBER = 999_999
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
# Bidi controls and other invisible format characters must not reach a saved file's name.
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|]+')


def _site_or_404(slug: str):
    site = get_site(slug) if SLUG.fullmatch(slug) else None
    if site is None:
        abort(404, _("No site has this address."))
    return site


def _code_or_404(raw: str) -> Code:
    folded = read_code(raw)
    code = find_code(folded) if folded else None
    if code is None:
        abort(404, _("No plaque carries this code."))
    return code


def _codes_page(site, status: int = 200, form: dict | None = None, error: str | None = None):
    codes = codes_in_site(site)
    return render_template(
        "codes/cms_codes.html", site=site, codes=codes, totals=code_totals(site.id),
        targets=site_targets(site), may_change=can(current_user, "codes", site),
        next_number=next_number(site), form=form or {}, error=error,
        in_service=sum(not code.is_retired for code in codes),
    ), status


def _code_page(code: Code, status: int = 200, form: dict | None = None, error: str | None = None,
               action: str | None = None):
    return render_template(
        "codes/cms_code.html", code=code, site=code.site, targets=site_targets(code.site),
        may_change=can(current_user, "codes", code.site), revisions=list_revisions("code", code.code),
        total=code_totals(code.site_id).get(code.code, 0), form=form or {}, error=error, action=action,
        papers=tuple(PAPERS), address=f"{current_app.config['PUBLIC_BASE_URL']}/q/{code.code}",
    ), status


@bp.get("/sites/<slug>/codes")
def codes(slug: str):
    """List every code of a site: number, target, state, dates and scans."""
    site = _site_or_404(slug)
    require("view", site)
    return _codes_page(site)


def _number(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_NUMBER:
        raise CodeError(_("A keypad number is a whole number from 1 to %(max)d.", max=MAX_NUMBER))
    return int(raw)


@bp.post("/sites/<slug>/codes/create")
def create(slug: str):
    """Give a monument or a stop of this site a new code; the next keypad number unless one is given."""
    site = _site_or_404(slug)
    require("codes", site)
    form = {"target": request.form.get("target", ""), "number": request.form.get("number", "")[:16]}
    try:
        monument, stop = parse_target(site, form["target"])
        code = create_code(monument, stop, _number(form["number"]), author=current_user.email)
    except CodeError as error:
        db.session.rollback()
        return _codes_page(site, 400, form, str(error))
    record("code.create", f"code:{code.code}", site=site.slug, to=target_key(monument, stop), number=code.number)
    db.session.commit()
    flash(_("The code %(code)s (number %(number)d) was created.", code=code.code, number=code.number), "success")
    return redirect(url_for("codes_cms.code", code=code.code))


@bp.get("/codes/<code>")
def code(code: str):
    """Show one code: its QR symbol, target, history, downloads and what may be done with it."""
    row = _code_or_404(code)
    require("view", row.site)
    return _code_page(row)


@bp.post("/codes/<code>/retarget")
def retarget(code: str):
    """Point a code at another monument or stop of its site; the printed plaque stays valid."""
    row = _code_or_404(code)
    require("codes", row.site)
    form = {"target": request.form.get("target", "")}
    before = target_key(row.target_monument, row.stop) if row.target_monument else ""
    try:
        monument, stop = parse_target(row.site, form["target"])
        retarget_code(row, monument, stop, author=current_user.email)
    except CodeError as error:
        db.session.rollback()
        return _code_page(_code_or_404(code), 400, form, str(error), "retarget")
    record("code.retarget", f"code:{row.code}", site=row.site.slug, before=before, after=target_key(monument, stop))
    db.session.commit()
    flash(_("The code %(code)s now leads to its new place.", code=row.code), "success")
    return redirect(url_for("codes_cms.code", code=row.code))


@bp.post("/codes/<code>/retire")
def retire(code: str):
    """Take a code out of service for good, once the curator confirms; scans then show a 410 page."""
    row = _code_or_404(code)
    require("codes", row.site)
    try:
        if request.form.get("confirm") != "yes":
            raise CodeError(_("Tick the box to confirm that this plaque is taken out of service."))
        retire_code(row, author=current_user.email)
    except CodeError as error:
        db.session.rollback()
        return _code_page(_code_or_404(code), 400, {}, str(error), "retire")
    record("code.retire", f"code:{row.code}", site=row.site.slug)
    db.session.commit()
    flash(_("The code %(code)s is retired.", code=row.code), "success")
    return redirect(url_for("codes_cms.code", code=row.code))


# Plaque downloads, drawn by the same service as `flask labels`.

def _attachment(body: bytes, mimetype: str, filename: str, fallback: str) -> Response:
    """Send a file to save, its name per RFC 6266: an ASCII fallback and the UTF-8 name."""
    name = "".join(char for char in unicodedata.normalize("NFC", filename)
                   if unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    name = _UNSAFE_NAME.sub("-", name).strip(" .-") or fallback
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    return response


def _choice(name: str, allowed, default: str) -> str:
    value = request.args.get(name, default)
    if value not in allowed:
        abort(400, _("Choose one of: %(choices)s.", choices=", ".join(allowed)))
    return value


def _draw(plaques_of: dict, layout: str, paper: str, file_format: str, title: str) -> bytes:
    # Imported here: only a curator's download pays for loading the PDF stack (fpdf, fontTools).
    from guide.plaques.labels import LabelError
    from guide.plaques.services import label_files
    from guide.plaques.services import plaques_for

    try:
        plaques = plaques_for(**plaques_of)
    except CodeError as error:
        abort(400, str(error))
    if not plaques:
        abort(404, _("There is no code to print."))
    try:
        return label_files(plaques, layout, paper, file_format, title)[0]
    except LabelError as error:
        # Missing fonts or shaping libraries: the server's set-up, not the curator's request.
        abort(503, str(error))


@bp.get("/codes/<code>/plaque.<any(pdf, png):ext>")
def plaque(code: str, ext: str):
    """Download one plaque, one page of the chosen paper size, as PDF or 300 dpi PNG."""
    row = _code_or_404(code)
    require("view", row.site)
    paper = _choice("paper", tuple(PAPERS), "a6")
    body = _draw({"codes": (row.code,)}, "plaque", paper, ext, row.code)
    name, _lang = place_name(row.target_monument, row.stop, current_language())
    fallback = f"plaque-{row.code}-{paper}.{ext}"
    return _attachment(body, "application/pdf" if ext == "pdf" else "image/png",
                       f"{row.code} {name}.{ext}" if name else fallback, fallback)


@bp.get("/monuments/<slug>/plaques.pdf")
def monument_plaques(slug: str):
    """Download every plaque of a monument and its stops: one plaque a page, or sticker sheets."""
    monument = get_monument(slug) if SLUG.fullmatch(slug) else None
    if monument is None:
        abort(404, _("No monument has this address."))
    require("view", monument.site)
    layout = _choice("layout", LAYOUTS, "plaque")
    paper = _choice("paper", tuple(PAPERS), "a6")
    body = _draw({"monument": monument.slug}, layout, paper, "pdf", monument.slug)
    name, _lang = place_name(monument, None, current_language())
    fallback = f"plaques-{monument.slug}.pdf"
    return _attachment(body, "application/pdf", f"{name}.pdf", fallback)


@bp.get("/sites/<slug>/plaques.pdf")
def site_plaques(slug: str):
    """Download a site's sheet: every code in service on A4 sticker pages (or one plaque a page)."""
    site = _site_or_404(slug)
    require("view", site)
    layout = _choice("layout", LAYOUTS, "sheet")
    paper = _choice("paper", tuple(PAPERS), "a6")
    body = _draw({"site": site.slug}, layout, paper, "pdf", site.slug)
    fallback = f"plaques-{site.slug}.pdf"
    text = pick(site.texts, current_language())
    return _attachment(body, "application/pdf", f"{text.name}.pdf" if text else fallback, fallback)


@bp.context_processor
def code_helpers() -> dict:
    """Template helpers of the codes pages."""
    return {"place_name": place_name, "target_key": target_key}
