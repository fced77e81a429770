"""Measure the app shell: what the service worker precaches, gzipped, against its 60 KB budget.

The budget counts HTML, CSS and JS (offline pages in every language, stylesheets, scripts);
fonts, icons, the manifest and the scanner's polyfill are outside it.

    python bench/bench_shell.py            # prints a table, writes bench/results/shell.json
Exit status 1 when the shell is over budget.
"""

import gzip
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guide import create_app  # noqa: E402

BUDGET = 60 * 1024
COUNTED = re.compile(r"^/(?:[a-z]{2,3}/offline.*|static/(?:css|js)/.*)$")


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def measure() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/shell.sqlite3",
            "MEDIA_DIR": f"{tmp}/media",
            "SECRET_KEY": "bench",
        })
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        client = app.test_client()
        script = client.get("/sw.js").get_data()
        shell = json.loads(re.search(rb"^const SHELL = (.*);$", script, re.MULTILINE).group(1))
        files = []
        for url in shell:
            response = client.get(url)
            body = response.get_data()
            response.close()
            files.append({"url": url, "bytes": len(body), "gzip": gzipped(body), "counted": bool(COUNTED.match(url))})
        files.append({"url": "/sw.js", "bytes": len(script), "gzip": gzipped(script), "counted": True})
    counted = sum(entry["gzip"] for entry in files if entry["counted"])
    return {"files": files, "shell_gzip_bytes": counted, "budget_bytes": BUDGET,
            "within_budget": counted <= BUDGET}


def main() -> int:
    result = measure()
    for entry in result["files"]:
        mark = " " if entry["counted"] else "-"
        print(f"{mark} {entry['gzip']:>8,} B gz {entry['bytes']:>9,} B  {entry['url']}")
    print(f"\nshell (HTML+CSS+JS, gzip -9): {result['shell_gzip_bytes'] / 1024:.1f} KB "
          f"of {BUDGET / 1024:.0f} KB  ('-' = outside the budget)")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "shell.json").write_text(json.dumps(result, indent=2))
    return 0 if result["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
