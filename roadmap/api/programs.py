"""Programs (an initiative as measurement sees it): their months, learner activity in
batches, eligible learners and survey responses.

Writes go through measurement's own functions, the ones the pages and imports call:
`engagement.record_events`, `engagement.set_eligible`, `surveys.record_response`. A batch
reports bad items by index and writes the others; with `all_or_nothing=true` one bad item
writes none (422).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateField, QuerySet, Value
from ninja import Query, Router
from ninja.pagination import paginate

from measurement import engagement, surveys
from measurement.models import Program
from roadmap.api.auth import TokenRequest, write_token
from roadmap.api.errors import ApiError, not_found
from roadmap.api.pagination import CursorPagination
from roadmap.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    EligibleIn,
    EligibleOut,
    EventBatchIn,
    EventBatchOut,
    Id,
    ItemErrors,
    MonthOut,
    ProgramOut,
    SurveyResponseBatchIn,
    SurveyResponseIn,
    WriteBatchOut,
)
from roadmap_site.models import Organization

router = Router(tags=["programs"])


def _program(org: Organization, pk: int) -> Program:
    program = Program.objects.for_org(org).select_related("org").filter(pk=pk).first()
    if program is None:
        raise not_found("program", pk)
    return program


def refuse_all(errors: list[ItemErrors], total: int, prefix: str) -> ApiError:
    """What `all_or_nothing=true` answers: every item's messages, nothing written."""
    return ApiError(
        422,
        f"Nothing was written: {len(errors)} of {total} items have errors.",
        {
            f"{prefix}.{error.index}.{field}": messages
            for error in errors
            for field, messages in error.errors.items()
        },
    )


def write_each[T](
    items: Sequence[T], write: Callable[[T], bool], *, all_or_nothing: bool
) -> WriteBatchOut:
    """The batch endpoints' loop: `write` each item (it returns whether it created a row,
    or raises ValidationError), each in its own savepoint so a refused one leaves nothing;
    with `all_or_nothing`, any refusal rolls the whole batch back with a 422."""
    created = existing = 0
    errors: list[ItemErrors] = []
    with transaction.atomic():
        for index, item in enumerate(items):
            try:
                with transaction.atomic():
                    was_created = write(item)
            except ValidationError as error:
                errors.append(ItemErrors(index=index, errors=messages_of(error)))
                continue
            created += was_created
            existing += not was_created
        if errors and all_or_nothing:
            raise refuse_all(errors, len(items), "items")
    return WriteBatchOut(created=created, existing=existing, rejected=len(errors), errors=errors)


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {"__all__": list(error.messages)}


@router.get("/programs", response={200: list[ProgramOut], **READ_ERRORS}, summary="List programs")
@paginate(CursorPagination)
def list_programs(request: TokenRequest) -> QuerySet:
    """Every measured program with last month's active learner rate."""
    org = request.auth.org
    last = engagement.last_complete_month(org.today())
    programs = Program.objects.for_org(org).select_related("initiative").with_month(last)
    return programs.annotate(last_month=Value(last, output_field=DateField()))


@router.get(
    "/programs/{program_id}/months",
    response={200: list[MonthOut], **READ_ERRORS},
    summary="A program's months",
)
def list_program_months(request: TokenRequest, program_id: Id) -> list[engagement.MonthRate]:
    """Every calendar month with activity or eligible learners, oldest first: active
    learners, completers, events by type, eligible learners and the two rates."""
    return engagement.monthly_rates(_program(request.auth.org, program_id))


@router.post(
    "/programs/{program_id}/events",
    auth=write_token,
    response={200: EventBatchOut, **WRITE_ERRORS},
    summary="Record learner activity",
)
def record_events(
    request: TokenRequest,
    program_id: Id,
    payload: EventBatchIn,
    all_or_nothing: Query[bool] = False,
) -> EventBatchOut:
    """Up to 10,000 events. An event already stored (same learner, type and time) is a
    duplicate and changes nothing, so a batch can be sent again safely. The months the new
    events fall in are recounted."""
    program = _program(request.auth.org, program_id)
    events = [item.dict() for item in payload.events]
    with transaction.atomic():
        result = engagement.record_events(program=program, events=events, org=request.auth.org)
        errors = [ItemErrors(index=r.index, errors={"event": [r.reason]}) for r in result.rejected]
        if errors and all_or_nothing:
            raise refuse_all(errors, len(events), "events")  # rolls the batch back
    return EventBatchOut(
        written=result.written,
        duplicates=result.duplicates,
        rejected=len(errors),
        errors=errors,
    )


@router.put(
    "/programs/{program_id}/eligible/{month}",
    auth=write_token,
    response={200: EligibleOut, **WRITE_ERRORS},
    summary="Set eligible learners for a month",
)
def set_eligible(
    request: TokenRequest, program_id: Id, month: date, payload: EligibleIn
) -> EligibleOut:
    """`month` is the month's first day (2026-05-01). The same count again changes nothing."""
    program = _program(request.auth.org, program_id)
    try:
        row, changed = engagement.set_eligible(program=program, month=month, count=payload.count)
    except engagement.EngagementError as error:
        field = "month" if "month" in str(error) else "count"
        raise ApiError(422, str(error), {field: [str(error)]}) from None
    return EligibleOut(program_id=program.pk, month=row.month, count=row.count, changed=changed)


@router.post(
    "/programs/{program_id}/survey-responses",
    auth=write_token,
    response={200: WriteBatchOut, **WRITE_ERRORS},
    summary="Record survey responses",
)
def record_survey_responses(
    request: TokenRequest,
    program_id: Id,
    payload: SurveyResponseBatchIn,
    all_or_nothing: Query[bool] = False,
) -> WriteBatchOut:
    """Up to 1,000 answers (0 to 10) to "how likely are you to recommend it?". With a
    respondent key, the same respondent's answer on the same day replaces the first."""
    org = request.auth.org
    program = _program(org, program_id)

    def write(item: SurveyResponseIn) -> bool:
        return surveys.record_response(
            org=org,
            program=program,
            score=item.score,
            responded_on=item.responded_on,
            comment=item.comment,
            respondent=item.respondent,
        )[1]

    return write_each(payload.items, write, all_or_nothing=all_or_nothing)
