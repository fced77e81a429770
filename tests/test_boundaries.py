"""Domain boundaries: what the request path may import, import cycles, services never using views."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from guide.codes.models import Code
from guide.extensions import db
from guide.monuments.models import Monument

GUIDE_DIR = Path(__file__).resolve().parent.parent / "guide"
# The PDF stack is only for `flask labels`; a web worker must never pay for loading it.
PDF_MODULES = ("fpdf", "fontTools")

REQUESTS_SCRIPT = """
import json, sys
from guide import create_app
config = json.loads(sys.argv[1])
app = create_app(config["app"])
client = app.test_client()
statuses = {path: client.get(path).status_code for path in config["paths"]}
print(json.dumps({"statuses": statuses, "loaded": [name for name in config["watched"] if name in sys.modules]}))
"""


def _guide_modules() -> list[str]:
    # Migrations only run inside Alembic, which provides their context.
    paths = (path for path in GUIDE_DIR.rglob("*.py") if "migrations" not in path.relative_to(GUIDE_DIR).parts)
    names = []
    for path in paths:
        parts = path.relative_to(GUIDE_DIR.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return sorted(names)


def _run(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-W", "error", "-c", code, *args], capture_output=True,
                          text=True, cwd=GUIDE_DIR.parent, timeout=120)


def test_requests_never_load_the_pdf_stack(app):
    with app.app_context():
        code = db.session.scalar(select(Code.code).where(Code.retired_dt.is_(None)).order_by(Code.code))
        slug = db.session.scalar(select(Monument.slug).order_by(Monument.slug))
    settings = {name: app.config[name] for name in
                ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "MEDIA_DIR", "PUBLIC_BASE_URL")}
    paths = ["/", f"/q/{code}", f"/fr/monuments/{slug}", f"/api/v1/monuments/{slug}", f"/qr/{code}.png"]
    config = {"app": {"TESTING": True, **settings}, "paths": paths, "watched": PDF_MODULES}
    result = _run(REQUESTS_SCRIPT, json.dumps(config))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["statuses"] == dict.fromkeys(paths, 200)
    assert report["loaded"] == []


@pytest.mark.parametrize("module", _guide_modules())
def test_each_module_imports_on_its_own(module):
    result = _run(f"import {module}")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("order", ["sorted", "reversed"])
def test_all_modules_import_in_either_order(order):
    modules = _guide_modules()
    if order == "reversed":
        modules.reverse()
    result = _run("import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)", *modules)
    assert result.returncode == 0, result.stderr


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            # "from guide.x import views" imports guide.x.views.
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", sorted(GUIDE_DIR.glob("*/services.py")), ids=lambda path: path.parent.name)
def test_services_never_import_views(path):
    views = sorted(name for name in _imported_modules(path) if name.rsplit(".", 1)[-1] == "views")
    assert views == []


def test_the_boundary_checks_see_every_domain():
    # A layout change that hid the services or the modules from the checks above would pass them silently.
    services = {path.parent.name for path in GUIDE_DIR.glob("*/services.py")}
    assert {"codes", "plaques", "offline", "api", "content", "monuments", "media"} <= services
    assert {"guide.plaques.labels", "guide.codes.views", "guide.fetching", "guide.offline.assets"} <= set(_guide_modules())
