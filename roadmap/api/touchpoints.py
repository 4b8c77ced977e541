"""Touchpoints with senior stakeholders, in batches, through `alignment.record_touchpoint`
(the alignment page's own write): upserted on senior, day and forum."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from ninja import Query, Router

from measurement.alignment import record_touchpoint
from roadmap.api.auth import TokenRequest, write_token
from roadmap.api.programs import messages_of, refuse_all
from roadmap.api.schemas import WRITE_ERRORS, ItemErrors, TouchpointBatchIn, WriteBatchOut
from roadmap_site.models import Person

router = Router(tags=["touchpoints"])


@router.post(
    "/touchpoints",
    auth=write_token,
    response={200: WriteBatchOut, **WRITE_ERRORS},
    summary="Record touchpoints",
)
def record_touchpoints(
    request: TokenRequest, payload: TouchpointBatchIn, all_or_nothing: Query[bool] = False
) -> WriteBatchOut:
    """Up to 1,000 touchpoints. The same senior, day and forum again updates the notes
    (or changes nothing). A person of another organisation is reported like an unknown one."""
    org = request.auth.org
    people = Person.objects.for_org(org).in_bulk({item.stakeholder for item in payload.items})
    created = existing = 0
    errors: list[ItemErrors] = []
    with transaction.atomic():
        for index, item in enumerate(payload.items):
            person = people.get(item.stakeholder)
            if person is None:
                message = f"No person {item.stakeholder} in this organisation."
                errors.append(ItemErrors(index=index, errors={"stakeholder": [message]}))
                continue
            try:
                _, was_created = record_touchpoint(
                    org=org,
                    stakeholder=person,
                    day=item.date,
                    forum=item.forum,
                    notes=item.notes,
                    created_by=request.auth.created_by,
                )
            except ValidationError as error:
                errors.append(ItemErrors(index=index, errors=messages_of(error)))
                continue
            created += was_created
            existing += not was_created
        if errors and all_or_nothing:
            raise refuse_all(errors, len(payload.items), "items")
    return WriteBatchOut(created=created, existing=existing, rejected=len(errors), errors=errors)
