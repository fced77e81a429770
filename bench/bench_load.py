"""Many scanners at once through nginx: random plaque codes, each followed by the page it names.

    python bench/bench_load.py [--connections 200] [--seconds 60] [--workers 2]
                               [--content DIR | --database URL --media DIR --no-load]

Serves the guide with gunicorn (sync workers) behind Debian's nginx (a throwaway configuration
and prefix under /tmp, loopback ports chosen free), then runs wrk with a Lua script: each
connection scans a random live code (/q/<CODE>) and then opens the page the code names
(/<lang>/monuments/<slug>[/<stop>]), over and over, with the Accept-Language of a French phone.
It reports requests/s, p50/p95/p99 and errors (socket errors and any status >= 400; the run
fails unless there are none). Then, under the same nginx and the same wrk settings, one fixed code
and its page against bench/bare_app.py replaying the same bytes: the real/bare throughput ratio.

wrk shares the machine with the server: it runs pinned to the last CPU with one thread and a lower
priority (taskset, nice), so the figures are the server's with a load generator beside it.
Writes bench/results/load-<label>.json.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC
from datetime import datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bench.bench_http import HOST  # noqa: E402
from bench.bench_http import RESULTS_DIR  # noqa: E402
from bench.bench_http import WRK_SCRIPT  # noqa: E402
from bench.bench_http import Server  # noqa: E402
from bench.bench_http import fetch  # noqa: E402
from bench.bench_http import free_port  # noqa: E402
from bench.bench_http import record  # noqa: E402
from bench.bench_scale import build  # noqa: E402

LANG = "fr"
NGINX_CONF = """
worker_processes 1;
error_log %(prefix)s/error.log warn;
pid %(prefix)s/nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path %(prefix)s/body;
    proxy_temp_path %(prefix)s/proxy;
    fastcgi_temp_path %(prefix)s/fastcgi;
    uwsgi_temp_path %(prefix)s/uwsgi;
    scgi_temp_path %(prefix)s/scgi;
    upstream app { server %(host)s:%(app_port)d; }
    server {
        listen %(host)s:%(port)d;
        location / {
            proxy_pass http://app;
            proxy_set_header Host $host;
            proxy_read_timeout 120s;
        }
    }
}
"""
# Each connection alternates: a random code, then the page that code names.
SCAN_SCRIPT = """
local scans = {}
for line in io.lines("%(paths)s") do
  local code, page = line:match("([^\\t]+)\\t([^\\t]+)")
  table.insert(scans, {code, page})
end
local following = nil
local seeded = false
request = function()
  if not seeded then
    math.randomseed(os.time() + math.floor(os.clock() * 1000000))
    seeded = true
  end
  if following then
    local page = following
    following = nil
    return wrk.format("GET", page)
  end
  local scan = scans[math.random(#scans)]
  following = scan[2]
  return wrk.format("GET", scan[1])
end
"""


class Nginx:
    """Debian's nginx in the foreground with its own prefix, proxying to one app port."""

    def __init__(self, workdir: Path, app_port: int):
        self.prefix = workdir / "nginx"
        for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.prefix / folder).mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        conf = self.prefix / "nginx.conf"
        conf.write_text(NGINX_CONF % {"prefix": self.prefix, "host": HOST, "app_port": app_port, "port": self.port})
        self.process = subprocess.Popen(["nginx", "-p", str(self.prefix), "-c", str(conf), "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                fetch(self.port, "/")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"nginx did not start; see {self.prefix / 'error.log'}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def wrk(port: int, script: Path, connections: int, seconds: int) -> dict:
    """Run wrk pinned to the last CPU, one thread, at lower priority; return its summary."""
    command = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s",
               "-s", str(script), f"http://{HOST}:{port}/"]
    if shutil.which("taskset"):
        command = ["taskset", "-c", str((os.cpu_count() or 1) - 1), *command]
    output = subprocess.run(["nice", "-n", "5", *command], capture_output=True, text=True,
                            timeout=seconds + 120, check=True)
    lines = [line for line in output.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise RuntimeError(f"wrk printed no result: {output.stdout} {output.stderr}")
    data = json.loads(lines[0].removeprefix("RESULT "))
    if not data["requests"]:
        print(output.stdout, output.stderr, file=sys.stderr)
    return {"requests": data["requests"], "rps": data["requests"] / (data["duration_us"] / 1e6),
            "p50_ms": data["p50_us"] / 1000, "p95_ms": data["p95_us"] / 1000, "p99_ms": data["p99_us"] / 1000,
            "errors": data["errors"] + data["non2xx"], "socket_errors": data["errors"], "non2xx": data["non2xx"]}


def _same_bytes(real: Server, bare: Server, paths: list[str]) -> None:
    """Refuse to compare unless both servers send the same statuses and bodies."""
    for path in paths:
        if fetch(real.port, path)[::2] != fetch(bare.port, path)[::2]:
            raise RuntimeError(f"{path}: the bare app does not answer like the real one")


def scan_targets(env: dict) -> list[tuple[str, str]]:
    """Every live code with the page it leads to, in LANG."""
    os.environ.update({key: value for key, value in env.items() if key.startswith("DALIL_") or key == "DATABASE_URL"})
    from sqlalchemy import select

    from guide import create_app
    from guide.codes.models import Code
    from guide.extensions import db
    from guide.monuments.models import Monument
    from guide.monuments.models import Stop

    app = create_app()
    with app.app_context():
        live = Monument.live.is_(True) & Code.retired_dt.is_(None)
        stops = db.session.execute(
            select(Code.code, Monument.slug, Stop.slug).join(Stop, Stop.id == Code.stop_id)
            .join(Monument, Monument.id == Stop.monument_id).where(live)
        ).all()
        monuments = db.session.execute(
            select(Code.code, Monument.slug).join(Monument, Monument.id == Code.monument_id)
            .where(live, Code.stop_id.is_(None))
        ).all()
        db.engine.dispose()
    scans = [(f"/q/{code}", f"/{LANG}/monuments/{monument}/{stop}") for code, monument, stop in stops]
    scans += [(f"/q/{code}", f"/{LANG}/monuments/{monument}") for code, monument in monuments]
    return sorted(scans)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", default="sample")
    parser.add_argument("--content", type=Path, help="content folder to load (default: content/)")
    parser.add_argument("--database", help="SQLAlchemy URL (default: a throwaway SQLite file)")
    parser.add_argument("--media", type=Path)
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--baseline-seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=20, help="seconds of warm-up before the measured run")
    args = parser.parse_args()
    if not (0 < args.seconds <= 600 and 0 < args.connections <= 1000 and args.workers >= 1):
        parser.error("keep --seconds ≤ 600 and --connections ≤ 1000")
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool):
            parser.error(f"{tool} is not installed: bash -c 'source .ci/setup bench'")
    workdir = Path(tempfile.mkdtemp(prefix="dalil-load-"))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        env = {
            **os.environ,
            "DATABASE_URL": args.database or f"sqlite:///{workdir / 'dalil.sqlite3'}",
            "DALIL_MEDIA_DIR": str(args.media or workdir / "media"),
            "DALIL_EXTRA_LANGUAGES": os.environ.get("DALIL_EXTRA_LANGUAGES", "en" if args.content else ""),
            "SECRET_KEY": "bench",
            "PUBLIC_BASE_URL": "https://dalil.example",
            "PYTHONPATH": str(PROJECT_ROOT),
            # A cold page of a large site on a busy machine may take longer than gunicorn's 30 s.
            "GUNICORN_CMD_ARGS": os.environ.get("GUNICORN_CMD_ARGS", "--timeout 300"),
        }
        report: dict = {"label": args.label, "when": stamp, "database": env["DATABASE_URL"].split(":", 1)[0],
                        "connections": args.connections, "seconds": args.seconds, "workers": args.workers,
                        "client": "wrk -t1, pinned to the last CPU, nice 5", "cpus": os.cpu_count(),
                        "loadavg_start": os.getloadavg()[0]}
        if not args.no_load:
            print("Building the database …", flush=True)
            report.update(build(env, args.content))
        scans = scan_targets(env)
        report["codes"] = len(scans)
        paths = workdir / "scans.tsv"
        paths.write_text("".join(f"{code}\t{page}\n" for code, page in scans))
        script = workdir / "scan.lua"
        script.write_text(SCAN_SCRIPT % {"paths": paths} + WRK_SCRIPT % {"lang": LANG})

        real = Server("real", "guide:create_app()", env, args.workers, workdir / "real.log")
        stack.callback(real.stop)
        real.wait_ready("/api/v1/sites", timeout=120)
        nginx = Nginx(workdir, real.port)
        stack.callback(nginx.stop)
        print(f"{len(scans)} codes; {args.connections} scanners for {args.seconds} s through nginx …", flush=True)
        # Warm-up: imports, connection pools, and each worker's first renders (its cache is its
        # own: a small guide then answers from memory; a large one mostly cannot).
        wrk(nginx.port, script, min(args.connections, 20), args.warmup)
        report["scanners"] = wrk(nginx.port, script, args.connections, args.seconds)
        item = report["scanners"]
        print(f"  random codes + pages: {item['rps']:.0f} req/s, p50 {item['p50_ms']:.1f} ms, p95 "
              f"{item['p95_ms']:.1f} ms, p99 {item['p99_ms']:.1f} ms, {item['errors']} errors "
              f"({item['requests']} requests)", flush=True)

        # Throughput against bare Flask sending the same bytes, same nginx, same wrk.
        code, page = scans[0]
        fixtures_path = workdir / "fixtures.json"
        record(real.port, [code, page], fixtures_path)
        bare_env = {**env, "BENCH_FIXTURES": str(fixtures_path)}
        bare = Server("bare", "bench.bare_app:create_app()", bare_env, args.workers, workdir / "bare.log")
        stack.callback(bare.stop)
        bare.wait_ready(code)
        _same_bytes(real, bare, [code, page])
        fixed = workdir / "fixed.tsv"
        fixed.write_text(f"{code}\t{page}\n")
        fixed_script = workdir / "fixed.lua"
        fixed_script.write_text(SCAN_SCRIPT % {"paths": fixed} + WRK_SCRIPT % {"lang": LANG})
        baseline = {}
        for server in (real, bare):
            nginx.stop()
            nginx = Nginx(workdir, server.port)
            stack.callback(nginx.stop)
            wrk(nginx.port, fixed_script, min(args.connections, 20), 2)
            baseline[server.name] = wrk(nginx.port, fixed_script, args.connections, args.baseline_seconds)
            item = baseline[server.name]
            print(f"  {server.name:4} {code} + {page}: {item['rps']:.0f} req/s, p50 {item['p50_ms']:.1f} ms, "
                  f"p95 {item['p95_ms']:.1f} ms, {item['errors']} errors", flush=True)
        baseline["ratio"] = baseline["real"]["rps"] / baseline["bare"]["rps"]
        report["baseline"] = baseline
        report["loadavg_end"] = os.getloadavg()[0]
    scanners = report["scanners"]
    text = "\n".join([
        f"Dalil load benchmark {args.label} {stamp}: {report['database']}, {report['codes']} codes, gunicorn sync "
        f"x{args.workers} behind nginx, {args.connections} connections, {report['client']}, load average "
        f"{report['loadavg_start']:.1f} → {report['loadavg_end']:.1f} on {os.cpu_count()} CPUs",
        f"{'run':34} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}",
        *(f"{name:34} {item['rps']:8.0f} {item['p50_ms']:8.1f} {item['p95_ms']:8.1f} {item['p99_ms']:8.1f} "
          f"{item['errors']:7}"
          for name, item in (("random /q/ + page, " + f"{args.seconds} s", scanners),
                             ("fixed /q/ + page, real", report["baseline"]["real"]),
                             ("fixed /q/ + page, bare Flask", report["baseline"]["bare"]))),
        f"real/bare throughput: {report['baseline']['ratio']:.2f}",
    ])
    print("\n" + text)
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"load-{args.label}.json").write_text(json.dumps(report, indent=2))
    (RESULTS_DIR / f"load-{args.label}.txt").write_text(text + "\n")
    return 0 if scanners["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
