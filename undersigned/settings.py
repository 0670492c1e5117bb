"""Settings for undersigned, configured only by environment variables.

Every variable is documented in the README ("Configuration"). The file fails closed: DEBUG is
off unless asked for, and outside DEBUG a secret key and allowed hosts are required.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from undersigned.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("UNDERSIGNED_DATA_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = env_bool("UNDERSIGNED_DEBUG", False)

SECRET_KEY = env_str("UNDERSIGNED_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "UNDERSIGNED_SECRET_KEY is required (set UNDERSIGNED_DEBUG=True for local development)."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

# Keys that signed what is still in flight (confirmation links, sessions, password reset
# links): to rotate the key, set the new one and list the old one here until those expire.
SECRET_KEY_FALLBACKS = env_list("UNDERSIGNED_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("UNDERSIGNED_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "UNDERSIGNED_ALLOWED_HOSTS is required, e.g. 'petitions.example.org'."
        )
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# The address people reach the platform at. Links in emails are built from it, never from the
# request's Host header.
BASE_URL = env_str("UNDERSIGNED_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_base = urlsplit(BASE_URL)
if _base.scheme not in ("http", "https") or not _base.netloc:
    raise ImproperlyConfigured(f"UNDERSIGNED_BASE_URL must be an http(s) URL, not {BASE_URL!r}")
HTTPS = _base.scheme == "https"
CSRF_TRUSTED_ORIGINS = [f"{_base.scheme}://{_base.netloc}"]

# How many reverse proxies of the operator's own stand in front of the app servers. 0: the
# socket's address is the client's, and X-Forwarded-For is ignored (any client can forge it).
TRUSTED_PROXIES = env_int("UNDERSIGNED_TRUSTED_PROXIES", 0)

# Keyed hashes of IP addresses use their own key, so rotating it does not log everybody out.
IP_HASH_KEY = env_str("UNDERSIGNED_IP_HASH_KEY") or SECRET_KEY

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "corsheaders",
    "ninja",
    "undersigned.core",
    "undersigned.jobs",
    "undersigned.statements",
    "undersigned.signatures",
    "undersigned.moderation",
    "undersigned.imports",
    "undersigned.accounts",
    "undersigned.operations",
    "undersigned.textchecks",
    "undersigned.deliveries",
    "undersigned.api",
    "undersigned.workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "undersigned.core.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # GET on /api/ from any origin (CORS_* below); no other path answers another origin.
    "corsheaders.middleware.CorsMiddleware",
    "undersigned.api.middleware.ApiMethodMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "undersigned.core.middleware.RequestIdMiddleware",
    "undersigned.operations.metrics.LatencyMiddleware",
    "undersigned.core.middleware.BodyLimitMiddleware",
    "undersigned.core.middleware.DatabaseBusyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: SIGNED_IN_MIDDLEWARE as one group, which the signing forms skip.
    "undersigned.core.middleware.SignedInMiddleware",
]
# Run by SignedInMiddleware for every request but the signing forms, in this order.
SIGNED_IN_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "undersigned.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes asks: it answers for a locked-out sign-in.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "undersigned.urls"
WSGI_APPLICATION = "undersigned.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Databases: PostgreSQL when DATABASE_URL is set, otherwise the embedded SQLite database in WAL
# mode, where every transaction takes the write lock up front (IMMEDIATE) so that two writers
# never deadlock on a lock upgrade, and synchronous=FULL so an acknowledged commit survives.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        raise ImproperlyConfigured("Leave DATABASE_URL unset to use the embedded SQLite database.")
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "undersigned.core.sqlite",
            "NAME": env_str("UNDERSIGNED_SQLITE_PATH", str(DATA_DIR / "undersigned.sqlite3")),
            # Keep connections open: opening one (and its PRAGMAs) costs more than a signature.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                # Seconds a write waits for a lock held outside the platform before it gives
                # up (a sign request then answers 503 with Retry-After).
                "timeout": env_int("UNDERSIGNED_SQLITE_BUSY_SECONDS", 5, minimum=1),
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: the interface and statement texts. Arabic is right-to-left.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("fr", _("French")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "undersigned" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Email: SMTP when a host is configured; otherwise one mbox file per batch in DATA_DIR/mail.
EMAIL_HOST = env_str("UNDERSIGNED_EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("UNDERSIGNED_EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("UNDERSIGNED_EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("UNDERSIGNED_EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("UNDERSIGNED_EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("UNDERSIGNED_EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("UNDERSIGNED_EMAIL_TIMEOUT", 30, minimum=1)
else:
    EMAIL_BACKEND = "undersigned.core.mail.MboxFileBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("UNDERSIGNED_FROM_EMAIL", "undersigned <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Signing rules.
CONFIRMATION_TTL_HOURS = env_int("UNDERSIGNED_CONFIRMATION_TTL_HOURS", 72, minimum=1)
CONFIRMATION_MAX_SENDS = env_int("UNDERSIGNED_CONFIRMATION_MAX_SENDS", 3, minimum=1)
# A signer who withdrew may sign again from their management link, with no new email, for this
# many hours; after that they sign again through the form (0: never).
SIGN_AGAIN_HOURS = env_int("UNDERSIGNED_SIGN_AGAIN_HOURS", 48, minimum=0)
# An invitation of a co-worker to a statement works once, for this many days.
INVITATION_DAYS = env_int("UNDERSIGNED_INVITATION_DAYS", 7, minimum=1)
# The longest text of one language a statement may have, in characters of Markdown.
TEXT_MAX_CHARS = env_int("UNDERSIGNED_TEXT_MAX_CHARS", 100_000, minimum=1000)
# The text check's link check never fetches from a private, loopback or link-local address,
# except in these networks (comma-separated, e.g. "127.0.0.0/8" for a test server).
LINK_CHECK_ALLOW = env_list("UNDERSIGNED_LINK_CHECK_ALLOW", [])
# Retention (see README, "Privacy and security"): unconfirmed signatures are deleted after
# this many days; IP hashes are dropped after this many days; contact data (email, contact
# person) is removed this many months after a statement closes, keeping the public entry.
RETENTION_UNCONFIRMED_DAYS = env_int("UNDERSIGNED_RETENTION_UNCONFIRMED_DAYS", 14, minimum=1)
RETENTION_IP_DAYS = env_int("UNDERSIGNED_RETENTION_IP_DAYS", 30, minimum=1)
RETENTION_CONTACT_MONTHS = env_int("UNDERSIGNED_RETENTION_CONTACT_MONTHS", 6, minimum=1)
# Abuse limits, per hour (see README, "Privacy and security"). A submission over a limit, on a
# blocklist, with the hidden field filled, or sent sooner than SIGN_MIN_SECONDS after the form
# was shown is stored but flagged: it is not counted until a moderator approves it, and the
# signer sees the same pages as everyone else.
LIMIT_PER_NETWORK = env_int("UNDERSIGNED_LIMIT_PER_NETWORK", 30, minimum=1)  # IPv4 /24, IPv6 /64
LIMIT_PER_EMAIL = env_int("UNDERSIGNED_LIMIT_PER_EMAIL", 10, minimum=1)  # across statements
LIMIT_PER_DOMAIN = env_int("UNDERSIGNED_LIMIT_PER_DOMAIN", 500, minimum=1)
SIGN_MIN_SECONDS = env_int("UNDERSIGNED_SIGN_MIN_SECONDS", 3)
# Confirmation emails per network per hour: past it, a flagged submission is stored as usual
# and its email waits until the hour has passed (0: no cap).
EMAILS_PER_NETWORK = env_int("UNDERSIGNED_EMAILS_PER_NETWORK", 60)
# Proof of work (see moderation/pow.py): where a statement asks for it, the signer's browser
# finds a SHA-256 hash of the form's challenge with this many leading zero bits (each bit
# doubles the work; 16 takes a second or two) before the form is sent. A statement set to
# "automatic" asks for it while it receives more than POW_AUTO_PER_MINUTE submissions a minute
# (0: never automatically). A challenge can be used once, within POW_CHALLENGE_MINUTES.
POW_DIFFICULTY = env_int("UNDERSIGNED_POW_DIFFICULTY", 16, minimum=1)
POW_AUTO_PER_MINUTE = env_int("UNDERSIGNED_POW_AUTO_PER_MINUTE", 600)
POW_CHALLENGE_MINUTES = env_int("UNDERSIGNED_POW_CHALLENGE_MINUTES", 60, minimum=1)
# The largest signatory list file an owner can import, in bytes.
IMPORT_MAX_BYTES = env_int("UNDERSIGNED_IMPORT_MAX_BYTES", 1024 * 1024, minimum=1024)
# The most entries one import from the owner's page may hold (the preview is one form with a
# row per entry: Django's limit on form fields is raised to fit it).
IMPORT_MAX_ENTRIES = env_int("UNDERSIGNED_IMPORT_MAX_ENTRIES", 1000, minimum=1)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10 * IMPORT_MAX_ENTRIES + 100
# The largest request body, in bytes: public pages take small forms only and never a file; the
# owners' pages (dashboard, admin) take an import of up to IMPORT_MAX_BYTES and its preview.
# Bigger requests are refused with 413 before anything reads them. Set the reverse proxy's
# limit (nginx: client_max_body_size) to at least OWNER_MAX_BODY_BYTES.
PUBLIC_MAX_BODY_BYTES = env_int("UNDERSIGNED_PUBLIC_MAX_BODY_BYTES", 64 * 1024, minimum=4096)
OWNER_MAX_BODY_BYTES = env_int(
    "UNDERSIGNED_OWNER_MAX_BODY_BYTES", IMPORT_MAX_BYTES + 2 * 1024 * 1024, minimum=4096
)
# The public page /<lang>/verify/ takes a manifest and the files it lists, kept in memory for the
# request only: each file at most VERIFY_MAX_BYTES, a request at most that plus 1 MiB.
VERIFY_MAX_BYTES = env_int("UNDERSIGNED_VERIFY_MAX_BYTES", 20 * 1024 * 1024, minimum=4096)
# A delivery attaches the letter (PDF) and the list (CSV) when the two together are at most this
# many bytes; larger, the email links to them instead.
DELIVERY_ATTACH_MAX_BYTES = env_int(
    "UNDERSIGNED_DELIVERY_ATTACH_MAX_BYTES", 10 * 1024 * 1024, minimum=0
)
# The public API (api/): requests a minute per network, and who may read it from a browser.
API_PER_MINUTE = env_int("UNDERSIGNED_API_PER_MINUTE", 120, minimum=1)
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_CREDENTIALS = False
LIST_PAGE_SIZE = env_int("UNDERSIGNED_LIST_PAGE_SIZE", 100, minimum=1)
# How long each process keeps the answers every request asks for (a statement's current
# version, the pause switch), in milliseconds; 0: ask the database every time.
STATE_CACHE_MS = env_int("UNDERSIGNED_STATE_CACHE_MS", 1000)
# While signing submissions arrive faster than SURGE_PER_SECOND a second, the worker records each
# one SURGE_HOLD_SECONDS after it came, so the app servers keep the machine for answering
# signers at a surge's start, and about a hold's worth is left when it ends (signatures/pacing.py).
# 0: never wait. (30 s until the worker's recording became set-based.)
SURGE_PER_SECOND = env_int("UNDERSIGNED_SURGE_PER_SECOND", 20)
SURGE_HOLD_SECONDS = env_int("UNDERSIGNED_SURGE_HOLD_SECONDS", 10)
# Days a finished job is kept in the queue's table before the worker deletes it (failed jobs
# are kept until someone deletes them in the admin).
JOBS_KEEP_DAYS = env_int("UNDERSIGNED_JOBS_KEEP_DAYS", 7, minimum=1)
# Seconds a reverse proxy may serve a public page from its cache.
PUBLIC_CACHE_SECONDS = env_int("UNDERSIGNED_PUBLIC_CACHE_SECONDS", 5)

# Security headers and cookies. Cookies are Secure whenever the platform is served over https.
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Served over https: redirect http there and tell browsers to stay (HSTS, one year by
# default). Behind a proxy that terminates TLS, set UNDERSIGNED_BEHIND_HTTPS_PROXY=True.
SECURE_SSL_REDIRECT = env_bool("UNDERSIGNED_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = env_int("UNDERSIGNED_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
# Subdomains and the browsers' preload list concern the operator's whole domain, which this
# platform cannot speak for: off unless asked for (and their deploy checks silenced for that).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("UNDERSIGNED_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("UNDERSIGNED_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [
    "security.W005",
    "security.W021",
    # The admin's and django-axes's middleware checks: their middleware runs, inside
    # SignedInMiddleware (SIGNED_IN_MIDDLEWARE above), where the checks do not look.
    "admin.E408",
    "admin.E409",
    "admin.E410",
    "axes.W002",
]
if env_bool("UNDERSIGNED_BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: every page loads only what the platform itself serves, runs no
# inline script or style, and cannot be framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Logs never hold a client's address or a link's token (see core/logs.py). `serve` writes no
# access log unless UNDERSIGNED_ACCESS_LOG=True, and then without addresses.
ACCESS_LOG = env_bool("UNDERSIGNED_ACCESS_LOG", False)
# Operations (see operations/): /metrics answers only with this bearer token (unset: 404);
# /readyz fails when no worker reported within READY_WORKER_SECONDS or more than
# READY_MAX_BACKLOG submissions or overdue jobs wait.
METRICS_TOKEN = env_str("UNDERSIGNED_METRICS_TOKEN")
READY_WORKER_SECONDS = env_int("UNDERSIGNED_READY_WORKER_SECONDS", 60, minimum=1)
READY_MAX_BACKLOG = env_int("UNDERSIGNED_READY_MAX_BACKLOG", 5000, minimum=1)
# UNDERSIGNED_LOG_FORMAT: "plain" lines, or "json" (one object a line, for a log collector).
LOG_FORMAT = env_str("UNDERSIGNED_LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("UNDERSIGNED_LOG_FORMAT must be 'plain' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "undersigned.core.logs.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {
            "()": "undersigned.core.logs.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "filters": {"request_id": {"()": "undersigned.core.logs.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("UNDERSIGNED_LOG_LEVEL", "INFO")},
    # django-axes notes each failed sign-in; the audit log keeps them, so only lockouts show.
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

CSRF_FAILURE_VIEW = "undersigned.core.views.csrf_failure"

# Signing in (see accounts/): django-axes counts failed sign-ins per account and per network
# (the network's keyed hash, never the address: accounts/throttle.py); past the limit, signing
# in to that account or from that network is refused for the cool-off time, with a page that
# says so. A successful sign-in or a password reset clears the account's count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("UNDERSIGNED_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("UNDERSIGNED_LOGIN_COOLOFF_MINUTES", 60, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "undersigned.accounts.throttle.client_network"
AXES_LOCKOUT_CALLABLE = "undersigned.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit log
AXES_VERBOSE = False
# Two-step sign-in (TOTP, django-otp) is offered to every coordinator; True requires it before
# the dashboard or the admin opens.
REQUIRE_TWO_FACTOR = env_bool("UNDERSIGNED_REQUIRE_TWO_FACTOR", False)
OTP_TOTP_ISSUER = "undersigned"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
# Owners sign in to import lists and review signatures (accounts are made in the admin).
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace:dashboard"
LOGOUT_REDIRECT_URL = "signatures:home"

# Rendered pages are kept in each process's memory (see core/pagecache.py); keys name every
# input of a page, so processes never need to agree on invalidation.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}
