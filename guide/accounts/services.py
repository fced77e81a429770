"""Curator accounts: finding, creating and changing them, and checking credentials."""

import unicodedata

from flask_babel import gettext as _
from sqlalchemy import select

from guide.accounts.models import ROLES
from guide.accounts.models import User
from guide.accounts.models import UserLanguage
from guide.accounts.passwords import check_policy
from guide.accounts.passwords import dummy_hash
from guide.accounts.passwords import hash_password
from guide.accounts.passwords import needs_rehash
from guide.accounts.passwords import verify_password
from guide.extensions import db
from guide.i18n import languages
from guide.sites.models import Site
from guide.timeutil import now_utc


class AccountError(ValueError):
    """An account change that cannot be made; the message is translated."""


def normalize_email(email: str) -> str:
    """Fold an email (NFKC, case-folded, trimmed) so look-alike spellings are one account."""
    return unicodedata.normalize("NFKC", email).strip().casefold()


def find_user(email: str) -> User | None:
    """Return the account with this email, however it is spelled, or None."""
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """Return the active account these credentials open, or None; rehash an old-parameter hash."""
    user = find_user(email) if len(email) <= 320 else None
    if user is None:
        verify_password(dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _sites(slugs) -> list[Site]:
    sites = []
    for slug in slugs:
        site = db.session.scalar(select(Site).where(Site.slug == slug))
        if site is None:
            raise AccountError(_("No site has the slug %(slug)s.", slug=slug))
        sites.append(site)
    return sites


def _languages(codes) -> list[UserLanguage]:
    unknown = [code for code in codes if code not in languages()]
    if unknown:
        raise AccountError(_("Unknown language: %(code)s.", code=", ".join(unknown)))
    return [UserLanguage(lang=code) for code in dict.fromkeys(codes)]


def create_user(email: str, role: str, password: str, sites=(), langs=(), name: str = "") -> User:
    """Create an account after checking its email, role, scope and password. The caller commits."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 320 or any(not c.isprintable() or c.isspace() for c in email):
        raise AccountError(_("Give a valid email address."))
    if role not in ROLES:
        raise AccountError(_("The role must be admin, editor or translator."))
    if find_user(email) is not None:
        raise AccountError(_("An account with this email already exists."))
    if role == "translator" and not langs:
        raise AccountError(_("A translator needs at least one language."))
    if role != "admin" and not sites:
        raise AccountError(_("An editor or translator needs at least one site."))
    check_policy(password, email)
    user = User(email=email, role=role, name=name.strip()[:200], password_hash=hash_password(password),
                sites=_sites(sites), language_rows=_languages(langs))
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Change a password; every other session of the account ends. The caller commits."""
    from guide.accounts.sessions import end_all_sessions

    check_policy(password, user.email)
    user.password_hash = hash_password(password)
    user.password_changed_dt = now_utc()
    end_all_sessions(user, keep_current=True)
    db.session.flush()
