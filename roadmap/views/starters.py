"""Start from a template, and the "Getting started" checklist's dismissal."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from roadmap.forms.starters import StarterForm
from roadmap.starters import StarterConflict, load_starter, starters
from roadmap_site.access import AuthedRequest, member_required


@member_required(write=True)
def starter_choose(request: AuthedRequest) -> HttpResponse:
    """Load a template into the organisation (measured well under a second: synchronous)."""
    form = StarterForm(request.POST or None, org=request.org)
    if request.method == "POST" and form.is_valid():
        starter = form.chosen()
        if starter is None:
            messages.success(request, "Blank it is: start with a roadmap or your strategy.")
            return redirect("roadmap:roadmap_list")
        try:
            loaded = load_starter(
                starter,
                org=request.org,
                fiscal_year=form.cleaned_data["fiscal_year"],
                by=request.user,
            )
        except StarterConflict as error:
            form.add_error("starter", str(error))
        else:
            messages.success(
                request,
                f"“{loaded.roadmap.title}” is ready with its strategy, KPIs and requests. "
                "Rename the placeholder people under People, then share it.",
            )
            return redirect("roadmap:roadmap_detail", pk=loaded.roadmap.pk)
    context = {"starter_form": form, "starters": starters().values()}
    return render(request, "roadmap/starter_form.html", context, status=400 if form.errors else 200)


@member_required(write=True)
@require_POST
def getting_started_dismiss(request: AuthedRequest) -> HttpResponse:
    request.org.getting_started_dismissed = True
    request.org.save(update_fields=["getting_started_dismissed"])
    return redirect("roadmap:roadmap_list")
