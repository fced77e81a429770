"""Rendered pages and API documents, cached per worker and keyed by the content version.

Every cached read still asks the database for the current version, so an edit shows up
on the very next request in every worker; only the rendering is saved.
"""

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock

from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import request
from sqlalchemy import select
from sqlalchemy import update

from guide.extensions import db


@dataclass(frozen=True, slots=True)
class CachedBody:
    body: bytes
    mimetype: str
    etag: str
    status: int = 200


class ResponseCache:
    """A small thread-safe LRU of rendered bodies."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, CachedBody] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple) -> CachedBody | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: CachedBody) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def content_version() -> int:
    """Return the current content version, read once per request."""
    if "content_version" not in g:
        from guide.content.models import ContentState

        g.content_version = db.session.scalar(select(ContentState.version).where(ContentState.id == 1)) or 0
    return g.content_version


def bump_content_version() -> None:
    """Mark content as changed so every worker re-renders; the caller commits."""
    from guide.content.models import ContentState
    from guide.timeutil import now_utc

    state = db.session.get(ContentState, 1)
    if state is None:
        db.session.add(ContentState(id=1, version=1))
    else:
        db.session.execute(
            update(ContentState)
            .where(ContentState.id == 1)
            .values(version=ContentState.version + 1, updated_dt=now_utc())
        )
    db.session.flush()
    g.pop("content_version", None)


def cached_response(
    key: tuple,
    build: Callable[[], str | bytes | tuple[str | bytes, int]],
    mimetype: str = "text/html; charset=utf-8",
    vary: tuple[str, ...] = (),
) -> Response:
    """Serve a body built once per content version, with an ETag and 304 on revalidation."""
    cache: ResponseCache = current_app.extensions["dalil_response_cache"]
    full_key = (content_version(), *key)
    entry = cache.get(full_key)
    if entry is None:
        built = build()
        body, status = built if isinstance(built, tuple) else (built, 200)
        if isinstance(body, str):
            body = body.encode()
        entry = CachedBody(body, mimetype, hashlib.blake2b(body, digest_size=16).hexdigest(), status)
        cache.put(full_key, entry)
    response = conditional_response(entry)
    response.vary.update(vary)
    return response


def conditional_response(entry: CachedBody) -> Response:
    """Answer 304 when the client already has these bytes, else send them."""
    if entry.status == 200 and entry.etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(entry.body, status=entry.status, content_type=entry.mimetype)
    response.set_etag(entry.etag)
    # Revalidate every time: content changes must reach visitors at once.
    response.headers["Cache-Control"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    """Attach a fresh response cache to this app."""
    app.extensions["dalil_response_cache"] = ResponseCache(app.config["RESPONSE_CACHE_SIZE"])
