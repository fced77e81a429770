"""Helpers for CMS tests: make curators, sign them in, post forms with their CSRF token."""

import re
from functools import cache

from flask import Flask
from sqlalchemy import select

from guide.accounts.models import CuratorSession
from guide.accounts.models import User
from guide.accounts.models import UserLanguage
from guide.accounts.sessions import SESSION_KEY
from guide.accounts.sessions import _hash
from guide.extensions import db
from guide.sites.models import Site

PASSWORD = "a long enough passphrase"
_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"|name="csrf_token" type="hidden" value="([^"]+)"'
                    r'|name="csrf_token" value="([^"]+)"')


@cache
def _password_hash(password: str) -> str:
    # argon2 takes a tenth of a second: hash each test password once per run.
    from guide.accounts.passwords import hash_password

    return hash_password(password)


def make_user(app: Flask, role: str = "editor", sites=("casablanca",), languages=(), email=None,
              password: str = PASSWORD, totp_secret: str | None = None) -> User:
    """Create an account directly in the database and return it (detached, ids loaded)."""
    email = email or f"{role}-{'-'.join(sites) or 'all'}-{'-'.join(languages) or 'all'}@dalil.example"
    with app.app_context():
        rows = list(db.session.scalars(select(Site).where(Site.slug.in_(sites)))) if sites else []
        user = User(email=email, role=role, password_hash=_password_hash(password), sites=rows,
                    language_rows=[UserLanguage(lang=lang) for lang in languages],
                    totp_secret=totp_secret, totp_confirmed=totp_secret is not None)
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def login(client, user: User, token: str | None = None) -> str:
    """Sign user in on client by opening a verified session directly; return the session token."""
    import secrets

    token = token or secrets.token_urlsafe(32)
    with client.application.app_context():
        db.session.add(CuratorSession(token_hash=_hash(token), user_id=user.id, verified=True))
        db.session.commit()
    with client.session_transaction() as session:
        session.clear()
        session[SESSION_KEY] = token
        session["_user_id"] = token
        session.permanent = True
    return token


def csrf_token(client, url: str = "/curator/") -> str:
    """Read a CSRF token from a CMS page (the meta tag every page carries)."""
    page = client.get(url).get_data(as_text=True)
    match = _TOKEN.search(page)
    assert match, f"no CSRF token on {url}"
    return next(group for group in match.groups() if group)


def post(client, url: str, data=None, token_from: str = "/curator/", **kwargs):
    """POST a form with a valid CSRF token."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client, token_from))
    return client.post(url, data=data, **kwargs)
