"""The production settings plus the baseline view the benchmark compares the signing path with.

Both are served by the same server process with the same settings, so the ratio between them
measures our code, not the machine."""

from undersigned.settings import *  # noqa: F403
from undersigned.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.baseline"]
ROOT_URLCONF = "bench.urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
