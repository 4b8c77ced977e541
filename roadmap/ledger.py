"""The commitment ledger: per cycle, what we commit to beside what we are not doing.

The Align page and the shared page both show it; a fixed number of queries (requests and
dropped options; the caller brings the cycles and initiatives it already loaded).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone

from roadmap.models import Cycle, Initiative, Roadmap, TrainingRequest


def commitment_ledger(
    roadmap: Roadmap,
    *,
    cycles: list[Cycle],
    initiatives: Iterable[Initiative],
    priority_ids: list[int] | None = None,
    request_fields: Sequence[str] = (),
) -> dict:
    """`ledger`: one entry per cycle with its committed initiatives, the requests declined or
    deferred during it (by decision date) and the options dropped for it; `unscheduled`: the
    initiatives without a cycle.

    `priority_ids` (a share link narrowed to some priorities): only the requests that named
    one of them, and no dropped options, which belong to no priority.

    `request_fields`: load only these fields of the requests (what the caller shows; the
    share page rebuilds its ledger after every change and reads five of some thirty)."""
    not_doing = (
        TrainingRequest.objects.for_org(roadmap.org)
        .not_doing()
        .decided_between(roadmap.period_start, roadmap.period_end)
        .select_related("deferred_to")
        .order_by("decided_at")
    )
    if priority_ids:
        not_doing = not_doing.filter(priority_id__in=priority_ids)
    if request_fields:
        not_doing = not_doing.only("decided_at", *request_fields)
    requests = list(not_doing)
    dropped = [] if priority_ids else list(roadmap.not_doing.select_related("cycle"))
    by_cycle: dict[int, dict[str, Any]] = {
        cycle.pk: {"cycle": cycle, "committed": [], "not_doing": [], "dropped": []}
        for cycle in cycles
    }
    unscheduled = []
    for initiative in initiatives:
        if initiative.cycle_id in by_cycle:
            by_cycle[initiative.cycle_id]["committed"].append(initiative)
        else:
            unscheduled.append(initiative)
    for item in requests:
        day = timezone.localdate(item.decided_at)
        for cycle in cycles:
            if cycle.start <= day <= cycle.end:
                by_cycle[cycle.pk]["not_doing"].append(item)
                break
    for item in dropped:
        if item.cycle_id in by_cycle:  # the PDF or a share link may show some cycles only
            by_cycle[item.cycle_id]["dropped"].append(item)
    for entry in by_cycle.values():
        committed = [i for i in entry["committed"] if i.is_committed]
        entry["totals"] = {
            "budget": sum(i.budget or 0 for i in committed),
            "days": sum(i.days or 0 for i in committed),
        }
    return {"ledger": list(by_cycle.values()), "unscheduled": unscheduled}
