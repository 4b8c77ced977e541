"""KPI pages: the list by family, one KPI with its trend and status, values by hand.
htmx requests get a fragment of the same template."""

from __future__ import annotations

import hashlib
from functools import partial
from itertools import groupby

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from measurement import charts
from measurement.forms.kpis import KpiForm, KpiValueForm
from measurement.models import STATUS_RULE, Kpi, KpiFamily
from roadmap_site import cache
from roadmap_site.access import AuthedRequest, get_for_member, member_required


@member_required
def home(request: AuthedRequest) -> HttpResponse:
    """The KPI list, grouped by family, each with its latest value and status.

    The tables are cached under the organisation's version, which recording a value or
    saving a KPI bumps (roadmap_site/cache.py); they hold nothing that depends on who looks."""
    org = request.org
    tables = cache.get_or_build(cache.key("kpi-list", org.pk, org.version), lambda: _tables(org))
    context = {"tables": mark_safe(tables), "status_rule": STATUS_RULE}  # noqa: S308 (our template)
    return render(request, "measurement/home.html", context)


def _tables(org) -> str:
    """The KPI tables; each row from the cache when nothing it shows has changed, so the
    first view after one KPI's value is corrected renders that KPI's row only."""
    kpis = list(Kpi.objects.for_org(org).with_status())
    keys = {kpi.pk: _row_key(kpi) for kpi in kpis}
    rows = cache.get_or_build_many({keys[kpi.pk]: partial(_row, kpi) for kpi in kpis})
    families = [
        (KpiFamily(family), [mark_safe(rows[keys[kpi.pk]]) for kpi in group])  # noqa: S308 (our template's)
        for family, group in groupby(kpis, key=lambda k: k.family)
    ]
    context = {"families": families, "kpis": kpis}
    return render_to_string("measurement/home.html#tables", context).strip()  # "": no KPI


# Bump when the row's markup changes: a cache shared across a deploy must not serve old rows.
ROW_MARKUP = 1


def _row_key(kpi: Kpi) -> str:
    """Named by everything the row shows and its status is worked out from (the status
    reads only these: see `Kpi.assess`), so a changed KPI, value or owner is a new key and
    no write has to invalidate anything."""
    shown = (
        kpi.name, kpi.owner.name if kpi.owner else None, kpi.unit, kpi.direction, kpi.baseline,
        kpi.baseline_date, kpi.target, kpi.target_date, kpi.evidence_level, kpi.first_value_date,
        kpi.first_value, kpi.latest_value_id, kpi.latest_value_date, kpi.latest_value,
    )  # fmt: skip
    # repr, hashed: free text with ':' in it cannot run into the next field.
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()
    return cache.key("kpi-row", ROW_MARKUP, kpi.org_id, kpi.pk, digest)


def _row(kpi: Kpi) -> str:
    return render_to_string("measurement/home.html#kpi-row", {"kpi": kpi})


@member_required(write=True)
@require_http_methods(["GET", "POST"])
def kpi_create(request: AuthedRequest) -> HttpResponse:
    form = KpiForm(request.POST or None, org=request.org)
    if request.method == "POST" and form.is_valid():
        kpi = form.save()
        cache.bump_org(request.org)
        messages.success(request, f"“{kpi.name}” created. Record its first value below.")
        return redirect("measurement:kpi_detail", pk=kpi.pk)
    return render(
        request, "measurement/kpi_form.html", {"form": form}, status=400 if form.errors else 200
    )


@member_required(write=True)
@require_http_methods(["GET", "POST"])
def kpi_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    kpi = get_for_member(request, Kpi, pk=pk)
    form = KpiForm(request.POST or None, instance=kpi, org=request.org)
    if request.method == "POST" and form.is_valid():
        form.save()
        cache.bump_org(request.org)
        messages.success(request, f"“{kpi.name}” saved.")
        return redirect("measurement:kpi_detail", pk=kpi.pk)
    return render(
        request,
        "measurement/kpi_form.html",
        {"form": form, "kpi": kpi},
        status=400 if form.errors else 200,
    )


def kpi_context(kpi: Kpi, form: KpiValueForm | None = None) -> dict:
    """The KPI's data block: status, chart, values with their revisions, the entry form.

    A fixed number of queries however many values.
    """
    values = list(
        kpi.values.select_related("entered_by")
        .prefetch_related("revisions__history_user")
        .order_by("date", "segment")
    )
    overall = [v for v in values if not v.segment]
    assessment = kpi.assess(overall)
    return {
        "kpi": kpi,
        "values": list(reversed(values)),
        "assessment": assessment,
        "chart": charts.kpi_trend(kpi, values),
        "status_rule": STATUS_RULE,
        "value_form": form or KpiValueForm(initial={"date": timezone.localdate()}),
    }


def _detail_context(kpi: Kpi) -> dict:
    context = kpi_context(kpi)
    context["priorities"] = list(kpi.priorities.select_related("strategy"))
    return context


@member_required
@require_GET
def kpi_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The KPI. The page's body is rendered once per organisation version (recording a
    value, editing the KPI or a priority bumps it), day (the status and the form's date
    follow it) and reader role; htmx's request for the data block is answered fresh."""
    kpi = get_for_member(request, Kpi.objects.select_related("owner"), pk=pk)
    if request.htmx:
        return render(request, "measurement/kpi_detail.html#kpi-data", _detail_context(kpi))
    key = cache.key(
        "kpi", kpi.pk, request.org.version, timezone.localdate().isoformat(),
        request.membership.can_write,
    )  # fmt: skip
    body = cache.render_fragment(
        request, key, "measurement/kpi_detail.html#body", lambda: _detail_context(kpi)
    )
    return render(request, "measurement/kpi_detail.html", {"kpi": kpi, "body_html": body})


@member_required(write=True)
@require_POST
def kpi_value_record(request: AuthedRequest, pk: int) -> HttpResponse:
    kpi = get_for_member(request, Kpi.objects.select_related("owner"), pk=pk)
    form = KpiValueForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _, created = kpi.record(
            day=data["date"],
            value=data["value"],
            segment=data["segment"].strip(),
            note=data["note"],
            entered_by=request.user,
        )
        if not request.htmx:
            messages.success(
                request,
                "Value recorded." if created else "Value updated; the old one is in its history.",
            )
            return redirect("measurement:kpi_detail", pk=kpi.pk)
        response = render(request, "measurement/kpi_detail.html#kpi-data", kpi_context(kpi))
        return trigger_client_event(response, "kpi-changed")
    if request.htmx:
        # A mistake is a normal answer: the block comes back with the form's errors.
        return render(request, "measurement/kpi_detail.html#kpi-data", kpi_context(kpi, form))
    context = {**_detail_context(kpi), "value_form": form}
    return render(request, "measurement/kpi_detail.html", context, status=400)
