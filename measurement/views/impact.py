"""Impact pages: one program's evidence chain, NPS and ROI working with the forms to feed
them, and every program's NPS and ROI side by side.

Writes go through the record_* functions (what imports will call too); a refusal comes back
as the form's error. htmx posts get the page's data block back, with the errors in place.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import models
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from measurement import roi as roi_
from measurement import surveys
from measurement.chain import evidence_chain, program_kpis, record_evidence, remove_evidence
from measurement.charts import score_distribution
from measurement.forms.impact import BenefitForm, CostForm, EvidenceForm, ResponseForm
from measurement.models import Evidence, Program, RoiBenefit, RoiCost, SurveyResponse
from roadmap_site.access import AuthedRequest, get_for_member, member_required

RESPONSES_PER_PAGE = 10
KINDS = ("response", "benefit", "cost", "evidence")
# What each kind's remove button deletes: the program's rows of that model.
LINES: dict[str, type[models.Model]] = {
    "response": SurveyResponse,
    "benefit": RoiBenefit,
    "cost": RoiCost,
    "evidence": Evidence,
}
ADDED = {
    "response": "Response recorded.",
    "benefit": "Benefit line saved.",
    "cost": "Cost line saved.",
    "evidence": "Evidence saved.",
}


def _program(request: AuthedRequest, pk: int) -> Program:
    return get_for_member(request, Program.objects.select_related("initiative"), pk=pk)


def _forms(request: AuthedRequest) -> dict[str, Form]:
    today = request.org.today()
    return {
        "response": ResponseForm(initial={"responded_on": today}),
        "benefit": BenefitForm(),
        "cost": CostForm(),
        "evidence": EvidenceForm(initial={"recorded_on": today}, org=request.org),
    }


def _responses_page(request: AuthedRequest, program: Program) -> Page:
    return Paginator(
        program.responses.order_by("-responded_on", "-pk"), RESPONSES_PER_PAGE
    ).get_page(request.GET.get("page"))


def impact_context(
    request: AuthedRequest, program: Program, bound: dict[str, Form] | None = None
) -> dict[str, Any]:
    """The program's data block; a fixed number of queries however many rows."""
    responses = program.responses.all()
    score = surveys.nps(responses)
    result = roi_.roi(program)
    evidence = list(program.evidence.select_related("kpi"))
    chain = evidence_chain(
        program, nps=score, roi=result, evidence=evidence, kpis=list(program_kpis(program))
    )
    forms = _forms(request) if request.membership.can_write else {}
    forms.update(bound or {})
    return {
        "program": program,
        "chain": chain,
        "nps": score,
        "nps_rule": surveys.NPS_RULE,
        "distribution": score_distribution(surveys.distribution(responses)) if score.n else None,
        "responses": _responses_page(request, program),
        "roi": result,
        "roi_rule": roi_.ROI_RULE,
        "evidence": evidence,
        "forms": forms,
    }


@member_required
@require_GET
def program_impact(request: AuthedRequest, pk: int) -> HttpResponse:
    program = _program(request, pk)
    if request.htmx and request.htmx.target == "responses":
        # Paging through the comments: only the list changes.
        context = {"program": program, "responses": _responses_page(request, program)}
        return render(request, "measurement/program_impact.html#responses", context)
    return render(request, "measurement/program_impact.html", impact_context(request, program))


def _save(request: AuthedRequest, program: Program, kind: str, form: Form) -> None:
    """Hand the form's data to the record function; its refusals become form errors."""
    data, org = form.cleaned_data, request.org
    try:
        if kind == "response":
            surveys.record_response(org=org, program=program, **data)
        elif kind == "benefit":
            roi_.record_benefit(
                org=org,
                program=program,
                description=data["description"],
                amount=data["amount"],
                source=data["source"],
                isolation=data["isolation"] / Decimal(100),
                confidence=data["confidence"] / Decimal(100),
            )
        elif kind == "cost":
            roi_.record_cost(org=org, program=program, **data)
        else:
            record_evidence(org=org, program=program, **data)
    except ValidationError as error:
        form.add_error(None, error)


@member_required(write=True)
@require_POST
def impact_add(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404("No such kind of line.")
    program = _program(request, pk)
    form_class = {
        "response": ResponseForm,
        "benefit": BenefitForm,
        "cost": CostForm,
        "evidence": EvidenceForm,
    }[kind]
    extra = {"org": request.org} if kind == "evidence" else {}
    form = form_class(request.POST, **extra)
    if form.is_valid():
        _save(request, program, kind, form)
    if form.is_valid():  # still valid: the record function took it
        if request.htmx:
            return render(
                request,
                "measurement/program_impact.html#impact-data",
                impact_context(request, program),
            )
        messages.success(request, ADDED[kind])
        return redirect(reverse("measurement:program_impact", args=[program.pk]) + f"#{kind}-h")
    context = impact_context(request, program, {kind: form})
    if request.htmx:
        # A mistake is a normal answer: the block comes back with the form's errors.
        return render(request, "measurement/program_impact.html#impact-data", context)
    return render(request, "measurement/program_impact.html", context, status=400)


@member_required(write=True)
@require_POST
def impact_remove(request: AuthedRequest, pk: int, kind: str, line: int) -> HttpResponse:
    if kind not in KINDS:
        raise Http404("No such kind of line.")
    program = _program(request, pk)
    row = get_object_or_404(LINES[kind]._default_manager.filter(program=program), pk=line)
    if isinstance(row, SurveyResponse):
        surveys.remove_response(org=request.org, response=row)
    elif isinstance(row, Evidence):
        remove_evidence(org=request.org, evidence=row)
    else:
        assert isinstance(row, RoiBenefit | RoiCost)
        roi_.remove_line(org=request.org, line=row)
    if request.htmx:
        return render(
            request, "measurement/program_impact.html#impact-data", impact_context(request, program)
        )
    messages.success(request, "Removed.")
    return redirect(reverse("measurement:program_impact", args=[program.pk]) + f"#{kind}-h")


@member_required
@require_GET
def impact(request: AuthedRequest) -> HttpResponse:
    """Every program's NPS and ROI side by side, and the NPS of all responses pooled.

    Four queries however many programs: the programs, the NPS counts grouped by program,
    and the benefit and cost lines."""
    org = request.org
    programs = list(Program.objects.for_org(org).select_related("initiative"))
    by_program = surveys.nps_by_program(SurveyResponse.objects.for_org(org))
    rois = roi_.roi_by_program(org)
    rows = [
        (program, by_program.get(program.pk, surveys.Nps()), rois.get(program.pk, roi_.Roi()))
        for program in programs
    ]
    context = {
        "rows": rows,
        "pooled": surveys.pooled(by_program.values()),
        "combined": roi_.total(rois.values()),
        "nps_rule": surveys.NPS_RULE,
        "roi_rule": roi_.ROI_RULE,
    }
    return render(request, "measurement/impact.html", context)
