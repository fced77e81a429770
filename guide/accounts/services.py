"""Curator accounts: finding, creating and changing them, and checking credentials."""

import unicodedata

from flask_babel import gettext as _
from sqlalchemy import select

from guide.accounts.models import ROLES
from guide.accounts.models import User
from guide.accounts.models import UserLanguage
from guide.accounts.passwords import MAX_LENGTH
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


class DuplicateAccount(AccountError):
    """An account with this (folded) email exists already."""


def normalize_email(email: str) -> str:
    """Fold an email (NFKC, case-folded, trimmed) so look-alike spellings are one account."""
    return unicodedata.normalize("NFKC", email).strip().casefold()


def find_user(email: str) -> User | None:
    """Return the account with this email, however it is spelled, or None."""
    folded = normalize_email(email)
    if "\x00" in folded:
        return None  # no account has one (check_new_account), and PostgreSQL refuses NUL in a query
    return db.session.scalar(select(User).where(User.email == folded))


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


def _clean_name(name: str) -> str:
    # PostgreSQL refuses NUL in text; controls and direction overrides would garble the user list.
    return "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf")).strip()[:200]


def _sites(slugs) -> list[Site]:
    sites = []
    for slug in slugs:
        # A NUL in a query parameter is a PostgreSQL error: no slug has one.
        site = db.session.scalar(select(Site).where(Site.slug == slug)) if "\x00" not in slug else None
        if site is None:
            raise AccountError(_("No site has the slug %(slug)s.", slug=slug.replace("\x00", "")))
        sites.append(site)
    return sites


def _languages(codes) -> list[UserLanguage]:
    unknown = [code for code in codes if code not in languages()]
    if unknown:
        raise AccountError(_("Unknown language: %(code)s.", code=", ".join(unknown)))
    return [UserLanguage(lang=code) for code in dict.fromkeys(codes)]


def check_new_account(email: str, role: str, sites=(), langs=()) -> str:
    """Check a new account's email, role, sites and languages; return the folded email."""
    email = normalize_email(email)
    local, _at, domain = email.rpartition("@")
    if (not local or not domain or len(email) > 320
            or any(not c.isprintable() or c.isspace() for c in email)):
        raise AccountError(_("Give a valid email address."))
    _check_scope(role, sites, langs)
    _sites(sites)
    _languages(langs)
    if find_user(email) is not None:
        raise DuplicateAccount(_("An account with this email already exists."))
    return email


def create_user(email: str, role: str, password: str, sites=(), langs=(), name: str = "") -> User:
    """Create an account after checking its email, role, scope and password. The caller commits."""
    email = check_new_account(email, role, sites, langs)
    check_policy(password, email)
    user = User(email=email, role=role, name=_clean_name(name), password_hash=hash_password(password),
                sites=_sites(sites), language_rows=_languages(langs) if role == "translator" else [])
    db.session.add(user)
    db.session.flush()
    return user


def _check_scope(role: str, sites, langs) -> None:
    if role not in ROLES:
        raise AccountError(_("The role must be admin, editor or translator."))
    if role == "translator" and not langs:
        raise AccountError(_("A translator needs at least one language."))
    if role != "admin" and not sites:
        raise AccountError(_("An editor or translator needs at least one site."))


def set_password(user: User, password: str) -> None:
    """Change a password; every other session of the account ends. The caller commits."""
    from guide.accounts.sessions import end_all_sessions

    check_policy(password, user.email)
    user.password_hash = hash_password(password)
    user.password_changed_dt = now_utc()
    end_all_sessions(user, keep_current=True)
    db.session.flush()


def change_password(user: User, current: str, new: str, repeated: str) -> None:
    """Change one's own password after checking the current one; other sessions end. The caller commits."""
    if len(current) > MAX_LENGTH or not verify_password(user.password_hash, current):
        raise AccountError(_("The current password is wrong."))
    if new != repeated:
        raise AccountError(_("The two new passwords differ."))
    set_password(user, new)


def check_own_password(user: User, password: str) -> bool:
    """Tell whether password is user's, to confirm a sensitive change."""
    return len(password) <= MAX_LENGTH and verify_password(user.password_hash, password)


def list_users() -> list[User]:
    """Return every account, admins first, then by email."""
    order = {role: index for index, role in enumerate(ROLES)}
    return sorted(db.session.scalars(select(User)), key=lambda user: (order.get(user.role, 9), user.email))


def get_user(user_id: int) -> User | None:
    """Return the account with this id, or None."""
    return db.session.get(User, user_id)


def _other_active_admins(user: User) -> int:
    return len(list(db.session.scalars(
        select(User.id).where(User.role == "admin", User.active.is_(True), User.id != user.id))))


def update_user(user: User, role: str, sites=(), langs=(), name: str | None = None) -> None:
    """Change an account's role, sites and languages; the last admin stays one. The caller commits."""
    _check_scope(role, sites, langs)
    if user.role == "admin" and role != "admin" and user.active and not _other_active_admins(user):
        raise AccountError(_("This is the last active administrator: give the role to someone else first."))
    user.role = role
    user.sites = _sites(sites)
    user.language_rows = _languages(langs) if role == "translator" else []
    if name is not None:
        user.name = _clean_name(name)
    db.session.flush()


def set_active(user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions at once. The caller commits."""
    from guide.accounts.sessions import end_all_sessions

    if not active and user.role == "admin" and user.active and not _other_active_admins(user):
        raise AccountError(_("This is the last active administrator: it cannot be disabled."))
    user.active = active
    if not active:
        end_all_sessions(user)
    db.session.flush()


def needs_second_factor(user: User) -> bool:
    """Tell whether signing in as user asks for a TOTP or recovery code."""
    return user.totp_confirmed or requires_second_factor(user)


def requires_second_factor(user: User) -> bool:
    """Tell whether user's role must use a second factor (DALIL_REQUIRE_2FA_ROLES)."""
    from flask import current_app

    return user.role in current_app.config["REQUIRE_2FA_ROLES"]
