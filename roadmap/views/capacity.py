"""Plan: capacity per cycle against effort, time off, SME availability and the budget."""

from __future__ import annotations

import hashlib
from functools import partial

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from roadmap import timeline
from roadmap.forms import (
    AvailabilityForm,
    CapacityForm,
    RoadmapBudgetForm,
    TimeOffForm,
)
from roadmap.models import (
    Roadmap,
    SmeAvailability,
    TimeOff,
)
from roadmap.plan_data import load_plan
from roadmap.views.plan import PHASE, roadmaps_with_org
from roadmap_site import cache
from roadmap_site.access import AuthedRequest, get_for_member, member_required, require_write
from roadmap_site.cache import bump_org


def _capacity_context(
    request: AuthedRequest, roadmap: Roadmap, *, cached: bool = False, **extra
) -> dict:
    """The capacity page; `cached`: the schedule from the cache (a GET, see `load_plan`)."""
    context = _capacity_rows(roadmap, cached=cached)
    context.update(_capacity_forms(roadmap, context))
    context.update(extra)
    return context


def _capacity_rows(roadmap: Roadmap, *, cached: bool) -> dict:
    """What the page shows, without its chart and forms (`_capacity_forms`)."""
    data = load_plan(roadmap, cached=cached)
    result = data.capacity
    names = {pk: person.name for pk, person in data.people.items()}
    cycles = {cycle.pk: cycle for cycle in data.cycles}
    per_cycle = [
        {
            "cycle": cycles[load.cycle_id],
            "team": load,
            "people": [
                {
                    "load": person,
                    "name": names.get(person.person_id, "?"),
                    "initiatives": [
                        (data.initiative_by_id[item.initiative_id], item.days)
                        for item in person.initiatives
                    ],
                }
                for person in result.for_cycle(load.cycle_id)
            ],
            "html": None,  # the cycle's table, from the cache (`_with_cycle_tables`)
        }
        for load in result.team
    ]
    return {
        "roadmap": roadmap,
        "phase": PHASE,
        "plan": data,
        "capacity": result,
        "names": names,
        "per_cycle": per_cycle,
        "budget_rows": data.budget_rows(),
    }


def _capacity_forms(roadmap: Roadmap, context: dict) -> dict:
    data = context["plan"]
    return {
        "chart": timeline.capacity_figure(context["capacity"], context["names"]),
        "capacity_form": CapacityForm.for_roadmap(
            roadmap, cycles=data.cycles, entries=data.capacity_entries
        ),
        "time_off_form": TimeOffForm(org=roadmap.org),
        "availability_form": AvailabilityForm(org=roadmap.org),
        "budget_form": RoadmapBudgetForm(instance=roadmap),
    }


# Bump when the capacity-head or capacity-rest partial changes what it prints.
PARTS_VERSION = 1


def _with_cached_parts(request: AuthedRequest, context: dict) -> dict:
    """The parts around the cycles' tables (chart, budget, the grid of days, time off, SME
    windows), rendered once per what they show: the schedule (its key names the rows and
    the organisation's version), the roadmap's title and budget, the budget per cycle and
    the reader's role. A rename reads them back; their forms keep the CSRF placeholder."""
    roadmap = context["roadmap"]
    shown = (
        context["plan"].schedule_key,
        request.membership.can_write,
        roadmap.pk,
        roadmap.title,
        roadmap.budget,
        [(row.cycle.pk if row.cycle else None, row.planned, row.cumulative, row.left)
         for row in context["budget_rows"]],
        [(cycle.pk, cycle.name, cycle.start, cycle.end) for cycle in context["plan"].cycles],
    )  # fmt: skip
    if shown[0] is None:  # not the cached schedule: nothing names the rows
        return {**context, **_capacity_forms(roadmap, context)}

    def render() -> dict:
        full = {
            **context,
            **_capacity_forms(roadmap, context),
            "csrf_token": cache.CSRF_PLACEHOLDER,
        }
        return {
            part: render_to_string(f"roadmap/capacity.html#capacity-{part}", full, request=request)
            for part in ("head", "rest")
        }

    digest = hashlib.sha256(repr(shown).encode()).hexdigest()
    parts = cache.get_or_build(cache.key("capacity-parts", PARTS_VERSION, digest), render)
    context["head_html"] = mark_safe(parts["head"])  # noqa: S308 (our own template's output)
    context["rest_html"] = mark_safe(parts["rest"])  # noqa: S308 (our own template's output)
    return context


def _cycle_digest(entry: dict) -> str:
    """What one cycle's table shows, as a digest: its cycle, the team's and each person's
    loads (dataclasses of ids, days and dates) and the names and titles it prints."""
    cycle = entry["cycle"]
    shown = (
        (cycle.pk, cycle.name, cycle.start, cycle.end),
        entry["team"],
        [
            (row["load"], row["name"], [(i.pk, i.title, days) for i, days in row["initiatives"]])
            for row in entry["people"]
        ],
    )
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def _with_cycle_tables(context: dict) -> dict:
    """Each cycle's table rendered once per digest of what it shows, so that a change
    (a renamed initiative, new dates) re-renders the tables of the cycles it touched while
    the others come from the cache. They hold no form, token or role-dependent part."""
    for entry in context["per_cycle"]:
        entry["html"] = mark_safe(  # noqa: S308 (our own template's output)
            cache.get_or_build(
                cache.key("capacity-cycle", CYCLE_TABLE_VERSION, _cycle_digest(entry)),
                partial(render_to_string, "roadmap/capacity.html#capacity-cycle", {"entry": entry}),
            )
        )
    return context


# Bump when the capacity-cycle partial changes what it prints for the same rows.
CYCLE_TABLE_VERSION = 1


@member_required
@require_http_methods(["GET", "POST"])
def roadmap_capacity(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET the capacity view; POST the grid of days per person and cycle."""
    roadmap = get_for_member(request, roadmaps_with_org(), pk=pk)
    if request.method == "GET":
        key = cache.key(
            "capacity", roadmap.pk, roadmap.version, roadmap.org.version,
            request.membership.can_write,
        )  # fmt: skip
        body = cache.render_fragment(
            request,
            key,
            "roadmap/capacity.html#body",
            lambda: _with_cycle_tables(
                _with_cached_parts(request, _capacity_rows(roadmap, cached=True))
            ),
        )
        context = {"roadmap": roadmap, "phase": PHASE, "body_html": body}
        return render(request, "roadmap/capacity.html", context)
    require_write(request)
    form = CapacityForm.for_roadmap(roadmap, request.POST)
    if not form.is_valid():
        context = _capacity_context(request, roadmap, capacity_form=form)
        return render(request, "roadmap/capacity.html", context, status=400)
    form.save()
    messages.success(request, "Capacity saved.")
    return redirect(reverse("roadmap:roadmap_capacity", args=[pk]) + "#capacity-form")


@member_required(write=True)
@require_POST
def roadmap_budget(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, roadmaps_with_org(), pk=pk)
    form = RoadmapBudgetForm(request.POST, instance=roadmap)
    if form.is_valid():
        with transaction.atomic():
            form.save()
            roadmap.touch()
        messages.success(request, "Roadmap budget saved.")
        return redirect(reverse("roadmap:roadmap_capacity", args=[pk]) + "#budget")
    # Validation wrote the refused value onto the instance: the page's figures must use
    # the saved budget (the form keeps showing what was typed).
    roadmap.refresh_from_db(fields=["budget"])
    context = _capacity_context(request, roadmap, budget_form=form)
    return render(request, "roadmap/capacity.html", context, status=400)


def _window_create(request: AuthedRequest, pk: int, form_class, context_name: str, anchor: str):
    roadmap = get_for_member(request, roadmaps_with_org(), pk=pk)
    form = form_class(request.POST, org=roadmap.org)
    if form.is_valid():
        with transaction.atomic():
            form.save()
            bump_org(roadmap.org)  # time off and SME windows are the organisation's
        messages.success(request, "Saved.")
        return redirect(reverse("roadmap:roadmap_capacity", args=[pk]) + f"#{anchor}")
    context = _capacity_context(request, roadmap, **{context_name: form})
    return render(request, "roadmap/capacity.html", context, status=400)


@member_required(write=True)
@require_POST
def time_off_create(request: AuthedRequest, pk: int) -> HttpResponse:
    return _window_create(request, pk, TimeOffForm, "time_off_form", "time-off")


@member_required(write=True)
@require_POST
def availability_create(request: AuthedRequest, pk: int) -> HttpResponse:
    return _window_create(request, pk, AvailabilityForm, "availability_form", "availability")


@member_required(write=True)
@require_POST
def time_off_delete(request: AuthedRequest, pk: int, row_pk: int) -> HttpResponse:
    roadmap = get_for_member(request, roadmaps_with_org(), pk=pk)
    with transaction.atomic():
        get_for_member(request, TimeOff, pk=row_pk).delete()
        bump_org(roadmap.org)
    messages.success(request, "Time off removed.")
    return redirect(reverse("roadmap:roadmap_capacity", args=[roadmap.pk]) + "#time-off")


@member_required(write=True)
@require_POST
def availability_delete(request: AuthedRequest, pk: int, row_pk: int) -> HttpResponse:
    roadmap = get_for_member(request, roadmaps_with_org(), pk=pk)
    with transaction.atomic():
        get_for_member(request, SmeAvailability, pk=row_pk).delete()
        bump_org(roadmap.org)
    messages.success(request, "Availability window removed.")
    return redirect(reverse("roadmap:roadmap_capacity", args=[roadmap.pk]) + "#availability")
