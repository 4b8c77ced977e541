from django.db.models import QuerySet
from ninja import Router
from ninja.pagination import paginate

from roadmap.api.auth import TokenRequest
from roadmap.api.errors import not_found
from roadmap.api.pagination import CursorPagination
from roadmap.api.schemas import READ_ERRORS, Id, InitiativeOut
from roadmap.models import Cycle, Initiative, InitiativeStatus, Roadmap

router = Router(tags=["initiatives"])


@router.get(
    "/initiatives", response={200: list[InitiativeOut], **READ_ERRORS}, summary="List initiatives"
)
@paginate(CursorPagination)
def list_initiatives(
    request: TokenRequest,
    roadmap: Id | None = None,
    status: InitiativeStatus | None = None,
    cycle: Id | None = None,
) -> QuerySet[Initiative]:
    """Filter by roadmap id, status and cycle id; an id of another organisation is a 404."""
    org = request.auth.org
    initiatives = Initiative.objects.for_org(org).with_people()
    if roadmap is not None:
        if not Roadmap.objects.for_org(org).filter(pk=roadmap).exists():
            raise not_found("roadmap", roadmap)
        initiatives = initiatives.filter(roadmap_id=roadmap)
    if cycle is not None:
        if not Cycle.objects.for_org(org).filter(pk=cycle).exists():
            raise not_found("cycle", cycle)
        initiatives = initiatives.filter(cycle_id=cycle)
    if status is not None:
        initiatives = initiatives.filter(status=status)
    return initiatives
