"""Downloads of the roadmap's lists as CSV or XLSX (`?format=csv|xlsx`), with the list's own
filters: the rows the page shows, without its paging. Viewers may download (it is reading);
each download reads a whole list, so they are rate-limited per user."""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from roadmap import tables
from roadmap.forms import TimelineFilterForm, TrainingRequestFilterForm
from roadmap.models import Roadmap, Scorer, Stage, TrainingRequest
from roadmap_site import tabular
from roadmap_site.access import AuthedRequest, get_for_member, member_required


def refused_filters() -> HttpResponseBase:
    # The page's own form never sends these: a hand-made address, so no page to re-render.
    return HttpResponseBadRequest("Those filters are not valid for this list.")


@member_required
@require_GET
@tabular.rate_limited
def request_download(request: AuthedRequest) -> HttpResponseBase:
    """The Assess list with its filters and sort, scored as the page scores it."""
    org = request.org
    filters = TrainingRequestFilterForm.for_org(org, request.GET)
    if not filters.is_valid():
        return refused_filters()
    # The database scores and sorts, as for the page (`Scorer.with_total`): the rows stream.
    requests = filters.filter(TrainingRequest.objects.for_org(org).for_list())
    rows = filters.in_order(Scorer(org).with_total(requests))
    return tabular.download(request, org=org, table=tables.REQUESTS, rows=rows)


@member_required
@require_GET
@tabular.rate_limited
def initiative_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """A roadmap's initiatives, optionally filtered as the timeline filters them (owner,
    priority, status)."""
    roadmap = get_for_member(request, Roadmap, pk=pk)
    filters = TimelineFilterForm(request.GET, roadmap=roadmap)
    if not filters.is_valid():
        return refused_filters()
    rows = filters.filter(roadmap.initiatives.for_ledger())
    return tabular.download(request, org=request.org, table=tables.INITIATIVES, rows=rows)


@member_required
@require_GET
@tabular.rate_limited
def commitment_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """The Align page's commitments: the roadmap's committed initiatives, cycle by cycle."""
    roadmap = get_for_member(request, Roadmap, pk=pk)
    rows = roadmap.initiatives.for_ledger().committed()
    return tabular.download(request, org=request.org, table=tables.COMMITMENTS, rows=rows)


@member_required
@require_GET
@tabular.rate_limited
def not_doing_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """The Align page's "not doing": requests declined or deferred in each cycle and the
    options dropped for it."""
    roadmap = get_for_member(request, Roadmap, pk=pk)
    rows = tables.not_doing_rows(roadmap)
    return tabular.download(request, org=request.org, table=tables.NOT_DOING, rows=rows)


@member_required
@require_GET
@tabular.rate_limited
def stage_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """Every stage of the Plan, initiative by initiative (all cycles: the page's one cycle
    at a time is its paging)."""
    roadmap = get_for_member(request, Roadmap, pk=pk)
    rows = Stage.objects.for_roadmap(roadmap).for_download()
    return tabular.download(request, org=request.org, table=tables.STAGES, rows=rows)
