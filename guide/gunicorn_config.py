"""Gunicorn settings for production, behind nginx:

    gunicorn -c python:guide.gunicorn_config "guide:create_app()"

DALIL_BIND (default 127.0.0.1:8000) and WEB_CONCURRENCY (default 2 x cores + 1, at most 12)
choose where and how many; logs are JSON lines with request ids unless DALIL_LOG_FORMAT says text.
"""

import os

MAX_DEFAULT_WORKERS = 12


def default_workers(cores: int | None) -> int:
    """Return 2 x cores + 1 sync workers, at least 2, at most MAX_DEFAULT_WORKERS."""
    # Beyond a dozen, sync workers mostly wait on the database and each holds its own page cache.
    return max(2, min(2 * (cores or 1) + 1, MAX_DEFAULT_WORKERS))


def _cores() -> int | None:
    # The cores this process may run on (a container's share), not the machine's.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count()


bind = os.environ.get("DALIL_BIND") or "127.0.0.1:8000"
workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers(_cores()))
worker_class = "sync"
# A 30-minute recording uploaded to the CMS is transcoded in its request (guide/media/pipeline.py):
# up to a minute on a busy 2-core machine, far past gunicorn's default of 30 s.
timeout = 180
# On restart, requests in flight (an upload being transcoded) get time to finish.
graceful_timeout = 60
# The app is loaded before the port opens, and the workers are forked from it: a server that
# is restarting refuses connections (nginx sends them to another server) instead of queueing
# them while each worker imports the app (tests/test_cluster.py), and workers recycled by
# max_requests start at once.
preload_app = True
# nginx keeps upstream connections open (keepalive in its upstream block, 60 s by default):
# a little longer here, so nginx, not gunicorn, closes them and never reuses a closed one.
keepalive = 75
# Recycle workers now and then, jittered so that they do not all restart at once.
max_requests = 10_000
max_requests_jitter = 1_000
# The proxies allowed to say the request came over HTTPS (X-Forwarded-Proto): nginx on this host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
# The app writes its own access line, in JSON with the request id and duration (guide/logs.py).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("DALIL_LOG_LEVEL") or "info"
# gunicorn 27's control socket has one path per user ($HOME/.gunicorn/gunicorn.ctl): two app
# servers on one host would take it from each other, and nothing here uses it.
control_socket_disable = True
# Workers' /tmp files on a RAM disk where there is one, as the gunicorn docs advise for containers.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# The app reads DALIL_LOG_FORMAT when it starts in each worker; JSON unless the operator chose.
os.environ.setdefault("DALIL_LOG_FORMAT", "json")
if os.environ["DALIL_LOG_FORMAT"] == "json":
    # gunicorn's own lines (worker boot, timeouts) in the same JSON shape.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "guide.logs.JsonFormatter"}},
        "filters": {"request_id": {"()": "guide.logs.RequestIdFilter"}},
        "handlers": {"error": {"class": "logging.StreamHandler", "formatter": "json",
                               "filters": ["request_id"], "stream": "ext://sys.stderr"}},
        "loggers": {"gunicorn.error": {"level": loglevel.upper(), "handlers": ["error"], "propagate": False}},
        # The app puts its own JSON handler on the root logger (guide/logs.py).
        "root": {"level": "INFO", "handlers": []},
    }
