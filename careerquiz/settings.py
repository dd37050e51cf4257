"""careerquiz settings: one module, configured from the environment (12-factor).

Development needs nothing set: SQLite next to manage.py, a local-memory cache
and DEBUG on. Production sets DJANGO_DEBUG=false plus the variables listed in
the README; anything security-relevant then defaults to the strict choice.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

# Lets Django's generic classes take type arguments at run time (admin.ModelAdmin[Quiz]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Where the admin lives: a path of your own makes it harder to find ("admin/" by default).
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/").strip("/") + "/"
if not re.fullmatch(r"([A-Za-z0-9_~-][A-Za-z0-9._~-]*/)+", ADMIN_URL):
    raise ImproperlyConfigured("DJANGO_ADMIN_URL must be a path such as admin/ or staff-7f3a/.")
# This site's public address, for links made outside a request (`manage.py partner`).
SITE_URL = env.str("DJANGO_SITE_URL", default="http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "axes",
    "django_tasks_db",  # the database task queue and its `db_worker` (webhook deliveries)
    # Ours, lowest first: imports flow upwards only (see the README's Layout).
    "ladder",
    "quiz",
    "careerquiz.partners",
    "careerquiz.analytics",
    "careerquiz",  # the project's own commands: demo, import_content, export_content
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Inside CORS (its refusals carry CORS headers), before anything reads the request.
    "careerquiz.middleware.RequestGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it answers a locked-out login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "careerquiz.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "careerquiz.wsgi.application"

# --- Database: SQLite by default, DATABASE_URL for PostgreSQL (psycopg 3). ---
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An outage must fail requests in seconds, not hold every thread for the default
    # 30 s (pages that need no database then wait for a thread too), and a
    # connection left dead by a restart must be found before a request uses it.
    db_options = DATABASES["default"].setdefault("OPTIONS", {})
    db_options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=2))
    # A host that vanishes without a reset (dropped packets) must fail a connection in
    # seconds too, not after the kernel's many minutes of retransmissions.
    for name, value in (
        ("keepalives", 1),
        ("keepalives_idle", 10),
        ("keepalives_interval", 5),
        ("keepalives_count", 2),
        ("tcp_user_timeout", 10_000),  # ms of unacknowledged data before giving up
    ):
        db_options.setdefault(name, value)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django's own psycopg connection pool; it requires persistent connections off.
    if env.bool("DATABASE_POOL", default=True):
        from careerquiz.db import check_pooled_connection

        db_options["pool"] = {
            "check": check_pooled_connection,
            # Seconds a request waits for a connection before it gets a 503.
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=2.0),
            # Give up a failing reconnection soon: the next request starts a fresh one
            # at once, where psycopg's backoff would wait up to a minute after a restart.
            "reconnect_timeout": 5.0,
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # A transaction that reads then writes (completing an attempt) takes the
            # write lock up front, so two of them wait in turn instead of failing
            # with "database is locked" halfway through.
            "transaction_mode": "IMMEDIATE",
            # Readers never wait for the writer; each waits up to `timeout` s for the lock.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": env.int("SQLITE_TIMEOUT", default=20),
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: local memory by default, Redis when REDIS_URL is set. ---
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache that answers like an empty cache while Redis is down.
            "BACKEND": "careerquiz.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="careerquiz"),
            # Fail fast when Redis hangs instead of holding a worker.
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.25),
                "socket_timeout": env.float("REDIS_TIMEOUT", default=0.5),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Admin login brute-force protection (django-axes). ---
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login outright
    "django.contrib.auth.backends.ModelBackend",
]
# After this many failed logins for one username from one address, that pair is
# locked out for AXES_COOLOFF_TIME; `manage.py axes_reset_username NAME` unlocks.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "careerquiz.web.clients.client_address"  # NUM_PROXIES, as the throttles
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_LOCKOUT_CALLABLE = "careerquiz.web.lockout.locked_out"  # the template, with Retry-After
AXES_VERBOSE = False  # no banner on every manage.py command

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
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve straight from the finders when no collectstatic has run (dev, tests).
WHITENOISE_USE_FINDERS = DEBUG or not STATIC_ROOT.exists()

# --- Security. Strict whenever DEBUG is off. ---
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# Permissions-Policy (django-permissions-policy): no page uses any powerful feature,
# so every one is off, for us and for any frame (the embed included).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Content-Security-Policy from Django's own middleware. Pages that may be framed
# by partners (the embed) override frame-ancestors per response.
# Everything is refused unless named: scripts, styles, images and htmx's requests
# from our own origin only. Per-view overrides add what one page needs (the
# partner admin's preview frame, the API docs' inline styles, the embed's ancestors).
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    # The nonce admits the embed's one <style> block: the partner's validated theme.
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
}

# Throttles key clients by address: REMOTE_ADDR unless the app sits behind this many
# reverse proxies that append to X-Forwarded-For (0 = never trust the header).
NUM_PROXIES = env.int("NUM_PROXIES", default=env.int("API_NUM_PROXIES", default=0))

# --- The quiz. ---
# How long a visitor may take over one quiz before the signed state expires.
QUIZ_TOKEN_MAX_AGE = env.int("QUIZ_TOKEN_MAX_AGE", default=60 * 60 * 24)
# Quizzes one client address may start (each writes an attempt row): quiz.limits.
QUIZ_START_THROTTLE = env.str("QUIZ_START_THROTTLE", default="30/min")
# How `?partner=KEY` on a quiz page finds the partner (quiz.attribution).
QUIZ_PARTNER_LOOKUP = "careerquiz.partners.lookup.partner_id_for_key"

# --- Background tasks (django.tasks): webhook deliveries. ---
# "database" (django-tasks-db: the queue is a table, `manage.py db_worker` runs it) works
# with SQLite and one worker out of the box; "immediate" runs a task in the request.
# "rq" (django-tasks-rq) queues in Redis (TASKS_REDIS_URL, else REDIS_URL) for workers on
# many machines: `manage.py rqworker default webhooks`.
TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
if TASKS_BACKEND not in TASKS_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(TASKS_BACKENDS)}.")
TASK_QUEUES = ["default", "webhooks"]
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[TASKS_BACKEND], "QUEUES": TASK_QUEUES}}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")  # its `rqworker` command
    tasks_redis = env.str("TASKS_REDIS_URL", default=REDIS_URL)
    if not tasks_redis:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs TASKS_REDIS_URL or REDIS_URL.")
    RQ_QUEUES = {name: {"URL": tasks_redis} for name in TASK_QUEUES}

# --- Webhooks to partners' servers (careerquiz.partners.webhooks). ---
# Seconds a partner's server has to answer one delivery.
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)
# Seconds before each retry of a failed delivery (each gets +-20% jitter): about 27 hours
# in all, after which the delivery has failed and its endpoint is switched off.
WEBHOOK_RETRY_DELAYS = env.list(
    "WEBHOOK_RETRY_DELAYS", cast=float, default=[5, 300, 1800, 7200, 18000, 36000, 36000]
)
# Endpoints on loopback, private or link-local addresses (SSRF): only while developing.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=DEBUG)

# --- REST API. ---
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
    # One JSON error shape for every failure (careerquiz.api.errors).
    "EXCEPTION_HANDLER": "careerquiz.api.errors.exception_handler",
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        "client": env.str("API_THROTTLE_CLIENT", default="120/min"),
        "partner": env.str("API_THROTTLE_PARTNER", default="600/min"),
        "placements": env.str("API_THROTTLE_PLACEMENTS", default="30/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "careerquiz API",
    "DESCRIPTION": (
        "Read the career ladders and published quizzes; submit answers for a placement. "
        "Every error is JSON of one shape (the `Error` schema) naming the field at fault. "
        "An optional partner key (`X-Careerquiz-Partner` header or `?partner=`) attributes "
        "placements to a partner."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No call to the public validator badge: the docs work offline.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    # The placement body's `answers` as the published quizzes take them.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "careerquiz.api.answer_schema.published_answers",
    ],
}
# Largest request body the API accepts; bigger ones get a 413 JSON error.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=64 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# CORS: only the API, only partner origins (see careerquiz.partners.cors), no cookies.
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOW_METHODS = ("GET", "POST", "OPTIONS")
CORS_ALLOW_HEADERS = (
    "accept",
    "content-type",
    "if-none-match",
    "x-careerquiz-partner",
    "x-requested-with",
    "idempotency-key",
)
CORS_EXPOSE_HEADERS = ("ETag", "Retry-After", "Location", "Idempotent-Replayed")
CORS_PREFLIGHT_MAX_AGE = 3600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusal": {"()": "careerquiz.web.logs.RefusalIsAWarning"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # A refused body is the client's mistake: one warning line, no traceback.
    "loggers": {
        name: {"filters": ["refusal"]}
        for name in (
            "django.security.RequestDataTooBig",
            "django.security.TooManyFieldsSent",
            "django.security.TooManyFilesSent",
        )
    },
}
