"""Dalil: a bilingual Arabic/French smart guide to historic buildings."""

import os
import secrets
from pathlib import Path

from flask import Flask

from guide import caching
from guide import errors
from guide import i18n
from guide import logs
from guide import models  # noqa: F401  (registers every table)
from guide import security
from guide import sessions
from guide.accounts import sessions as curator_sessions
from guide.config import Defaults
from guide.config import split_words
from guide.extensions import babel
from guide.extensions import csrf
from guide.extensions import db
from guide.extensions import limiter
from guide.extensions import login_manager
from guide.extensions import migrate
from guide.media import storage
from guide.search.models import include_object as search_include_object

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


class GuideApp(Flask):
    """Flask, checking once per handler (not once per request) whether it is a coroutine."""

    def ensure_sync(self, func):
        # Every request passes each hook and its view through here; a scan has ten of them.
        known = self.__dict__.setdefault("_dalil_sync_handlers", {})
        found = known.get(func)
        if found is None:
            found = known[func] = super().ensure_sync(func)
        return found


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, instance config, environment, then the test overrides."""
    app = GuideApp(__name__, instance_relative_config=True, static_folder=None)
    app.config.from_object(Defaults)
    app.config["SQLALCHEMY_DATABASE_URI"] = (
        f"sqlite:///{Path(app.instance_path) / 'dalil.sqlite3'}"
    )
    app.config["MEDIA_DIR"] = str(Path(app.instance_path) / "media")
    app.config.from_pyfile("config.py", silent=True)
    _load_environment(app)
    if test_config is not None:
        app.config.from_mapping(test_config)
    _finish_config(app)

    db.init_app(app)
    storage.init_app(app)
    # Each database's full-text objects for search are kept out of Alembic's comparisons.
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True,
                     include_object=search_include_object)
    logs.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    caching.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    sessions.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    curator_sessions.init_app(app, login_manager)
    limiter.init_app(app)
    _keep_public_requests_light(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def _load_environment(app: Flask) -> None:
    # The documented names first, then any DALIL_* setting (DALIL_DEFAULT_LANGUAGE=ar).
    for name in ("SECRET_KEY", "PUBLIC_BASE_URL", "REDIS_URL"):
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = _sqlalchemy_url(os.environ["DATABASE_URL"])
    app.config.from_prefixed_env("DALIL")


def _sqlalchemy_url(url: str) -> str:
    """Accept the postgres:// and postgresql:// URLs that hosting platforms hand out."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _finish_config(app: Flask) -> None:
    config = app.config
    extra = tuple(
        lang for lang in split_words(config["EXTRA_LANGUAGES"]) if lang not in config["REQUIRED_LANGUAGES"]
    )
    config["LANGUAGES"] = tuple(config["REQUIRED_LANGUAGES"]) + extra
    if config["DEFAULT_LANGUAGE"] not in config["LANGUAGES"]:
        raise ValueError(f"DEFAULT_LANGUAGE {config['DEFAULT_LANGUAGE']!r} is not enabled")
    config["PUBLIC_BASE_URL"] = config["PUBLIC_BASE_URL"].rstrip("/")
    # Flask answers 400 to any other Host; DALIL_TRUSTED_HOSTS="cdn.example .dalil.ma" adds more.
    config["TRUSTED_HOSTS"] = security.trusted_hosts(
        config["PUBLIC_BASE_URL"], split_words(config.get("TRUSTED_HOSTS") or ())
    )
    config["SQLALCHEMY_DATABASE_URI"] = _sqlalchemy_url(config["SQLALCHEMY_DATABASE_URI"])
    _engine_options(config)
    config["REQUIRE_2FA_ROLES"] = split_words(config["REQUIRE_2FA_ROLES"])
    _session_cookies(config)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))


def _engine_options(config) -> None:
    # A database that is down must fail a request within seconds (a 503), never hang it.
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", int(config["DATABASE_CONNECT_TIMEOUT"]))
        options["connect_args"] = connect_args
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _session_cookies(config) -> None:
    # Behind TLS the cookie is Secure and __Host- (no Domain, Path=/): no subdomain can set it.
    secure = config["SECURE_COOKIES"]
    if secure is None:
        secure = config["PUBLIC_BASE_URL"].startswith("https://")
    config["SESSION_COOKIE_SECURE"] = bool(secure)
    config["SESSION_COOKIE_NAME"] = "__Host-dalil_session" if secure else "dalil_session"
    config["PERMANENT_SESSION_LIFETIME"] = config["SESSION_HOURS"] * 3600
    # Flask-Limiter: shared counters across workers and servers when Redis is there.
    config.setdefault("RATELIMIT_STORAGE_URI", config["REDIS_URL"] or "memory://")
    config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # The Limiter is one object for every app of the process: say it explicitly for each.
    config.setdefault("RATELIMIT_ENABLED", True)


def _instance_secret(instance: Path) -> str:
    """Keep a generated secret in the instance folder so sessions survive restarts."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _keep_public_requests_light(app: Flask) -> None:
    """Run Flask-Login's and Flask-Limiter's per-request hooks on CMS requests only.

    Together they made every scan 40 % slower. The sign-in limits are decorators, checked inside
    their views; no limit applies app-wide, and the CMS has no "remember me" cookie to refresh.
    """
    cms = ("accounts", "curator")
    hooks = app.before_request_funcs.get(None, [])
    hooks.remove(limiter._check_request_limit)
    for functions in (app.after_request_funcs, app.teardown_request_funcs):
        moved = [hook for hook in functions.get(None, []) if getattr(hook, "func", hook).__qualname__.startswith(
            ("Limiter.", "LoginManager._update_remember_cookie"))]
        for hook in moved:
            functions[None].remove(hook)
            if getattr(hook, "func", hook).__qualname__.startswith("Limiter."):
                for name in cms:
                    functions.setdefault(name, []).append(hook)


def register_blueprints(app: Flask) -> None:
    """Register every domain's blueprint, in one explicit list."""
    from guide.accounts.views import bp as accounts_bp
    from guide.api.views import bp as api_bp
    from guide.audit.views import bp as audit_bp
    from guide.codes.cms import bp as codes_cms_bp
    from guide.codes.views import bp as codes_bp
    from guide.content.views import bp as content_bp
    from guide.curator.editor import bp as editor_bp
    from guide.curator.tours import bp as tour_editor_bp
    from guide.curator.views import bp as curator_bp
    from guide.dashboard.views import bp as dashboard_bp
    from guide.health.views import bp as health_bp
    from guide.media.views import bp as media_bp
    from guide.media.views import uploads as media_uploads_bp
    from guide.monuments.views import bp as monuments_bp
    from guide.offline.views import bp as offline_bp
    from guide.plaques.views import bp as plaques_bp
    from guide.publishing.views import bp as publishing_bp
    from guide.search.views import bp as search_bp
    from guide.sites.views import bp as sites_bp
    from guide.tours.views import bp as tours_bp
    from guide.translating.views import bp as translating_bp

    for blueprint in (sites_bp, monuments_bp, media_bp, codes_bp, plaques_bp, api_bp, offline_bp,
                      curator_bp, accounts_bp, audit_bp, editor_bp, translating_bp, publishing_bp,
                      codes_cms_bp, dashboard_bp, content_bp, media_uploads_bp, health_bp, search_bp,
                      tours_bp, tour_editor_bp):
        app.register_blueprint(blueprint)


def register_template_helpers(app: Flask) -> None:
    """Make the content helpers every page uses available in templates."""
    from guide.guides.services import transcript_sentences
    from guide.media.services import media_url
    from guide.text import format_duration
    from guide.text import pick
    from guide.text import render_markdown
    from guide.text import typeset_html

    app.jinja_env.globals.update(
        pick=pick, media_url=media_url, render_markdown=render_markdown, format_duration=format_duration,
        transcript_sentences=transcript_sentences,
    )
    # base.html passes each page through it once, before the page is cached.
    app.jinja_env.filters["typeset"] = typeset_html


def register_commands(app: Flask) -> None:
    """Register the flask CLI commands of each domain."""
    from guide.accounts.cli import commands as accounts_commands
    from guide.codes.cli import commands as codes_commands
    from guide.content.cli import commands as content_commands
    from guide.export.cli import commands as export_commands
    from guide.media.cli import commands as media_commands
    from guide.offline.cli import commands as offline_commands
    from guide.plaques.cli import commands as plaques_commands
    from guide.publishing.cli import commands as publishing_commands
    from guide.search.cli import commands as search_commands
    from guide.translate import translate_command

    for command in (*content_commands, *codes_commands, *plaques_commands, *publishing_commands,
                    translate_command, *media_commands, *search_commands, *export_commands,
                    *offline_commands):
        app.cli.add_command(command)
    for command in accounts_commands:
        app.cli.add_command(command)
