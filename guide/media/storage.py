"""Where media bytes live: a folder (MEDIA_DIR, the default) or an S3 bucket (MEDIA_STORAGE=s3://bucket/prefix).

Keys are relative names like "ab/<sha256>.m4a". Media is content-addressed, so an object is
written once and never changes: sizes may be remembered, and a second put is a no-op.
"""

import io
import os
import tempfile
import threading
from abc import ABC
from abc import abstractmethod
from collections import OrderedDict
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from flask import Flask
from flask import current_app

# Sizes of objects seen, per store: content-addressed, so they never go stale.
MAX_KNOWN_SIZES = 4096
# /readyz and the boot check must answer quickly when a dependency hangs.
CHECK_TIMEOUT_S = 2


class StorageError(Exception):
    """The media store could not be reached or refused the operation."""


class MediaStorage(ABC):
    """The operations the guide needs from a media store; every media read and write goes through them."""

    description = ""

    @abstractmethod
    def put(self, key: str, data: bytes, replace: bool = False) -> None:
        """Store bytes under a key, unless the key is already there (or replace says to overwrite it)."""

    def exists(self, key: str) -> bool:
        """Tell whether a key is stored."""
        return self.size(key) is not None

    @abstractmethod
    def size(self, key: str) -> int | None:
        """Return a stored object's size in bytes, or None when it is missing."""

    @abstractmethod
    def read(self, key: str) -> bytes:
        """Return a stored object's bytes (FileNotFoundError when missing)."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """Open a stored object for reading, seekable, so a Range request reads only its part."""

    def local_path(self, key: str) -> Path | None:
        """Return the object's file when it is one on this machine (sent with sendfile), else None."""
        return None

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove a key if present."""

    @abstractmethod
    def check(self) -> None:
        """Raise StorageError unless the store answers (for /readyz)."""


class FolderStorage(MediaStorage):
    """Media files in a folder of this machine (or a shared mount)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.description = str(self.root)

    def _path(self, key: str) -> Path:
        return self.root / key

    def put(self, key: str, data: bytes, replace: bool = False) -> None:
        path = self._path(key)
        if path.exists() and not replace:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a reader never sees half a file under its final name.
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except (FileNotFoundError, NotADirectoryError):
            return None

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return path.open("rb")

    def local_path(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def check(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.R_OK | os.W_OK | os.X_OK):
            raise StorageError(f"{self.root} is not writable")


class S3Storage(MediaStorage):
    """Media objects in an S3-compatible bucket, under an optional prefix."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None,
                 access_key_id: str | None = None, secret_access_key: str | None = None,
                 region: str = "us-east-1"):
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.description = f"s3://{bucket}/{self.prefix}"
        self._options = {"endpoint_url": endpoint_url or None, "region_name": region or "us-east-1"}
        # Unset keys leave boto3 its own chain: AWS_* variables, ~/.aws files, instance roles.
        if access_key_id and secret_access_key:
            self._options.update(aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key)
        self._clients: dict[tuple[int, str], object] = {}
        self._lock = threading.Lock()
        self._sizes: OrderedDict[str, int] = OrderedDict()

    def _client(self, kind: str = "main"):
        # One client per process (boto3 clients do not survive a fork) and per kind of timeout.
        key = (os.getpid(), kind)
        client = self._clients.get(key)
        if client is None:
            import boto3
            from botocore.config import Config

            quick = kind == "check"
            config = Config(
                s3={"addressing_style": "path"}, connect_timeout=CHECK_TIMEOUT_S,
                read_timeout=CHECK_TIMEOUT_S if quick else 20,
                retries={"max_attempts": 1 if quick else 3, "mode": "standard"},
            )
            with self._lock:
                client = self._clients.get(key)
                if client is None:
                    client = self._clients[key] = boto3.session.Session().client("s3", config=config, **self._options)
        return client

    def _key(self, key: str) -> str:
        return self.prefix + key

    def _remember(self, key: str, size: int) -> None:
        with self._lock:
            self._sizes[key] = size
            self._sizes.move_to_end(key)
            while len(self._sizes) > MAX_KNOWN_SIZES:
                self._sizes.popitem(last=False)

    def _call(self, method: str, **arguments):
        from botocore.exceptions import BotoCoreError
        from botocore.exceptions import ClientError

        try:
            return getattr(self._client(), method)(Bucket=self.bucket, **arguments)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound"):
                raise FileNotFoundError(arguments.get("Key", "")) from None
            raise StorageError(f"{self.description}: {error}") from error
        except BotoCoreError as error:
            raise StorageError(f"{self.description}: {error}") from error

    def put(self, key: str, data: bytes, replace: bool = False) -> None:
        if not replace and self.size(key) is not None:
            return
        self._call("put_object", Key=self._key(key), Body=data)
        self._remember(key, len(data))

    def size(self, key: str) -> int | None:
        known = self._sizes.get(key)
        if known is not None:
            return known
        try:
            head = self._call("head_object", Key=self._key(key))
        except FileNotFoundError:
            return None
        self._remember(key, head["ContentLength"])
        return head["ContentLength"]

    def read(self, key: str) -> bytes:
        body = self._call("get_object", Key=self._key(key))["Body"]
        try:
            data = body.read()
        finally:
            body.close()
        self._remember(key, len(data))
        return data

    def open(self, key: str) -> BinaryIO:
        size = self.size(key)
        if size is None:
            raise FileNotFoundError(key)
        return S3Reader(self, key, size)

    def delete(self, key: str) -> None:
        self._call("delete_object", Key=self._key(key))
        with self._lock:
            self._sizes.pop(key, None)

    def check(self) -> None:
        from botocore.exceptions import BotoCoreError
        from botocore.exceptions import ClientError

        try:
            self._client("check").head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as error:
            raise StorageError(f"{self.description}: {error}") from error


class S3Reader(io.RawIOBase):
    """A seekable, read-only view of one object: each read after a seek streams from there with Range."""

    def __init__(self, storage: S3Storage, key: str, size: int):
        self.storage, self.key, self.length = storage, key, size
        self.position = 0
        # Where the reader stops (exclusive): a 206 names its last byte, so the store sends no more.
        self.end: int | None = None
        self._body = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.length}[whence]
        target = max(0, base + offset)
        if target != self.position:
            self._drop()
            self.position = target
        return self.position

    def readinto(self, buffer) -> int:
        if self.position >= min(self.length, self.end or self.length):
            return 0
        if self._body is None:
            last = "" if self.end is None else str(self.end - 1)
            self._body = self.storage._call("get_object", Key=self.storage._key(self.key),
                                            Range=f"bytes={self.position}-{last}")["Body"]
        data = self._body.read(len(buffer))
        buffer[:len(data)] = data
        self.position += len(data)
        return len(data)

    def _drop(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def close(self) -> None:
        self._drop()
        super().close()


def storage_from_config(config) -> MediaStorage:
    """Build the store the settings name: MEDIA_STORAGE="s3://bucket/prefix", else the folder MEDIA_DIR."""
    location = (config.get("MEDIA_STORAGE") or "").strip()
    if not location:
        return FolderStorage(config["MEDIA_DIR"])
    parts = urlsplit(location)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"MEDIA_STORAGE must be empty or s3://bucket[/prefix], not {location!r}")
    # from_prefixed_env reads JSON: a key of digits would arrive as a number.
    setting = {name: str(config[name]) if config.get(name) else None
               for name in ("S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_REGION")}
    return S3Storage(
        parts.netloc, parts.path, endpoint_url=setting["S3_ENDPOINT_URL"],
        access_key_id=setting["S3_ACCESS_KEY_ID"], secret_access_key=setting["S3_SECRET_ACCESS_KEY"],
        region=setting["S3_REGION"] or "us-east-1",
    )


def init_app(app: Flask) -> None:
    """Choose the app's media store once, from its settings."""
    app.extensions["dalil_storage"] = storage_from_config(app.config)


def media_storage() -> MediaStorage:
    """Return the current app's media store."""
    return current_app.extensions["dalil_storage"]


def media_key(sha256: str, extension: str) -> str:
    """Name a media file in the store: its hash's first two digits as a folder, then hash and extension."""
    return f"{sha256[:2]}/{sha256}.{extension}"
