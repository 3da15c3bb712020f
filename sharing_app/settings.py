"""Settings for the information-sharing decision recorder.

Every value that differs between machines comes from the environment (django-environ).
DEBUG is off unless asked for; there is no default secret key outside DEBUG.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG: bool = env.bool("DEBUG", default=False)
if DEBUG:
    SECRET_KEY: str = env.str("SECRET_KEY", default="insecure-development-key-only-used-with-debug")
else:
    SECRET_KEY = env.str("SECRET_KEY")

# The demonstration profile (`make run` sets DEMO=true): seed_demo and demo_code work, and every page carries a
# "Demo – not for real records" banner. `check --deploy` fails while it is on.
DEMO: bool = env.bool("DEMO", default=False)

ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    # Security: CSP header, sign-in lockout, two-step verification (before accounts, whose admin adjusts theirs).
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "audit",
    "decisions",
    "oversight",
    "django_tasks",
    "django_tasks_db",
    "background",
    "exports",
    "housekeeping",
    "retention",
]

MIDDLEWARE = [
    # First: a body over its page's limit is refused before anything reads it (sharing_app/request_limits.py).
    "sharing_app.request_limits.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "sharing_app.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sharing_app.headers.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.sessions.RenewSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Names the signed-in user in the audit events of changes to accounts made by any page (the Django admin's too).
    "audit.context.ActorMiddleware",
    "accounts.middleware.KeepAnswersLoginRequiredMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: it turns a lockout flagged during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Request bodies, in bytes, refused above these before they are read (sharing_app/request_limits.py); the proxy in
# front should refuse over REQUEST_BODY_LIMIT_UPLOAD too. One file per request: the verify page takes one.
REQUEST_BODY_LIMIT: int = env.int("REQUEST_BODY_LIMIT", default=64 * 1024)
REQUEST_BODY_LIMIT_ANSWERS: int = env.int("REQUEST_BODY_LIMIT_ANSWERS", default=512 * 1024)
REQUEST_BODY_LIMIT_UPLOAD: int = env.int("REQUEST_BODY_LIMIT_UPLOAD", default=20 * 1024 * 1024 + 64 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = 1

ROOT_URLCONF = "sharing_app.urls"
WSGI_APPLICATION = "sharing_app.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Templates are read and compiled once per process (Django does this by default with DEBUG off; said
            # here so nobody turns it off by adding loaders). Forms render dozens of small templates per page.
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"],
                )
            ],
            # Over Django's own `date` filter: the same text, a tenth of the time (sharing_app.fast_templates.py).
            "builtins": ["sharing_app.fast_templates"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.membership",
                "oversight.context_processors.capabilities",
                "sharing_app.version.service_version",
            ],
        },
    },
]

# SQLite under var/ by default; DATABASE_URL=postgres://... for the real database.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent audit writers queue instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Reusing connections halves the floor latency measured by `make bench`; health checks drop dead ones.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT spent ~0.9 s compiling the dashboard's aggregates at a million decisions.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # An unreachable server fails the request in seconds (and shows the "Try again" page), not minutes.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5))
# Django's backends plus one retry where that cannot do anything twice, so a moment's outage (a restart, a
# dropped connection) is ridden out: sharing_app/db_backends/retry.py.
DATABASES["default"]["ENGINE"] = {
    "django.db.backends.postgresql": "sharing_app.db_backends.postgresql",
    "django.db.backends.sqlite3": "sharing_app.db_backends.sqlite3",
}.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Tests run in memory, as Django does for its own SQLite engine (pytest-django's xdist support knows
    # SQLite by the engine's name only).
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")
# How long to wait before the one retry of a connection the database refused.
DB_RETRY_DELAY_SECONDS: float = env.float("DB_RETRY_DELAY_SECONDS", default=1.0)

# Background jobs (bulk PDF export) are rows in the database, run by `manage.py db_worker` beside the web server.
TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Idle timeout: the cookie's age restarts at every request, so 30 quiet minutes sign the user out.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
# Renewed while in use, at most once every SESSION_RENEW_SECONDS (accounts/sessions.py) rather than written on
# every request: the idle timeout holds to within that minute, with one database write a minute per person.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS: int = env.int("SESSION_RENEW_SECONDS", default=60)
# Django's database sessions, except that failing to renew an unchanged session's expiry during a database
# outage does not turn the page into an error (sharing_app/sessions.py).
SESSION_ENGINE = "sharing_app.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE: bool = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE: bool = env.bool("SECURE_COOKIES", default=not DEBUG)
# No script reads the CSRF cookie: forms carry the token.
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT: bool = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS: int = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Preloading commits every subdomain of the organisation's domain to HTTPS for good: the deployer opts in.
SECURE_HSTS_PRELOAD: bool = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy, in every environment so a violation shows up in development first. No inline
# script or style anywhere: templates load static files only. data: images are the 2FA QR code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Sign-in lockout (django-axes): 5 failures for one username from one address lock that pair for 30 minutes.
# The pair, not the username alone, so nobody can lock a colleague out during an emergency by typing their
# name; not the address alone, because a whole council office often shares one. Superusers unlock in the
# Django admin (Users > "Unlock sign-in", or delete the Access attempt).
AXES_FAILURE_LIMIT: int = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# The same address the audit trail records (REMOTE_ADDR; see audit.services.client_ip).
AXES_CLIENT_IP_CALLABLE = "audit.services.client_ip"
# Successful sign-ins are in the audit trail already; no second copy of addresses and browsers.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Forgotten passwords: emailed links (Django's tokens) that work once, for PASSWORD_RESET_TIMEOUT seconds;
# an account an admin creates gets a "set your password" link lasting ACCOUNT_INVITE_TIMEOUT seconds.
# Requests per hour: from one address (then a page says to wait), and emails to one account (then none).
PASSWORD_RESET_TIMEOUT: int = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
ACCOUNT_INVITE_TIMEOUT: int = env.int("ACCOUNT_INVITE_TIMEOUT", default=3 * 24 * 60 * 60)
PASSWORD_RESET_LIMIT_PER_ADDRESS: int = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=10)
PASSWORD_RESET_LIMIT_PER_ACCOUNT: int = env.int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", default=3)

# Two-step verification (django-otp): TOTP apps, with single-use recovery codes.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Information sharing decisions")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Files people download later (bulk exports; subject-access bundles go the same way) are never kept on one
# node's disk when there are several: EXPORTS_STORAGE=s3 puts them in an S3-compatible bucket every web node
# and worker shares. The default, a local folder, suits a single machine.
EXPORTS_DIR = Path(env.str("EXPORTS_DIR", default=str(VAR_DIR / "exports")))
if env.str("EXPORTS_STORAGE", default="local") == "s3":
    STORAGES["exports"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("EXPORTS_BUCKET"),
            "location": env.str("EXPORTS_BUCKET_PREFIX", default=""),
            # Empty for AWS itself; the address of any other S3-compatible service (MinIO, Ceph, a cloud's own).
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # Keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the machine's role, as boto3 finds them.
            "default_acl": None,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["exports"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": EXPORTS_DIR,
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }

# Background jobs split into chunks (background/runner.py): a worker that sends no news for this long is taken to
# have stopped, and its chunk goes to another; a chunk that stops this many workers fails its job.
JOBS_LEASE_SECONDS: int = env.int("JOBS_LEASE_SECONDS", default=120)
JOBS_MAX_CLAIMS: int = env.int("JOBS_MAX_CLAIMS", default=3)
# Decisions per chunk of a bulk export: a few seconds of work each, spread over the workers.
EXPORT_CHUNK_SIZE: int = env.int("EXPORT_CHUNK_SIZE", default=25)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds the background worker waits for a mail server that does not answer before it tries again later.
EMAIL_TIMEOUT: int = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="decisions@localhost")

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Logs carry no personal data: Django never logs request bodies, the access log has no query strings (see
# the Makefile), and database error details (PostgreSQL's "Failing row contains (...)") are cut from
# tracebacks. Errors are not emailed (that report would include the form data).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "redacted": {
            "()": "sharing_app.log_redaction.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "redacted"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {
        "django": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING"), "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# Axes first: it refuses a locked-out sign-in before a password is checked.
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutBackend", "accounts.backends.MembershipBackend"]

# Audit checkpoints (audit/checkpoints.py): each chain's head is signed with an Ed25519 key kept outside the
# database, every AUDIT_CHECKPOINT_EVERY events, hourly and at each chain check, and each checkpoint is also
# appended to a log outside the database. `make run` makes a demo key in var/; production supplies its own
# (`manage.py check --deploy` fails without one). Retired keys' public halves go in the trusted-keys file.
AUDIT_SIGNING_KEY_FILE: str = env.str("AUDIT_SIGNING_KEY_FILE", default=str(VAR_DIR / "audit_signing_key.pem"))
AUDIT_SIGNING_KEY: str = env.str("AUDIT_SIGNING_KEY", default="")
AUDIT_TRUSTED_PUBLIC_KEYS_FILE: str = env.str(
    "AUDIT_TRUSTED_PUBLIC_KEYS_FILE", default=str(VAR_DIR / "audit_trusted_public_keys.pem")
)
AUDIT_CHECKPOINT_EVERY: int = env.int("AUDIT_CHECKPOINT_EVERY", default=1000)
AUDIT_CHECKPOINT_LOG: str = env.str("AUDIT_CHECKPOINT_LOG", default=str(VAR_DIR / "audit-checkpoints.log"))
AUDIT_CHECKPOINT_SYSLOG: str = env.str("AUDIT_CHECKPOINT_SYSLOG", default="")
# Addresses, browsers and unknown typed usernames in audit events are cleared by housekeeping after this many days.
AUDIT_CLIENT_DATA_KEEP_DAYS: int = env.int("AUDIT_CLIENT_DATA_KEEP_DAYS", default=365)
# An admin approves a disposal only once they have held the admin role this many days, so nobody can dispose of a
# record alone by making a second account an admin (retention/services.py). 0 turns the rule off.
DISPOSAL_APPROVER_MIN_DAYS: int = env.int("DISPOSAL_APPROVER_MIN_DAYS", default=7)
# Housekeeping (housekeeping/jobs.py): rows per transaction, and an optional pause between batches to spare a busy
# database.
HOUSEKEEPING_BATCH: int = env.int("HOUSEKEEPING_BATCH", default=1000)
HOUSEKEEPING_PAUSE_SECONDS: float = env.float("HOUSEKEEPING_PAUSE_SECONDS", default=0.0)
# Drafts (retention/drafts.py): housekeeping purges a discarded draft this many days after it was discarded; an
# open draft nobody has saved for ABANDONED_DRAFT_DAYS is listed on the retention page for an admin to dispose of.
DISCARDED_DRAFT_KEEP_DAYS: int = env.int("DISCARDED_DRAFT_KEEP_DAYS", default=30)
ABANDONED_DRAFT_DAYS: int = env.int("ABANDONED_DRAFT_DAYS", default=90)

# Digitally signed PDFs (decisions/signing.py): a PKCS#12 file (certificate and private key). `make run`
# makes a self-signed demo one in var/; production supplies one issued for the organisation. Certificates
# that signed earlier PDFs (after a renewal) go in PDF_TRUSTED_CERTS_FILE so those PDFs keep verifying.
PDF_SIGNING_PKCS12_FILE: str = env.str("PDF_SIGNING_PKCS12_FILE", default=str(VAR_DIR / "pdf_signing.p12"))
PDF_SIGNING_PKCS12_PASSWORD: str = env.str("PDF_SIGNING_PKCS12_PASSWORD", default="")
PDF_TRUSTED_CERTS_FILE: str = env.str("PDF_TRUSTED_CERTS_FILE", default=str(VAR_DIR / "pdf_trusted_certs.pem"))

# The verify page is open to anyone: each address (or signed-in account) may make this many checks in each window
# of this many minutes (exports/throttle.py).
VERIFY_CHECKS_PER_WINDOW: int = env.int("VERIFY_CHECKS_PER_WINDOW", default=30)
VERIFY_WINDOW_MINUTES: int = env.int("VERIFY_WINDOW_MINUTES", default=15)

# Makes links in notification emails absolute, e.g. https://decisions.example.org
SITE_URL: str = env.str("SITE_URL", default="")
