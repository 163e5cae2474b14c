"""Newsroom settings: one module, configured from the environment (twelve-factor).

With no DATABASE_URL / CELERY_BROKER_URL, the project talks to the private PostgreSQL and
Redis that `make run` / `make test` start under var/ (Unix sockets), so `manage.py` works
from a shell with no configuration at all.
"""

from pathlib import Path

import environ
import orjson
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
RUN_DIR = VAR_DIR / "run"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)


def _local_secret_key() -> str:
    """A per-checkout key kept in var/, for machines where SECRET_KEY is not configured."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="")  # absolute URLs outside a request (feeds, API)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "core",
    "articles",
    "entities",
    "changes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.AdminParameterMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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

# --- Database -------------------------------------------------------------------------
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "newsroom",
            "USER": "postgres",
            "HOST": str(RUN_DIR),
            "PORT": "5432",
        }
    }
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
# A runaway query (a pathological search) must not hold a connection forever.
DATABASES["default"]["OPTIONS"].setdefault(
    "options", f"-c statement_timeout={env.int('DB_STATEMENT_TIMEOUT_MS', default=30000)}"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache ----------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or f"redis+socket://{RUN_DIR / 'redis.sock'}"


def _cache_location(broker_url: str) -> str:
    """The cache shares the broker's Redis, in database 1."""
    if broker_url.startswith("redis+socket://"):
        return "unix://" + broker_url.removeprefix("redis+socket://").split("?")[0] + "?db=1"
    if broker_url.startswith(("redis://", "rediss://")):
        base = broker_url.rsplit("/", 1)[0] if broker_url.count("/") > 2 else broker_url
        return base + "/1"
    return ""


CACHE_URL = env.str("CACHE_URL", default="") or _cache_location(CELERY_BROKER_URL)
if CACHE_URL:
    CACHES = {
        "default": {
            # Redis; an outage reads as misses (throttling fails open) instead of 500s.
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "newsroom",
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------
# Reliability: tasks are acknowledged after they run and re-queued if the worker dies;
# the visibility timeout exceeds the hard time limit so Redis does not redeliver a task
# that is still running (set for the broker and the result backend alike).
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 300)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Fail fast when the broker is down: the article row records that tagging is owed
    # and the periodic sweep queues it later, so an editor's save never hangs.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_IGNORE_RESULT = True
# Celery's Django fix-up closes the database connection before and after every task unless
# told to reuse it: each message then paid for a new PostgreSQL connection (a third of a
# tagging worker's CPU per message). Reused for this many tasks; newsroom/celery.py applies
# Django's own rules (CONN_MAX_AGE, health checks, errors) around each task, as a request would.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "entities.tasks.*": {"queue": "tagging"},
    "articles.tasks.*": {"queue": "ingest"},
}
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=2_000_000)  # KiB
CELERY_TIMEZONE = "UTC"
# A tagging task claims up to this many owed articles and runs NER over them with one
# nlp.pipe; the text of a batch is capped (time limit, and spaCy's memory grows with it).
TAGGING_BATCH_SIZE = env.int("TAGGING_BATCH_SIZE", default=16)
TAGGING_BATCH_CHARS = env.int("TAGGING_BATCH_CHARS", default=100_000)
# A save sends no tagging message while this many wait in the queue: the waiting tasks claim
# the owed articles in batches (docs/tagging.md).
TAGGING_WAKE_AHEAD = env.int("TAGGING_WAKE_AHEAD", default=2)
# Each worker process loads the spaCy pipelines once at start, before its first task
# (entities/tasks.py); off, the first task of each process loads them.
TAGGING_PRELOAD = env.bool("TAGGING_PRELOAD", default=True)

# Search: how long a process reuses the boundary of the newest-rows windows of first pages
# (articles/search/windows.py); 0 computes it for every search.
SEARCH_WINDOW_CACHE_SECONDS = env.int("SEARCH_WINDOW_CACHE_SECONDS", default=60)
# Threads per process that run a search's work beside its page on connections of their own
# (core/beside.py): the facets, a small result set's count, the snippets (in two parts) and a
# long proof's candidates; 0 runs it in turn, on the request's connection.
SEARCH_BESIDE_THREADS = env.int("SEARCH_BESIDE_THREADS", default=3)
# How long an entity's co-mention list and monthly timeline stay cached (entities/selectors.py); tagging,
# publication, embargo release and merges drop them sooner. 0 computes them on every request.
COMENTION_CACHE_SECONDS = env.int("COMENTION_CACHE_SECONDS", default=300)
# A background import silent for this long (no progress recorded, not held by a worker) lost
# its task: beat queues it again. Above the task time limit, so a slow task is not doubled.
IMPORT_STALL_SECONDS = env.int("IMPORT_STALL_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
# Bulk import (articles/services.py): stories written per transaction, and a cap on their text.
IMPORT_BATCH_SIZE = env.int("IMPORT_BATCH_SIZE", default=500)
IMPORT_BATCH_CHARS = env.int("IMPORT_BATCH_CHARS", default=5_000_000)
# Spool-folder ingest (articles/spool.py): a folder agencies drop files into, off when empty.
INGEST_SPOOL_DIR = env.str("INGEST_SPOOL_DIR", default="")
# A file is read once two looks this far apart see the same size and modification time.
INGEST_SPOOL_SETTLE_SECONDS = env.int("INGEST_SPOOL_SETTLE_SECONDS", default=5)
INGEST_SPOOL_PUBLISH = env.bool("INGEST_SPOOL_PUBLISH", default=False)
# Tagging owed but not queued (broker down at save time, worker killed) is re-queued;
# entity counts and the change feed follow embargoes as they pass; lost background imports
# are queued again.
CELERY_BEAT_SCHEDULE = {
    "sweep-pending-tagging": {"task": "entities.tasks.sweep_pending_tagging", "schedule": 60.0},
    "requeue-stalled-imports": {"task": "articles.tasks.requeue_stalled_imports", "schedule": 60.0},
    # Every 15 s, so a file is read well within a minute; a late look is dropped, not piled up.
    "scan-spool": {"task": "articles.tasks.scan_spool", "schedule": 15.0, "options": {"expires": 14}},
    "refresh-counts-for-released-articles": {
        "task": "entities.tasks.refresh_counts_for_released_articles",
        "schedule": 60.0,
    },
    "release-embargoed-articles": {"task": "changes.tasks.release_embargoed_articles", "schedule": 60.0},
}

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
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
# Uploads wait here for the ingest worker; a worker on another machine needs the same volume.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default="") or VAR_DIR / "media")

# --- Uploads --------------------------------------------------------------------------
# Per-file and per-batch limits of the ingest pipeline live in articles/ingest/limits.py;
# these are Django's request-level guards in front of them.
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=1000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = None

# --- Authentication -------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 1  # hours
# A lockout is for one user name from one client address: no one can lock every editor out
# (behind a proxy every editor would share its address), nor one editor out from everywhere
# by naming them. The address is read through the NUM_PROXIES proxies, as the API reads it.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.http.client_address"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Security headers -----------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
if env.bool("BEHIND_TLS_PROXY", default=False):
    # Only behind a proxy that overwrites the client's copy of this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework_api_key.permissions.HasAPIKey"],
    "DEFAULT_RENDERER_CLASSES": ["drf_orjson_renderer.renderers.ORJSONRenderer"],
    # A key that is not a string written as one, as the json module does (orjson raises).
    "ORJSON_RENDERER_OPTIONS": (orjson.OPT_NON_STR_KEYS,),
    "DEFAULT_SCHEMA_CLASS": "core.schema.PartnerAPISchema",
    # Requests per API key (core.api.APIKeyRateThrottle), e.g. "1000/hour".
    "DEFAULT_THROTTLE_RATES": {"api_key": env.str("API_THROTTLE_RATE", default="5000/hour")},
    "UNAUTHENTICATED_USER": None,
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
API_KEY_CUSTOM_HEADER = "HTTP_AUTHORIZATION"

SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom API",
    "DESCRIPTION": "Read-only partner API of the Newsroom archive: articles, people, organisations, places.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.allow_empty_query_values",
    ],
}

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
