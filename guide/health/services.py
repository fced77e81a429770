"""Checks of what the app depends on: the database and the media store."""

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from guide.extensions import db
from guide.media.storage import StorageError
from guide.media.storage import media_storage

logger = logging.getLogger(__name__)


def check_database() -> bool:
    """Tell whether the database answers a trivial query (connect timeout: DATABASE_CONNECT_TIMEOUT)."""
    try:
        # A connection of its own: the request's session stays untouched (and unopened).
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        logger.warning("readyz: the database does not answer: %s", error.__class__.__name__)
        return False
    return True


def check_storage() -> bool:
    """Tell whether the media store answers (a folder we can write, or a bucket we can reach)."""
    try:
        media_storage().check()
    except (StorageError, OSError) as error:
        logger.warning("readyz: the media store %s does not answer: %s",
                       media_storage().description, error)
        return False
    return True


def readiness() -> dict[str, str]:
    """Check each dependency: {"database": "ok" | "unavailable", "storage": …}."""
    return {"database": "ok" if check_database() else "unavailable",
            "storage": "ok" if check_storage() else "unavailable"}
