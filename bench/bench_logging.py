"""What request ids and JSON logs cost a plaque scan, measured with the Flask test client.

    python bench/bench_logging.py [--requests 2000] [--rounds 5]

Builds a throwaway SQLite database from content/, then times GET /q/<CODE> (warm page cache)
in three apps, in interleaved rounds: without the request-id hooks (as before guide/logs.py),
with them and text logs (the default), and with JSON logs (one access line per request,
written to /dev/null). Prints the CPU microseconds per request of each (best round, and median) and the overhead.
"""

import argparse
import atexit
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from guide import create_app  # noqa: E402
from guide import logs  # noqa: E402
from guide.codes.models import Code  # noqa: E402
from guide.content.services import load_content  # noqa: E402
from guide.extensions import db  # noqa: E402


def build_database(folder: Path) -> str:
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    app = make_app(url, folder, "text")
    with app.app_context():
        upgrade()
        load_content(PROJECT_ROOT / "content")
        db.session.commit()
        code = db.session.scalar(select(Code.code).where(Code.retired_dt.is_(None)).order_by(Code.code).limit(1))
        db.engine.dispose()
    return url, code


def make_app(url: str, folder: Path, log_format: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_DIR": str(folder / "media"),
                       "SECRET_KEY": "bench", "PUBLIC_BASE_URL": "https://dalil.example",
                       "LOG_FORMAT": log_format})


def without_request_ids(app):
    """Take guide/logs.py's hooks out again, as the app was before it."""
    app.before_request_funcs[None] = [hook for hook in app.before_request_funcs[None]
                                      if hook.__module__ != logs.__name__]
    app.after_request_funcs[None] = [hook for hook in app.after_request_funcs[None]
                                     if hook.__module__ != logs.__name__]
    return app


def time_requests(client, path: str, count: int) -> float:
    """Return the mean CPU microseconds per GET of path over count requests."""
    # CPU time of this process: other processes on the machine barely change it, unlike wall time.
    started = time.process_time()
    for _request in range(count):
        response = client.get(path, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
        assert response.status_code == 200, response.status_code
    return (time.process_time() - started) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dalil-bench-"))
    # Removed last, after the apps have flushed their scan counts at exit.
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url, code = build_database(folder)
    path = f"/q/{code}"
    apps = {
        "no request ids (before)": without_request_ids(make_app(url, folder, "text")),
        "request ids, text logs": make_app(url, folder, "text"),
        "request ids, JSON logs": make_app(url, folder, "json"),
    }
    # JSON lines go nowhere: the cost measured is building them, not the terminal. The handler
    # Alembic's upgrade() left on the root logger goes, as no server has it.
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "dalil_json", False):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115
        else:
            root.removeHandler(handler)
    clients = {name: app.test_client() for name, app in apps.items()}
    for client in clients.values():
        time_requests(client, path, 50)
    timings = {name: [] for name in apps}
    for _round in range(options.rounds):
        for name, client in clients.items():
            timings[name].append(time_requests(client, path, options.requests))
    # The best round of each: on a shared machine, the others measure the neighbours.
    base = min(timings["no request ids (before)"])
    print(f"GET {path}, test client, best of {options.rounds} rounds of {options.requests} requests")
    for name, values in timings.items():
        best = min(values)
        print(f"  {name:26} {best:8.1f} µs/request  {best - base:+7.1f} µs  ({best / base - 1:+.1%})"
              f"  median {statistics.median(values):8.1f}")


if __name__ == "__main__":
    main()
