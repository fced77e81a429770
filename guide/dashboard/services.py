"""What the scan dashboard reads: counts per local day, site, monument, code, language and channel."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select

from guide.codes.models import CHANNELS
from guide.codes.models import Code
from guide.codes.models import ScanCount
from guide.codes.stats import local_day
from guide.extensions import db
from guide.monuments.models import Monument
from guide.monuments.models import Stop
from guide.sites.models import Site

DEFAULT_DAYS = 30
# Three years of days: a range longer than that is refused rather than drawn as a smear.
MAX_DAYS = 3 * 366
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class FilterError(ValueError):
    """A filter the dashboard cannot use; the message is translated, field names the input."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass
class Filters:
    start: date
    end: date
    # The one site asked for, or None for every site the curator may see.
    site: Site | None
    site_ids: list[int]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _day(raw: str | None, field_name: str, default: date) -> date:
    if raw is None or raw == "":
        return default
    if not _DAY.fullmatch(raw):
        raise FilterError(field_name, _("Give the date as year-month-day, for example 2025-03-30."))
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(field_name, _("This date does not exist.")) from None


def parse_filters(args, sites: list[Site]) -> Filters:
    """Read from, to and site from a query string; raise FilterError for what cannot be used.

    sites are the sites the curator may see; asking for another one is the caller's 403.
    """
    end = _day(args.get("to"), "to", local_day())
    # Before 0001-01-01 there is no date: the default window starts there at the earliest.
    span = timedelta(days=DEFAULT_DAYS - 1)
    start = _day(args.get("from"), "from", end - span if end - date.min >= span else date.min)
    if start > end:
        raise FilterError("from", _("The first day comes after the last day."))
    if (end - start).days + 1 > MAX_DAYS:
        raise FilterError("from", _("Choose at most %(days)d days.", days=MAX_DAYS))
    slug = args.get("site") or ""
    if not slug:
        return Filters(start, end, None, [site.id for site in sites])
    site = db.session.scalar(select(Site).where(Site.slug == slug[:64]))
    if site is None:
        raise FilterError("site", _("No site has this address."))
    return Filters(start, end, site, [site.id])


@dataclass
class Report:
    """The counts the dashboard draws, each list biggest first (days in order)."""

    total: int = 0
    by_day: list[tuple[date, int]] = field(default_factory=list)
    by_monument: list[tuple[Monument | None, int]] = field(default_factory=list)
    by_lang: list[tuple[str, int]] = field(default_factory=list)
    by_channel: list[tuple[str, int]] = field(default_factory=list)


def _monument_id():
    # A code leads to a monument directly or through one of its stops.
    return func.coalesce(Code.monument_id, Stop.monument_id)


def _counts(filters: Filters, *columns):
    return (
        select(*columns, func.sum(ScanCount.count))
        .select_from(ScanCount)
        .join(Code, Code.code == ScanCount.code)
        .outerjoin(Stop, Stop.id == Code.stop_id)
        .where(ScanCount.day >= filters.start, ScanCount.day <= filters.end, Code.site_id.in_(filters.site_ids))
        .group_by(*columns)
    )


def scan_report(filters: Filters) -> Report:
    """Sum the scans of the filtered sites and days per day, monument, language and channel."""
    per_day = dict(db.session.execute(_counts(filters, ScanCount.day)).all())
    days = [filters.start + timedelta(days=offset) for offset in range(filters.days)]
    by_day = [(day, int(per_day.get(day) or 0)) for day in days]
    per_monument = {key: int(total) for key, total in db.session.execute(_counts(filters, _monument_id()))}
    monuments = {monument.id: monument for monument in db.session.scalars(
        select(Monument).where(Monument.id.in_([key for key in per_monument if key is not None])))}
    by_monument = sorted(((monuments.get(key), total) for key, total in per_monument.items()),
                         key=lambda item: (-item[1], item[0].position if item[0] else 1 << 30,
                                           item[0].slug if item[0] else ""))
    per_lang = {lang: int(total) for lang, total in db.session.execute(_counts(filters, ScanCount.lang))}
    per_channel = {channel: int(total) for channel, total in db.session.execute(_counts(filters, ScanCount.channel))}
    return Report(
        total=sum(total for _day, total in by_day),
        by_day=by_day,
        by_monument=by_monument,
        by_lang=sorted(per_lang.items(), key=lambda item: (-item[1], item[0])),
        # Every channel, scanned or not: a zero says something too.
        by_channel=sorted(((channel, per_channel.get(channel, 0)) for channel in CHANNELS),
                          key=lambda item: (-item[1], CHANNELS.index(item[0]))),
    )


CSV_COLUMNS = ("day", "site", "monument", "code", "lang", "channel", "scans")


def scan_rows(filters: Filters) -> Iterator[tuple]:
    """Yield one row per day, code, language and channel, as the CSV export writes them."""
    target = select(Monument.id, Monument.slug).subquery()
    query = (
        select(ScanCount.day, Site.slug, target.c.slug, ScanCount.code, ScanCount.lang, ScanCount.channel,
               ScanCount.count)
        .select_from(ScanCount)
        .join(Code, Code.code == ScanCount.code)
        .join(Site, Site.id == Code.site_id)
        .outerjoin(Stop, Stop.id == Code.stop_id)
        .outerjoin(target, target.c.id == _monument_id())
        .where(ScanCount.day >= filters.start, ScanCount.day <= filters.end, Code.site_id.in_(filters.site_ids),
               ScanCount.count > 0)
        .order_by(ScanCount.day, Site.position, Site.slug, target.c.slug, ScanCount.code, ScanCount.lang,
                  ScanCount.channel)
    )
    for day, site, monument, code, lang, channel, count in db.session.execute(query.execution_options(yield_per=1000)):
        yield day.isoformat(), site, monument or "", code, lang, channel, count
