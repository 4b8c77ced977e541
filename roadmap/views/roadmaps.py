"""Roadmap pages: the list, a roadmap with its initiatives and chart, inline editing and
PDF exports (share links: `roadmap/views/share.py`). htmx requests get a fragment of the
same template."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)
from django_htmx.http import SwapMethod, reswap, retarget, trigger_client_event
from django_ratelimit.decorators import ratelimit

from roadmap import charts, getting_started, services
from roadmap.forms import InitiativeForm, RoadmapForm
from roadmap.forms.exports import ExportOptionsForm
from roadmap.forms.starters import StarterForm
from roadmap.iterate import stopped_learnings
from roadmap.models import (
    Export,
    ExportFailure,
    ExportStatus,
    Initiative,
    Roadmap,
    change_log,
)
from roadmap.starters import StarterConflict, load_starter, starters
from roadmap_site import cache
from roadmap_site.access import AuthedRequest, get_for_member, member_required
from roadmap_site.partials import page_or_partial

# At scale (500 initiatives) every row on one page made 433 KB of HTML; 50 rows keep the page
# light while the chart above still counts them all.
INITIATIVES_PER_PAGE = 50


# Bump when charts.initiatives_per_cycle draws the same rows differently.
CHART_VERSION = 1


def roadmap_overview(roadmap: Roadmap, initiatives: list[Initiative] | None = None) -> dict:
    """What both the member page and the shared page show: cycles, initiatives, chart.

    A fixed number of queries whatever the roadmap's size. `initiatives`: the ones to show,
    when not all of them (a share link shows commitments); without them the database counts
    the roadmap's initiatives per cycle and status, and `initiatives` says whether it has any
    (the member page pages them: `member_overview`).
    """
    cycles = list(roadmap.cycles.all())
    if initiatives is None:
        per_cycle = charts.per_cycle_rows(cycles, roadmap.initiatives.status_counts())
    else:
        per_cycle = charts.initiatives_per_cycle_rows(cycles, initiatives)
    return {
        "roadmap": roadmap,
        "cycles": cycles,
        "initiatives": initiatives
        if initiatives is not None
        else any(row["total"] for row in per_cycle),
        "per_cycle": per_cycle,
        # A Plotly figure built and validated per distinct count: a rename reads it back.
        "chart": cache.get_or_build(
            cache.key(
                "roadmap-chart",
                CHART_VERSION,
                hashlib.sha256(repr(per_cycle).encode()).hexdigest(),
            ),
            lambda: charts.initiatives_per_cycle(per_cycle),
        ),
        # Iterate: what stopped initiatives taught us stays on the roadmap.
        "learnings": stopped_learnings(roadmap),
    }


def member_overview(roadmap: Roadmap, page: str | None) -> dict:
    """The overview with one page of the roadmap's initiatives (the database pages them)."""
    context = roadmap_overview(roadmap)
    initiatives = roadmap.initiatives.with_people()
    context["initiative_page"] = Paginator(initiatives, INITIATIVES_PER_PAGE).get_page(page)
    return context


@member_required
@require_GET
def roadmap_list(request: AuthedRequest) -> HttpResponse:
    roadmaps = list(Roadmap.objects.for_org(request.org).with_counts())
    context: dict = {"roadmaps": roadmaps}
    if not request.org.getting_started_dismissed:
        steps = getting_started.checklist(request.org)
        if not all(step.done for step in steps):
            context["getting_started"] = steps
    if not roadmaps and request.membership.can_write:
        context["starter_form"] = StarterForm(org=request.org)
        context["starters"] = starters().values()
    return render(request, "roadmap/roadmap_list.html", context)


@member_required(write=True)
def roadmap_create(request: AuthedRequest) -> HttpResponse:
    form = RoadmapForm(request.POST or None, org=request.org)
    starter_form = StarterForm(request.POST or None, org=request.org, with_year=False)
    if request.method == "POST" and form.is_valid() and starter_form.is_valid():
        starter = starter_form.chosen()
        try:
            if starter is None:
                roadmap = form.save(created_by=request.user)
            else:
                roadmap = load_starter(
                    starter,
                    org=request.org,
                    fiscal_year=form.cleaned_data["fiscal_year"],
                    by=request.user,
                    roadmap_title=form.cleaned_data["title"],
                ).roadmap
        except StarterConflict as error:
            starter_form.add_error("starter", str(error))
        else:
            messages.success(request, f"“{roadmap.title}” created with four quarterly cycles.")
            return redirect("roadmap:roadmap_detail", pk=roadmap.pk)
    context = {"form": form, "starter_form": starter_form, "starters": starters().values()}
    status = 400 if form.errors or starter_form.errors else 200
    return render(request, "roadmap/roadmap_form.html", context, status=status)


@member_required
@require_GET
def roadmap_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The chart, a page of initiatives and the form to add one are rendered once per
    roadmap and organisation version, page and reader role (roadmap_site/cache.py): every
    write they show touches the roadmap or bumps the organisation (people, priorities, KPIs
    in the form's choices)."""
    roadmap = get_for_member(request, Roadmap.objects.select_related("org"), pk=pk)
    page = request.GET.get("page", "")
    page = page if page.isdigit() else ""
    if request.htmx:
        # The pager swaps the list alone.
        context = member_overview(roadmap, page)
        return render(request, "roadmap/roadmap_detail.html#initiative-list", context)

    def body_context() -> dict:
        return {**member_overview(roadmap, page), "initiative_form": initiative_form(roadmap)}

    key = cache.key(
        "roadmap", roadmap.pk, roadmap.version, roadmap.org.version,
        request.membership.can_write, page,
    )  # fmt: skip
    body = cache.render_fragment(request, key, "roadmap/roadmap_detail.html#body", body_context)
    context = {
        "roadmap": roadmap,
        "body": body,
        "exports": list(roadmap.exports.recent()[:5]),
    }
    return render(request, "roadmap/roadmap_detail.html", context)


def initiative_form(roadmap: Roadmap) -> SafeString:
    """The empty form to add an initiative, rendered once per its choices: the roadmap's
    cycles (a change of them bumps `schedule_version`) and the organisation's people,
    priorities and KPIs (they bump its `version`). A rename reads it back."""
    key = cache.key("initiative-form", roadmap.pk, roadmap.schedule_version, roadmap.org.version)
    return mark_safe(  # noqa: S308 (the form's own rendering)
        cache.get_or_build(key, lambda: str(InitiativeForm(roadmap=roadmap)))
    )


@member_required(write=True)
@require_POST
def initiative_create(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, Roadmap, pk=pk)
    form = InitiativeForm(request.POST, roadmap=roadmap)
    if form.is_valid():
        initiative = form.save(by=request.user)
        if request.htmx:
            initiative = Initiative.objects.with_people().get(pk=initiative.pk)
            response = render(
                request,
                "roadmap/initiative_detail.html#initiative-row",
                {"initiative": initiative, "roadmap": roadmap},
            )
            return trigger_client_event(response, "roadmap-changed")
        messages.success(request, f"“{initiative.title}” added.")
        return redirect("roadmap:roadmap_detail", pk=roadmap.pk)
    if request.htmx:
        # htmx does not swap 4xx by default; the form with its errors is a normal answer,
        # swapped over the form rather than appended to the list.
        response = render(
            request,
            "roadmap/roadmap_detail.html#initiative-form",
            {"initiative_form": form, "roadmap": roadmap},
        )
        return reswap(retarget(response, "#initiative-form"), "outerHTML")
    context = {**member_overview(roadmap, None), "initiative_form": form}
    body = render_to_string("roadmap/roadmap_detail.html#body", context, request=request)
    context.update({"body": body, "exports": []})
    return render(request, "roadmap/roadmap_detail.html", context, status=400)


@member_required
@require_GET
def initiative_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    # The program (measurement's view of it) comes in the same query, for the Measure link.
    initiative = get_for_member(
        request, Initiative.objects.for_ledger().select_related("program"), pk=pk
    )
    template = page_or_partial(request, "roadmap/initiative_detail.html", "initiative-row")
    context = {"initiative": initiative, "roadmap": initiative.roadmap}
    if not request.htmx:
        context["changes"] = change_log(initiative.roadmap, initiative=initiative)
        context["requests"] = list(initiative.requests.all())
    return render(request, template, context)


@member_required(write=True)
@require_http_methods(["GET", "POST"])
def initiative_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    initiative = get_for_member(request, Initiative.objects.with_people(), pk=pk)
    roadmap = initiative.roadmap
    form = InitiativeForm(request.POST or None, instance=initiative, roadmap=roadmap)
    if request.method == "POST" and form.is_valid():
        form.save(by=request.user)
        initiative = Initiative.objects.with_people().get(pk=initiative.pk)
        if request.htmx:
            response = render(
                request,
                "roadmap/initiative_detail.html#initiative-row",
                {"initiative": initiative, "roadmap": roadmap},
            )
            return trigger_client_event(response, "roadmap-changed")
        messages.success(request, f"“{initiative.title}” saved.")
        return redirect("roadmap:roadmap_detail", pk=roadmap.pk)
    template = page_or_partial(request, "roadmap/initiative_edit.html", "initiative-edit-row")
    context = {"initiative": initiative, "form": form, "roadmap": roadmap}
    # A refused edit is a 400 on the full page; htmx does not swap 4xx, so the row with its
    # errors comes back as a 200 there.
    status = 400 if form.errors and not request.htmx else 200
    return render(request, template, context, status=status)


@member_required
@require_GET
def roadmap_chart(request: AuthedRequest, pk: int) -> HttpResponse:
    """The chart fragment, re-fetched when initiatives change."""
    roadmap = get_for_member(request, Roadmap, pk=pk)
    template = page_or_partial(request, "roadmap/roadmap_overview.html", "chart")
    context = roadmap_overview(roadmap)
    if not request.htmx:
        return redirect("roadmap:roadmap_detail", pk=roadmap.pk)
    return render(request, template, context)


# Exports ------------------------------------------------------------------------------


def _export_answer(
    request: AuthedRequest, export: Export, *, target: str, swap: SwapMethod
) -> HttpResponse:
    """After Export or Retry: the row's fragment (htmx) or a redirect. With the broker
    down the row is failed: htmx gets the fragment with 503, swapped where it asked all
    the same (static/js/app.js swaps error answers that carry HX-Retarget)."""
    unavailable = export.error == ExportFailure.UNAVAILABLE
    if request.htmx:
        response = render(
            request,
            "roadmap/export_detail.html#export-status",
            {"export": export},
            status=503 if unavailable else 200,
        )
        return reswap(retarget(response, target), swap) if unavailable else response
    if unavailable:
        messages.error(request, capfirst(f"{ExportFailure.UNAVAILABLE}."))
        return redirect("roadmap:roadmap_detail", pk=export.roadmap_id)
    return redirect("roadmap:export_detail", pk=export.pk)


# Not atomic: the row must be committed before the task is sent, and the view must know
# whether the broker took it to answer 503 rather than a row that waits forever.
@transaction.non_atomic_requests
@member_required(write=True)
@require_POST
@ratelimit(key="user", rate="20/m", block=True)
def export_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """Start an export with the options posted; none posted (the roadmap page's one-click
    button) is the whole roadmap on A4. Refused options re-render the options page."""
    roadmap = get_for_member(request, Roadmap, pk=pk)
    form = ExportOptionsForm(request.POST, roadmap=roadmap)
    if not form.is_valid():
        return render(
            request, "roadmap/export_form.html", {"roadmap": roadmap, "form": form}, status=400
        )
    export = services.start_export(
        roadmap=roadmap, requested_by=request.user, options=form.options()
    )
    return _export_answer(request, export, target="#exports", swap="afterbegin")


@member_required(write=True)
@require_GET
def export_options(request: AuthedRequest, pk: int) -> HttpResponse:
    """What the PDF should hold: scope, internal notes, paper size."""
    roadmap = get_for_member(request, Roadmap.objects.select_related("org"), pk=pk)
    form = ExportOptionsForm(roadmap=roadmap)
    return render(request, "roadmap/export_form.html", {"roadmap": roadmap, "form": form})


@transaction.non_atomic_requests
@member_required(write=True)
@require_POST
@ratelimit(key="user", rate="20/m", block=True)
def export_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    export = get_for_member(request, Export, pk=pk)
    services.retry_export(export=export)
    return _export_answer(request, export, target=f"#export-{export.pk}", swap="outerHTML")


@member_required
@require_GET
@never_cache
def export_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    export = get_for_member(request, Export.objects.select_related("roadmap"), pk=pk)
    template = page_or_partial(request, "roadmap/export_detail.html", "export-status")
    return render(request, template, {"export": export})


@member_required
@require_GET
def export_download(request: AuthedRequest, pk: int) -> FileResponse:
    export = get_for_member(request, Export, pk=pk)
    if export.status != ExportStatus.DONE or not export.file:
        raise Http404("This export has no file.")
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=str(export.file.name).rsplit("/", 1)[-1],
        content_type="application/pdf",
    )
