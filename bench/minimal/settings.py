"""The benchmark's baseline: what a user would write instead, a minimal Django app. One model,
one view that does one INSERT, only the Security, Common and CSRF middleware, no sessions, no
locale, no templates beyond the form. It runs on the platform's own database settings (the
same engine, file or server, and connection options), served by its own gunicorn with the same
worker settings, so the ratio against it measures the platform's code (issue 21)."""

from undersigned.settings import ALLOWED_HOSTS, DATABASES, SECRET_KEY  # noqa: F401

DEBUG = False
INSTALLED_APPS = ["bench.minimal"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
ROOT_URLCONF = "bench.minimal.urls"
WSGI_APPLICATION = "bench.minimal.wsgi.application"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": []}]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
