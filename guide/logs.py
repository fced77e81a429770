"""Request ids on every request, and logs as one JSON object a line when LOG_FORMAT is json."""

import json
import logging
import random
import re
import sys
import time
from datetime import UTC
from datetime import datetime

from flask import Flask
from flask import g
from flask import has_request_context
from flask import request
from flask.logging import default_handler

HEADER = "X-Request-ID"
# An id from nginx or a load balancer is kept when it cannot smuggle anything into a log line.
SAFE_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
FORMATS = ("text", "json")
ACCESS_LOGGER = "guide.access"
# Fields a record may carry (logging's extra=) that the JSON line then shows.
EXTRA_FIELDS = ("method", "path", "status", "duration_ms")


def new_request_id() -> str:
    """Return a fresh random id: 16 hex digits, unique enough to find one request's lines."""
    # Not a secret, so no system call (os.urandom) on every scan; random reseeds in each forked worker.
    return f"{random.getrandbits(64):016x}"


def request_id() -> str | None:
    """Return the current request's id, or None outside a request."""
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Stamp each record with the id of the request it was logged in (None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """Write a record as one line of JSON: time, level, logger, message, request_id and extras."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for field in EXTRA_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        # ensure_ascii: a tracebacks' Arabic text or a stray control character stays on one line.
        return json.dumps(line, ensure_ascii=True, default=str)


def json_handler(stream=None) -> logging.Handler:
    """Return a handler writing JSON lines with request ids to stream (stderr by default)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.dalil_json = True
    return handler


def _use_json_logs(app: Flask) -> None:
    root = logging.getLogger()
    # One JSON handler on the root however many apps a process creates (tests create many).
    for handler in [handler for handler in root.handlers if getattr(handler, "dalil_json", False)]:
        root.removeHandler(handler)
    root.addHandler(json_handler())
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    # Flask's own text handler would write each app message a second time, as text.
    app.logger.removeHandler(default_handler)


def init_app(app: Flask) -> None:
    """Give every request an id (X-Request-ID) and, with LOG_FORMAT=json, log JSON lines."""
    log_format = app.config["LOG_FORMAT"]
    if log_format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
    json_logs = log_format == "json"
    if json_logs:
        _use_json_logs(app)
    access = logging.getLogger(ACCESS_LOGGER)

    def start() -> None:
        g.request_started = time.perf_counter()
        incoming = request.headers.get(HEADER)
        g.request_id = incoming if incoming and SAFE_ID.fullmatch(incoming) else new_request_id()

    def finish(response):
        # A request refused before start() ran (an unknown Host) still gets an id.
        if "request_id" not in g:
            g.request_id = new_request_id()
        response.headers[HEADER] = g.request_id
        if json_logs:
            started = g.get("request_started")
            duration_ms = round((time.perf_counter() - started) * 1000, 2) if started is not None else None
            if access.isEnabledFor(logging.INFO):
                # A record made here rather than by access.info(): no search of the stack for the
                # caller's file and line, which the access line does not show anyway.
                record = logging.LogRecord(ACCESS_LOGGER, logging.INFO, __file__, 0, "%s %s %s",
                                           (request.method, request.path, response.status_code), None)
                record.method, record.path, record.status = request.method, request.path, response.status_code
                record.duration_ms = duration_ms
                access.handle(record)
        return response

    # First of the before-request hooks, so that whatever they log carries the id.
    app.before_request_funcs.setdefault(None, []).insert(0, start)
    app.after_request(finish)
