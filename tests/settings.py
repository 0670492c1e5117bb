"""Test settings: the production settings file, with the environment a test run needs."""

import os
import tempfile

os.environ.setdefault(
    "UNDERSIGNED_SECRET_KEY", "test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
)
os.environ.setdefault("UNDERSIGNED_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("UNDERSIGNED_DATA_DIR", tempfile.mkdtemp(prefix="undersigned-test-"))
os.environ.setdefault("UNDERSIGNED_LIST_PAGE_SIZE", "5")
# Browsers driven by tests fill a form in milliseconds; tests of the too-fast flag set it.
os.environ.setdefault("UNDERSIGNED_SIGN_MIN_SECONDS", "0")
# A test posts many forms within a second and then runs the worker: that is no surge to wait
# out (tests/test_submissions.py sets the pacing it tests).
os.environ.setdefault("UNDERSIGNED_SURGE_HOLD_SECONDS", "0")
# Playwright's sync API runs an event loop in the test thread; the ORM calls made beside it are
# still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The link check's tests serve pages from this machine.
os.environ.setdefault("UNDERSIGNED_LINK_CHECK_ALLOW", "127.0.0.0/8")

from undersigned.settings import *  # noqa: E402,F403
from undersigned.settings import DATA_DIR, DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if "sqlite" in DATABASES["default"]["ENGINE"]:
    # A file, as in production, so WAL and IMMEDIATE transactions are what the tests exercise.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

# Serve static files from the apps' folders, as collectstatic would place them.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)
