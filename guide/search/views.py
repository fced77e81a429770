"""The search page: a form and the monuments it finds, in the page's language."""

from flask import Blueprint
from flask import render_template
from flask import request
from flask_babel import gettext as _

from guide.caching import cached_response
from guide.caching import depends_on
from guide.search.services import MAX_QUERY_LENGTH
from guide.search.services import search

bp = Blueprint("search", __name__, template_folder="templates")


@bp.app_context_processor
def search_helpers():
    """Give every page's search box its length limit."""
    return {"search_max_length": MAX_QUERY_LENGTH}


@bp.get("/<lang:lang>/search")
def page(lang: str):
    """Show the search form and what q finds; without q, the empty form (kept offline too)."""
    query = request.args.get("q", "")
    if len(query) > MAX_QUERY_LENGTH:
        error = _("The search is too long: at most %(maximum)d characters.", maximum=MAX_QUERY_LENGTH)
        return cached_response(None, lambda: (render_template(
            "search/results.html", query=query[:MAX_QUERY_LENGTH], results=[], error=error), 400))
    if not query.strip():
        def empty():
            # The empty form shows no content: no site's change makes it stale.
            depends_on()
            return render_template("search/results.html", query="", results=[], error=None)

        # The page the service worker keeps for searching offline.
        return cached_response(("search-page", lang), empty)
    # What visitors type is not kept in the page cache, where it would push out the pages.
    return cached_response(None, lambda: render_template(
        "search/results.html", query=query, results=search(query, lang), error=None))
