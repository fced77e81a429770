"""The audit log for administrators: read-only, filtered, paged, and as CSV."""

import csv
import io

from flask import Blueprint
from flask import Response
from flask import render_template
from flask import request
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from guide.accounts.permissions import require
from guide.audit.models import OUTCOMES
from guide.audit.services import list_events
from guide.curator.shell import attach
from guide.curator.shell import menu_item
from guide.timeutil import as_utc

bp = Blueprint("audit", __name__, url_prefix="/curator", template_folder="templates")
attach(bp)
menu_item("audit.events", _l("Audit log"), "audit")
# A CSV export is capped: the log grows for years, and a download must not hold a worker for long.
CSV_LIMIT = 50_000


def _filters() -> dict[str, str]:
    """Read the filters from the query string; unknown outcomes and oversized values are dropped."""
    actor = request.args.get("actor", "").strip()[:320]
    action = request.args.get("action", "").strip()[:64]
    outcome = request.args.get("outcome", "")
    return {"actor": actor, "action": action, "outcome": outcome if outcome in OUTCOMES else ""}


def _page() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < 100_000 else 1


@bp.get("/audit")
def events():
    """Show the newest events first, filtered by actor, action and outcome."""
    require("audit")
    filters = _filters()
    page = _page()
    rows, more = list_events(page, **filters)
    return render_template("audit/events.html", events=rows, page=page, more=more, filters=filters,
                           outcomes=OUTCOMES, outcome_label=outcome_label, utc_iso=lambda moment: as_utc(moment).isoformat())


@bp.get("/audit.csv")
def events_csv():
    """Download the filtered events as CSV (times in UTC, ISO 8601)."""
    require("audit")
    filters = _filters()
    rows, _more = list_events(1, page_size=CSV_LIMIT, **filters)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["time_utc", "time_local", "actor", "action", "target", "outcome", "ip", "detail"])
    for event in rows:
        writer.writerow([as_utc(event.created_dt).isoformat(), format_datetime(event.created_dt, "yyyy-MM-dd HH:mm:ss"),
                         _safe(event.actor), event.action, _safe(event.target), event.outcome, event.ip,
                         _safe(str(event.detail or {}))])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="audit.csv"'})


def outcome_label(outcome: str) -> str:
    """Return an outcome's name in the interface language."""
    return {"ok": _("Done"), "refused": _("Refused"), "failed": _("Failed")}.get(outcome, outcome)


def _safe(value: str) -> str:
    # A cell starting with = + - @ would be a formula in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
