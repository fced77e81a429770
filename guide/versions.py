"""Content versions per scope (a site's slug), raised by every write and known to every worker.

A flush that changes what visitors of a site see raises that site's version in the same
transaction (one upsert). Each worker keeps all versions in memory, so a cached page is
checked without asking the database: a watcher thread hears of commits through PostgreSQL
LISTEN/NOTIFY, or Redis pub/sub when REDIS_URL is set, else re-reads the versions every
VERSION_CHECK_SECONDS. The process that commits applies its own change at once. The watcher
also publishes what was scheduled (publish_at) when it is due: no cron job is needed.
"""

from __future__ import annotations

import json
import logging
import os
import select
import threading
import time
import weakref
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from functools import cache

from flask import Flask
from flask import current_app
from flask import has_app_context
from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import inspect
from sqlalchemy import select as select_query
from sqlalchemy import union_all
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from guide.extensions import db
from guide.timeutil import now_utc

log = logging.getLogger(__name__)

# session.info keys: the scopes this transaction raised, and whether it changed a schedule.
RAISED = "dalil_raised"
SCHEDULED = "dalil_scheduled"
NOTIFIED = "dalil_schedule_notified"
DEFAULT_CHANNEL = "dalil_versions"
# Longest wait between two attempts to reach a database or Redis that is down.
MAX_BACKOFF = 30.0
# Even with notifications, re-read everything this often: a lost message heals, and a
# schedule set by a process that could not notify is seen.
RECONCILE_SECONDS = 30.0
# After publish_due could not publish what is due, wait this long before trying again.
PUBLISH_RETRY_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The versions a worker knows, as one immutable value swapped whole on each change."""

    # Raised when a version went down (a restored database): every entry is then stale.
    epoch: int = 0
    # Raised on every change; an entry stamped with the current generation is fresh.
    generation: int = 0
    versions: Mapping[str, int] = field(default_factory=dict)


# Sessions with raised scopes not committed yet: their reads must not use nor fill caches.
_in_flight: set[int] = set()


def writing() -> bool:
    """Tell whether this context's session changed public content it has not committed yet."""
    return bool(_in_flight) and db.session.registry.has() and id(db.session()) in _in_flight


# --- Which site a changed row belongs to -------------------------------------------------


# Each public table, and the column that leads to its parent (or to the site itself).
PARENT_COLUMNS = {
    "Site": ("slug",), "SiteText": ("site_id",), "Monument": ("site_id",), "MonumentText": ("monument_id",),
    "Stop": ("monument_id",), "StopText": ("stop_id",), "Image": ("monument_id", "stop_id"),
    "ImageText": ("image_id",), "Guide": ("monument_id", "stop_id"), "Code": ("site_id",),
    "Tour": ("site_id",), "TourText": ("tour_id",), "TourStop": ("tour_id",),
}
PARENTS = {"site_id": "Site", "monument_id": "Monument", "stop_id": "Stop", "image_id": "Image", "tour_id": "Tour"}
# Relationships that carry the parent of a row attached before its foreign key is set.
PARENT_RELATIONS = {"site_id": "site", "monument_id": "monument"}


@cache
def _models() -> dict[str, type]:
    from guide import models

    return {name: getattr(models, name) for name in PARENT_COLUMNS}


@cache
def _public_models() -> dict[type, tuple[str, ...]]:
    return {model: PARENT_COLUMNS[name] for name, model in _models().items()}


class _Scopes:
    """Resolve rows to site slugs during one flush, each parent looked up once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.memo: dict[tuple[str, int], set[str]] = {}

    def of(self, obj: object) -> set[str]:
        scopes: set[str] = set()
        for column in _public_models()[type(obj)]:
            if column == "slug":
                scopes.update(_values(obj, "slug"))
                continue
            for parent_id in _values(obj, column):
                scopes |= self._parent(PARENTS[column], parent_id)
            # A row just attached through a relationship has no foreign key value before the flush.
            relation = PARENT_RELATIONS.get(column)
            if relation in inspect(type(obj)).relationships:
                parent = getattr(obj, relation)
                if parent is not None:
                    scopes |= self.of(parent)
        return scopes

    def _parent(self, model: str, parent_id: int | None) -> set[str]:
        if parent_id is None:
            return set()
        key = (model, parent_id)
        if key not in self.memo:
            parent = self.session.get(_models()[model], parent_id)
            self.memo[key] = self.of(parent) if parent is not None else set()
        return self.memo[key]


def _values(obj: object, attribute: str) -> list:
    """The attribute's value and, if it changed in this flush, its former value."""
    # Loaded if need be: a row expired by the last commit still names its parent.
    history = inspect(obj).attrs[attribute].load_history()
    return [*history.added, *history.unchanged, *history.deleted]


def _changed_attributes(obj: object) -> set[str]:
    return {attribute.key for attribute in inspect(obj).attrs if attribute.history.has_changes()}


def _before_flush(session: Session, _flush_context, _instances) -> None:
    # Registered on every Session: only flushes touching the public tables cost anything.
    from guide.publishing.models import BOOKKEEPING_COLUMNS

    models = _public_models()
    scopes: set[str] = set()
    resolver = _Scopes(session)
    with session.no_autoflush:
        for obj in session.dirty:
            if type(obj) in models and session.is_modified(obj):
                changed = _changed_attributes(obj)
                if "publish_at" in changed:
                    session.info[SCHEDULED] = True
                if changed - BOOKKEEPING_COLUMNS:
                    scopes |= resolver.of(obj)
        for obj in (*session.new, *session.deleted):
            if type(obj) in models:
                if getattr(obj, "publish_at", None) is not None:
                    session.info[SCHEDULED] = True
                scopes |= resolver.of(obj)
    raised = session.info.setdefault(RAISED, [])
    # Raised once per transaction is enough: nobody else sees it before the commit.
    scopes -= {scope for _transaction, versions in raised for scope in versions}
    if scopes:
        versions = _raise_versions(session, sorted(scopes))
        raised.append((session.get_nested_transaction() or session.get_transaction(), versions))
        _in_flight.add(id(session))
    elif session.info.get(SCHEDULED) and not session.info.get(NOTIFIED):
        _notify(session, {"schedule": True})


def _raise_versions(session: Session, scopes: list[str]) -> dict[str, int]:
    from guide.content.models import ContentVersion

    table = ContentVersion.__table__
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    now = now_utc()
    statement = insert(table).values([{"scope": scope, "version": 1, "updated_dt": now} for scope in scopes])
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.scope], set_={"version": table.c.version + 1, "updated_dt": now}
    ).returning(table.c.scope, table.c.version)
    versions = dict(connection.execute(statement).all())
    _notify(session, {"versions": versions, "schedule": bool(session.info.get(SCHEDULED))})
    return versions


def _notify(session: Session, message: dict) -> None:
    # PostgreSQL delivers it at commit, and drops it on rollback, like the rows themselves.
    session.info[NOTIFIED] = session.info.get(SCHEDULED, False)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        channel = current_app.config["VERSION_CHANNEL"] if has_app_context() else DEFAULT_CHANNEL
        connection.execute(select_query(func.pg_notify(channel, json.dumps(message))))


def _after_commit(session: Session) -> None:
    raised = session.info.get(RAISED, [])
    scheduled = session.info.get(SCHEDULED, False)
    versions: dict[str, int] = {}
    for _transaction, values in raised:
        versions.update(values)
    _forget(session)
    if (versions or scheduled) and has_app_context():
        watcher = current_app.extensions.get("dalil_versions")
        if watcher is not None:
            watcher.committed(versions, scheduled)


def _after_soft_rollback(session: Session, previous) -> None:
    raised = session.info.get(RAISED)
    if previous.nested and raised:
        # Only what the rolled-back savepoint (and the savepoints inside it) raised is undone.
        raised[:] = [item for item in raised if not _within(item[0], previous)]


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        _forget(session)


def _forget(session: Session) -> None:
    for key in (RAISED, SCHEDULED, NOTIFIED):
        session.info.pop(key, None)
    _in_flight.discard(id(session))


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


event.listen(Session, "before_flush", _before_flush)
event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_soft_rollback", _after_soft_rollback)
event.listen(Session, "after_transaction_end", _after_transaction_end)


# --- What each worker knows ---------------------------------------------------------------


class Watcher:
    """One app's view of the versions in this process, kept current by a daemon thread."""

    def __init__(self, app: Flask) -> None:
        self.app = weakref.ref(app)
        self.database_url = app.config["SQLALCHEMY_DATABASE_URI"]
        self.redis_url = app.config.get("REDIS_URL") or None
        self.channel = app.config["VERSION_CHANNEL"]
        self.interval = float(app.config["VERSION_CHECK_SECONDS"])
        # A database that is down must not hold the thread (or the first request) for long.
        self.connect_timeout = int(app.config.get("DATABASE_CONNECT_TIMEOUT") or 2)
        self.snapshot = Snapshot()
        self.next_due: datetime | None = None
        self._lock = threading.Lock()
        self._started = False
        self._reset()
        _watchers.add(self)

    def _reset(self) -> None:
        # Fresh thread state: at creation, and in a forked child (threads do not survive fork).
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        # Written to wake the thread at once (to stop, or to publish a new schedule).
        self._wake_read = self._wake_write = -1
        self._engine: Engine | None = None
        self._publisher = None
        self._local_commits = self._reading_since = 0
        self._publish_after = 0.0

    def current(self) -> Snapshot:
        """Return the versions as this worker knows them, starting the watcher on first use."""
        if not self._started:
            self.start()
        return self.snapshot

    def start(self) -> None:
        """Read the versions now, then keep them current in a daemon thread."""
        with self._lock:
            if self._started:
                return
            self._started = True
            self._wake_read, self._wake_write = os.pipe()
            os.set_blocking(self._wake_write, False)
            url = make_url(self.database_url)
            connect_args = {"connect_timeout": self.connect_timeout} if url.get_backend_name() == "postgresql" else {}
            self._engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
        try:
            self.reload()
        except Exception as error:  # a database that is down: the thread retries
            log.warning("content versions not read yet: %s", error)
        app = self.app()
        if app is not None:
            # Tests dispose each app's engine at teardown: the watcher ends with it.
            event.listen(_engine_of(app), "engine_disposed", _stopper(weakref.ref(self)))
        self._thread = threading.Thread(target=self._run, name="dalil-versions", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the thread and close its connections; the next cached read starts it again."""
        with self._lock:
            if not self._started:
                return
            thread = self._thread
            self._stopping.set()
            self._wake()
        if thread is not None and thread is not threading.current_thread():
            thread.join(10)
        with self._lock:
            if self._publisher is not None:
                self._publisher.close()
            if self._engine is not None:
                self._engine.dispose()
            os.close(self._wake_read)
            os.close(self._wake_write)
            self._reset()
            self._started = False

    # Changes

    def merge(self, versions: Mapping[str, int], complete: bool = False) -> None:
        """Take in versions heard of; complete when they are the whole table."""
        with self._lock:
            current = self.snapshot
            if complete and self._local_commits == self._reading_since:
                lowered = any(versions.get(scope, 0) < value for scope, value in current.versions.items())
                if lowered:
                    # A restored database: versions went down, so no stamp can be trusted.
                    self.snapshot = Snapshot(current.epoch + 1, current.generation + 1, dict(versions))
                    return
            merged = dict(current.versions)
            for scope, version in versions.items():
                if version > merged.get(scope, 0):
                    merged[scope] = version
            if merged != current.versions:
                self.snapshot = Snapshot(current.epoch, current.generation + 1, merged)

    def committed(self, versions: dict[str, int], scheduled: bool) -> None:
        """Apply this process's own commit at once, and tell the other workers through Redis."""
        with self._lock:
            self._local_commits += 1
        self.merge(versions)
        if scheduled:
            self._publish_after = 0.0
            self._wake()
        if self.redis_url:
            self._publish({"versions": versions, "schedule": scheduled})

    def reload(self) -> None:
        """Read every version and the next publication time from the database."""
        from guide.content.models import ContentVersion
        from guide.monuments.models import Monument
        from guide.sites.models import Site

        with self._lock:
            self._reading_since = self._local_commits
        table = ContentVersion.__table__
        due = union_all(
            select_query(func.min(Site.publish_at)), select_query(func.min(Monument.publish_at))
        ).subquery()
        with self._engine.connect() as connection:
            versions = dict(connection.execute(select_query(table.c.scope, table.c.version)).all())
            dues = [_aware(when) for when in connection.execute(select_query(due.c[0])).scalars() if when]
        self.merge(versions, complete=True)
        self.next_due = min(dues, default=None)

    # The thread

    def _run(self) -> None:
        backoff = self.interval
        while not self._stopping.is_set():
            try:
                if self.redis_url:
                    self._listen_redis()
                elif make_url(self.database_url).get_backend_name() == "postgresql":
                    self._listen_postgres()
                else:
                    self._poll()
                backoff = self.interval
            except Exception as error:  # down: keep serving what is cached, retry
                if self._stopping.is_set():
                    break
                log.warning("content versions: %s; retrying in %.0f s", error, backoff)
                self._sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)

    def _poll(self) -> None:
        while not self._stopping.is_set():
            self.reload()
            self._publish_due()
            self._sleep(self.interval)

    def _listen_postgres(self) -> None:
        import psycopg
        from psycopg import sql

        url = make_url(self.database_url).set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True,
                             connect_timeout=self.connect_timeout) as connection:
            connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            # Listening first, then reading: no commit falls between the two.
            self._listen(connection.fileno(), lambda: [n.payload for n in connection.notifies(timeout=0)])

    def _listen_redis(self) -> None:
        import redis

        client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=5, health_check_interval=30)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(self.channel)

            def received() -> list[str]:
                messages = []
                while (message := pubsub.get_message(timeout=0)) is not None:
                    messages.append(message["data"])
                return messages

            self._listen(pubsub.connection._sock.fileno(), received)
        finally:
            pubsub.close()
            client.close()

    def _listen(self, fileno: int, received) -> None:
        self.reload()
        reconciled = time.monotonic()
        while not self._stopping.is_set():
            ready, _w, _x = select.select([fileno, self._wake_read], [], [], self._timeout())
            if self._wake_read in ready:
                os.read(self._wake_read, 64)
            if fileno in ready:
                for payload in received():
                    self._heard(payload)
            if time.monotonic() - reconciled >= RECONCILE_SECONDS:
                self.reload()
                reconciled = time.monotonic()
            self._publish_due()

    def _heard(self, payload: str | bytes) -> None:
        message = json.loads(payload)
        self.merge({str(scope): int(version) for scope, version in (message.get("versions") or {}).items()})
        if message.get("schedule"):
            self.reload()
            self._publish_after = 0.0

    def _timeout(self) -> float:
        if self.next_due is None:
            return RECONCILE_SECONDS
        due_in = (self.next_due - now_utc()).total_seconds()
        # A publication that failed waits for its retry time, not in a busy loop.
        retry_in = self._publish_after - time.monotonic()
        return min(RECONCILE_SECONDS, max(due_in, retry_in, 0.0))

    def _sleep(self, seconds: float) -> None:
        ready, _w, _x = select.select([self._wake_read], [], [], seconds)
        if ready:
            os.read(self._wake_read, 64)

    def _wake(self) -> None:
        # A full pipe already holds a wake-up.
        with suppress(BlockingIOError):
            if self._wake_write >= 0:
                os.write(self._wake_write, b"x")

    def _publish_due(self) -> None:
        """Publish what was scheduled for now or earlier, once its time has come."""
        now = now_utc()
        if self.next_due is None or self.next_due > now or time.monotonic() < self._publish_after:
            return
        app = self.app()
        if app is None:
            return
        with app.app_context():
            try:
                from guide.publishing.services import publish_due

                publish_due(now)
                db.session.commit()
            except Exception:
                # Logged and tried again later; the watcher itself keeps running.
                log.exception("scheduled publication failed")
                db.session.rollback()
            finally:
                db.session.remove()
        self.reload()
        if self.next_due is not None and self.next_due <= now:
            # Nothing more could be published: do not retry in a tight loop.
            self._publish_after = time.monotonic() + PUBLISH_RETRY_SECONDS

    def _publish(self, message: dict) -> None:
        import redis

        try:
            if self._publisher is None:
                self._publisher = redis.Redis.from_url(self.redis_url, socket_connect_timeout=2, socket_timeout=2)
            self._publisher.publish(self.channel, json.dumps(message))
        except redis.RedisError as error:
            # The others still see it at their next reconcile, within RECONCILE_SECONDS.
            log.warning("content versions not published to Redis: %s", error)
            publisher, self._publisher = self._publisher, None
            if publisher is not None:
                publisher.close()


def _aware(when: datetime) -> datetime:
    # SQLite gives back naive datetimes; they were stored in UTC.
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _engine_of(app: Flask) -> Engine:
    if has_app_context() and current_app._get_current_object() is app:
        return db.engine
    with app.app_context():
        return db.engine


def _stopper(watcher: weakref.ref):
    # Held by the engine: it must not keep the watcher (and its app) alive.
    def stop(*_args) -> None:
        found = watcher()
        if found is not None:
            found.stop()

    return stop


_watchers: weakref.WeakSet[Watcher] = weakref.WeakSet()
# Objects a forked child inherited: kept, never closed, since closing them would end the
# parent's connections too.
_inherited: list = []


def _after_fork() -> None:
    for watcher in list(_watchers):
        _inherited.append((watcher._engine, watcher._publisher, watcher._wake_read, watcher._wake_write))
        watcher._started = False
        watcher._reset()
    _in_flight.clear()


os.register_at_fork(after_in_child=_after_fork)


def snapshot() -> Snapshot:
    """Return the versions this worker knows for the current app."""
    return current_app.extensions["dalil_versions"].current()


def init_app(app: Flask) -> None:
    """Give the app its watcher; it starts on the first cached read, in each worker."""
    watcher = app.extensions["dalil_versions"] = Watcher(app)
    weakref.finalize(app, _stop_quietly, weakref.ref(watcher))


def _stop_quietly(watcher: weakref.ref) -> None:
    found = watcher()
    if found is not None:
        found.stop()
