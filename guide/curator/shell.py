"""What every CMS blueprint shares: sign-in required, the interface language, and no-store."""

from urllib.parse import urlsplit

from flask import Blueprint
from flask import g
from flask import redirect
from flask import request
from flask import url_for
from flask_login import current_user

from guide.i18n import negotiate_language

# Curators' pages hold unpublished drafts and account data: never stored by any cache (ASVS 14.3.2).
NO_STORE = "no-store"


def safe_next(target: str | None) -> str | None:
    """Return target if it is a path inside the CMS, else None: never redirect off-site."""
    if not target or not isinstance(target, str):
        return None
    # urlsplit drops tabs and line breaks, but a Location header must never carry them.
    if any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/curator/") or "\\" in target:
        return None
    return target


def attach(blueprint: Blueprint, public_endpoints: tuple[str, ...] = ()) -> None:
    """Make blueprint a CMS blueprint: its views need a signed-in curator unless listed public."""
    open_views = {f"{blueprint.name}.{name}" for name in public_endpoints}

    @blueprint.before_request
    def curator_request():
        g.lang = negotiate_language()
        if request.endpoint not in open_views and not current_user.is_authenticated:
            target = request.full_path if request.method == "GET" else None
            return redirect(url_for("accounts.login", next=safe_next(target and target.rstrip("?"))))
        return None

    blueprint.context_processor(template_helpers)

    @blueprint.after_request
    def no_store(response):
        response.headers["Cache-Control"] = NO_STORE
        return response


# Each CMS part adds its own entries to the menu and to each site's card, so no part edits
# another's template: (endpoint, label, permission action).
MENU: list[tuple[str, object, str]] = []
SITE_LINKS: list[tuple[str, object, str]] = []


def menu_item(endpoint: str, label, action: str) -> None:
    """Add a link to the CMS menu, shown to curators allowed action (without a site)."""
    if endpoint not in [entry[0] for entry in MENU]:
        MENU.append((endpoint, label, action))


def site_link(endpoint: str, label, action: str) -> None:
    """Add a link to each site's card on the CMS home; the endpoint takes slug=."""
    if endpoint not in [entry[0] for entry in SITE_LINKS]:
        SITE_LINKS.append((endpoint, label, action))


def _cms_menu():
    from guide.accounts.permissions import can

    return [
        {"url": url_for(endpoint), "label": str(label), "current": request.endpoint == endpoint}
        for endpoint, label, action in MENU if can(current_user, action)
    ]


def _site_links(site):
    from guide.accounts.permissions import can

    return [
        {"url": url_for(endpoint, slug=site.slug), "label": str(label)}
        for endpoint, label, action in SITE_LINKS if can(current_user, action, site)
    ]


def _record_document(record) -> dict | None:
    from guide.extensions import db
    from guide.publishing.models import Revision

    revision = db.session.get(Revision, record.head_revision_id) if record.head_revision_id else None
    return revision.data if revision else None


def _state_label(record) -> str:
    from flask_babel import gettext as _

    if record.state == "published":
        return _("Published")
    if record.state == "review":
        return _("In review")
    if record.live:
        return _("Published, with unpublished changes")
    return _("Draft")


def role_label(role: str) -> str:
    """Return a role's name in the interface language."""
    from flask_babel import gettext as _

    return {"admin": _("Administrator"), "editor": _("Editor"), "translator": _("Translator")}.get(role, role)


def template_helpers() -> dict:
    """Template globals of every CMS page."""
    return {"cms_menu": _cms_menu, "site_links": _site_links, "record_document": _record_document,
            "state_label": _state_label, "role_label": role_label}
