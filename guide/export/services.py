"""Write the public guide to a folder, byte for byte as the live app serves it, rewriting only what changed.

Every URL named by the domains' generators (registry.py, urls.py) is fetched through the app
itself, so a file holds exactly the bytes the app sends for its URL; the media the pages and
documents use are found in their bodies. File names follow the scheme the nginx configuration
in README.md reads:
  /ar/monuments/x          ar/monuments/x/index.html
  /api/v1/packs/x?lang=ar  api/v1/packs/x/index.lang=ar.json
  / and /q/<CODE>          index.<lang>.html, q/<CODE>/index.<lang>.html (one per language)
  a 410 or 404 answer      q/<CODE>/index.<lang>.410.html
  not found                _errors/404.<lang>.html
  /sw.js, /media/…         the same path
"""

import hashlib
import json
import os
import re
from collections import deque
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from flask import g
from flask_babel import gettext as _

from guide import published
from guide.export import urls
from guide.export.registry import Scope
from guide.export.registry import Target
from guide.export.registry import all_targets

# Lists what the previous run wrote, so a run deletes only its own files, never anything else.
MANIFEST = ".dalil-export.json"
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
TEXT_TYPES = ("text/", "application/json", "application/manifest+json")


class ExportError(Exception):
    """The export cannot be made; the message is translated."""


@dataclass
class Summary:
    """What a run did to the folder."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def export_scope(site_slug: str | None) -> Scope:
    """Return the live sites to export: all of them, or the one with this slug."""
    if site_slug is None:
        return Scope(published.list_sites(with_monuments=False))
    # Checked before the lookup: PostgreSQL refuses a NUL in a query, and no slug holds one.
    site = published.find_site(site_slug) if SLUG.fullmatch(site_slug) else None
    if site is None:
        raise ExportError(_("No published site has the slug %(slug)s.", slug=site_slug))
    return Scope([site], whole=False)


def export_path(target: Target, status: int = 200) -> str:
    """Name the file, relative to the export folder, that holds a target's answer."""
    path, _mark, query = target.url.partition("?")
    folder = path.strip("/")
    if target.kind == "file":
        return folder
    if target.kind == "error":
        extension = "json" if path.startswith("/api/") else "html"
        return f"_errors/{status}.{target.lang}.{extension}"
    extension = "html" if target.kind == "page" else "json"
    stem = ".".join(part for part in ("index", query, target.lang, str(status) if status != 200 else "") if part)
    return f"{folder}/{stem}.{extension}" if folder else f"{stem}.{extension}"


def _safe(relative: str) -> str:
    # Names come from slugs and codes the app validates; this keeps any other out of the folder.
    parts = relative.split("/")
    if not relative or relative.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise ExportError(_("Refusing to write outside the export folder: %(path)s", path=relative))
    return relative


class _Fetcher:
    """Ask the app for its own URLs, as a browser at PUBLIC_BASE_URL would."""

    def __init__(self) -> None:
        self.app = current_app._get_current_object()
        public = urlsplit(self.app.config["PUBLIC_BASE_URL"])
        # No cookie jar: a page under /<lang>/ sets the language cookie, which must not leak
        # into the next negotiated fetch.
        self.client = self.app.test_client(use_cookies=False)
        self.base_url = f"{public.scheme}://{public.netloc}"
        self.cookie = self.app.config["LANGUAGE_COOKIE"]

    def get(self, target: Target) -> tuple[int, bytes, str]:
        # An export is not a visitor: with Sec-Purpose: prefetch, /q/ counts no scan.
        headers = {"Sec-Purpose": "prefetch"}
        # Error answers too: the API's not-found has no language prefix to say which it speaks.
        if target.lang is not None:
            headers["Cookie"] = f"{self.cookie}={target.lang}"
        # The request shares this app context; g is emptied for it and given back (fetching.py).
        saved = dict(vars(g))
        vars(g).clear()
        try:
            response = self.client.get(target.url, base_url=self.base_url, headers=headers)
            try:
                data = response.get_data()
            finally:
                # Media are sent from open files.
                response.close()
        finally:
            vars(g).clear()
            vars(g).update(saved)
        return response.status_code, data, response.mimetype or ""


class _Folder:
    """The export folder: writes only changed files, atomically, and remembers what it holds."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.summary = Summary()
        self.files: dict[str, str] = {}
        manifest = root / MANIFEST
        try:
            self.previous = dict(json.loads(manifest.read_text()).get("files", {}))
        except (OSError, ValueError, AttributeError):
            self.previous = {}

    def put(self, relative: str, data: bytes) -> None:
        relative = _safe(relative)
        if relative in self.files:
            return
        path = self.root / relative
        self.files[relative] = hashlib.sha256(data).hexdigest()
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            # Same bytes: the file and its mtime stay, so a CDN sync uploads nothing.
            self.summary.unchanged.append(relative)
            return
        _write_atomically(path, data)
        self.summary.written.append(relative)

    def finish(self) -> Summary:
        for relative in sorted(set(self.previous) - set(self.files)):
            path = self.root / _safe(relative)
            if path.is_file():
                path.unlink()
                self.summary.removed.append(relative)
                _prune(path.parent, self.root)
        self.remember(self.files)
        return self.summary

    def remember(self, files: dict[str, str]) -> None:
        """List these files as the export's own, for the next run to keep or remove."""
        manifest = json.dumps({"files": dict(sorted(files.items()))}, indent=0).encode()
        path = self.root / MANIFEST
        if not path.is_file() or path.read_bytes() != manifest:
            _write_atomically(path, manifest)


def _write_atomically(path: Path, data: bytes) -> None:
    # Written aside in the same folder, then renamed over: nginx never serves half a file.
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        temporary.chmod(0o644)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _prune(folder: Path, root: Path) -> None:
    # Folders emptied by a removal go too, up to the export's root.
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def export_static(root: Path, site_slug: str | None = None) -> Summary:
    """Export the public guide (or one site and the shared app files) to root; return what changed."""
    if root.exists() and not root.is_dir():
        raise ExportError(_("%(path)s is not a folder.", path=root))
    scope = export_scope(site_slug)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(_("Cannot create the folder %(path)s: %(error)s", path=root, error=error.strerror)) from None
    fetcher = _Fetcher()
    # URLs are built as the app builds them for a request to the public address.
    folder = _Folder(root)
    with fetcher.app.test_request_context("/", base_url=fetcher.base_url):
        try:
            return _export(folder, fetcher, scope)
        except ExportError:
            # A failed run removes nothing; what it wrote stays listed, so a later run owns it.
            folder.remember({**folder.previous, **folder.files})
            raise


def _export(folder: _Folder, fetcher: _Fetcher, scope: Scope) -> Summary:
    queue = deque(all_targets(scope))
    seen: set[tuple[str, str | None]] = set()
    media: set[str] = set()
    while queue:
        target = queue.popleft()
        if (target.url, target.lang) in seen:
            continue
        seen.add((target.url, target.lang))
        status, data, mimetype = fetcher.get(target)
        if status not in target.statuses:
            raise ExportError(_("%(url)s answered %(status)d; nothing more was exported.", url=target.url,
                                status=status))
        folder.put(export_path(target, status), data)
        if target.follow is not None:
            queue.extend(target.follow(data))
        if mimetype.startswith(TEXT_TYPES):
            media |= urls.media_references(data)
    for url in sorted(media):
        target = Target(url, kind="file")
        status, data, _mimetype = fetcher.get(target)
        # A page naming a file the media store lacks would be a broken image online too: skip it.
        if status == 200:
            folder.put(export_path(target), data)
    return folder.finish()
