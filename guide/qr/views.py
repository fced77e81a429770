"""/q/<CODE>: where every plaque's QR code leads."""

from flask import Blueprint
from flask import g
from flask import render_template
from flask import url_for

from guide.caching import cached_response
from guide.i18n import languages
from guide.i18n import negotiate_language
from guide.monuments.views import render_monument
from guide.monuments.views import render_stop
from guide.qr.services import resolve_code

bp = Blueprint("qr", __name__, template_folder="templates")


@bp.get("/q/<code>")
def resolve(code: str):
    """Show what a plaque's code points at, in the visitor's language, without a redirect."""
    g.lang = negotiate_language()

    def build():
        resolution = resolve_code(code)
        if not resolution.found:
            status = 410 if resolution.code is not None else 404
            return render_template("qr/unknown.html", code=code, resolution=resolution), status
        target = resolution.code
        monument = target.target_monument
        if target.stop is not None:
            g.alternates = {
                lang: url_for("monuments.stop", lang=lang, slug=monument.slug, stop_slug=target.stop.slug)
                for lang in languages()
            }
            return render_stop(monument, target.stop, g.lang), 200
        g.alternates = {lang: url_for("monuments.detail", lang=lang, slug=monument.slug)
                        for lang in languages()}
        return render_monument(monument, g.lang), 200

    return cached_response(("q", g.lang, code.upper()), build, vary=("Cookie", "Accept-Language"))
