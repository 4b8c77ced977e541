from django.db.models import QuerySet
from ninja import Router
from ninja.pagination import paginate

from roadmap.api.auth import TokenRequest
from roadmap.api.pagination import CursorPagination
from roadmap.api.schemas import READ_ERRORS, RoadmapOut
from roadmap.models import Roadmap

router = Router(tags=["roadmaps"])


@router.get("/roadmaps", response={200: list[RoadmapOut], **READ_ERRORS}, summary="List roadmaps")
@paginate(CursorPagination)
def list_roadmaps(request: TokenRequest) -> QuerySet[Roadmap]:
    return Roadmap.objects.for_org(request.auth.org)
