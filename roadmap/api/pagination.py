"""Cursor pagination over ids: stable however rows are added, one query per page."""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import PaginationBase

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_SALT = "roadmap.api.cursor"


def encode_cursor(after_id: int) -> str:
    """Opaque to clients (signed, so a hand-made one is refused rather than guessed at)."""
    return signing.dumps(after_id, salt=_SALT)


def decode_cursor(cursor: str) -> int:
    try:
        after_id = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        after_id = None
    if not isinstance(after_id, int) or isinstance(after_id, bool):
        raise HttpError(
            400, "This cursor is not valid: use the next_cursor of a page, or start without."
        )
    return after_id


class CursorPagination(PaginationBase):
    """Items in id order, `limit` at a time (capped at MAX_LIMIT); `next_cursor` is null on
    the last page. Fetches one row more than asked to know whether another page follows."""

    items_attribute = "items"

    class PageQuery(PaginationBase.Input):
        limit: int = Field(
            DEFAULT_LIMIT,
            ge=1,
            description=f"Items per page; more than {MAX_LIMIT} is capped at {MAX_LIMIT}.",
        )
        cursor: str | None = Field(
            None, max_length=200, description="The next_cursor of the previous page."
        )

    # The name ninja looks for; PageQuery is the one the docs show. mypy reads the base's
    # nested class as a fixed type, not a bound a subclass may fill.
    Input = PageQuery  # type: ignore[assignment]

    class Output(Schema):
        items: list[Any]
        next_cursor: str | None = Field(description="Pass as cursor for the next page.")

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        limit = min(pagination.limit, MAX_LIMIT)
        rows = queryset.order_by("pk")
        if pagination.cursor:
            rows = rows.filter(pk__gt=decode_cursor(pagination.cursor))
        page = list(rows[: limit + 1])
        more = len(page) > limit
        page = page[:limit]
        return {"items": page, "next_cursor": encode_cursor(page[-1].pk) if more else None}
