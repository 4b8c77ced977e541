"""Training requests: read them, and add one through the team's own request form."""

from django.db.models import QuerySet
from ninja import Router, Status
from ninja.pagination import paginate

from roadmap.api.auth import TokenRequest, write_token
from roadmap.api.errors import ApiError, form_errors
from roadmap.api.pagination import CursorPagination
from roadmap.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    TrainingRequestIn,
    TrainingRequestOut,
)
from roadmap.forms import TrainingRequestForm
from roadmap.models import TrainingRequest, TrainingRequestState

router = Router(tags=["requests"])


@router.get(
    "/requests",
    response={200: list[TrainingRequestOut], **READ_ERRORS},
    summary="List training requests",
)
@paginate(CursorPagination)
def list_requests(
    request: TokenRequest, status: TrainingRequestState | None = None
) -> QuerySet[TrainingRequest]:
    requests = TrainingRequest.objects.for_org(request.auth.org)
    if status is not None:
        requests = requests.in_state(status)
    return requests


@router.post(
    "/requests",
    auth=write_token,
    response={201: TrainingRequestOut, **WRITE_ERRORS},
    summary="Add a training request",
)
def create_request(request: TokenRequest, payload: TrainingRequestIn) -> Status:
    """Validated by the team's request form, as if typed in; it arrives as New."""
    data = {
        name: "" if value is None else str(getattr(value, "value", value))
        for name, value in payload.model_dump().items()
    }
    form = TrainingRequestForm(data=data, org=request.auth.org)
    if not form.is_valid():
        raise ApiError(422, "The request was not added: see errors.", form_errors(form))
    form.instance.source_detail = f"API token “{request.auth.name}”"[:200]
    return Status(201, form.save())
