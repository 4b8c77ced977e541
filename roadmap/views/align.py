"""Align: what are we committing to this cycle? Commitments, not doing, the change log and the
business calendar."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from roadmap.forms import (
    AvoidLaunchesForm,
    BusinessEventForm,
    NotDoingForm,
)
from roadmap.ledger import commitment_ledger
from roadmap.models import (
    BusinessEvent,
    EventKind,
    EventKindRule,
    Initiative,
    Roadmap,
    change_log,
)
from roadmap_site import cache
from roadmap_site.access import AuthedRequest, get_for_member, member_required
from roadmap_site.cache import bump_org

# Align: commitments, not doing, change log, business calendar ------------------------------


def _align_context(roadmap: Roadmap) -> dict:
    """Per cycle: the commitment ledger beside what we are not doing (roadmap/ledger.py)."""
    cycles = list(roadmap.cycles.all())
    initiatives = list(
        # `roadmap_id` too: the related manager sets each row's roadmap by it.
        roadmap.initiatives.only("roadmap_id", *LEDGER_INITIATIVE_FIELDS).annotate(
            owner_name=F("owner__name"),
            accountable_name=F("accountable__name"),
            priority_name=F("priority__capability"),
            kpi_name=F("kpi__name"),
        )
    )
    ledger = commitment_ledger(
        roadmap, cycles=cycles, initiatives=initiatives, request_fields=LEDGER_REQUEST_FIELDS
    )
    for entry in ledger["ledger"]:
        _shorten_not_doing(entry)
    _with_cached_cycles(ledger["ledger"])
    return {"roadmap": roadmap, **ledger}


# A cycle's "not doing" list shows this many items; the rest (450 declined requests at
# scale) load on demand behind a "Show all" link that works without JavaScript.
NOT_DOING_SHOWN = 10


def _shorten_not_doing(entry: dict) -> None:
    """The first `NOT_DOING_SHOWN` of the cycle's requests then dropped options, and how many
    more there are; a list that short shows whole."""
    requests, dropped = entry["not_doing"], entry["dropped"]
    total = entry["not_doing_total"] = len(requests) + len(dropped)
    if total <= NOT_DOING_SHOWN:
        entry["shown_requests"], entry["shown_dropped"], entry["more"] = requests, dropped, 0
        return
    entry["shown_requests"] = requests[:NOT_DOING_SHOWN]
    entry["shown_dropped"] = dropped[: max(0, NOT_DOING_SHOWN - len(requests))]
    entry["more"] = total - NOT_DOING_SHOWN


# What the ledger prints of an initiative, with the names `_align_context` annotates: after
# a rename the page reads all 500 again, and every column with four related rows each (and
# their timestamps) was most of its time.
LEDGER_INITIATIVE_FIELDS = ("cycle_id", "title", "status", "budget", "people", "days", "tradeoffs")

# What it prints of the requests we are not doing (and `decided_at`, by which they are placed).
LEDGER_REQUEST_FIELDS = ("title", "state", "decision_reason", "deferred_to__name")

# Bump when the ledger-cycle partial changes what it prints for the same rows.
CYCLE_VERSION = 4


def _row(i: Initiative) -> tuple:
    """What one committed initiative's row shows: the columns read and the names of the
    priority, KPI, owner and accountable leader it prints."""
    return (
        i.pk,
        *(getattr(i, name) for name in LEDGER_INITIATIVE_FIELDS),
        i.priority_name,  # type: ignore[attr-defined]
        i.kpi_name,  # type: ignore[attr-defined]
        i.owner_name,  # type: ignore[attr-defined]
        i.accountable_name,  # type: ignore[attr-defined]
    )


def _cycle_digest(entry: dict) -> str:
    """What one cycle's section shows: the cycle, its committed rows and totals, and what
    we are not doing in it (requests with their decision, dropped options)."""
    cycle = entry["cycle"]
    shown = (
        (cycle.pk, cycle.name, cycle.start, cycle.end),
        [_row(i) for i in entry["committed"]],
        entry["totals"],
        [(r.pk, r.title, r.state, r.deferred_to.name if r.deferred_to else None,
          r.decision_reason) for r in entry["not_doing"]],
        [(d.pk, d.title, d.reason) for d in entry["dropped"]],
    )  # fmt: skip
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def _with_cached_cycles(ledger: list[dict]) -> None:
    """Each cycle's section rendered once per digest of what it shows, read from the cache
    in one go: a rename renders the one cycle it appears in again (about 120 rows of 500).
    A few entries, not one per row: locmem keeps 300."""
    builders: dict[str, Callable[[], str]] = {}
    keys = []
    for entry in ledger:
        key = cache.key("ledger-cycle", CYCLE_VERSION, _cycle_digest(entry))
        keys.append(key)
        builders[key] = partial(
            render_to_string, "roadmap/roadmap_align.html#ledger-cycle", {"entry": entry}
        )
    found = cache.get_or_build_many(builders)
    for entry, key in zip(ledger, keys, strict=True):
        entry["html"] = mark_safe(found[key])  # noqa: S308 (our template's output)


@member_required
@require_GET
def roadmap_align(request: AuthedRequest, pk: int) -> HttpResponse:
    """The ledger is the same for every reader: rendered once per roadmap and organisation
    version (initiatives, cycles and what we are not doing touch the roadmap; decisions on
    requests, people, priorities and KPIs bump the organisation)."""
    roadmap = get_for_member(request, Roadmap.objects.select_related("org"), pk=pk)
    return _align_page(request, roadmap, NotDoingForm(roadmap=roadmap))


def _align_page(
    request: AuthedRequest, roadmap: Roadmap, form: NotDoingForm, status: int = 200
) -> HttpResponse:
    key = cache.key("ledger", roadmap.pk, roadmap.version, roadmap.org.version)
    ledger = cache.render_fragment(
        request, key, "roadmap/roadmap_align.html#ledger", lambda: _align_context(roadmap)
    )
    context = {"roadmap": roadmap, "phase": "align", "not_doing_form": form, "ledger_html": ledger}
    return render(request, "roadmap/roadmap_align.html", context, status=status)


@member_required
@require_GET
def cycle_not_doing(request: AuthedRequest, pk: int, cycle_pk: int) -> HttpResponse:
    """One cycle's whole "not doing" list. htmx asks for the items after the first
    `NOT_DOING_SHOWN` (the Align page's "Show all" link); without JavaScript the link opens
    this page with the whole list. Read-only for every role."""
    roadmap = get_for_member(request, Roadmap.objects.select_related("org"), pk=pk)
    cycle = get_object_or_404(roadmap.cycles.all(), pk=cycle_pk)
    entry = commitment_ledger(
        roadmap, cycles=[cycle], initiatives=(), request_fields=LEDGER_REQUEST_FIELDS
    )["ledger"][0]
    items = [("request", r) for r in entry["not_doing"]]
    items += [("dropped", d) for d in entry["dropped"]]
    context = {"roadmap": roadmap, "cycle": cycle, "phase": "align", "items": items}
    if request.htmx:
        context["items"] = items[NOT_DOING_SHOWN:]
        context["first_id"] = f"not-doing-more-{cycle.pk}"  # the "Show all" item it replaces
        return render(request, "roadmap/cycle_not_doing.html#not-doing-items", context)
    return render(request, "roadmap/cycle_not_doing.html", context)


@member_required(write=True)
@require_POST
def not_doing_create(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, Roadmap, pk=pk)
    form = NotDoingForm(request.POST, roadmap=roadmap)
    if form.is_valid():
        item = form.save(commit=False)
        item.created_by = request.user
        try:
            with transaction.atomic():
                item.save()
                roadmap.touch()  # the share page lists what we are not doing
        except IntegrityError:
            form.add_error("title", "This cycle already lists that.")
        else:
            messages.success(request, f"Added to what we are not doing in {item.cycle}.")
            return redirect(f"{reverse('roadmap:roadmap_align', args=[roadmap.pk])}#not-doing")
    return _align_page(request, roadmap, form, status=400)


@member_required
@require_GET
def roadmap_changes(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, Roadmap, pk=pk)
    context = {"roadmap": roadmap, "changes": change_log(roadmap), "phase": "align"}
    return render(request, "roadmap/roadmap_changes.html", context)


def _calendar_context(request: AuthedRequest, roadmap: Roadmap, **extra) -> dict:
    avoided = EventKindRule.avoided_kinds(request.org)
    events = BusinessEvent.objects.for_org(request.org)
    grid = events.calendar_grid(roadmap, avoided=avoided)
    context = {
        "roadmap": roadmap,
        "months": grid.months,
        "cycle_bars": grid.cycle_bars,
        "event_bars": grid.event_bars,
        "events": events,
        "event_form": BusinessEventForm(org=request.org),
        "avoid_form": AvoidLaunchesForm(initial={"kinds": sorted(avoided)}),
        "phase": "align",
    }
    context.update(extra)
    return context


@member_required
@require_GET
def roadmap_calendar(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, Roadmap, pk=pk)
    return render(request, "roadmap/roadmap_calendar.html", _calendar_context(request, roadmap))


@member_required(write=True)
@require_POST
def event_create(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, Roadmap, pk=pk)
    form = BusinessEventForm(request.POST, org=request.org)
    if form.is_valid():
        try:
            with transaction.atomic():
                event = form.save()
                bump_org(request.org)
        except IntegrityError:
            form.add_error("name", "An event with this name already starts that day.")
        else:
            messages.success(request, f"“{event.name}” added to the business calendar.")
            return redirect("roadmap:roadmap_calendar", pk=roadmap.pk)
    context = _calendar_context(request, roadmap, event_form=form)
    return render(request, "roadmap/roadmap_calendar.html", context, status=400)


@member_required(write=True)
@require_POST
def event_delete(request: AuthedRequest, pk: int, event_pk: int) -> HttpResponse:
    roadmap = get_for_member(request, Roadmap, pk=pk)
    event = get_for_member(request, BusinessEvent, pk=event_pk)
    event.delete()
    bump_org(request.org)
    messages.success(request, f"“{event.name}” removed from the business calendar.")
    return redirect("roadmap:roadmap_calendar", pk=roadmap.pk)


@member_required(write=True)
@require_POST
def avoid_launches(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, Roadmap, pk=pk)
    form = AvoidLaunchesForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Unknown event kind.")
    chosen = set(form.cleaned_data["kinds"])
    with transaction.atomic():
        for kind in EventKind.values:
            EventKindRule.objects.update_or_create(
                org=request.org, kind=kind, defaults={"avoid_launches": kind in chosen}
            )
        bump_org(request.org)
    messages.success(request, "Saved: the Plan step warns about launches in those periods.")
    return redirect("roadmap:roadmap_calendar", pk=roadmap.pk)
