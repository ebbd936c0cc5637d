"""Settings shared by every environment; everything a deployment changes comes from env vars.

With nothing set the project runs on an embedded default: SQLite in WAL mode under var/
and a Celery broker on kombu's filesystem transport, so web, worker and beat share files
instead of servers. DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
"""

from pathlib import Path

import environ
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("MEGAPROJECT_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django-unfold styles the admin (officers' and reviewers' back office); before admin.
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",  # API tokens stored hashed, with an expiry (POST /api/token/)
    "axes",  # throttles logins on /login/, /admin/login/ and /api/token/
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "accounts",
    "programs",
    "consortia",
    "evaluations",
    "awards",
    "monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.KoreanFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

AUTH_USER_MODEL = "accounts.User"
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
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
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'megaproject.sqlite3'}")
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web, worker and beat processes read while one writes;
        # IMMEDIATE takes the write lock at BEGIN so two writers queue instead of failing.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # No JIT: on short OLTP queries whose estimated cost crosses jit_above_cost (the admin's
        # EXISTS search), compiling took 160 of its 290 ms (issue 18, bench/http_load.py).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"  # /my/: where an applicant works
LOGOUT_REDIRECT_URL = "home"

# --- language and time ------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ko")
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Seoul")
USE_I18N = True
USE_TZ = True

# --- files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"  # never served directly: downloads go through permission-checked views
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # form fields, not files: a 20 MB summary is refused
GUIDELINE_MAX_BYTES = env.int("GUIDELINE_MAX_BYTES", default=20 * 1024 * 1024)

# --- email ---------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="megaproject@localhost")
# Seconds an SMTP exchange may take: bounds a send well inside the notice claim lease.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# --- celery --------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Short timeouts and few retries towards Redis: a request queues its tasks after its commit, and
# with Redis down it must still answer within seconds (what it queued stays owed in the database
# and a beat sweep queues it again; see consortia.notices). kombu's defaults wait ~19 s.
REDIS_SOCKET_CONNECT_TIMEOUT = env.float("REDIS_SOCKET_CONNECT_TIMEOUT", default=2.0)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=3.0)
_QUICK_RETRIES = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
REDIS_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": REDIS_SOCKET_CONNECT_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    **_QUICK_RETRIES,  # reconnects when a publisher's channel is opened
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_CONNECT_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = _QUICK_RETRIES
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_SOCKET_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": _QUICK_RETRIES}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
else:
    # Embedded default: a broker and result store on plain files, no server to install.
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "results").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost//"  # no server: the host only quiets a warning
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcast (pidbox) exchanges; kombu's default is ./control, in whatever the cwd is.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'results'}"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat's schedules live in django-celery-beat's tables, seeded once by the data migration
# programs/migrations/*_faults_seed_beat_schedules.py; administrators edit them in the admin.
# (No CELERY_BEAT_SCHEDULE: the database scheduler rewrites its entries on every start.)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
HEARTBEAT_SECONDS = env.float("HEARTBEAT_SECONDS", default=60.0)  # read by that migration only

# --- notices (the outbox of emails the system owes; consortia/notices.py) ---------------------
# A claim older than the lease is taken to be a dead worker's: the notice is sent again.
# It must exceed the longest send (EMAIL_TIMEOUT bounds an SMTP exchange).
NOTICE_CLAIM_LEASE_SECONDS = env.int("NOTICE_CLAIM_LEASE_SECONDS", default=120)
# The sweep leaves a fresh notice alone for this long: its own queued task is still on the way.
NOTICE_REQUEUE_GRACE_SECONDS = env.int("NOTICE_REQUEUE_GRACE_SECONDS", default=120)
# After this many attempts a notice is marked failed; an administrator may resend it.
NOTICE_MAX_ATTEMPTS = env.int("NOTICE_MAX_ATTEMPTS", default=8)
# Wait before attempt n+1: base * 2**(n-1), capped (60 s, 2 min, 4 min, ... 1 h).
NOTICE_RETRY_BASE_SECONDS = env.int("NOTICE_RETRY_BASE_SECONDS", default=60)
NOTICE_RETRY_MAX_SECONDS = env.int("NOTICE_RETRY_MAX_SECONDS", default=3600)

# --- exports (xlsx built by a worker; consortia/export_jobs.py) ------------------------------
# The sweep leaves a fresh export alone for this long: its own queued task is still on the way.
EXPORT_REQUEUE_GRACE_SECONDS = env.int("EXPORT_REQUEUE_GRACE_SECONDS", default=120)
# A RUNNING export older than this is taken to be a dead worker's and built again. It must exceed
# the longest build (5,000 applications take seconds; the lease leaves a wide margin).
EXPORT_LEASE_SECONDS = env.int("EXPORT_LEASE_SECONDS", default=1800)

# /healthz reports "degraded" when the worker's last heartbeat is older than this.
WORKER_STALE_SECONDS = env.int("WORKER_STALE_SECONDS", default=300)

# --- API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: an invalid or missing token is a 401 with `WWW-Authenticate: Token`.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Unknown query parameters are refused (a 400), not silently ignored.
    "DEFAULT_FILTER_BACKENDS": ["config.filters.StrictFilterBackend"],
    # Declares 400/401/403/404 with the one error shape on every operation.
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
    # JSON bounded in size, depth, count and text (config/parsers.py); forms and files as usual.
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Megaproject API",
    "DESCRIPTION": "Calls, consortia, applications, evaluation and awards.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Closed networks: Swagger UI comes from the sidecar package, served as static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStateEnum": "consortia.models.Application.State",
        "OrganisationTypeEnum": "consortia.choices.OrganisationType",
        "MemberRoleEnum": "consortia.models.ConsortiumMember.Role",
        "ResearcherRoleEnum": "consortia.models.ApplicationPerson.Role",
        "RuleEnum": "consortia.rule_codes.RuleCode",
        "ConflictKindEnum": "evaluations.models.Conflict.Kind",
        "ProjectKindEnum": "programs.models.ProjectKind",
        "PanelStageEnum": "evaluations.models.Panel.Stage",
        "AwardStateEnum": "awards.models.Award.State",
        "DisbursementStateEnum": "awards.models.Disbursement.State",
        "AwardChangeStateEnum": "awards.models.AwardChange.State",
        "RecoveryStateEnum": "awards.models.Recovery.State",
        "StopObjectionStateEnum": "awards.models.StopObjection.State",
        "AwardRuleEnum": "awards.rule_codes.AwardRule",
        "GradeKindEnum": "awards.models.Grade.Kind",
        "LedgerEntryKindEnum": "awards.models.LedgerEntry.Kind",
        "AwardChangeItemKindEnum": "awards.models.AwardChangeItem.Kind",
        "DocumentKindEnum": "consortia.choices.DocumentKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Applicants' documents (PDF, HWP, HWPX, DOCX, XLSX), checked by content.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)

# --- security: logins, tokens, headers (README "Security") ------------------------------------
from datetime import timedelta  # noqa: E402

# django-axes: after AXES_FAILURE_LIMIT failures an account (from any source) or a source (for
# any account) is locked for AXES_COOLOFF_MINUTES; a success does not clear the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE.insert(1, "config.middleware.RejectNulMiddleware")  # noqa: F405 (after SecurityMiddleware)
# CSPMiddleware: see CONTENT_SECURITY_POLICY below; AxesMiddleware last, as axes requires.
MIDDLEWARE += ["config.csp.SiteCSPMiddleware", "axes.middleware.AxesMiddleware"]  # noqa: F405
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = env.list("AXES_LOCKOUT_PARAMETERS", default=["username", "ip_address"])
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Behind N reverse proxies the client is the Nth address from the right of X-Forwarded-For;
# with 0 (no proxy) only REMOTE_ADDR counts, so a client cannot forge its address.
AXES_IPWARE_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)

# django-rest-knox: tokens are stored as SHA-512 digests and expire after API_TOKEN_TTL_HOURS.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=10)),
    "AUTH_HEADER_PREFIX": "Token",  # clients keep sending `Authorization: Token <token>`
    "TOKEN_LIMIT_PER_USER": env.int("API_TOKEN_LIMIT_PER_USER", default=20),
    "AUTO_REFRESH": False,
}

# django-csp: no inline script or style anywhere (scripts and styles are static files; htmx's
# injected indicator style is off in base.html), nothing from another origin, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- back office (django-unfold) ---------------------------------------------------------
UNFOLD = {
    "SITE_TITLE": _("Megaproject administration"),
    "SITE_HEADER": _("Megaproject administration"),
    "SITE_SYMBOL": "hub",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "STYLES": [lambda request: static("css/admin.css")],
    # The home page: what waits for the signed-in user (config/admin_home.py).
    "DASHBOARD_CALLBACK": "config.admin_home.dashboard_callback",
    "SIDEBAR": {
        "show_search": False,
        "show_all_applications": False,
        # A callable: each user sees only the groups and models they may open.
        "navigation": "config.admin_nav.navigation",
    },
}
