"""Server-side curator sessions: the cookie carries a random token, the database its hash."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask import session
from flask_login import LoginManager
from flask_login import UserMixin
from sqlalchemy import delete
from sqlalchemy import select

from guide.accounts.models import CuratorSession
from guide.accounts.models import User
from guide.extensions import db
from guide.timeutil import as_utc
from guide.timeutil import now_utc

SESSION_KEY = "curator_token"
# Writing seen_dt on every request would make each CMS page a write; a minute is precise enough.
SEEN_RESOLUTION = timedelta(seconds=60)
# Between the password and the second factor: long enough to find the phone, no longer.
PENDING_LIFETIME = timedelta(minutes=10)


class Curator(UserMixin):
    """The signed-in curator as Flask-Login sees them: the user row and this browser's session."""

    def __init__(self, user: User, record: CuratorSession):
        self.user, self.record = user, record

    def get_id(self) -> str:
        return session.get(SESSION_KEY, "")

    def __getattr__(self, name):
        return getattr(self.user, name)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, verified: bool) -> str:
    """Open a session for user and put its new token in the cookie; the caller commits."""
    # Whatever session this browser had (another account, a half-way sign-in) ends here, not at its timeout.
    previous = session.get(SESSION_KEY)
    if isinstance(previous, str) and previous:
        db.session.execute(delete(CuratorSession).where(CuratorSession.token_hash == _hash(previous)))
    token = secrets.token_urlsafe(32)
    db.session.add(CuratorSession(token_hash=_hash(token), user_id=user.id, verified=verified))
    # A fresh cookie at each sign-in: a token planted before login never becomes valid (ASVS 7.2.4).
    session.clear()
    session[SESSION_KEY] = token
    session.permanent = True
    db.session.flush()
    return token


def current_record() -> CuratorSession | None:
    """Return this browser's session row, signed in or half-way (password given, second factor not)."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        return None
    record = db.session.get(CuratorSession, _hash(token))
    if record is None or not record.user.active:
        return None
    moment = now_utc()
    config = current_app.config
    if (moment - as_utc(record.seen_dt) > timedelta(minutes=config["SESSION_IDLE_MINUTES"])
            or moment - as_utc(record.created_dt) > timedelta(hours=config["SESSION_HOURS"])):
        db.session.delete(record)
        db.session.commit()
        return None
    if moment - as_utc(record.seen_dt) > SEEN_RESOLUTION:
        record.seen_dt = moment
        db.session.commit()
    return record


def end_session() -> None:
    """Sign this browser out: its row is deleted, so a copied cookie is worthless. The caller commits."""
    token = session.get(SESSION_KEY)
    if isinstance(token, str) and token:
        db.session.execute(delete(CuratorSession).where(CuratorSession.token_hash == _hash(token)))
    session.clear()


def end_all_sessions(user: User, keep_current: bool = False) -> int:
    """End every session of user (all but this browser's when asked); return how many. The caller commits."""
    query = delete(CuratorSession).where(CuratorSession.user_id == user.id)
    token = session.get(SESSION_KEY) if keep_current else None
    if token:
        query = query.where(CuratorSession.token_hash != _hash(token))
    return db.session.execute(query).rowcount


def sessions_of(user: User) -> list[CuratorSession]:
    """Return the open sessions of user, newest first."""
    return list(db.session.scalars(
        select(CuratorSession).where(CuratorSession.user_id == user.id).order_by(CuratorSession.created_dt.desc())
    ))


def load_curator(_token: str) -> Curator | None:
    """Flask-Login's loader: only a verified, live session of an active account signs in."""
    record = current_record()
    if record is None or not record.verified:
        return None
    return Curator(record.user, record)


def init_app(app, login_manager: LoginManager) -> None:
    """Use the server-side sessions for Flask-Login."""
    login_manager.user_loader(load_curator)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = None


def pending_record() -> CuratorSession | None:
    """Return this browser's session if the password was given but the second factor not yet."""
    record = current_record()
    if record is None or record.verified or now_utc() - as_utc(record.created_dt) > PENDING_LIFETIME:
        return None
    return record


def verify_session(user: User) -> str:
    """Finish a sign-in after the second factor: the half-way session is replaced by a new token."""
    end_session()
    return start_session(user, verified=True)
