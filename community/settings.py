"""Hearth's settings. Every value that differs between a laptop and production comes from an
environment variable; the defaults are the laptop's once DEBUG=1 says it is one (DEBUG itself
is off unless set). README.md lists every variable."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Production is the default: a server that nobody configured must not show tracebacks or sign
# sessions with a key published in this repository. Development says DEBUG=1 (`make run`,
# `make test` and the test suite's settings do); without it, a SECRET_KEY is required.
DEBUG = env_flag("DEBUG", False)

# Published here, so it signs nothing but a laptop's sessions: `check --deploy` refuses it
# (community/checks.py, hearth.E001).
HEARTH_DEVELOPMENT_SECRET_KEY = "hearth-development-only-secret-key-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", HEARTH_DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# A peer community speaks only to its members: the whole site asks for sign-in unless a
# deployment opens it on purpose.
HEARTH_MEMBERS_ONLY = env_flag("HEARTH_MEMBERS_ONLY", True)
HEARTH_SITE_NAME = os.environ.get("HEARTH_SITE_NAME", "Hearth")
# The site's own address, for links in e-mails sent outside a request (notifications).
HEARTH_BASE_URL = os.environ.get("HEARTH_BASE_URL", "http://127.0.0.1:8000")
# PostgreSQL text-search configuration used to index and query posts.
HEARTH_SEARCH_CONFIG = os.environ.get("HEARTH_SEARCH_CONFIG", "english")
# Search ranks this many of the most recent matches a viewer may see (forums/search.py).
HEARTH_SEARCH_CANDIDATES = int(os.environ.get("HEARTH_SEARCH_CANDIDATES", "500"))
# Per member: "<actions>/<seconds>". Posting covers threads and replies.
HEARTH_RATE_LIMITS = {
    "post": os.environ.get("HEARTH_POST_RATE", "10/60"),
    "report": os.environ.get("HEARTH_REPORT_RATE", "20/3600"),
}
# New members (fewer than this many approved posts in a community) ...
HEARTH_NEW_MEMBER_POSTS = int(os.environ.get("HEARTH_NEW_MEMBER_POSTS", "3"))
# ... may put at most this many links in a post.
HEARTH_NEW_MEMBER_MAX_LINKS = int(os.environ.get("HEARTH_NEW_MEMBER_MAX_LINKS", "2"))
# Deleted threads and posts are kept this long, then `manage.py purge_deleted` removes them.
HEARTH_RETENTION_DAYS = int(os.environ.get("HEARTH_RETENTION_DAYS", "30"))
# Background work (community/background.py): queued for Procrastinate's workers, or, when
# set (the test suite), run at once in the process that defers it.
HEARTH_TASKS_EAGER = env_flag("HEARTH_TASKS_EAGER", False)
# A worker sends a heartbeat every third of this; one silent this long is stalled (killed,
# its machine gone), and retry_stalled_jobs (forums/tasks.py), run by another worker on the
# HEARTH_RETRY_STALLED_CRON schedule (a sixth field counts seconds), hands its jobs on.
HEARTH_STALLED_WORKER_SECONDS = float(os.environ.get("HEARTH_STALLED_WORKER_SECONDS", "30"))
HEARTH_RETRY_STALLED_CRON = os.environ.get("HEARTH_RETRY_STALLED_CRON", "*/5 * * * *")
# Workers keep no job that succeeded (its arguments may carry an e-mail's text); failed ones
# stay, for the admin's Procrastinate pages.
PROCRASTINATE_WORKER_DEFAULTS = {
    "delete_jobs": "successful",
    "update_heartbeat_interval": HEARTH_STALLED_WORKER_SECONDS / 3,
    "stalled_worker_timeout": HEARTH_STALLED_WORKER_SECONDS,
}
HEARTH_THREADS_PER_PAGE = 25
HEARTH_POSTS_PER_PAGE = 30

INSTALLED_APPS = [
    "community.apps.HearthAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Records each member's sessions at sign-in, so that deleting an account ends them all.
    "allauth.usersessions",
    "procrastinate.contrib.django",
    "taggit",
    "csp",
    "accounts",
    "forums",
    "community.apps.CommunityConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "community.middleware.PrivateNoStoreMiddleware",
    # Before anything reads the body (sessions, CSRF), so that an oversized upload is refused
    # unread; after the header middleware, so that its 413 page carries the same headers.
    "community.middleware.RequestBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "forums.middleware.ReaderMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.MembersOnlyMiddleware",
]

ROOT_URLCONF = "community.urls"
WSGI_APPLICATION = "community.wsgi.application"

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
                "community.context_processors.site",
            ],
        },
    },
]

FORM_RENDERER = "community.forms.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://127.0.0.1:5432/hearth"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# A page's queries are short: compiling them to machine code (PostgreSQL's JIT) costs more
# than it saves, hundreds of milliseconds on a plan PostgreSQL believes is large.
_options = DATABASES["default"].setdefault("OPTIONS", {})
_options["options"] = " ".join(filter(None, [_options.get("options"), "-c jit=off"]))
# A database host that does not answer at all (not even to refuse) would otherwise hold each
# request until gunicorn kills its worker; after this many seconds the member gets the 503
# page instead. `?connect_timeout=N` in DATABASE_URL chooses another.
_options.setdefault("connect_timeout", 5)
# Behind a pooler in transaction mode (PgBouncer's `pool_mode = transaction`) a server-side
# cursor opened outside a transaction may be fetched from on another server connection.
# Hearth's own iterators on the request path run inside one, which Django documents as safe;
# this switch is the other remedy, after which `.iterator()` reads each query's rows whole
# (README, "Growing past one machine").
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_flag(
    "DATABASE_DISABLE_SERVER_SIDE_CURSORS", False
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# gunicorn reads its worker count from WEB_CONCURRENCY; read here too, so that `check --deploy`
# knows whether caches held per process (no REDIS_URL) would be split between workers.
WEB_CONCURRENCY = int(os.environ.get("WEB_CONCURRENCY") or "1")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.Member"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# django-allauth: members sign in by e-mail, which they must verify; the sign-up form asks
# for a display name too (accounts.forms.SignupForm). Enumeration prevention and rate limits
# are allauth's defaults, spelled out so that nobody turns them off by accident.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
# Following the confirmation link signs the new member in, when it is opened in the browser
# that signed up (allauth will not sign in a link opened anywhere else: a leaked link would
# be a way in) within ACCOUNT_LOGIN_TIMEOUT of signing up. allauth's 15 minutes are shorter
# than some e-mail takes to arrive and be read; an hour. The same limit bounds the wait for a
# two-factor code after the password, which a code-less visitor cannot use either way.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_TIMEOUT = 60 * 60
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "manage_email": "10/m/user",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{HEARTH_SITE_NAME}] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = HEARTH_SITE_NAME

# The console is for a laptop only: in production it would write password-reset links into
# the logs. Production sends by SMTP unless told otherwise.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Hearth <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-gb"
# Hearth's own words for the messages and headings Django and allauth bring (sentence case,
# "e-mail"): locale/en_GB/LC_MESSAGES/django.po.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))

# Uploads: avatars are re-encoded, so the original may be large-ish but never huge.
HEARTH_AVATAR_MAX_BYTES = int(os.environ.get("HEARTH_AVATAR_MAX_BYTES", str(5 * 1024 * 1024)))
HEARTH_AVATAR_SIZE = 256
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A request whose body is larger than this is answered 413 before it is read
# (community.middleware.RequestBodyLimitMiddleware): an avatar, the form around it and room to
# spare. The proxy in front should refuse the same size first (README, "Deploying").
HEARTH_MAX_REQUEST_BYTES = int(
    os.environ.get("HEARTH_MAX_REQUEST_BYTES", str(HEARTH_AVATAR_MAX_BYTES + 1024 * 1024))
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Security headers. Production (DEBUG off) runs behind a TLS-terminating proxy.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): this site's own scripts, styles, images and forms, and
# nothing inline. data: images are allowed for the authenticator QR code on the two-factor
# set-up page (allauth draws it as a data: SVG). To allow another origin, add it to the
# directive here, or to one view with csp.decorators.csp_update.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Permissions-Policy (django-permissions-policy): no page here needs a camera, a microphone,
# a location or a payment, so none may ask for one, nor any frame inside it. Only names that
# Chromium knows: it logs an error for any other on every page (interest-cohort is gone,
# browsing-topics took its place; tests/browser/test_content_security_policy.py checks).
# clipboard-write stays allowed: the recovery-codes page copies the codes on a click.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Procrastinate tells of every task it registers on every start: its warnings and
    # failures are what an operator needs (PROCRASTINATE_LOG_LEVEL=INFO shows every job).
    "loggers": {"procrastinate": {"level": os.environ.get("PROCRASTINATE_LOG_LEVEL", "WARNING")}},
}
