"""One settings module, fed by the environment (see the README's table).

Defaults give a working local set-up: SQLite, console e-mail, and Celery tasks run
in-process when no broker is configured.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The default is for local runs and tests only: `check --deploy` flags it (security.W009)
# and the container entrypoint refuses to start without a real one.
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-only-do-not-deploy")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for FORM_RENDERER
    "django_htmx",
    # Only for its templates and static files: the API docs page draws without a CDN.
    "ninja",
    "django_celery_beat",
    "simple_history",
    "roadmap_site",
    "strategy",
    "roadmap",
    "measurement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "roadmap_site.access.CurrentOrganizationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A blocked request raises Ratelimited (a PermissionDenied): answer 429, not 403.
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "roadmap_site.urls"
WSGI_APPLICATION = "roadmap_site.wsgi.application"

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
                "django.template.context_processors.csp",
                "roadmap_site.context_processors.workspace",
            ],
        },
    },
]

# {{ form }} renders with templates/forms/ (labels, help and errors tied for screen readers).
FORM_RENDERER = "roadmap_site.renderers.FormRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A batch of 10,000 learner events through the API is about 2.5 MB of JSON: room for it,
# and still a cap on what one request can make the server parse.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)

AUTH_USER_MODEL = "roadmap_site.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Locally there is no collectstatic output; whitenoise would warn on every start.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files need `collectstatic`; the image runs it at build time.
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

# E-mail: console locally; SMTP from EMAIL_URL (smtp://user:pass@host:587/?tls=True).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="L&D Roadmap <roadmap@localhost>")

# Caches back the rate limits; they must be shared between processes in production.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
# Behind a proxy, REMOTE_ADDR is the proxy's: name the header that carries the client's address
# (e.g. HTTP_X_REAL_IP set by the proxy), or every visitor shares one limit.
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default="") or None
RATELIMIT_VIEW = "roadmap_site.views.ratelimited"
# On LocMem the counters are per-process: fine locally, and said so in the README.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Security headers. Scripts only from our own origin; no inline script, no eval.
# Plotly writes <style> rules at run time, so styles allow 'unsafe-inline' (styles only).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Preload is a one-way commitment (browsers ship the list); opt in once HSTS has run a year.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)

# Celery. Without a broker, tasks run in-process so the app works with nothing else
# installed; tests never rely on that (they call task bodies, and CI runs a real worker).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The web process enqueues while a user waits: with the broker down, an Export click must
# answer "unavailable" within a second or two, not after kombu's default retries.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Above the longest task (the PDF export's hard limit) and any countdown, so a running
    # task is never delivered twice; short enough that the message of a worker that died
    # whole comes back within minutes rather than an hour.
    "visibility_timeout": 600,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_ROUTES = {
    "roadmap.tasks.render_export": {"queue": "pdf"},
    "roadmap.tasks.build_quarterly_report": {"queue": "pdf"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# django-celery-beat's DatabaseScheduler copies these entries into its table at start.
CELERY_BEAT_SCHEDULE = {
    # An export whose worker died (killed, out of memory, redeployed) would say
    # "Rendering…" forever: fail it, with a Retry button, once it is older than the
    # export's hard time limit plus a margin. Every minute, so it is seen within one.
    "fail-stale-exports": {"task": "roadmap.tasks.fail_stale_exports", "schedule": 60.0},
    # The measurement alerts follow the day and the quarter even when no data moved (a
    # senior not met by a quarter's first day): every organisation's, at the top of each hour.
    "refresh-alerts": {"task": "measurement.tasks.refresh_alerts", "schedule": crontab(minute=0)},
    # The weekly alert digest to owners, Monday morning (CELERY_TIMEZONE), each alert once
    # until its state changes: in the inbox before the week's first meetings.
    "weekly-alert-digest": {
        "task": "measurement.tasks.send_weekly_digest",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    # An import run whose worker died stays "Running" with nothing written (its single
    # transaction went with the worker): fail it once it is older than the import's hard
    # limit plus a margin, so the page says so and the source's failure count moves.
    "fail-stale-import-runs": {"task": "measurement.tasks.fail_stale_runs", "schedule": 60.0},
    # The quarterly leader report: each organisation's first working day of a fiscal
    # quarter (Monday to Friday, its own time zone) starts the report of the quarter that
    # just ended, mailed to the roadmap's subscribers. Hourly, so every time zone's morning
    # is met within the hour and a missed tick is caught up by the next; the report row
    # (one per roadmap and quarter) makes every later tick a no-op.
    "quarterly-reports": {"task": "roadmap.tasks.send_due_reports", "schedule": crontab(minute=5)},
    # A report build or a copy being sent whose worker died ends failed with the reason
    # (the report page offers Build again or Resend) once older than its hard time limit.
    "fail-stale-reports": {"task": "roadmap.tasks.fail_stale_reports", "schedule": 60.0},
    # Share-link feedback to each roadmap's owner: a review answers three questions and
    # comments on several initiatives within minutes, so one e-mail per quarter hour holds
    # a whole review instead of a message per comment.
    "send-feedback-mail": {"task": "roadmap.tasks.send_feedback_mail", "schedule": 15 * 60.0},
}

# PDF exports. The hard limit kills a render that hangs; a running export older than the
# hard limit plus the margin has lost its worker, so a redelivered task may claim it again
# and the sweep above fails it. The margin covers clock skew between hosts and queueing.
EXPORT_SOFT_TIME_LIMIT = 120
EXPORT_TIME_LIMIT = 150
EXPORT_STALE_MARGIN = 60
# Test-only: a file path; the export waits until this file exists before rendering, so an
# integration test can kill the worker mid-render without relying on timing. Empty in use.
EXPORT_RENDER_GATE = env.str("EXPORT_RENDER_GATE", default="")
# The Chromium that Kaleido drives to draw the PDFs' charts (roadmap_site/pdf.py); nothing is
# ever downloaded. Without it, each chart is printed as the table of its data.
PDF_BROWSER_PATH = env.str("BROWSER_PATH", default="/usr/bin/chromium")

# The quarterly report: a build's limits (snapshot and PDF), and one copy's send. A copy
# that fails is retried REPORT_SEND_MAX_RETRIES times with backoff, then shown as failed.
REPORT_SOFT_TIME_LIMIT = 240
REPORT_TIME_LIMIT = 300
REPORT_SEND_TIME_LIMIT = 60
REPORT_SEND_MAX_RETRIES = env.int("REPORT_SEND_MAX_RETRIES", default=5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
        # Kaleido and its browser driver log every tab they open at INFO.
        "kaleido": {"level": "WARNING"},
        "choreographer": {"level": "WARNING"},
        "logistro": {"level": "WARNING"},
    },
}

# Rate limits of the pages that need no account (per IP address).
SHARE_LINK_RATE = env.str("SHARE_LINK_RATE", default="60/m")
# Per link and IP address: password tries, and reviews and comments sent (spam).
SHARE_PASSWORD_RATE = env.str("SHARE_PASSWORD_RATE", default="10/h")
SHARE_FEEDBACK_RATE = env.str("SHARE_FEEDBACK_RATE", default="30/h")
INTAKE_RATE = env.str("INTAKE_RATE", default="10/h")
CALENDAR_FEED_RATE = env.str("CALENDAR_FEED_RATE", default="60/m")

# xAPI statement queries (measurement/xapi.py): statements per page when the client names
# no limit, and the most it may ask for (a bigger `limit` is cut to it, as the spec allows).
XAPI_QUERY_LIMIT = env.int("XAPI_QUERY_LIMIT", default=100)
XAPI_QUERY_MAX = env.int("XAPI_QUERY_MAX", default=500)

# Metric imports (measurement/sources.py). Caps keep a run's memory and time bounded;
# private addresses (the worker's own network) are refused unless this deployment says
# its sources live there.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=100 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=2_000_000)
IMPORT_BATCH = env.int("IMPORT_BATCH", default=5000)
IMPORT_FETCH_TIMEOUT = env.float("IMPORT_FETCH_TIMEOUT", default=15.0)
IMPORT_ALLOW_PRIVATE_URLS = env.bool("IMPORT_ALLOW_PRIVATE_URLS", default=False)
# Under the broker's visibility timeout (600 s), so a running import is never redelivered.
IMPORT_SOFT_TIME_LIMIT = 480
IMPORT_TIME_LIMIT = 540
IMPORT_STALE_MARGIN = 120
# Fernet key for sources' header credentials; empty: derived from SECRET_KEY (rotating
# SECRET_KEY then means re-entering the credentials).
SOURCE_CREDENTIALS_KEY = env.str("SOURCE_CREDENTIALS_KEY", default="")

# CSV and XLSX downloads of a list, per user: each reads the whole list (roadmap_site/tabular.py).
DOWNLOAD_RATE = env.str("DOWNLOAD_RATE", default="30/m")
