"""Rendered pages and API documents, cached per worker and keyed by the content version.

Every cached read still asks the database for the current version, so an edit shows up
on the very next request in every worker; only the rendering is saved.
"""

import hashlib
import os
import weakref
from collections import OrderedDict
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from threading import Lock

from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import request
from sqlalchemy import Engine
from sqlalchemy import Select
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.pool import PoolProxiedConnection

from guide.extensions import db

_READER_LOCK = Lock()


@dataclass(frozen=True, slots=True)
class CachedBody:
    body: bytes
    mimetype: str
    etag: str
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    # Built once per entry: every hit sends the same headers.
    full_headers: tuple[tuple[str, str], ...] = ()
    not_modified_headers: tuple[tuple[str, str], ...] = ()


def make_entry(body: bytes, mimetype: str, status: int = 200,
               headers: tuple[tuple[str, str], ...] = (), vary: tuple[str, ...] = ()) -> CachedBody:
    """Wrap a rendered body with its ETag and the headers every response for it carries."""
    etag = hashlib.blake2b(body, digest_size=16).hexdigest()
    # Revalidate every time: content changes must reach visitors at once.
    validators = (("ETag", f'"{etag}"'), ("Cache-Control", "no-cache"))
    if vary:
        validators += (("Vary", ", ".join(vary)),)
    return CachedBody(
        body, mimetype, etag, status, headers,
        full_headers=(("Content-Type", mimetype), *validators, *headers),
        not_modified_headers=(*validators, *headers),
    )


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


@cache
def _version_query() -> Select:
    from guide.content.models import ContentState

    table = ContentState.__table__
    return select(table.c.version).where(table.c.id == 1)


class VersionReader:
    """Read the content version on connections kept open for it: one round trip per request.

    Every request asks for the version, and a pooled checkout adds a ping and a reset rollback
    to that one query, several times its cost on a cache hit. These connections run in
    autocommit, so each read sees the latest commit and none holds a transaction or lock
    between requests. A broken connection is replaced and the read retried once.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sql = str(_version_query().compile(engine, compile_kwargs={"literal_binds": True}))
        self._idle: list[PoolProxiedConnection] = []
        # Connections a forked worker inherited: never used nor closed, since closing would
        # end the parent's sessions too.
        self._inherited: list[PoolProxiedConnection] = []
        self._lock = Lock()
        # An app dropped without disposing its engine (tests) still closes these properly.
        weakref.finalize(self, _close_all, self._idle)
        # Bumped when the engine is disposed: connections out at that moment are closed on return.
        self._generation = 0
        self._pid = os.getpid()
        event.listen(engine, "engine_disposed", _closer(weakref.ref(self)))

    def read(self) -> int | None:
        """Return the version row's value, or None when there is no row yet."""
        with self._lock:
            if self._pid != os.getpid():
                # A forked worker must not share its parent's sockets.
                self._inherited.extend(self._idle)
                self._idle.clear()
                self._pid = os.getpid()
            connection = self._idle.pop() if self._idle else None
            generation = self._generation
        for attempt in (1, 2):
            if connection is None:
                connection = self._connect()
            try:
                row = self._query(connection)
                break
            except self.engine.dialect.loaded_dbapi.Error:
                _discard(connection)
                connection = None
                if attempt == 2:
                    raise
            except BaseException:
                _discard(connection)
                raise
        with self._lock:
            if generation == self._generation:
                self._idle.append(connection)
                connection = None
        if connection is not None:
            _discard(connection)
        return row[0] if row else None

    def _query(self, connection: PoolProxiedConnection) -> tuple | None:
        cursor = connection.cursor()
        try:
            cursor.execute(self.sql)
            return cursor.fetchone()
        finally:
            # Closing the cursor ends the statement, so SQLite releases its read lock now.
            cursor.close()

    def close(self) -> None:
        """Close the idle connections; runs when the engine is disposed."""
        with self._lock:
            idle = list(self._idle)
            self._idle.clear()
            self._generation += 1
        _close_all(idle)

    def _connect(self) -> PoolProxiedConnection:
        connection = self.engine.raw_connection()
        # From now on this reader owns the connection, not the pool.
        connection.detach()
        try:
            connection.rollback()
            self.engine.dialect.set_isolation_level(connection.dbapi_connection, "AUTOCOMMIT")
        except BaseException:
            _discard(connection)
            raise
        return connection


def _closer(reader: weakref.ref) -> Callable[..., None]:
    # Held by the engine's listeners, so it must not keep the reader (and its app) alive.
    def close(*_args) -> None:
        found = reader()
        if found is not None:
            found.close()

    return close


def _discard(connection: PoolProxiedConnection) -> None:
    # The connection may already be broken; closing it is all that is left to do.
    with suppress(Exception):
        connection.close()


def _close_all(connections: list[PoolProxiedConnection]) -> None:
    for connection in list(connections):
        _discard(connection)
    connections.clear()


def _version_reader() -> VersionReader:
    engine = db.engine
    reader = current_app.extensions.get("dalil_version_reader")
    if reader is None or reader.engine is not engine:
        with _READER_LOCK:
            reader = current_app.extensions.get("dalil_version_reader")
            if reader is None or reader.engine is not engine:
                reader = current_app.extensions["dalil_version_reader"] = VersionReader(engine)
    return reader


def content_version() -> int:
    """Return the current content version, read once per request."""
    if "content_version" not in g:
        if db.session.registry.has() and db.session().in_transaction():
            # This request already reads or writes: ask inside its transaction, so a version it
            # bumped and has not committed yet is the one it sees.
            version = db.session.execute(_version_query()).scalar()
        else:
            version = _version_reader().read()
        g.content_version = version or 0
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
    key: tuple | None,
    build: Callable[[], str | bytes | tuple[str | bytes, int] | tuple[str | bytes, int, dict[str, str]]],
    mimetype: str = "text/html; charset=utf-8",
    vary: tuple[str, ...] = (),
    cache_statuses: tuple[int, ...] | None = None,
) -> Response:
    """Serve a body built once per content version, with an ETag and 304 on revalidation."""
    return conditional_response(cached_entry(key, build, mimetype, vary, cache_statuses))


def cached_entry(
    key: tuple | None,
    build: Callable[[], str | bytes | tuple[str | bytes, int] | tuple[str | bytes, int, dict[str, str]]],
    mimetype: str = "text/html; charset=utf-8",
    vary: tuple[str, ...] = (),
    cache_statuses: tuple[int, ...] | None = None,
) -> CachedBody:
    """Return the body cached under key for this content version, building it once if missing.

    build returns the body, or (body, status), or (body, status, headers) as a Flask view would.
    With key None the body is built but never cached; with cache_statuses, only bodies of those
    statuses are kept, so a flood of unknown URLs cannot evict real pages. Packs call this with a
    page's own key, so what they list is byte for byte what the page's URL then serves.
    """
    cache: ResponseCache = current_app.extensions["dalil_response_cache"]
    full_key = None if key is None else (content_version(), *key)
    entry = None if full_key is None else cache.get(full_key)
    if entry is None:
        built = build()
        body, status, headers = (*built, {})[:3] if isinstance(built, tuple) else (built, 200, {})
        if isinstance(body, str):
            body = body.encode()
        entry = make_entry(body, mimetype, status, tuple(headers.items()), vary)
        if full_key is not None and (cache_statuses is None or status in cache_statuses):
            cache.put(full_key, entry)
    return entry


def conditional_response(entry: CachedBody) -> Response:
    """Answer 304 when the client already has these bytes, else send them."""
    if (
        entry.status == 200
        and "HTTP_IF_NONE_MATCH" in request.environ
        # If-None-Match compares weakly (RFC 9110 §13.1.2): W/"x" matches, as nginx's gzip sends.
        and request.if_none_match.contains_weak(entry.etag)
    ):
        return Response(status=304, headers=list(entry.not_modified_headers))
    return Response(entry.body, status=entry.status, headers=list(entry.full_headers))


def init_app(app: Flask) -> None:
    """Attach a fresh response cache to this app."""
    app.extensions["dalil_response_cache"] = ResponseCache(app.config["RESPONSE_CACHE_SIZE"])
