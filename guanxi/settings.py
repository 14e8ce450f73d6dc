"""Django settings for Guanxi.

One file, read from environment variables only, through the typed helpers in ``guanxi.env``
(every variable is listed in ``docs/configuration.md``; a test keeps the two in step).
SQLite under ``var/`` is the default database; PostgreSQL and Redis are a setting away.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from guanxi.env import env_bool, env_choice, env_int, env_list, env_str
from guanxi.framework.money import MINOR_UNITS

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

# Running under pytest or `manage.py test`: fast hashers, immediate tasks, strict actor context.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]

VAR_DIR = Path(
    env_str(
        "GUANXI_VAR_DIR",
        str(BASE_DIR / "var"),
        "Folder for the SQLite database, uploads, "
        "collected static files, the generated secret key and caches.",
    )
)
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False, "Django debug mode. Never on in production.")


def _secret_key() -> str:
    """Use SECRET_KEY if set; otherwise generate one into var/ on first run and reuse it."""
    key = env_str(
        "SECRET_KEY", "", "Signing key. If empty, one is generated into var/secret_key on first run."
    )
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"], "Host names the server answers to.")
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS",
    [],
    "Origins (scheme://host) trusted for CSRF when behind a proxy on another host name.",
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "guanxi.framework",
    "guanxi.users",
    "guanxi.core",
    "guanxi.customers",
    "guanxi.activities",
    "guanxi.sales",
    "guanxi.products",
    "guanxi.quotes",
    "guanxi.contracts",
    "guanxi.receivables",
    "guanxi.targets",
    "guanxi.approvals",
    "guanxi.recyclebin",
    "guanxi.dedup",
    "guanxi.imports",
    "guanxi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guanxi.framework.middleware.UserLanguageMiddleware",
    "guanxi.framework.middleware.RequestContextMiddleware",
    "guanxi.framework.middleware.RefuseNulMiddleware",  # after the language: a translated 400
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "guanxi.urls"
WSGI_APPLICATION = "guanxi.wsgi.application"
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "guanxi.framework.context_processors.shell",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = env_str(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'guanxi.sqlite3'}",
    "Database URL: sqlite:///path or postgres://user:pass@host:5432/name.",
)
try:
    _db = dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int(
            "DB_CONN_MAX_AGE", 60, "Seconds a PostgreSQL connection is kept open between requests.", minimum=0
        ),
    )
except Exception as exc:  # dj-database-url raises several types; all mean a bad URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions take the write
    # lock up front, so concurrent writers wait (timeout) instead of failing with "locked".
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (``Index(include=…)``, e.g. the kanban's ``deal_board_totals``) are for
# PostgreSQL; SQLite builds the same index on its key columns, which is what we want there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Cache and background tasks -----------------------------------------------------------------
REDIS_URL = env_str(
    "REDIS_URL",
    "",
    "Optional Redis URL (redis://127.0.0.1:6379/0): shared cache and Redis-backed task queue.",
)
TASK_BACKEND = env_choice(
    "TASK_BACKEND",
    "redis" if REDIS_URL else "database",
    ["database", "redis", "immediate"],
    "Where background tasks run: database (django-tasks-db worker), redis (RQ worker) or immediate "
    "(inline, for tests).",
)
if TESTING:
    TASK_BACKEND = "immediate"
if TASK_BACKEND == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("TASK_BACKEND=redis needs REDIS_URL")

if REDIS_URL and not TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

TASKS = {
    "database": {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "schedules"]}
    },
    "redis": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "schedules"]}},
    "immediate": {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "schedules"],
        }
    },
}[TASK_BACKEND]
EVENT_LEASE_SECONDS = env_int(
    "EVENT_LEASE_SECONDS",
    300,
    "Seconds a worker may hold a claimed event before another worker takes it over (docs/events.md).",
    minimum=0,
)
EVENT_RETENTION_DAYS = env_int(
    "EVENT_RETENTION_DAYS",
    90,
    "Days a delivered event stays readable at /api/v1/core/events/ before the hourly prune removes it.",
    minimum=1,
)
RECYCLE_BIN_DAYS = env_int(
    "RECYCLE_BIN_DAYS",
    30,
    "Days a deleted record stays in the recycle bin before the nightly purge removes it for good.",
    minimum=1,
)
RECYCLE_BIN_JOB_ROWS = env_int(
    "RECYCLE_BIN_JOB_ROWS",
    200,
    "A bulk delete of more selected rows than this runs as a background job (docs/recycle-bin.md).",
    minimum=1,
)
RQ_QUEUES = {name: {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"} for name in ("default", "schedules")}
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")
# a full PrimaryModel entity for the framework's generic test suites (and the benchmarks)
TEST_APPS = env_bool("GUANXI_TEST_APPS", False, "Install the test-only app (benchmarks).")
# mypy's Django plugin loads these settings: it must know the test app's models the tests use.
if TESTING or TEST_APPS or "mypy" in sys.modules:
    INSTALLED_APPS.append("guanxi.framework.testing.testapp")

# --- Auth and security --------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:  # hashing speed only; test_security checks the production list starts with Argon2
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AXES_FAILURE_LIMIT = env_int(
    "LOGIN_FAILURE_LIMIT", 5, "Failed logins before an account is locked.", minimum=1
)
AXES_COOLOFF_TIME = (
    env_int("LOGIN_LOCKOUT_MINUTES", 15, "Minutes a locked account stays locked.", minimum=1) / 60
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

SECURE_COOKIES = env_bool(
    "SECURE_COOKIES",
    True,
    "Send session and CSRF cookies over HTTPS only. Turn off only for plain-HTTP local demos.",
)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12, "Hours a login session lasts.", minimum=1) * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
SECURE_HSTS_SECONDS = env_int(
    "HSTS_SECONDS", 0, "Strict-Transport-Security max-age; set when served over HTTPS only.", minimum=0
)
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", False, "Redirect plain HTTP to HTTPS.")
BEHIND_PROXY = env_bool(
    "BEHIND_PROXY", False, "Trust X-Forwarded-Proto/-For from a reverse proxy that terminates TLS."
)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = env_choice(
    "LANGUAGE_CODE",
    "zh-hans",
    ["zh-hans", "en"],
    "Default interface language when the browser asks for neither.",
)
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# One date format and one date-and-time format per language (guanxi/formats/).
FORMAT_MODULE_PATH = ["guanxi.formats"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai", "Default time zone for display (data is stored in UTC).")
USE_I18N = True
USE_TZ = True
# Money (guanxi.framework.money, docs/money.md): amounts are stored with their currency plus their
# value in the company currency at the document date's rate, which is what reports add up.
COMPANY_CURRENCY = env_choice(
    "COMPANY_CURRENCY",
    "CNY",
    list(MINOR_UNITS),
    "ISO 4217 code of the company currency: new amounts default to it, reports add up in it.",
)
CURRENCIES = env_list(
    "CURRENCIES",
    ["CNY", "USD", "EUR", "HKD", "JPY", "GBP"],
    "ISO 4217 codes users may choose for amounts (the company currency is always offered).",
)
if unknown_currencies := sorted(set(CURRENCIES) - set(MINOR_UNITS)):
    raise ImproperlyConfigured(f"CURRENCIES: unknown codes {', '.join(unknown_currencies)}")
# Quotes (guanxi.quotes): the company printed on quotes and their PDFs.
COMPANY_NAME = env_str("COMPANY_NAME", "关系科技有限公司", "Company name printed on quotes and their PDFs.")
COMPANY_LOGO = env_str(
    "COMPANY_LOGO", "", "Path of the logo (SVG/PNG) printed on quote PDFs. Empty: the Guanxi logo."
)

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
ATTACHMENT_MAX_MB = env_int(
    "ATTACHMENT_MAX_MB", 20, "Largest file a user may attach, in megabytes.", minimum=1
)
IMPORT_MAX_MB = env_int(
    "IMPORT_MAX_MB",
    200,
    "Largest file a user may import, in megabytes (checked before reading it).",
    minimum=1,
)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 500, "Most columns an import file may have.", minimum=1)
IMPORT_MAX_CELL_CHARS = env_int(
    "IMPORT_MAX_CELL_CHARS", 32_768, "Longest cell an import file may hold, in characters.", minimum=1
)
ATTACHMENT_ALLOWED_TYPES = env_list(
    "ATTACHMENT_ALLOWED_TYPES",
    ["pdf", "png", "jpg", "jpeg", "gif", "webp", "txt", "csv", "xlsx", "xls", "docx", "doc", "pptx", "zip"],
    "File extensions users may attach.",
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Email -------------------------------------------------------------------------------------
# Django 6.1 mailers: the SMTP options live in MAILERS (the old EMAIL_* settings are deprecated);
# the environment variables keep their familiar names.
_email_host = env_str("EMAIL_HOST", "", "SMTP server. Empty: emails are written to the log instead.")
_smtp_options = {
    "host": _email_host,
    "port": env_int("EMAIL_PORT", 587, "SMTP port.", minimum=1),
    "username": env_str("EMAIL_HOST_USER", "", "SMTP user name."),
    "password": env_str("EMAIL_HOST_PASSWORD", "", "SMTP password."),
    "use_tls": env_bool("EMAIL_USE_TLS", True, "Use STARTTLS for SMTP."),
    "timeout": 20,
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Guanxi <noreply@localhost>", "Sender of system emails.")
MAILERS: dict[str, dict[str, Any]]
if TESTING:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
elif _email_host:
    MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": _smtp_options}
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "guanxi.framework.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["guanxi.framework.api.permissions.ModelActionPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's parsers, refusing NUL characters (PostgreSQL cannot store them) with a field message
    "DEFAULT_PARSER_CLASSES": [
        "guanxi.framework.api.parsers.JSONParser",
        "guanxi.framework.api.parsers.FormParser",
        "guanxi.framework.api.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "guanxi.framework.api.pagination.CountablePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "guanxi.framework.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Guanxi CRM API",
    "DESCRIPTION": "REST API of Guanxi. Authenticate with `Authorization: Token <key>` "
    "(create tokens under Settings → API tokens) or a browser session.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Swagger UI renders only the operations on screen; with a hundred paths people find an
    # area by typing its tag (core, sales…), and links point at one operation.
    "SWAGGER_UI_SETTINGS": {"filter": True, "deepLinking": True, "persistAuthorization": True},
    "COMPONENT_SPLIT_REQUEST": True,
    # The customer's ``Status`` would collide with other models' ``status`` choice sets.
    "ENUM_NAME_OVERRIDES": {
        "CustomerStatusEnum": "guanxi.customers.models.customer.Customer.Status",
        "CustomerKindEnum": "guanxi.customers.models.customer.Customer.Kind",
        "FollowUpKindEnum": "guanxi.activities.choices.FollowUpKind",
        "TaskStatusEnum": "guanxi.activities.choices.TaskStatus",
        # a configured list: the callable gives the options as the schema sees them
        "CustomerSourceEnum": "guanxi.customers.choices.source_choices",
        "LeadSourceEnum": "guanxi.customers.leads.models.lead.Lead.Source",
        "LeadStatusEnum": "guanxi.customers.leads.models.lead.Lead.Status",
        "ApprovalRequestStatusEnum": "guanxi.approvals.models.RequestStatus",
        "ApprovalStepStatusEnum": "guanxi.approvals.models.requests.StepStatus",
        "ApprovalActionKindEnum": "guanxi.approvals.models.requests.ActionKind",
        "QuoteStatusEnum": "guanxi.quotes.models.quote.QuoteStatus",
        "ContractStatusEnum": "guanxi.contracts.models.contract.ContractStatus",
        "OrderStatusEnum": "guanxi.contracts.models.order.OrderStatus",
        "OrderChannelEnum": "guanxi.contracts.choices.channel_choices",
        "StageKindEnum": "guanxi.sales.choices.StageKind",
        "CustomerLevelEnum": "guanxi.customers.choices.level_choices",
        "ReceiptStatusEnum": "guanxi.receivables.models.receipt.ReceiptStatus",
        "InvoiceRequestStatusEnum": "guanxi.receivables.models.invoice.InvoiceStatus",
        "InvoiceKindEnum": "guanxi.receivables.models.invoice.InvoiceKind",
        "InstallmentStatusEnum": "guanxi.receivables.models.installment.InstallmentStatus",
    },
}
if "guanxi.framework.testing.testapp" in INSTALLED_APPS:
    SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["GadgetStatusEnum"] = (  # type: ignore[index]
        "guanxi.framework.testing.testapp.models.Gadget.Status"
    )
    SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["RequisitionStatusEnum"] = (  # type: ignore[index]
        "guanxi.framework.testing.testapp.models.Requisition.Status"
    )

# --- Guanxi -------------------------------------------------------------------------------------
# Tests refuse a write with no actor context (see guanxi.framework.context); production records
# such writes with source "system" instead of failing a user's request.
GUANXI_REQUIRE_ACTOR_CONTEXT = TESTING
GUANXI_ACCESS_POLICY = "guanxi.users.access.RoleScopePolicy"
WORKER_STALE_SECONDS = env_int(
    "WORKER_STALE_SECONDS",
    120,
    "A worker whose last heartbeat is older than this is reported unhealthy by /healthz.",
    minimum=10,
)
JOB_STALE_SECONDS = env_int(
    "JOB_STALE_SECONDS",
    300,
    "A running background job with no sign of life for this long lost its worker: it is marked failed "
    "(or retried, for jobs that allow it) and /healthz reports it until then.",
    minimum=30,
)
EXPORT_DIRECT_MAX_ROWS = env_int(
    "EXPORT_DIRECT_MAX_ROWS",
    10_000,
    "Exports of up to this many rows download at once; larger ones run as a background job.",
    minimum=1,
)
EXPORT_RETENTION_DAYS = env_int(
    "EXPORT_RETENTION_DAYS",
    7,
    "Days an export file made by a background job stays downloadable before it is removed.",
    minimum=1,
)
PORT = env_int("PORT", 8000, "Port `guanxi serve` and `make demo` listen on.", minimum=1)
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "guanxi-demo", "Password of every demo account.")
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", 2, "Web server worker processes.", minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR"], "Log level of the console log."
        ),
    },
    "loggers": {"axes": {"level": "WARNING"}},
}
