"""Leadership alignment: a quarter's figure, the seniors not met, the touchpoint log, and
adding, correcting and deleting touchpoints."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from measurement import alignment
from measurement.forms.alignment import QuarterForm, TouchpointForm
from measurement.models import Touchpoint
from roadmap_site.access import AuthedRequest, get_for_member, member_required, require_write

# How far back the quarter picker reaches.
PICKER_QUARTERS = 8


def _context(request: AuthedRequest, day: date, quarter_form: QuarterForm) -> dict:
    org = request.org
    figures = alignment.quarter_alignment(org, day)
    log = list(
        Touchpoint.objects.for_org(org)
        .between(figures.start, figures.end)
        .select_related("stakeholder")
    )
    return {
        "figures": figures,
        "log": log,
        "quarter_form": quarter_form,
        "rule": alignment.ALIGNMENT_RULE,
        "senior_rule": alignment.SENIOR_RULE,
        "is_current": figures.start <= org.today() <= figures.end,
    }


@member_required
@require_http_methods(["GET", "POST"])
def alignment_page(request: AuthedRequest) -> HttpResponse:
    """GET the quarter (`?quarter=` its first day, else the current one); POST logs a
    touchpoint (editors)."""
    org = request.org
    today = org.today()
    starts = alignment.quarter_starts(org, today, PICKER_QUARTERS)
    quarter_form = QuarterForm(request.GET or None, org=org, starts=starts)
    day = today
    if request.GET:
        if not quarter_form.is_valid():
            context = _context(request, today, quarter_form)
            context["form"] = TouchpointForm(org=org, initial={"date": today})
            return render(request, "measurement/alignment.html", context, status=400)
        day = quarter_form.day()
    form = TouchpointForm(request.POST or None, org=org, initial={"date": today})
    if request.method == "POST":
        require_write(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                touchpoint, created = alignment.record_touchpoint(
                    org=org,
                    stakeholder=data["stakeholder"],
                    day=data["date"],
                    forum=data["forum"],
                    notes=data["notes"],
                    created_by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"Touchpoint with {touchpoint.stakeholder} logged."
                    if created
                    else f"That touchpoint with {touchpoint.stakeholder} was already logged; "
                    "its notes are updated.",
                )
                start = org.fiscal_quarter_bounds(touchpoint.date)[0]
                query = f"?quarter={start.isoformat()}" if start in starts else ""
                return redirect(reverse("measurement:alignment") + query + "#log")
        context = _context(request, day, quarter_form)
        context["form"] = form
        return render(request, "measurement/alignment.html", context, status=400)
    context = _context(request, day, quarter_form)
    context["form"] = form
    return render(request, "measurement/alignment.html", context)


@member_required(write=True)
@require_http_methods(["GET", "POST"])
def touchpoint_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    touchpoint = get_for_member(request, Touchpoint.objects.select_related("stakeholder"), pk=pk)
    form = TouchpointForm(request.POST or None, instance=touchpoint, org=request.org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            alignment.change_touchpoint(
                touchpoint=touchpoint,
                stakeholder=data["stakeholder"],
                day=data["date"],
                forum=data["forum"],
                notes=data["notes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            touchpoint.refresh_from_db()
        else:
            messages.success(request, "Touchpoint saved.")
            return redirect(reverse("measurement:alignment") + "#log")
    return render(
        request,
        "measurement/touchpoint_form.html",
        {"form": form, "touchpoint": touchpoint},
        status=400 if form.errors else 200,
    )


@member_required(write=True)
@require_POST
def touchpoint_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    touchpoint = get_for_member(request, Touchpoint.objects.select_related("stakeholder"), pk=pk)
    alignment.delete_touchpoint(touchpoint=touchpoint)
    messages.success(request, f"Touchpoint with {touchpoint.stakeholder} deleted.")
    return redirect(reverse("measurement:alignment") + "#log")
