"""The web app's static files, served from pwa/ with long caching for versioned assets."""

from pathlib import Path

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import send_from_directory

bp = Blueprint("offline", __name__)

# Only these folders of pwa/ are public; package.json, node_modules and the like are not.
PUBLIC_FOLDERS = ("css", "js", "icons", "fonts", "vendor")


@bp.get("/static/<folder>/<path:filename>")
def static(folder: str, filename: str):
    """Send one of the app's CSS, JS, icon or font files."""
    if folder not in PUBLIC_FOLDERS:
        abort(404)
    root = Path(current_app.config["PWA_DIR"]) / folder
    return send_from_directory(root, filename, max_age=3600)


def _fingerprint(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


_fingerprints: dict[str, str] = {}


def asset_url(path: str) -> str:
    """Return a static file's URL with a content fingerprint, so caches refresh on change."""
    from flask import url_for

    folder, _slash, filename = path.partition("/")
    if path not in _fingerprints or current_app.debug:
        _fingerprints[path] = _fingerprint(Path(current_app.config["PWA_DIR"]) / path)
    return url_for("offline.static", folder=folder, filename=filename, v=_fingerprints[path])


@bp.app_context_processor
def asset_helpers():
    return {"asset_url": asset_url}
