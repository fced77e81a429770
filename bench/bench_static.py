"""Static export served by nginx: a monument page of the export against a plain file of the same size.

    python bench/bench_static.py [--seconds 5] [--rounds 3] [--connections 8]

Builds a throwaway SQLite database from content/, runs `export-static` into a temporary folder,
then runs Debian's nginx with README.md's configuration block (the export, on one free loopback
port) plus a bare `server { root …; }` serving a file of the same size as the monument page (on
another). Both are loaded in interleaved rounds with wrk (installed by `.ci/setup bench`), or a
Python keep-alive client when wrk is missing; the script says which. Prints requests/s and p50/p95
per URL and the export/plain ratio, and writes them to bench/results/.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC
from datetime import datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
HOST = "127.0.0.1"
PAGE = "/fr/monuments/hassan-ii-mosque"
WRK_SCRIPT = """
wrk.headers["Accept-Language"] = "fr-FR,fr;q=0.9"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT {\\"requests\\":%d,\\"duration_us\\":%d,\\"p50_us\\":%d,\\"p95_us\\":%d,"
    .. "\\"errors\\":%d,\\"non2xx\\":%d}\\n", summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def export(workdir: Path) -> Path:
    """Load content/ into a fresh SQLite database and export the guide."""
    sys.path.insert(0, str(PROJECT_ROOT))
    from flask_migrate import upgrade

    from guide import create_app
    from guide.content.services import load_content
    from guide.export.services import export_static
    from guide.extensions import db

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
                      "MEDIA_DIR": str(workdir / "media"), "PUBLIC_BASE_URL": "https://dalil.example"})
    root = workdir / "export"
    with app.app_context():
        upgrade()
        load_content(PROJECT_ROOT / "content")
        db.session.commit()
        started = time.perf_counter()
        summary = export_static(root)
        print(f"export: {len(summary.written)} files in {time.perf_counter() - started:.1f} s")
    return root


def nginx_config(workdir: Path, root: Path, plain: Path, port: int, plain_port: int) -> Path:
    readme = (PROJECT_ROOT / "README.md").read_text()
    block = re.search(r"```nginx\n(.*?)```", readme[readme.index("<!-- static-export-nginx:"):], re.S)[1]
    block = block.replace("listen 80;", f"listen {HOST}:{port};").replace("root /srv/dalil/export;", f"root {root};")
    temporary = "\n".join(f"{name}_temp_path {workdir / name};" for name in ("client_body", "proxy", "fastcgi",
                                                                            "uwsgi", "scgi"))
    config = workdir / "nginx.conf"
    config.write_text(
        ("user root;\n" if os.geteuid() == 0 else "") + f"error_log {workdir / 'error.log'};\n"
        + "worker_processes 1;\nevents {}\nhttp {\naccess_log off;\n" + temporary + "\n" + block
        + f"\nserver {{ listen {HOST}:{plain_port}; root {plain.parent}; default_type text/html; }}\n}}\n"
    )
    return config


def wait_for(port: int) -> None:
    for _attempt in range(200):
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing answers on port {port}")


def run_wrk(url: str, seconds: int, connections: int, script: Path) -> dict:
    output = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
                            capture_output=True, text=True, check=True).stdout
    result = json.loads(output.split("RESULT ", 1)[1])
    return {"rps": result["requests"] / (result["duration_us"] / 1e6), "p50_ms": result["p50_us"] / 1000,
            "p95_ms": result["p95_us"] / 1000, "errors": result["errors"] + result["non2xx"]}


def run_python(url: str, seconds: int, connections: int) -> dict:
    """A small keep-alive client, one thread per connection, when wrk is not installed."""
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    path = "/" + url.split("/", 3)[3]
    latencies: list[float] = []
    errors = [0]
    deadline = time.perf_counter() + seconds

    def work():
        connection = http.client.HTTPConnection(HOST, port)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            connection.request("GET", path, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors[0] += 1
            latencies.append(time.perf_counter() - started)
        connection.close()

    threads = [threading.Thread(target=work) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies)
    return {"rps": len(ordered) / seconds, "p50_ms": ordered[len(ordered) // 2] * 1000,
            "p95_ms": ordered[int(len(ordered) * 0.95)] * 1000, "errors": errors[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    options = parser.parse_args()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    tool = "wrk" if shutil.which("wrk") else "python"
    with tempfile.TemporaryDirectory(prefix="dalil-bench-static-") as temporary:
        workdir = Path(temporary)
        root = export(workdir)
        page = root / PAGE.strip("/") / "index.html"
        plain = workdir / "plain" / "page.html"
        plain.parent.mkdir()
        size = page.stat().st_size
        plain.write_bytes(b"x" * size)
        port, plain_port = free_port(), free_port()
        config = nginx_config(workdir, root, plain, port, plain_port)
        script = workdir / "report.lua"
        script.write_text(WRK_SCRIPT)
        process = subprocess.Popen([nginx, "-p", str(workdir), "-c", str(config), "-g",
                                    f"daemon off; pid {workdir / 'nginx.pid'};"])
        try:
            wait_for(port)
            wait_for(plain_port)
            urls = {"export": f"http://{HOST}:{port}{PAGE}", "plain": f"http://{HOST}:{plain_port}/page.html"}
            rounds: dict[str, list[dict]] = {name: [] for name in urls}
            for _round in range(options.rounds):
                for name, url in urls.items():
                    if tool == "wrk":
                        rounds[name].append(run_wrk(url, options.seconds, options.connections, script))
                    else:
                        rounds[name].append(run_python(url, options.seconds, options.connections))
        finally:
            process.terminate()
            process.wait(10)
    summary = {name: {key: statistics.median(result[key] for result in results) for key in results[0]}
               for name, results in rounds.items()}
    ratio = summary["export"]["rps"] / summary["plain"]["rps"]
    print(f"client: {tool}, {options.connections} connections, {options.rounds} rounds of {options.seconds} s")
    print(f"page size: {size} bytes")
    for name, result in summary.items():
        print(f"{name:7} {result['rps']:9.0f} req/s  p50 {result['p50_ms']:.2f} ms  p95 {result['p95_ms']:.2f} ms"
              f"  errors {result['errors']:.0f}")
    print(f"export/plain: {ratio:.2f}")
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS_DIR / f"static-{stamp}.json").write_text(json.dumps(
        {"client": tool, "page_bytes": size, "results": summary, "ratio": ratio,
         "seconds": options.seconds, "rounds": options.rounds, "connections": options.connections}, indent=2))


if __name__ == "__main__":
    main()
