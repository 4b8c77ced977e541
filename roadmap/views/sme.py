"""SME engagement, drilled down: the initiatives whose SME came after the build began.

The measurement dashboard's SME card links here (the figure is computed in
roadmap/measures.py, where the stages and SME assignments live)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from roadmap import measures
from roadmap_site.access import AuthedRequest, member_required


@member_required
@require_GET
def sme_engagement(request: AuthedRequest) -> HttpResponse:
    org = request.org
    today = org.today()
    rows = measures.sme_engagement_rows(org, today)
    late = [row for row in rows if not row.early]
    context = {
        "headline": measures.sme_headline(org, today, rows),
        "rows": rows,
        "late": late,
        "on_time": [row for row in rows if row.early],
        "rule": measures.SME_RULE,
    }
    return render(request, "roadmap/sme_engagement.html", context)
