"""Rows → Plotly figures. The page emits a figure with `json_script`; one static script
draws every chart; the PDF uses the same rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from roadmap.models import Cycle, Initiative, InitiativeStatus
from roadmap.timeline import STATUS_COLOURS as TIMELINE_STATUS_COLOURS
from roadmap_site.charts import FONT, figure_json, plotly_text

# The same colour for a status here and on the timeline.
STATUS_COLOURS = {status: TIMELINE_STATUS_COLOURS[status.value] for status in InitiativeStatus}


def initiatives_per_cycle_rows(cycles: list[Cycle], initiatives: list[Initiative]) -> list[dict]:
    """One row per cycle (and one for the unscheduled): its name and counts by status."""
    counts = Counter((initiative.cycle_id, initiative.status) for initiative in initiatives)
    return per_cycle_rows(cycles, counts)


def per_cycle_rows(cycles: list[Cycle], counts: Mapping[tuple[int | None, str], int]) -> list[dict]:
    """The same rows from counts per (cycle id, status), e.g. `status_counts()`'s."""
    by_cycle: dict[int | None, Counter] = {cycle.pk: Counter() for cycle in cycles}
    by_cycle[None] = Counter()
    for (cycle_id, status), n in counts.items():
        by_cycle.setdefault(cycle_id, Counter())[status] += n
    rows: list[dict[str, Any]] = [
        {"name": cycle.name, "counts": by_cycle[cycle.pk]} for cycle in cycles
    ]
    if by_cycle[None]:
        rows.append({"name": "Unscheduled", "counts": by_cycle[None]})
    for row in rows:
        row["total"] = sum(row["counts"].values())
    return rows


def initiatives_per_cycle(rows: list[dict]) -> dict:
    """A stacked bar per cycle, coloured by status; `rows` from initiatives_per_cycle_rows."""
    names = [plotly_text(row["name"]) for row in rows]
    figure = go.Figure(
        data=[
            go.Bar(
                name=status.label,
                x=names,
                y=[row["counts"][status] for row in rows],
                marker_color=STATUS_COLOURS[status],
                hovertemplate="%{x}: %{y} " + status.label.lower() + "<extra></extra>",
            )
            for status in InitiativeStatus
            if any(row["counts"][status] for row in rows)
        ],
        layout=go.Layout(
            barmode="stack",
            showlegend=True,
            yaxis={"title": {"text": "Initiatives"}, "dtick": 1, "rangemode": "tozero"},
            legend={"orientation": "h", "y": -0.2},
            margin={"l": 50, "r": 10, "t": 10, "b": 40},
            height=320,
            font=FONT,
        ),
    )
    return figure_json(figure)
