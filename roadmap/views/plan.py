"""Plan: what does the work look like over time? Stages per initiative, sequencing in a
cycle, capacity against effort, SMEs, dependencies, warnings and their acknowledgements,
the timeline, and each member's calendar feed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget
from django_ratelimit.decorators import ratelimit

from roadmap import ical, timeline
from roadmap.forms import (
    AcknowledgeForm,
    AvailabilityForm,
    CalendarFeedForm,
    CapacityForm,
    InitiativeDependencyForm,
    InitiativePlanForm,
    MoveForm,
    RoadmapBudgetForm,
    SmeForm,
    StageDependencyForm,
    StageForm,
    TimelineFilterForm,
    TimeOffForm,
    UnacknowledgeForm,
)
from roadmap.models import (
    CalendarFeed,
    CapacityEntry,
    Initiative,
    InitiativeDependency,
    InitiativeStatus,
    Roadmap,
    SmeAssignment,
    SmeAvailability,
    Stage,
    StageDependency,
    StageStatus,
    TimeOff,
    WarningAcknowledgement,
)
from roadmap.plan_data import PlanData, calendar_events, load_plan
from roadmap_site.access import AuthedRequest, get_for_member, member_required, require_write
from roadmap_site.models import Person
from roadmap_site.partials import page_or_partial

PHASE = "plan"
# The pages read the organisation (business calendar, people) of the roadmap they show.
ROADMAPS = Roadmap.objects.select_related("org")
STATUS_LABELS = {**dict(InitiativeStatus.choices), **dict(StageStatus.choices)}


# The plan of a roadmap ---------------------------------------------------------------------


def _plan_context(roadmap: Roadmap, data: PlanData | None = None, **extra) -> dict:
    data = data or load_plan(roadmap)
    open_warnings = [w for w in data.warnings if w.acknowledgement is None]
    acknowledged = [w for w in data.warnings if w.acknowledgement is not None]
    context = {
        "roadmap": roadmap,
        "phase": PHASE,
        "plan": data,
        "sequenced": data.sequenced(),
        "warnings": open_warnings + acknowledged,  # acknowledged ones last, muted
        "open_warnings": open_warnings,
        "acknowledged": acknowledged,
    }
    context.update(extra)
    return context


@member_required
@require_GET
def roadmap_plan(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, ROADMAPS, pk=pk)
    return render(request, "roadmap/plan.html", _plan_context(roadmap))


@member_required(write=True)
@require_POST
def initiative_move(request: AuthedRequest, pk: int) -> HttpResponse:
    """Up or down within its cycle's now / next / later group: a button, not a drag."""
    initiative = get_for_member(request, Initiative, pk=pk, write=True)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Move up or down.")
    initiative.move(up=form.up)
    roadmap = initiative.roadmap
    if request.htmx:
        context = _plan_context(roadmap, moved=initiative.pk)
        return render(request, "roadmap/plan.html#sequence", context)
    return redirect(reverse("roadmap:roadmap_plan", args=[roadmap.pk]) + f"#plan-{pk}")


@member_required(write=True)
@require_POST
def warning_acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, ROADMAPS, pk=pk, write=True)
    form = AcknowledgeForm(request.POST)
    data = load_plan(roadmap)
    keys = {warning.key for warning in data.warnings}
    if form.is_valid() and form.cleaned_data["key"] not in keys:
        return HttpResponseBadRequest("No such warning on this plan.")
    if form.is_valid():
        WarningAcknowledgement.objects.update_or_create(
            roadmap=roadmap,
            key=form.cleaned_data["key"],
            defaults={
                "org": roadmap.org,
                "note": form.cleaned_data["note"],
                "by": request.user,
                "at": timezone.now(),
            },
        )
        if request.htmx:
            return render(request, "roadmap/plan.html#warnings", _plan_context(roadmap))
        messages.success(request, "Warning acknowledged.")
        return redirect(reverse("roadmap:roadmap_plan", args=[roadmap.pk]) + "#warnings")
    context = _plan_context(roadmap, data, ack_error=form.data.get("key"), ack_form=form)
    if request.htmx:
        return render(request, "roadmap/plan.html#warnings", context)
    return render(request, "roadmap/plan.html", context, status=400)


@member_required(write=True)
@require_POST
def warning_unacknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, ROADMAPS, pk=pk, write=True)
    form = UnacknowledgeForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Which warning?")
    roadmap.acknowledgements.filter(key=form.cleaned_data["key"]).delete()
    if request.htmx:
        return render(request, "roadmap/plan.html#warnings", _plan_context(roadmap))
    messages.success(request, "The warning is open again.")
    return redirect(reverse("roadmap:roadmap_plan", args=[roadmap.pk]) + "#warnings")


# One initiative's plan: its stages, SMEs and dependencies ------------------------------------


def _initiative_context(initiative: Initiative, **extra) -> dict:
    roadmap = initiative.roadmap
    data = load_plan(roadmap)
    mine = data.initiative_by_id.get(initiative.pk, initiative)
    context = {
        "roadmap": roadmap,
        "initiative": mine,
        "phase": PHASE,
        "plan": data,
        "stages": data.stages_by_initiative.get(initiative.pk, []),
        "initiative_warnings": data.warnings_for(initiative),
        "stage_form": StageForm(initiative=initiative),
        "plan_form": InitiativePlanForm(instance=mine),
        "sme_form": SmeForm(initiative=initiative),
        "smes": [row for row in data.sme_assignments if row.initiative_id == initiative.pk],
        "initiative_dependency_form": InitiativeDependencyForm(initiative=initiative),
        "stage_dependency_form": StageDependencyForm(initiative=initiative),
        "waits_for": [
            (dep, data.initiative_by_id[dep.predecessor_id])
            for dep in data.initiative_dependencies
            if dep.successor_id == initiative.pk
        ],
        # Stages of this initiative by their name; another initiative's with its title.
        "stage_waits_for": [
            (
                dep,
                data.stage_by_id[dep.successor_id].get_kind_display(),
                data.stage_by_id[dep.predecessor_id].get_kind_display()
                if data.stage_by_id[dep.predecessor_id].initiative_id == initiative.pk
                else data.stage_label(dep.predecessor_id),
            )
            for dep in data.stage_dependencies
            if data.stage_by_id[dep.successor_id].initiative_id == initiative.pk
        ],
    }
    context.update(extra)
    return context


def _stages_fragment(request: HttpRequest, initiative: Initiative, **extra) -> HttpResponse:
    """The initiative's stages section: the answer to every htmx stage action."""
    response = render(
        request, "roadmap/plan_initiative.html#stages", _initiative_context(initiative, **extra)
    )
    return reswap(retarget(response, "#stages"), "outerHTML")


def _initiative(request: AuthedRequest, pk: int, *, write: bool = False) -> Initiative:
    return get_for_member(
        request, Initiative.objects.select_related("roadmap__org"), pk=pk, write=write
    )


@member_required
@require_http_methods(["GET", "POST"])
def initiative_plan(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET the initiative's plan; POST its approach, media, budget and sequence."""
    initiative = _initiative(request, pk)
    if request.method == "GET":
        template = page_or_partial(request, "roadmap/plan_initiative.html", "stages")
        return render(request, template, _initiative_context(initiative))
    require_write(request)
    form = InitiativePlanForm(request.POST, instance=initiative)
    if form.is_valid():
        form.save(by=request.user)
        messages.success(request, "Plan saved.")
        return redirect("roadmap:initiative_plan", pk=initiative.pk)
    context = _initiative_context(initiative, plan_form=form)
    return render(request, "roadmap/plan_initiative.html", context, status=400)


@member_required(write=True)
@require_POST
def stage_create(request: AuthedRequest, pk: int) -> HttpResponse:
    initiative = _initiative(request, pk, write=True)
    form = StageForm(request.POST, initiative=initiative)
    if form.is_valid():
        stage = form.save()
        if request.htmx:
            return _stages_fragment(request, initiative, changed=stage.pk)
        messages.success(request, f"{stage.get_kind_display()} added.")
        return redirect(reverse("roadmap:initiative_plan", args=[pk]) + f"#stage-{stage.pk}")
    if request.htmx:
        return _stages_fragment(request, initiative, stage_form=form)
    context = _initiative_context(initiative, stage_form=form)
    return render(request, "roadmap/plan_initiative.html", context, status=400)


def _stage(request: AuthedRequest, pk: int, *, write: bool = True) -> Stage:
    return get_for_member(
        request,
        Stage.objects.select_related("initiative__roadmap__org"),
        pk=pk,
        write=write,
    )


@member_required(write=True)
@require_http_methods(["GET", "POST"])
def stage_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    stage = _stage(request, pk)
    initiative = stage.initiative
    form = StageForm(request.POST or None, instance=stage, initiative=initiative)
    if request.method == "POST" and form.is_valid():
        form.save()
        if request.htmx:
            return _stages_fragment(request, initiative, changed=stage.pk)
        messages.success(request, f"{stage.get_kind_display()} saved.")
        return redirect(reverse("roadmap:initiative_plan", args=[initiative.pk]) + f"#stage-{pk}")
    template = page_or_partial(request, "roadmap/plan_stage_edit.html", "stage-edit")
    context = {"stage": stage, "initiative": initiative, "roadmap": initiative.roadmap}
    context.update({"form": form, "phase": PHASE})
    status = 400 if form.errors and not request.htmx else 200
    return render(request, template, context, status=status)


@member_required(write=True)
@require_POST
def stage_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    stage = _stage(request, pk)
    initiative = stage.initiative
    stage.delete()
    if request.htmx:
        return _stages_fragment(request, initiative)
    messages.success(request, f"{stage.get_kind_display()} removed.")
    return redirect(reverse("roadmap:initiative_plan", args=[initiative.pk]) + "#stages")


@member_required(write=True)
@require_POST
def stage_move(request: AuthedRequest, pk: int) -> HttpResponse:
    stage = _stage(request, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Move up or down.")
    stage.move(up=form.up)
    if request.htmx:
        return _stages_fragment(request, stage.initiative, moved=stage.pk)
    return redirect(reverse("roadmap:initiative_plan", args=[stage.initiative_id]) + f"#stage-{pk}")


@member_required(write=True)
@require_POST
def sme_add(request: AuthedRequest, pk: int) -> HttpResponse:
    initiative = _initiative(request, pk, write=True)
    form = SmeForm(request.POST, initiative=initiative)
    if not form.is_valid():
        context = _initiative_context(initiative, sme_form=form)
        return render(request, "roadmap/plan_initiative.html", context, status=400)
    SmeAssignment.objects.get_or_create(
        org=initiative.org, initiative=initiative, person=form.cleaned_data["person"]
    )
    messages.success(request, f"{form.cleaned_data['person']} is an SME of this initiative.")
    return redirect(reverse("roadmap:initiative_plan", args=[pk]) + "#smes")


@member_required(write=True)
@require_POST
def sme_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    assignment = get_for_member(request, SmeAssignment, pk=pk, write=True)
    assignment.delete()
    messages.success(request, f"{assignment.person} is no longer an SME of this initiative.")
    return redirect(reverse("roadmap:initiative_plan", args=[assignment.initiative_id]) + "#smes")


@member_required(write=True)
@require_POST
def dependency_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """`kind=initiative`: this initiative waits for another; `kind=stage`: one of its
    stages waits for a stage of the roadmap. Finish-to-start either way."""
    initiative = _initiative(request, pk, write=True)
    kind = request.POST.get("kind")
    if kind == "initiative":
        form = InitiativeDependencyForm(request.POST, initiative=initiative)
        make = lambda data: InitiativeDependency(  # noqa: E731
            org=initiative.org, predecessor=data["predecessor"], successor=initiative
        )
        context_name = "initiative_dependency_form"
    elif kind == "stage":
        form = StageDependencyForm(request.POST, initiative=initiative)
        make = lambda data: StageDependency(  # noqa: E731
            org=initiative.org, predecessor=data["predecessor"], successor=data["successor"]
        )
        context_name = "stage_dependency_form"
    else:
        return HttpResponseBadRequest("A dependency is between initiatives or stages.")
    if form.is_valid():
        try:
            with transaction.atomic():
                make(form.cleaned_data).save()
        except IntegrityError:
            form.add_error(None, "That dependency is already there.")
        else:
            messages.success(request, "Dependency added.")
            return redirect(reverse("roadmap:initiative_plan", args=[pk]) + "#dependencies")
    context = _initiative_context(initiative, **{context_name: form})
    return render(request, "roadmap/plan_initiative.html", context, status=400)


@member_required(write=True)
@require_POST
def dependency_remove(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    if kind == "initiative":
        dependency = get_for_member(request, InitiativeDependency, pk=pk, write=True)
        initiative_id = dependency.successor_id
    elif kind == "stage":
        dependency = get_for_member(
            request, StageDependency.objects.select_related("successor"), pk=pk, write=True
        )
        initiative_id = dependency.successor.initiative_id
    else:
        raise Http404("No such dependency.")
    dependency.delete()
    messages.success(request, "Dependency removed.")
    return redirect(reverse("roadmap:initiative_plan", args=[initiative_id]) + "#dependencies")


# Capacity and budget ----------------------------------------------------------------------


def _capacity_context(request: AuthedRequest, roadmap: Roadmap, **extra) -> dict:
    data = load_plan(roadmap)
    result = data.capacity
    names = {pk: person.name for pk, person in data.people.items()}
    cycles = {cycle.pk: cycle for cycle in data.cycles}
    team = list(Person.objects.for_org(roadmap.org).filter(is_ld_team=True))
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
        }
        for load in result.team
    ]
    context = {
        "roadmap": roadmap,
        "phase": PHASE,
        "plan": data,
        "capacity": result,
        "per_cycle": per_cycle,
        "chart": timeline.capacity_figure(result, names),
        "budget_rows": data.budget_rows(),
        "capacity_form": CapacityForm(
            people=team, cycles=data.cycles, entries=data.capacity_entries
        ),
        "time_off_form": TimeOffForm(org=roadmap.org),
        "availability_form": AvailabilityForm(org=roadmap.org),
        "budget_form": RoadmapBudgetForm(instance=roadmap),
    }
    context.update(extra)
    return context


@member_required
@require_http_methods(["GET", "POST"])
def roadmap_capacity(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET the capacity view; POST the grid of days per person and cycle."""
    roadmap = get_for_member(request, ROADMAPS, pk=pk)
    if request.method == "GET":
        return render(request, "roadmap/capacity.html", _capacity_context(request, roadmap))
    require_write(request)
    team = Person.objects.for_org(roadmap.org).filter(is_ld_team=True)
    cycles = list(roadmap.cycles.all())
    entries = CapacityEntry.objects.for_org(roadmap.org).filter(cycle__roadmap=roadmap)
    form = CapacityForm(request.POST, people=team, cycles=cycles, entries=entries)
    if not form.is_valid():
        context = _capacity_context(request, roadmap, capacity_form=form)
        return render(request, "roadmap/capacity.html", context, status=400)
    with transaction.atomic():
        for person, cycle, days in form.values():
            if days is None:
                CapacityEntry.objects.filter(person=person, cycle=cycle).delete()
            else:
                CapacityEntry.objects.update_or_create(
                    person=person, cycle=cycle, defaults={"org": roadmap.org, "days": days}
                )
    messages.success(request, "Capacity saved.")
    return redirect(reverse("roadmap:roadmap_capacity", args=[pk]) + "#capacity-form")


@member_required(write=True)
@require_POST
def roadmap_budget(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, ROADMAPS, pk=pk, write=True)
    form = RoadmapBudgetForm(request.POST, instance=roadmap)
    if form.is_valid():
        form.save()
        messages.success(request, "Roadmap budget saved.")
        return redirect(reverse("roadmap:roadmap_capacity", args=[pk]) + "#budget")
    context = _capacity_context(request, roadmap, budget_form=form)
    return render(request, "roadmap/capacity.html", context, status=400)


def _window_create(request: AuthedRequest, pk: int, form_class, context_name: str, anchor: str):
    roadmap = get_for_member(request, ROADMAPS, pk=pk, write=True)
    form = form_class(request.POST, org=roadmap.org)
    if form.is_valid():
        form.save()
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
    roadmap = get_for_member(request, ROADMAPS, pk=pk, write=True)
    get_for_member(request, TimeOff, pk=row_pk, write=True).delete()
    messages.success(request, "Time off removed.")
    return redirect(reverse("roadmap:roadmap_capacity", args=[roadmap.pk]) + "#time-off")


@member_required(write=True)
@require_POST
def availability_delete(request: AuthedRequest, pk: int, row_pk: int) -> HttpResponse:
    roadmap = get_for_member(request, ROADMAPS, pk=pk, write=True)
    get_for_member(request, SmeAvailability, pk=row_pk, write=True).delete()
    messages.success(request, "Availability window removed.")
    return redirect(reverse("roadmap:roadmap_capacity", args=[roadmap.pk]) + "#availability")


# Timeline ---------------------------------------------------------------------------------


@member_required
@require_GET
def roadmap_timeline(request: AuthedRequest, pk: int) -> HttpResponse:
    """The Gantt, filtered by owner, priority and status (a GET form: htmx swaps the
    figure, and without JavaScript the page reloads with the same filters)."""
    roadmap = get_for_member(request, ROADMAPS, pk=pk)
    data = load_plan(roadmap)
    form = TimelineFilterForm(request.GET or None, roadmap=roadmap)
    initiatives = form.filter(data.initiatives) if form.is_bound else data.initiatives
    rows = data.timeline_rows(initiatives)
    shown = {row.ref for row in rows}
    dependencies = [
        dep
        for dep in data.dependencies
        if (dep.kind, dep.predecessor_id) in shown and (dep.kind, dep.successor_id) in shown
    ]
    figure = timeline.timeline_figure(
        rows,
        data.cycle_spans,
        data.events,
        timezone.localdate(),
        colour_by=form.colour_by if form.is_bound else "status",
        dependencies=dependencies,
    )
    context = {
        "roadmap": roadmap,
        "phase": PHASE,
        "form": form,
        "rows": rows,
        "table": [(row, STATUS_LABELS.get(row.status, row.status)) for row in rows],
        "figure": figure,
        "initiative_count": len(initiatives),
        "events": [e for e in data.events if any(e.occurrences(*_period(roadmap)))],
    }
    template = page_or_partial(request, "roadmap/timeline.html", "timeline")
    if request.htmx.history_restore_request:
        # Back to a pushed filter URL: htmx wants the whole page.
        template = "roadmap/timeline.html"
    return render(request, template, context)


def _period(roadmap: Roadmap):
    return roadmap.period_start, roadmap.period_end


# Calendar feeds ---------------------------------------------------------------------------


def _feeds_context(request: AuthedRequest, **extra) -> dict:
    roadmap_pk = request.GET.get("roadmap") or request.POST.get("roadmap")
    roadmap = (
        Roadmap.objects.for_org(request.org).filter(pk=roadmap_pk).first()
        if roadmap_pk and roadmap_pk.isdigit()
        else None
    )
    context = {
        "roadmap": roadmap,
        "feeds": list(CalendarFeed.objects.for_org(request.org).filter(user=request.user)),
        "feed_form": CalendarFeedForm(),
        "phase": PHASE,
    }
    context.update(extra)
    return context


@member_required
@require_GET
def calendar_feeds(request: AuthedRequest) -> HttpResponse:
    """The member's own feeds. Viewers have them too: a feed only reads."""
    return render(request, "roadmap/feed_list.html", _feeds_context(request))


@member_required
@require_POST
def calendar_feed_create(request: AuthedRequest) -> HttpResponse:
    form = CalendarFeedForm(request.POST)
    if not form.is_valid():
        context = _feeds_context(request, feed_form=form)
        return render(request, "roadmap/feed_list.html", context, status=400)
    feed, token = CalendarFeed.issue(
        org=request.org, user=request.user, label=form.cleaned_data["label"]
    )
    url = request.build_absolute_uri(reverse("roadmap:calendar_feed", args=[token]))
    context = _feeds_context(request, new_feed=feed, new_url=url)
    response = render(request, "roadmap/feed_list.html", context)
    # The page holding a secret must not be cached anywhere.
    response["Cache-Control"] = "no-store"
    return response


@member_required
@require_POST
def calendar_feed_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    feed = get_for_member(request, CalendarFeed.objects.filter(user=request.user), pk=pk)
    feed.revoke()
    messages.success(request, "The feed is revoked: calendars subscribed to it stop updating.")
    roadmap_pk = request.POST.get("roadmap", "")
    query = f"?roadmap={roadmap_pk}" if roadmap_pk.isdigit() else ""
    return redirect(reverse("roadmap:calendar_feeds") + query)


def feed_rate() -> str:
    """Calendar apps poll every few hours; 60 a minute per address stops token guessing.
    `CALENDAR_FEED_RATE` in the settings overrides it."""
    return settings.CALENDAR_FEED_RATE


@require_GET
@never_cache
@ratelimit(key="ip", rate=lambda group, request: feed_rate(), block=True)
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar behind a secret URL: stage milestones of every roadmap of the member's
    organisation and its business calendar. No session: the token is the credential."""
    feed = CalendarFeed.find_active(token)
    if feed is None:
        raise Http404("No such feed.")
    feed.mark_used()
    stages = (
        Stage.objects.for_org(feed.org)
        .select_related("initiative", "assignee")
        .order_by("start", "pk")
    )
    milestones = [
        ical.Milestone(
            stage_id=stage.pk,
            summary=f"{stage.initiative.title} · {stage.get_kind_display()}",
            start=stage.start,
            end=stage.end,
            description="\n".join(
                line
                for line in (
                    f"Status: {stage.get_status_display()}",
                    f"Assignee: {stage.assignee.name}" if stage.assignee else "",
                    f"Good enough: {stage.good_enough}" if stage.good_enough else "",
                )
                if line
            ),
            url=request.build_absolute_uri(
                reverse("roadmap:initiative_plan", args=[stage.initiative_id])
            ),
        )
        for stage in stages
    ]
    body = ical.build_feed(f"{feed.org.name} roadmap", milestones, calendar_events(feed.org))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="roadmap.ics"'
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
