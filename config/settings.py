"""Palimpsest settings, read from the environment.

Development: `DJANGO_DEBUG=1` and nothing else (SQLite under var/, a throwaway secret key).
Production: `DJANGO_SECRET_KEY`, `DJANGO_ALLOWED_HOSTS` and `DATABASE_URL` are required;
see README.md, "Running in production".
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Return the environment variable `name` read as a boolean flag."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Return the comma-separated environment variable `name` as a list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it (50+ random characters) in production, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production-" + "x" * 20  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "audit",
    "archive",
    "annotations",
    "editor",
    "backups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Serves repeat reads of public pages from memory, ahead of sessions, auth and CSRF (archive/caching.py).
    "archive.caching.PageCacheMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    "config.errors.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

VAR_DIR = Path(os.environ.get("PALIMPSEST_VAR_DIR", BASE_DIR / "var"))
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'palimpsest.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0" if DEBUG else "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast while PostgreSQL is down (a 503 page and /healthz answer at once) instead of hanging.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers carry on while one writer imports; busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One Redis shared by every app server (page cache, login throttling); local memory otherwise, which
# is per process: fine for development, not for several gunicorn workers (see PALIMPSEST_PAGE_CACHE).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",  # Django's, reusing its Redis clients (config/cache.py)
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "palimpsest",
            # Short timeouts: a Redis outage degrades pages to uncached rendering instead of hanging them.
            # PING a connection idle for 30 s before using it: a subscription on a dead link is noticed.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, "health_check_interval": 30},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "palimpsest"}}

# Public pages (article list, article, original) served to anonymous readers from the cache
# (archive/caching.py). On by default with Redis, or in development; a per-process cache would let
# gunicorn workers serve pages another worker has invalidated.
PALIMPSEST_PAGE_CACHE = env_bool("PALIMPSEST_PAGE_CACHE", bool(REDIS_URL) or DEBUG)
PALIMPSEST_PAGE_CACHE_SECONDS = int(os.environ.get("PALIMPSEST_PAGE_CACHE_SECONDS", 60 * 60))
# Each process keeps the page versions it read until Redis announces a change (archive/version_watch.py),
# instead of reading a version from Redis for every page it serves from memory. Needs Redis.
PALIMPSEST_VERSION_WATCH = env_bool("PALIMPSEST_VERSION_WATCH", bool(REDIS_URL))

# Login throttling (editor/throttling.py): this many failed sign-ins for one username, or from one
# client address, within the window lock that username or address out for PALIMPSEST_LOGIN_LOCKOUT_SECONDS.
PALIMPSEST_LOGIN_FAILURES_PER_USERNAME = int(os.environ.get("PALIMPSEST_LOGIN_FAILURES_PER_USERNAME", 5))
PALIMPSEST_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("PALIMPSEST_LOGIN_FAILURES_PER_ADDRESS", 20))
PALIMPSEST_LOGIN_WINDOW_SECONDS = int(os.environ.get("PALIMPSEST_LOGIN_WINDOW_SECONDS", 15 * 60))
PALIMPSEST_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("PALIMPSEST_LOGIN_LOCKOUT_SECONDS", 15 * 60))
# Reverse proxies in front of gunicorn that append the client address to X-Forwarded-For (0: none,
# REMOTE_ADDR is the client). Wrong here means throttling by the proxy's address, or a spoofable one.
PALIMPSEST_TRUSTED_PROXIES = int(os.environ.get("PALIMPSEST_TRUSTED_PROXIES", 0))

# Content-Security-Policy (config/csp.py; Django 6.0's setting shape): no inline scripts or styles.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/editor/"
LOGOUT_REDIRECT_URL = "/"

# Importer limits: a file over this size is refused before it is decoded.
PALIMPSEST_IMPORT_MAX_BYTES = int(os.environ.get("PALIMPSEST_IMPORT_MAX_BYTES", 2 * 1024 * 1024))

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
