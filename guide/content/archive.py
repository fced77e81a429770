"""A site as a zip in the content format, and a zip read back through the content loader.

An uploaded archive is hostile until proven otherwise (ASVS 5.2.3): its entries are counted,
named, typed and sized from the central directory before a byte is unpacked, sizes are enforced
again while unpacking (headers may lie), and everything happens in a temporary folder that is
always removed. Only then does the ordinary loader read it: all or nothing, conflicts per record.
"""

import re
import shutil
import stat
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from pathlib import PurePosixPath
from typing import IO

from flask import current_app
from flask_babel import gettext as _

from guide.content.export import export_content
from guide.content.files import ContentError
from guide.content.files import read_content
from guide.content.services import LoadReport
from guide.content.services import load_content

# Reproducible archives: the same content gives the same bytes (ZIP's own epoch, as reproducible builds use).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# Already compressed: deflating them again only costs time.
STORED_SUFFIXES = frozenset({".webp", ".jpg", ".jpeg", ".png", ".m4a", ".mp3", ".opus", ".ogg"})
ACCEPTED_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA})
# A small member may compress very well (a blank line repeated); only large ones are judged by ratio.
RATIO_FLOOR = 1024 * 1024
CHUNK = 1024 * 1024
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 1024
MAX_DEPTH = 8
_DRIVE = re.compile(r"^[A-Za-z]:")
_PROBLEM = re.compile(r"^([^\s:]*/[^\s:]*)\s*:\s+(.*)$", re.DOTALL)
_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, struct.error, ValueError,
                NotImplementedError, UnicodeDecodeError, RuntimeError, OSError)


class ArchiveError(Exception):
    """The upload is refused as a whole (not a zip, too big, a hostile entry); nothing was written."""

    def __init__(self, message: str, status: int = 400, reason: str = "refused"):
        super().__init__(message)
        self.message, self.status, self.reason = message, status, reason


class ImportRefused(Exception):
    """The archive was read but the loader refused it: each problem as (path in the archive, reason)."""

    def __init__(self, problems: list[tuple[str, str]], conflict: bool):
        super().__init__("\n".join(f"{path}: {reason}" for path, reason in problems))
        self.problems, self.conflict = problems, conflict


@dataclass(frozen=True)
class Limits:
    max_files: int
    max_unpacked: int
    max_ratio: int

    @classmethod
    def from_config(cls) -> "Limits":
        """Read the import limits from the settings."""
        config = current_app.config
        return cls(int(config["IMPORT_MAX_FILES"]), int(config["IMPORT_MAX_UNPACKED_MB"]) * 1024 * 1024,
                   int(config["IMPORT_MAX_RATIO"]))


@dataclass
class ImportResult:
    report: LoadReport
    files: int
    unpacked: int


# Export


def site_zip(site_slug: str) -> tuple[IO[bytes], int]:
    """Write what `export-content --site` writes into a zip (an anonymous temporary file); return it and its file count."""
    with tempfile.TemporaryDirectory(prefix="dalil-export-") as folder:
        root = Path(folder)
        written = export_content(root, site_slug)
        # Handed to the response, which closes it once sent.
        archive = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            with zipfile.ZipFile(archive, "w") as zipped:
                for path in sorted(written, key=lambda item: item.relative_to(root).as_posix()):
                    info = zipfile.ZipInfo(path.relative_to(root).as_posix(), date_time=ZIP_EPOCH)
                    info.external_attr = (stat.S_IFREG | 0o644) << 16
                    info.create_system = 3
                    stored = path.suffix.lower() in STORED_SUFFIXES
                    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                    with path.open("rb") as source, zipped.open(info, "w") as target:
                        shutil.copyfileobj(source, target, CHUNK)
        except BaseException:
            archive.close()
            raise
    archive.seek(0)
    return archive, len(written)


# Import


def import_archive(stream: IO[bytes], author_label: str, overwrite: bool = False,
                   draft: bool = False, limits: Limits | None = None) -> ImportResult:
    """Check, unpack into a temporary folder and load an uploaded zip, all or nothing; the caller commits."""
    limits = limits or Limits.from_config()
    with tempfile.TemporaryDirectory(prefix="dalil-import-") as folder:
        # The loader names each revision's author "import <path from the root's parent>": the root
        # folder carries the curator's name, so history reads "import curator@…/casablanca/site.toml".
        root = Path(folder) / _folder_name(author_label)
        root.mkdir()
        files, unpacked = unpack(stream, root, limits)
        try:
            read_content(root)
        except ContentError as error:
            raise ImportRefused(_relative(error.problems, root), conflict=False) from None
        try:
            report = load_content(root, overwrite=overwrite, draft=draft)
        except ContentError as error:
            raise ImportRefused(_relative(error.problems, root), conflict=True) from None
    return ImportResult(report, files, unpacked)


def unpack(stream: IO[bytes], target: Path, limits: Limits) -> tuple[int, int]:
    """Check every entry of the zip, then extract it under target; return (files, bytes). Raise ArchiveError."""
    try:
        zipped = zipfile.ZipFile(stream)
    except UnicodeDecodeError:
        raise ArchiveError(_("The names of the files in the archive must be UTF-8."), reason="names") from None
    except _READ_ERRORS:
        raise ArchiveError(_("This file is not a readable zip archive."), reason="not-zip") from None
    with zipped:
        members = _checked_members(zipped, limits)
        unpacked = 0
        try:
            for info, relative in members:
                destination = target.joinpath(*relative.parts)
                if info.is_dir():
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                unpacked += _extract(zipped, info, destination, limits.max_unpacked - unpacked)
        except ArchiveError:
            raise
        except _READ_ERRORS:
            raise ArchiveError(_("The zip archive is damaged: a file in it cannot be read."),
                               reason="corrupt") from None
    return sum(1 for info, _path in members if not info.is_dir()), unpacked


def _extract(zipped: zipfile.ZipFile, info: zipfile.ZipInfo, destination: Path, allowance: int) -> int:
    """Copy one member, counting real bytes: stop at its declared size or the archive's remaining allowance."""
    written = 0
    # "x": a second entry can never overwrite a first one, whatever the checks before missed.
    with zipped.open(info) as source, destination.open("xb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > info.file_size or written > allowance:
                raise ArchiveError(_("The archive unpacks to more than it declares."), reason="lying-size")
            out.write(chunk)
    return written


def _checked_members(zipped: zipfile.ZipFile, limits: Limits) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """Refuse the archive for its central directory alone: count, names, types, sizes and ratios."""
    infos = zipped.infolist()
    if len(infos) > limits.max_files:
        raise ArchiveError(_("The archive holds more than %(count)d files.", count=limits.max_files),
                           reason="too-many-files")
    members = [(info, _member_path(info)) for info in infos]
    # A zipped folder holding the sites ("export/casablanca/site.toml") is read from inside that folder.
    wrapper = _wrapper([path.as_posix() + ("/" if info.is_dir() else "") for info, path in members])
    if wrapper:
        members = [(info, path.relative_to(wrapper) if path.is_relative_to(wrapper) else path)
                   for info, path in members if path != PurePosixPath(wrapper)]
    _refuse_clashes(members)
    declared = 0
    compressed = 0
    for info, _relative in members:
        if info.flag_bits & 0x1:
            raise ArchiveError(_("The archive is encrypted."), reason="encrypted")
        if info.compress_type not in ACCEPTED_METHODS:
            raise ArchiveError(_("The archive uses a compression method that is not supported."),
                               reason="method")
        if info.is_dir():
            continue
        declared += info.file_size
        compressed += info.compress_size
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise ArchiveError(_("A file in the archive is compressed suspiciously well (a zip bomb?)."),
                               reason="ratio")
    if declared > limits.max_unpacked:
        raise ArchiveError(_("The archive unpacks to more than %(size)d MB.", size=limits.max_unpacked // 2**20),
                           reason="unpacked-size")
    if declared > RATIO_FLOOR and declared > limits.max_ratio * max(compressed, 1):
        raise ArchiveError(_("A file in the archive is compressed suspiciously well (a zip bomb?)."),
                           reason="ratio")
    return members


def _member_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as UTF-8: zipfile reads names without the UTF-8 flag as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise ArchiveError(_("The names of the files in the archive must be UTF-8."), reason="names") from None


def _member_path(info: zipfile.ZipInfo) -> PurePosixPath:
    """Return the entry's relative path, or refuse one that could land outside the folder or is no plain file."""
    name = _member_name(info)
    bad_name = ArchiveError(_("The archive holds a file whose name is not allowed: %(name)s",
                              name=_printable(name)), reason="path")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode) or (stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR)):
        raise ArchiveError(_("The archive holds a link or a special file: %(name)s", name=_printable(name)),
                           reason="link")
    if not name or "\\" in name or name.startswith("/") or _DRIVE.match(name):
        raise bad_name
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") for char in name):
        raise bad_name
    parts = name.removesuffix("/").split("/")
    if any(part in ("", ".", "..") for part in parts) or len(parts) > MAX_DEPTH:
        raise bad_name
    if len(name.encode()) > MAX_PATH_BYTES or any(len(part.encode()) > MAX_NAME_BYTES for part in parts):
        raise bad_name
    return PurePosixPath(*parts)


def _refuse_clashes(members: list[tuple[zipfile.ZipInfo, PurePosixPath]]) -> None:
    """Refuse two entries with one name (in any letter case or Unicode form) or a file where a folder goes."""
    seen: dict[str, bool] = {}
    for info, path in members:
        key = unicodedata.normalize("NFC", path.as_posix()).casefold()
        if key in seen and not (info.is_dir() and seen[key]):
            raise ArchiveError(_("The archive holds the file %(name)s twice.", name=_printable(path.as_posix())),
                               reason="duplicate")
        seen[key] = info.is_dir()
    for key in seen:
        parents = PurePosixPath(key).parents
        if any(seen.get(parent.as_posix()) is False for parent in parents):
            raise ArchiveError(_("The archive holds the file %(name)s twice.", name=_printable(key)),
                               reason="duplicate")


def _wrapper(names: list[str]) -> str:
    """Return the one folder every entry sits in when the sites are inside it, else ""."""
    tops = {name.split("/", 1)[0] for name in names if not name.startswith("__MACOSX/")}
    if any(re.fullmatch(r"[^/]+/site\.toml", name) for name in names) or len(tops) != 1:
        return ""
    top = next(iter(tops))
    return top if any(re.fullmatch(rf"{re.escape(top)}/[^/]+/site\.toml", name) for name in names) else ""


def _folder_name(label: str) -> str:
    cleaned = "".join(char for char in label if char.isprintable() and char not in "/\\")
    return cleaned.strip(". ")[:100] or "upload"


def _printable(text: str) -> str:
    return "".join(char if char.isprintable() else "\N{REPLACEMENT CHARACTER}" for char in text)[:200]


def _relative(problems: list[str], root: Path) -> list[tuple[str, str]]:
    """Split the loader's "path: reason" lines, with paths relative to the archive, never the server's folders."""
    prefixes = sorted({f"{root}/", f"{root.resolve()}/", str(root), str(root.resolve())}, key=len, reverse=True)
    result = []
    for problem in problems:
        for prefix in prefixes:
            problem = problem.replace(prefix, "")
        # "path: reason", or "path : reason" in French typography (any space before the colon).
        match = _PROBLEM.match(problem)
        result.append((match[1], match[2]) if match else ("", problem.lstrip(": ")))
    return result
