"""How reads grow with the guide: latency of codes, pages, API documents and search, a pack's
build time and size, and a worker's peak memory, for one database and dataset.

    python bench/bench_scale.py --label sample-sqlite                        # content/ on SQLite
    python bench/bench_scale.py --label scale-sqlite --content /tmp/scale    # a generate-scale set
    python bench/bench_scale.py --label scale-pg --content /tmp/scale \\
        --database postgresql://postgres@127.0.0.1:5432/dalil_scale
    python bench/bench_scale.py --label scale-pg --database URL --media DIR --no-load   # loaded before

Builds the database (init-db, then load-content, timed) unless --no-load, serves it with
gunicorn (one sync worker, so "cached" means cached in the worker that answers; the cache is
per worker), and sends single requests in sequence over one keep-alive connection:

- uncached: each URL once, in a random order over distinct codes, monuments and languages (with
  more URLs than the worker's response cache holds, or every URL there is for a small guide);
- cached: the same URLs again, in another order.

Search (/api/v1/search?q=&lang=) is measured when the server has it (one query per request, from
the set's own vocabulary, each distinct, so uncached), else marked absent. The largest site's pack
(/api/v1/packs/<site>, every language) is built once cold: time and the bytes it lists. Then the
worker's peak resident memory (VmHWM) is read from /proc. Prints a table; writes
bench/results/scale-<label>.json.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bench.bench_http import HOST  # noqa: E402
from bench.bench_http import RESULTS_DIR  # noqa: E402
from bench.bench_http import Server  # noqa: E402
from bench.bench_http import _children  # noqa: E402

# Words of the sample and the generated set (guide/content/scale.py), in the forms people type.
SEARCH_WORDS = {
    "ar": ["مسجد", "المسجد", "مدرسة", "الزليج", "الصومعة", "قصبة", "رياض", "القبة", "المحراب", "باب",
           "مَسْجِد", "الرخام", "سقاية", "حمام", "الأوداية", "الكتبية", "زاوية", "قصر"],
    "fr": ["mosquee", "mosquée hassan", "medersa", "zellige", "minaret", "kasbah", "riad", "coupole",
           "mihrab", "porte", "cedre", "marbre", "fontaine", "hammam", "art deco", "palais", "zaouia"],
    "en": ["mosque", "madrasa", "zellige", "minaret", "kasbah", "riad", "dome", "gate", "marble",
           "fountain", "hammam", "art deco", "palace", "tower", "garden"],
}
# Seconds a cold pack of the largest site may take (every page of the site, every language).
PACK_TIMEOUT = 3 * 3600


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def build(env: dict, content: Path | None) -> dict:
    """init-db and load-content, timed; return the seconds each took."""
    timings = {}
    for name, command in (("init_db_s", ["init-db"]),
                          ("load_s", ["load-content", *([str(content)] if content else [])])):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "flask", "--app", "guide", *command], cwd=PROJECT_ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=6 * 3600)
        timings[name] = time.perf_counter() - started
    return timings


def targets(env: dict) -> dict:
    """Read every live code and monument, and the site with the most monuments, from the database."""
    os.environ.update({key: value for key, value in env.items() if key.startswith("DALIL_") or key == "DATABASE_URL"})
    from sqlalchemy import func
    from sqlalchemy import select

    from guide import create_app
    from guide.codes.models import Code
    from guide.extensions import db
    from guide.monuments.models import Monument
    from guide.sites.models import Site

    app = create_app()
    with app.app_context():
        codes = list(db.session.scalars(select(Code.code).where(Code.retired_dt.is_(None)).order_by(Code.code)))
        slugs = list(db.session.scalars(select(Monument.slug).where(Monument.live.is_(True)).order_by(Monument.slug)))
        largest = db.session.execute(
            select(Site.slug, func.count(Monument.id)).join(Monument, Monument.site_id == Site.id)
            .group_by(Site.slug).order_by(func.count(Monument.id).desc())
        ).first()
        languages = list(app.config["LANGUAGES"])
        db.engine.dispose()
    return {"codes": codes, "slugs": slugs, "site": largest[0], "site_monuments": largest[1],
            "languages": languages}


class Client:
    """One keep-alive connection; times each request end to end (headers and body read)."""

    def __init__(self, port: int, timeout: float = 600):
        self.port = port
        self.timeout = timeout
        self.connection = http.client.HTTPConnection(HOST, port, timeout=timeout)

    def get(self, path: str, lang: str = "fr") -> tuple[int, int, float]:
        started = time.perf_counter()
        try:
            self.connection.request("GET", path, headers={"Accept-Language": lang, "User-Agent": "dalil-bench"})
            response = self.connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            raise
        return response.status, len(body), time.perf_counter() - started


def measure(client: Client, urls: list[tuple[str, str]]) -> dict:
    latencies, errors, sizes = [], 0, []
    for path, lang in urls:
        try:
            status, size, seconds = client.get(path, lang)
        except (OSError, http.client.HTTPException):
            errors += 1
            continue
        if status != 200:
            errors += 1
        latencies.append(seconds * 1000)
        sizes.append(size)
    return {"n": len(urls), "p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95),
            "errors": errors, "mean_bytes": statistics.mean(sizes) if sizes else 0}


def peak_rss_mb(server: Server) -> float:
    peaks = []
    for pid in _children(server.process.pid):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks, default=float("nan"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", required=True, help="name of this run in the results")
    parser.add_argument("--content", type=Path, help="content folder to load (default: content/)")
    parser.add_argument("--database", help="SQLAlchemy URL (default: a throwaway SQLite file)")
    parser.add_argument("--media", type=Path, help="media folder (default: a throwaway one)")
    parser.add_argument("--no-load", action="store_true", help="the database is loaded already")
    parser.add_argument("--requests", type=int, default=500, help="URLs per kind and pass")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-pack", action="store_true", help="skip the pack build")
    parser.add_argument("--no-reads", action="store_true", help="only the pack build (and peak memory)")
    args = parser.parse_args()
    if not 10 <= args.requests <= 5000:
        parser.error("--requests between 10 and 5000")
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="dalil-scale-"))
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
            # The largest site's pack renders every page of the site cold: minutes at 10,000 monuments.
            "GUNICORN_CMD_ARGS": os.environ.get("GUNICORN_CMD_ARGS", f"--timeout {PACK_TIMEOUT}"),
        }
        report: dict = {"label": args.label, "when": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
                        "database": env["DATABASE_URL"].split(":", 1)[0], "content": str(args.content or "content/"),
                        "worker": "gunicorn, 1 sync worker", "cpus": os.cpu_count(),
                        # Other programs on the machine move every figure: say how busy it was.
                        "loadavg_start": os.getloadavg()[0]}
        if not args.no_load:
            print(f"Building {report['database']} from {report['content']} …", flush=True)
            report.update(build(env, args.content))
        found = targets(env)
        langs = found["languages"]
        report.update({"codes": len(found["codes"]), "monuments": len(found["slugs"]), "largest_site": found["site"],
                       "largest_site_monuments": found["site_monuments"], "languages": langs})
        print(f"{report['monuments']} monuments, {report['codes']} codes, languages {' '.join(langs)}", flush=True)

        server = Server("real", "guide:create_app()", env, 1, workdir / "server.log")
        stack.callback(server.stop)
        server.wait_ready("/api/v1/sites", timeout=120)
        client = Client(server.port)
        codes = rng.sample(found["codes"], min(args.requests, len(found["codes"])))
        pairs = [(slug, lang) for slug in found["slugs"] for lang in langs]
        pages = rng.sample(pairs, min(args.requests, len(pairs)))
        apis = rng.sample(found["slugs"], min(args.requests, len(found["slugs"])))
        kinds = {
            "code /q/<CODE>": [(f"/q/{code}", rng.choice(langs)) for code in codes],
            "page /<lang>/monuments/<slug>": [(f"/{lang}/monuments/{slug}", lang) for slug, lang in pages],
            "API /api/v1/monuments/<slug>": [(f"/api/v1/monuments/{slug}", "fr") for slug in apis],
        }
        status, _size, _seconds = client.get("/api/v1/search?q=zellige&lang=fr")
        searches = [(word, lang) for lang in langs for word in SEARCH_WORDS.get(lang, [])]
        if status == 200:
            kinds["search /api/v1/search"] = [(f"/api/v1/search?q={quote(word)}&lang={lang}", lang)
                                              for word, lang in searches]
        else:
            report["search"] = f"absent: /api/v1/search answered {status} on this branch"
        client.get("/fr/")
        results = {}
        for name, urls in ({} if args.no_reads else kinds).items():
            cold = measure(client, urls)
            warm = measure(client, rng.sample(urls, len(urls)))
            results[name] = {"uncached": cold, "cached": warm}
            print(f"  {name:32} uncached p50 {cold['p50_ms']:7.1f} p95 {cold['p95_ms']:7.1f} ms   "
                  f"cached p50 {warm['p50_ms']:6.2f} p95 {warm['p95_ms']:6.2f} ms  (n={cold['n']}, "
                  f"{cold['errors'] + warm['errors']} errors)", flush=True)
        report["reads"] = results
        if not args.no_pack:
            client = Client(server.port, timeout=PACK_TIMEOUT)
            try:
                status, size, seconds = client.get(f"/api/v1/packs/{found['site']}")
            except (OSError, http.client.HTTPException):
                server.log.flush()
                print((workdir / "server.log").read_text()[-3000:], file=sys.stderr)
                raise
            _status, _size, warm_seconds = client.get(f"/api/v1/packs/{found['site']}")
            pack_bytes = files = 0
            if status == 200:
                connection = http.client.HTTPConnection(HOST, server.port, timeout=PACK_TIMEOUT)
                connection.request("GET", f"/api/v1/packs/{found['site']}")
                pack = json.loads(connection.getresponse().read())
                connection.close()
                files = len(pack["files"])
                pack_bytes = sum(entry["bytes"] for entry in pack["files"])
            report["pack"] = {"site": found["site"], "status": status, "build_s": seconds, "cached_s": warm_seconds,
                              "files": files, "bytes": pack_bytes, "document_bytes": size}
            print(f"  pack {found['site']}: built in {seconds:.1f} s (cached {warm_seconds * 1000:.0f} ms), "
                  f"{files} files, {pack_bytes / 1e6:.1f} MB", flush=True)
        report["worker_peak_rss_mb"] = peak_rss_mb(server)
        report["loadavg_end"] = os.getloadavg()[0]
        print(f"  worker peak RSS {report['worker_peak_rss_mb']:.0f} MB", flush=True)
    lines = [f"Dalil scale benchmark {report['label']}: {report['database']}, {report['monuments']} monuments, "
             f"{report['codes']} codes" + (f", loaded in {report['load_s']:.0f} s" if "load_s" in report else "")
             + f"; load average {report['loadavg_start']:.1f} → {report['loadavg_end']:.1f} on {os.cpu_count()} CPUs",
             f"{'read':32} {'n':>5} {'uncached p50':>13} {'p95':>8} {'cached p50':>11} {'p95':>8}  (ms)"]
    for name, result in report["reads"].items():
        lines.append(f"{name:32} {result['uncached']['n']:5} {result['uncached']['p50_ms']:13.1f} "
                     f"{result['uncached']['p95_ms']:8.1f} {result['cached']['p50_ms']:11.2f} "
                     f"{result['cached']['p95_ms']:8.2f}")
    if "search" in report:
        lines.append(f"search: {report['search']}")
    if "pack" in report:
        pack = report["pack"]
        lines.append(f"pack {pack['site']}: {pack['build_s']:.1f} s cold, {pack['files']} files, "
                     f"{pack['bytes'] / 1e6:.1f} MB")
    lines.append(f"worker peak RSS: {report['worker_peak_rss_mb']:.0f} MB")
    print("\n" + "\n".join(lines))
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"scale-{args.label}.json").write_text(json.dumps(report, indent=2))
    (RESULTS_DIR / f"scale-{args.label}.txt").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
