"""The floor for the benchmark: Flask returning recorded bytes and headers, doing nothing else.

bench_http.py records what the real app answers for each benchmarked URL (status, headers,
body) into a JSON file named by BENCH_FIXTURES, then serves this app with the same gunicorn
settings. The routes keep the real URL patterns, so URL matching costs the same.
"""

import base64
import json
import os
from pathlib import Path

from flask import Flask
from flask import Response
from flask import abort
from flask import request


def create_app() -> Flask:
    """Serve the recorded responses under the real app's URL patterns."""
    fixtures = json.loads(Path(os.environ["BENCH_FIXTURES"]).read_text())
    recorded = {
        item["path"]: (base64.b64decode(item["body"]), item["status"], item["headers"]) for item in fixtures
    }
    app = Flask(__name__, static_folder=None)

    def replay(**_values):
        found = recorded.get(request.path)
        if found is None:
            abort(404)
        body, status, headers = found
        return Response(body, status=status, headers=headers)

    app.add_url_rule("/q/<code>", "code", replay)
    app.add_url_rule("/api/v1/monuments/<slug>", "monument", replay)
    # bench_load.py follows each code to its page.
    app.add_url_rule("/<lang>/monuments/<slug>", "page", replay)
    app.add_url_rule("/<lang>/monuments/<slug>/<stop>", "stop", replay)
    return app
