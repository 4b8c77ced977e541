from django.db.models import QuerySet
from ninja import Router
from ninja.pagination import paginate

from roadmap.api.auth import TokenRequest
from roadmap.api.pagination import CursorPagination
from roadmap.api.schemas import READ_ERRORS, PriorityOut
from strategy.models import Priority

router = Router(tags=["priorities"])


@router.get(
    "/priorities",
    response={200: list[PriorityOut], **READ_ERRORS},
    summary="List business priorities",
)
@paginate(CursorPagination)
def list_priorities(request: TokenRequest) -> QuerySet[Priority]:
    return Priority.objects.for_org(request.auth.org).select_related("business_owner")
