"""Defaults, overridden by the instance folder's config.py and then by the environment."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    # Languages are data: ar and fr are required; EXTRA_LANGUAGES="zgh en" enables more
    # once their content and catalogs exist.
    REQUIRED_LANGUAGES = ("ar", "fr")
    EXTRA_LANGUAGES: tuple[str, ...] = ()
    DEFAULT_LANGUAGE = "fr"
    # Locale used for number and date formats when Babel knows it (ar_MA, fr_MA).
    LOCALE_TERRITORY = "MA"
    LANGUAGE_COOKIE = "dalil_lang"

    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")
    BABEL_DEFAULT_TIMEZONE = "Africa/Casablanca"

    CONTENT_DIR = str(PROJECT_ROOT / "content")
    PWA_DIR = str(PROJECT_ROOT / "pwa")
    # Printed on plaques, so it must be the public address, never localhost in production.
    PUBLIC_BASE_URL = "http://127.0.0.1:8000"

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Seconds to wait for PostgreSQL to accept a connection: when it is down, pages answer 503
    # quickly instead of hanging (guide/errors.py).
    DATABASE_CONNECT_TIMEOUT = 2

    # Media files: "" keeps them in the folder MEDIA_DIR; "s3://bucket/prefix" puts them in an
    # S3-compatible bucket (guide/media/storage.py). Unset keys leave boto3 its own chain
    # (AWS_* variables, ~/.aws files, instance roles).
    MEDIA_STORAGE = ""
    S3_ENDPOINT_URL: str | None = None
    S3_ACCESS_KEY_ID: str | None = None
    S3_SECRET_ACCESS_KEY: str | None = None
    S3_REGION = "us-east-1"
    # A name for the deployed code (a git commit): packs shared between servers through the
    # media store are keyed by it, with the templates, catalogs and app files (guide/offline/store.py).
    RELEASE = ""
    # Whether app servers share the packs they build through the media store; None: when
    # MEDIA_STORAGE names a bucket (every server sees it).
    SHARE_PACKS: bool | None = None
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    MAX_FORM_PARTS = 500
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    # Curator sessions (guide/accounts/sessions.py): signed out after this long idle, and
    # after this long whatever happens. Cookies are Secure and __Host- when PUBLIC_BASE_URL
    # is https (SECURE_COOKIES overrides).
    SESSION_IDLE_MINUTES = 30
    SESSION_HOURS = 12
    SECURE_COOKIES: bool | None = None
    # Roles that must use a second factor (TOTP) to open the CMS: DALIL_REQUIRE_2FA_ROLES="admin editor".
    REQUIRE_2FA_ROLES: tuple[str, ...] = ("admin",)
    # Sign-in attempts, per client address and per account (Flask-Limiter syntax).
    LOGIN_LIMIT_PER_IP = "5 per minute"
    LOGIN_LIMIT_PER_ACCOUNT = "10 per hour"
    # Proxies in front of the app that append the client's address to X-Forwarded-For (nginx: 1).
    # Only sign-in throttling and the audit log read it; 0 trusts no header (REMOTE_ADDR).
    PROXY_HOPS = 0
    # "text" for the development server; "json" (one object a line, with request ids) in
    # production: guide/gunicorn_config.py sets DALIL_LOG_FORMAT=json unless told otherwise.
    LOG_FORMAT = "text"
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    # Rendered pages and API documents kept per worker, stamped with the versions of the sites
    # they show (guide/versions.py).
    RESPONSE_CACHE_SIZE = 2048
    # Monuments the home page lists per site, in guide order; the site's page lists them all.
    HOME_MONUMENTS_PER_SITE = 12
    # Redis pub/sub tells every worker of each commit (redis://host:6379/0). Without it,
    # PostgreSQL's LISTEN/NOTIFY does; on SQLite each worker re-reads the versions every
    # VERSION_CHECK_SECONDS: twice a second, so an edit shows everywhere within one second.
    REDIS_URL: str | None = None
    VERSION_CHANNEL = "dalil_versions"
    VERSION_CHECK_SECONDS = 0.5
    API_PAGE_SIZE = 20
    API_MAX_PAGE_SIZE = 100

    # Plaques: where the OFL fonts are (Debian fonts-hosny-amiri, fonts-noto-core, fonts-noto-mono).
    LABEL_FONT_DIRS = (
        "/usr/share/fonts/opentype/fonts-hosny-amiri",
        "/usr/share/fonts/truetype/noto",
    )
    # Scan statistics: each worker counts in memory and adds its counts to the database
    # after this many scans or seconds, and when it exits. A busy worker writes every 30 s;
    # a crash loses at most that much counting, never a visitor's page.
    SCAN_STATS = True
    SCAN_FLUSH_HITS = 1000
    SCAN_FLUSH_SECONDS = 30

    # Zip import in the CMS (guide/content/archive.py): the upload's size, then what it may unpack to.
    MAX_IMPORT_MB = 200
    IMPORT_MAX_FILES = 5000
    IMPORT_MAX_UNPACKED_MB = 1024
    # A member over 1 MiB unpacking to more than this many times its compressed size is a bomb.
    IMPORT_MAX_RATIO = 100
    # CMS uploads (guide/media): bodies over MAX_CONTENT_LENGTH (64 MB, a long recording) get a
    # 413 before any view; an image over MAX_IMAGE_UPLOAD_MB too. Images larger than this many
    # pixels are refused before they are decoded; recordings over MAX_AUDIO_SECONDS are refused.
    MAX_IMAGE_UPLOAD_MB = 20
    MAX_IMAGE_PIXELS = 40_000_000
    MAX_AUDIO_SECONDS = 30 * 60


def split_words(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Read a list setting given as "a b" or "a,b" in the environment."""
    if isinstance(value, str):
        return tuple(word for word in value.replace(",", " ").split() if word)
    return tuple(value)
