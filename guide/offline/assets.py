"""Static file URLs with a content fingerprint, for page templates and offline packs alike."""

import hashlib
from pathlib import Path

from flask import current_app
from flask import url_for


def _fingerprint(path: Path) -> str | None:
    # A missing file (icons not generated yet) must not take every page down with it.
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


_fingerprints: dict[str, str | None] = {}


def asset_url(path: str) -> str:
    """Return a static file's URL with a content fingerprint, so caches refresh on change."""
    folder, _slash, filename = path.partition("/")
    if path not in _fingerprints or current_app.debug:
        _fingerprints[path] = _fingerprint(Path(current_app.config["PWA_DIR"]) / path)
    version = _fingerprints[path]
    if version is None:
        return url_for("offline.static", folder=folder, filename=filename)
    return url_for("offline.static", folder=folder, filename=filename, v=version)
