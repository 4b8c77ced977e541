"""Learner engagement pages: every program's last month at a glance, and one program's
months with its chart, its settings and entry by hand.

The pages read the monthly rollup (`ProgramMonth`) and the eligible counts, never the
events: a fixed number of queries however many events, months or programs.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from measurement import charts, engagement
from measurement.forms.engagement import (
    EligibleForm,
    EngagementFilterForm,
    LearnerEventForm,
    ProgramSettingsForm,
)
from measurement.models import Program
from roadmap_site import cache
from roadmap_site.access import AuthedRequest, get_for_member, member_required

PROGRAMS_PER_PAGE = 25


@member_required
@require_GET
def engagement_overview(request: AuthedRequest) -> HttpResponse:
    """Every measured program with its last complete month: active learner rate,
    completion beside it, eligible learners and a badge when the rate is declining."""
    org = request.org
    today = org.today()
    last = engagement.last_complete_month(today)
    filters = EngagementFilterForm(request.GET)
    filters.is_valid()  # unknown or overlong input is dropped, never an error page
    wanted = filters.cleaned_data if filters.is_bound else {}
    # The last three months' figures are cached under the organisation's version (every
    # write of events, eligible learners or what counts bumps it); which programs exist and
    # their thresholds are read live, so a deleted program's cached figures are ignored.
    rates = cache.get_or_build(
        cache.key("engagement-rates", org.pk, org.version, last),
        lambda: engagement.recent_rates(org, today),
    )
    declining = engagement.declines(org, today, rates)
    programs = Program.objects.for_org(org).select_related("initiative")
    if wanted.get("q"):
        programs = programs.filter(initiative__title__icontains=wanted["q"])
    if wanted.get("declining"):
        programs = programs.filter(pk__in=declining)
    page = Paginator(programs, PROGRAMS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for program in page:
        months = {m.month: m for m in rates.get(program.pk, [])}
        rows.append(
            {
                "program": program,
                "month": months.get(last) or engagement.MonthRate(month=last),
                "decline": declining.get(program.pk),
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "rows": rows,
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "last": last,
        "declining_count": len(declining),
        "rule": engagement.ENGAGEMENT_RULE,
        "decline_rule": engagement.DECLINE_RULE,
    }
    # The rendering is cached under a digest of everything it prints (no form token in
    # it: the filters are a GET form), so it cannot be stale and no write invalidates it.
    shown = (
        last,
        request.GET.urlencode(),
        page.number,
        page.paginator.count,
        len(declining),
        [(program.pk, program.initiative.title) for program in page],
        [(row["month"], row["decline"]) for row in rows],
    )
    key = cache.key("engagement-body", org.pk, hashlib.sha256(repr(shown).encode()).hexdigest())
    body = cache.get_or_build(
        key, lambda: render_to_string("measurement/engagement.html#body", context, request)
    )
    return render(request, "measurement/engagement.html", {"body": mark_safe(body)})  # noqa: S308


def program_months(program: Program, last: date) -> tuple[list[engagement.MonthRate], dict | None]:
    """The program's months and the chart of those up to `last` (the month under way
    would read as a fall), cached under the organisation's version, which every write of
    events, eligible learners or what counts bumps."""

    def build() -> tuple[list[engagement.MonthRate], dict | None]:
        months = engagement.monthly_rates(program)
        complete = [m for m in months if m.month <= last]
        return months, charts.engagement_trend(complete) if complete else None

    key = cache.key("program-months", program.pk, program.org.version, last)
    return cache.get_or_build(key, build)


def program_context(request: AuthedRequest, program: Program, **forms) -> dict:
    """The program page: its months and chart (two queries, or none from the cache), and
    the three forms."""
    today = request.org.today()
    last = engagement.last_complete_month(today)
    months, chart = program_months(program, last)
    by_month = {m.month: m for m in months}
    zone_now = timezone.now().astimezone(request.org.zone)
    return {
        "program": program,
        "months": list(reversed(months)),
        "last": by_month.get(last) or engagement.MonthRate(month=last),
        "decline": engagement.decline(months, share=program.decline_share, last=last),
        "chart": chart,
        "rule": engagement.ENGAGEMENT_RULE,
        "decline_rule": engagement.DECLINE_RULE,
        "settings_form": forms.get("settings_form") or ProgramSettingsForm.for_program(program),
        "event_form": forms.get("event_form")
        or LearnerEventForm(
            initial={"occurred_at": zone_now.replace(second=0, microsecond=0, tzinfo=None)}
        ),
        "eligible_form": forms.get("eligible_form")
        or EligibleForm(initial={"month": f"{last:%Y-%m}"}),
    }


def _program(request: AuthedRequest, pk: int) -> Program:
    return get_for_member(request, Program.objects.select_related("initiative", "org"), pk=pk)


@member_required
@require_GET
def program_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The page's body cached under all it shows: the program's own fields and its
    initiative's title (a rename bumps no organisation version), the organisation's
    version (every write of events, eligible learners or what counts bumps it), the day,
    whether the reader may write and the minute the event form offers."""
    program = _program(request, pk)
    org = request.org
    shown = [getattr(program, field.attname) for field in Program._meta.concrete_fields]
    minute = timezone.now().astimezone(org.zone).strftime("%Y-%m-%dT%H:%M")
    key = cache.key(
        "program-page", program.pk, org.version, org.today(), request.membership.can_write,
        minute, program.initiative.title, repr(shown),
    )  # fmt: skip
    body = cache.render_fragment(
        request, key, "measurement/program.html#body", lambda: program_context(request, program)
    )
    return render(request, "measurement/program.html", {"program": program, "body": body})


def _refused(request: AuthedRequest, program: Program, **forms) -> HttpResponse:
    """The page again with the form's errors; nothing was written."""
    context = program_context(request, program, **forms)
    return render(request, "measurement/program.html", context, status=400)


@member_required(write=True)
@require_POST
def program_settings(request: AuthedRequest, pk: int) -> HttpResponse:
    program = _program(request, pk)
    form = ProgramSettingsForm.for_program(program, request.POST)
    if not form.is_valid():
        return _refused(request, program, settings_form=form)
    try:
        changed = engagement.update_program(
            program=program,
            qualifying_events=form.cleaned_data["qualifying_events"],
            completion_event=form.cleaned_data["completion_event"],
            decline_share=form.decline_share,
        )
    except engagement.EngagementError as error:
        form.add_error(None, str(error))
        return _refused(request, program, settings_form=form)
    messages.success(
        request, "Saved; every month was recounted." if changed else "Nothing changed."
    )
    return redirect(reverse("measurement:program_detail", args=[program.pk]) + "#months-h")


@member_required(write=True)
@require_POST
def program_event(request: AuthedRequest, pk: int) -> HttpResponse:
    program = _program(request, pk)
    form = LearnerEventForm(request.POST)
    # A time typed into the form is on the organisation's clock.
    with timezone.override(request.org.zone):
        valid = form.is_valid()
    if not valid:
        return _refused(request, program, event_form=form)
    result = engagement.record_events(program=program, events=[form.cleaned_data], org=request.org)
    if result.rejected:
        form.add_error(None, result.rejected[0].reason)
        return _refused(request, program, event_form=form)
    month = engagement.month_of(form.cleaned_data["occurred_at"], request.org.zone)
    messages.success(
        request,
        "Event recorded."
        if result.written
        else "That event was already recorded; nothing changed.",
    )
    return redirect(
        reverse("measurement:program_detail", args=[program.pk]) + f"#month-{month:%Y-%m}"
    )


@member_required(write=True)
@require_POST
def program_eligible(request: AuthedRequest, pk: int) -> HttpResponse:
    program = _program(request, pk)
    form = EligibleForm(request.POST)
    if not form.is_valid():
        return _refused(request, program, eligible_form=form)
    month = form.cleaned_data["month"]
    _, changed = engagement.set_eligible(
        program=program, month=month, count=form.cleaned_data["count"]
    )
    messages.success(
        request,
        f"Eligible learners for {month:%B %Y} saved." if changed else "Nothing changed.",
    )
    return redirect(
        reverse("measurement:program_detail", args=[program.pk]) + f"#month-{month:%Y-%m}"
    )


@member_required(write=True)
@require_POST
def program_start(request: AuthedRequest, initiative_id: int) -> HttpResponse:
    """Start measuring an initiative: its program, created on first use. The initiative
    is found through the program's foreign key, scoped to the member's organisation
    (measurement does not import the roadmap)."""
    initiatives = Program._meta.get_field("initiative").related_model
    assert isinstance(initiatives, type)
    if not initiatives._default_manager.filter(org=request.org, pk=initiative_id).exists():
        raise Http404("No such initiative in this organisation.")
    program, created = Program.objects.get_or_create(
        initiative_id=initiative_id, defaults={"org_id": request.org.pk}
    )
    if created:
        cache.bump_org(request.org)  # the overview lists it now
    return redirect("measurement:program_detail", pk=program.pk)
