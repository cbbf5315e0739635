"""Settings of the 府院联动工作平台, read from the environment.

With no environment at all the platform runs for development on SQLite and the filesystem
Celery broker under ``var/``, with email printed to the console. Production sets at least
``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``DATABASE_URL`` and ``REDIS_URL``; see the
README's operations section for the full list.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from fuyuan.lib.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("FUYUAN_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. "
            "For development run `make run`, which turns DEBUG on."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105  # nosec B105  # DEBUG only

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = (env_str("FUYUAN_SITE_URL") or "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "members.axes_labels.AxesConfig",  # django-axes, with a Chinese name in the admin
    "django_htmx",
    "django_celery_beat",
    "csp",
    "members",
    "cases",
    "meetings",
    "plans",
    "attachments",
    "library",
    "stats",
    "search",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "members.middleware.UserLanguageMiddleware",
    "fuyuan.lib.middleware.RejectNullCharacterMiddleware",
    "fuyuan.lib.middleware.BusyMiddleware",
    "members.middleware.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "members.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fuyuan.urls"
WSGI_APPLICATION = "fuyuan.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
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
                "members.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("DATABASE_JIT", False):
        # PostgreSQL's JIT compiles a plan whose estimated cost is high: 150 ms of compiling for a
        # count that runs in 50 ms (measured on the benchmark dataset). Short queries never gain.
        _db_options = DATABASES["default"].setdefault("OPTIONS", {})
        _db_options["options"] = f"{_db_options.get('options', '')} -c jit=off".strip()
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "db.sqlite3")}}
SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
if SQLITE:
    # `make run` has three processes on one SQLite file (the site, the worker, beat). A writer waits
    # for the lock (20 s) instead of failing with "database is locked"; a transaction takes the write
    # lock when it begins (IMMEDIATE), so two transactions never deadlock upgrading a read lock; WAL
    # lets readers go on while one process writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# An optional streaming replica (README, operations): the statistics, the exports and the reports read
# there (fuyuan.lib.dbrouter.use_replica); everything else, and every write, on the primary.
DATABASE_REPLICA_URL = env_url("DATABASE_REPLICA_URL", schemes=("postgres", "postgresql"))
if DATABASE_REPLICA_URL:
    if SQLITE:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL to be PostgreSQL (the replica's primary).")
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0), conn_health_checks=True
    )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # a test run reads its own test database there
    DATABASE_ROUTERS = ["fuyuan.lib.dbrouter.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker -----------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
if REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            # Django's RedisCache, except that an unreachable Redis means "not cached", not a 500.
            "BACKEND": "fuyuan.lib.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "fuyuan",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered page fragments that are the same for every reader of a language and scope (the list pages' filter
# bars, the header's links of a set of roles): in the process's memory, not in Redis, whose round trip costs
# about what rendering them does. Each process keeps its own, for FUYUAN_FRAGMENT_SECONDS at most: a name or
# a choice edited in the admin shows within that time, as the cached filter choices do.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fuyuan-fragments",
    "TIMEOUT": env_int("FUYUAN_FRAGMENT_SECONDS", 300, minimum=0),
    "OPTIONS": {"MAX_ENTRIES": 1000},  # a filter bar is 3–10 KB: 10 MB at most a process
}

# The filesystem transport ignores the host; naming one keeps kombu from warning "No hostname was supplied".
CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost/"
if REDIS_URL:
    # A Redis that hangs (frozen, or its host unreachable) must not hang the web request that
    # queues an email: publishing gives up after seconds, and the sweeper sends it later.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {"socket_timeout": 3, "socket_connect_timeout": 3}
    CELERY_TASK_PUBLISH_RETRY_POLICY = {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }
else:
    _broker_dir = VAR_DIR / "celery"
    # The filesystem broker needs its folders before the first task is queued by any command
    # (``manage.py load_demo`` before the first ``make run``), not only when scripts/run.sh made them.
    for _folder in ("queue", "processed"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A task is acknowledged only when it has finished, so a worker that dies mid-task leaves it
# to be run again; every task is written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "members.backends.UnitAwareModelBackend",
]
LOGIN_URL = "login"
# A password reset link (fuyuan.views.PasswordResetView) is valid this long, and once.
PASSWORD_RESET_TIMEOUT = env_int("FUYUAN_PASSWORD_RESET_HOURS", 24, minimum=1) * 3600
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock-out (django-axes, members/backends.py): a username after AXES_FAILURE_LIMIT failures from any
# address, and an address after FUYUAN_ADDRESS_FAILURE_LIMIT failures whatever the usernames tried.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
FUYUAN_ADDRESS_FAILURE_LIMIT = env_int("FUYUAN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "members.backends.UserOrAddressLockout"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 120, minimum=5) * 60
# With Redis, a session is read from the cache (no query per request) and written through to the
# database, which stays the source of truth: a Redis restart costs one query per session, not a sign-out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
# The age above is an idle timeout: members.middleware.IdleSessionMiddleware moves it on.
SESSION_COOKIE_HTTPONLY = True

# --- HTTPS and security headers ---------------------------------------------------------------
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS and env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY", False) else None
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if SQLITE:
    # The covering indexes (``include=``) are a PostgreSQL optimisation; SQLite builds them as plain
    # indexes on their key columns, which is all the development database needs.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# Content-Security-Policy: scripts only from our own static files (no inline script, no CDN).
# Styles allow inline attributes, which ECharts and Bootstrap's JavaScript set on elements.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Language and time --------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("FUYUAN_MEDIA_ROOT") or VAR_DIR / "media")  # never served directly
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("DJANGO_STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FUYUAN_MAX_UPLOAD_BYTES = env_int("FUYUAN_MAX_UPLOAD_MB", 20, minimum=1) * 1024 * 1024
# An XLSX (a ZIP) decompressed: its parts' declared sizes together (fuyuan.lib.uploads.xlsx_problem).
FUYUAN_MAX_UNZIPPED_BYTES = env_int("FUYUAN_MAX_UNZIPPED_MB", 100, minimum=1) * 1024 * 1024
# A virus scanner for every upload (fuyuan.lib.uploads.scan): the dotted path of a callable
# ``(stream) -> finding or None``; empty: none. Attachment text (fuyuan.lib.extract): characters kept.
FUYUAN_UPLOAD_SCANNER = env_str("FUYUAN_UPLOAD_SCANNER", "")
FUYUAN_ATTACHMENT_TEXT_CHARS = env_int("FUYUAN_ATTACHMENT_TEXT_CHARS", 200_000, minimum=0)
FUYUAN_TEXT_EXTRACTION_ISOLATED = True  # in a child process with memory and time limits (tests: in-process)
# The referral intake (cases.referrals.intake): how long checking one sheet may take, and how far back
# a delegation's 委派日期 may go (never before the sender's first day on the platform either).
FUYUAN_IMPORT_MAX_SECONDS = env_int("FUYUAN_IMPORT_MAX_SECONDS", 20, minimum=1)
FUYUAN_IMPORT_BACKDATE_DAYS = env_int("FUYUAN_IMPORT_BACKDATE_DAYS", 90, minimum=0)

# --- Email --------------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "府院联动工作平台 <noreply@fuyuan.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- REST API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an anonymous request is answered 401 with WWW-Authenticate.
        "members.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # JSON only; the browsable HTML renderer only in development (DEBUG).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    # The token endpoint (members.api.TokenView): per address, beside the lock-out of django-axes.
    # The password reset page (fuyuan.views.PasswordResetView): requests per address, links per email address.
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("FUYUAN_TOKEN_RATE", "20/min"),
        "password_reset": env_str("FUYUAN_PASSWORD_RESET_RATE", "10/hour"),
        "password_reset_email": env_str("FUYUAN_PASSWORD_RESET_EMAIL_RATE", "3/hour"),
    },
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "members.permissions.LeadersReadOnly",
    ],
    "DEFAULT_PAGINATION_CLASS": "fuyuan.lib.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "fuyuan.lib.schema.AutoSchema",  # documents the refusals (400, 401, 403 …)
    "DATETIME_FORMAT": "iso-8601",
    "EXCEPTION_HANDLER": "fuyuan.lib.api.exception_handler",
}
# API tokens (django-rest-knox, members/auth.py): a token lapses after API_TOKEN_IDLE_HOURS unused and
# API_TOKEN_MAX_DAYS after it was issued, whatever its use; a password change or deactivation ends it.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("API_TOKEN_IDLE_HOURS", 12, minimum=1)),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=env_int("API_TOKEN_MAX_DAYS", 7, minimum=1)),
    "MIN_REFRESH_INTERVAL": 60,
    "AUTH_HEADER_PREFIX": "Token",
}
KNOX_TOKEN_MODEL = "members.ApiToken"  # noqa: S105  # nosec B105  # a model name, not a secret

SPECTACULAR_SETTINGS = {
    "TITLE": "府院联动工作平台 API",
    "DESCRIPTION": "REST API v1 of the government–court linkage platform. See API.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",  # tags per resource instead of one "v1" group
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},  # no badge from an outside validator
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "members.models.MemberUnit.Kind",
        "UnitLevelEnum": "members.models.MemberUnit.Level",
        "RoleEnum": "members.roles.Role",
        "LiaisonRoleEnum": "members.models.Liaison.Role",
        "LanguageEnum": "members.models.User.Language",
        "RecommendationOutcomeEnum": "cases.recommendations.models.JudicialRecommendation.Outcome",
        "RecommendationDeliveryEnum": "cases.recommendations.models.JudicialRecommendation.Delivery",
        "RecommendationVisitResultEnum": "cases.recommendations.models.JudicialRecommendation.VisitResult",
        "ReferralOutcomeEnum": "cases.referrals.models.Outcome",
        "PartyRoleEnum": "cases.referrals.models.Party.Role",  # not the users' RoleEnum
    },
}

# --- Platform -----------------------------------------------------------------------------------
# How long a notice's email may sit in "sending" before the sweeper treats the worker as dead.
FUYUAN_DELIVERY_STALE_MINUTES = env_int("FUYUAN_DELIVERY_STALE_MINUTES", 10, minimum=1)
FUYUAN_DELIVERY_MAX_ATTEMPTS = env_int("FUYUAN_DELIVERY_MAX_ATTEMPTS", 8, minimum=1)
FUYUAN_HEARTBEAT_MAX_AGE_SECONDS = env_int("FUYUAN_HEARTBEAT_MAX_AGE_SECONDS", 180, minimum=10)
# The dashboard's figures (stats/cache.py): kept this long at most, and recounted at most this
# often per scope while the records keep changing (0: on every change).
FUYUAN_STATS_CACHE_SECONDS = env_int("FUYUAN_STATS_CACHE_SECONDS", 300, minimum=0)
# A page or API read of the figures waits this long at most for the rollups' lock (a rebuild or a large import
# holds it), then answers 503 "try again shortly" rather than hold a web thread (stats/tally.py).
FUYUAN_STATS_READ_WAIT_SECONDS = env_int("FUYUAN_STATS_READ_WAIT_SECONDS", 10, minimum=1)

# The header search (search/selectors.py): how long one kind of record may take on PostgreSQL.
FUYUAN_SEARCH_KIND_TIMEOUT_MS = env_int("FUYUAN_SEARCH_KIND_TIMEOUT_MS", 200, minimum=20)

# The alert ladder of judicial recommendations (cases/recommendations/alerts.py): days.
FUYUAN_RECOMMENDATION_ACK_REMINDER_DAYS = env_int("FUYUAN_RECOMMENDATION_ACK_REMINDER_DAYS", 5, minimum=1)
FUYUAN_RECOMMENDATION_DUE_SOON_DAYS = tuple(
    int(d) for d in env_list("FUYUAN_RECOMMENDATION_DUE_SOON_DAYS", ["14", "3"]) if d.isdigit()
)
FUYUAN_RECOMMENDATION_ESCALATE_DAYS = env_int("FUYUAN_RECOMMENDATION_ESCALATE_DAYS", 30, minimum=1)
# A referral this many days past its due date is escalated to the office one level up (升级督办).
FUYUAN_REFERRAL_ESCALATE_DAYS = env_int("FUYUAN_REFERRAL_ESCALATE_DAYS", 30, minimum=1)
FUYUAN_RECOMMENDATION_ALERT_HOUR = env_int("FUYUAN_RECOMMENDATION_ALERT_HOUR", 9, minimum=0)
# The work plan (plans/alerts.py): an item at work reminds its lead unit this many days before its due date;
# an unanswered 督办 escalates this many working days (official calendar) after its reply deadline.
FUYUAN_PLAN_DUE_SOON_DAYS = env_int("FUYUAN_PLAN_DUE_SOON_DAYS", 7, minimum=1)
FUYUAN_SUPERVISION_ESCALATE_WORKING_DAYS = env_int("FUYUAN_SUPERVISION_ESCALATE_WORKING_DAYS", 3, minimum=1)
# Legal opinions (cases/opinions/alerts.py): the answer is due this many working days (official calendar) after
# the request unless the requester sets a date; the court is reminded this many days before; this many days
# overdue it is escalated to the office one level up.
FUYUAN_OPINION_DUE_WORKING_DAYS = env_int("FUYUAN_OPINION_DUE_WORKING_DAYS", 15, minimum=1)
FUYUAN_OPINION_DUE_SOON_DAYS = env_int("FUYUAN_OPINION_DUE_SOON_DAYS", 3, minimum=1)
FUYUAN_OPINION_ESCALATE_DAYS = env_int("FUYUAN_OPINION_ESCALATE_DAYS", 10, minimum=1)

# The traffic light (fuyuan/lib/deadlines.py): days before the due date at which an open record turns
# yellow, per kind of record. FUYUAN_LIGHT_WINDOW_DAYS="recommendation=14,referral=2,decision=7".
FUYUAN_LIGHT_WINDOW_DAYS = {
    "recommendation": FUYUAN_RECOMMENDATION_DUE_SOON_DAYS[0] if FUYUAN_RECOMMENDATION_DUE_SOON_DAYS else 14,
    "referral": 2,
    "decision": 7,
    "plan_item": 14,
    "opinion": FUYUAN_OPINION_DUE_SOON_DAYS,
}
for _pair in env_list("FUYUAN_LIGHT_WINDOW_DAYS", []):
    _kind, _sep, _days = _pair.partition("=")
    if not _sep or not _days.strip().isdigit():
        raise ImproperlyConfigured(f"FUYUAN_LIGHT_WINDOW_DAYS: {_pair!r} is not kind=days")
    FUYUAN_LIGHT_WINDOW_DAYS[_kind.strip()] = int(_days)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# The demo dataset's loaders (`manage.py load_demo`, `make run DEMO=1`): the project's wiring, since
# members (which holds the command) knows no domain.
FUYUAN_DEMO_LOADERS = ["fuyuan.demo.load", "library.demo.load"]
