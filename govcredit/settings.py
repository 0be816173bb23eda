"""Django settings for GovCredit.

Everything that differs between the embedded demo and a production deployment comes from the
environment: ``DATABASE_URL`` (default: SQLite under ``var/``), the keys (see ``govcredit/core/keys.py``;
by default generated into ``var/keys.json``) and ``GOVCREDIT_DEBUG``.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from govcredit.core.keys import load_keys

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("GOVCREDIT_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("GOVCREDIT_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("GOVCREDIT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

# --- keys (owner: ledger; see govcredit/core/keys.py and docs/architecture.md) -------------------------
# Every key has its own purpose and none is derived from another: environment variable first, else
# the key file (var/keys.json, owner-only), which is created with random keys on first start unless
# GOVCREDIT_PRODUCTION=1. Outside debug and tests a published demo key or a loose key file stops the start.
_TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]
KEY_FILE = Path(os.environ.get("GOVCREDIT_KEY_FILE", VAR_DIR / "keys.json"))
_KEYS = load_keys(os.environ, KEY_FILE, production=os.environ.get("GOVCREDIT_PRODUCTION", "0") == "1",
                  strict=not DEBUG and not _TESTING)
SECRET_KEY = _KEYS.secret_key
# Fernet keys for personal identifiers, newest first. Rotation: put a new key in front, run
# `govcredit rotate-keys`, then drop the old key.
FIELD_ENCRYPTION_KEYS = _KEYS.field_keys
BLIND_INDEX_KEY = _KEYS.index_key
LEDGER_KEY = _KEYS.ledger_key
LEDGER_CHECKPOINT_KEY = _KEYS.checkpoint_key
# Signed checkpoints of the ledger's head (sequence, hash, time), one JSON line each; copy the file off
# the database host (docs/architecture.md). Written after appends at most every INTERVAL seconds, and daily.
LEDGER_CHECKPOINT_FILE = Path(os.environ.get("GOVCREDIT_CHECKPOINT_FILE", VAR_DIR / "ledger-checkpoints.jsonl"))
LEDGER_CHECKPOINT_INTERVAL = int(os.environ.get("GOVCREDIT_CHECKPOINT_INTERVAL", "60"))
# --- end keys ------------------------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_q",
    "ninja",  # serves Swagger UI from its own static files instead of a CDN
    "govcredit.core",
    "govcredit.accounts",
    "govcredit.ledger",
    "govcredit.subjects",
    "govcredit.catalog",
    "govcredit.archive",
    "govcredit.workdays",
    "govcredit.intake",
    "govcredit.disclosure",
    "govcredit.statistics",
    "govcredit.exchange",
    "govcredit.workflow",
    "govcredit.indicators",
    "govcredit.sanctions",
    "govcredit.reports",
    "govcredit.remedies",
    "govcredit.obligations",
    "govcredit.commitments",
    "govcredit.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "govcredit.core.language.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "govcredit.core.errors.DomainErrorMiddleware",
    "govcredit.accounts.middleware.PasswordChangeRequiredMiddleware",
]

ROOT_URLCONF = "govcredit.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "govcredit.core.menu.menu_context",
            ],
        },
    },
]

WSGI_APPLICATION = "govcredit.wsgi.application"

_default_db = f"sqlite:///{VAR_DIR / 'govcredit.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, task worker) share the file: wait for locks instead of failing,
    # and take the write lock at BEGIN so that read-then-write transactions cannot deadlock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so that a task worker started by a test sees the test database;
    # one per test process so that concurrent test runs do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_govcredit_{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_govcredit_{os.getpid()}"}

CACHES = {
    # Shared by every web process on every machine (rate limits and login throttling count here):
    # the database, so nothing more runs; `migrate` makes its table (core/apps.py).
    "default": {"BACKEND": "govcredit.core.sharedcache.SharedDatabaseCache", "LOCATION": "govcredit_cache",
                "OPTIONS": {"MAX_ENTRIES": 100_000}},
    # Portal answers, keyed by the ledger's head (see disclosure/answers.py). Files, so that every web
    # process on the machine shares them (each search is run once, not once per process) without a server.
    "portal": {"BACKEND": "govcredit.core.filecache.SharedFileCache",
               "LOCATION": str(VAR_DIR / "cache" / "portal"), "OPTIONS": {"MAX_ENTRIES": 10000}},
    # Template fragments that depend only on the language (the portal's head, header and footer): each process
    # keeps its own, as a lookup in the shared database cache costs more than rendering them.
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "govcredit-fragments",
                  "OPTIONS": {"MAX_ENTRIES": 100}},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "govcredit.accounts.hashers.GovCreditArgon2Hasher",  # Argon2id at 19 MiB: see the class
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Locked for a while after repeated failures (django-axes): a user name, and separately a client address
# (so that one password tried against many user names from one address is locked too). Attempts per
# address are throttled before that, in the shared cache (GOVCREDIT_LOGIN_RATE, accounts/views.py).
AXES_FAILURE_LIMIT = int(os.environ.get("GOVCREDIT_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "govcredit.core.ratelimit.client_address"  # the address every rate limit uses
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

# Sessions end after 30 idle minutes and with the browser.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing directory before collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
# Workflow notifications by e-mail: the console in the demo; set GOVCREDIT_EMAIL_BACKEND (and Django's
# EMAIL_HOST, EMAIL_PORT, ... through the environment of your deployment) for SMTP.
EMAIL_BACKEND = os.environ.get("GOVCREDIT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("GOVCREDIT_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("GOVCREDIT_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("GOVCREDIT_EMAIL_FROM", "govcredit@localhost")
GOVCREDIT_EVIDENCE_MAX_BYTES = int(os.environ.get("GOVCREDIT_EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))

# Background work: django-q2 with its ORM broker, so the embedded default needs no extra server
# and several worker machines can share one PostgreSQL database. Its cluster also runs the
# scheduler (daily publicity expiry, reminders, ledger checks).
Q_CLUSTER = {
    "name": "govcredit",
    "orm": "default",
    "workers": int(os.environ.get("GOVCREDIT_WORKERS", "2")),
    "timeout": 3600,
    "retry": 4000,
    "max_attempts": 3,
    "queue_limit": 20,
    "poll": 1,
    "catch_up": False,
    "label": "后台任务",
    "save_limit": 1000,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_forbidden": {"()": "govcredit.core.logs.OneLineForbidden"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_forbidden"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("GOVCREDIT_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
# Request bodies read into memory: room for the API's documented 10,000-row JSON batches (under 2 KB a row
# in the national columns); larger data goes through a file upload, which streams to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 32 * 1024**2

# Serve static files straight from the apps when collectstatic has not run (tests, first start).
WHITENOISE_USE_FINDERS = True


# --- Transport security and Content-Security-Policy (issue 8, item 19) ------------------------------------
# One switch, GOVCREDIT_HTTPS=1, says "this site is served over HTTPS". It makes the session and CSRF cookies
# Secure, sends HSTS (GOVCREDIT_HSTS_SECONDS, default one year, with subdomains and preload eligibility),
# redirects plain HTTP to HTTPS, and trusts X-Forwarded-Proto: the TLS-terminating proxy in front of
# gunicorn must set that header itself (overwriting any the client sent). See README "Configuration".
HTTPS = os.environ.get("GOVCREDIT_HTTPS", "0") == "1"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("GOVCREDIT_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# Always on, in development and tests too (the browser tests fail on any violation): scripts, styles,
# fonts and images from this site only; no inline script or style, no eval, no plugins, no framing.
# Data for scripts travels in <script type="application/json"> blocks (json_script), which are not run.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # Swagger UI draws its icons from data: URIs
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# --- end of item 19 block ---------------------------------------------------------------------------------
