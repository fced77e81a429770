"""What counting scans costs the scan path: /q/<CODE> with statistics on and off.

    python bench/bench_scan.py [REQUESTS]
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench python bench/bench_scan.py

Builds a SQLite database with the sample content in a temporary folder (or migrates and
loads BENCH_DATABASE_URL), then times cached /q/ requests through the test client, in
alternating batches so that both variants see the same machine state. The times include the
periodic flush, which a real server runs after sending the response: the visitor never waits
for it, but the worker does.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Run from anywhere, without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import select

from guide import create_app
from guide.codes.models import Code
from guide.codes.stats import count_scan
from guide.codes.stats import local_day
from guide.codes.stats import scan_counter
from guide.content.services import load_content
from guide.extensions import db

ROOT = Path(__file__).resolve().parent.parent
BATCH = 100


def make_app(url: str, media: str, **config):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_DIR": media, "SECRET_KEY": "bench",
                       "PUBLIC_BASE_URL": "https://dalil.example", **config})


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main(requests: int = 4000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
        setup = make_app(url, folder)
        with setup.app_context():
            upgrade()
            load_content(ROOT / "content")
            db.session.commit()
            codes = list(db.session.scalars(select(Code.code).where(Code.retired_dt.is_(None))))
        # Defaults for the flush: every SCAN_FLUSH_HITS scans or SCAN_FLUSH_SECONDS.
        variants = {"counting on": make_app(url, folder), "counting off": make_app(url, folder, SCAN_STATS=False)}
        clients = {name: app.test_client() for name, app in variants.items()}
        headers = {"Accept-Language": "fr"}
        for client in clients.values():
            for code in codes:
                client.get(f"/q/{code}", headers=headers)
        times: dict[str, list[float]] = {name: [] for name in variants}
        for start in range(0, requests, BATCH):
            for name, client in clients.items():
                for index in range(start, start + BATCH):
                    path = f"/q/{codes[index % len(codes)]}?via=scan"
                    began = time.perf_counter()
                    # Buffered: the response is closed inside the timing, so the flushes that
                    # run after the response is sent are counted too (worker time).
                    client.get(path, headers=headers, buffered=True)
                    times[name].append(time.perf_counter() - began)
        print(f"{requests} cached /q/<CODE> requests per variant, {len(codes)} codes, {url.split(':')[0]}")
        for name, values in times.items():
            print(f"  {name:13} mean {statistics.mean(values) * 1e6:7.0f} µs   median "
                  f"{statistics.median(values) * 1e6:7.0f} µs   p99 {percentile(values, 0.99) * 1e6:7.0f} µs")
        extra = statistics.median(times["counting on"]) - statistics.median(times["counting off"])
        print(f"  counting costs {extra * 1e6:+.0f} µs a request at the median "
              f"({extra / statistics.median(times['counting off']) * 100:+.1f} %)")

        app = variants["counting on"]
        with app.test_request_context():
            counter = scan_counter()
            counter.flush()
            began = time.perf_counter()
            today = local_day()
            for index in range(10_000):
                counter.add((codes[index % len(codes)], today, "fr", "scan"))
            per_add = (time.perf_counter() - began) / 10_000
            counter.flush_hits = counter.flush_seconds = 10**9
            counter.flush()
            began = time.perf_counter()
            for index in range(10_000):
                count_scan(codes[index % len(codes)], "fr", "scan")
            assert sum(counter.pending.values()) == 10_000
            per_count = (time.perf_counter() - began) / 10_000
            began = time.perf_counter()
            written = counter.flush()
            flush = time.perf_counter() - began
        print(f"  count_scan() alone: {per_count * 1e6:.1f} µs (the buffer's add: {per_add * 1e6:.1f} µs)")
        print(f"  one flush of {written} scans over {len(codes)} rows: {flush * 1e3:.1f} ms "
              f"(every {app.config['SCAN_FLUSH_HITS']} scans or {app.config['SCAN_FLUSH_SECONDS']} s)")
        for each in (setup, *variants.values()):
            with each.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4000)
