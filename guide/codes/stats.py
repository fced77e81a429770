"""Scan statistics: counts per code, local day, language and channel, and nothing personal.

Counting must not slow the scan itself, so each worker adds to an in-memory counter and
writes it with one upsert (count = count + n) every SCAN_FLUSH_HITS scans or
SCAN_FLUSH_SECONDS, after the response that made it due has been sent, and when the worker
exits. No address, user agent or visitor id is ever kept.
"""

import atexit
import logging
import weakref
from collections import Counter
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from functools import cache
from threading import Lock
from time import monotonic
from zoneinfo import ZoneInfo

from flask import Flask
from flask import Response
from flask import current_app
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import SQLAlchemyError

from guide.codes.models import CHANNELS
from guide.codes.models import Code
from guide.codes.models import ScanCount
from guide.extensions import db
from guide.timeutil import now_utc

logger = logging.getLogger(__name__)

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_CREATE_LOCK = Lock()

Key = tuple[str, date, str, str]


def channel_of(via: str | None) -> str:
    """Map the ?via= parameter to a channel; anything unknown is the phone's camera."""
    return via if via in CHANNELS else "camera"


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_day(when: datetime | None = None) -> date:
    """Return the day of when (default: now) in the guide's time zone."""
    zone = _zone(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return (when or now_utc()).astimezone(zone).date()


class ScanCounter:
    """One worker's scan counts not yet in the database."""

    def __init__(self, app: Flask) -> None:
        self._app = weakref.ref(app)
        self.flush_hits = app.config["SCAN_FLUSH_HITS"]
        self.flush_seconds = app.config["SCAN_FLUSH_SECONDS"]
        self._pending: Counter[Key] = Counter()
        self._hits = 0
        self._last_flush = monotonic()
        self._lock = Lock()

    @property
    def pending(self) -> dict[Key, int]:
        with self._lock:
            return dict(self._pending)

    def add(self, key: Key) -> bool:
        """Count one scan; return True when it is time to flush."""
        with self._lock:
            self._pending[key] += 1
            self._hits += 1
            return self._hits >= self.flush_hits or monotonic() - self._last_flush >= self.flush_seconds

    def flush(self) -> int:
        """Add the pending counts to the database in one statement; return how many scans."""
        with self._lock:
            taken, self._pending = self._pending, Counter()
            self._hits = 0
            self._last_flush = monotonic()
        if not taken:
            return 0
        try:
            _upsert(taken)
        except SQLAlchemyError:
            # Statistics must never break a visit: keep the counts for the next try.
            logger.warning("Could not save %d scan counts; will retry", sum(taken.values()), exc_info=True)
            with self._lock:
                self._pending.update(taken)
            return 0
        return sum(taken.values())

    def flush_at_exit(self) -> None:
        """Save what is left when the worker stops."""
        app = self._app()
        if app is not None and self._pending:
            with app.app_context():
                self.flush()


def _upsert(counts: Counter[Key]) -> None:
    # Its own short transaction on its own connection: the request's session is left alone.
    insert = _INSERTS[db.engine.dialect.name]
    rows = [
        {"code": code, "day": day, "lang": lang, "channel": channel, "count": count}
        for (code, day, lang, channel), count in sorted(counts.items())
    ]
    statement = insert(ScanCount).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["code", "day", "lang", "channel"],
        set_={"count": ScanCount.__table__.c.count + statement.excluded.count},
    )
    with db.engine.begin() as connection:
        connection.execute(statement)


def scan_counter() -> ScanCounter:
    """Return this app's counter, creating it on first use."""
    extensions = current_app.extensions
    counter = extensions.get("dalil_scan_counter")
    if counter is None:
        with _CREATE_LOCK:
            counter = extensions.get("dalil_scan_counter")
            if counter is None:
                counter = extensions["dalil_scan_counter"] = ScanCounter(current_app._get_current_object())
                # Tests flush explicitly; a test database may be gone by the time Python exits.
                if not current_app.testing:
                    atexit.register(counter.flush_at_exit)
    return counter


def count_scan(code: str, lang: str, channel: str | None, when: datetime | None = None) -> bool:
    """Count one resolution of an existing code; return True when the counts are due a flush."""
    if not current_app.config["SCAN_STATS"]:
        return False
    return scan_counter().add((code, local_day(when), lang, channel_of(channel)))


def flush_after(response: Response) -> None:
    """Flush this worker's counts once the response is sent, off the visitor's time."""
    app = current_app._get_current_object()

    def flush() -> None:
        with app.app_context():
            scan_counter().flush()

    response.call_on_close(flush)


def flush_scans() -> int:
    """Write this worker's pending counts now; return how many scans were written."""
    return scan_counter().flush()


@dataclass(frozen=True)
class ScanTotal:
    code: str
    lang: str
    channel: str
    count: int


def _within(query, start: date | None, end: date | None, site_id: int | None):
    if start is not None:
        query = query.where(ScanCount.day >= start)
    if end is not None:
        query = query.where(ScanCount.day <= end)
    if site_id is not None:
        query = query.join(Code, Code.code == ScanCount.code).where(Code.site_id == site_id)
    return query


def scan_totals(start: date | None = None, end: date | None = None,
                site_id: int | None = None) -> list[ScanTotal]:
    """Sum the counts per code, language and channel between two local days (inclusive)."""
    query = (
        select(ScanCount.code, ScanCount.lang, ScanCount.channel, func.sum(ScanCount.count))
        .group_by(ScanCount.code, ScanCount.lang, ScanCount.channel)
        .order_by(ScanCount.code, ScanCount.lang, ScanCount.channel)
    )
    rows = db.session.execute(_within(query, start, end, site_id))
    return [ScanTotal(code, lang, channel, int(total)) for code, lang, channel, total in rows]


def daily_totals(start: date | None = None, end: date | None = None,
                 site_id: int | None = None) -> list[tuple[date, int]]:
    """Sum the counts per local day, oldest first."""
    query = select(ScanCount.day, func.sum(ScanCount.count)).group_by(ScanCount.day).order_by(ScanCount.day)
    return [(day, int(total)) for day, total in db.session.execute(_within(query, start, end, site_id))]


def code_totals(site_id: int) -> dict[str, int]:
    """Sum every scan of each code of a site, all days; codes never scanned are absent."""
    query = select(ScanCount.code, func.sum(ScanCount.count)).group_by(ScanCount.code)
    return {code: int(total) for code, total in db.session.execute(_within(query, None, None, site_id))}
