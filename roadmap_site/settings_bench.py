"""Settings for `make bench`: the product's, plus the floor page and a query counter.

DEBUG off and rate limits off whatever the environment says (the bench requests the same
pages hundreds of times from one address); PostgreSQL from DATABASE_URL, by default a local
`ldbench` database. Nothing here is imported by the product's own settings or URLs.
"""

from __future__ import annotations

from roadmap_site.settings import *  # noqa: F403
from roadmap_site.settings import env

DEBUG = False
RATELIMIT_ENABLE = False
ROOT_URLCONF = "roadmap_site.bench_urls"
# First, so it counts the queries of every middleware (session, user, membership) too.
MIDDLEWARE = ["roadmap_site.bench.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/ldbench")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
