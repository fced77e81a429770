"""HTTP benchmark: the real app against a bare Flask app sending the same bytes, side by side.

    python bench/bench_http.py [--seconds 5] [--rounds 3] [--workers 2] [--connections 4]

Builds a throwaway SQLite database from content/ (init-db + load-content), serves the real app
and bench/bare_app.py with the same gunicorn settings (sync workers, 127.0.0.1, free ports),
records the real answers for a plaque URL (/q/<CODE>) and a monument document
(/api/v1/monuments/<slug>), has the bare app replay them byte for byte, then loads both in
interleaved rounds (real, bare, real, bare…) with wrk, or with a Python keep-alive client when
wrk is not installed. It prints requests/s, p50 and p95 latency and the real/bare ratio per URL,
and writes them to bench/results/. Everything stays on the loopback and is bounded in time.
"""

import argparse
import base64
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import UTC
from datetime import datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
HOST = "127.0.0.1"
# What a phone sends when a visitor scans a plaque; wrk sends the same.
REQUEST_HEADERS = {"Accept-Language": "fr-FR,fr;q=0.9,ar;q=0.8", "User-Agent": "dalil-bench"}
# Set per connection by the server, not part of what the app decides.
TRANSPORT_HEADERS = {"date", "server", "connection", "content-length", "transfer-encoding", "keep-alive"}

WRK_SCRIPT = """
wrk.headers["Accept-Language"] = "%(lang)s"
wrk.headers["User-Agent"] = "dalil-bench"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\\"requests\\":%%d,\\"duration_us\\":%%d,\\"p50_us\\":%%d,\\"p95_us\\":%%d,"
    .. "\\"p99_us\\":%%d,\\"errors\\":%%d,\\"non2xx\\":%%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def run(command: list[str], env: dict) -> None:
    subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                   timeout=600)


def build_database(workdir: Path, content: Path) -> dict:
    """Create and load the throwaway database; return the environment the real app runs in."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'dalil.sqlite3'}",
        "DALIL_MEDIA_DIR": str(workdir / "media"),
        "SECRET_KEY": "bench",
        "PUBLIC_BASE_URL": "https://dalil.example",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    run([sys.executable, "-m", "flask", "--app", "guide", "init-db"], env)
    run([sys.executable, "-m", "flask", "--app", "guide", "load-content", str(content)], env)
    return env


class Server:
    """A gunicorn process on a free loopback port, stopped by its own handle."""

    def __init__(self, name: str, app: str, env: dict, workers: int, log: Path):
        self.name = name
        self.port = free_port()
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync",
             "--bind", f"{HOST}:{self.port}", "--log-level", "warning", app],
            cwd=PROJECT_ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def wait_ready(self, path: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log.name}")
            try:
                if fetch(self.port, path)[0] < 500:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start in {timeout} s")

    def worker_cpu_seconds(self) -> float:
        """Return the CPU time (user + system) its workers have used so far."""
        total = 0.0
        for pid in _children(self.process.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def fetch(port: int, path: str) -> tuple[int, list[tuple[str, str]], bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers=REQUEST_HEADERS)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def pick_targets(port: int, code: str | None, slug: str | None) -> tuple[str, str]:
    """Use the given code and slug, or the first monument of the guide and its plaque code."""
    if code and slug:
        return code, slug
    status, _headers, body = fetch(port, "/api/v1/monuments?per_page=1")
    if status != 200:
        raise RuntimeError(f"/api/v1/monuments answered {status}")
    first = json.loads(body)["items"][0]
    return code or first["code"], slug or first["slug"]


def record(port: int, paths: list[str], destination: Path) -> list[dict]:
    """Save the real app's answers so the bare app can replay exactly the same bytes."""
    fixtures = []
    for path in paths:
        status, headers, body = fetch(port, path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        kept = [(name, value) for name, value in headers if name.lower() not in TRANSPORT_HEADERS]
        fixtures.append({"path": path, "status": status, "headers": kept,
                         "body": base64.b64encode(body).decode(), "bytes": len(body)})
    destination.write_text(json.dumps(fixtures))
    return fixtures


def _app_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted((name.lower(), value) for name, value in headers if name.lower() not in TRANSPORT_HEADERS)


def check_same_answers(real: Server, bare: Server, paths: list[str]) -> None:
    """Refuse to compare unless both servers send identical statuses, headers and bodies."""
    for path in paths:
        a_status, a_headers, a_body = fetch(real.port, path)
        b_status, b_headers, b_body = fetch(bare.port, path)
        if (a_status, _app_headers(a_headers), a_body) != (b_status, _app_headers(b_headers), b_body):
            raise RuntimeError(f"{path}: the bare app does not answer like the real one")


def load_with_wrk(url: str, seconds: float, connections: int, threads: int, script: Path) -> dict:
    output = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{int(seconds)}s", "--timeout", "10s",
         "-s", str(script), url],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    return {
        "requests": data["requests"],
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50_ms": data["p50_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "errors": data["errors"] + data["non2xx"],
    }


def load_with_threads(url: str, seconds: float, connections: int, _threads: int, _script: Path) -> dict:
    """Fallback client: one thread per connection, keep-alive when the server allows it."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[list[float]] = [[] for _index in range(connections)]
    errors = [0] * connections
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        connection = None
        while time.monotonic() < deadline:
            if connection is None:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=REQUEST_HEADERS)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                connection.close()
                connection = None
                continue
            latencies[index].append(time.perf_counter() - started)
            if response.status != 200:
                errors[index] += 1
            if response.will_close:
                connection.close()
                connection = None
        if connection is not None:
            connection.close()

    started = time.monotonic()
    workers = [threading.Thread(target=worker, args=(index,)) for index in range(connections)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(seconds + 30)
    elapsed = time.monotonic() - started
    merged = sorted(value for values in latencies for value in values)

    def quantile(fraction: float) -> float:
        return merged[min(len(merged) - 1, int(fraction * len(merged)))] * 1000 if merged else 0.0

    return {"requests": len(merged), "rps": len(merged) / elapsed, "p50_ms": quantile(0.50),
            "p95_ms": quantile(0.95), "p99_ms": quantile(0.99), "errors": sum(errors)}


def summarise(runs: list[dict]) -> dict:
    cpu = [run["cpu_us"] for run in runs if run.get("cpu_us")]
    return {
        "cpu_us_per_request": statistics.median(cpu) if cpu else None,
        "rps": statistics.mean(run["rps"] for run in runs),
        "p50_ms": statistics.median(run["p50_ms"] for run in runs),
        "p95_ms": statistics.median(run["p95_ms"] for run in runs),
        "requests": sum(run["requests"] for run in runs),
        "errors": sum(run["errors"] for run in runs),
        "rounds_rps": [round(run["rps"], 1) for run in runs],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of each load run")
    parser.add_argument("--rounds", type=int, default=3, help="real/bare pairs per URL")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per app")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--content", type=Path, default=PROJECT_ROOT / "content")
    parser.add_argument("--code", help="plaque code to load (default: the first monument's)")
    parser.add_argument("--slug", help="monument to load (default: the first one)")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    args = parser.parse_args()
    if not (0 < args.seconds <= 120 and 0 < args.rounds <= 20 and 0 < args.connections <= 256):
        parser.error("keep --seconds ≤ 120, --rounds ≤ 20 and --connections ≤ 256")

    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    load = load_with_wrk if use_wrk else load_with_threads
    workdir = Path(tempfile.mkdtemp(prefix="dalil-bench-"))
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        print(f"Building the database from {args.content} …", flush=True)
        env = build_database(workdir, args.content)
        real = Server("real", "guide:create_app()", env, args.workers, workdir / "real.log")
        stack.callback(real.stop)
        real.wait_ready("/api/v1/sites")
        code, slug = pick_targets(real.port, args.code, args.slug)
        paths = [f"/q/{code}", f"/api/v1/monuments/{slug}"]
        fixtures_path = workdir / "fixtures.json"
        fixtures = record(real.port, paths, fixtures_path)
        bare_env = {**env, "BENCH_FIXTURES": str(fixtures_path), "PYTHONPATH": str(PROJECT_ROOT)}
        bare = Server("bare", "bench.bare_app:create_app()", bare_env, args.workers, workdir / "bare.log")
        stack.callback(bare.stop)
        bare.wait_ready(paths[0])
        check_same_answers(real, bare, paths)
        script = workdir / "bench.lua"
        script.write_text(WRK_SCRIPT % {"lang": REQUEST_HEADERS["Accept-Language"]})

        # Warm both (caches, imports, connection pools) before anything is measured.
        for server in (real, bare):
            for path in paths:
                load(server.url(path), 1, args.connections, args.threads, script)

        runs: dict[tuple[str, str], list[dict]] = {}
        for round_number in range(1, args.rounds + 1):
            for path in paths:
                for server in (real, bare):
                    cpu_before = server.worker_cpu_seconds()
                    result = load(server.url(path), args.seconds, args.connections, args.threads, script)
                    # Less sensitive than req/s to other programs on a shared machine.
                    cpu_used = server.worker_cpu_seconds() - cpu_before
                    result["cpu_us"] = cpu_used / max(result["requests"], 1) * 1e6 if cpu_used else None
                    runs.setdefault((path, server.name), []).append(result)
                    cpu_text = f"{result['cpu_us']:5.0f} µs CPU/req" if result["cpu_us"] else ""
                    print(f"round {round_number} {server.name:4} {path:40} {result['rps']:8.0f} req/s "
                          f"p50 {result['p50_ms']:6.2f} ms  p95 {result['p95_ms']:6.2f} ms  {cpu_text}",
                          flush=True)

        report = {
            "when": stamp,
            "client": "wrk" if use_wrk else "python threads",
            "settings": {key: value for key, value in vars(args).items() if key != "content"},
            "cpus": os.cpu_count(),
            "urls": {},
        }
        lines = [f"Dalil HTTP benchmark {stamp}: gunicorn sync x{args.workers} per app, "
                 f"{args.connections} connections, {args.rounds} x {args.seconds:g} s per app and URL, "
                 f"client {report['client']}, {os.cpu_count()} CPUs", ""]
        lines.append(f"{'URL':40} {'app':5} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'CPU µs':>7} "
                     f"{'bytes':>7}")
        for path, fixture in zip(paths, fixtures, strict=True):
            summary = {name: summarise(runs[(path, name)]) for name in ("real", "bare")}
            # Each real run is paired with the bare run right after it, so load from other
            # processes that drifts over the benchmark affects both sides of a ratio alike.
            paired = [real["rps"] / bare["rps"]
                      for real, bare in zip(runs[(path, "real")], runs[(path, "bare")], strict=True)]
            ratio = statistics.median(paired)
            report["urls"][path] = {**summary, "ratio": ratio, "round_ratios": [round(value, 3) for value in paired],
                                    "bytes": fixture["bytes"]}
            for name in ("real", "bare"):
                item = summary[name]
                cpu = f"{item['cpu_us_per_request']:7.0f}" if item["cpu_us_per_request"] else f"{'-':>7}"
                lines.append(f"{path:40} {name:5} {item['rps']:8.0f} {item['p50_ms']:8.2f} "
                             f"{item['p95_ms']:8.2f} {cpu} {fixture['bytes']:7}")
            cpu_ratio = (summary["bare"]["cpu_us_per_request"] / summary["real"]["cpu_us_per_request"]
                         if summary["real"]["cpu_us_per_request"] and summary["bare"]["cpu_us_per_request"]
                         else None)
            report["urls"][path]["cpu_ratio"] = cpu_ratio
            lines.append(f"{'':40} ratio real/bare: {ratio:.2f} req/s (rounds: "
                         f"{', '.join(f'{value:.2f}' for value in paired)})"
                         + (f"; {cpu_ratio:.2f} by worker CPU (bare µs / real µs)" if cpu_ratio else "")
                         + (f"  ({summary['real']['errors'] + summary['bare']['errors']} errors)"
                            if summary["real"]["errors"] + summary["bare"]["errors"] else ""))
        text = "\n".join(lines)
        print("\n" + text)
        (RESULTS_DIR / f"http-{stamp}.json").write_text(json.dumps(report, indent=2))
        (RESULTS_DIR / f"http-{stamp}.txt").write_text(text + "\n")
        print(f"\nWritten to {RESULTS_DIR / f'http-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
