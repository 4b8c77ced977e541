"""Iterate pages: the evidence and decisions of a roadmap's initiatives, one initiative's
evidence panel with its decisions, and the quarterly review with its roadmap diff.

The evidence is worked out by `roadmap.iterate` in a fixed number of queries per page of
initiatives; a decision stores the panel it rested on and is shown from that snapshot.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from roadmap import iterate
from roadmap.forms.iterate import DecisionForm, ReviewForm
from roadmap.models import Decision, Initiative, Roadmap, RoadmapReview
from roadmap_site.access import AuthedRequest, get_for_member, member_required, require_write

INITIATIVES_PER_PAGE = 50
REVIEWS_SHOWN = 8


@member_required
@require_GET
def roadmap_iterate(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every commitment (and stopped initiative) with its evidence in one line, the panel
    behind it, and its latest decision; the roadmap's quarterly reviews."""
    roadmap = get_for_member(request, Roadmap, pk=pk)
    today = request.org.today()
    page = Paginator(iterate.iterate_initiatives(roadmap), INITIATIVES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    initiatives = list(page)
    panels = iterate.evidence_panels(request.org, initiatives, today)
    latest = {
        d.initiative_id: d
        for d in Decision.objects.filter(initiative__in=[i.pk for i in initiatives])
        .latest_per_initiative()
        .select_related("decided_by")
    }
    reviews = list(roadmap.reviews.select_related("reviewed_by").defer("snapshot")[:REVIEWS_SHOWN])
    context = {
        "roadmap": roadmap,
        "phase": "iterate",
        "page": page,
        "rows": [
            {"initiative": i, "panel": panels[i.pk], "decision": latest.get(i.pk)}
            for i in initiatives
        ],
        "reviews": reviews,
        "last_review": reviews[0] if reviews else None,
        "pending": roadmap.decisions.pending().count(),
        "today": today,
    }
    return render(request, "roadmap/iterate.html", context)


@member_required
@require_http_methods(["GET", "POST"])
def initiative_iterate(request: AuthedRequest, pk: int) -> HttpResponse:
    """One initiative's evidence panel, its decisions (each shown from the evidence it
    rested on) and, for writers, the form to decide."""
    initiative = get_for_member(
        request, Initiative.objects.for_ledger().select_related("roadmap"), pk=pk
    )
    if request.method == "POST":
        require_write(request)
    roadmap = initiative.roadmap
    panel = iterate.evidence_panels(request.org, [initiative], request.org.today())[pk]
    digest = iterate.evidence_digest(panel)
    form = DecisionForm(request.POST or None, digest=digest)
    if request.method == "POST" and form.is_valid():
        try:
            decision = iterate.record_decision(
                initiative=initiative,
                kind=form.cleaned_data["kind"],
                rationale=form.cleaned_data["rationale"],
                learnings=form.cleaned_data["learnings"],
                evidence=panel,
                by=request.user,
            )
        except iterate.DecisionRefused as refused:
            if hasattr(refused, "error_dict"):
                for name, errors in refused.message_dict.items():
                    form.add_error(name, errors)
            else:
                form.add_error(None, refused.messages)
        else:
            messages.success(
                request, f"“{initiative.title}”: {decision.get_kind_display().lower()} recorded."
            )
            return redirect(reverse("roadmap:roadmap_iterate", args=[roadmap.pk]) + f"#i{pk}")
    context = {
        "roadmap": roadmap,
        "phase": "iterate",
        "initiative": initiative,
        "panel": panel,
        "form": form,
        "decisions": list(initiative.decisions.select_related("decided_by", "review")),
    }
    return render(
        request, "roadmap/iterate_initiative.html", context, status=400 if form.errors else 200
    )


@member_required
@require_http_methods(["GET", "POST"])
def review_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """The quarterly review: the roadmap now against its last review (the diff, the
    decisions since), and the form that freezes it."""
    roadmap = get_for_member(request, Roadmap.objects.select_related("org"), pk=pk)
    if request.method == "POST":
        require_write(request)
    today = request.org.today()
    form = ReviewForm(request.POST or None, org=request.org, today=today)
    if request.method == "POST" and form.is_valid():
        review = iterate.run_review(
            roadmap=roadmap,
            by=request.user,
            quarter_start=form.quarter_start,
            notes=form.cleaned_data["notes"],
        )
        messages.success(request, f"{review.quarter_label} review recorded.")
        return redirect("roadmap:review_detail", pk=review.pk)
    last = roadmap.reviews.order_by("-reviewed_at", "-pk").first()
    after = iterate.live_snapshot(roadmap, last)
    context = {
        "roadmap": roadmap,
        "phase": "iterate",
        "form": form,
        "last_review": last,
        "diff": iterate.roadmap_diff(last.snapshot if last else None, after),
        "state": iterate.snapshot_rows(after),
    }
    return render(
        request, "roadmap/iterate_review.html", context, status=400 if form.errors else 200
    )


@member_required
@require_GET
def review_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A held review: its notes, decisions and the diff with the review before it, all
    from the frozen snapshots. Printable."""
    review = get_for_member(
        request, RoadmapReview.objects.select_related("roadmap", "reviewed_by"), pk=pk
    )
    context = {
        "roadmap": review.roadmap,
        "phase": "iterate",
        "review": review,
        "diff": iterate.review_diff(review),
        "state": iterate.snapshot_rows(review.snapshot),
    }
    return render(request, "roadmap/iterate_review_detail.html", context)
