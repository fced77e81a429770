"""What each role may do, in which sites and languages; the one place that decides."""

from flask_babel import gettext as _
from flask_login import current_user

from guide.accounts.models import User
from guide.audit.services import record_now
from guide.errors import abort

ACTIONS = frozenset({
    "view", "edit", "edit_text", "submit", "publish", "media", "codes", "import", "users", "audit", "dashboard",
})
# Within its sites; an admin may do everything everywhere.
ROLE_ACTIONS = {
    "admin": ACTIONS,
    "editor": frozenset({"view", "edit", "edit_text", "submit", "publish", "media", "codes", "dashboard"}),
    "translator": frozenset({"view", "edit_text", "submit"}),
}
# Actions that are not about one site: only these may be asked without one.
GLOBAL_ACTIONS = frozenset({"users", "audit", "import", "dashboard", "view"})


def _site_slug(site) -> str | None:
    return site if isinstance(site, str) or site is None else site.slug


def can(user: User | None, action: str, site=None, lang: str | None = None) -> bool:
    """Tell whether user may do action on a site's records (and, for texts, in lang)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if action not in ROLE_ACTIONS[user.role]:
        return False
    if user.role == "admin":
        return True
    slug = _site_slug(site)
    if slug is None:
        if action not in GLOBAL_ACTIONS:
            return False
    elif slug not in {own.slug for own in user.sites}:
        return False
    if action == "edit_text" and lang is not None and user.role == "translator":
        return lang in user.languages
    return True


def editable_languages(user: User, site=None) -> tuple[str, ...]:
    """Return the languages whose texts user may change in this site."""
    from guide.i18n import languages

    return tuple(lang for lang in languages() if can(user, "edit_text", site, lang))


def require(action: str, site=None, lang: str | None = None, target: str = "") -> None:
    """Stop the request with a translated 403, recorded in the audit log, unless allowed."""
    if can(current_user, action, site, lang):
        return
    slug = _site_slug(site)
    record_now(f"refused.{action}", target or (f"site:{slug}" if slug else ""), "refused",
               **({"lang": lang} if lang else {}))
    if lang is not None and action == "edit_text":
        abort(403, _("You may not change texts in this language."))
    abort(403, _("You are not allowed to do this here."))
