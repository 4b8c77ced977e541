"""Plan: what does the work look like over time? Stages per initiative, sequencing in a
cycle, SMEs, dependencies, warnings and their acknowledgements, and the timeline. Capacity
and calendar feeds have modules of their own."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from functools import partial
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, models, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from roadmap import timeline
from roadmap.forms import (
    AcknowledgeForm,
    InitiativeDependencyForm,
    InitiativePlanForm,
    MoveForm,
    ShiftStagesForm,
    SmeForm,
    SmeInvolvedForm,
    StageDependencyForm,
    StageForm,
    TimelineFilterForm,
    UnacknowledgeForm,
)
from roadmap.models import (
    Initiative,
    InitiativeDependency,
    InitiativeStatus,
    Roadmap,
    SmeAssignment,
    Stage,
    StageDependency,
    StageStatus,
)
from roadmap.plan_data import DescribedWarnings, PlanData, day, load_plan, load_timeline
from roadmap_site import cache
from roadmap_site.access import AuthedRequest, get_for_member, member_required, require_write
from roadmap_site.partials import page_or_partial

PHASE = "plan"
STATUS_LABELS = {**dict(InitiativeStatus.choices), **dict(StageStatus.choices)}


def roadmaps_with_org() -> models.QuerySet[Roadmap]:
    """The pages read the organisation (business calendar, people) of the roadmap they show.

    A function, not a module constant: a queryset built at import has no organisation scope.
    """
    return Roadmap.objects.select_related("org")


# The plan of a roadmap ---------------------------------------------------------------------


# A page of warnings; a plan of more initiatives than this shows one cycle at a time.
WARNINGS_PER_PAGE = 25
ONE_CYCLE_ABOVE = 40


def _plan_context(
    roadmap: Roadmap,
    data: PlanData | None = None,
    *,
    ack_form: AcknowledgeForm | None = None,
    warnings_page: str | None = None,
    cycle: str | int | None = None,
    **extra,
) -> dict:
    """The plan page. `ack_form` is a refused acknowledgement: its warning shows it, with
    the errors, in place of an empty form. A big plan shows a page of warnings
    (`warnings_page`) and the initiatives of one cycle (`cycle`, a pk or "none")."""
    data = data or load_plan(roadmap)
    # Keys and what describes each: only the page shown is put in words.
    sources = data.warning_sources
    open_sources = [s for s in sources if s[0] not in data.acknowledgements]
    acknowledged_sources = [s for s in sources if s[0] in data.acknowledgements]
    every_warning = open_sources + acknowledged_sources  # acknowledged ones last, muted
    refused_key = ack_form.data.get("key") if ack_form is not None else None
    if refused_key is not None and warnings_page is None:
        # The refused warning's page, so that its error shows.
        keys = [key for key, _ in every_warning]
        if refused_key in keys:
            warnings_page = str(keys.index(refused_key) // WARNINGS_PER_PAGE + 1)
    page = Paginator(every_warning, WARNINGS_PER_PAGE).get_page(warnings_page)
    warnings = data.describe(page.object_list)
    warning_forms = []
    for index, warning in enumerate(warnings, start=1):
        form: AcknowledgeForm | UnacknowledgeForm
        if warning.acknowledgement is not None:
            form = UnacknowledgeForm.for_warning(warning.key, index)
        elif ack_form is not None and warning.key == refused_key:
            # Bound again with this warning's ids: error ids are fixed when a form validates.
            form = AcknowledgeForm(ack_form.data, auto_id=AcknowledgeForm.auto_id_for(index))
        else:
            form = AcknowledgeForm.for_warning(warning.key, index)
        warning_forms.append((warning, form))
    sequenced = data.sequenced()
    cycles = [(str(entry["cycle"].pk if entry["cycle"] else "none"), entry) for entry in sequenced]
    one_cycle = len(data.initiatives) > ONE_CYCLE_ABOVE
    shown_cycle = None
    if one_cycle and cycles:
        shown_cycle = next((key for key, _ in cycles if key == str(cycle)), None)
        if shown_cycle is None:  # the first cycle with initiatives
            shown_cycle = next((key for key, entry in cycles if entry["count"]), cycles[0][0])
        sequenced = [entry for key, entry in cycles if key == shown_cycle]
    context = {
        "roadmap": roadmap,
        "phase": PHASE,
        "plan": data,
        "sequenced": sequenced,
        # A big plan: links to each cycle's initiatives, (key, cycle or None, count, shown).
        "cycle_tabs": [
            (key, entry["cycle"], entry["count"], key == shown_cycle) for key, entry in cycles
        ]
        if one_cycle
        else [],
        "shown_cycle": shown_cycle,
        "warnings": warnings,
        "warnings_page": page,
        # (warning, its form) in the order of `warnings`: an AcknowledgeForm for an open
        # warning, an UnacknowledgeForm ("Reopen") for an acknowledged one.
        "warning_forms": warning_forms,
        # Counted on the page; described when read (tests, a share of them in words).
        "open_warnings": DescribedWarnings(data, open_sources),
        "acknowledged": DescribedWarnings(data, acknowledged_sources),
        "ack_error": refused_key,
        "ack_form": ack_form,
    }
    context.update(extra)
    return context


@member_required
@require_GET
def roadmap_plan(request: AuthedRequest, pk: int) -> HttpResponse:
    """The plan. htmx asks for pieces of it: one initiative's stages (`stages=<pk>`, when
    its summary is opened), a page of warnings, or a cycle's initiatives."""
    roadmap = get_for_member(request, roadmaps_with_org(), pk=pk)
    if request.htmx and "stages" in request.GET:
        initiative = get_for_member(
            request, roadmap.initiatives.all(), pk=_int_or_404(request.GET["stages"])
        )
        stages = initiative.stages.select_related("assignee").order_by("position", "pk")
        context = {"i": initiative, "stages": list(stages)}
        return render(request, "roadmap/plan.html#stage-strip", context)
    warnings_page = _page_param(request.GET.get("warnings"))
    cycle = _page_param(request.GET.get("cycle"), also=("none",))
    built: list[dict] = []  # the plan is loaded once, and only on a cache miss

    def plan_context() -> dict:
        if not built:
            data = load_plan(roadmap, cached=True)
            context = _plan_context(roadmap, data, warnings_page=warnings_page, cycle=cycle)
            built.append(_with_cached_items(request, context))
        return built[0]

    def fragment(name: str, *parts: object) -> SafeString:
        key = cache.key(
            "plan", name, roadmap.pk, roadmap.version, roadmap.org.version,
            request.membership.can_write, *parts,
        )  # fmt: skip
        # Rebuilt after any change of the roadmap, the page of warnings is rendered again
        # only when what it shows changed: after a rename elsewhere it is read back.
        content_key = None
        if name == "warnings":
            content_key = partial(_warnings_key, can_write=request.membership.can_write)
        return cache.render_fragment(
            request, key, f"roadmap/plan.html#{name}", plan_context, content_key=content_key
        )

    if request.htmx and "warnings" in request.GET:
        return HttpResponse(fragment("warnings", warnings_page))
    if request.htmx and "cycle" in request.GET:
        return HttpResponse(fragment("sequence", cycle))
    page = {
        "roadmap": roadmap,
        "phase": PHASE,
        "warnings_html": fragment("warnings", warnings_page),
        "sequence_html": fragment("sequence", cycle),
    }
    return render(request, "roadmap/plan.html", page)


# Bump when the warnings partial changes what it prints for the same warnings.
WARNINGS_VERSION = 1


def _warnings_key(context: dict, *, can_write: bool) -> str:
    """A key naming what a page of warnings shows: each warning's words, the initiative it
    links to, its shift offer and acknowledgement, its place, and the counts and pager."""
    page = context["warnings_page"]
    shown = (
        context["roadmap"].pk,
        can_write,
        page.number,
        page.paginator.count,
        len(context["open_warnings"]),
        len(context["acknowledged"]),
        [
            (
                w.key, w.category, w.text, str(form["key"].value()),
                (w.initiative.pk, w.initiative.title) if w.initiative else None,
                (w.shift.days, w.shift.first_start, w.shift.label) if w.shift else None,
                (str(w.acknowledgement.by), w.acknowledgement.at, w.acknowledgement.note)
                if w.acknowledgement else None,
            )
            for w, form in context["warning_forms"]
        ],
    )  # fmt: skip
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()
    return cache.key("plan-warnings-page", WARNINGS_VERSION, digest)


# Bump when the plan-initiative partial changes what it prints for the same rows.
ITEM_VERSION = 1


def _item_digest(i: Initiative, group: dict, counter: int, context: dict, can_write: bool) -> str:
    """What one initiative of the sequence shows, as a digest: every column of its row, its
    owner's name, its stages (with their assignees' names), its place in its group, and
    the page's settings it reads."""
    stages = cast(Any, i).plan_stages  # set by load_plan
    shown = (
        context["roadmap"].pk,
        can_write,
        bool(context["cycle_tabs"]),
        group["label"],
        len(group["initiatives"]),
        counter,
        [(field.attname, getattr(i, field.attname)) for field in Initiative._meta.concrete_fields],
        i.owner.name if i.owner else None,
        [(stage, stage.assignee.name if stage.assignee else None) for stage in stages],
    )
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def _with_cached_items(request: AuthedRequest, context: dict) -> dict:
    """Each initiative of the shown sequence rendered once per digest of what it shows,
    read from the cache in one go: after a change, only the initiatives it touched (or
    moved) are rendered again. Their forms keep the CSRF placeholder, which the sequence
    fragment's response fills in."""
    can_write = request.membership.can_write
    builders: dict[str, Callable[[], str]] = {}
    for entry in context["sequenced"]:
        for group in entry["groups"]:
            for counter, i in enumerate(group["initiatives"], start=1):
                item = {
                    "i": i,
                    "group": group,
                    "first": counter == 1,
                    "last": counter == len(group["initiatives"]),
                    "counter": counter,
                    "roadmap": context["roadmap"],
                    "cycle_tabs": context["cycle_tabs"],
                    "membership": request.membership,
                    "csrf_token": cache.CSRF_PLACEHOLDER,
                }
                digest = _item_digest(i, group, counter, context, can_write)
                key = cache.key("plan-item", ITEM_VERSION, digest)
                builders[key] = partial(render_to_string, "roadmap/plan.html#plan-initiative", item)
                cast(Any, i).plan_html_key = key
    found = cache.get_or_build_many(builders)
    for entry in context["sequenced"]:
        for group in entry["groups"]:
            for i in group["initiatives"]:
                cast(Any, i).plan_html = mark_safe(found[cast(Any, i).plan_html_key])  # noqa: S308 (our template's output)
    return context


def _page_param(value: str | None, also: tuple[str, ...] = ()) -> str:
    """A page number or id from the address, or "" (the first) for anything else: what
    names a cache entry must not be whatever a visitor types."""
    if value is None or not (value in also or (value.isdigit() and len(value) <= 9)):
        return ""
    return value


def _int_or_404(value: str) -> int:
    if not value.isdigit() or len(value) > 10:
        raise Http404("No such initiative.")
    return int(value)


@member_required(write=True)
@require_POST
def initiative_move(request: AuthedRequest, pk: int) -> HttpResponse:
    """Up or down within its cycle's now / next / later group: a button, not a drag."""
    initiative = get_for_member(request, Initiative, pk=pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Move up or down.")
    initiative.move(up=form.up)
    roadmap = initiative.roadmap
    if request.htmx:
        cycle = initiative.cycle_id or "none"
        context = _plan_context(roadmap, moved=initiative.pk, cycle=cycle)
        return render(request, "roadmap/plan.html#sequence", context)
    url = reverse("roadmap:roadmap_plan", args=[roadmap.pk])
    return redirect(f"{url}?cycle={initiative.cycle_id or 'none'}#plan-{pk}")


@member_required(write=True)
@require_POST
def warning_acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, roadmaps_with_org(), pk=pk)
    data = load_plan(roadmap)
    form = AcknowledgeForm(request.POST, keys=(warning.key for warning in data.warnings))
    if form.has_error("key", "unknown"):
        return HttpResponseBadRequest("No such warning on this plan.")
    if form.is_valid():
        form.save(roadmap=roadmap, by=request.user)
        if request.htmx:
            context = _plan_context(roadmap, warnings_page=request.GET.get("warnings"))
            return render(request, "roadmap/plan.html#warnings", context)
        messages.success(request, "Warning acknowledged.")
        return redirect(reverse("roadmap:roadmap_plan", args=[roadmap.pk]) + "#warnings")
    context = _plan_context(roadmap, data, ack_form=form)
    if request.htmx:
        # A missing note is a normal answer: the warnings come back with the error.
        return render(request, "roadmap/plan.html#warnings", context)
    return render(request, "roadmap/plan.html", context, status=400)


@member_required(write=True)
@require_POST
def warning_unacknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, roadmaps_with_org(), pk=pk)
    form = UnacknowledgeForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Which warning?")
    form.save(roadmap=roadmap)
    if request.htmx:
        context = _plan_context(roadmap, warnings_page=request.GET.get("warnings"))
        return render(request, "roadmap/plan.html#warnings", context)
    messages.success(request, "The warning is open again.")
    return redirect(reverse("roadmap:roadmap_plan", args=[roadmap.pk]) + "#warnings")


@member_required(write=True)
@require_POST
def initiative_shift_stages(request: AuthedRequest, pk: int) -> HttpResponse:
    """ "Shift the stages by the same amount": the fix a stages-outside-the-cycle warning
    offers after the initiative moved to another cycle."""
    initiative = _initiative(request, pk)
    offer = load_plan(initiative.roadmap).shift_offer(initiative.pk)
    form = ShiftStagesForm(request.POST, offer=offer)
    if form.is_tampered:
        return HttpResponseBadRequest("Which shift?")
    try:
        moved = form.save(initiative=initiative, by=request.user) if form.is_valid() else 0
    except ValidationError as error:
        form.add_error(None, error)
    if form.errors:
        messages.error(request, " ".join(str(error) for error in form.non_field_errors()))
    elif offer is not None:
        messages.success(request, f"{moved} stage{pluralize(moved)} shifted by {offer.label}.")
    if form.cleaned_data.get("back") == "plan":
        return redirect(reverse("roadmap:roadmap_plan", args=[initiative.roadmap_id]) + "#warnings")
    return redirect(reverse("roadmap:initiative_plan", args=[pk]) + "#stages")


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


def _initiative(request: AuthedRequest, pk: int) -> Initiative:
    return get_for_member(request, Initiative.objects.select_related("roadmap__org"), pk=pk)


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
    initiative = _initiative(request, pk)
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


def _stage(request: AuthedRequest, pk: int) -> Stage:
    return get_for_member(request, Stage.objects.select_related("initiative__roadmap__org"), pk=pk)


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
    context: dict[str, Any] = {
        "stage": stage,
        "initiative": initiative,
        "roadmap": initiative.roadmap,
    }
    context.update({"form": form, "phase": PHASE})
    status = 400 if form.errors and not request.htmx else 200
    return render(request, template, context, status=status)


@member_required(write=True)
@require_POST
def stage_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    stage = _stage(request, pk)
    initiative = stage.initiative
    stage.delete()
    initiative.roadmap.touch()
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
    initiative = _initiative(request, pk)
    form = SmeForm(request.POST, initiative=initiative)
    if not form.is_valid():
        context = _initiative_context(initiative, sme_form=form)
        return render(request, "roadmap/plan_initiative.html", context, status=400)
    with transaction.atomic():
        SmeAssignment.objects.get_or_create(
            org=initiative.org,
            initiative=initiative,
            person=form.cleaned_data["person"],
            defaults={"involved_on": form.cleaned_data["involved_on"]},
        )
        initiative.roadmap.touch()
        cache.bump_org(request.org)  # SME engagement on the measurement dashboard
    messages.success(request, f"{form.cleaned_data['person']} is an SME of this initiative.")
    return redirect(reverse("roadmap:initiative_plan", args=[pk]) + "#smes")


@member_required(write=True)
@require_POST
def sme_involved(request: AuthedRequest, pk: int) -> HttpResponse:
    """Set or clear the day an SME was first involved."""
    assignment = get_for_member(
        request, SmeAssignment.objects.select_related("person", "initiative__roadmap"), pk=pk
    )
    form = SmeInvolvedForm(request.POST, instance=assignment)
    if not form.is_valid():
        initiative = _initiative(request, assignment.initiative_id)
        context = _initiative_context(initiative)
        context["involved_error_for"] = assignment.pk
        context["involved_error"] = form.errors["involved_on"][0]
        return render(request, "roadmap/plan_initiative.html", context, status=400)
    with transaction.atomic():
        form.save()
        assignment.initiative.roadmap.touch()
        cache.bump_org(request.org)  # SME engagement on the measurement dashboard
    messages.success(request, f"Saved when {assignment.person} was first involved.")
    return redirect(reverse("roadmap:initiative_plan", args=[assignment.initiative_id]) + "#smes")


@member_required(write=True)
@require_POST
def sme_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    assignment = get_for_member(
        request, SmeAssignment.objects.select_related("initiative__roadmap"), pk=pk
    )
    with transaction.atomic():
        assignment.delete()
        assignment.initiative.roadmap.touch()
        cache.bump_org(request.org)  # SME engagement on the measurement dashboard
    messages.success(request, f"{assignment.person} is no longer an SME of this initiative.")
    return redirect(reverse("roadmap:initiative_plan", args=[assignment.initiative_id]) + "#smes")


@member_required(write=True)
@require_POST
def dependency_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """`kind=initiative`: this initiative waits for another; `kind=stage`: one of its
    stages waits for a stage of the roadmap. Finish-to-start either way."""
    initiative = _initiative(request, pk)
    kind = request.POST.get("kind")
    form: InitiativeDependencyForm | StageDependencyForm
    make: Callable[[dict[str, Any]], InitiativeDependency | StageDependency]
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
                initiative.roadmap.touch()
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
    dependency: InitiativeDependency | StageDependency
    if kind == "initiative":
        dependency = get_for_member(request, InitiativeDependency, pk=pk)
        initiative_id = dependency.successor_id
    elif kind == "stage":
        stage_dependency = get_for_member(
            request, StageDependency.objects.select_related("successor"), pk=pk
        )
        initiative_id = stage_dependency.successor.initiative_id
        dependency = stage_dependency
    else:
        raise Http404("No such dependency.")
    dependency.delete()
    Initiative.objects.select_related("roadmap").get(pk=initiative_id).roadmap.touch()
    messages.success(request, "Dependency removed.")
    return redirect(reverse("roadmap:initiative_plan", args=[initiative_id]) + "#dependencies")


# Timeline ---------------------------------------------------------------------------------


@member_required
@require_GET
def roadmap_timeline(request: AuthedRequest, pk: int) -> HttpResponse:
    """The Gantt, filtered by owner, priority and status (a GET form: htmx swaps the
    figure, and without JavaScript the page reloads with the same filters).

    A big timeline shows its initiatives; each opens on demand to show its stages (`open`
    in the address, so a link or Back keeps what was open). The figure and its table are
    cached under the roadmap's and the organisation's versions (roadmap_site/cache.py)."""
    roadmap = get_for_member(request, roadmaps_with_org(), pk=pk)
    form = TimelineFilterForm(request.GET or None, roadmap=roadmap)
    today = timezone.localdate()
    cache_key = cache.key(
        "timeline",
        roadmap.pk,
        roadmap.version,
        roadmap.org.version,
        today.isoformat(),
        _filter_state(form),
        request.membership.can_write,
    )
    section = cache.get_or_build(
        cache_key,
        lambda: _timeline_section(roadmap, form, today, can_write=request.membership.can_write),
    )
    if request.htmx and not request.htmx.history_restore_request:
        return HttpResponse(section)
    context = {"roadmap": roadmap, "phase": PHASE, "form": form}
    context["timeline_section"] = mark_safe(section)  # noqa: S308 (our own template's output)
    # Back to a pushed filter URL (a history restore) wants the whole page too.
    return render(request, "roadmap/timeline.html", context)


def _filter_state(form: TimelineFilterForm) -> str:
    """The filters as the timeline applies them (an invalid form applies none), in one
    order: two addresses that show the same thing share a cache entry."""
    if not (form.is_bound and form.is_valid()):
        return ""
    state: list[tuple[str, Any]] = [("explicit", form.open_ids is not None)]
    for name, value in sorted(form.cleaned_data.items()):
        if isinstance(value, list):
            value = ",".join(map(str, value))
        state.append((name, getattr(value, "pk", value) or ""))
    return urlencode(state)


def _filters_query(form: TimelineFilterForm) -> str:
    """The filters that choose initiatives, for the download links (roadmap/views/downloads.py)."""
    if not (form.is_bound and form.is_valid()):
        return ""
    chosen = {name: form.data.get(name, "") for name in ("owner", "priority", "status")}
    return urlencode({name: value for name, value in chosen.items() if value})


def _timeline_section(roadmap: Roadmap, form: TimelineFilterForm, today, *, can_write: bool) -> str:
    """The figure and its table, as HTML: nothing in it depends on who looks."""
    initiatives: models.QuerySet[Initiative] = roadmap.initiatives.all()
    if form.is_bound:
        initiatives = form.filter(initiatives)
    data = load_timeline(roadmap, initiatives, form.open_ids if form.is_bound else None)
    rows = data.rows()
    figure = timeline.timeline_figure(
        rows,
        data.cycles,
        data.events,
        today,
        colour_by=form.colour_by if form.is_bound else "status",
        dependencies=data.dependencies,
    )
    base = reverse("roadmap:roadmap_timeline", args=[roadmap.pk])
    query = form.data.copy() if isinstance(form.data, QueryDict) else QueryDict(mutable=True)
    counts = {i.pk: cast(Any, i).stage_count for i in data.initiatives}  # annotated

    def toggle(row) -> dict | None:
        if row.kind != "initiative" or not counts[row.id]:
            return None
        is_open = row.id in data.open_ids
        opened = data.open_ids - {row.id} if is_open else data.open_ids | {row.id}
        query.setlist("open", [str(i) for i in sorted(opened)] or [""])
        return {"url": f"{base}?{query.urlencode()}", "open": is_open, "count": counts[row.id]}

    context = {
        "roadmap": roadmap,
        "filters_query": _filters_query(form),
        "rows": rows,
        # The table's rows built here, not by a template loop: at 500 initiatives the loop
        # was most of the first view after a change (see `_table_row`).
        "table_rows": mark_safe(  # noqa: S308 (every value escaped by `_table_row`)
            "\n".join(
                _table_row(
                    row,
                    STATUS_LABELS.get(row.status, row.status),
                    toggle(row),
                    day(row.start),
                    day(row.end),
                )
                for row in rows
            )
        ),
        "figure": figure,
        "initiative_count": len(data.initiatives),
        # The empty state's next step: counted only when the filters leave nothing.
        "roadmap_initiative_count": len(data.initiatives) or roadmap.initiatives.count(),
        "explicit": form.open_ids is not None if form.is_bound else False,
        # Writers see the next step in the empty state; the cache keeps both versions.
        "membership": {"can_write": can_write},
        "events": [e for e in data.events if any(e.occurrences(*_period(roadmap)))],
    }
    return render_to_string("roadmap/timeline.html#timeline", context)


def _table_row(row, status: str, toggle: dict | None, start: str, end: str) -> str:
    """One row of the timeline's table: an initiative (a heading, with the link that opens
    or closes its stages) or a stage. Every value goes through `esc`, which escapes as
    Django's autoescape does (the same five characters, the same entities) with
    `str.replace` rather than Django's slower `str.translate`: 500 rows of it add up."""
    label = esc(row.label)
    if row.kind == "initiative":
        link = ""
        if toggle:
            count, is_open = toggle["count"], toggle["open"]
            link = (
                f' <a href="{esc(toggle["url"])}" id="toggle-{esc(row.id)}"'
                f' class="stage-toggle small" aria-expanded="{"true" if is_open else "false"}">'
                f"{'Hide' if is_open else 'Show'} {esc(count)} stage{pluralize(count)}"
                f'<span class="visually-hidden"> of {label}</span></a>'
            )
        name = f'<th scope="row">{label}{link}</th>'
    else:
        name = f'<td class="indent">{label}</td>'
    return (
        f'<tr class="row-{esc(row.kind)}">\n        {name}\n'
        f"        <td>{esc(start)}</td><td>{esc(end)}</td>\n"
        f"        <td>{esc(status)}</td><td>{esc(row.owner or 'Unassigned')}</td>\n      </tr>"
    )


def esc(value: object) -> str:
    """Django's `escape` (tested equal), without its per-character `str.translate`."""
    return html.escape(str(value), quote=True)


def _period(roadmap: Roadmap):
    return roadmap.period_start, roadmap.period_end
