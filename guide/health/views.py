"""Probes for load balancers and orchestrators: /healthz (the process answers), /readyz (it can serve)."""

from flask import Blueprint
from flask import jsonify

from guide.health import services

bp = Blueprint("health", __name__)


def _uncached(response, status: int = 200):
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    """Say the process is alive, touching neither the database nor the media store."""
    return _uncached(jsonify(status="ok"))


@bp.get("/readyz")
def readyz():
    """Say whether the database and the media store answer: 200 when both do, else 503 naming which failed."""
    parts = services.readiness()
    ready = all(state == "ok" for state in parts.values())
    return _uncached(jsonify(status="ready" if ready else "unavailable", **parts), 200 if ready else 503)
