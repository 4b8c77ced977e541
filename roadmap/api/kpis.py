"""KPIs with their status, their values, and recording values (one, or a batch).

Writes go through `Kpi.record`, after the KPI page's own form (`KpiValueForm`) has checked
the value: an API value and a typed one are the same thing, upserted on (KPI, date,
segment).
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from ninja import Query, Router, Status
from ninja.pagination import paginate

from measurement.forms.kpis import KpiValueForm
from measurement.models import Kpi, KpiValue
from roadmap.api.auth import TokenRequest, write_token
from roadmap.api.errors import ApiError, form_errors, not_found
from roadmap.api.pagination import CursorPagination
from roadmap.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    Id,
    ItemErrors,
    KpiOut,
    KpiValueBatchIn,
    KpiValueBatchOut,
    KpiValueIn,
    KpiValueOut,
    KpiValueWritten,
)
from roadmap_site.models import Organization

router = Router(tags=["kpis"])


def _kpi(org: Organization, pk: int) -> Kpi:
    kpi = Kpi.objects.for_org(org).filter(pk=pk).first()
    if kpi is None:
        raise not_found("KPI", pk)
    return kpi


def _form(item: KpiValueIn) -> KpiValueForm:
    return KpiValueForm(
        data={
            "date": item.date.isoformat(),
            "value": str(item.value),
            "segment": item.segment,
            "note": item.note,
        }
    )


def _record(kpi: Kpi, form: KpiValueForm, by: Any) -> tuple[KpiValue, bool]:
    data = form.cleaned_data
    return kpi.record(
        day=data["date"],
        value=data["value"],
        segment=data["segment"].strip(),
        note=data["note"],
        entered_by=by,
    )


@router.get("/kpis", response={200: list[KpiOut], **READ_ERRORS}, summary="List KPIs")
@paginate(CursorPagination)
def list_kpis(request: TokenRequest) -> QuerySet[Kpi]:
    """Each KPI with its latest overall value and its status (on track, at risk…)."""
    return Kpi.objects.for_org(request.auth.org).with_status()


@router.get("/kpis/{kpi_id}", response={200: KpiOut, **READ_ERRORS}, summary="One KPI")
def get_kpi(request: TokenRequest, kpi_id: Id) -> Kpi:
    kpi = Kpi.objects.for_org(request.auth.org).with_status().filter(pk=kpi_id).first()
    if kpi is None:
        raise not_found("KPI", kpi_id)
    return kpi


@router.get(
    "/kpis/{kpi_id}/values",
    response={200: list[KpiValueOut], **READ_ERRORS},
    summary="A KPI's values",
)
@paginate(CursorPagination)
def list_kpi_values(request: TokenRequest, kpi_id: Id) -> QuerySet[KpiValue]:
    """Every value of the KPI, segments included, in the order they were first recorded."""
    kpi = _kpi(request.auth.org, kpi_id)
    return KpiValue.objects.for_org(request.auth.org).filter(kpi=kpi)


@router.post(
    "/kpis/{kpi_id}/values",
    auth=write_token,
    response={200: KpiValueWritten, 201: KpiValueWritten, **WRITE_ERRORS},
    summary="Record a KPI value",
)
def record_kpi_value(request: TokenRequest, kpi_id: Id, payload: KpiValueIn) -> Status:
    """Upserts on (KPI, date, segment): 201 for a new value, 200 when it replaced the one of
    that date and segment (the old figure stays in the value's history)."""
    kpi = _kpi(request.auth.org, kpi_id)
    form = _form(payload)
    if not form.is_valid():
        raise ApiError(422, "The value was not recorded: see errors.", form_errors(form))
    value, created = _record(kpi, form, request.auth.created_by)
    value.created = created  # type: ignore[attr-defined]  # for KpiValueWritten
    return Status(201 if created else 200, value)


@router.post(
    "/kpi-values/batch",
    auth=write_token,
    response={200: KpiValueBatchOut, **WRITE_ERRORS},
    summary="Record KPI values in a batch",
)
def record_kpi_values(
    request: TokenRequest, payload: KpiValueBatchIn, all_or_nothing: Query[bool] = False
) -> KpiValueBatchOut:
    """Up to 1,000 values of any of the organisation's KPIs. Items that fail validation are
    reported by index and the others written; with `all_or_nothing=true` a single bad item
    writes none (422). A body that does not match the schema at all is refused whole."""
    org = request.auth.org
    kpis = Kpi.objects.for_org(org).select_related("org").in_bulk({i.kpi for i in payload.items})
    checked: list[tuple[Kpi, KpiValueForm]] = []
    errors: list[ItemErrors] = []
    for index, item in enumerate(payload.items):
        form = _form(item)
        item_errors = {} if form.is_valid() else form_errors(form)
        kpi = kpis.get(item.kpi)
        if kpi is None:
            item_errors["kpi"] = [f"No KPI {item.kpi} in this organisation."]
        if kpi is None or item_errors:
            errors.append(ItemErrors(index=index, errors=item_errors))
        else:
            checked.append((kpi, form))
    if errors and all_or_nothing:
        raise ApiError(
            422,
            f"Nothing was written: {len(errors)} of {len(payload.items)} items have errors.",
            {
                f"items.{error.index}.{field}": messages
                for error in errors
                for field, messages in error.errors.items()
            },
        )
    created = updated = 0
    with transaction.atomic():
        for kpi, form in checked:
            _, was_created = _record(kpi, form, request.auth.created_by)
            created += was_created
            updated += not was_created
    return KpiValueBatchOut(created=created, updated=updated, rejected=len(errors), errors=errors)
