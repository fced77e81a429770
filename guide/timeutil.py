"""UTC timestamps for model defaults, and reading stored or local times as UTC."""

from datetime import UTC
from datetime import datetime
from zoneinfo import ZoneInfo


def now_utc() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """Return moment in UTC; SQLite hands back naive datetimes, and every stored time is UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def local_to_utc(moment: datetime, zone: str) -> datetime:
    """Read a naive wall-clock time in zone (say Africa/Casablanca) as a UTC instant."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)
