"""Operations: request ids, JSON logs, and the gunicorn configuration serving a plaque scan."""

import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from guide import logs
from guide.codes.models import Code
from guide.extensions import db

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GENERATED = re.compile(r"[0-9a-f]{16}")


def _code(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Code.code).where(Code.retired_dt.is_(None)).order_by(Code.code).limit(1))


@pytest.mark.parametrize("path", ["/fr/", "/api/v1/sites", "/fr/monuments/nowhere", "/api/v1/monuments?near=x"])
def test_every_answer_carries_a_fresh_request_id(client, path):
    first = client.get(path).headers["X-Request-ID"]
    second = client.get(path).headers["X-Request-ID"]
    assert GENERATED.fullmatch(first)
    assert GENERATED.fullmatch(second)
    assert first != second


def test_a_scan_carries_a_request_id(app, client):
    response = client.get(f"/q/{_code(app)}")
    assert response.status_code == 200
    assert GENERATED.fullmatch(response.headers["X-Request-ID"])


@pytest.mark.parametrize("incoming", ["abc-123", "0f8fad5b-d9cb-469f-a165-70867728950e", "A" * 64, "x"])
def test_a_safe_incoming_id_is_kept(client, incoming):
    assert client.get("/fr/", headers={"X-Request-ID": incoming}).headers["X-Request-ID"] == incoming


@pytest.mark.parametrize("incoming", [
    "", "A" * 65, "a b", "a_b", "a;b", "abc\u00e9", "\u0661\u0662\u0663", "a\tb", "<script>", "a/b", "x" * 10_000,
    '{"level":"ERROR"}',
])
def test_an_unsafe_incoming_id_is_replaced(client, incoming):
    # Latin-1 is all a header can carry on the wire; anything else is as a server would receive it.
    header = incoming.encode("utf-8").decode("latin-1")
    response = client.get("/fr/", headers={"X-Request-ID": header})
    assert response.status_code == 200
    assert GENERATED.fullmatch(response.headers["X-Request-ID"])


def test_a_request_refused_before_any_hook_still_gets_an_id(client):
    # An unknown Host is refused by Flask itself, before the before-request hooks.
    response = client.get("/fr/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert GENERATED.fullmatch(response.headers["X-Request-ID"])


@pytest.fixture
def json_app(app_factory):
    """An app logging JSON, its lines collected; the root logger is put back afterwards."""
    root = logging.getLogger()
    level = root.level
    before = list(root.handlers)
    made = app_factory(LOG_FORMAT="json")
    handler = next(handler for handler in root.handlers if getattr(handler, "dalil_json", False))
    stream = io.StringIO()
    handler.setStream(stream)

    @made.get("/_test/log")
    def log_something():
        made.logger.warning("a note about %s", "المسجد")
        return "ok"

    @made.get("/_test/crash")
    def crash():
        raise RuntimeError("boom")

    made.config["PROPAGATE_EXCEPTIONS"] = False
    made.stream = stream
    yield made
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
    root.setLevel(level)


def _lines(app) -> list[dict]:
    text = app.stream.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert all(isinstance(line, dict) for line in lines)
    return lines


def test_json_logs_give_one_access_line_per_request(app, json_app):
    client = json_app.test_client()
    code = _code(app)
    response = client.get(f"/q/{code}", headers={"X-Request-ID": "scan-1"})
    assert response.status_code == 200
    access = [line for line in _lines(json_app) if line["logger"] == logs.ACCESS_LOGGER]
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == "scan-1"
    assert line["method"] == "GET"
    assert line["path"] == f"/q/{code}"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO"
    assert line["message"] == f"GET /q/{code} 200"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])


def test_json_logs_stamp_the_app_lines_with_the_request_id(json_app):
    client = json_app.test_client()
    response = client.get("/_test/log")
    request_id = response.headers["X-Request-ID"]
    lines = _lines(json_app)
    note = next(line for line in lines if line["level"] == "WARNING")
    assert note["message"] == "a note about المسجد"
    assert note["request_id"] == request_id
    assert note["logger"] == json_app.logger.name
    # One physical line per record, Arabic escaped.
    assert "المسجد" not in json_app.stream.getvalue()


def test_json_logs_keep_a_traceback_on_one_line(json_app):
    client = json_app.test_client()
    response = client.get("/_test/crash")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    lines = _lines(json_app)
    error = next(line for line in lines if line["level"] == "ERROR")
    assert "RuntimeError: boom" in error["exception"]
    assert error["request_id"] == request_id
    access = next(line for line in lines if line["logger"] == logs.ACCESS_LOGGER)
    assert access["status"] == 500
    assert access["request_id"] == request_id
    assert len(json_app.stream.getvalue().splitlines()) == len(lines)


def test_json_logs_outside_a_request_have_no_id(json_app):
    logging.getLogger("guide.test").warning("startup")
    line = _lines(json_app)[-1]
    assert line["request_id"] is None
    assert line["message"] == "startup"


def test_one_json_handler_however_many_apps(json_app, app_factory):
    app_factory(LOG_FORMAT="json")
    assert sum(getattr(handler, "dalil_json", False) for handler in logging.getLogger().handlers) == 1


def test_text_logs_add_no_handler(app):
    assert app.config["LOG_FORMAT"] == "text"
    assert not any(getattr(handler, "dalil_json", False) for handler in logging.getLogger().handlers)


def test_an_unknown_log_format_stops_the_start(app_factory):
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        app_factory(LOG_FORMAT="xml")


@pytest.mark.parametrize(("cores", "workers"), [(None, 3), (1, 3), (2, 5), (4, 9), (64, 12)])
def test_default_workers_follow_the_cores_within_bounds(cores, workers):
    from guide.gunicorn_config import default_workers

    assert default_workers(cores) == workers


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}: {log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not answer")


def test_gunicorn_serves_a_scan_with_the_config_file(app, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DALIL_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "DALIL_MEDIA_DIR": app.config["MEDIA_DIR"],
        "SECRET_KEY": "test-secret",
        "PUBLIC_BASE_URL": base,
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    env.pop("DALIL_LOG_FORMAT", None)
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:guide.gunicorn_config", "guide:create_app()"],
            cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
        try:
            _wait_for(f"{base}/fr/", process, log)
            code = _code(app)
            request = urllib.request.Request(f"{base}/q/{code}", headers={"X-Request-ID": "through-gunicorn"})
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 200
                assert response.headers["X-Request-ID"] == "through-gunicorn"
                assert b"<html" in response.read()
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(60)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    # Every line is JSON: gunicorn's own (boot, shutdown) and the app's access lines.
    assert any(line["logger"] == "gunicorn.error" for line in lines)
    scans = [line for line in lines if line.get("path") == f"/q/{code}"]
    assert len(scans) == 1
    assert scans[0]["request_id"] == "through-gunicorn"
    assert scans[0]["status"] == 200
