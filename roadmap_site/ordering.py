"""Keyboard-friendly reordering: move a row one place up or down among its siblings."""

from __future__ import annotations

from django.db import models, transaction


def move_among(
    item: models.Model, siblings: models.QuerySet, *, field: str, up: bool, start: int = 0
) -> bool:
    """Swap `item` with the sibling above or below it; False at either end.

    `siblings` is the ordered queryset of the group `item` belongs to. The group is locked
    and renumbered from `start` first, so gaps or ties left by older rows never make a move
    a no-op. `item`'s own `field` is updated too.
    """
    with transaction.atomic():
        rows = list(siblings.select_for_update())
        index = next(i for i, row in enumerate(rows) if row.pk == item.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(rows):
            return False
        rows[index], rows[other] = rows[other], rows[index]
        for number, row in enumerate(rows, start=start):
            setattr(row, field, number)
        type(item)._default_manager.bulk_update(rows, [field])
        setattr(item, field, other + start)
    return True
