"""The CMS home: the sites a curator works on, and the interface language switch."""

from flask import Blueprint
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from guide.curator.services import visible_sites
from guide.curator.shell import attach
from guide.curator.shell import safe_next
from guide.i18n import COOKIE_MAX_AGE
from guide.i18n import languages

bp = Blueprint("curator", __name__, url_prefix="/curator", template_folder="templates")
attach(bp, public_endpoints=("language",))


@bp.get("/")
def home():
    """List the sites this curator may open, with their monuments."""
    return render_template("curator/home.html", sites=visible_sites())


@bp.post("/language")
def language():
    """Switch the interface language (a cookie shared with the public guide)."""
    chosen = request.form.get("lang")
    response = redirect(safe_next(request.form.get("next")) or url_for("curator.home"))
    if chosen in languages():
        response.set_cookie(current_app.config["LANGUAGE_COOKIE"], chosen, max_age=COOKIE_MAX_AGE,
                            samesite="Lax", secure=request.is_secure, httponly=False)
    return response
