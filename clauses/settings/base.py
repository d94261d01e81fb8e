"""Production settings: every value comes from the environment, with safe defaults.

`docs/environment.md` lists every variable. `dev.py` (demo and local work) and `test.py`
(the test suite) relax what must be relaxed there, and nothing else.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from clauses.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("CLAUSES_VAR_DIR", str(BASE_DIR / "var")))
DATA_DIR = BASE_DIR / "data"

DEBUG = env_bool("DJANGO_DEBUG", False)
DEMO_MODE = env_bool("CLAUSES_DEMO_MODE", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY doit être défini en production (voir docs/environment.md)."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "widget_tweaks",  # the DSFR checkbox and radio snippets load it
    "django_htmx",
    "csp",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    # Our apps, in the order of their dependencies (arrows point downward only).
    "clauses.core",
    "clauses.territories",
    "clauses.network",
    "clauses.accounts",
    "clauses.access",
    "clauses.desk",
    "clauses.markets",
    "clauses.followup",
    "clauses.hours",
    "clauses.reporting",
    "clauses.history",
    "clauses.programme",
    "clauses.observatory",
    "clauses.notifications",  # listens to desk and hours (their signals), below the top app
    # The top app (home, "Mon espace" menu, demo and reference orchestration): always last.
    "clauses.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Whole cached responses of the network's public pages and lookups (#15), for visitors
    # without a session: after the HTTPS redirect and static files, before the rest.
    "clauses.core.pagecache.CachedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # JSON bodies: size and nesting depth checked before anything parses them (#11.8).
    "clauses.core.guards.JsonBodyGuardMiddleware",
    "clauses.core.guards.ApiMethodNotAllowedMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "clauses.accounts.middleware.TwoFactorMiddleware",
    "clauses.accounts.middleware.CurrentMembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # After CSP: lets the login/logout forms end at ProConnect's endpoints (form-action).
    "clauses.accounts.proconnect.middleware.ProConnectFormActionMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "clauses.urls"
WSGI_APPLICATION = "clauses.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "clauses" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clauses.core.context_processors.site",
                "clauses.notifications.context_processors.header",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'clauses.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout make the embedded database usable by a small server.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool(
    "CLAUSES_POSTGRES_JIT", False
):
    # Short OLTP queries whose estimated cost crosses jit_above_cost pay 15–20 ms of JIT
    # compilation for nothing (docs/performance.md, suggestion 2): off unless asked.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()

# The cache holds the rate limits and the cached public pages: every server process must share
# it. `REDIS_URL` (e.g. redis://127.0.0.1:6379/0) selects Django's built-in Redis cache (one
# Redis client kept per pool: clauses/core/rediscache.py, #15);
# without it, local memory — right for the embedded demo (one process), wrong for several.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "clauses.core.rediscache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CLAUSES_CACHE_PREFIX", "clauses"),
            "TIMEOUT": 300,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "clauses",
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# Several machines (#15, docs/deployment.md): reports may read a PostgreSQL replica.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **DATABASES["default"],
        **dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=DATABASES["default"].get("CONN_MAX_AGE", 0),
            conn_health_checks=True,
        ),
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["clauses.core.replica.ReplicaRouter"]
    # Last: sessions, users and memberships are read on the primary, only the view on the replica.
    MIDDLEWARE.append("clauses.core.replica.ReportsOnReplicaMiddleware")

LOCALE_PATHS = [BASE_DIR / "clauses" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files: every web machine must read the same folder (a shared mount, e.g. NFS) or
# an S3-compatible storage through django-storages (docs/deployment.md).
MEDIA_ROOT = Path(env_str("CLAUSES_MEDIA_DIR", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# Security: production defaults are the strict ones.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("CLAUSES_SESSION_AGE_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str(
    "DJANGO_DEFAULT_FROM_EMAIL", "Clauses <ne-pas-repondre@clauses.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = False

DSFR_MARK_OPTIONAL_FIELDS = True
DSFR_USE_INTEGRITY_CHECKSUMS = True

NINJA_PAGINATION_PER_PAGE = 20
# limit 1..100 and offset 0..1,000,000: a huge value is a French 422, never an overflow.
NINJA_PAGINATION_CLASS = "clauses.core.apis.BoundedPagination"
# French error pages (clauses/core/errors.py); handler400… are in clauses/urls.py.
CSRF_FAILURE_VIEW = "clauses.core.errors.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Site identity, shown in the header and the footer.
CLAUSES_SITE_NAME = "Clauses"
CLAUSES_SITE_TAGLINE = "La facilitation des clauses sociales dans la commande publique"

# Accounts: invitation links, login throttling (see docs/environment.md).
CLAUSES_INVITATION_DAYS = env_int("CLAUSES_INVITATION_DAYS", 7)
CLAUSES_LOGIN_MAX_FAILURES_PER_EMAIL = env_int("CLAUSES_LOGIN_MAX_FAILURES_PER_EMAIL", 5)
CLAUSES_LOGIN_MAX_FAILURES_PER_IP = env_int("CLAUSES_LOGIN_MAX_FAILURES_PER_IP", 20)
CLAUSES_LOGIN_LOCK_MINUTES = env_int("CLAUSES_LOGIN_LOCK_MINUTES", 15)
# ProConnect (OpenID Connect for public agents): shown only when all three are set
# (docs/proconnect.md). Integration issuer: https://fca.integ01.dev-agentconnect.fr/api/v2,
# production: https://auth.agentconnect.gouv.fr/api/v2.
CLAUSES_PROCONNECT_ISSUER = env_str("CLAUSES_PROCONNECT_ISSUER", "")
CLAUSES_PROCONNECT_CLIENT_ID = env_str("CLAUSES_PROCONNECT_CLIENT_ID", "")
CLAUSES_PROCONNECT_CLIENT_SECRET = env_str("CLAUSES_PROCONNECT_CLIENT_SECRET", "")

# Regional desk (guichet): delays in working days, attachment limits, abuse protection,
# and the public address used in the follow links emailed to buyers (docs/environment.md).
# Reports: counts of people under this number are shown "< N" (statistical secrecy, INSEE /
# CNIL practice: no published cell under 5 people), with secondary suppression.
CLAUSES_REPORTING_MIN_COUNT = env_int("CLAUSES_REPORTING_MIN_COUNT", 5)
CLAUSES_DESK_SITE_URL = env_str("CLAUSES_DESK_SITE_URL", "http://localhost:8000")
CLAUSES_DESK_FIRST_RESPONSE_WORKING_DAYS = env_int("CLAUSES_DESK_FIRST_RESPONSE_WORKING_DAYS", 3)
CLAUSES_DESK_ESCALATION_WORKING_DAYS = env_int("CLAUSES_DESK_ESCALATION_WORKING_DAYS", 2)
CLAUSES_DESK_CLOSED_DAYS = env_list("CLAUSES_DESK_CLOSED_DAYS", [])
CLAUSES_DESK_MAX_ATTACHMENT_MB = env_int("CLAUSES_DESK_MAX_ATTACHMENT_MB", 10)
CLAUSES_DESK_MAX_ATTACHMENTS = env_int("CLAUSES_DESK_MAX_ATTACHMENTS", 5)
CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR = env_int("CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR", 5)
CLAUSES_DESK_MAX_REQUESTS_PER_EMAIL_PER_DAY = env_int(
    "CLAUSES_DESK_MAX_REQUESTS_PER_EMAIL_PER_DAY", 10
)
# The dry-run routing API and the "new follow link" page have their own allowances.
CLAUSES_DESK_MAX_ROUTINGS_PER_IP_PER_HOUR = env_int("CLAUSES_DESK_MAX_ROUTINGS_PER_IP_PER_HOUR", 60)
CLAUSES_DESK_MAX_FOLLOW_LINKS_PER_IP_PER_HOUR = env_int(
    "CLAUSES_DESK_MAX_FOLLOW_LINKS_PER_IP_PER_HOUR", 5
)
CLAUSES_DESK_MAX_COMMUNES = env_int("CLAUSES_DESK_MAX_COMMUNES", 60)
# Anonymous calls of each public dry-run API (programme analysis, DECP classification) per IP.
CLAUSES_PUBLIC_API_MAX_CALLS_PER_IP_PER_HOUR = env_int(
    "CLAUSES_PUBLIC_API_MAX_CALLS_PER_IP_PER_HOUR", 600
)

# Execution follow-up (participants, eligibility): see docs/environment.md.
# The secret of the identity key (HMAC) that recognises the same person across contractors;
# falls back to a key derived from DJANGO_SECRET_KEY. Changing it breaks deduplication.
CLAUSES_FOLLOWUP_IDENTITY_SECRET = env_str("CLAUSES_FOLLOWUP_IDENTITY_SECRET", "")
# Default validity of an eligibility validation, from the first clause contract start
# (docs/domain-rules.md §3.2: 24 months is common practice, unverified — hence a setting).
CLAUSES_FOLLOWUP_VALIDITY_MONTHS = env_int("CLAUSES_FOLLOWUP_VALIDITY_MONTHS", 24)
# Per-département overrides of that validity, e.g. "93:24,75:18".
CLAUSES_FOLLOWUP_VALIDITY_MONTHS_BY_DEPARTMENT = env_list(
    "CLAUSES_FOLLOWUP_VALIDITY_MONTHS_BY_DEPARTMENT", []
)
# Personal data is anonymised this many months after the person's last assignment ended.
CLAUSES_FOLLOWUP_RETENTION_MONTHS = env_int("CLAUSES_FOLLOWUP_RETENTION_MONTHS", 24)
# Participants list page size.
CLAUSES_FOLLOWUP_PAGE_SIZE = env_int("CLAUSES_FOLLOWUP_PAGE_SIZE", 50)

# Observatory (issue 13): the DECP file the scheduled import fetches (empty: no import).
CLAUSES_DECP_URL = env_str("CLAUSES_DECP_URL", "")
