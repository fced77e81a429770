"""Measure search: p50 and p95 of search() and of GET /api/v1/search on the sample content, and
what the offline search index adds to each site's pack descriptor.

    python bench/bench_search.py [--database-url postgresql://…] [--runs 50]
Builds a fresh database (SQLite in a temporary folder by default; an empty PostgreSQL database
when given), loads content/, then times the issue's queries. With more monuments loaded (a
generated set), run `flask --app guide search-reindex` first and pass --database-url --keep.
Writes bench/results/search.json. Timings are indicative: this machine.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guide import create_app  # noqa: E402
from guide.content.services import load_content  # noqa: E402
from guide.encoding import to_json  # noqa: E402
from guide.extensions import db  # noqa: E402

QUERIES = ["mosquee hassan", "مسجد الحسن", "المسجد", "مَسْجِد", "mosq", "cathédrale", "art deco",
           "الدار البيضاء", "١٩٩٣", "zzzz"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--keep", action="store_true", help="Use the database as it is (already loaded).")
    parser.add_argument("--runs", type=int, default=50)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        url = options.database_url or f"sqlite:///{tmp}/search.sqlite3"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_DIR": f"{tmp}/media", "SECRET_KEY": "bench"})
        with app.app_context():
            if not options.keep:
                from flask_migrate import upgrade

                upgrade()
                load_content(ROOT / "content")
                db.session.commit()
            from guide.search.models import SearchEntry
            from guide.search.services import search

            entries = db.session.query(SearchEntry).count()
        report = {"database": url.split(":")[0], "entries": entries,
                  "runs": options.runs}
        service, api = [], []
        client = app.test_client()
        with app.test_request_context():
            for _run in range(options.runs):
                for query in QUERIES:
                    started = time.perf_counter()
                    search(query, "fr")
                    service.append((time.perf_counter() - started) * 1000)
        for _run in range(options.runs):
            for query in QUERIES:
                started = time.perf_counter()
                response = client.get("/api/v1/search", query_string={"q": query, "lang": "ar"})
                api.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
        report["search_ms"] = {"p50": round(statistics.median(service), 2), "p95": round(percentile(service, 0.95), 2)}
        report["api_ms"] = {"p50": round(statistics.median(api), 2), "p95": round(percentile(api, 0.95), 2)}
        packs = {}
        for summary in client.get("/api/v1/packs").get_json()["packs"]:
            pack = client.get(summary["url"]).get_json()
            index = pack.pop("search")
            packs[pack["site"]] = {
                "pack_bytes": pack["bytes"],
                "descriptor_bytes_without_index": len(to_json(pack)),
                "index_bytes": len(to_json(index)),
            }
        report["packs"] = packs
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "search.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
