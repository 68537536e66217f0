"""Krea Studio settings: the only module that reads the environment.

With no environment at all it runs the embedded default (SQLite, a broker on the
file system, the Krea simulator). Production mode (``DJANGO_DEBUG=false`` or
``DJANGO_PRODUCTION=true``) refuses to start without the secrets it needs.
"""

import re
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")


def _secret(name: str, default=None):
    """Read a secret from NAME, or from the file named by NAME_FILE."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default=default)


DEBUG = env.bool("DJANGO_DEBUG", default=True)
PRODUCTION = env.bool("DJANGO_PRODUCTION", default=not DEBUG)
if PRODUCTION:
    DEBUG = False

_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production"
_DEV_TOKEN_KEY = "ZGV2LW9ubHkta3JlYS10b2tlbi1rZXktMzJieXRlcyE="  # 32 bytes, urlsafe b64


def _required(name: str, value):
    if PRODUCTION and not value:
        raise ImproperlyConfigured(f"{name} must be set in production (DJANGO_DEBUG=false).")
    return value


SECRET_KEY = _required("SECRET_KEY", _secret("SECRET_KEY", default="")) or _DEV_SECRET
# Previous SECRET_KEYs, newest first, still accepted while a rotation settles: sessions,
# signed links, and the secrets in the webhook URLs Krea already holds (generation/models.py).
SECRET_KEY_FALLBACKS = [
    key.strip() for key in _secret("SECRET_KEY_FALLBACKS", default="").split(",") if key.strip()
]
ALLOWED_HOSTS = _required("ALLOWED_HOSTS", env.list("ALLOWED_HOSTS", default=[])) or [
    "localhost",
    "127.0.0.1",
    "[::1]",
    "testserver",
]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Fernet keys for team Krea tokens, newest first. Never derived from SECRET_KEY.
KREA_TOKEN_KEYS = [
    key.strip() for key in _secret("KREA_TOKEN_KEYS", default="").split(",") if key.strip()
]
KREA_TOKEN_KEYS = _required("KREA_TOKEN_KEYS", KREA_TOKEN_KEYS) or [_DEV_TOKEN_KEY]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "krea_integration",
    "studio.accounts",
    "studio.teams",
    "studio.audit",
    "axes",
    "studio.dashboard",
    "studio.schemaforms",
    "studio.assets",
    "studio.generation",
    "studio.styles",
    "studio.nodeapps",
    "studio.modelbrowser",
    "studio.gallery",
    "studio.usage",
    "studio.webhooks",
    "studio.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session: an open page's "nothing changed" poll reads no session, user or
    # membership (studio/generation/live.py).
    "studio.generation.middleware.LivePollMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads POST bodies: asset uploads over Krea's limit
    # are refused unread.
    "studio.assets.uploads.AssetUploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "studio.teams.scoping.CurrentTeamMiddleware",
    # After the asset upload limits: it reads POST bodies to tell a retry from a new request.
    "studio.api.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "studio.urls"
WSGI_APPLICATION = "studio.wsgi.application"

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
                "studio.navigation.nav_items",
            ],
            "libraries": {"fragments": "studio.fragments"},
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'studio.sqlite3'}")}
if PRODUCTION and "DATABASE_URL" not in env:
    raise ImproperlyConfigured("DATABASE_URL must be set in production (DJANGO_DEBUG=false).")
# Persistent connections: opening one per request costs more than the request itself
# (the webhook endpoint does 200 requests/s with 0, 1,260 with 60 on PostgreSQL).
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "DATABASE_CONN_MAX_AGE", default=60 if PRODUCTION else 0
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the Celery worker share the file without locking each other out.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out (email, address) pair is refused before the password is checked.
    "studio.accounts.throttling.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG
if DEBUG:
    # Without collectstatic there is no STATIC_ROOT yet; the finders serve the files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "media/"  # never served publicly; outputs go through team-checked views

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default=None)
    AWS_ACCESS_KEY_ID = _secret("AWS_ACCESS_KEY_ID", default=None)
    AWS_SECRET_ACCESS_KEY = _secret("AWS_SECRET_ACCESS_KEY", default=None)
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True

# Celery. The embedded default needs no server: kombu's file-system transport.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT = "studio.broker:Transport"
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # kombu sleeps this long whenever a fetch finds nothing it may take, which with
        # one prefetched task per process is after nearly every task: at its 1 s default
        # the worker ran about 2 tasks a second and a finished job's files waited
        # seconds in the queue behind the watched-job refreshes.
        "polling_interval": 0.1,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT = "studio.redis_broker:Transport"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "poll-krea-jobs": {
        "task": "studio.generation.tasks.poll_jobs",
        "schedule": env.float("JOB_POLL_INTERVAL_SECONDS", default=2.0),
    },
    # Sends whose outcome is unknown are resolved within a minute or two of Krea answering.
    "reconcile-krea-sends": {
        "task": "studio.generation.tasks.reconcile_sends",
        "schedule": 30.0,
    },
    # Webhook retries are due 5 s after a failure at the soonest.
    "deliver-due-webhooks": {
        "task": "studio.webhooks.tasks.deliver_due",
        "schedule": 5.0,
    },
    "prune-webhook-deliveries": {
        "task": "studio.webhooks.tasks.prune",
        "schedule": 24 * 3600.0,
    },
    "expire-idempotency-keys": {
        "task": "studio.api.tasks.expire_idempotency_keys",
        "schedule": 3600.0,
    },
}
CELERY_TIMEZONE = TIME_ZONE

# Krea. The embedded default points at the simulator that `make run` starts.
KREA_API_BASE_URL = env.str("KREA_API_BASE_URL", default="https://api.krea.ai")
KREA_TIMEOUT_SECONDS = env.float("KREA_TIMEOUT_SECONDS", default=30.0)
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="").rstrip("/")
# Hosts the portal downloads Krea's output files from, besides the API's own host and port.
# A leading dot allows a domain and its subdomains; `host:port` allows that port only,
# and an entry without one only the URL scheme's default port (443, 80).
KREA_DOWNLOAD_HOSTS = env.list("KREA_DOWNLOAD_HOSTS", default=[".krea.ai"])
OUTPUT_MAX_BYTES = env.int("OUTPUT_MAX_BYTES", default=500 * 1024 * 1024)
# Tests route every Krea call through the in-process simulator with this httpx transport.
KREA_TRANSPORT = None

# Outgoing webhooks: seconds each delivery attempt may take, and whether endpoints may be
# on loopback/private addresses and plain http (development only: a receiver on your machine).
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=15.0)
if not 1 <= WEBHOOKS_TIMEOUT_SECONDS <= 60:
    raise ImproperlyConfigured("WEBHOOKS_TIMEOUT_SECONDS must be from 1 to 60.")
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
if WEBHOOKS_ALLOW_PRIVATE_TARGETS and PRODUCTION:
    raise ImproperlyConfigured(
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS lets team members reach the portal's own network: "
        "it is for development only (DJANGO_DEBUG=true)."
    )

# Usage: the price of a model for which Krea publishes none (an admin can set one per model).
USAGE_DEFAULT_PRICE_CU = env.float("USAGE_DEFAULT_PRICE_CU", default=10.0)
if USAGE_DEFAULT_PRICE_CU < 0:
    raise ImproperlyConfigured("USAGE_DEFAULT_PRICE_CU must be zero or more compute units.")

# Login throttling (django-axes): an (email, client address) pair is locked after
# AXES_FAILURE_LIMIT failed logins for AXES_COOLOFF_MINUTES. Behind reverse proxies,
# TRUSTED_PROXY_COUNT says how many append to X-Forwarded-For (0: use the socket address).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "studio.accounts.throttling.login_username"
AXES_CLIENT_IP_CALLABLE = "studio.accounts.throttling.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Teams: how long an emailed invitation link works.
INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", default=7)
if INVITATION_EXPIRY_DAYS < 1:
    raise ImproperlyConfigured("INVITATION_EXPIRY_DAYS must be at least 1.")

# Demo account created by `make run` (manage.py seed_demo).
DEMO_EMAIL = env.str("DEMO_EMAIL", default="demo@example.com")
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="krea-studio-demo")
# The demo team seed_demo creates, and the Krea token it stores for the simulator.
DEMO_TEAM_NAME = env.str("DEMO_TEAM_NAME", default="Demo Studio")
DEMO_KREA_TOKEN = _secret("DEMO_KREA_TOKEN", default="demo-token")

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Krea Studio <studio@localhost>")

# The cache holds the API's rate-limit counters: with several web processes use a shared
# one (redis://host:6379/1) so a limit holds across them.
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://"),
    # Listing rows rendered once per what they show (studio.fragments): in each
    # process's own memory, since a key never goes stale and a network trip per row
    # would cost what rendering it does.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 5_000},  # a few KB each: ~200 pages of rows
    },
}

# The public API (/api/v1/): API keys first (their 401 names the Bearer scheme), then the
# browser's session. API_THROTTLE_RATE is requests per key: "120/minute", "5000/hour", "off".
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="120/minute").strip().lower()
if API_THROTTLE_RATE in ("off", "none", ""):
    API_THROTTLE_RATE = None
elif not re.fullmatch(r"[1-9]\d*/(s|sec|second|m|min|minute|h|hour|d|day)", API_THROTTLE_RATE):
    raise ImproperlyConfigured(
        f"API_THROTTLE_RATE={API_THROTTLE_RATE!r}: use a number per second, minute, hour or day "
        "(e.g. 120/minute), or off."
    )
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "studio.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["studio.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": API_THROTTLE_RATE},
    "EXCEPTION_HANDLER": "studio.api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Krea Studio API",
    "DESCRIPTION": "Generate images and video with every Krea model as a member of your team, "
    "within your team's CU quotas. Authenticate with `Authorization: Bearer <API key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["studio.api.v1.schema.only_public_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "studio.api.v1.schema.idempotency_on_every_post",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from static files: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # A style's kind is `kind` on a style and `type` in Krea's training body: one enum.
    "ENUM_NAME_OVERRIDES": {
        "StyleKindEnum": "studio.styles.models.StyleKind",
        "JobStatusEnum": "studio.generation.models.JobStatus",
        "WebhookDeliveryStatusEnum": "studio.webhooks.models.DeliveryStatus",
    },
}

# Security: strict in production, relaxed on the embedded default's http://127.0.0.1.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]


# Content-Security-Policy (django-csp): scripts and styles from the portal's own static
# files only (no inline script, style or event handler, no eval). Images and video also
# come from Krea (previews, style covers, node-app examples: KREA_DOWNLOAD_HOSTS and the
# API's own host, as for downloads) and from the file storage (S3 redirects there).
# Enforced in development too, so a page that breaks it fails on `make run` and in the
# browser tests, not first in production; CSP_REPORT_ONLY=true only reports.
def _host_sources(hosts: list[str]) -> list[str]:
    """KREA_DOWNLOAD_HOSTS as CSP host sources: ``.krea.ai`` is the domain and its subdomains."""
    sources = []
    for host in hosts:
        sources += [f"*{host}", host[1:]] if host.startswith(".") else [host]
    return sources


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


_STORAGE_SOURCES = []
if AWS_STORAGE_BUCKET_NAME:
    if AWS_S3_ENDPOINT_URL:  # path-style (endpoint/bucket/...) or virtual-hosted
        _endpoint = urlsplit(AWS_S3_ENDPOINT_URL)
        _STORAGE_SOURCES = [
            _origin(AWS_S3_ENDPOINT_URL),
            f"{_endpoint.scheme}://{AWS_STORAGE_BUCKET_NAME}.{_endpoint.netloc}",
        ]
    else:
        _STORAGE_SOURCES = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"] + (
            [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{AWS_S3_REGION_NAME}.amazonaws.com"]
            if AWS_S3_REGION_NAME
            else []
        )
_MEDIA_SOURCES = [
    "'self'",
    _origin(KREA_API_BASE_URL),
    *_host_sources(KREA_DOWNLOAD_HOSTS),
    *_STORAGE_SOURCES,
]
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": _MEDIA_SOURCES,
        "media-src": _MEDIA_SOURCES,
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Not a CSP_* setting: django-csp 4 refuses to start beside its old-style settings.
_csp_report_only = env.bool("CSP_REPORT_ONLY", default=False)
if _csp_report_only:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# Error pages and reports hide Krea tokens even with DEBUG on (see the module).
DEFAULT_EXCEPTION_REPORTER_FILTER = "studio.teams.error_reports.TokenSafeExceptionReporterFilter"

# Every handler redacts webhook secrets (studio/log_redaction.py): runserver's request
# log is Django's own handler and format redefined with the filter, and the "django"
# logger drops Django's default console handler (which would print django.request's
# "Not Found: <url>" unfiltered) for the root's.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"webhook_secrets": {"()": "studio.log_redaction.RedactWebhookSecrets"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["webhook_secrets"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["webhook_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "django": {"handlers": [], "level": "NOTSET"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
