"""Published documents (offline packs, the pack list, the codes index) kept in the media store.

The media store is shared by every app server (a bucket) or every worker (a folder), so a pack
one of them built is served by the others without building it again, keyed by the versions of
all sites and by the app's own files. The last document of each name is also kept, and served
while the database does not answer.
"""

import hashlib
import json
import logging
import re
from functools import cache
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import make_url

from guide import versions
from guide.config import PROJECT_ROOT
from guide.media.storage import StorageError
from guide.media.storage import media_storage

log = logging.getLogger(__name__)
PREFIX = "documents"
# Names are built from slugs and language codes: nothing else may reach a key.
SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,150}")


@cache
def _release(pwa_dir: str, setting: str) -> str:
    """Fingerprint what renders documents besides the content: templates, catalogs, app files, RELEASE."""
    digest = hashlib.sha256(setting.encode())
    roots = [(PROJECT_ROOT / "guide", "*.html"), (PROJECT_ROOT / "translations", "*.mo"), (Path(pwa_dir), "*.*")]
    for root, pattern in roots:
        for path in sorted(root.rglob(pattern)):
            if path.is_file() and "node_modules" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def release() -> str:
    """Return this deployment's fingerprint (computed once per process)."""
    return _release(current_app.config["PWA_DIR"], str(current_app.config.get("RELEASE") or ""))


def sharing() -> bool:
    """Tell whether servers share built documents: SHARE_PACKS, by default when media are in a bucket."""
    setting = current_app.config.get("SHARE_PACKS")
    return bool(current_app.config.get("MEDIA_STORAGE")) if setting is None else bool(setting)


def _content_key(name: str) -> str | None:
    known = versions.snapshot().versions
    if not known or not SAFE_NAME.fullmatch(name) or not sharing():
        # Versions not read yet (the database is down): no key can name the content.
        return None
    # Versions count per database: two databases (staging, production) may share a bucket.
    database = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
    state = json.dumps([database, sorted(known.items())]) + release()
    return f"{PREFIX}/{name}/{hashlib.sha256(state.encode()).hexdigest()[:32]}.json"


def _latest_key(name: str) -> str | None:
    return f"{PREFIX}/{name}/latest.json" if SAFE_NAME.fullmatch(name) else None


def _read(key: str | None) -> bytes | None:
    if key is None:
        return None
    try:
        return media_storage().read(key)
    except FileNotFoundError:
        return None
    except (StorageError, OSError) as error:
        log.warning("document store: %s", error)
        return None


def recall(name: str) -> bytes | None:
    """Return the document another worker or server built for the current content, if any."""
    return _read(_content_key(name))


def remember(name: str, body: bytes, shared: bool = True) -> None:
    """Keep a document built now: for the current content (when shared) and as the last one."""
    try:
        key = _content_key(name) if shared else None
        if key is not None:
            media_storage().put(key, body)
        latest = _latest_key(name)
        if latest is not None:
            media_storage().put(latest, body, replace=True)
    except (StorageError, OSError) as error:
        # Keeping a copy is a help, never a reason to fail the request.
        log.warning("document store: %s", error)


def last(name: str) -> bytes | None:
    """Return the last document kept under this name (served while the database is down)."""
    return _read(_latest_key(name))


def pack_name(slug: str, langs: tuple[str, ...]) -> str:
    """Name a site's pack in some languages."""
    return f"pack-{slug}-{'-'.join(langs)}"
