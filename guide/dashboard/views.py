"""/curator/dashboard: scans per monument, language, channel and day, drawn as SVG; and as CSV."""

import csv
import io

from flask import Blueprint
from flask import Response
from flask import render_template
from flask import request
from flask import stream_with_context
from flask_babel import format_date
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from guide.accounts.permissions import can
from guide.accounts.permissions import require
from guide.codes.services import place_name
from guide.codes.stats import flush_scans
from guide.curator.shell import attach
from guide.curator.shell import menu_item
from guide.dashboard.charts import bar_chart
from guide.dashboard.charts import column_chart
from guide.dashboard.services import CSV_COLUMNS
from guide.dashboard.services import MAX_DAYS
from guide.dashboard.services import FilterError
from guide.dashboard.services import Filters
from guide.dashboard.services import Report
from guide.dashboard.services import parse_filters
from guide.dashboard.services import scan_report
from guide.dashboard.services import scan_rows
from guide.errors import abort
from guide.extensions import db
from guide.i18n import current_language
from guide.i18n import language_name
from guide.i18n import text_direction
from guide.sites.models import Site

bp = Blueprint("dashboard", __name__, url_prefix="/curator", template_folder="templates")
attach(bp)
menu_item("dashboard.dashboard", _l("Scans"), "dashboard")

CHANNEL_NAMES = {
    "camera": _l("Phone camera"),
    "scan": _l("The guide's scanner"),
    "typed": _l("Typed code or number"),
}


def _dashboard_sites() -> list[Site]:
    sites = db.session.scalars(select(Site).order_by(Site.position, Site.slug))
    return [site for site in sites if can(current_user, "dashboard", site)]


def _filters(sites: list[Site]) -> Filters:
    """Read the query string; a site the curator may not see is a 403, like its pages."""
    filters = parse_filters(request.args, sites)
    if filters.site is not None:
        require("dashboard", filters.site)
    return filters


def _language_label(lang: str) -> str:
    try:
        return language_name(lang)
    except (ValueError, LookupError):
        return lang


def _charts(report: Report, filters: Filters) -> dict:
    lang = current_language()
    direction = text_direction(lang)
    monuments = []
    for monument, total in report.by_monument:
        name, name_lang = place_name(monument, None, lang) if monument else (_("No monument"), None)
        monuments.append((name, name_lang, total, format_decimal(total), monument.slug if monument else ""))
    # Each row ends with its key (slug, language or channel code, ISO day), which the tables carry.
    langs = [(_language_label(code), code, total, format_decimal(total), code) for code, total in report.by_lang]
    channels = [(str(CHANNEL_NAMES.get(code, code)), None, total, format_decimal(total), code)
                for code, total in report.by_channel]
    days = [(format_date(day, "medium"), total, format_decimal(total), day.isoformat()) for day, total in report.by_day]
    middle = report.by_day[len(report.by_day) // 2][0]
    axis = (format_date(filters.start, "medium"), format_date(middle, "medium"), format_date(filters.end, "medium"))
    busiest = max(report.by_day, key=lambda item: item[1]) if report.by_day else None
    return {
        "monuments": (monuments, bar_chart(monuments, direction)),
        "langs": (langs, bar_chart(langs, direction)),
        "channels": (channels, bar_chart(channels, direction)),
        "days": (days, column_chart(days, axis, direction, format_decimal)),
        "busiest": (format_date(busiest[0], "full"), format_decimal(busiest[1])) if busiest and busiest[1] else None,
    }


@bp.get("/dashboard")
def dashboard():
    """Show the scans of the curator's sites between two local days, as charts and tables."""
    require("dashboard")
    sites = _dashboard_sites()
    values = {name: request.args.get(name, "")[:32] for name in ("from", "to", "site")}
    try:
        filters = _filters(sites)
    except FilterError as error:
        return render_template("dashboard/dashboard.html", sites=sites, values=values, error=error,
                               max_days=MAX_DAYS), 400
    # This worker's counts not yet written would otherwise be missing for up to half a minute.
    flush_scans()
    report = scan_report(filters)
    values.update({"from": filters.start.isoformat(), "to": filters.end.isoformat()})
    return render_template("dashboard/dashboard.html", sites=sites, values=values, error=None, filters=filters,
                           report=report, charts=_charts(report, filters), max_days=MAX_DAYS,
                           csv_args={key: value for key, value in values.items() if value})


def _csv_lines(filters: Filters):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    # The byte order mark makes Excel read the file as UTF-8.
    buffer.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    for count, row in enumerate(scan_rows(filters), start=1):
        writer.writerow(row)
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@bp.get("/dashboard.csv")
def dashboard_csv():
    """Send the dashboard's counts as CSV: one row per day, code, language and channel."""
    require("dashboard")
    try:
        filters = _filters(_dashboard_sites())
    except FilterError as error:
        abort(400, str(error))
    flush_scans()
    name = f"dalil-scans-{filters.site.slug + '-' if filters.site else ''}{filters.start}-{filters.end}.csv"
    response = Response(stream_with_context(_csv_lines(filters)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    return response
