"""The JSON API at /api/ (django-ninja): organisation-scoped tokens, cursor pages, JSON
errors. The OpenAPI document is /api/openapi.json; /api/docs draws it with Swagger UI
served from our static files (ninja's own copy), so the page needs no CDN and no inline
script under the site's CSP.

One module per resource; `auth` (tokens and scope), `pagination`, `schemas` and `errors`
are shared. Writes call the same functions and forms as the pages.
"""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from roadmap.api import (
    errors,
    initiatives,
    kpis,
    priorities,
    programs,
    roadmaps,
    touchpoints,
    training_requests,
)
from roadmap.api.auth import read_token

api = NinjaAPI(
    title="L&D Roadmap API",
    version="1",
    description=(
        "Read an organisation's roadmaps, initiatives, priorities, KPIs and training "
        "requests and programs; record KPI values, requests, learner activity, eligible "
        "learners, touchpoints and survey responses. Authenticate with "
        "`Authorization: Bearer <key>.<secret>` (an admin creates tokens under "
        "Organisation → API tokens). Lists are paged by cursor: pass `next_cursor` back "
        "as `cursor` until it is null."
    ),
    auth=read_token,
    urls_namespace="roadmap:api",
    # No badge from the online validator (validator.swagger.io): nothing leaves the site.
    docs=Swagger(settings={"validatorUrl": None}),
)
errors.install(api)
for module in (roadmaps, initiatives, priorities, kpis, training_requests, programs, touchpoints):
    api.add_router("/", module.router)
