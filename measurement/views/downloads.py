"""Downloads of measurement's lists as CSV or XLSX (`?format=csv|xlsx`): KPI values, survey
responses (one program's or all), a program's learner events, touchpoints. Viewers may
download; each download reads a whole list, so they are rate-limited per user."""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from measurement import tables
from measurement.forms.kpis import KpiValueDownloadForm
from measurement.models import KpiValue, Program, SurveyResponse, Touchpoint
from roadmap_site import tabular
from roadmap_site.access import AuthedRequest, get_for_member, member_required


def _program(request: AuthedRequest, pk: int) -> Program:
    return get_for_member(request, Program.objects.select_related("initiative"), pk=pk)


@member_required
@require_GET
@tabular.rate_limited
def kpi_value_download(request: AuthedRequest) -> HttpResponseBase:
    """Every KPI with its values, one row per value; `?kpi=<id>` for one KPI's."""
    form = KpiValueDownloadForm(request.GET, org=request.org)
    if not form.is_valid():
        # The pages link to KPIs that exist: another id is a hand-made address.
        return HttpResponseBadRequest("No such KPI.")
    rows = form.values(KpiValue.objects.for_org(request.org).for_download())
    return tabular.download(request, org=request.org, table=tables.KPI_VALUES, rows=rows)


@member_required
@require_GET
@tabular.rate_limited
def response_download(request: AuthedRequest) -> HttpResponseBase:
    """Every program's survey responses, newest first."""
    rows = SurveyResponse.objects.for_org(request.org).select_related("program__initiative")
    return tabular.download(request, org=request.org, table=tables.SURVEY_RESPONSES, rows=rows)


@member_required
@require_GET
@tabular.rate_limited
def program_response_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """One program's survey responses, newest first, as its impact page lists them."""
    program = _program(request, pk)
    rows = program.responses.select_related("program__initiative")
    return tabular.download(request, org=request.org, table=tables.SURVEY_RESPONSES, rows=rows)


@member_required
@require_GET
@tabular.rate_limited
def program_event_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """Every learner event of a program, oldest first: millions of rows, so the CSV streams
    from a database cursor."""
    program = _program(request, pk)
    rows = program.events.order_by("occurred_at", "pk")
    return tabular.download(request, org=request.org, table=tables.LEARNER_EVENTS, rows=rows)


@member_required
@require_GET
@tabular.rate_limited
def touchpoint_download(request: AuthedRequest) -> HttpResponseBase:
    """Every touchpoint with a senior stakeholder, newest first (the alignment page's log
    shows one quarter; the file holds them all)."""
    rows = (
        Touchpoint.objects.for_org(request.org)
        .select_related("stakeholder")
        .order_by("-date", "stakeholder__name", "pk")
    )
    return tabular.download(request, org=request.org, table=tables.TOUCHPOINTS, rows=rows)
