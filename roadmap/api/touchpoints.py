"""Touchpoints with senior stakeholders, in batches, through `alignment.record_touchpoint`
(the alignment page's own write): upserted on senior, day and forum."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from ninja import Query, Router

from measurement.alignment import record_touchpoint
from roadmap.api.auth import TokenRequest, write_token
from roadmap.api.programs import write_each
from roadmap.api.schemas import WRITE_ERRORS, TouchpointBatchIn, TouchpointIn, WriteBatchOut
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

    def write(item: TouchpointIn) -> bool:
        person = people.get(item.stakeholder)
        if person is None:
            message = f"No person {item.stakeholder} in this organisation."
            raise ValidationError({"stakeholder": [message]})
        return record_touchpoint(
            org=org,
            stakeholder=person,
            day=item.date,
            forum=item.forum,
            notes=item.notes,
            created_by=request.auth.created_by,
        )[1]

    return write_each(payload.items, write, all_or_nothing=all_or_nothing)
