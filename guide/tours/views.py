"""Tour pages for visitors."""

from flask import Blueprint
from flask_babel import format_decimal

from guide.caching import conditional_response
from guide.tours.rendering import tour_page
from guide.tours.services import format_distance
from guide.tours.services import format_minutes
from guide.tours.services import pick_note
from guide.tours.services import route

bp = Blueprint("tours", __name__, template_folder="templates")
# The site page lists tours with these too.
for helper in (format_distance, format_minutes, pick_note):
    bp.add_app_template_global(helper)
bp.add_app_template_global(format_decimal, "format_decimal")
bp.add_app_template_global(route, "tour_route")


@bp.get("/<lang:lang>/tours/<slug>")
def detail(lang: str, slug: str):
    """Show a walking tour: its route, distance, walking time and stops, printable as a list."""
    return conditional_response(tour_page(lang, slug))
