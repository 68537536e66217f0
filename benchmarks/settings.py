"""Settings for benchmarks: the portal's own, plus the floor endpoints measured beside it."""

from studio.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
DEBUG = False
LOGGING = {"version": 1, "disable_existing_loggers": True}
