"""Monument and stop pages rendered once, for their own URLs and for the plaque codes leading to them."""

import json

from flask import current_app
from flask import render_template
from flask import url_for
from markupsafe import Markup

from guide.media.services import media_url
from guide.monuments.models import Monument
from guide.monuments.models import Stop
from guide.monuments.services import neighbours
from guide.monuments.services import structured_data


def render_monument(monument: Monument, lang: str) -> str:
    """Render a monument's page in one language."""
    base = current_app.config["PUBLIC_BASE_URL"]
    page_url = base + url_for("monuments.detail", lang=lang, slug=monument.slug)
    jsonld = json.dumps(structured_data(monument, lang, page_url, lambda media: base + media_url(media)),
                        ensure_ascii=False)
    # "</" inside JSON-LD would close the script element early.
    jsonld = Markup(jsonld.replace("</", "<\\/"))
    return render_template("monuments/monument.html", monument=monument, jsonld=jsonld)


def render_stop(monument: Monument, stop: Stop, lang: str) -> str:
    """Render a stop's page in one language."""
    previous, following = neighbours(monument, stop)
    return render_template("monuments/stop.html", monument=monument, stop=stop,
                           previous=previous, following=following)
