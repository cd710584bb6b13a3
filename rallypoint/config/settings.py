"""Django settings, read from the environment.

The defaults run the embedded mode (SQLite under var/, in-process broker, SQLite job
queue, console email) with no other service. README.md lists every variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from rallypoint.config.email import email_settings
from rallypoint.config.env import (
    env_bool,
    env_int,
    env_int_list,
    env_list,
    env_str,
    secret_key,
    var_dir,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = var_dir()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(VAR_DIR)
PORT = env_int("PORT", 8000)
BASE_URL = env_str("BASE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [BASE_URL])
SECURE_COOKIES = BASE_URL.startswith("https://")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_AGE = env_int("SESSION_DAYS", 14) * 24 * 3600
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY", False) else None
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "huey.contrib.djhuey",
    "ninja",
    "rallypoint.core",
    "rallypoint.people",
    "rallypoint.spaces",
    "rallypoint.feed",
    "rallypoint.notify",
    "rallypoint.announce",
    "rallypoint.moderation",
    "rallypoint.search",
    "rallypoint.governance",
    "rallypoint.networks",
    "rallypoint.links",
    "rallypoint.advocacy",
    "rallypoint.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "rallypoint.people.middleware.UserTimezoneMiddleware",
]

ROOT_URLCONF = "rallypoint.config.urls"
ASGI_APPLICATION = "rallypoint.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rallypoint.core.context_processors.navigation",
                "rallypoint.notify.context_processors.notifications",
            ],
        },
    }
]

# Database: SQLite (WAL) under var/ unless DATABASE_URL says otherwise.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'rallypoint.sqlite3'}")
_db: dict[str, Any] = dict(dj_database_url.parse(DATABASE_URL, conn_max_age=0))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    # Tests that cross process boundaries (job consumer, SSE server) need a file.
    _db["TEST"] = {"NAME": str(VAR_DIR / "test-rallypoint.sqlite3")}
else:
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: cache, real-time broker and job queue at scale.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_PREFIX", "rallypoint"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

HUEY: Any
_huey_name = env_str("QUEUE_NAME", "rallypoint")
if REDIS_URL:
    from huey import RedisHuey

    HUEY = RedisHuey(_huey_name, url=REDIS_URL, utc=True)
else:
    from huey import SqliteHuey

    HUEY = SqliteHuey(_huey_name, filename=str(VAR_DIR / "jobs.sqlite3"), utc=True)

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth
ACCOUNT_ADAPTER = "rallypoint.people.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "rallypoint.people.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Rallypoint] "
# Failed sign-ins are throttled by our own lockout (people/lockout.py), which slows
# and then locks per account and per address and logs the lock.
ACCOUNT_RATE_LIMITS = {"login_failed": False}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_ONLY = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_ISSUER", "Rallypoint")

# OpenID Connect single sign-on, configured from the environment.
OIDC_ISSUER = env_str("OIDC_ISSUER")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_NAME = env_str("OIDC_NAME", "Company single sign-on")
OIDC_AUTO_CREATE = env_bool("OIDC_AUTO_CREATE", False)
# For providers that never send the email_verified claim (e.g. Microsoft Entra ID).
OIDC_TRUST_EMAIL = env_bool("OIDC_TRUST_EMAIL", False)
SOCIALACCOUNT_PROVIDERS: dict[str, Any] = {}
if OIDC_ISSUER and OIDC_CLIENT_ID:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "sso",
                "name": OIDC_NAME,
                "client_id": OIDC_CLIENT_ID,
                "secret": OIDC_CLIENT_SECRET,
                "settings": {
                    "server_url": OIDC_ISSUER,
                    **({"verified_email": True} if OIDC_TRUST_EMAIL else {}),
                },
            }
        ],
    }

# Sign-in lockout: slowed after SLOW, locked for LOCK_MINUTES after LOCK failures.
LOGIN_SLOW_AFTER = env_int("LOGIN_SLOW_AFTER", 3)
LOGIN_LOCK_AFTER = env_int("LOGIN_LOCK_AFTER", 10)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)

# Email
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Rallypoint <rallypoint@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
globals().update(email_settings(env_str("EMAIL_URL", "console://")))

# Internationalisation and time
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Files
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Post attachments: never under MEDIA_ROOT, only downloaded through the access check.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": "/attachments/"},
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
AVATAR_MAX_BYTES = env_int("AVATAR_MAX_KB", 2048) * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Post attachments (docs/attachments.md): size of one file, files per post, and how long
# an upload that never got attached to a post is kept.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 10) * 1024 * 1024
ATTACHMENT_MAX_COUNT = env_int("ATTACHMENT_MAX_COUNT", 10)
ATTACHMENT_ORPHAN_HOURS = env_int("ATTACHMENT_ORPHAN_HOURS", 24)
# Link previews: how long a fetched preview is reused before the page is fetched again.
LINK_PREVIEW_REFRESH_HOURS = env_int("LINK_PREVIEW_REFRESH_HOURS", 24)
# Announcements: the most reminders one person gets for one announcement.
ANNOUNCE_MAX_REMINDERS = env_int("ANNOUNCE_MAX_REMINDERS", 3)

# Real-time: "memory" (one process) or "redis"; follows REDIS_URL unless set.
REALTIME_BROKER = env_str("REALTIME_BROKER", "redis" if REDIS_URL else "memory")
SSE_HEARTBEAT_SECONDS = env_int("SSE_HEARTBEAT_SECONDS", 15)

# Job consumer threads: inside `rallypoint serve` without REDIS_URL, and the default of
# `rallypoint worker --workers`.
JOB_WORKERS = env_int("JOB_WORKERS", 2)

# Outbound HTTP (link previews, webhooks, social networks) through rallypoint.core.http:
# total seconds per request, body size limit, allowed ports, and networks allowed although
# private (comma-separated CIDRs, e.g. an intranet).
OUTBOUND_TIMEOUT_SECONDS = env_int("OUTBOUND_TIMEOUT_SECONDS", 10)
OUTBOUND_MAX_BYTES = env_int("OUTBOUND_MAX_BYTES", 2 * 1024 * 1024)
OUTBOUND_ALLOWED_PORTS = env_int_list("OUTBOUND_ALLOWED_PORTS", [80, 443])
OUTBOUND_ALLOW_NETWORKS = env_list("OUTBOUND_ALLOW_NETWORKS", [])

# Secrets at rest (OAuth tokens): Fernet keys, the first encrypts (core/crypto.py).
ENCRYPTION_KEYS = env_list("ENCRYPTION_KEYS", [])

# Employee advocacy: social networks (networks/), tracked links (links/).
LINKEDIN_CLIENT_ID = env_str("LINKEDIN_CLIENT_ID")
LINKEDIN_CLIENT_SECRET = env_str("LINKEDIN_CLIENT_SECRET")
X_CLIENT_ID = env_str("X_CLIENT_ID")
X_CLIENT_SECRET = env_str("X_CLIENT_SECRET")
# Base addresses of the networks' APIs; only tests point them elsewhere.
LINKEDIN_API_URL = env_str("LINKEDIN_API_URL", "https://api.linkedin.com")
LINKEDIN_AUTH_URL = env_str("LINKEDIN_AUTH_URL", "https://www.linkedin.com")
X_API_URL = env_str("X_API_URL", "https://api.x.com")
X_AUTH_URL = env_str("X_AUTH_URL", "https://x.com")
BLUESKY_PDS_URL = env_str("BLUESKY_PDS_URL", "https://bsky.social")
BLUESKY_APPVIEW_URL = env_str("BLUESKY_APPVIEW_URL", "https://public.api.bsky.app")
# Tracked links /r/<code> (docs/links.md): clicks are written in batches every
# LINKS_FLUSH_SECONDS or once LINKS_BATCH_SIZE wait; at most LINKS_BUFFER_MAX clicks wait
# in memory while the database is unreachable (later ones are dropped and logged).
LINKS_FLUSH_SECONDS = env_int("LINKS_FLUSH_SECONDS", 1)
LINKS_BATCH_SIZE = env_int("LINKS_BATCH_SIZE", 500)
LINKS_BUFFER_MAX = env_int("LINKS_BUFFER_MAX", 100_000)
# Addresses (or CIDRs) of reverse proxies whose X-Forwarded-For names the visitor.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
# Shares posted through a connected account (docs/sharing.md): attempts before a share
# fails, and after how long a share left "publishing" by a dead worker is tried again.
SHARE_MAX_ATTEMPTS = env_int("SHARE_MAX_ATTEMPTS", 6)
SHARE_PUBLISH_LEASE_SECONDS = env_int("SHARE_PUBLISH_LEASE_SECONDS", 300)
# Tests only: reach a Mastodon instance over plain http (http://127.0.0.1:PORT).
MASTODON_INSECURE_HTTP = env_bool("MASTODON_INSECURE_HTTP", False)

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "huey": {"level": "INFO"},
        "rallypoint": {"level": LOG_LEVEL},
    },
}
