"""Rendered pages and API documents, cached per worker and stamped with the versions they show.

Each entry records the scopes (sites) it was built from and their versions (guide/versions.py).
A hit whose scopes are unchanged is served from memory with no database access; an edit in
one site leaves the other sites' entries, and their ETags, alone.
"""

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from threading import Lock
from typing import Any

from flask import Flask
from flask import Response
from flask import current_app
from flask import request

from guide import versions
from guide.versions import Snapshot

Built = str | bytes | tuple[str | bytes, int] | tuple[str | bytes, int, dict[str, str]]


@dataclass(frozen=True, slots=True)
class Stamp:
    """What an entry was built from."""

    epoch: int = -1
    generation: int = -1
    # (scope, version) pairs, or None: built from every scope.
    scopes: tuple[tuple[str, int], ...] | None = None
    # (check, expected): parts shared with every scope (the home page in a pack) are
    # compared by content, so the entry survives an edit that leaves them unchanged.
    checks: tuple[tuple[Callable[[], Any], Any], ...] = ()


NEVER = Stamp()


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
    stamp: Stamp = NEVER
    # Where it is cached (None: it was not), so that another URL can point at it.
    key: tuple | None = None


@dataclass(frozen=True, slots=True)
class Alias:
    """Another URL's way to a page: the page's key, so the page is cached once whatever URL reached it."""

    target: tuple
    stamp: Stamp = NEVER
    key: tuple | None = None


@dataclass(frozen=True, slots=True)
class Follow:
    """What an aliased URL shows: another URL's page, which page() returns (cached under its own key)."""

    page: Callable[[], CachedBody]


@dataclass(frozen=True, slots=True)
class Value:
    """Any other computed value (an offline pack), cached like a body."""

    value: Any
    stamp: Stamp = NEVER
    key: tuple | None = None


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
    """A small thread-safe LRU of stamped entries."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Any) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __iter__(self) -> Iterator[tuple]:
        """Go through the keys held, least recently used first."""
        with self._lock:
            return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(eq=False)
class _Build:
    """What a build in progress has shown so far."""

    snapshot: Snapshot
    declared: bool = False
    every: bool = False
    scopes: set[str] = field(default_factory=set)
    checks: list = field(default_factory=list)

    def include(self, stamp: Stamp) -> None:
        """Count an entry used inside this build as part of it."""
        if stamp.scopes is None:
            self.every = True
        else:
            self.scopes.update(scope for scope, _version in stamp.scopes)
        self.checks.extend(stamp.checks)

    def stamp(self) -> Stamp:
        snapshot = self.snapshot
        if self.every or not self.declared:
            scopes = None
        else:
            scopes = tuple((scope, snapshot.versions.get(scope, 0)) for scope in sorted(self.scopes))
        return Stamp(snapshot.epoch, snapshot.generation, scopes, tuple(self.checks))


# The builds in progress in this context, innermost last: a page built inside a pack is part
# of the pack. The outermost build's snapshot serves them all, taken before any read: what
# they read is at least that new (each statement sees the latest commit), never older.
_builds: ContextVar[tuple[_Build, ...]] = ContextVar("dalil_builds", default=())


def depends_on(*scopes: str) -> None:
    """Declare that what is being built shows these sites' content.

    Cached parts it uses count too; with no scope, it shows nothing but those parts. A build
    that declares nothing depends on every site.
    """
    builds = _builds.get()
    if builds:
        builds[-1].declared = True
        builds[-1].scopes.update(scopes)


@contextmanager
def collecting() -> Iterator[_Build]:
    """Gather what the entries used inside the block were built from, without caching anything."""
    builds = _builds.get()
    build = _Build(builds[-1].snapshot if builds else versions.snapshot(), declared=True)
    token = _builds.set((*builds, build))
    try:
        yield build
    finally:
        _builds.reset(token)


def include_part(used: _Build, check: Callable[[], Any], expected: Any) -> None:
    """Count a part gathered with collecting() in the build around it.

    By its sites when it has them; when it shows every site (the home page in a site's pack),
    by its content instead: the build stays fresh while check() still returns expected.
    """
    builds = _builds.get()
    if not builds:
        return
    if used.every:
        builds[-1].checks.append((check, expected))
    else:
        builds[-1].scopes.update(used.scopes)
        builds[-1].checks.extend(used.checks)


def _fresh(cache: ResponseCache, key: tuple, found: Any, snapshot: Snapshot) -> Any:
    """Return the entry if it still shows what the snapshot says, else None."""
    stamp = found.stamp
    if stamp.generation == snapshot.generation:
        return found
    if stamp.scopes is None or stamp.epoch != snapshot.epoch:
        return None
    known = snapshot.versions
    if any(known.get(scope, 0) != version for scope, version in stamp.scopes):
        return None
    if any(check() != expected for check, expected in stamp.checks):
        return None
    # Still right: stamped anew, so the next hit is a single comparison.
    renewed = replace(found, stamp=replace(stamp, generation=snapshot.generation))
    cache.put(key, renewed)
    return renewed


def _cached(cache: ResponseCache, key: tuple | None, produce: Callable[[], Any],
            keep: Callable[[Any], bool] | None = None) -> Any:
    """Return the entry under key if fresh, else produce, stamp and (if keep allows) store it."""
    builds = _builds.get()
    outer = builds[-1] if builds else None
    snapshot = outer.snapshot if outer else versions.snapshot()
    # Inside a transaction that changed content, the database says more than the versions.
    usable = key is not None and not versions.writing()
    if usable:
        found = cache.get(key)
        if found is not None and (found := _fresh(cache, key, found, snapshot)) is not None:
            if outer is not None:
                outer.include(found.stamp)
            return found
    build = _Build(snapshot)
    token = _builds.set((*builds, build))
    try:
        made = produce()
    finally:
        _builds.reset(token)
    stored = usable and (keep is None or keep(made))
    made = replace(made, stamp=build.stamp(), key=key if stored else None)
    if outer is not None:
        outer.include(made.stamp)
    if stored:
        cache.put(key, made)
    return made


def _response_cache() -> ResponseCache:
    return current_app.extensions["dalil_response_cache"]


def _cache_and_snapshot(builds: tuple[_Build, ...]) -> tuple[ResponseCache, Snapshot]:
    # One look at the app for both: a cached answer pays for little else.
    extensions = current_app.extensions
    snapshot = builds[-1].snapshot if builds else extensions["dalil_versions"].current()
    return extensions["dalil_response_cache"], snapshot


def _entry(built: Built, mimetype: str, vary: tuple[str, ...]) -> CachedBody:
    body, status, headers = (*built, {})[:3] if isinstance(built, tuple) else (built, 200, {})
    if isinstance(body, str):
        body = body.encode()
    return make_entry(body, mimetype, status, tuple(headers.items()), vary)


def cached_response(
    key: tuple | None,
    build: Callable[[], Built],
    mimetype: str = "text/html; charset=utf-8",
    vary: tuple[str, ...] = (),
    cache_statuses: tuple[int, ...] | None = None,
) -> Response:
    """Serve a body built once per version of what it shows, with an ETag and 304 on revalidation."""
    return conditional_response(cached_entry(key, build, mimetype, vary, cache_statuses))


def cached_entry(
    key: tuple | None,
    build: Callable[[], Built],
    mimetype: str = "text/html; charset=utf-8",
    vary: tuple[str, ...] = (),
    cache_statuses: tuple[int, ...] | None = None,
) -> CachedBody:
    """Return the body cached under key, building it when missing or stale.

    build returns the body, or (body, status), or (body, status, headers) as a Flask view would.
    With key None the body is built but never cached; with cache_statuses, only bodies of those
    statuses are kept, so a flood of unknown URLs cannot evict real pages. Packs call this with a
    page's own key, so what they list is byte for byte what the page's URL then serves.
    """
    keep = None if cache_statuses is None else (lambda entry: entry.status in cache_statuses)
    return _cached(_response_cache(), key, lambda: _entry(build(), mimetype, vary), keep)


def aliased_entry(
    key: tuple | None,
    find: Callable[[], Follow | Built],
    mimetype: str = "text/html; charset=utf-8",
    cache_statuses: tuple[int, ...] | None = None,
) -> CachedBody:
    """Return what key leads to: another URL's page (find gives a Follow) or a body of its own.

    For a page, only a small alias is kept under key: the page itself is cached once, under
    its own URL's key, and a hit costs two lookups.
    """
    builds = _builds.get()
    cache, snapshot = _cache_and_snapshot(builds)
    usable = key is not None and not versions.writing()
    if usable:
        found = cache.get(key)
        if found is not None:
            found = _fresh(cache, key, found, snapshot)
        page = found
        if isinstance(found, Alias):
            page = cache.get(found.target)
            if page is not None:
                page = _fresh(cache, found.target, page, snapshot)
        if page is not None:
            if builds:
                builds[-1].include(found.stamp)
                builds[-1].include(page.stamp)
            return page
    pages: list[CachedBody] = []

    def produce() -> Alias | CachedBody:
        target = find()
        if isinstance(target, Follow):
            pages.append(target.page())
            return Alias(pages[0].key)
        return _entry(target, mimetype, ())

    # Built afresh (key None: no lookup, no store), then kept under key here.
    made = _cached(cache, None, produce)
    if isinstance(made, Alias):
        if usable and made.target is not None:
            cache.put(key, replace(made, key=key))
        return pages[0]
    if usable and (cache_statuses is None or made.status in cache_statuses):
        cache.put(key, replace(made, key=key))
    return made


def cached_value(store: str, size: int, key: tuple, build: Callable[[], Any]) -> Any:
    """Return a value computed once per version of what it shows; None results are not kept."""
    cache = current_app.extensions.setdefault(store, ResponseCache(size))
    return _cached(cache, key, lambda: Value(build()), keep=lambda made: made.value is not None).value


def conditional_response(entry: CachedBody, vary: tuple[str, ...] = ()) -> Response:
    """Answer 304 when the client already has these bytes, else send them (with Vary, if given)."""
    extra = (("Vary", ", ".join(vary)),) if vary else ()
    if (
        entry.status == 200
        and "HTTP_IF_NONE_MATCH" in request.environ
        # If-None-Match compares weakly (RFC 9110 §13.1.2): W/"x" matches, as nginx's gzip sends.
        and request.if_none_match.contains_weak(entry.etag)
    ):
        return Response(status=304, headers=[*entry.not_modified_headers, *extra])
    return Response(entry.body, status=entry.status, headers=[*entry.full_headers, *extra])


def init_app(app: Flask) -> None:
    """Attach a fresh response cache, and the versions it is checked against, to this app."""
    app.extensions["dalil_response_cache"] = ResponseCache(app.config["RESPONSE_CACHE_SIZE"])
    versions.init_app(app)

