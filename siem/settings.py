"""Django settings for the SIEM backend, read once from the environment.

Every variable is documented in README.md; production values are explained in
docs/deployment.md. Development defaults are safe to run on a laptop: SQLite, an
in-process cache, and a secret key generated per checkout.
"""

import os
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from siem.config import (
    deployment_environment,
    development_secret_key,
    env_bool,
    env_int,
    env_list,
    env_str,
    production_secret_key,
)
from siem.observability.logconfig import build_logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

SIEM_ENV = deployment_environment()
PRODUCTION = SIEM_ENV == "production"
DEBUG = False if PRODUCTION else env_bool("SIEM_DEBUG", True)

if PRODUCTION:
    SECRET_KEY = production_secret_key()
else:
    SECRET_KEY = development_secret_key(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is missing: set it to the comma-separated host names the service answers to."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "corsheaders",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "siem",
    "accounts",
    "metrics",
    "threats",
    "ingest",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "siem.middleware.RequestContextMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "siem.urls"
WSGI_APPLICATION = "siem.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# --- Database -------------------------------------------------------------------------------

DATABASE_URI = env_str("DATABASE_URI", f"sqlite:///{VAR_DIR / 'siem.sqlite3'}")
if DATABASE_URI.startswith("sqlite:///"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(DATABASE_URI, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"charset": "utf8mb4", "init_command": "SET sql_mode='STRICT_TRANS_TABLES'"}
    )
    DATABASES["default"]["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------

CACHE_URI = env_str("CACHE_URI") or env_str("REDIS_URL")
if CACHE_URI:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URI,
            "KEY_PREFIX": "siem",
        }
    }
elif PRODUCTION:
    raise ImproperlyConfigured(
        "CACHE_URI is missing: production shares rate limits and metric caches between "
        "workers through Redis, for example CACHE_URI=redis://127.0.0.1:6379/0."
    )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Users and passwords --------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- REST framework and JWT -----------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "siem.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(hours=24),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ALGORITHM": "HS256",
    # Access tokens are recorded at login so that logout can blacklist them one by one.
    "AUTH_TOKEN_CLASSES": ("accounts.tokens.RevocableAccessToken",),
    # Tokens carry a digest of the password hash, so a password change revokes them all.
    "CHECK_REVOKE_TOKEN": True,
    "CHECK_USER_IS_ACTIVE": True,
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "UPDATE_LAST_LOGIN": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "SIEM backend API",
    "DESCRIPTION": "Accounts, AWS metrics, VPC Flow Log statistics and security events.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Rate limits (django-ratelimit) ---------------------------------------------------------

RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_USE_CACHE = "default"
SIEM_LOGIN_RATE_PER_IP = env_str("SIEM_LOGIN_RATE_PER_IP", "20/m")
SIEM_LOGIN_RATE_PER_EMAIL = env_str("SIEM_LOGIN_RATE_PER_EMAIL", "5/m")
SIEM_REGISTER_RATE_PER_IP = env_str("SIEM_REGISTER_RATE_PER_IP", "10/h")
# Number of reverse proxies in front of the service whose X-Forwarded-For entries are trusted.
SIEM_TRUSTED_PROXY_COUNT = env_int("SIEM_TRUSTED_PROXY_COUNT", 0)
# django-ratelimit's "ip" key reads the client address the same way as the sign-in limits.
RATELIMIT_IP_META_KEY = "accounts.ratelimit.client_ip"

# --- CORS and security headers --------------------------------------------------------------

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", ["http://localhost:3000"])
CORS_ALLOW_CREDENTIALS = True
CORS_URLS_REGEX = r"^/api/.*$"
CORS_EXPOSE_HEADERS = ["Link", "Retry-After", "X-Metrics-Source", "X-Request-ID"]

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading pins every subdomain to HTTPS in browsers, so only an operator who owns
        # the whole domain should opt in. Django's check W021 warns every site that does not preload.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    # TLS ends at the load balancer, which sends the original scheme in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^api/health$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- Static files ---------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- AWS ------------------------------------------------------------------------------------

# Empty means "not configured": AWS-backed features return 503 with a hint until it is set.
# boto3 reads credentials and AWS_ENDPOINT_URL from the standard chain by itself.
AWS_REGION = env_str("AWS_REGION") or env_str("AWS_DEFAULT_REGION")
AWS_CONNECT_TIMEOUT_SECONDS = env_int("AWS_CONNECT_TIMEOUT_SECONDS", 5, minimum=1)
AWS_READ_TIMEOUT_SECONDS = env_int("AWS_READ_TIMEOUT_SECONDS", 15, minimum=1)
AWS_MAX_ATTEMPTS = env_int("AWS_MAX_ATTEMPTS", 4, minimum=1)

# --- Metrics app ----------------------------------------------------------------------------

# `cloudwatch` reads GetMetricData; `local` reads datapoints stored by import_metrics and seed_demo.
METRICS_SOURCE = env_str("METRICS_SOURCE", "cloudwatch" if AWS_REGION else "local").lower()
if METRICS_SOURCE not in {"cloudwatch", "local"}:
    raise ImproperlyConfigured(
        f"METRICS_SOURCE={METRICS_SOURCE!r} is invalid: set it to 'cloudwatch' or 'local'."
    )
# Resources the dashboard charts. Unset means "the only one in the account"; see README.md.
SIEM_ALB_NAME = env_str("SIEM_ALB_NAME")
SIEM_ALB_TARGET_GROUP = env_str("SIEM_ALB_TARGET_GROUP")
SIEM_RDS_INSTANCE = env_str("SIEM_RDS_INSTANCE")
SIEM_ASG_NAME = env_str("SIEM_ASG_NAME")
SIEM_SAGEMAKER_ENDPOINT = env_str("SIEM_SAGEMAKER_ENDPOINT")
SIEM_SAGEMAKER_VARIANT = env_str("SIEM_SAGEMAKER_VARIANT")
# IANA zone of the HH:MM chart labels; the ISO timestamps beside them stay in UTC.
SIEM_DISPLAY_TIME_ZONE = env_str("SIEM_DISPLAY_TIME_ZONE", "UTC")
try:
    ZoneInfo(SIEM_DISPLAY_TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError) as err:
    raise ImproperlyConfigured(
        f"SIEM_DISPLAY_TIME_ZONE={SIEM_DISPLAY_TIME_ZONE!r} is not an IANA time zone, "
        "for example Europe/Berlin."
    ) from err
# Upper bound of the metric response cache; the effective lifetime is also at most one period.
SIEM_METRICS_CACHE_SECONDS = env_int("SIEM_METRICS_CACHE_SECONDS", 60)

# --- Ingest ---------------------------------------------------------------------------------

# Where /api/metrics/vpc aggregates flows: `rollups` (this database, filled by `manage.py
# ingest`), `logs_insights` (CloudWatch Logs Insights over SIEM_FLOW_LOG_GROUP) or `athena`
# (an Athena table over the flow log bucket).
VPC_STATS_SOURCE = env_str("VPC_STATS_SOURCE", "rollups").lower()
if VPC_STATS_SOURCE not in {"rollups", "logs_insights", "athena"}:
    raise ImproperlyConfigured(
        f"VPC_STATS_SOURCE={VPC_STATS_SOURCE!r} is invalid: use rollups, logs_insights or athena."
    )
SIEM_FLOW_LOG_GROUP = env_str("SIEM_FLOW_LOG_GROUP")
SIEM_ATHENA_DATABASE = env_str("SIEM_ATHENA_DATABASE", "default")
SIEM_ATHENA_FLOW_TABLE = env_str("SIEM_ATHENA_FLOW_TABLE", "vpc_flow_logs")
SIEM_ATHENA_WORKGROUP = env_str("SIEM_ATHENA_WORKGROUP", "primary")
# s3://bucket/prefix/ for query results; empty uses the workgroup's own output location.
SIEM_ATHENA_OUTPUT_LOCATION = env_str("SIEM_ATHENA_OUTPUT_LOCATION")
# How long the endpoint waits for a Logs Insights or Athena query before answering 503.
SIEM_REMOTE_QUERY_TIMEOUT_SECONDS = env_int("SIEM_REMOTE_QUERY_TIMEOUT_SECONDS", 25, minimum=1)

# --- Threats app ----------------------------------------------------------------------------

# Repeats of a detection (same fingerprint) within this many seconds of its last occurrence
# update one SecurityEvent (count, last_seen) instead of adding rows.
SIEM_THREATS_DEDUP_WINDOW_SECONDS = env_int("SIEM_THREATS_DEDUP_WINDOW_SECONDS", 3600, minimum=1)
# /api/threats/events page sizes: the default `limit`, and the maximum a request may ask for.
SIEM_THREATS_EVENTS_DEFAULT_LIMIT = 100
SIEM_THREATS_EVENTS_MAX_LIMIT = 500
# The admin change list counts matching events up to this number and shows "more than N" past
# it, because COUNT(*) over a table of millions of rows takes longer than the page itself.
SIEM_THREATS_ADMIN_COUNT_LIMIT = env_int("SIEM_THREATS_ADMIN_COUNT_LIMIT", 10000, minimum=100)

# Detection during `manage.py ingest`. Off, ingest only fills the statistics (the ingest
# benchmark switches it to measure the detectors' cost).
SIEM_DETECTION_ENABLED = env_bool("SIEM_DETECTION_ENABLED", True)
# Detector thresholds: SIEM_DETECT_<DETECTOR>_<FIELD> overrides one field of the dataclasses in
# threats/detectors/base.py, for example SIEM_DETECT_BRUTE_FORCE_MIN_FLOW_ATTEMPTS=50 or
# SIEM_DETECT_BRUTE_FORCE_LOGIN_PORTS=22,3389. Detectors are port_scan, brute_force, ddos,
# malware, phishing and web_attacks. A misspelled name or a bad value stops the first ingest
# with an error naming it.
# The port-scan sweep threshold stays at the detector's 50 hosts: the ingest benchmark's busy
# clients, which reach one service port on many servers, raised 2.5 times as many false sweeps
# at 20. A VPC with fewer than 50 interfaces (the demo estate has 21) needs
# SIEM_DETECT_PORT_SCAN_MIN_DISTINCT_HOSTS set lower to see a sweep at all.
SIEM_DETECT_OVERRIDES = {
    name.removeprefix("SIEM_DETECT_"): value.strip()
    for name, value in os.environ.items()
    if name.startswith("SIEM_DETECT_") and value.strip()
}
# Threat-intelligence list files, comma-separated paths, reloaded when a file changes:
# addresses and CIDRs for flows, and domains for Resolver queries (subdomains match too).
SIEM_INTEL_IP_FILES = env_list("SIEM_INTEL_IP_FILES", [])
SIEM_INTEL_MALWARE_DOMAIN_FILES = env_list("SIEM_INTEL_MALWARE_DOMAIN_FILES", [])
SIEM_INTEL_PHISHING_DOMAIN_FILES = env_list("SIEM_INTEL_PHISHING_DOMAIN_FILES", [])
# `rules` keeps the detectors' labels. `sagemaker` sends each detection to SAGEMAKER_CLASSIFIER_ENDPOINT through
# sagemaker-runtime InvokeEndpoint (body text/csv or application/json, see threats/classifier.py)
# and keeps the rule label, with a warning, when the call fails.
THREAT_CLASSIFIER = env_str("THREAT_CLASSIFIER", "rules").lower()
if THREAT_CLASSIFIER not in {"rules", "sagemaker"}:
    raise ImproperlyConfigured(
        f"THREAT_CLASSIFIER={THREAT_CLASSIFIER!r} is invalid: set it to 'rules' or 'sagemaker'."
    )
SAGEMAKER_CLASSIFIER_ENDPOINT = env_str("SAGEMAKER_CLASSIFIER_ENDPOINT")
if THREAT_CLASSIFIER == "sagemaker" and not SAGEMAKER_CLASSIFIER_ENDPOINT:
    raise ImproperlyConfigured(
        "THREAT_CLASSIFIER=sagemaker needs SAGEMAKER_CLASSIFIER_ENDPOINT: set it to the "
        "endpoint name, or set THREAT_CLASSIFIER=rules."
    )
SAGEMAKER_CLASSIFIER_CONTENT_TYPE = env_str("SAGEMAKER_CLASSIFIER_CONTENT_TYPE", "text/csv")
if SAGEMAKER_CLASSIFIER_CONTENT_TYPE not in {"text/csv", "application/json"}:
    raise ImproperlyConfigured(
        f"SAGEMAKER_CLASSIFIER_CONTENT_TYPE={SAGEMAKER_CLASSIFIER_CONTENT_TYPE!r} is invalid: "
        "use text/csv or application/json."
    )

# --- Logging --------------------------------------------------------------------------------

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
# Production writes one JSON object per line to stdout; SIEM_LOG_JSON switches it on elsewhere.
SIEM_LOG_JSON = env_bool("SIEM_LOG_JSON", PRODUCTION)
LOGGING = build_logging_config(json_output=SIEM_LOG_JSON, level=LOG_LEVEL)

# --- Service metrics ------------------------------------------------------------------------

# Bearer token Prometheus sends to GET /metrics. Empty disables the endpoint (403).
SIEM_METRICS_TOKEN = env_str("SIEM_METRICS_TOKEN")
MIN_METRICS_TOKEN_LENGTH = 32
if SIEM_METRICS_TOKEN and len(SIEM_METRICS_TOKEN) < MIN_METRICS_TOKEN_LENGTH:
    raise ImproperlyConfigured(
        f"SIEM_METRICS_TOKEN is too short: use at least {MIN_METRICS_TOKEN_LENGTH} random "
        "characters, for example from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`."
    )
if PRODUCTION:
    # Prometheus scrapes each instance directly over the private network, without the load
    # balancer's X-Forwarded-Proto header, so the HTTPS redirect would break the scrape.
    SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^metrics$"]
