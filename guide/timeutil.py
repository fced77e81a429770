"""UTC timestamps for model defaults."""

from datetime import UTC
from datetime import datetime


def now_utc() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)
